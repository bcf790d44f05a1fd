package org.rnnlab.inference;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * How the next character is chosen from a model's scores (log-probabilities up to a constant, such
 * as a softmax's logits): drawn with a temperature, optionally only among the {@code topK} likeliest
 * (Fan et al. 2018's top-k sampling), or greedily, always the likeliest.
 *
 * @param temperature below 1 sharpens the distribution, above 1 flattens it: p_i^(1/T) normalised
 * @param topK        draw only among the k highest scores; 0: among all
 * @param greedy      always take the highest score (the lowest index among equals); no draw is made
 */
public record Sampling(double temperature, int topK, boolean greedy) {

    public Sampling {
        if (!(temperature > 0 && temperature <= 100)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "the temperature must be greater than 0 and at most 100, got %s", temperature));
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be at least 0, got " + topK);
        }
    }

    /** Drawn from all characters at this temperature. */
    public static Sampling withTemperature(double temperature) {
        return new Sampling(temperature, 0, false);
    }

    /** Always the likeliest character. */
    public static Sampling greedily() {
        return new Sampling(1, 0, true);
    }

    /**
     * The chosen index. A draw weighs index i by exp((s_i - max s) / T), zero outside the top k;
     * subtracting the largest score keeps the likeliest weight at 1, so that no temperature
     * underflows every weight. One {@code nextDouble()} per draw, compared with the cumulative
     * weights in index order, so that the same seed gives the same text.
     *
     * @param weights working memory, at least as long as {@code scores}
     */
    public int choose(double[] scores, double[] weights, Random random) {
        int likeliest = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[likeliest]) {
                likeliest = i;
            }
        }
        if (greedy) {
            return likeliest;
        }
        double max = scores[likeliest];
        double cut = topK > 0 && topK < scores.length ? kthLargest(scores, topK) : Double.NEGATIVE_INFINITY;
        int below = topK > 0 ? countAbove(scores, cut) : 0; // scores strictly above the cut: all kept
        int tiesKept = topK - below; // of the scores equal to the cut, the first ones by index make up k
        double total = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean kept = scores[i] > cut || (scores[i] == cut && (topK == 0 || tiesKept-- > 0));
            weights[i] = kept ? Math.exp((scores[i] - max) / temperature) : 0;
            total += weights[i];
        }
        double u = random.nextDouble() * total;
        int last = likeliest;
        for (int i = 0; i < scores.length; i++) {
            if (weights[i] > 0) {
                last = i;
                u -= weights[i];
                if (u <= 0) {
                    return i;
                }
            }
        }
        return last; // rounding left u above zero: the last index that had weight
    }

    private static double kthLargest(double[] scores, int k) {
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length - k];
    }

    private static int countAbove(double[] scores, double cut) {
        int n = 0;
        for (double s : scores) {
            if (s > cut) {
                n++;
            }
        }
        return n;
    }

    /** "temperature 0.8", "top-5 at temperature 1", "greedy". */
    public String describe() {
        if (greedy) {
            return "greedy";
        }
        String t = String.format(Locale.ROOT, "temperature %s", trim(temperature));
        return topK > 0 ? "top-" + topK + " at " + t : t;
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
