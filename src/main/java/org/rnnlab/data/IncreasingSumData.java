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
 * each split is exactly half rising and half not. A sequence is a walk of sums: one change per step,
 * a clear rise of {@code minRise} to {@code maxStep} in a rising sequence; in the others one or
 * more steps, chosen at random, change by {@code -maxStep} to 0 instead, a fall or no change at all
 * (the seed's own test has four equal sums). So some negatives differ from a positive at a single
 * step. The walk is placed around zero, give or take {@code offset}, and each sum is split into two
 * integer coordinates at random, so that only their sum carries the label.
 *
 * <p>Two choices make the task learnable by 5 tanh units in seconds: the network must tell a tie
 * from the smallest rise at any sum the walks reach, and the wider that range, the finer the
 * comparison. Rises start at {@code minRise} rather than 1, and centring halves the range of sums
 * (to about +-26 with the task's recipe, against about +-47 for walks that start near zero). Both
 * raised the held-out accuracy (measurements: docs/tasks.md, "Task notes", increasing-sum).
 */
public final class IncreasingSumData {

    /**
     * Everything that determines the generated files.
     *
     * @param seed      seed of every random choice
     * @param sequences how many sequences in all (training and test)
     * @param minLength the fewest points in a sequence (at least 2)
     * @param maxLength the most points in a sequence
     * @param offset    the walk's middle lies in -offset..offset
     * @param minRise   the smallest change of a rising step
     * @param maxStep   the largest rise, and the largest fall, of one step
     * @param spread    the first coordinate lies in -spread..spread; the second makes up the sum
     * @param testShare the share held out for testing, rounded to a whole sequence
     */
    public record Recipe(long seed, int sequences, int minLength, int maxLength, int offset, int minRise,
            int maxStep, int spread, double testShare) {
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
        if (recipe.minRise() < 1 || recipe.maxStep() < recipe.minRise()) {
            throw new IllegalArgumentException("rises " + recipe.minRise() + ".." + recipe.maxStep()
                    + ": a rise must be at least 1");
        }
        Random random = new Random(recipe.seed());
        Split train = split(recipe.sequences() - recipe.testCount(), recipe, random);
        Split test = split(recipe.testCount(), recipe, random);
        return new Splits(train, test);
    }

    /** {@code count} sequences, the first half rising, in a random order. */
    private static Split split(int count, Recipe recipe, Random random) {
        List<double[][]> points = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int length = recipe.minLength() + random.nextInt(recipe.maxLength() - recipe.minLength() + 1);
            points.add(sequence(recipe, length, i < count / 2, random));
        }
        Collections.shuffle(points, random);
        List<double[]> labels = points.stream().map(p -> new double[] {increasing(p) ? 1 : 0}).toList();
        return new Split(points, labels);
    }

    private static double[][] sequence(Recipe recipe, int length, boolean rising, Random random) {
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
        int[] changes = new int[length - 1];
        int total = 0;
        for (int t = 0; t < changes.length; t++) {
            changes[t] = fails[t] ? -random.nextInt(recipe.maxStep() + 1)
                    : recipe.minRise() + random.nextInt(recipe.maxStep() - recipe.minRise() + 1);
            total += changes[t];
        }
        // Centred: the middle of the walk, not its start, lies near zero.
        int sum = -Math.floorDiv(total, 2) + random.nextInt(2 * recipe.offset() + 1) - recipe.offset();
        double[][] points = new double[length][];
        for (int t = 0; t < length; t++) {
            if (t > 0) {
                sum += changes[t - 1];
            }
            int x1 = random.nextInt(2 * recipe.spread() + 1) - recipe.spread();
            points[t] = new double[] {x1, sum - x1};
        }
        return points;
    }

    /** The label's rule: x1 + x2 strictly greater at every step than at the step before. */
    public static boolean increasing(double[][] points) {
        for (int t = 1; t < points.length; t++) {
            if (points[t][0] + points[t][1] <= points[t - 1][0] + points[t - 1][1]) {
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
