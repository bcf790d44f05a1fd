package org.rnnlab.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.Random;
import java.util.stream.Stream;
import org.bytedeco.hdf5.H5File;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.layers.recurrent.LastTimeStepLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.rnnlab.data.Json;
import org.rnnlab.layers.Cell;
import org.rnnlab.layers.FastGru;
import org.rnnlab.layers.Gru;
import org.rnnlab.tasks.RecordOptions;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every task's network written as a Keras HDF5 model, then read back by two independent readers:
 * DL4J's importer, and Keras's equations computed on the file's weights (KerasEquations, which the
 * real Keras files check). Both give the rnnlab network's outputs. The same for every task that
 * takes {@code --cell} with its network built of GRU layers, and for networks of every GRU form.
 */
class KerasExportTest {
    @TempDir
    Path dir;

    static Stream<Task<?, ?>> tasks() {
        return TaskRegistry.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tasks")
    void everyTasksNetworkRoundTripsThroughKeras(Task<?, ?> task) throws Exception {
        check(task);
    }

    /** The tasks that take {@code --cell}: their networks built of rnnlab's GRU. */
    static Stream<Task<?, ?>> gruTasks() {
        return TaskRegistry.all().stream().filter(task -> {
            CommandSpec spec = CommandSpec.create().name(task.name());
            RecordOptions.addTo(spec, task.defaultOptions());
            return spec.findOption("--cell") != null;
        });
    }

    @ParameterizedTest(name = "{0} --cell GRU")
    @MethodSource("gruTasks")
    void everyGruTasksNetworkRoundTripsThroughKeras(Task<?, ?> task) throws Exception {
        checkGru(task);
    }

    private <O extends Record> void checkGru(Task<O, ?> task) throws Exception {
        O options = RecordOptions.with(task.defaultOptions(), "cell", Cell.GRU);
        MultiLayerNetwork network = new MultiLayerNetwork(task.network(options));
        network.init();
        assertTrue(Arrays.stream(network.getLayers()).anyMatch(layer -> layer.conf().getLayer() instanceof Gru
                || layer instanceof LastTimeStepLayer step && step.getUnderlying().conf().getLayer() instanceof Gru),
                task + " --cell GRU has no Gru layer");
        roundTrip(task.name() + "-gru", network, task.sequenceLength(options));
    }

    /**
     * Both of Keras's GRU forms, both gate activations, every candidate activation the import takes,
     * rnnlab's op-by-op Gru and its FastGru, with and without return_sequences: two stacked GRU layers
     * of the form, then a per-step or a last-step output layer.
     */
    static Stream<Arguments> gruForms() {
        return Stream.of(
                Arguments.of(false, Activation.HARDSIGMOID, Activation.TANH, false, false),
                Arguments.of(true, Activation.HARDSIGMOID, Activation.TANH, true, false),
                Arguments.of(false, Activation.SIGMOID, Activation.RELU, true, true),
                Arguments.of(true, Activation.SIGMOID, Activation.IDENTITY, false, true),
                Arguments.of(false, Activation.HARDSIGMOID, Activation.SIGMOID, false, true),
                Arguments.of(true, Activation.SIGMOID, Activation.HARDSIGMOID, true, false));
    }

    @ParameterizedTest(name = "reset_after={0}, gates {1}, activation {2}, last step {3}, FastGru {4}")
    @MethodSource("gruForms")
    void everyGruFormRoundTripsThroughKeras(boolean resetAfter, Activation gate, Activation activation, boolean lastStep,
            boolean fast) throws Exception {
        MultiLayerNetwork network = new MultiLayerNetwork(gruNetwork(resetAfter, gate, activation, lastStep, fast));
        network.init();
        roundTrip("gru-" + resetAfter + "-" + gate + "-" + activation + "-" + lastStep + "-" + fast, network,
                OptionalInt.of(6));
    }

    static MultiLayerConfiguration gruNetwork(boolean resetAfter, Activation gate, Activation activation,
            boolean lastStep, boolean fast) {
        org.deeplearning4j.nn.conf.layers.Layer second = gru(resetAfter, gate, activation, fast).nIn(5).nOut(4).build();
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).list()
                .layer(gru(resetAfter, gate, activation, fast).nIn(3).nOut(5).build())
                .layer(lastStep ? new LastTimeStep(second) : second)
                .layer(lastStep
                        ? new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nIn(4)
                                .nOut(2).build()
                        : new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nIn(4)
                                .nOut(2).build())
                .build();
    }

