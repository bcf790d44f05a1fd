package org.rnnlab.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.BadInputException;
import org.rnnlab.layers.Gru;

/**
 * The four styles against text Keras would print. The goldens under src/test/resources were made
 * outside this code: keras-summary.keras2.2.txt is seed 003's block; the stacked.* files come from
 * the row-printing functions of Keras 2.2 and tf.keras 2.x run in Python, and from the rich library
 * (which Keras 3 prints with) given Keras 3's table settings.
 */
class KerasSummaryTest {

    static String golden(String name) {
        try (InputStream in = KerasSummaryTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static MultiLayerNetwork initialised(NeuralNetConfiguration.ListBuilder layers, InputType input) {
        MultiLayerNetwork network = new MultiLayerNetwork(layers.setInputType(input).build());
        network.init();
        return network;
    }

    /** Two SimpleRnn layers of 100 over 80 features and a Dense of 80 at every step: char-rnn stacked. */
    static MultiLayerNetwork stacked() {
        return initialised(new NeuralNetConfiguration.Builder().list()
                .layer(new SimpleRnn.Builder().nOut(100).activation(Activation.TANH).build())
                .layer(new SimpleRnn.Builder().nOut(100).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MCXENT).nOut(80).activation(Activation.SOFTMAX).build()),
                InputType.recurrent(80));
    }

    /** The seed's model: SimpleRNN(10, input_shape=(3, 1)) + Dense(1). */
    static MultiLayerNetwork seedModel() {
        return initialised(new NeuralNetConfiguration.Builder().list()
                .layer(new LastTimeStep(new SimpleRnn.Builder().nOut(10).build()))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build()),
                InputType.recurrent(1, 3));
    }

    @Test
    void keras22PrintsTheSeedsSummaryByteForByte() {
        assertEquals(golden("keras-summary.keras2.2.txt"),
                KerasSummary.render(seedModel(), OptionalInt.of(3), SummaryStyle.KERAS_2_2));
        assertEquals(golden("keras-summary.keras2.2.txt"),
                KerasSummary.render(seedModel(), OptionalInt.empty(), SummaryStyle.KERAS_2_2),
                "a network that hands on only its last step shows no T");
    }

    @ParameterizedTest
    @EnumSource(value = SummaryStyle.class, names = {"KERAS_2_2", "KERAS", "KERAS_3"})
    void aStackedNetworkWithSequenceOutputsInEachKerasStyle(SummaryStyle style) {
        assertEquals(golden("stacked." + style.label() + ".txt"),
                KerasSummary.render(stacked(), OptionalInt.of(25), style));
    }

    @Test
    void dl4jStyleIsDl4jsOwnSummary() {
        MultiLayerNetwork network = stacked();
        assertEquals(network.summary(), KerasSummary.render(network, OptionalInt.of(25), SummaryStyle.DL4J));
    }

    @Test
    void stepsThatVaryPrintNone() {
        List<String> shapes = KerasModelView.of(stacked(), OptionalInt.empty()).layers().stream()
                .map(KerasLayerView::outputShape).toList();
        assertEquals(List.of("(None, None, 100)", "(None, None, 100)", "(None, None, 80)"), shapes);
    }

    @Test
    void eachKerasVersionNumbersLayersItsOwnWay() {
        KerasModelView view = KerasModelView.of(stacked(), OptionalInt.of(25));
        assertEquals(List.of("simple_rnn_1", "simple_rnn_2", "dense_1"), view.layerNames(true));
        assertEquals(List.of("simple_rnn", "simple_rnn_1", "dense"), view.layerNames(false));
    }

