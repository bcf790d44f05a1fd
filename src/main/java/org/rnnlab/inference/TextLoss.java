package org.rnnlab.inference;

import java.util.List;

/**
 * A character model's loss on text: the mean over every predicted character of -ln p(next | text
 * so far), each text read from a zero state. Computed on a {@link StepNetwork}, step by step, from
 * the logits of a softmax output (log p_y = z_y - ln sum_j e^(z_j)); cheap enough for training to
 * score its held-out text every few seconds.
 */
public final class TextLoss {
    private TextLoss() {
    }

    /**
     * @param steps the network, copied into a StepNetwork, with a softmax output
     * @param texts symbol indices; each with at least two symbols predicts from its second on
     * @return nats per predicted character; NaN for no predicted character
     */
    public static double natsPerCharacter(StepNetwork steps, List<int[]> texts) {
        if (!steps.softmaxOutput()) {
            throw new IllegalArgumentException("the network's output is not a softmax");
        }
        double loss = 0;
        long predicted = 0;
        for (int[] text : texts) {
            steps.clear();
            for (int t = 0; t + 1 < text.length; t++) {
                float[] z = steps.preOutputStep(text[t]);
                float max = Float.NEGATIVE_INFINITY;
                for (float v : z) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (float v : z) {
                    sum += Math.exp(v - max);
                }
                loss -= z[text[t + 1]] - max - Math.log(sum);
                predicted++;
            }
        }
        steps.clear();
        return predicted == 0 ? Double.NaN : loss / predicted;
    }
}
