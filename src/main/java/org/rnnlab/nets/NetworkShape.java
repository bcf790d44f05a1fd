package org.rnnlab.nets;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;

/**
 * What a network is made of, layer by layer: each layer's kind, input width, output width and
 * activation. Two networks of one shape can hold each other's weights; a model zip whose network
 * does not have the shape its own options describe was put together from different models, and is
 * refused on load rather than used (docs/robustness.md, "A model whose parts disagree").
 *
 * @param layers the layers, input side first
 */
public record NetworkShape(List<LayerShape> layers) {

    /**
     * One layer.
     *
     * @param kind       DL4J's layer class ({@code SimpleRnn}, {@code RnnOutputLayer}); rnnlab's fast
     *                   layers count as the DL4J layer they stand in for, a wrapper as
     *                   {@code LastTimeStep(SimpleRnn)}
     * @param inputs     nIn
     * @param outputs    nOut (a recurrent layer's units)
     * @param activation the activation's name, {@code tanh}; empty for layers without one
     */
    public record LayerShape(String kind, long inputs, long outputs, String activation) {
        @Override
        public String toString() {
            return kind + " " + inputs + " -> " + outputs + (activation.isEmpty() ? "" : " " + activation);
        }
    }

    public NetworkShape {
        layers = List.copyOf(layers);
    }

    public static NetworkShape of(MultiLayerConfiguration configuration) {
        List<LayerShape> layers = new ArrayList<>();
        for (NeuralNetConfiguration layer : configuration.getConfs()) {
            layers.add(layer(layer.getLayer()));
        }
        return new NetworkShape(layers);
    }

    private static LayerShape layer(Layer layer) {
        Layer inner = layer instanceof BaseWrapperLayer wrapper ? wrapper.getUnderlying() : layer;
        String kind = inner == layer ? kind(layer.getClass()) : kind(layer.getClass()) + "(" + kind(inner.getClass()) + ")";
        long inputs = inner instanceof FeedForwardLayer f ? f.getNIn() : 0;
        long outputs = inner instanceof FeedForwardLayer f ? f.getNOut() : 0;
        String activation = inner instanceof BaseLayer b && b.getActivationFn() != null ? b.getActivationFn().toString()
                : "";
        return new LayerShape(kind, inputs, outputs, activation);
    }

    /** The nearest DL4J class: rnnlab's FastSimpleRnn is a SimpleRnn, computed another way. */
    private static String kind(Class<?> type) {
        Class<?> c = type;
        while (c != null && !c.getName().startsWith("org.deeplearning4j.")) {
            c = c.getSuperclass();
        }
        return (c == null ? type : c).getSimpleName();
    }

    /** Features each input step has: the first layer's input width. */
    public long inputs() {
        return layers.isEmpty() ? 0 : layers.get(0).inputs();
    }

    /** Values each output step has: the last layer's output width. */
    public long outputs() {
        return layers.isEmpty() ? 0 : layers.get(layers.size() - 1).outputs();
    }

    /**
     * How this (a loaded network) differs from {@code described} (the network its options
     * describe), in words, naming the first layer that differs; empty when they agree.
     */
    public Optional<String> differenceFrom(NetworkShape described) {
        if (layers.size() != described.layers.size()) {
            return Optional.of("the network has " + layers.size() + " layers (" + this + ") where the options give "
                    + described.layers.size() + " (" + described + ")");
        }
        for (int l = 0; l < layers.size(); l++) {
            LayerShape has = layers.get(l);
            LayerShape given = described.layers.get(l);
            String at = "layer " + (l + 1) + " ";
            if (!has.kind().equals(given.kind())) {
                return Optional.of(at + "is a " + has.kind() + " where the options give a " + given.kind());
            }
            if (has.inputs() != given.inputs()) {
                return Optional.of(at + "(" + has.kind() + ") takes " + has.inputs() + " inputs where the options give "
                        + given.inputs());
            }
            if (has.outputs() != given.outputs()) {
                return Optional.of(at + "(" + has.kind() + ") has " + has.outputs() + " outputs where the options give "
                        + given.outputs());
            }
            if (!has.activation().equals(given.activation())) {
                return Optional.of(at + "(" + has.kind() + ") computes " + has.activation() + " where the options give "
                        + given.activation());
            }
        }
        return Optional.empty();
    }

    /**
     * How a normalizer disagrees with this network, in words; empty when its statistics are as wide
     * as the network's input (and, where it scales labels, its output).
     */
    public Optional<String> normalizerDifference(DataNormalization normalizer) {
        if (normalizer instanceof NormalizerStandardize standardize) {
            if (width(standardize.getMean()) != inputs()) {
                return Optional.of("the normalizer scales " + width(standardize.getMean()) + " features where the"
                        + " network takes " + inputs());
            }
            if (standardize.isFitLabel() && width(standardize.getLabelMean()) != outputs()) {
                return Optional.of("the normalizer scales " + width(standardize.getLabelMean()) + " outputs where the"
                        + " network has " + outputs());
            }
        }
        return Optional.empty();
    }

    private static long width(INDArray statistics) {
        return statistics == null ? -1 : statistics.length();
    }

    @Override
    public String toString() {
        return String.join(", ", layers.stream().map(LayerShape::toString).toList());
    }
}
