package org.rnnlab.reference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The reference RNN alone, trained with seed 002's own rule on seed 002's task: add two numbers
 * below 128 bit by bit, least significant bit first, with 16 sigmoid units and no biases; one
 * random pair per step, plain gradient descent on 1/2 (y - o)^2 summed over the 8 bits, learning
 * rate 0.1, 10,000 steps. It must learn: the error falls and the share of exact sums rises.
 */
class ReferenceRnnLearnsBinaryAdditionTest {
    private static final int BITS = 8;
    private static final double ALPHA = 0.1;

    private static ReferenceRnn.Batch pair(int a, int b) {
        double[][][] x = new double[1][BITS][2];
        double[][][] y = new double[1][BITS][1];
        int c = a + b;
        for (int t = 0; t < BITS; t++) { // position t = bit t, least significant first
            x[0][t][0] = (a >> t) & 1;
            x[0][t][1] = (b >> t) & 1;
            y[0][t][0] = (c >> t) & 1;
        }
        return new ReferenceRnn.Batch(x, y, null, null);
    }

    /** The share of all 128 x 128 pairs whose 8 rounded output bits spell the exact sum. */
    private static double exactSums(ReferenceRnn rnn) {
        int exact = 0;
        for (int a = 0; a < 128; a++) {
            for (int b = 0; b < 128; b++) {
                double[][] out = rnn.output(pair(a, b).features(), null)[0];
                int sum = 0;
                for (int t = 0; t < BITS; t++) {
                    sum |= (out[t][0] >= 0.5 ? 1 : 0) << t;
                }
                exact += sum == a + b ? 1 : 0;
            }
        }
        return exact / (128.0 * 128.0);
    }

    @Test
    void theSeedsUpdateRuleTeachesTheReferenceToAdd() {
        ReferenceRnn rnn = new ReferenceRnn(
                List.of(new ReferenceRnn.Recurrent(2, 16, ReferenceActivation.SIGMOID, false)),
                new ReferenceRnn.Output(16, 1, ReferenceActivation.SIGMOID, ReferenceLoss.MSE, false),
                Convention.SEED_002);
        Random random = new Random(0);
        rnn.randomize(random, 1.0); // synapse = 2 * random - 1
        rnn.set("1_b", 0, 0.0); // the seed's output layer has no bias: it stays at zero

        double before = exactSums(rnn);
        double[] errorPerThousand = new double[10];
        for (int step = 0; step < 10_000; step++) {
            ReferenceRnn.Batch batch = pair(random.nextInt(128), random.nextInt(128));
            ReferenceRnn.Result result = rnn.forwardBackward(batch);
            for (int t = 0; t < BITS; t++) {
                errorPerThousand[step / 1000] += Math.abs(batch.labels()[0][t][0] - result.outputs()[0][t][0]);
            }
            // synapse += alpha * update, where update = -dLoss/dsynapse
            for (Map.Entry<String, double[]> gradient : result.gradients().entrySet()) {
                if (gradient.getKey().equals("1_b")) {
                    continue;
                }
                double[] parameter = rnn.parameters().get(gradient.getKey());
                for (int i = 0; i < parameter.length; i++) {
                    parameter[i] -= ALPHA * gradient.getValue()[i];
                }
            }
        }
        double after = exactSums(rnn);

        System.out.printf("seed 002 rule: mean |error| per sum %.3f (first 1000) -> %.3f (last 1000); "
                + "exact sums %.1f%% -> %.1f%%%n", errorPerThousand[0] / 1000, errorPerThousand[9] / 1000,
                100 * before, 100 * after);
        assertTrue(errorPerThousand[9] < errorPerThousand[0] / 2, "the error at least halves");
        assertTrue(before < 0.05, "untrained, almost no sum is right");
        assertTrue(after > 0.9, "trained, nearly every sum is right: " + after);
    }
}
