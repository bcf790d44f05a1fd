package org.rnnlab.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnnlab.reference.ReferenceRnn.Recurrent;

/**
 * The reference's LSTM and GRU cells on their own: every gradient element against finite
 * differences (masks, carried-over initial states, per-step and last-step outputs, several sizes,
 * stacks that mix the cells), what a masked step hands on, parameter counts, and the GRU's equations
 * on a step worked by hand and against Keras's formulas written out a second time.
 */
class ReferenceGatedCellsTest {
    private static final double LN_3 = Math.log(3);

    private static Recurrent layer(ReferenceCell cell, int nIn, int units) {
        return new Recurrent(nIn, units, ReferenceActivation.TANH, true, cell);
    }

    private static ReferenceRnn network(List<Recurrent> layers, ReferenceRnn.Output output, Convention convention,
            Random random) {
        ReferenceRnn rnn = new ReferenceRnn(layers, output, convention);
        rnn.randomize(random, 1.0);
        return rnn;
    }

    /** Random h_0 of every layer, and c_0 of its LSTM layers, in [-1, 1]. */
    private static ReferenceRnn.InitialStates randomStates(ReferenceRnn rnn, int examples, Random random) {
        int depth = rnn.layers().size();
        double[][][] hidden = new double[depth][][];
        double[][][] cells = new double[depth][][];
        for (int l = 0; l < depth; l++) {
            Recurrent layer = rnn.layers().get(l);
            hidden[l] = randomMatrix(examples, layer.nOut(), random);
            cells[l] = layer.cell().hasCellState() ? randomMatrix(examples, layer.nOut(), random) : null;
        }
        return new ReferenceRnn.InitialStates(hidden, cells);
    }

    private static double[][] randomMatrix(int rows, int columns, Random random) {
        double[][] m = new double[rows][columns];
        for (double[] row : m) {
            for (int j = 0; j < columns; j++) {
                row[j] = 2 * random.nextDouble() - 1;
            }
        }
        return m;
    }

    /** Every element of every parameter: the reference's BPTT against its finite differences, and none all zero. */
    private static void assertBackpropagationMatchesFiniteDifferences(ReferenceRnn rnn, ReferenceRnn.Batch batch) {
        Map<String, double[]> analytic = rnn.forwardBackward(batch).gradients();
        Map<String, double[]> numeric = FiniteDifferences.gradient(rnn, batch);
        for (String name : rnn.parameterNames()) {
            double error = GradientCheck.maxError(analytic.get(name), numeric.get(name),
                    GradientCheck.FINITE_DIFFERENCE_FLOOR);
            assertTrue(error < GradientCheck.FINITE_DIFFERENCE_TOLERANCE, name + ": max relative error " + error);
            double largest = 0;
            for (double v : analytic.get(name)) {
                largest = Math.max(largest, Math.abs(v));
            }
            assertTrue(largest > 1e-6, name + " has an all-zero gradient, which would check nothing");
        }
    }