    private static Gru.Builder gru(boolean resetAfter, Activation gate, Activation activation, boolean fast) {
        Gru.Builder builder = fast ? new FastGru.Builder() : new Gru.Builder();
        return builder.resetAfter(resetAfter).gateActivationFunction(gate).activation(activation);
    }

    /**
     * The same GRU layers as a functional model (an InputLayer and each layer's inbound node, as
     * {@code model.to_json()} writes a Model), given as a JSON config and the exported file's weights:
     * DL4J's importer builds a ComputationGraph with rnnlab's Gru, which gives the network's outputs.
     */
    @Test
    void aGruModelImportsAsAFunctionalModelToo() throws Exception {
        MultiLayerNetwork network = new MultiLayerNetwork(gruNetwork(true, Activation.SIGMOID, Activation.TANH, true, false));
        network.init();
        network.paramTable().forEach((key, value) -> value.assign(Nd4j.randn(value.dataType(), value.shape()).muli(0.5)));
        Path h5 = dir.resolve("sequential.h5");
        KerasExport.write(network, OptionalInt.of(6), h5);

        ObjectNode model = Json.MAPPER.createObjectNode().put("class_name", "Model");
        ObjectNode config = model.putObject("config").put("name", "model");
        ArrayNode layers = config.putArray("layers");
        ObjectNode input = layers.addObject().put("class_name", "InputLayer").put("name", "input_1");
        input.putObject("config").put("name", "input_1").put("dtype", "float32").put("sparse", false)
                .set("batch_input_shape", Json.MAPPER.readTree("[null, 6, 3]"));
        input.putArray("inbound_nodes");
        String previous = "input_1";
        for (com.fasterxml.jackson.databind.JsonNode layer : KerasSettings.layers(KerasFile.read(h5).modelConfig())) {
            ObjectNode copy = layer.deepCopy();
            ((ObjectNode) copy.path("config")).remove("batch_input_shape");
            String name = copy.path("config").path("name").asText();
            copy.put("name", name);
            copy.putArray("inbound_nodes").addArray().addArray().add(previous).add(0).add(0).addObject();
            layers.add(copy);
            previous = name;
        }
        config.set("input_layers", Json.MAPPER.readTree("[[\"input_1\", 0, 0]]"));
        config.set("output_layers", Json.MAPPER.readTree("[[\"" + previous + "\", 0, 0]]"));
        model.put("keras_version", KerasExport.KERAS_VERSION).put("backend", "tensorflow"); // as to_json() writes them
        Path json = java.nio.file.Files.writeString(dir.resolve("model.json"), Json.MAPPER.writeValueAsString(model));

        ImportedModel imported = ImportedModel.fromKeras(KerasFile.read(json, h5));
        assertTrue(imported.network() instanceof org.deeplearning4j.nn.graph.ComputationGraph, imported.describe());
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 6, 3);
        INDArray expected = network.output(x.permute(0, 2, 1).dup('c'));
        assertClose("functional GRU model, DL4J's importer", expected, imported.predict(x));
    }

    /** The two gate activations the GRU import maps: ND4J's hard sigmoid is Keras 2's clip(0.2 x + 0.5, 0, 1). */
    @Test
    void nd4jsHardSigmoidIsKeras2s() {
        double[] x = {-4, -2.5, -2.4, -1, -0.3, 0, 0.7, 2.4, 2.5, 4};
        INDArray y = new ActivationHardSigmoid().getActivation(Nd4j.createFromArray(x), false);
        for (int i = 0; i < x.length; i++) {
            assertEquals(KerasEquations.scalar("hard_sigmoid", x[i]), y.getDouble(i), 1e-7, "x = " + x[i]);
        }
    }

    private <O extends Record> void check(Task<O, ?> task) throws Exception {
        O options = task.defaultOptions();
        MultiLayerNetwork network = new MultiLayerNetwork(task.network(options));
        network.init();
        roundTrip(task.name(), network, task.sequenceLength(options));
    }

    /**
     * Writes {@code network} with random weights of unit gain, reads it back through DL4J's importer
     * and through Keras's equations, and checks both against the network's own outputs, the file's
     * layout and its summary's count.
     */
    private void roundTrip(String name, MultiLayerNetwork network, OptionalInt steps) throws Exception {
        Random random = new Random(name.hashCode());
        // weights of unit gain, so that every gate and unit is exercised (the tasks' initialisers are small)
        network.paramTable().forEach((key, value) -> value.assign(Nd4j.randn(value.dataType(), value.shape())
                .muli(0.6 / Math.sqrt(Math.max(1, value.size(0))))));
        Path file = dir.resolve(name + ".h5");
        KerasExport.write(network, steps, file);

        int length = steps.orElse(5);
        long features = network.layerInputSize(0);
        double[][][] x = new double[2][length][(int) features];
        for (double[][] sequence : x) {
            for (double[] step : sequence) {
                for (int f = 0; f < features; f++) {
                    step[f] = random.nextGaussian();
                }
            }
        }
        INDArray keras = Nd4j.createFromArray(x).castTo(network.params().dataType());
        INDArray expected = network.output(keras.permute(0, 2, 1).dup('c'));
        expected = expected.rank() == 3 ? expected.permute(0, 2, 1).dup('c') : expected;

        if (steps.isPresent()) {
            INDArray byDl4j = ImportedModel.fromKeras(file).predict(keras.castTo(DataType.FLOAT));
            assertClose(name + ", DL4J's importer", expected, byDl4j);
        } else {
            // Sequences of any length (steps None), as Keras allows: DL4J 1.0.0-M2.1's importer cannot
            // read a per-step Dense over them back (docs/keras.md); Keras's equations below still check the file
            String refused = org.junit.jupiter.api.Assertions.assertThrows(org.rnnlab.BadInputException.class,
                    () -> ImportedModel.fromKeras(file)).getMessage();
            assertTrue(refused.contains("Input shape must not be zero") && !refused.contains("\n"), refused);
        }

        INDArray byEquations = Nd4j.createFromArray(KerasEquations.of(file).predict(x));
        if (expected.rank() == 2) {
            byEquations = byEquations.reshape(byEquations.size(0), byEquations.size(2));
        }
        assertClose(name + ", Keras's equations", expected, byEquations);

        // The layout of the real files: root attributes, model_weights with layer_names, float32 weights
        try (Hdf5Archive archive = Hdf5Files.open(file)) {
            for (String attribute : new String[] {"keras_version", "backend", "model_config"}) {
                assertTrue(archive.hasAttribute(attribute), attribute);
            }
            assertEquals(KerasExport.KERAS_VERSION, archive.readAttributeAsString("keras_version"));
            assertTrue(archive.hasAttribute("layer_names", "model_weights"), "layer_names");
            for (String layer : archive.getGroups("model_weights")) {
                assertTrue(archive.hasAttribute("weight_names", "model_weights", layer), layer + ": weight_names");
                for (String set : archive.getDataSets("model_weights", layer, layer)) {
                    assertEquals(DataType.FLOAT, archive.readDataSet(set, "model_weights", layer, layer).dataType(), set);
                }
            }
        }
        assertEquals(network.numParams(), KerasConfigSummary.rows(KerasFile.read(file).modelConfig()).stream()
                .mapToLong(org.rnnlab.summary.KerasSummary.Row::parameters).sum(), "the summary's count of the file");
    }

    private static void assertClose(String what, INDArray expected, INDArray actual) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
        double largest = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        System.out.printf("%s: largest difference %.2g%n", what, largest); // the figures docs/keras.md quotes
        assertTrue(largest <= 1e-5, what + ": largest difference " + largest);
    }
}
