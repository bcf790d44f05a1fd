package org.rnnlab.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.rnnlab.reference.FiniteDifferences;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.reference.GradientCheck.Report;
import org.rnnlab.reference.GradientCheck.Row;
import org.rnnlab.reference.KerasReference;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;

/**
 * {@code gradcheck --model}: the reference built from a Keras config computes Keras's equations
 * (KerasEquations, and Keras's own recorded predictions), and against it every imported model's
 * outputs, score and gradients agree with DL4J's, the reference's gradients with finite
 * differences, and DL4J's GradientCheckUtil passes: the real Keras files of ../shared/keras (skipped
 * where absent), every task's network exported, and GRU networks of every form.
 */
class KerasGradientCheckTest {
    private static final int MINIBATCH = 4;

    @TempDir
    Path dir;

    static Stream<Path> models() throws Exception {
        return KerasImportTest.models();
    }

    /**
     * The reference on each file's weights gives what KerasEquations, written separately, gives: to
     * 1e-7, as the reference's hard sigmoid has float32's slope (0.2f, as DL4J's and Keras's own have)
     * where KerasEquations has 0.2; their LSTMs differ by 1e-9 to 1.1e-8, the others by rounding.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theReferenceComputesKerasEquations(Path file) throws Exception {
        KerasReference reference = reference(file);
        double[][][] x = KerasGradientCheck.uniform(new Random(3), 3, 3, features(file));
        double[][][] expected = KerasEquations.of(file).predict(x);
        double[][][] actual = reference.predict(x);
        assertTrue(largestDifference(expected, actual) <= 1e-7, () -> file + ": " + largestDifference(expected, actual));
    }

    @Test
    void theReferencePredictsWhatKerasPredicted() throws Exception {
        Path recorded = KerasImportTest.KERAS.resolve("simple_rnn_tf_keras_2_inputs_and_outputs.h5");
        assumeTrue(Files.isRegularFile(recorded), "no " + recorded.toAbsolutePath());
        double[][][] inputs;
        double[][] predictions;
        try (Hdf5Archive archive = Hdf5Files.open(recorded)) {
            inputs = toSequences(archive.readDataSet("simple_rnn_1_input", "inputs").castTo(DataType.DOUBLE));
            predictions = archive.readDataSet("dense_1", "predictions").castTo(DataType.DOUBLE).toDoubleMatrix();
        }
        double[][][] ours = reference(KerasImportTest.KERAS.resolve("simple_rnn_tf_keras_2_model.h5")).predict(inputs);
        double largest = 0;
        for (int n = 0; n < predictions.length; n++) {
            largest = Math.max(largest, Math.abs(ours[n][0][0] - predictions[n][0]));
        }
        assertEquals(25, predictions.length);
        assertTrue(largest <= 1e-5, "largest difference from Keras's predictions: " + largest);
    }

    /**
     * Every real file passes, except the two whose Bidirectional layers return their last step only:
     * DL4J cannot back-propagate through those at all, and the check says so rather than pass them.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyRealModelPassesTheGradientCheck(Path file) {
        Report report = KerasGradientCheck.run(file.getFileName().toString(), ImportedModel.fromKeras(file),
                KerasWeights.read(file), MINIBATCH, new Random(1));
        if (!bidirectionalLastStep(file)) {
            assertTrue(report.passed(), report::format);
            assertTrue(report.rows().stream().anyMatch(r -> r.comparison().equals("reference vs DL4J")
                    && r.parameter().endsWith("recurrent_kernel")), report::format);
            return;
        }
        assertFalse(report.passed());
        for (Row row : report.rows()) {
            boolean dl4jGradients = row.parameter().equals("gradients") || row.comparison().startsWith("DL4J");
            assertEquals(!dl4jGradients, row.passed(), () -> report.format());
        }
        assertTrue(report.notes().get(0).contains("could not back-propagate"), report::format);
    }

    private static boolean bidirectionalLastStep(Path file) {
        for (JsonNode layer : KerasSettings.layers(KerasFile.read(file).modelConfig())) {
            if (layer.path("class_name").asText().equals("Bidirectional")
                    && !layer.path("config").path("layer").path("config").path("return_sequences").asBoolean()) {
                return true;
            }
        }
        return false;
    }

    /** An imported zip is checked on the network's own weights, laid out back as Keras's. */
    @Test
    void anImportedZipPassesOnItsOwnWeights() throws Exception {
        Path file = KerasImportTest.KERAS.resolve("tfkeras_rnn_5.h5");
        assumeTrue(Files.isRegularFile(file), "no " + file.toAbsolutePath());
        Path zip = dir.resolve("imported.zip");
        ImportedModel.fromKeras(file).save(zip);
        ImportedModel imported = ImportedModel.read(zip);
        Map<String, double[][]> fromNetwork = KerasWeights.of(imported.network(), imported.network().paramTable());
        Map<String, double[][]> fromFile = KerasWeights.read(file);
        assertEquals(fromFile.keySet(), fromNetwork.keySet());
        fromFile.forEach((key, matrix) -> assertTrue(java.util.Arrays.deepEquals(matrix, fromNetwork.get(key)), key));
        Report report = KerasGradientCheck.run("imported.zip", imported, null, MINIBATCH, new Random(2));
        assertTrue(report.passed(), report::format);
    }