    /** A network around one gated cell, the data it is checked on, and whether its layers start from carried states. */
    private record Arrangement(String name, Function<ReferenceCell, List<Recurrent>> layers, ReferenceRnn.Output output,
            Convention convention, GradientCheck.Labels labels, int minibatch, int steps, boolean carried) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cellsInArrangements() {
        ReferenceRnn.Output mse = new ReferenceRnn.Output(3, 2, ReferenceActivation.IDENTITY, ReferenceLoss.MSE, false);
        List<Arrangement> arrangements = new ArrayList<>(List.of(
                new Arrangement("two layers, masks, softmax at every step",
                        cell -> List.of(layer(cell, 3, 4), layer(cell, 4, 2)),
                        new ReferenceRnn.Output(2, 3, ReferenceActivation.SOFTMAX, ReferenceLoss.SOFTMAX_CROSS_ENTROPY,
                                false),
                        Convention.DL4J, GradientCheck.Labels.VARIABLE_LENGTH, 3, 5, false),
                new Arrangement("sigmoid as φ, last steps of variable lengths",
                        cell -> List.of(new Recurrent(2, 3, ReferenceActivation.SIGMOID, true, cell)),
                        new ReferenceRnn.Output(3, 2, ReferenceActivation.SIGMOID, ReferenceLoss.BINARY_CROSS_ENTROPY,
                                true),
                        Convention.DL4J, GradientCheck.Labels.VARIABLE_LENGTH, 4, 6, false),
                new Arrangement("two layers from carried states", cell -> List.of(layer(cell, 2, 3), layer(cell, 3, 3)),
                        mse, Convention.DL4J, GradientCheck.Labels.EVERY_STEP, 2, 4, true),
                new Arrangement("no bias, identity as φ, seed 002's convention",
                        cell -> List.of(new Recurrent(2, 3, ReferenceActivation.IDENTITY, false, cell)), mse,
                        Convention.SEED_002, GradientCheck.Labels.LAST_STEP_MASK, 2, 5, false)));
        for (int[] size : new int[][] {{1, 1}, {1, 5}, {6, 1}, {4, 4}}) {
            arrangements.add(new Arrangement(size[0] + " inputs, " + size[1] + " units, masks, carried states",
                    cell -> List.of(layer(cell, size[0], size[1])),
                    new ReferenceRnn.Output(size[1], 2, ReferenceActivation.TANH, ReferenceLoss.MSE, false),
                    Convention.DL4J, GradientCheck.Labels.VARIABLE_LENGTH, 3, 4, true));
        }
        return Stream.of(ReferenceCell.LSTM, ReferenceCell.GRU, ReferenceCell.GRU_RESET_AFTER)
                .flatMap(cell -> arrangements.stream().map(arrangement -> Arguments.of(cell, arrangement)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cellsInArrangements")
    void backpropagationThroughTheCellMatchesFiniteDifferences(ReferenceCell cell, Arrangement arrangement) {
        Random random = new Random(11);
        ReferenceRnn rnn = network(arrangement.layers().apply(cell), arrangement.output(), arrangement.convention(),
                random);
        ReferenceRnn.Batch batch = GradientCheck.randomBatch(rnn, arrangement.labels(), arrangement.minibatch(),
                arrangement.steps(), random);
        if (arrangement.carried()) {
            ReferenceRnn.Batch carried = batch.withInitialStates(randomStates(rnn, arrangement.minibatch(), random));
            assertTrue(Math.abs(rnn.score(carried) - rnn.score(batch)) > 1e-6, "the states change the score");
            batch = carried;
        }
        assertBackpropagationMatchesFiniteDifferences(rnn, batch);
    }

    /**
     * Every cell in one stack from carried states, with padding before, inside and after sequences;
     * per-step outputs, where the LSTM on top computes the padding through and the others zero it, or
     * a last-step output, under which the LSTM zeroes it too.
     */
    @ParameterizedTest(name = "last step only: {0}")
    @ValueSource(booleans = {false, true})
    void aStackOfEveryCellFromCarriedStatesWithMasksMatchesFiniteDifferences(boolean lastStepOnly) {
        Random random = new Random(16);
        ReferenceRnn rnn = network(List.of(
                        layer(ReferenceCell.GRU, 2, 3),
                        new Recurrent(3, 4, ReferenceActivation.SIGMOID, true, ReferenceCell.SIMPLE),
                        new Recurrent(4, 3, ReferenceActivation.IDENTITY, true, ReferenceCell.GRU_RESET_AFTER),
                        layer(ReferenceCell.LSTM, 3, 2)),
                new ReferenceRnn.Output(2, 2, ReferenceActivation.IDENTITY, ReferenceLoss.MSE, lastStepOnly),
                Convention.DL4J, random);
        ReferenceRnn.Batch batch = GradientCheck.randomBatch(rnn, GradientCheck.Labels.EVERY_STEP, 3, 5, random);
        double[][] mask = {{0, 0, 1, 1, 1}, {1, 0, 1, 1, 1}, {1, 1, 1, 0, 0}};
        batch = new ReferenceRnn.Batch(batch.features(), batch.labels(), mask, lastStepOnly ? null : mask,
                randomStates(rnn, 3, random));
        assertBackpropagationMatchesFiniteDifferences(rnn, batch);
    }

    /**
     * A masked step where the layer applies the mask (SimpleRnn and GRU always, an LSTM under a
     * last-step output, as DL4J's LastTimeStep makes its LSTM do): it outputs 0 and the next step
     * starts from zero states, as a fresh sequence would. Elsewhere an LSTM computes it like any
     * other step, as DL4J's does.
     */
    @ParameterizedTest(name = "{0}, last step only: {1}")
    @MethodSource("cellsUnderBothOutputs")
    void aMaskedStepIsZeroedWhereTheLayerAppliesTheMask(ReferenceCell cell, boolean lastStepOnly) {
        Random random = new Random(17);
        ReferenceRnn rnn = network(List.of(layer(cell, 2, 3), layer(cell, 3, 3)),
                new ReferenceRnn.Output(3, 1, ReferenceActivation.IDENTITY, ReferenceLoss.MSE, lastStepOnly),
                Convention.DL4J, random);
        boolean applies = cell != ReferenceCell.LSTM || lastStepOnly;
        assertEquals(cell != ReferenceCell.LSTM, rnn.appliesFeatureMask(0), "the layer LastTimeStep does not wrap");
        assertEquals(applies, rnn.appliesFeatureMask(1));
        // One layer, so that the states looked at are those of the layer that applies the mask or not.
        ReferenceRnn one = network(List.of(layer(cell, 2, 3)), rnn.output(), Convention.DL4J, random);
        double[][][] x = {randomMatrix(5, 2, random)};
        double[][][] h = one.hiddenStates(x, new double[][] {{1, 1, 0, 1, 1}});
        double[][][] unmasked = one.hiddenStates(x, null);
        double[][][] fresh = one.hiddenStates(new double[][][] {{x[0][3], x[0][4]}}, null);
        if (applies) {
            assertArrayEquals(new double[3], h[0][2], 0);
            assertArrayEquals(fresh[0][0], h[0][3], 0);
            assertArrayEquals(fresh[0][1], h[0][4], 0);
        } else {
            for (int t = 0; t < 5; t++) {
                assertArrayEquals(unmasked[0][t], h[0][t], 0, "step " + t);
            }
        }
    }

    static Stream<Arguments> cellsUnderBothOutputs() {
        return Stream.of(ReferenceCell.values())
                .flatMap(cell -> Stream.of(Arguments.of(cell, false), Arguments.of(cell, true)));
    }

    @Test
    void parametersAreLaidOutInColumnBlocksAndCountedAsKerasAndDl4jCountThem() {
        ReferenceRnn.Output output = new ReferenceRnn.Output(10, 1, ReferenceActivation.IDENTITY, ReferenceLoss.MSE,
                false);
        // Keras's SimpleRNN(10), LSTM(10) and GRU(10) over 3 features: 10 (10 + 3) + 10 = 140,
        // 4 (130 + 10) = 560, and 3 (130 + 10) = 420 with reset_after=False, 3 (130 + 20) = 450 with it
        // (tf.keras 2's summary). The Dense(1) adds 11.
        int[] expected = {140 + 11, 560 + 11, 420 + 11, 450 + 11};
        for (ReferenceCell cell : ReferenceCell.values()) {
            ReferenceRnn rnn = new ReferenceRnn(List.of(layer(cell, 3, 10)), output, Convention.DL4J);
            assertEquals(expected[cell.ordinal()], rnn.numParams(), cell.name());
            assertEquals(expected[cell.ordinal()] - 11, cell.numParams(3, 10, true), cell.name());
            assertEquals(3 * cell.blocks() * 10, rnn.parameters().get("0_W").length, cell.name());
            assertEquals(10 * cell.blocks() * 10, rnn.parameters().get("0_RW").length, cell.name());
        }
        assertEquals(List.of("0_W", "0_RW", "0_b", "0_RB", "1_W", "1_b"), new ReferenceRnn(
                List.of(layer(ReferenceCell.GRU_RESET_AFTER, 3, 10)), output, Convention.DL4J).parameterNames());
        // Without bias a layer has neither b nor RB.
        assertEquals(List.of("0_W", "0_RW", "1_W", "1_b"), new ReferenceRnn(List.of(new Recurrent(3, 10,
                ReferenceActivation.TANH, false, ReferenceCell.GRU_RESET_AFTER)), output, Convention.DL4J)
                .parameterNames());
        assertEquals(3 * 10 * (10 + 3), ReferenceCell.GRU.numParams(3, 10, false));
    }

    /**
     * One GRU step, 2 inputs and 2 units, from h_0 = (1, -1) with x = (1, 2) and the identity as φ,
     * worked by hand. Column blocks [z | r | h~], two columns each. Every z and r column of W is
     * (2, -1) and of RW (1, 1), so x W and h_0 RW vanish there and only the biases set the gates:
     * pre-activations (ln 3, 0) give z = (3/4, 1/2), (-ln 3, ln 3) give r = (1/4, 3/4). The candidate
     * block has W_h = [[1, 0], [0, 1]] (x W_h = (1, 2)), b_h = (0.5, -0.5) and RW_h = [[2, 1], [1, 2]].
     * <ul>
     *   <li>reset before: r ⊙ h_0 = (0.25, -0.75), times RW_h = (0.5 - 0.75, 0.25 - 1.5) = (-0.25, -1.25);
     *       h~ = (1 + 0.5 - 0.25, 2 - 0.5 - 1.25) = (1.25, 0.25);
     *       h_1 = z ⊙ h_0 + (1 - z) ⊙ h~ = (0.75 + 0.3125, -0.5 + 0.125) = (1.0625, -0.375).</li>
     *   <li>reset after, the gates' biases moved into RB and RB_h = (1, 0.5): h_0 RW_h = (1, -1), plus
     *       RB_h = (2, -0.5), times r = (0.5, -0.375); h~ = (1 + 0.5 + 0.5, 2 - 0.5 - 0.375) = (2, 1.125);
     *       h_1 = (0.75 + 0.5, -0.5 + 0.5625) = (1.25, 0.0625).</li>
     * </ul>
     */
    @Test
    void oneGruStepGivesWhatTheEquationsGiveByHand() {
        double[][][] x = {{{1, 2}}};
        ReferenceRnn.InitialStates h0 = new ReferenceRnn.InitialStates(new double[][][] {{{1, -1}}}, null);
        double[] gateBiases = {LN_3, 0, -LN_3, LN_3};

        ReferenceRnn before = handWorkedGru(ReferenceCell.GRU);
        System.arraycopy(gateBiases, 0, before.parameters().get("0_b"), 0, 4);
        double[] h1 = before.hiddenStates(new ReferenceRnn.Batch(x, null, null, null, h0))[0][0];
        assertArrayEquals(new double[] {1.0625, -0.375}, h1, 1e-14);

        ReferenceRnn after = handWorkedGru(ReferenceCell.GRU_RESET_AFTER);
        double[] rb = after.parameters().get("0_RB");
        System.arraycopy(gateBiases, 0, rb, 0, 4);
        rb[4] = 1;
        rb[5] = 0.5;
        h1 = after.hiddenStates(new ReferenceRnn.Batch(x, null, null, null, h0))[0][0];
        assertArrayEquals(new double[] {1.25, 0.0625}, h1, 1e-14);
    }

    /** The weights of the hand-worked step, W and RW in column-major order, b_h = (0.5, -0.5). */
    private static ReferenceRnn handWorkedGru(ReferenceCell cell) {
        ReferenceRnn rnn = new ReferenceRnn(List.of(new Recurrent(2, 2, ReferenceActivation.IDENTITY, true, cell)),
                new ReferenceRnn.Output(2, 1, ReferenceActivation.IDENTITY, ReferenceLoss.MSE, false), Convention.DL4J);
        double[] w = {2, -1, 2, -1, 2, -1, 2, -1, 1, 0, 0, 1};
        double[] rw = {1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 2};
        System.arraycopy(w, 0, rnn.parameters().get("0_W"), 0, w.length);
        System.arraycopy(rw, 0, rnn.parameters().get("0_RW"), 0, rw.length);
        rnn.set("0_b", 4, 0.5);
        rnn.set("0_b", 5, -0.5);
        return rnn;
    }

    /**
     * Three tanh GRU steps of random weights against Keras's GRUCell arithmetic written out again with
     * [row][column] matrices: x_z = x kernel[:, :u] + b_z and so on, as Keras splits its kernels.
     */
    @ParameterizedTest
    @EnumSource(value = ReferenceCell.class, names = {"GRU", "GRU_RESET_AFTER"})
    void gruStepsMatchKerasFormulasWrittenOutAgain(ReferenceCell cell) {
        boolean resetAfter = cell == ReferenceCell.GRU_RESET_AFTER;
        int nIn = 2;
        int u = 2;
        Random random = new Random(18);
        ReferenceRnn rnn = network(List.of(layer(cell, nIn, u)),
                new ReferenceRnn.Output(u, 1, ReferenceActivation.IDENTITY, ReferenceLoss.MSE, false),
                Convention.DL4J, random);
        double[][] kernel = matrix(rnn.parameters().get("0_W"), nIn, 3 * u);
        double[][] recurrentKernel = matrix(rnn.parameters().get("0_RW"), u, 3 * u);
        double[] inputBias = rnn.parameters().get("0_b");
        double[] recurrentBias = resetAfter ? rnn.parameters().get("0_RB") : new double[3 * u];
        double[][] x = randomMatrix(3, nIn, random);

        double[] h = new double[u];
        double[][] expected = new double[3][];
        for (int t = 0; t < 3; t++) {
            double[] xz = affine(x[t], kernel, inputBias, 0, u);
            double[] xr = affine(x[t], kernel, inputBias, u, u);
            double[] xh = affine(x[t], kernel, inputBias, 2 * u, u);
            double[] rz = affine(h, recurrentKernel, recurrentBias, 0, u);
            double[] rr = affine(h, recurrentKernel, recurrentBias, u, u);
            double[] next = new double[u];
            double[] z = new double[u];
            double[] r = new double[u];
            for (int j = 0; j < u; j++) {
                z[j] = 1 / (1 + Math.exp(-(xz[j] + rz[j])));
                r[j] = 1 / (1 + Math.exp(-(xr[j] + rr[j])));
            }
            double[] rh;
            if (resetAfter) {
                double[] inner = affine(h, recurrentKernel, recurrentBias, 2 * u, u);
                rh = new double[u];
                for (int j = 0; j < u; j++) {
                    rh[j] = r[j] * inner[j];
                }
            } else {
                double[] reset = new double[u];
                for (int k = 0; k < u; k++) {
                    reset[k] = r[k] * h[k];
                }
                rh = affine(reset, recurrentKernel, new double[3 * u], 2 * u, u);
            }
            for (int j = 0; j < u; j++) {
                double candidate = Math.tanh(xh[j] + rh[j]);
                next[j] = z[j] * h[j] + (1 - z[j]) * candidate;
            }
            h = next;
            expected[t] = next;
        }
        double[][] actual = rnn.hiddenStates(new double[][][] {x}, null)[0];
        for (int t = 0; t < 3; t++) {
            assertArrayEquals(expected[t], actual[t], 1e-14, "step " + t);
        }
    }

    /** A column-major array as [row][column]. */
    private static double[][] matrix(double[] values, int rows, int columns) {
        double[][] m = new double[rows][columns];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                m[i][j] = values[i + rows * j];
            }
        }
        return m;
    }

    /** v m[:, from:from + width] + b[from:from + width]. */
    private static double[] affine(double[] v, double[][] m, double[] b, int from, int width) {
        double[] y = new double[width];
        for (int j = 0; j < width; j++) {
            y[j] = b[from + j];
            for (int i = 0; i < v.length; i++) {
                y[j] += v[i] * m[i][from + j];
            }
        }
        return y;
    }
}
