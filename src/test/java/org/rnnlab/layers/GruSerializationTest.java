package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.deeplearning4j.nn.conf.constraint.NonNegativeConstraint;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitConstant;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** Gru's configuration, parameters and saved models: JSON, model zips, parameter counts and layout, defaults. */
class GruSerializationTest {

    private static MultiLayerConfiguration configuration(int nIn, int units, Gru gru) {
        return new NeuralNetConfiguration.Builder().seed(12).updater(new Adam(0.01)).list()
                .layer(gru)
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(nIn)).build();
    }

    private static MultiLayerNetwork network(int nIn, int units, boolean resetAfter) {
        MultiLayerNetwork network = new MultiLayerNetwork(
                configuration(nIn, units, new Gru.Builder().nOut(units).resetAfter(resetAfter).build()));
        network.init();
        return network;
    }

    @Test
    void theBuilderDefaultsAreKerasOnes() {
        Gru gru = new Gru.Builder().nOut(4).build();
        assertTrue(gru.isResetAfter());
        assertEquals(Gru.DEFAULT_RESET_AFTER, gru.isResetAfter());
        assertInstanceOf(ActivationTanH.class, gru.getActivationFn());
        assertInstanceOf(ActivationSigmoid.class, gru.getGateActivationFn());
        // a network-wide activation does not replace the Gru's own
        MultiLayerConfiguration configuration = new NeuralNetConfiguration.Builder().activation(Activation.RELU).list()
                .layer(new Gru.Builder().nOut(4).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).nOut(2).build())
                .setInputType(InputType.recurrent(3)).build();
        assertInstanceOf(ActivationTanH.class, ((Gru) configuration.getConf(0).getLayer()).getActivationFn());
    }

    @Test
    void jsonRoundTripsEverySetting() {
        Gru gru = new Gru.Builder().nOut(5).resetAfter(false).activation(Activation.SOFTSIGN)
                .gateActivationFunction(Activation.HARDSIGMOID).weightInitRecurrent(WeightInit.XAVIER_UNIFORM)
                .dropOut(0.8).constrainRecurrent(new MaxNormConstraint(2.0, 1)).name("encoder").build();
        MultiLayerConfiguration configuration = configuration(3, 5, gru);
        String json = configuration.toJson();
        assertTrue(json.contains(Gru.class.getName()), json);
        assertTrue(json.contains("\"resetAfter\" : false"), json);
        MultiLayerConfiguration copy = MultiLayerConfiguration.fromJson(json);
        assertEquals(configuration, copy);
        assertEquals(configuration.toJson(), copy.toJson());
        Gru read = assertInstanceOf(Gru.class, copy.getConf(0).getLayer());
        assertFalse(read.isResetAfter());
        assertInstanceOf(ActivationSoftSign.class, read.getActivationFn());
        assertInstanceOf(ActivationHardSigmoid.class, read.getGateActivationFn());
        assertEquals(WeightInit.XAVIER_UNIFORM.getWeightInitFunction(), read.getWeightInitFnRecurrent());
        assertEquals("encoder", read.getLayerName());
        assertEquals(gru, read);
        assertEquals(gru.hashCode(), read.hashCode());
    }

    @Test
    void theTwoVariantsAreDifferentConfigurations() {
        Gru after = new Gru.Builder().nOut(4).resetAfter(true).build();
        Gru before = new Gru.Builder().nOut(4).resetAfter(false).build();
        assertNotEquals(after, before);
        assertEquals(after, new Gru.Builder().nOut(4).resetAfter(true).build());
        assertNotEquals(after, new Gru.Builder().nOut(4).gateActivationFunction(Activation.HARDSIGMOID).build());
    }

    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void aModelZipRestoresTheSameGru(boolean resetAfter, @TempDir Path dir) throws Exception {
        MultiLayerNetwork network = network(3, 4, resetAfter);
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 5);
        INDArray labels = Nd4j.rand(DataType.FLOAT, 2, 2, 5);
        network.fit(input, labels); // non-trivial updater state too

        File zip = dir.resolve("gru.zip").toFile();
        ModelSerializer.writeModel(network, zip, true);
        MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        assertInstanceOf(GruLayer.class, loaded.getLayer(0));
        assertEquals(network.getLayerWiseConfigurations(), loaded.getLayerWiseConfigurations());
        assertEquals(network.params(), loaded.params());
        assertEquals(network.paramTable().keySet(), loaded.paramTable().keySet());
        assertEquals(network.getUpdater().getStateViewArray(), loaded.getUpdater().getStateViewArray());
        assertEquals(network.output(input), loaded.output(input));
        // and both go on training alike
        network.fit(input, labels);
        loaded.fit(input, labels);
        assertEquals(network.params(), loaded.params());
    }

    @Test
    void numParamsFollowsTheFormula() {
        for (int nIn : new int[] {1, 2, 7}) {
            for (int units : new int[] {1, 3, 10}) {
                for (boolean resetAfter : new boolean[] {false, true}) {
                    long expected = resetAfter ? 3L * (units * (units + nIn) + 2 * units)
                            : 3L * (units * (units + nIn) + units);
                    MultiLayerNetwork network = network(nIn, units, resetAfter);
                    String name = "f " + nIn + ", u " + units + ", resetAfter " + resetAfter;
                    assertEquals(expected, network.getLayer(0).numParams(), name);
                    assertEquals(expected, GruParamInitializer.numParams(nIn, units, resetAfter), name);
                    Map<String, INDArray> table = network.getLayer(0).paramTable();
                    assertEquals(resetAfter ? List.of("W", "RW", "b", "RB") : List.of("W", "RW", "b"),
                            List.copyOf(table.keySet()), name);
                    assertArrayEquals(new long[] {nIn, 3L * units}, table.get("W").shape(), name);
                    assertArrayEquals(new long[] {units, 3L * units}, table.get("RW").shape(), name);
                    assertArrayEquals(new long[] {1, 3L * units}, table.get("b").shape(), name);
                    if (resetAfter) {
                        assertArrayEquals(new long[] {1, 3L * units}, table.get("RB").shape(), name);
                    }
                }
            }
        }
    }

    /** The flattened vector is W, RW, b, RB, each matrix column-major, and the named parameters are views of it. */
    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void parametersAreFOrderViewsInTheOrderWRwBRb(boolean resetAfter) {
        MultiLayerNetwork network = network(2, 3, resetAfter);
        org.deeplearning4j.nn.api.Layer layer = network.getLayer(0);
        INDArray flat = layer.params();
        Nd4j.getRandom().setSeed(3);
        flat.assign(Nd4j.rand(flat.dataType(), flat.shape()));
        int at = 0;
        for (String key : layer.paramTable().keySet()) {
            INDArray param = layer.getParam(key);
            double[] expected = param.dup('f').data().asDouble();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], flat.getDouble(at + i), key + " element " + i);
            }
            at += expected.length;
        }
        assertEquals(flat.length(), at);
        // W [f, 3u]: column j of W is element j * f onwards (column-major)
        INDArray w = layer.getParam("W");
        assertEquals(w.getDouble(1, 4), flat.getDouble(4 * 2 + 1));
        // writing a named parameter writes the network's vector
        layer.getParam("RW").putScalar(0, 1, 42.0);
        assertEquals(42.0, network.params().getDouble(2 * 9 + 3)); // RW starts after W's 18; (0, 1) is its 4th element
    }

    @Test
    void weightsAndBiasesAreInitialisedAsTheBuilderSays() {
        MultiLayerNetwork network = new MultiLayerNetwork(configuration(2, 3, new Gru.Builder().nOut(3)
                .weightInit(new WeightInitConstant(0.3)).weightInitRecurrent(new WeightInitConstant(-0.2))
                .biasInit(0.25).build()));
        network.init();
        assertEquals(0.3, network.getParam("0_W").minNumber().doubleValue(), 1e-7);
        assertEquals(0.3, network.getParam("0_W").maxNumber().doubleValue(), 1e-7);
        assertEquals(-0.2, network.getParam("0_RW").maxNumber().doubleValue(), 1e-7);
        assertEquals(0.25, network.getParam("0_b").minNumber().doubleValue(), 1e-7);
        assertEquals(0.25, network.getParam("0_RB").minNumber().doubleValue(), 1e-7);

        MultiLayerNetwork sameInit = new MultiLayerNetwork(configuration(2, 3, new Gru.Builder().nOut(3)
                .weightInit(new WeightInitConstant(0.3)).build()));
        sameInit.init();
        assertEquals(0.3, sameInit.getParam("0_RW").minNumber().doubleValue(), 1e-7);
        assertEquals(0.0, sameInit.getParam("0_RB").amaxNumber().doubleValue()); // DL4J's default biasInit 0
    }

    @Test
    void recurrentAndInputWeightConstraintsApplyToRwAndW() {
        Gru gru = new Gru.Builder().nOut(3).constrainRecurrent(new MaxNormConstraint(1.0, 1))
                .constrainInputWeights(new NonNegativeConstraint()).constrainBias(new NonNegativeConstraint()).build();
        List<LayerConstraint> constraints = gru.getConstraints();
        assertTrue(constraints.stream().anyMatch(c -> c instanceof MaxNormConstraint && c.getParams().equals(java.util.Set.of("RW"))),
                constraints::toString);
        assertTrue(constraints.stream().anyMatch(c -> c instanceof NonNegativeConstraint && c.getParams().equals(java.util.Set.of("W"))),
                constraints::toString);
        assertTrue(constraints.stream().anyMatch(c -> c.getParams().equals(java.util.Set.of("b", "RB"))),
                constraints::toString);
    }

    @Test
    void outputTypeAndMemoryReport() {
        Gru gru = new Gru.Builder().nIn(3).nOut(4).build();
        InputType in = InputType.recurrent(3, 7);
        assertEquals(InputType.recurrent(4, 7), gru.getOutputType(0, in));
        LayerMemoryReport report = gru.getMemoryReport(in);
        assertEquals(GruParamInitializer.numParams(3, 4, true), report.getParameterSize());
        assertEquals(Gru.class, report.getReportClass());
        assertEquals(InputType.recurrent(4, 7), report.getOutputType());
        // the network-wide report runs over it too
        MultiLayerConfiguration configuration = configuration(3, 4, new Gru.Builder().nOut(4).build());
        assertTrue(configuration.getMemoryReport(in).getTotalMemoryBytes(8, org.deeplearning4j.nn.conf.memory.MemoryUseMode.TRAINING,
                org.deeplearning4j.nn.conf.CacheMode.NONE, DataType.FLOAT) > 0);
    }
}
