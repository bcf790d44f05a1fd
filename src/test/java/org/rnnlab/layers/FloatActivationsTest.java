package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** The float tanh and sigmoid loops against Java's exact functions, ND4J's ops and DL4J's SimpleRnn. */
class FloatActivationsTest {
    private static final double TOLERANCE = 4e-7;

    private static float[] grid() {
        int n = 2_000_001;
        float[] x = new float[n + 200];
        for (int i = 0; i < n; i++) {
            x[i] = -12f + 24f * i / (n - 1);
        }
        for (int i = 0; i < 200; i++) { // tiny values, where only a relative error means anything
            x[n + i] = (float) Math.pow(10, -30 + 30.0 * i / 199) * (i % 2 == 0 ? 1 : -1);
        }
        return x;
    }

    @Test
    void tanhIsWithinFourTenMillionthsOfTanhAndNeverLeavesMinusOneToOne() {
        float[] x = grid();
        float[] y = new float[x.length];
        FloatActivations.tanh(x, y, x.length);
        double worst = 0;
        double worstRelative = 0;
        for (int i = 0; i < x.length; i++) {
            double exact = Math.tanh(x[i]);
            worst = Math.max(worst, Math.abs(y[i] - exact));
            if (Math.abs(x[i]) < 1 && x[i] != 0) {
                worstRelative = Math.max(worstRelative, Math.abs(y[i] - exact) / Math.abs(exact));
            }
            assertTrue(Math.abs(y[i]) <= 1f, "tanh(" + x[i] + ") = " + y[i]);
        }
        assertTrue(worst <= TOLERANCE, "largest error " + worst);
        assertTrue(worstRelative <= TOLERANCE, "largest relative error below |x| = 1: " + worstRelative);
    }

    @Test
    void tanhIsOddAndHandlesInfinitiesAndNaN() {
        float[] x = grid();
        float[] positive = new float[x.length];
        float[] negative = new float[x.length];
        float[] minusX = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            minusX[i] = -x[i];
        }
        FloatActivations.tanh(x, positive, x.length);
        FloatActivations.tanh(minusX, negative, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(positive[i], -negative[i], "tanh(-x) = -tanh(x) at x = " + x[i]);
        }
        float[] special = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0f};
        FloatActivations.tanh(special, special, special.length);
        assertEquals(1f, special[0]);
        assertEquals(-1f, special[1]);
        assertTrue(Float.isNaN(special[2]), "NaN stays NaN, so divergence is still seen");
        assertEquals(0f, special[3]);
    }

    @Test
    void sigmoidIsWithinFourTenMillionthsOfTheLogistic() {
        float[] x = grid();
        float[] y = new float[x.length];
        FloatActivations.sigmoid(x, y, x.length);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            worst = Math.max(worst, Math.abs(y[i] - 1 / (1 + Math.exp(-x[i]))));
            assertTrue(y[i] >= 0f && y[i] <= 1f, "sigmoid(" + x[i] + ") = " + y[i]);
        }
        assertTrue(worst <= TOLERANCE, "largest error " + worst);
    }

    @Test
    void nativeBufferPathsAgreeWithNd4jAtAnOffset() {
        INDArray z = Nd4j.rand(DataType.FLOAT, 7, 30).subi(0.5).muli(8);
        INDArray out = Nd4j.zeros(DataType.FLOAT, 7, 30);
        FloatActivations.Scratch scratch = FloatActivations.Scratch.of(60);
        // rows 2 and 3 only: 60 values from offset 60
        FloatActivations.apply(new ActivationTanH(), FloatActivations.buffer(z), 60, FloatActivations.buffer(out), 60, 60, scratch);
        INDArray expected = Nd4j.create(DataType.FLOAT, 2, 30);
        Nd4j.exec(new Tanh(z.getRows(2, 3), expected));
        assertTrue(expected.equalsWithEps(out.getRows(2, 3), TOLERANCE), "tanh");
        assertEquals(0.0, out.getRows(0, 1, 4, 5, 6).norm1Number().doubleValue(), "nothing outside the range is written");

        FloatActivations.apply(new ActivationSigmoid(), FloatActivations.buffer(z), 0, FloatActivations.buffer(out), 0, 60, scratch);
        INDArray sigmoid = Nd4j.create(DataType.FLOAT, 2, 30);
        Nd4j.exec(new Sigmoid(z.getRows(0, 1), sigmoid));
        assertTrue(sigmoid.equalsWithEps(out.getRows(0, 1), TOLERANCE), "sigmoid");

        INDArray delta = Nd4j.rand(DataType.FLOAT, 7, 30);
        INDArray before = delta.dup();
        FloatActivations.multiplyByDerivative(new ActivationTanH(), FloatActivations.buffer(delta), 60,
                FloatActivations.buffer(out), 60, 60, scratch);
        INDArray a = out.getRows(2, 3);
        INDArray tanhDerivative = before.getRows(2, 3).mul(a.mul(a).rsub(1.0));
        assertTrue(tanhDerivative.equalsWithEps(delta.getRows(2, 3), 1e-6), "delta (1 - a^2)");
        assertEquals(before.getRows(0, 1, 4, 5, 6), delta.getRows(0, 1, 4, 5, 6));
    }

    /** A float network with each activation, fast against DL4J's SimpleRnn: outputs and gradients. */
    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"TANH", "SIGMOID", "IDENTITY"})
    void fastFloatLayerMatchesDl4jsSimpleRnn(Activation activation) {
        MultiLayerNetwork fast = network(LayerImplementation.FAST, activation);
        MultiLayerNetwork stock = network(LayerImplementation.DL4J, activation);
        stock.setParams(fast.params().dup());
        INDArray input = Nd4j.rand(DataType.FLOAT, 4, 3, 9).subi(0.5).muli(4);
        INDArray labels = Nd4j.rand(DataType.FLOAT, 4, 2, 9);

        assertTrue(stock.output(input).equalsWithEps(fast.output(input), 1e-6), "outputs");
        fast.setInput(input);
        fast.setLabels(labels);
        fast.computeGradientAndScore();
        stock.setInput(input);
        stock.setLabels(labels);
        stock.computeGradientAndScore();
        assertEquals(stock.score(), fast.score(), 1e-6 * Math.abs(stock.score()));
        INDArray difference = fast.gradient().gradient().sub(stock.gradient().gradient());
        double worst = abs(difference).maxNumber().doubleValue();
        double largest = abs(stock.gradient().gradient()).maxNumber().doubleValue();
        assertTrue(worst < 1e-6 * largest, "gradients differ by " + worst + ", the largest is " + largest);
    }

    private static INDArray abs(INDArray array) {
        return org.nd4j.linalg.ops.transforms.Transforms.abs(array, true);
    }

    private static MultiLayerNetwork network(LayerImplementation implementation, Activation activation) {
        MultiLayerConfiguration configuration = new NeuralNetConfiguration.Builder().seed(9).updater(new NoOp())
                .dataType(DataType.FLOAT).list()
                .layer(implementation.simpleRnn().nOut(20).activation(activation).build())
                .layer(implementation.rnnOutput(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(3)).build();
        MultiLayerNetwork network = new MultiLayerNetwork(configuration);
        network.init();
        return network;
    }
}
