package org.rnnlab.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Random;
import java.util.stream.Stream;
import org.bytedeco.hdf5.H5File;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;

/**
 * Every task's network written as a Keras HDF5 model, then read back by two independent readers:
 * DL4J's importer, and Keras's equations computed on the file's weights (KerasEquations, which the
 * real Keras files check). Both give the rnnlab network's outputs.
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

    private <O extends Record> void check(Task<O, ?> task) throws Exception {
        O options = task.defaultOptions();
        MultiLayerNetwork network = new MultiLayerNetwork(task.network(options));
        network.init();
        Random random = new Random(task.name().hashCode());
        // weights of unit gain, so that every gate and unit is exercised (the tasks' initialisers are small)
        network.paramTable().forEach((key, value) -> value.assign(Nd4j.randn(value.dataType(), value.shape())
                .muli(0.6 / Math.sqrt(Math.max(1, value.size(0))))));
        Path file = dir.resolve(task.name() + ".h5");
        OptionalInt steps = task.sequenceLength(options);
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
            assertClose(task + ", DL4J's importer", expected, byDl4j);
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
        assertClose(task + ", Keras's equations", expected, byEquations);

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
        assertTrue(largest <= 1e-5, what + ": largest difference " + largest);
    }
}
