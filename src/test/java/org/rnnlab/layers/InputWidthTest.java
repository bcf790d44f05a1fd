package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.inference.Stepping;
import org.rnnlab.inference.TimeStepper;

/** Input of the wrong width fails naming both widths, not in a native product's BLAS error (issue 18, item 4). */
class InputWidthTest {
    private static MultiLayerNetwork network() {
        MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(LayerImplementation.FAST.simpleRnn().nOut(5).activation(Activation.TANH).build())
                .layer(LayerImplementation.FAST.rnnOutput(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.recurrent(3)).build());
        network.init();
        return network;
    }

    @Test
    void theFastLayersNameTheWidthTheyTakeAndTheWidthTheyGot() {
        MultiLayerNetwork network = network();
        for (int width : new int[] {2, 4, 81}) {
            DL4JInvalidInputException e = assertThrows(DL4JInvalidInputException.class,
                    () -> network.output(Nd4j.rand(1, width, 6)));
            assertTrue(e.getMessage().contains("takes 3 features per step; its input has " + width), e.getMessage());
            assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
        }
    }

    @Test
    void aTimeStepperRefusesStepsOfAnotherWidth() {
        for (Stepping stepping : Stepping.values()) {
            TimeStepper stepper = TimeStepper.of(network(), null, stepping);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> stepper.step(Nd4j.rand(1, 4)));
            assertTrue(e.getMessage().contains("takes 3 features per step"), stepping + ": " + e.getMessage());
        }
    }
}
