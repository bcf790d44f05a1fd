package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;

/** The Java passes of the float softmax + cross-entropy against the same formulas in double. */
class FloatSoftmaxCrossEntropyTest {

    @Test
    void lossDeltaAndBiasGradientMatchDoublePrecision() {
        int rows = 300; // more than one block of rows
        int classes = 23;
        Random random = new Random(1);
        float[] z = new float[rows * classes];
        float[] y = new float[rows * classes];
        float[] bias = new float[classes];
        for (int j = 0; j < classes; j++) {
            bias[j] = (float) random.nextGaussian();
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < classes; j++) {
                // some rows spread over 80 nats, so that p underflows and the clipping of ln p is reached
                z[r * classes + j] = (float) (random.nextGaussian() * (r % 7 == 0 ? 40 : 2));
                if (r % 17 == 1) {
                    z[r * classes + j] += 150; // exp overflows: the row is computed again, shifted
                } else if (r % 17 == 2) {
                    z[r * classes + j] -= 150; // exp underflows to zero in every class
                }
            }
            if (r % 11 == 3) {
                continue; // a row without a label contributes nothing
            }
            y[r * classes + random.nextInt(classes)] += 1f;
            if (r % 13 == 5) {
                y[r * classes + random.nextInt(classes)] += 0.5f; // soft labels too
            }
        }
        double lnMin = Math.log(1e-10);
        double lnMax = Math.log1p(-1e-10);

        INDArray logits = Nd4j.createFromArray(z).reshape(rows, classes);
        INDArray exp = Nd4j.create(DataType.FLOAT, rows, classes);
        INDArray labels = Nd4j.createFromArray(y).reshape(rows, classes);
        FloatSoftmaxCrossEntropy pass = new FloatSoftmaxCrossEntropy(classes);
        pass.addBias(FloatActivations.buffer(logits), bias, rows);
        Nd4j.exec(new Exp(logits, exp));
        double loss = pass.lossAndDelta(FloatActivations.buffer(logits), FloatActivations.buffer(exp),
                FloatActivations.buffer(labels), 0, rows, lnMin, lnMax);

        double expectedLoss = 0;
        double[] expectedBias = new double[classes];
        float[] delta = exp.data().asFloat();
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, z[r * classes + j] + bias[j]);
            }
            double sum = 0;
            double labelSum = 0;
            for (int j = 0; j < classes; j++) {
                sum += Math.exp(z[r * classes + j] + bias[j] - max);
                labelSum += y[r * classes + j];
            }
            for (int j = 0; j < classes; j++) {
                double shifted = z[r * classes + j] + bias[j] - max;
                double lnP = Math.max(lnMin, Math.min(lnMax, shifted - Math.log(sum)));
                expectedLoss -= y[r * classes + j] * lnP;
                double d = Math.exp(shifted) / sum * labelSum - y[r * classes + j];
                expectedBias[j] += d;
                assertEquals(d, delta[r * classes + j], 1e-6, "delta at row " + r + ", class " + j);
            }
        }
        assertEquals(expectedLoss, loss, 1e-6 * expectedLoss);
        for (int j = 0; j < classes; j++) {
            assertEquals(expectedBias[j], pass.biasGradient()[j], 1e-6 * (1 + Math.abs(expectedBias[j])), "bias gradient " + j);
        }
    }
}
