package org.rnnlab.keras;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDONLY;
import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_TRUNC;
import static org.bytedeco.hdf5.global.hdf5.H5Ocopy;
import static org.bytedeco.hdf5.global.hdf5.H5P_DEFAULT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.bytedeco.hdf5.H5File;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rnnlab.BadInputException;

/**
 * The real Keras files of ../shared/keras/ (saved by Keras 2.0.6, 2.1.3 and tf.keras 2.2.4; not part
 * of the project): imported, each computes what Keras computed, or what Keras's equations give on
 * the file's own weights. Skipped, saying why, where the folder is absent.
 */
class KerasImportTest {
    static final Path KERAS = Path.of("..", "shared", "keras");

    static Stream<Path> models() throws IOException {
        assumeTrue(Files.isDirectory(KERAS), "no " + KERAS.toAbsolutePath() + ": the real Keras files are not here");
        try (Stream<Path> files = Files.list(KERAS)) {
            return files.filter(f -> f.toString().endsWith(".h5") && !f.getFileName().toString().contains("inputs_and"))
                    .sorted().toList().stream();
        }
    }

    /** Keras's own predictions, saved beside the inputs it was given: the imported model's equal them to 1e-5. */
    @Test
    void theImportPredictsWhatKerasPredicted() throws Exception {
        Path recorded = KERAS.resolve("simple_rnn_tf_keras_2_inputs_and_outputs.h5");
        assumeTrue(Files.isRegularFile(recorded), "no " + recorded.toAbsolutePath());
        INDArray inputs;
        INDArray predictions;
        try (Hdf5Archive archive = Hdf5Files.open(recorded)) {
            inputs = archive.readDataSet("simple_rnn_1_input", "inputs");
            predictions = archive.readDataSet("dense_1", "predictions");
        }
        Model network = KerasImport.network(KerasFile.read(KERAS.resolve("simple_rnn_tf_keras_2_model.h5")));
        INDArray ours = KerasLayout.predict(network, inputs.castTo(DataType.FLOAT));
        assertEquals(List.of(25L, 1L), List.of(ours.shape()[0], ours.shape()[1]));
        double largest = ours.castTo(DataType.DOUBLE).sub(predictions.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(largest <= 1e-5, "largest difference from Keras's predictions: " + largest);
    }

    /**
     * Every model file saves as an rnnlab zip and loads back with the same weights: Bidirectional over
     * last-step layers too, whose updater DL4J cannot build (the zip holds none; docs/keras.md).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyModelSavesAsAZipAndComesBack(Path file, @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ImportedModel imported = ImportedModel.fromKeras(file);
        Path zip = dir.resolve("model.zip");
        imported.save(zip);
        ImportedModel back = ImportedModel.read(zip);
        assertEquals(imported.network().params(), back.network().params(), file::toString);
    }

    /** Every model file, on random inputs: the import's outputs against Keras's equations on the file's weights. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyModelComputesKerasEquationsOnItsOwnWeights(Path file) throws Exception {
        KerasFile keras = KerasFile.read(file);
        Model network = KerasImport.network(keras);
        int features = inputFeatures(keras);
        Random random = new Random(file.getFileName().toString().hashCode());
        double[][][] x = new double[3][3][features];
        for (double[][] sequence : x) {
            for (double[] step : sequence) {
                for (int f = 0; f < features; f++) {
                    step[f] = random.nextGaussian();
                }
            }
        }
        double[][][] expected = KerasEquations.of(file).predict(x);
        INDArray ours = KerasLayout.predict(network, Nd4j.createFromArray(x).castTo(DataType.FLOAT));
        INDArray theirs = Nd4j.createFromArray(expected);
        if (ours.rank() == 2) {
            theirs = theirs.reshape(theirs.size(0), theirs.size(2));
        }
        assertEquals(java.util.Arrays.toString(theirs.shape()), java.util.Arrays.toString(ours.shape()), () -> file + ": shape");
        double largest = ours.castTo(DataType.DOUBLE).sub(theirs).amaxNumber().doubleValue();
        assertTrue(largest <= 1e-5, file + ": largest difference from Keras's equations " + largest);
    }

    /**
     * The Keras-style summary's counts, from the config alone, equal the values the file holds for
     * each layer, and DL4J's parameter count of the import.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theSummaryCountsEveryWeightTheFileHolds(Path file) throws Exception {
        KerasFile keras = KerasFile.read(file);
        java.util.Map<String, Long> held = KerasEquations.of(file).valuesByLayer();
        long total = 0;
        for (org.rnnlab.summary.KerasSummary.Row row : KerasConfigSummary.rows(keras.modelConfig())) {
            assertEquals(held.getOrDefault(row.name(), 0L), row.parameters(), () -> file + ": " + row);
            total += row.parameters();
        }
        assertEquals(KerasImport.network(keras).numParams(), total, file + ": DL4J's count of the import");
    }

    /**
     * A model in two files whose weights come from {@code model.save_weights("w.h5")}: the layer
     * groups at the file's root instead of under model_weights/ (made here by copying the real
     * file's layer groups to the root of a new file, as save_weights lays them out), imports to the
     * same network as the whole-model file.
     */
    @Test
    void aJsonConfigWithWeightsFromSaveWeightsImportsAsTheWholeFile(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        for (String name : new String[] {"tfkeras_rnn_5.h5", "simple_rnn_tf_keras_2_model.h5"}) {
            Path whole = KERAS.resolve(name);
            assumeTrue(Files.isRegularFile(whole), "no " + whole.toAbsolutePath());
            KerasFile keras = KerasFile.read(whole);
            Path weights = dir.resolve("weights-" + name);
            List<String> layers;
            try (Hdf5Archive archive = Hdf5Files.open(whole)) {
                layers = archive.getGroups("model_weights");
            }
            synchronized (Hdf5Archive.LOCK_OBJECT) {
                H5File from = new H5File(whole.toString(), H5F_ACC_RDONLY);
                H5File to = new H5File(weights.toString(), H5F_ACC_TRUNC);
                for (String layer : layers) {
                    assertTrue(H5Ocopy(from.getId(), "/model_weights/" + layer, to.getId(), layer, H5P_DEFAULT,
                            H5P_DEFAULT) >= 0, layer);
                }
                to.close();
                from.close();
            }
            try (Hdf5Archive archive = Hdf5Files.open(weights)) {
                assertEquals(layers, archive.getGroups(), "the layer groups at the root, as save_weights writes them");
            }
            com.fasterxml.jackson.databind.node.ObjectNode json = keras.modelConfig().deepCopy();
            json.put("keras_version", keras.kerasVersion());
            json.put("backend", keras.backend());
            Path config = Files.writeString(dir.resolve(name + ".json"), json.toString());
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, inputFeatures(keras));
            assertEquals(KerasLayout.predict(KerasImport.network(keras), x),
                    KerasLayout.predict(KerasImport.network(KerasFile.read(config, weights)), x), name);
        }
    }

