package org.rnnlab.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seed 000's data: sequences of random bits whose label is their sum (or, in the seed's "simpler"
 * variant, their last bit). The seed draws 600 rows of 8 numbers, 7 bits and the target, and keeps
 * a third for validation with scikit-learn's train_test_split(test_size=0.33): 402 to train, 198 to
 * validate.
 */
public final class BinarySumData {

    /** What the network learns to predict from the bits. */
    public enum Target {
        /** The number of ones (0 to length). */
        SUM,
        /** The last bit (the seed's make_simpler). */
        LAST
    }

    /**
     * Everything that determines the generated files.
     *
     * @param seed             seed of the random bits
     * @param sequences        how many sequences in all
     * @param length           bits per sequence (time steps)
     * @param target           the label of each sequence
     * @param validationShare  the share held out for validation, rounded up as scikit-learn does
     */
    public record Recipe(long seed, int sequences, int length, Target target, double validationShare) {
        public int validationCount() {
            return (int) Math.ceil(validationShare * sequences);
        }
    }

    /** Training and validation splits. */
    public record Splits(SequenceSet train, SequenceSet validation) {
    }

    private BinarySumData() {
    }

    public static Splits generate(Recipe recipe) {
        Random random = new Random(recipe.seed());
        List<double[]> bits = new ArrayList<>();
        List<double[]> labels = new ArrayList<>();
        for (int i = 0; i < recipe.sequences(); i++) {
            double[] sequence = new double[recipe.length()];
            double sum = 0;
            for (int t = 0; t < sequence.length; t++) {
                sequence[t] = random.nextInt(2);
                sum += sequence[t];
            }
            bits.add(sequence);
            labels.add(new double[] {recipe.target() == Target.SUM ? sum : sequence[sequence.length - 1]});
        }
        // The rows are already in random order, so the held-out share is simply the tail.
        int train = recipe.sequences() - recipe.validationCount();
        return new Splits(
                new SequenceSet(bits.subList(0, train), labels.subList(0, train)),
                new SequenceSet(bits.subList(train, bits.size()), labels.subList(train, labels.size())));
    }
}
