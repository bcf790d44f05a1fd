package org.rnnlab.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.layers.LayerImplementation;

/** TimeStepper on a StepNetwork against the same on DL4J: normalizer in and out, ranks 2 and 3, several steps per call. */
class TimeStepperTest {
    /** A SimpleRnn network, or ({@code refused}) one with a GravesLSTM, which StepNetwork does not compute. */
    private static MultiLayerNetwork network(boolean refused) {
        var list = StepNetworkTest.list(4);
        list.layer(refused ? new GravesLSTM.Builder().nOut(5).activation(Activation.TANH).build()
                : LayerImplementation.FAST.simpleRnn().nOut(5).activation(Activation.TANH).build());
        MultiLayerNetwork network = new MultiLayerNetwork(list
                .layer(LayerImplementation.FAST.rnnOutput(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(3)).build());
        network.init();
        StepNetworkTest.randomise(network, true, new Random(9));
        return network;
    }

    private static NormalizerStandardize normalizer() {
        Nd4j.getRandom().setSeed(5);
        DataSet data = new DataSet(Nd4j.rand(DataType.FLOAT, 20, 3, 6).muli(10).addi(3),
                Nd4j.rand(DataType.FLOAT, 20, 2, 6).muli(40).subi(7));
        NormalizerStandardize normalizer = new NormalizerStandardize();
        normalizer.fitLabel(true);
        normalizer.fit(data);
        return normalizer;
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape());
        double[] e = expected.dup('c').data().asDouble();
        double[] a = actual.dup('c').data().asDouble();
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= tolerance * Math.max(1, Math.abs(e[i])), i + ": " + e[i] + " vs " + a[i]);
        }
    }

    @Test
    void normalizedStepsEqualDl4jsInEveryShape() {
        MultiLayerNetwork network = network(false);
        for (NormalizerStandardize normalizer : new NormalizerStandardize[] {null, normalizer()}) {
            TimeStepper fast = TimeStepper.of(network, normalizer, Stepping.STEP_NETWORK);
            TimeStepper dl4j = TimeStepper.of(network, normalizer, Stepping.DL4J);
            assertTrue(fast.usesStepNetwork());
            assertFalse(dl4j.usesStepNetwork());
            fast.clear();
            dl4j.clear();
            Nd4j.getRandom().setSeed(6);
            INDArray[] inputs = {Nd4j.rand(DataType.FLOAT, 2, 3, 1).muli(10), Nd4j.rand(DataType.FLOAT, 2, 3).muli(10),
                    Nd4j.rand(DataType.FLOAT, 2, 3, 4).muli(10), Nd4j.rand(DataType.FLOAT, 2, 3, 1).muli(10)};
            for (INDArray input : inputs) {
                INDArray kept = input.dup();
                assertClose(dl4j.step(input), fast.step(input), 1e-5);
                assertClose(kept, input, 0); // the caller's features are left as they were
            }
            fast.clear();
            dl4j.clear();
            INDArray single = Nd4j.rand(DataType.FLOAT, 1, 3, 2);
            assertClose(dl4j.step(single), fast.step(single), 1e-5);
        }
    }

    @Test
    void aNetworkItRefusesRunsOnDl4j() {
        MultiLayerNetwork network = network(true);
        TimeStepper stepper = TimeStepper.of(network, null, Stepping.STEP_NETWORK);
        assertFalse(stepper.usesStepNetwork());
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 3, 3);
        INDArray expected = network.output(input);
        stepper.clear();
        assertClose(expected, stepper.step(input), 1e-6);
    }
}
