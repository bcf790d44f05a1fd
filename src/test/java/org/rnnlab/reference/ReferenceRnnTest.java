package org.rnnlab.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReferenceRnnTest {

    private static ReferenceRnn linear(Convention convention) {
        return new ReferenceRnn(List.of(new ReferenceRnn.Recurrent(1, 1, ReferenceActivation.IDENTITY, true)),
                new ReferenceRnn.Output(1, 1, ReferenceActivation.IDENTITY, ReferenceLoss.MSE, false), convention);
    }

    @Test
    void aOneUnitLinearNetworkComputesWhatTheEquationsSay() {
        ReferenceRnn rnn = linear(Convention.DL4J);
        rnn.set("0_W", 0, 0.5);
        rnn.set("0_RW", 0, 0.5);
        rnn.set("1_W", 0, 2.0);
        // h1 = 0.5*1 = 0.5, h2 = 0.5*1 + 0.5*0.5 = 0.75; o = 2h: 1.0 and 1.5
        double[][][] x = {{{1}, {1}}};
        assertArrayEquals(new double[] {1.0}, rnn.output(x, null)[0][0], 0);
        assertArrayEquals(new double[] {1.5}, rnn.output(x, null)[0][1], 0);
        // Against labels 0: score = (1 + 2.25) / nOut / minibatch = 3.25
        ReferenceRnn.Batch batch = new ReferenceRnn.Batch(x, new double[][][] {{{0}, {0}}}, null, null);
        ReferenceRnn.Result result = rnn.forwardBackward(batch);
        assertEquals(3.25, result.score(), 1e-15);
        // dS/d(1_W) = sum_t 2 (o_t - y_t) h_t = 2*1*0.5 + 2*1.5*0.75 = 3.25
        assertEquals(3.25, result.gradients().get("1_W")[0], 1e-15);
        // dS/d(1_b) = sum_t 2 (o_t - y_t) = 5
        assertEquals(5.0, result.gradients().get("1_b")[0], 1e-15);
    }

    @Test
    void theSeedConventionSumsOverExamplesAndHalvesTheSquaredError() {
        ReferenceRnn dl4j = linear(Convention.DL4J);
        ReferenceRnn seed = linear(Convention.SEED_002);
        for (ReferenceRnn rnn : List.of(dl4j, seed)) {
            rnn.set("0_W", 0, 0.3);
            rnn.set("1_W", 0, 1.0);
        }
        double[][][] x = {{{1}}, {{2}}};
        ReferenceRnn.Batch batch = new ReferenceRnn.Batch(x, new double[][][] {{{0}}, {{0}}}, null, null);
        // Outputs 0.3 and 0.6: DL4J (0.09 + 0.36) / 2; seed 002 (0.09 + 0.36) / 2 too, for another reason.
        assertEquals(0.225, dl4j.score(batch), 1e-15);
        assertEquals(0.225, seed.score(batch), 1e-15);
        ReferenceRnn.Batch three = new ReferenceRnn.Batch(new double[][][] {{{1}}, {{2}}, {{2}}},
                new double[][][] {{{0}}, {{0}}, {{0}}}, null, null);
        assertEquals((0.09 + 0.36 + 0.36) / 3, dl4j.score(three), 1e-15);
        assertEquals((0.09 + 0.36 + 0.36) / 2, seed.score(three), 1e-15);
    }

    @Test
    void withoutBiasAndInTheSeedConventionTheGradientMatchesFiniteDifferences() {
        ReferenceRnn adder = new ReferenceRnn(
                List.of(new ReferenceRnn.Recurrent(2, 5, ReferenceActivation.SIGMOID, false),
                        new ReferenceRnn.Recurrent(5, 3, ReferenceActivation.TANH, false)),
                new ReferenceRnn.Output(3, 2, ReferenceActivation.SIGMOID, ReferenceLoss.BINARY_CROSS_ENTROPY, false),
                Convention.SEED_002);
        assertTrue(!adder.parameters().containsKey("0_b") && !adder.parameters().containsKey("1_b"));
        Random random = new Random(5);
        adder.randomize(random, 1.0);
        ReferenceRnn.Batch batch = GradientCheck.randomBatch(adder, GradientCheck.Labels.VARIABLE_LENGTH, 3, 6, random);
        Map<String, double[]> analytic = adder.forwardBackward(batch).gradients();
        Map<String, double[]> numeric = FiniteDifferences.gradient(adder, batch);
        for (String name : adder.parameterNames()) {
            assertTrue(GradientCheck.maxError(analytic.get(name), numeric.get(name), 1e-5) < 1e-6, name);
        }
    }

    @Test
    void paddingAfterAMaskedEndChangesNothing() {
        ReferenceRnn rnn = new ReferenceRnn(List.of(new ReferenceRnn.Recurrent(1, 4, ReferenceActivation.TANH, true)),
                new ReferenceRnn.Output(4, 1, ReferenceActivation.SIGMOID, ReferenceLoss.BINARY_CROSS_ENTROPY, true),
                Convention.DL4J);
        rnn.randomize(new Random(2), 1.0);
        double[][] mask = {{1, 1, 0, 0}};
        double[][][] a = {{{0.3}, {-0.2}, {0.9}, {0.1}}};
        double[][][] b = {{{0.3}, {-0.2}, {-5}, {7}}};
        double[][][] label = {{{1}}};
        ReferenceRnn.Result first = rnn.forwardBackward(new ReferenceRnn.Batch(a, label, mask, null));
        ReferenceRnn.Result second = rnn.forwardBackward(new ReferenceRnn.Batch(b, label, mask, null));
        assertEquals(first.score(), second.score(), 0);
        for (String name : rnn.parameterNames()) {
            assertArrayEquals(first.gradients().get(name), second.gradients().get(name), 0, name);
        }
    }

    @Test
    void inconsistentArchitecturesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ReferenceRnn(
                List.of(new ReferenceRnn.Recurrent(1, 4, ReferenceActivation.TANH, true)),
                new ReferenceRnn.Output(3, 1, ReferenceActivation.IDENTITY, ReferenceLoss.MSE, false), Convention.DL4J));
        assertThrows(IllegalArgumentException.class, () -> new ReferenceRnn.Output(3, 2,
                ReferenceActivation.SOFTMAX, ReferenceLoss.MSE, false));
        assertThrows(IllegalArgumentException.class, () -> new ReferenceRnn.Recurrent(3, 2,
                ReferenceActivation.SOFTMAX, true));
    }
}
