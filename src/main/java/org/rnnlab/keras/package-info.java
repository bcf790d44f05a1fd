/**
 * Keras models in and out: HDF5 files saved by Keras 2 read with DL4J's own importer
 * ({@code deeplearning4j-modelimport}), every setting the importer would ignore or get wrong
 * refused first, the result run on arrays laid out as Keras takes them and summarised from the
 * Keras config, and gradient-checked against Keras's equations; and rnnlab's networks written as
 * Keras 2 HDF5 files (docs/keras.md).
 */
package org.rnnlab.keras;
