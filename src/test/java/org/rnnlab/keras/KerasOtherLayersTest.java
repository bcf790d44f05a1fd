package org.rnnlab.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.rnnlab.BadInputException;
import org.rnnlab.data.Json;
import org.rnnlab.keras.KerasExport.Exported;
import org.rnnlab.reference.GradientCheck.Report;
import org.rnnlab.reference.KerasReference;

/**
 * The layers the issue lists beyond the recurrent ones, which no shared Keras file holds: Embedding,
 * RepeatVector, Dropout and Masking, in Keras files assembled here in tf.keras 2.2.4's layout (the
 * recurrent and dense layers' configs as the export writes them, the others' as tf.keras 2.2.4
 * writes theirs). Each import computes what Keras's equations give, or is refused in one line.
 */
class KerasOtherLayersTest {
    @TempDir
    Path dir;

    private static final Random RANDOM = new Random(11);

    /** Embedding(7, 3) -> SimpleRNN(5) -> Dropout -> RepeatVector(4) -> LSTM(3, sequences) -> TimeDistributed(Dense(2)). */
    private Path embeddingModel() throws Exception {
        List<Exported> layers = new ArrayList<>();
        layers.add(layer("Embedding", "embedding", "{\"batch_input_shape\": [null, 4], \"dtype\": \"float32\","
                + " \"input_dim\": 7, \"output_dim\": 3, \"embeddings_initializer\": {\"class_name\": \"RandomUniform\","
                + " \"config\": {\"minval\": -0.05, \"maxval\": 0.05, \"seed\": null, \"dtype\": \"float32\"}},"
                + " \"embeddings_regularizer\": null, \"activity_regularizer\": null, \"embeddings_constraint\": null,"
                + " \"mask_zero\": false, \"input_length\": 4}", Map.of("embeddings:0", random(7, 3))));
        Exported rnn = exported(new NeuralNetConfiguration.Builder().list()
                .layer(new LastTimeStep(new SimpleRnn.Builder().nIn(3).nOut(5).activation(Activation.TANH).build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(1).activation(Activation.IDENTITY)
                        .build()).build()).get(0);
        ((ObjectNode) rnn.layer().path("config")).remove("batch_input_shape");
        layers.add(rnn);
        layers.add(layer("Dropout", "dropout", "{\"rate\": 0.3, \"noise_shape\": null, \"seed\": null}", Map.of()));
        layers.add(layer("RepeatVector", "repeat_vector", "{\"n\": 4}", Map.of()));
        List<Exported> tail = exported(new NeuralNetConfiguration.Builder().list()
                .layer(new LSTM.Builder().nIn(5).nOut(3).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(2)
                        .activation(Activation.IDENTITY).build()).build());
        ((ObjectNode) tail.get(0).layer().path("config")).remove("batch_input_shape");
        layers.addAll(tail);
        Path file = dir.resolve("embedding.h5");
        KerasExport.write(layers, file);
        return file;
    }

    @Test
    void embeddingRepeatVectorAndDropoutComputeKerasEquations() throws Exception {
        Path file = embeddingModel();
        ImportedModel imported = ImportedModel.fromKeras(file);
        KerasReference reference = reference(file);
        int[][] indices = new int[3][4];
        double[][][] x = new double[3][4][1];
        for (int n = 0; n < 3; n++) {
            for (int t = 0; t < 4; t++) {
                indices[n][t] = RANDOM.nextInt(7);
                x[n][t][0] = indices[n][t];
            }
        }
        INDArray ours = imported.predict(Nd4j.createFromArray(indices).castTo(DataType.FLOAT));
        double[][][] expected = reference.predict(x);
        assertEquals(List.of(3L, 4L, 2L), java.util.Arrays.stream(ours.shape()).boxed().toList());
        assertTrue(largest(expected, ours) <= 1e-5, "largest difference: " + largest(expected, ours));
        // an index outside the table is the user's input, one line: DL4J's own words
        INDArray outside = Nd4j.createFromArray(indices).castTo(DataType.FLOAT).putScalar(0, 0, 9);
        String refused = assertThrows(BadInputException.class, () -> imported.predict(outside)).getMessage();
        assertTrue(refused.startsWith("the model cannot take this input") && refused.contains("index 9"), refused);
    }

    /**
     * Masking(0) before a SimpleRNN: DL4J 1.0.0-M2.1 imports it as a MaskZeroLayer around a SameDiff
     * IdentityLayer, which fails on the network's first input, so rnnlab refuses the file in one line.
     */
    @Test
    void maskingIsRefusedInOneLine() throws Exception {
        List<Exported> layers = new ArrayList<>();
        layers.add(layer("Masking", "masking", "{\"batch_input_shape\": [null, 5, 2], \"dtype\": \"float32\","
                + " \"mask_value\": 0.0}", Map.of()));
        List<Exported> rnn = exported(new NeuralNetConfiguration.Builder().list()
                .layer(new LastTimeStep(new SimpleRnn.Builder().nIn(2).nOut(4).activation(Activation.TANH).build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(1)
                        .activation(Activation.IDENTITY).build()).build());
        ((ObjectNode) rnn.get(0).layer().path("config")).remove("batch_input_shape");
        layers.addAll(rnn);
        Path file = dir.resolve("masking.h5");
        KerasExport.write(layers, file);
        String message = assertThrows(BadInputException.class, () -> ImportedModel.fromKeras(file)).getMessage();
        assertTrue(!message.contains("\n") && message.contains("layer masking (Masking)")
                && message.contains("SameDiffLayer.activate"), message);
    }

    /** The gradient check covers Embedding, RepeatVector and Dropout too. */
    @Test
    void theGradientCheckPassesThroughEmbeddingAndRepeatVector() throws Exception {
        Path file = embeddingModel();
        Report report = KerasGradientCheck.run("embedding.h5", ImportedModel.fromKeras(file), KerasWeights.read(file),
                4, new Random(5));
        assertTrue(report.passed(), report::format);
        assertTrue(report.rows().stream().anyMatch(r -> r.parameter().equals("embedding/embeddings")), report::format);
    }

    /**
     * Bidirectional(GRU) in both reset_after forms, every merge mode, with and without
     * return_sequences: a file laid out as tf.keras 2.2.4 lays out a Bidirectional
     * (model_weights/encoder/encoder/forward_gru/kernel:0, ...; the name need not say bidirectional)
     * imports to what Keras's equations give
     * (KerasEquations, written apart from the reference), and the gradient check passes where DL4J
     * can back-propagate (return_sequences; see docs/keras.md for the last-step case).
     */
    @ParameterizedTest(name = "reset_after={0}, merge {1}, sequences {2}")
    @CsvSource({"true, concat, true", "false, sum, true", "true, mul, false", "false, ave, false", "false, concat, true"})
    void bidirectionalGruComputesKerasEquations(boolean resetAfter, String merge, boolean sequences) throws Exception {
        org.deeplearning4j.nn.conf.layers.Layer gru = new org.rnnlab.layers.Gru.Builder().resetAfter(resetAfter)
                .gateActivationFunction(Activation.HARDSIGMOID).activation(Activation.TANH).nIn(4).nOut(3).build();
        Exported inner = exported(new NeuralNetConfiguration.Builder().list()
                .layer(sequences ? gru : new LastTimeStep(gru))
                .layer(sequences ? new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(1)
                        .activation(Activation.IDENTITY).build()
                        : new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(1)
                                .activation(Activation.IDENTITY).build()).build()).get(0);
        ObjectNode innerConfig = (ObjectNode) inner.layer().path("config");
        innerConfig.remove("batch_input_shape");
        Map<String, INDArray> weights = new LinkedHashMap<>();
        for (String half : new String[] {"forward", "backward"}) {
            inner.weights().forEach((name, value) -> weights.put(half + "_gru/" + name,
                    random((int) value.size(0), (int) value.length() / (int) value.size(0)).reshape(value.shape())));
        }
        ObjectNode config = (ObjectNode) Json.MAPPER.readTree("{\"batch_input_shape\": [null, 5, 4], \"dtype\": \"float32\","
                + " \"merge_mode\": \"" + merge + "\"}");
        config.set("layer", inner.layer());
        Exported bidirectional = layer("Bidirectional", "encoder", config.toString(), weights);
        Path file = dir.resolve("bi-gru-" + resetAfter + merge + sequences + ".h5");
        KerasExport.write(List.of(bidirectional), file);

        ImportedModel imported = ImportedModel.fromKeras(file);
        double[][][] x = new double[3][5][4];
        for (double[][] example : x) {
            for (double[] step : example) {
                for (int f = 0; f < 4; f++) {
                    step[f] = RANDOM.nextGaussian();
                }
            }
        }
        INDArray ours = imported.predict(Nd4j.createFromArray(x).castTo(DataType.FLOAT));
        double[][][] expected = KerasEquations.of(file).predict(x);
        INDArray theirs = Nd4j.createFromArray(expected);
        if (ours.rank() == 2) {
            theirs = theirs.reshape(theirs.size(0), theirs.size(2));
        }
        assertEquals(java.util.Arrays.toString(theirs.shape()), java.util.Arrays.toString(ours.shape()));
        double largest = ours.castTo(DataType.DOUBLE).sub(theirs).amaxNumber().doubleValue();
        assertTrue(largest <= 1e-5, "largest difference from Keras's equations: " + largest);
        long summarised = KerasConfigSummary.rows(KerasFile.read(file).modelConfig()).stream()
                .mapToLong(org.rnnlab.summary.KerasSummary.Row::parameters).sum();
        assertEquals(imported.network().numParams(), summarised, "the summary's count");
        if (sequences) {
            Report report = KerasGradientCheck.run(file.getFileName().toString(), imported, KerasWeights.read(file), 4,
                    new Random(6));
            assertTrue(report.passed(), report::format);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Exported layer(String type, String name, String config, Map<String, INDArray> weights)
            throws Exception {
        ObjectNode layer = Json.MAPPER.createObjectNode();
        layer.put("class_name", type);
        ObjectNode settings = (ObjectNode) Json.MAPPER.readTree(config);
        settings.put("name", name);
        settings.put("trainable", true);
        layer.set("config", settings);
        return new Exported(layer, name, new LinkedHashMap<>(weights));
    }

    /** A network's layers as the export writes them, with random weights of unit gain. */
    private static List<Exported> exported(org.deeplearning4j.nn.conf.MultiLayerConfiguration configuration) {
        MultiLayerNetwork network = new MultiLayerNetwork(configuration);
        network.init();
        network.paramTable().forEach((key, value) -> value.assign(random((int) value.length(), 1)
                .reshape(value.shape())));
        return KerasExport.export(network, OptionalInt.of(4));
    }

    private static INDArray random(int rows, int columns) {
        INDArray values = Nd4j.create(DataType.FLOAT, rows, columns);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                values.putScalar(i, j, RANDOM.nextGaussian() * 0.6);
            }
        }
        return values;
    }

    private static KerasReference reference(Path file) {
        KerasReference reference = new KerasReference(1, KerasGradientCheck.reference(KerasFile.read(file).modelConfig()));
        Map<String, double[][]> weights = KerasWeights.read(file);
        reference.weights().keySet().forEach(key -> reference.weight(key, weights.get(key)));
        return reference;
    }

    private static double largest(double[][][] expected, INDArray actual) {
        double largest = 0;
        for (int n = 0; n < expected.length; n++) {
            for (int t = 0; t < expected[n].length; t++) {
                for (int k = 0; k < expected[n][t].length; k++) {
                    largest = Math.max(largest, Math.abs(expected[n][t][k] - actual.getDouble(n, t, k)));
                }
            }
        }
        return largest;
    }
}
