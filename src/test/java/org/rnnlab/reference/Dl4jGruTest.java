package org.rnnlab.reference;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnnlab.reference.Dl4jLstmTest.network;

import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.layers.Gru;
import org.rnnlab.layers.LayerImplementation;

/**
 * rnnlab's Gru layer against the reference's GRU cells, both reset forms: GradientCheck's three
 * checks (reference vs DL4J to 1e-10 and 1e-8, reference vs finite differences, GradientCheckUtil)
 * on DOUBLE networks with masks, last-step outputs and stacks mixing Gru with SimpleRnn and LSTM.
 * The two were written apart, from the same equations (issue 19).
 */
class Dl4jGruTest {

    private static Gru gru(int units, boolean resetAfter) {
        return new Gru.Builder().resetAfter(resetAfter).nOut(units).build();
    }

    static Stream<Arguments> networks() {
        return Stream.of(true, false).flatMap(after -> Stream.of(
                Arguments.of("gru (reset after: " + after + "), mse at every step", network(3, gru(4, after),
                        new RnnOutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build()),
                        true, GradientCheck.Labels.EVERY_STEP, 2, 4),
                Arguments.of("gru (" + after + "), softmax, variable lengths", network(2, gru(5, after),
                        new RnnOutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build()),
                        true, GradientCheck.Labels.VARIABLE_LENGTH, 3, 5),
                Arguments.of("LastTimeStep(gru (" + after + ")), variable lengths", network(3,
                        new LastTimeStep(gru(4, after)),
                        new OutputLayer.Builder(LossFunction.XENT).nOut(2).activation(Activation.SIGMOID).build()),
                        true, GradientCheck.Labels.VARIABLE_LENGTH, 3, 5),
                Arguments.of("simple rnn, gru (" + after + "), lstm, one label at the end", network(2,
                        new SimpleRnn.Builder().nOut(3).activation(Activation.TANH).build(), gru(3, after),
                        new LSTM.Builder().nOut(2).activation(Activation.TANH).build(),
                        new RnnOutputLayer.Builder(LossFunction.XENT).nOut(1).activation(Activation.SIGMOID).build()),
                        true, GradientCheck.Labels.LAST_STEP_MASK, 2, 4),
                Arguments.of("gru (" + after + ") without bias", network(2, gru(3, after),
                        new RnnOutputLayer.Builder(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build()),
                        false, GradientCheck.Labels.EVERY_STEP, 2, 3),
                // In DOUBLE rnnlab's FastGru runs Gru's code; FastGruTest checks its float path against Gru's.
                Arguments.of("FastGru (" + after + "), softmax, variable lengths", network(2,
                        LayerImplementation.FAST.gru().resetAfter(after).nOut(4).build(),
                        new RnnOutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build()),
                        true, GradientCheck.Labels.VARIABLE_LENGTH, 3, 5)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void referenceDl4jAndFiniteDifferencesAgree(String name, MultiLayerConfiguration configuration, boolean bias,
            GradientCheck.Labels labels, int minibatch, int steps) {
        GradientCheck.Report report = GradientCheck.run(name, configuration, bias, labels, minibatch, steps,
                new Random(name.hashCode()));
        assertTrue(report.passed(), report::format);
        assertTrue(report.rows().stream().anyMatch(r -> r.comparison().equals("reference vs DL4J")
                && r.parameter().endsWith("_RW")), report::format);
    }
}
