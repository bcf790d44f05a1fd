package org.rnnlab.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Seed 001's data: sequence {@code n} samples sin(t) at 11 evenly spaced points of [n*pi, (n+1)*pi]
 * (numpy's linspace), adds Gaussian noise, and asks for the next value at each of the first 10
 * points. Half-periods alternate in sign, so the first step (which starts near zero either way) is
 * ambiguous; every later step is not.
 */
public final class SineWaveData {

    /**
     * Everything that determines the generated files.
     *
     * @param seed            seed of the noise and of the held-out choice
     * @param sequences       how many half-periods (the seed uses 100)
     * @param steps           time steps per sequence (the seed's seq_len, 10)
     * @param noise           standard deviation of the Gaussian noise (the seed's 0.008)
     * @param validationShare the share of sequences held out, chosen at random
     */
    public record Recipe(long seed, int sequences, int steps, double noise, double validationShare) {
        public int validationCount() {
            return (int) Math.round(validationShare * sequences);
        }
    }

    /** Training and validation splits; {@code validationIndices} are the held-out sequence numbers n. */
    public record Splits(SequenceSet train, SequenceSet validation, int[] validationIndices) {
    }

    private SineWaveData() {
    }

    public static Splits generate(Recipe recipe) {
        Random random = new Random(recipe.seed());
        List<double[]> inputs = new ArrayList<>();
        List<double[]> targets = new ArrayList<>();
        for (int n = 0; n < recipe.sequences(); n++) {
            double[] values = new double[recipe.steps() + 1];
            for (int i = 0; i < values.length; i++) {
                double t = Math.PI * (n + (double) i / recipe.steps());
                values[i] = Math.sin(t) + recipe.noise() * random.nextGaussian();
            }
            inputs.add(Arrays.copyOfRange(values, 0, recipe.steps()));
            targets.add(Arrays.copyOfRange(values, 1, recipe.steps() + 1));
        }

        List<Integer> order = new ArrayList<>();
        for (int n = 0; n < recipe.sequences(); n++) {
            order.add(n);
        }
        Collections.shuffle(order, random);
        List<Integer> heldOut = new ArrayList<>(order.subList(0, recipe.validationCount()));
        Collections.sort(heldOut);

        List<double[]> trainIn = new ArrayList<>();
        List<double[]> trainOut = new ArrayList<>();
        List<double[]> validIn = new ArrayList<>();
        List<double[]> validOut = new ArrayList<>();
        for (int n = 0; n < recipe.sequences(); n++) {
            boolean held = Collections.binarySearch(heldOut, n) >= 0;
            (held ? validIn : trainIn).add(inputs.get(n));
            (held ? validOut : trainOut).add(targets.get(n));
        }
        return new Splits(new SequenceSet(trainIn, trainOut), new SequenceSet(validIn, validOut),
                heldOut.stream().mapToInt(Integer::intValue).toArray());
    }
}
