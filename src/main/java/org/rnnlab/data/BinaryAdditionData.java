package org.rnnlab.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator.AlignmentMode;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Seed 002's data: two numbers a, b below 128 and their sum, written in 8 bits. The network reads
 * one bit of a and one of b per time step, least significant first, so that the carry it must
 * remember flows forward in time; the label at each step is the same bit of a + b (an 8th step
 * holds the final carry: a + b < 256).
 *
 * <p>Training pairs are drawn at random, as the seed draws one per update; the evaluation set is
 * every pair, all 128 x 128 of them, so "trained" can mean "adds correctly", not "adds the pairs
 * it saw".
 *
 * <p>On disk, a split is two files in {@link MultiSequenceCsv}'s layout: {@code NAME.features.csv},
 * a block of two lines per pair (a's bits, then b's bits), and {@code NAME.labels.csv}, a block of
 * one line per pair (the bits of the sum).
 */
public final class BinaryAdditionData {
    /** Bits per sequence: the sum of two 7-bit numbers needs 8. */
    public static final int BITS = 8;
    /** Operands lie in 0..127, so that their sum fits in {@link #BITS} bits. */
    public static final int OPERAND_LIMIT = 1 << (BITS - 1);
    /** The name of the split holding every pair. */
    public static final String ALL_PAIRS = "all-pairs";

    /**
     * Everything that determines the generated files.
     *
     * @param seed          seed of the random training pairs
     * @param trainingPairs how many pairs to draw (with replacement, as the seed draws them)
     */
    public record Recipe(long seed, int trainingPairs) {
    }

    /** One addition problem. */
    public record Pair(int a, int b) {
        public Pair {
            if (a < 0 || a >= OPERAND_LIMIT || b < 0 || b >= OPERAND_LIMIT) {
                throw new IllegalArgumentException("operands must be in 0.." + (OPERAND_LIMIT - 1) + ": " + a + ", " + b);
            }
        }

        public int sum() {
            return a + b;
        }
    }

    private BinaryAdditionData() {
    }

    /** The random training pairs of a recipe: a then b, each uniform in 0..127. */
    public static List<Pair> trainingPairs(Recipe recipe) {
        Random random = new Random(recipe.seed());
        List<Pair> pairs = new ArrayList<>(recipe.trainingPairs());
        for (int i = 0; i < recipe.trainingPairs(); i++) {
            int a = random.nextInt(OPERAND_LIMIT);
            int b = random.nextInt(OPERAND_LIMIT);
            pairs.add(new Pair(a, b));
        }
        return pairs;
    }

    /** Every pair, a-major: (0,0), (0,1), ..., (127,127). */
    public static List<Pair> allPairs() {
        List<Pair> pairs = new ArrayList<>(OPERAND_LIMIT * OPERAND_LIMIT);
        for (int a = 0; a < OPERAND_LIMIT; a++) {
            for (int b = 0; b < OPERAND_LIMIT; b++) {
                pairs.add(new Pair(a, b));
            }
        }
        return pairs;
    }

    /** The {@link #BITS} bits of a number, least significant first: what the network sees at steps 1..8. */
    public static double[] bits(int number) {
        double[] bits = new double[BITS];
        for (int t = 0; t < BITS; t++) {
            bits[t] = (number >> t) & 1;
        }
        return bits;
    }

    /** The number that bits (least significant first) spell, each read as 1 when at least 0.5. */
    public static int decode(double[] bits) {
        int number = 0;
        for (int t = 0; t < bits.length; t++) {
            number |= (bits[t] >= 0.5 ? 1 : 0) << t;
        }
        return number;
    }

    /** Bits as the seed prints them: most significant first, e.g. "0 1 0 1 0 0 1 0" for 82. */
    public static String mostSignificantFirst(double[] bits) {
        StringBuilder text = new StringBuilder();
        for (int t = bits.length - 1; t >= 0; t--) {
            text.append(t < bits.length - 1 ? " " : "").append(bits[t] >= 0.5 ? '1' : '0');
        }
        return text.toString();
    }

    public static Path featuresFile(Path dir, String split) {
        return dir.resolve(split + ".features.csv");
    }

    public static Path labelsFile(Path dir, String split) {
        return dir.resolve(split + ".labels.csv");
    }

    /** The file names of these splits, features and labels each. */
    public static List<String> fileNames(String... splits) {
        // The same NAME.features.csv / NAME.labels.csv naming as the line-sequence splits.
        return LineSequenceCsv.fileNames(splits);
    }

    /** Writes a split's two files, each atomically. */
    public static void write(Path dir, String split, List<Pair> pairs) throws IOException {
        List<double[][]> inputs = new ArrayList<>(pairs.size());
        List<double[][]> sums = new ArrayList<>(pairs.size());
        for (Pair pair : pairs) {
            inputs.add(new double[][] {bits(pair.a()), bits(pair.b())});
            sums.add(new double[][] {bits(pair.sum())});
        }
        MultiSequenceCsv.write(featuresFile(dir, split), "per pair: the bits of a, then of b, least significant first",
                inputs);
        MultiSequenceCsv.write(labelsFile(dir, split), "per pair: the bits of a + b, least significant first", sums);
    }

    /** A whole split through DataVec: inputs [n, 2, 8] and sum bits [n, 1, 8], a label at every step. */
    public static DataSet read(Path dir, String split) throws IOException {
        return MultiSequenceCsv.readAll(featuresFile(dir, split),
                CsvShape.blocks(2, BITS, BITS, "one per bit; a's line, then b's"), labelsFile(dir, split),
                CsvShape.blocks(1, BITS, BITS, "the bits of a + b"), AlignmentMode.EQUAL_LENGTH);
    }
}
