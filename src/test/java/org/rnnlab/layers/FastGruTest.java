package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.io.File;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.reference.Dl4jMapping;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.reference.ReferenceCell;
import org.rnnlab.reference.ReferenceRnn;

/**
 * rnnlab's FastGru against its op-by-op Gru on identical weights and against the reference RNN, in
 * float (the fast path is float and reset-after only; the rest runs GruLayer's code, which
 * Dl4jGruTest checks against the reference to 1e-10).
 */
class FastGruTest {

    private static Layer gru(LayerImplementation implementation, int units, Activation activation) {
        return implementation.gru().resetAfter(true).activation(activation).nOut(units).build();
    }

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("gru, mse at every step", 3, (Function<LayerImplementation, Layer[]>) i -> new Layer[] {
                    gru(i, 5, Activation.TANH), FastLstmTest.perStep(LossFunction.MSE, Activation.IDENTITY, 2)},
                        GradientCheck.Labels.EVERY_STEP, 4, 6),
                Arguments.of("two gru, softmax, variable lengths (masked steps)", 2,
                        (Function<LayerImplementation, Layer[]>) i -> new Layer[] {gru(i, 4, Activation.TANH),
                            gru(i, 3, Activation.TANH), FastLstmTest.perStep(LossFunction.MCXENT, Activation.SOFTMAX, 3)},
                        GradientCheck.Labels.VARIABLE_LENGTH, 3, 5),
                Arguments.of("gru with sigmoid as φ, one label at the end", 2, (Function<LayerImplementation, Layer[]>) i ->
                        new Layer[] {gru(i, 3, Activation.SIGMOID), FastLstmTest.perStep(LossFunction.XENT,
                            Activation.SIGMOID, 1)}, GradientCheck.Labels.LAST_STEP_MASK, 2, 4),
                Arguments.of("LastTimeStep(gru), last of variable lengths", 3, (Function<LayerImplementation, Layer[]>) i ->
                        new Layer[] {new LastTimeStep(gru(i, 4, Activation.TANH)), new OutputLayer.Builder(
                            LossFunction.XENT).nOut(2).activation(Activation.SIGMOID).build()},
                        GradientCheck.Labels.LAST_OF_VARIABLE_LENGTH, 3, 5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void fastAndOpByOpGruGiveTheSameScoreOutputsAndGradientsInFloat(String name, int nIn,
            Function<LayerImplementation, Layer[]> layers, GradientCheck.Labels labels, int minibatch, int steps) {
        FastLstmTest.Twins twins = FastLstmTest.Twins.of(nIn, layers, name.hashCode());
        ReferenceRnn.Batch batch = GradientCheck.randomBatch(twins.reference(), labels, minibatch, steps,
                new Random(name.hashCode() + 1));
        boolean lastStepOnly = twins.reference().output().lastStepOnly();
        Dl4jMapping.Dl4jResult fast = Dl4jMapping.scoreAndGradients(twins.fast(), batch, lastStepOnly);
        FastLstmTest.assertAgree(Dl4jMapping.scoreAndGradients(twins.stock(), batch, lastStepOnly), fast);
        FastLstmTest.assertAgree(FastLstmTest.reference(twins.reference(), batch), fast);
    }

    @Test
    void aSecondTruncatedChunkAgreesWithTheOpByOpGru() {
        FastLstmTest.checkSecondChunk(i -> new Layer[] {gru(i, 4, Activation.TANH),
            FastLstmTest.perStep(LossFunction.MSE, Activation.IDENTITY, 2)}, GruLayer.STATE_KEY_PREV_ACTIVATION);
    }

    @Test
    void charRnnsTrainersCarryTheFastGrusStateAsTheOpByOpGru() {
        FastLstmTest.checkTrainers(i -> gru(i, 6, Activation.TANH), 6);
    }

    @Test
    void stepByStepOutputsEqualTheWholeSequence() {
        FastLstmTest.Twins twins = FastLstmTest.Twins.of(3, i -> new Layer[] {gru(i, 5, Activation.TANH),
            FastLstmTest.perStep(LossFunction.MSE, Activation.IDENTITY, 2)}, 9);
        MultiLayerNetwork network = twins.fast();
        INDArray sequence = Nd4j.rand(DataType.FLOAT, 3, 3, 6);
        INDArray whole = network.output(sequence);
        assertTrue(whole.equalsWithEps(twins.stock().output(sequence), 1e-6), "the whole sequence as Gru's");
        network.rnnClearPreviousState();
        for (int t = 0; t < 6; t++) {
            INDArray step = network.rnnTimeStep(sequence.get(all(), all(), interval(t, t + 1)));
            assertTrue(whole.get(all(), all(), interval(t, t + 1)).equalsWithEps(step, 1e-6), "step " + t);
        }
    }

    /** The reset-before form is not computed fast: it runs GruLayer's code and gives its results. */
    @Test
    void theResetBeforeFormRunsGruLayersCode() {
        FastLstmTest.Twins twins = FastLstmTest.Twins.of(2, i -> new Layer[] {i.gru().resetAfter(false).nOut(3).build(),
            FastLstmTest.perStep(LossFunction.MSE, Activation.IDENTITY, 1)}, 12);
        ReferenceRnn.Batch batch = GradientCheck.randomBatch(twins.reference(), GradientCheck.Labels.EVERY_STEP, 2, 4,
                new Random(2));
        Dl4jMapping.Dl4jResult theirs = Dl4jMapping.scoreAndGradients(twins.stock(), batch, false);
        Dl4jMapping.Dl4jResult ours = Dl4jMapping.scoreAndGradients(twins.fast(), batch, false);
        assertEquals(theirs.score(), ours.score(), 0);
        FastLstmTest.assertAgree(theirs, ours);
    }

    @Test
    void jsonAndModelZipKeepTheFastGru(@TempDir Path dir) throws Exception {
        FastLstmTest.Twins twins = FastLstmTest.Twins.of(3, i -> new Layer[] {gru(i, 5, Activation.TANH),
            FastLstmTest.perStep(LossFunction.MSE, Activation.IDENTITY, 2)}, 10);
        MultiLayerNetwork network = twins.fast();
        MultiLayerConfiguration copy = MultiLayerConfiguration.fromJson(network.getLayerWiseConfigurations().toJson());
        assertEquals(network.getLayerWiseConfigurations(), copy);
        assertInstanceOf(FastGru.class, copy.getConf(0).getLayer());
        assertTrue(!copy.equals(twins.stock().getLayerWiseConfigurations()), "FastGru is not Gru");
        assertEquals(ReferenceCell.GRU_RESET_AFTER, Dl4jMapping.architecture(copy).layers().get(0).cell());

        File zip = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(network, zip, true);
        MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        assertInstanceOf(FastGruLayer.class, loaded.getLayer(0));
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 4);
        assertEquals(network.output(input), loaded.output(input));
        assertInstanceOf(FastGru.class, Cell.GRU.layer(LayerImplementation.FAST, Activation.TANH).build());
        assertEquals(Gru.class, Cell.GRU.layer(LayerImplementation.DL4J, Activation.TANH).build().getClass());
    }
}
