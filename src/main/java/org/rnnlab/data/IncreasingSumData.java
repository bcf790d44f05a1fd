package org.rnnlab.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Seed 004's classification data: sequences of 2-D points, 2 to 8 of them, labelled 1 when the sum
 * of the two coordinates rises (strictly) at every step and 0 otherwise.
 *
 * <p>Random points would almost never rise 7 times in a row, so the classes are built, not drawn:
 * each split is exactly half rising and half not. A sequence is a walk of sums. Its size, {@code
 * s}, is drawn log-uniformly from {@code minScale..maxScale} (small and large sequences alike); its
 * first sum from {@code -2s..2s} (negative sums too); each change of a rising sequence from {@code
 * minRise s..maxRise s}, log-uniformly (small and large rises, fractional). In the others one or
 * more steps, chosen at random, fail: by {@code tieShare} no change at all (equal sums are not a
 * rise, as in the seed's own test), else a fall of the same sizes. Each sum is split into two
 * coordinates at random, the first in {@code +-spread}, the spread a log-uniform {@code
 * minSpread..maxSpread} times {@code s}, so that only the sum carries the label, and a small rise
 * may hide under large swings of the coordinates (as in the seed's fifth training sequence).
 *
 * <p>Every value is a whole number of hundredths, and the label is decided on those whole numbers,
 * so that equal sums are equal exactly, whatever floating point makes of their coordinates.
 */
public final class IncreasingSumData {

    /**
     * Everything that determines the generated files.
     *
     * @param seed      seed of every random choice
     * @param sequences how many sequences in all (training and test)
     * @param minLength the fewest points in a sequence (at least 2)
     * @param maxLength the most points in a sequence
     * @param minScale  the smallest size s of a sequence
     * @param maxScale  the largest size s
     * @param minRise   the smallest change of a rising (or falling) step, as a share of s
     * @param maxRise   the largest change, as a share of s
     * @param tieShare  the share of failing steps with no change at all
     * @param minSpread the smallest spread of the first coordinate, as a multiple of s
     * @param maxSpread the largest spread, as a multiple of s
     * @param testShare the share held out for testing, rounded to a whole sequence
     */
    public record Recipe(long seed, int sequences, int minLength, int maxLength, double minScale, double maxScale,
            double minRise, double maxRise, double tieShare, double minSpread, double maxSpread, double testShare) {
        public int testCount() {
            return (int) Math.round(testShare * sequences);
        }
    }

    /**
     * Sequences and their labels.
     *
     * @param points one {@code [step][coordinate]} array per sequence
     * @param labels one {@code {1}} (rising) or {@code {0}} per sequence
     */
    public record Split(List<double[][]> points, List<double[]> labels) {
        public Split {
            if (points.size() != labels.size()) {
                throw new IllegalArgumentException(points.size() + " sequences but " + labels.size() + " labels");
            }
            points = List.copyOf(points);
            labels = List.copyOf(labels);
        }

        public int size() {
            return points.size();
        }

        /** The sequences as [coordinate][step], the layout {@link MultiSequenceCsv#write} takes. */
        public List<double[][]> byCoordinate() {
            return points.stream().map(IncreasingSumData::transpose).toList();
        }
    }

    /** Training and test splits, each half rising and half not. */
    public record Splits(Split train, Split test) {
    }

    private IncreasingSumData() {
    }

    public static Splits generate(Recipe recipe) {
        if (recipe.minLength() < 2 || recipe.maxLength() < recipe.minLength()) {
            throw new IllegalArgumentException("lengths " + recipe.minLength() + ".." + recipe.maxLength()
                    + ": a sequence needs at least 2 points to rise");
        }
        if (!(recipe.minRise() > 0) || recipe.maxRise() < recipe.minRise() || !(recipe.minScale() > 0)) {
            throw new IllegalArgumentException("rises " + recipe.minRise() + ".." + recipe.maxRise() + " and sizes "
                    + recipe.minScale() + "..: both must be positive");
        }
        Random random = new Random(recipe.seed());
        Split train = split(recipe.sequences() - recipe.testCount(), recipe, random);
        Split test = split(recipe.testCount(), recipe, random);
        return new Splits(train, test);
    }

    /** {@code count} sequences, the first half rising, in a random order. */
    private static Split split(int count, Recipe recipe, Random random) {
        List<double[][]> points = new ArrayList<>();
        List<double[]> labels = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        List<long[][]> drawn = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int length = recipe.minLength() + random.nextInt(recipe.maxLength() - recipe.minLength() + 1);
            drawn.add(sequence(recipe, length, i < count / 2, random));
        }
        for (int i : order) {
            long[][] hundredths = drawn.get(i);
            points.add(inUnits(hundredths));
            labels.add(new double[] {rises(hundredths) ? 1 : 0});
        }
        return new Split(points, labels);
    }

    /** One sequence in hundredths: [step] = {x1, x2, x1 + x2}. */
    private static long[][] sequence(Recipe recipe, int length, boolean rising, Random random) {
        // Which of the length - 1 changes fail: none, or at least one chosen at random.
        boolean[] fails = new boolean[length - 1];
        if (!rising) {
            List<Integer> steps = new ArrayList<>();
            for (int t = 0; t < fails.length; t++) {
                steps.add(t);
            }
            Collections.shuffle(steps, random);
            int failing = 1 + random.nextInt(fails.length);
            for (int k = 0; k < failing; k++) {
                fails[steps.get(k)] = true;
            }
        }
        double scale = logUniform(recipe.minScale(), recipe.maxScale(), random);
        double spread = scale * logUniform(recipe.minSpread(), recipe.maxSpread(), random);
        long sum = Math.round(100 * (random.nextDouble() * 4 - 2) * scale);
        long[][] points = new long[length][];
        for (int t = 0; t < length; t++) {
            if (t > 0) {
                long size = Math.max(1, Math.round(100 * scale
                        * logUniform(recipe.minRise(), recipe.maxRise(), random)));
                boolean tie = fails[t - 1] && random.nextDouble() < recipe.tieShare();
                sum += !fails[t - 1] ? size : tie ? 0 : -size;
            }
            long x1 = Math.round(100 * (random.nextDouble() * 2 - 1) * spread);
            points[t] = new long[] {x1, sum - x1, sum};
        }
        return points;
    }

    private static double logUniform(double low, double high, Random random) {
        return Math.exp(Math.log(low) + random.nextDouble() * (Math.log(high) - Math.log(low)));
    }

    /** The label's rule on whole hundredths: each sum strictly above the one before. */
    private static boolean rises(long[][] hundredths) {
        for (int t = 1; t < hundredths.length; t++) {
            if (hundredths[t][2] <= hundredths[t - 1][2]) {
                return false;
            }
        }
        return true;
    }

    private static double[][] inUnits(long[][] hundredths) {
        double[][] points = new double[hundredths.length][];
        for (int t = 0; t < hundredths.length; t++) {
            points[t] = new double[] {hundredths[t][0] / 100.0, hundredths[t][1] / 100.0};
        }
        return points;
    }

    /**
     * The label's rule: x1 + x2 strictly greater at every step than at the step before. Sums that
     * differ by floating point's rounding alone (0.1 + 0.2 against 0.3) count as equal.
     */
    public static boolean increasing(double[][] points) {
        for (int t = 1; t < points.length; t++) {
            double now = points[t][0] + points[t][1];
            double before = points[t - 1][0] + points[t - 1][1];
            double rounding = 1e-9 * Math.max(1, Math.max(Math.abs(now), Math.abs(before)));
            if (now <= before + rounding) {
                return false;
            }
        }
        return true;
    }

    static double[][] transpose(double[][] points) {
        double[][] columns = new double[points[0].length][points.length];
        for (int t = 0; t < points.length; t++) {
            for (int c = 0; c < columns.length; c++) {
                columns[c][t] = points[t][c];
            }
        }
        return columns;
    }
}
