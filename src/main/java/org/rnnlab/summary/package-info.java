/**
 * Every network described as the equivalent Keras model and printed as Keras 2.2, tf.keras 2.x or
 * Keras 3 print it (or in DL4J's own style), with Keras's parameter counts.
 */
package org.rnnlab.summary;
