/**
 * Keras models in: HDF5 files saved by Keras 2 read with DL4J's own importer
 * ({@code deeplearning4j-modelimport}), every setting the importer would ignore or get wrong
 * refused first, and the result run on arrays laid out as Keras takes them.
 */
package org.rnnlab.keras;
