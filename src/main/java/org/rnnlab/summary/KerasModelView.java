package org.rnnlab.summary;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.rnnlab.BadInputException;
import org.rnnlab.layers.Gru;

/**
 * A DL4J MultiLayerNetwork as the Keras Sequential model that computes the same thing, layer by
 * layer:
 * <ul>
 *   <li>SimpleRnn is SimpleRNN with {@code return_sequences=True}: output (None, T, units); LSTM
 *       (DL4J's, without peepholes) is LSTM, and rnnlab's Gru is GRU, in the same way;</li>
 *   <li>LastTimeStep(SimpleRnn) is SimpleRNN as Keras builds it by default, only the last step going
 *       on: (None, units);</li>
 *   <li>RnnOutputLayer is Dense applied at every step: (None, T, units);</li>
 *   <li>OutputLayer and DenseLayer are Dense: (None, T, units) on a sequence, where DL4J reshapes the
 *       steps into rows and Keras applies Dense to the last axis, (None, units) otherwise.</li>
 * </ul>
 * Other layers have no mapping here and are refused with a message that names them.
 *
 * @param layers            one view per DL4J layer, in order
 * @param bytesPerParameter the size of one parameter of the network's data type (4 for FLOAT)
 */
public record KerasModelView(List<KerasLayerView> layers, int bytesPerParameter) {

    public KerasModelView {
        layers = List.copyOf(layers);
    }

    /**
     * @param network an initialised network (DL4J's parameter counts come from its layers)
     * @param steps   the length of the input sequences where it is fixed, empty where it varies
     */
    public static KerasModelView of(MultiLayerNetwork network, OptionalInt steps) {
        MultiLayerConfiguration configuration = network.getLayerWiseConfigurations();
        boolean sequence = readsSequences(configuration);
        List<KerasLayerView> views = new ArrayList<>();
        for (int i = 0; i < configuration.getConfs().size(); i++) {
            KerasLayerView view = view(i, configuration.getConf(i).getLayer(), sequence, steps,
                    network.getLayer(i).numParams());
            views.add(view);
            sequence = view.sequence();
        }
        return new KerasModelView(views, network.params().dataType().width());
    }

    private static KerasLayerView view(int index, Layer layer, boolean sequenceIn, OptionalInt steps,
            long dl4jParameters) {
        boolean lastStepOnly = layer instanceof LastTimeStep;
        Layer inner = layer instanceof LastTimeStep wrapper ? wrapper.getUnderlying() : layer;
        if (inner instanceof SimpleRnn rnn) {
            if (rnn.hasLayerNorm()) {
                throw new BadInputException("layer " + index + " is a SimpleRnn with layer normalization, "
                        + "which Keras's SimpleRNN does not have");
            }
            return new KerasLayerView(KerasLayerView.Kind.SIMPLE_RNN, rnn.getNIn(), rnn.getNOut(), true,
                    !lastStepOnly, steps, dl4jParameters);
        }
        if (inner instanceof LSTM lstm) {
            // DL4J's LSTM (no peepholes) is Keras's LSTM: the same four gates, one bias each.
            return new KerasLayerView(KerasLayerView.Kind.LSTM, lstm.getNIn(), lstm.getNOut(), true, !lastStepOnly,
                    steps, dl4jParameters);
        }
        if (inner instanceof Gru gru) {
            // rnnlab's Gru computes Keras's GRU equations, in either reset_after form.
            return new KerasLayerView(gru.isResetAfter() ? KerasLayerView.Kind.GRU_RESET_AFTER : KerasLayerView.Kind.GRU,
                    gru.getNIn(), gru.getNOut(), true, !lastStepOnly, steps, dl4jParameters);
        }
        if (!lastStepOnly && (inner instanceof RnnOutputLayer || inner instanceof OutputLayer)) {
            BaseOutputLayer out = (BaseOutputLayer) inner;
            return new KerasLayerView(KerasLayerView.Kind.DENSE, out.getNIn(), out.getNOut(), out.hasBias(),
                    sequenceIn || inner instanceof RnnOutputLayer, steps, dl4jParameters);
        }
        if (!lastStepOnly && inner instanceof DenseLayer dense) {
            return new KerasLayerView(KerasLayerView.Kind.DENSE, dense.getNIn(), dense.getNOut(), dense.hasBias(),
                    sequenceIn, steps, dl4jParameters);
        }
        throw new BadInputException("layer " + index + " is a " + describe(layer) + ", which has no Keras "
                + "equivalent here; summaries map SimpleRnn, LSTM, Gru, LastTimeStep of these, DenseLayer, OutputLayer "
                + "and RnnOutputLayer");
    }

    private static String describe(Layer layer) {
        return layer instanceof LastTimeStep wrapper
                ? "LastTimeStep(" + wrapper.getUnderlying().getClass().getSimpleName() + ")"
                : layer.getClass().getSimpleName();
    }

    /** Whether the network's input is a sequence: a recurrent first layer, or a reshape of steps into rows. */
    private static boolean readsSequences(MultiLayerConfiguration configuration) {
        if (configuration.getConfs().isEmpty()) {
            return false;
        }
        Layer first = configuration.getConf(0).getLayer();
        return first instanceof BaseRecurrentLayer || first instanceof LastTimeStep || first instanceof RnnOutputLayer
                || configuration.getInputPreProcess(0) instanceof RnnToFeedForwardPreProcessor;
    }

    /** Parameters by Keras's formulas, over all layers. */
    public long kerasParameters() {
        return layers.stream().mapToLong(KerasLayerView::kerasParameters).sum();
    }

    /** Whether Keras's formula gives DL4J's count for every layer. */
    public boolean countsAgree() {
        return layers.stream().allMatch(l -> l.kerasParameters() == l.dl4jParameters());
    }

    /**
     * The names Keras gives the layers of a fresh session: per Keras class, numbered in order.
     * Keras 2.2 numbers every layer from 1 ({@code simple_rnn_1}, {@code simple_rnn_2}); tf.keras
     * 2.x and Keras 3 leave the first of a kind unnumbered ({@code simple_rnn}, {@code simple_rnn_1}).
     */
    public List<String> layerNames(boolean numberTheFirst) {
        Map<String, Integer> seen = new HashMap<>(); // by Keras class: both GRU variants are "gru"
        List<String> names = new ArrayList<>();
        for (KerasLayerView layer : layers) {
            int before = seen.merge(layer.kind().baseName(), 1, Integer::sum) - 1;
            int number = numberTheFirst ? before + 1 : before;
            names.add(layer.kind().baseName() + (number == 0 ? "" : "_" + number));
        }
        return names;
    }
}
