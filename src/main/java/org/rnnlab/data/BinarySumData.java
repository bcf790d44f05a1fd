package org.rnnlab.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seed 000's data: sequences of random bits whose label is their sum (or, in the seed's "simpler"
 * variant, their last bit). The seed draws 600 rows of 8 numbers, 7 bits and the target, and keeps
 * a third for validation with scikit-learn's train_test_split(test_size=0.33): 402 to train, 198 to
 * validate. Seven bits have only 128 patterns, so nearly every one of those 198 also appears in
 * training; rnnlab's default split holds out whole patterns instead, so that validation measures
 * what the network learnt rather than what it remembers.
 */
public final class BinarySumData {

    /** What the network learns to predict from the bits. */
    public enum Target {
        /** The number of ones (0 to length). */
        SUM,
        /** The last bit (the seed's make_simpler). */
        LAST
    }

    /** How the sequences are split into training and validation. */
    public enum Split {
        /**
         * A third of the distinct bit patterns of each label held out, each once; the training
         * sequences are drawn from the other patterns only, so no validation sequence is ever
         * trained on. A label with a single pattern (all zeros, all ones) stays in training.
         */
        PATTERNS,
        /** Seed 000's recipe: 600 random draws, the last third held out; most validation sequences also appear in training. */
        SEED
    }

    /**
     * Everything that determines the generated files.
     *
     * @param seed             seed of the random bits
     * @param sequences        how many sequences in all (SEED), or training draws plus validationCount (PATTERNS)
     * @param length           bits per sequence (time steps)
     * @param target           the label of each sequence
     * @param validationShare  the share held out for validation, rounded up as scikit-learn does (SEED), or the
     *                         share of each label's patterns held out (PATTERNS)
     * @param split            how validation is chosen; null reads as SEED (dataset.json files written before it)
     */
    public record Recipe(long seed, int sequences, int length, Target target, double validationShare, Split split) {
        public Recipe {
            split = split == null ? Split.SEED : split;
        }

        /** The seed's recipe, as dataset.json files written before the split was a choice hold it. */
        public Recipe(long seed, int sequences, int length, Target target, double validationShare) {
            this(seed, sequences, length, target, validationShare, Split.SEED);
        }

        /** How many random draws are held out under SEED, and how many are trained on (sequences minus them) under both. */
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
        return recipe.split() == Split.PATTERNS ? byPattern(recipe) : seedsDraws(recipe);
    }

    /** Every pattern of {@code length} bits as a 0/1 sequence, in counting order (bit 0 first). */
    static List<double[]> allPatterns(int length) {
        List<double[]> patterns = new ArrayList<>();
        for (int code = 0; code < 1 << length; code++) {
            double[] bits = new double[length];
            for (int t = 0; t < length; t++) {
                bits[t] = (code >> (length - 1 - t)) & 1;
            }
            patterns.add(bits);
        }
        return patterns;
    }

    private static double label(double[] bits, Target target) {
        if (target == Target.LAST) {
            return bits[bits.length - 1];
        }
        double sum = 0;
        for (double bit : bits) {
            sum += bit;
        }
        return sum;
    }

    /**
     * PATTERNS: each label's patterns shuffled, round(share x count) of them held out (none of a
     * label with one pattern), then {@code sequences - validationCount()} training draws from the rest.
     */
    private static Splits byPattern(Recipe recipe) {
        Random random = new Random(recipe.seed());
        java.util.Map<Double, List<double[]>> byLabel = new java.util.TreeMap<>();
        for (double[] pattern : allPatterns(recipe.length())) {
            byLabel.computeIfAbsent(label(pattern, recipe.target()), k -> new ArrayList<>()).add(pattern);
        }
        List<double[]> trainPatterns = new ArrayList<>();
        List<double[]> validationBits = new ArrayList<>();
        for (List<double[]> patterns : byLabel.values()) {
            java.util.Collections.shuffle(patterns, random);
            int held = patterns.size() == 1 ? 0 : (int) Math.round(recipe.validationShare() * patterns.size());
            validationBits.addAll(patterns.subList(0, held));
            trainPatterns.addAll(patterns.subList(held, patterns.size()));
        }
        java.util.Collections.shuffle(validationBits, random);
        List<double[]> trainBits = new ArrayList<>();
        for (int i = 0; i < recipe.sequences() - recipe.validationCount(); i++) {
            trainBits.add(trainPatterns.get(random.nextInt(trainPatterns.size())).clone());
        }
        return new Splits(withLabels(trainBits, recipe.target()), withLabels(validationBits, recipe.target()));
    }

    private static SequenceSet withLabels(List<double[]> bits, Target target) {
        List<double[]> labels = new ArrayList<>();
        for (double[] sequence : bits) {
            labels.add(new double[] {label(sequence, target)});
        }
        return new SequenceSet(bits, labels);
    }

    /** How many distinct patterns a list of sequences holds. */
    public static int distinctPatterns(List<double[]> sequences) {
        return (int) sequences.stream().map(java.util.Arrays::toString).distinct().count();
    }

    /** How many of {@code sequences} also appear among {@code others}. */
    public static int alsoIn(List<double[]> sequences, List<double[]> others) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        others.forEach(o -> seen.add(java.util.Arrays.toString(o)));
        return (int) sequences.stream().filter(s -> seen.contains(java.util.Arrays.toString(s))).count();
    }

    /** SEED: seed 000's 600 random rows, the last third held out. */
    private static Splits seedsDraws(Recipe recipe) {
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