    /**
     * A model in two files, a JSON config as model.to_json() writes it and an HDF5 file holding the
     * weights, imports to the same network as the whole-model file (a functional and a Sequential model).
     */
    @Test
    void aJsonConfigWithItsWeightsImportsAsTheWholeFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        for (String name : new String[] {"tfkeras_rnn_7.h5", "simple_lstm_tf_keras_2_model.h5"}) {
            Path whole = KERAS.resolve(name);
            assumeTrue(Files.isRegularFile(whole), "no " + whole.toAbsolutePath());
            KerasFile keras = KerasFile.read(whole);
            com.fasterxml.jackson.databind.node.ObjectNode json = keras.modelConfig().deepCopy();
            json.put("keras_version", keras.kerasVersion());
            json.put("backend", keras.backend());
            Path config = Files.writeString(dir.resolve(name + ".json"), json.toString());
            KerasFile split = KerasFile.read(config, whole);
            assertTrue(split.twoFiles() && split.kerasVersion().equals(keras.kerasVersion()), split.toString());
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, inputFeatures(keras));
            assertEquals(KerasLayout.predict(KerasImport.network(keras), x),
                    KerasLayout.predict(KerasImport.network(split), x), name);
            // a config without keras_version and backend takes the weights file's
            Path bare = Files.writeString(dir.resolve(name + ".bare.json"), keras.modelConfig().toString());
            KerasFile fromWeights = KerasFile.read(bare, whole);
            assertEquals(keras.kerasVersion(), fromWeights.kerasVersion(), name);
            assertEquals(KerasLayout.predict(KerasImport.network(keras), x),
                    KerasLayout.predict(KerasImport.network(fromWeights), x), name);
        }
        Path notJson = Files.writeString(dir.resolve("bad.json"), "{\"layers\": []}");
        assertTrue(assertThrows(BadInputException.class, () -> KerasFile.read(notJson, KERAS.resolve("tfkeras_rnn_7.h5")))
                .getMessage().contains("not a Keras model's JSON config"));
    }

    /** The feature width of the model's input, from its config's batch_input_shape. */
    static int inputFeatures(KerasFile keras) {
        var shape = KerasSettings.batchInputShape(keras.modelConfig());
        if (shape == null || shape.size() == 0) {
            throw new IllegalArgumentException(keras.file() + " has no batch_input_shape");
        }
        return shape.get(shape.size() - 1).asInt();
    }

    @Test
    void badFilesAreOneLineEach(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("model.h5"), "not a model");
        assertTrue(assertThrows(BadInputException.class, () -> KerasFile.read(text)).getMessage().contains("not an HDF5"));
        Path zip = dir.resolve("model.keras");
        Files.write(zip, new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
        assertTrue(assertThrows(BadInputException.class, () -> KerasFile.read(zip)).getMessage().contains("Keras 3"));
        assertTrue(assertThrows(BadInputException.class, () -> KerasFile.read(dir.resolve("none.h5"))).getMessage()
                .contains("not a readable file"));
        assumeTrue(Files.isDirectory(KERAS), "no " + KERAS.toAbsolutePath());
        byte[] whole = Files.readAllBytes(KERAS.resolve("tfkeras_rnn_0.h5"));
        Path truncated = Files.write(dir.resolve("truncated.h5"), java.util.Arrays.copyOf(whole, whole.length / 3));
        BadInputException cut = assertThrows(BadInputException.class, () -> KerasImport.network(KerasFile.read(truncated)));
        assertTrue(cut.getMessage().startsWith(truncated.toString()) && !cut.getMessage().contains("\n"), cut.getMessage());
        // An HDF5 file without a model: the recorded inputs and outputs
        Path data = KERAS.resolve("simple_rnn_tf_keras_2_inputs_and_outputs.h5");
        assertTrue(assertThrows(BadInputException.class, () -> KerasFile.read(data)).getMessage()
                .contains("no model_config"));
    }
}