    @Test
    void denseLayersFollowWhatComesIn() {
        // A DenseLayer on a sequence is applied at every step; after LastTimeStep it sees one vector.
        MultiLayerNetwork network = initialised(new NeuralNetConfiguration.Builder().list()
                .layer(new SimpleRnn.Builder().nOut(8).build())
                .layer(new DenseLayer.Builder().nOut(6).build())
                .layer(new LastTimeStep(new SimpleRnn.Builder().nOut(4).build()))
                .layer(new DenseLayer.Builder().nOut(3).hasBias(false).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(2).build()), InputType.recurrent(5, 7));
        KerasModelView view = KerasModelView.of(network, OptionalInt.of(7));
        assertEquals(List.of("(None, 7, 8)", "(None, 7, 6)", "(None, 4)", "(None, 3)", "(None, 2)"),
                view.layers().stream().map(KerasLayerView::outputShape).toList());
        assertEquals(List.of(5L * 8 + 8 * 8 + 8, 8L * 6 + 6, 6L * 4 + 4 * 4 + 4, 4L * 3, 3L * 2 + 2),
                view.layers().stream().map(KerasLayerView::kerasParameters).toList());
        assertTrue(view.countsAgree());
        assertEquals(network.numParams(), view.kerasParameters());
    }

    @Test
    void theSeedsParameterArithmetic() {
        List<KerasLayerView> layers = KerasModelView.of(seedModel(), OptionalInt.of(3)).layers();
        assertEquals("recurrent weights 10 x 10 = 100 + input weights 1 x 10 = 10 + biases 10 = 120",
                layers.get(0).parameterBreakdown());
        assertEquals("weights 10 x 1 = 10 + biases 1 = 11", layers.get(1).parameterBreakdown());
    }