    /**
     * A finite-difference nudge can carry a ReLU or hard sigmoid across its kink, where the estimate
     * says nothing: on tfkeras_rnn_5 (hard sigmoid gates, ReLU after) plain differences disagree with
     * the gradient by far more than the tolerance, while the score held on its pieces (equal to the
     * score at the weights under check) agrees everywhere.
     */
    @Test
    void finiteDifferencesHoldEachUnitOnItsPiece() throws Exception {
        Path file = KerasImportTest.KERAS.resolve("tfkeras_rnn_5.h5");
        assumeTrue(Files.isRegularFile(file), "no " + file.toAbsolutePath());
        KerasReference reference = reference(file);
        Random random = new Random(1);
        double[][][] x = KerasGradientCheck.uniform(random, MINIBATCH, 3, 4);
        double[][][] y = KerasGradientCheck.uniform(random, MINIBATCH, 3, 12);
        int divisor = MINIBATCH * 3;
        Map<String, double[]> gradients = reference.forwardBackward(x, y, divisor).gradients();
        DoubleSupplier onPieces = reference.scoreOnPiecesOf(x, y, divisor);
        assertEquals(reference.score(x, y, divisor), onPieces.getAsDouble(), 0);
        double plain = largestError(gradients, FiniteDifferences.gradient(reference.weights(),
                () -> reference.score(x, y, divisor), GradientCheck.SAMPLED_ELEMENTS));
        double held = largestError(gradients, FiniteDifferences.gradient(reference.weights(), onPieces,
                GradientCheck.SAMPLED_ELEMENTS));
        assertTrue(plain > 1e-3, "plain finite differences: " + plain);
        assertTrue(held <= GradientCheck.FINITE_DIFFERENCE_TOLERANCE, "held on their pieces: " + held);
    }

    static Stream<Task<?, ?>> exportableTasks() {
        // increasing-sum's variable-length input is refused by DL4J's importer (KerasExportTest)
        return TaskRegistry.all().stream().filter(t -> !t.name().equals("increasing-sum"));
    }

    /** Every task's network, exported and imported back, passes: SimpleRnn, LSTM, per-step and last-step outputs. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("exportableTasks")
    void everyTasksExportedNetworkPasses(Task<?, ?> task) throws Exception {
        check(task);
    }

    private <O extends Record> void check(Task<O, ?> task) throws Exception {
        O options = task.defaultOptions();
        MultiLayerNetwork network = new MultiLayerNetwork(task.network(options));
        network.init();
        assertPasses(task.name(), network);
    }

    /** GRU in both reset_after forms, with sigmoid and hard sigmoid gates, and every candidate activation. */
    @ParameterizedTest(name = "reset_after={0}, gates {1}, activation {2}, last step {3}, FastGru {4}")
    @MethodSource("org.rnnlab.keras.KerasExportTest#gruForms")
    void everyGruFormPasses(boolean resetAfter, Activation gate, Activation activation, boolean lastStep,
            boolean fast) throws Exception {
        MultiLayerNetwork network = new MultiLayerNetwork(KerasExportTest.gruNetwork(resetAfter, gate, activation,
                lastStep, fast));
        network.init();
        assertPasses("gru-" + resetAfter + "-" + gate + "-" + activation, network);
    }

    /** Exported with 5 steps whatever the task's length: the check's cost grows with the steps, its coverage does not. */
    private void assertPasses(String name, MultiLayerNetwork network) throws Exception {
        // weights of unit gain, so that every gate and unit is exercised (the tasks' initialisers are small)
        network.paramTable().forEach((key, value) -> value.assign(Nd4j.rand(new Random(name.hashCode()).nextLong(),
                value.shape()).castTo(value.dataType()).subi(0.5).muli(2 / Math.sqrt(Math.max(1, value.size(0))))));
        Path file = dir.resolve(name + ".h5");
        KerasExport.write(network, OptionalInt.of(5), file);
        Report report = KerasGradientCheck.run(name, ImportedModel.fromKeras(file), KerasWeights.read(file), MINIBATCH,
                new Random(4));
        assertTrue(report.passed(), report::format);
    }

    // ------------------------------------------------------------------ helpers

    private static KerasReference reference(Path file) {
        KerasReference reference = new KerasReference(features(file),
                KerasGradientCheck.reference(KerasFile.read(file).modelConfig()));
        Map<String, double[][]> weights = KerasWeights.read(file);
        reference.weights().keySet().forEach(key -> reference.weight(key, weights.get(key)));
        return reference;
    }

    private static int features(Path file) {
        JsonNode shape = KerasSettings.batchInputShape(KerasFile.read(file).modelConfig());
        return shape.get(shape.size() - 1).asInt();
    }

    private static double[][][] toSequences(org.nd4j.linalg.api.ndarray.INDArray array) {
        double[][][] values = new double[(int) array.size(0)][(int) array.size(1)][(int) array.size(2)];
        for (int n = 0; n < values.length; n++) {
            values[n] = array.slice(n).toDoubleMatrix();
        }
        return values;
    }

    private static double largestDifference(double[][][] a, double[][][] b) {
        double largest = 0;
        for (int n = 0; n < a.length; n++) {
            for (int t = 0; t < a[n].length; t++) {
                for (int k = 0; k < a[n][t].length; k++) {
                    largest = Math.max(largest, Math.abs(a[n][t][k] - b[n][t][k]));
                }
            }
        }
        return largest;
    }

    private static double largestError(Map<String, double[]> exact, Map<String, double[]> estimated) {
        return exact.keySet().stream().mapToDouble(key -> GradientCheck.maxError(exact.get(key), estimated.get(key),
                GradientCheck.FINITE_DIFFERENCE_FLOOR)).max().orElse(0);
    }
}
