package org.rnnlab.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The adding problem of Hochreiter and Schmidhuber (1997, experiment 4), in the form Le, Jaitly and
 * Hinton (2015) made standard: each sequence has T steps of two features, a random number in [0, 1]
 * and a marker that is 1 at exactly two steps (one in each half) and 0 elsewhere; the target is the
 * sum of the two marked numbers. The answer needs the first marked number kept over up to T steps
 * of distraction, which is what plain recurrent cells fail to learn as T grows.
 *
 * <p>Numbers are whole hundredths, so the CSV holds them exactly and every sum is exact too.
 */
public final class AddingProblemData {

    /**
     * Everything that determines the generated files.
     *
     * @param seed      seed of every number and marker
     * @param steps     T, the length of every sequence
     * @param train     training sequences
     * @param test      held-out sequences, drawn after the training ones
     */
    public record Recipe(long seed, int steps, int train, int test) {
        public Recipe {
            if (steps < 2 || train < 1 || test < 1) {
                throw new IllegalArgumentException("steps " + steps + ", train " + train + ", test " + test);
            }
        }
    }

    /**
     * Sequences as [feature][step] (feature 0 the numbers, feature 1 the markers) and their sums.
     *
     * @param marked the two marked steps of each sequence, 0-based
     */
    public record Split(List<double[][]> sequences, List<double[]> sums, List<int[]> marked) {
    }

    /** The training and held-out splits. */
    public record Splits(Split train, Split test) {
    }

    private AddingProblemData() {
    }

    public static Splits generate(Recipe recipe) {
        Random random = new Random(recipe.seed());
        return new Splits(split(recipe.steps(), recipe.train(), random), split(recipe.steps(), recipe.test(), random));
    }

    private static Split split(int steps, int count, Random random) {
        List<double[][]> sequences = new ArrayList<>(count);
        List<double[]> sums = new ArrayList<>(count);
        List<int[]> marked = new ArrayList<>(count);
        int half = steps / 2;
        for (int s = 0; s < count; s++) {
            double[] numbers = new double[steps];
            double[] markers = new double[steps];
            for (int t = 0; t < steps; t++) {
                numbers[t] = random.nextInt(101) / 100.0;
            }
            int first = random.nextInt(half);
            int second = half + random.nextInt(steps - half);
            markers[first] = 1;
            markers[second] = 1;
            sequences.add(new double[][] {numbers, markers});
            // Added in hundredths: 0.29 + 0.58 is 0.87 here, not 0.8699999999999999.
            sums.add(new double[] {(Math.round(numbers[first] * 100) + Math.round(numbers[second] * 100)) / 100.0});
            marked.add(new int[] {first, second});
        }
        return new Split(sequences, sums, marked);
    }

    /**
     * The squared error of the best answer that ignores the inputs: the mean of the training sums,
     * about 1, with an error of about 1/6 (twice the variance of one number).
     */
    public static double trivialMeanSquaredError(double[] trainSums, double[] testSums) {
        double mean = java.util.Arrays.stream(trainSums).average().orElseThrow();
        return java.util.Arrays.stream(testSums).map(s -> (s - mean) * (s - mean)).average().orElseThrow();
    }

    /** The sums of a split, one per sequence. */
    public static double[] sums(Split split) {
        return split.sums().stream().mapToDouble(s -> s[0]).toArray();
    }
}