    @Test
    void lstmLayersCountFourGatesAsKerasDoes() {
        MultiLayerNetwork network = initialised(new NeuralNetConfiguration.Builder().list()
                .layer(new LSTM.Builder().nOut(10).build())
                .layer(new LastTimeStep(new LSTM.Builder().nOut(6).build()))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build()),
                InputType.recurrent(3, 5));
        KerasModelView view = KerasModelView.of(network, OptionalInt.of(5));
        // Keras: 4(u(u + f) + u)
        assertEquals(List.of(4L * (10 * (10 + 3) + 10), 4L * (6 * (6 + 10) + 6), 6L * 2 + 2),
                view.layers().stream().map(KerasLayerView::kerasParameters).toList());
        assertTrue(view.countsAgree(), "DL4J's LSTM holds what Keras's does");
        assertEquals(List.of("(None, 5, 10)", "(None, 6)", "(None, 2)"),
                view.layers().stream().map(KerasLayerView::outputShape).toList());
        assertEquals(List.of("lstm", "lstm_1", "dense"), view.layerNames(false));
        assertEquals("recurrent weights 4 x 10 x 10 = 400 + input weights 4 x 3 x 10 = 120 + biases 4 x 10 = 40 = 560",
                view.layers().get(0).parameterBreakdown());
        assertTrue(KerasSummary.render(network, OptionalInt.of(5), SummaryStyle.KERAS).contains("lstm (LSTM)"));
    }

    @Test
    void rnnlabsGruIsKerasGruInEitherResetForm() {
        for (boolean resetAfter : new boolean[] {true, false}) {
            MultiLayerNetwork network = initialised(new NeuralNetConfiguration.Builder().list()
                    .layer(new Gru.Builder().resetAfter(resetAfter).nOut(10).build())
                    .layer(new RnnOutputLayer.Builder(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build()),
                    InputType.recurrent(3));
            KerasModelView view = KerasModelView.of(network, OptionalInt.empty());
            assertEquals(resetAfter ? 3L * (10 * 13 + 20) : 3L * (10 * 13 + 10), view.layers().get(0).kerasParameters());
            assertTrue(view.countsAgree(), "the Gru holds what Keras's GRU does");
            assertTrue(KerasSummary.render(network, OptionalInt.empty(), SummaryStyle.KERAS).contains("gru (GRU)"));
        }
    }

    @Test
    void theGruVariantsCountOneOrTwoBiasesPerGate() {
        KerasLayerView before = new KerasLayerView(KerasLayerView.Kind.GRU, 3, 10, true, true, OptionalInt.empty(), 0);
        KerasLayerView after = new KerasLayerView(KerasLayerView.Kind.GRU_RESET_AFTER, 3, 10, true, true,
                OptionalInt.empty(), 0);
        assertEquals(3L * (10 * (10 + 3) + 10), before.kerasParameters()); // Keras 2.1: 3(u(u + f) + u)
        assertEquals(3L * (10 * (10 + 3) + 2 * 10), after.kerasParameters()); // tf.keras 2: 3(u(u + f) + 2u)
        assertEquals("recurrent weights 3 x 10 x 10 = 300 + input weights 3 x 3 x 10 = 90 + biases 3 x 2 x 10 = 60"
                + " = 450", after.parameterBreakdown());
        assertEquals("GRU", after.kind().className());
    }

    @Test
    void layersWithoutAKerasTwinAreNamed() {
        MultiLayerNetwork network = initialised(new NeuralNetConfiguration.Builder().list()
                .layer(new GravesLSTM.Builder().nOut(4).build()) // peepholes: Keras's LSTM has none
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build()),
                InputType.recurrent(2));
        BadInputException e = assertThrows(BadInputException.class,
                () -> KerasSummary.render(network, OptionalInt.empty(), SummaryStyle.KERAS));
        assertTrue(e.getMessage().contains("layer 0 is a GravesLSTM"), e.getMessage());
        // DL4J's own summary needs no mapping.
        assertTrue(KerasSummary.render(network, OptionalInt.empty(), SummaryStyle.DL4J).contains("GravesLSTM"));
    }

    @Test
    void keras22CutsALongCellAndTfKerasWrapsIt() {
        assertEquals("simple_rnn_with_a_long_name  (None, 3, 10)             120       ",
                KerasSummary.keras22Row(new String[] {"simple_rnn_with_a_long_name (SimpleRNN)", "(None, 3, 10)", "120"}));
        // tf.keras also breaks a cell after "),".
        assertEquals(List.of(
                " simple_rnn_with_a_long_nam  [(None, 3, 10),           1234567   ",
                " e (SimpleRNN)                (None, 10)]                        "),
                KerasSummary.tfKerasRow(new String[] {"simple_rnn_with_a_long_name (SimpleRNN)",
                    "[(None, 3, 10), (None, 10)]", "1234567"}));
    }

    @Test
    void keras3WrapsAtSpacesAndCutsLongWords() {
        assertEquals(List.of("a_very_long_layer_name_that_wi…", "(SimpleRNN)"),
                KerasSummary.wrap("a_very_long_layer_name_that_will_wrap (SimpleRNN)", 31));
        assertEquals(List.of("simple_rnn (SimpleRNN)"), KerasSummary.wrap("simple_rnn (SimpleRNN)", 31));
    }

    @Test
    void sizesAsKeras3WritesThem() {
        assertEquals("0.00 B", KerasSummary.readableSize(0));
        assertEquals("524.00 B", KerasSummary.readableSize(524));
        assertEquals("1.00 KB", KerasSummary.readableSize(1024));
        assertEquals("102.27 KB", KerasSummary.readableSize(104_720));
        assertEquals("1.12 KB", KerasSummary.readableSize(1152), "1.125 exactly: Python rounds the tie to even");
        assertEquals("2.00 MB", KerasSummary.readableSize(2 * 1024 * 1024));
    }

    @Test
    void stylesByName() {
        assertEquals(SummaryStyle.KERAS_2_2, SummaryStyle.parse("keras2.2"));
        assertEquals(SummaryStyle.KERAS_3, SummaryStyle.parse("Keras3"));
        BadInputException e = assertThrows(BadInputException.class, () -> SummaryStyle.parse("keras4"));
        assertEquals("unknown summary style 'keras4'; styles: keras2.2, keras, keras3, dl4j", e.getMessage());
    }
}
