package org.rnnlab.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * The configuration of an {@link RnnOutputLayer} computed by {@link FastRnnOutputLayerImpl}: same
 * parameters, same maths, and for a softmax with multi-class cross-entropy (a language model's
 * output) fewer and larger operations on time-major rows. Any other activation, loss or a label mask
 * takes DL4J's own code path. It is an RnnOutputLayer to everything that inspects one.
 */
public class FastRnnOutputLayer extends RnnOutputLayer {

    /** For Jackson; use the {@link Builder}. */
    public FastRnnOutputLayer() {
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("FastRnnOutputLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        return LayerWiring.wire(new FastRnnOutputLayerImpl(conf, networkDataType), conf, listeners, layerIndex, layerParamsView,
                initializeParams, initializer());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FastRnnOutputLayer && super.equals(other);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof FastRnnOutputLayer;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 2;
    }

    /** Built like DL4J's {@code new RnnOutputLayer.Builder(loss)...build()}. */
    public static class Builder extends RnnOutputLayer.Builder {
        public Builder(LossFunctions.LossFunction loss) {
            super(loss);
        }

        public Builder(ILossFunction loss) {
            super(loss);
        }

        /**
         * RnnOutputLayer's constructor from a builder is private, so this builds DL4J's configuration
         * and reads its JSON back as this class: every setting made on the builder carries over.
         */
        @Override
        @SuppressWarnings("unchecked")
        public FastRnnOutputLayer build() {
            RnnOutputLayer stock = super.build();
            ObjectMapper mapper = NeuralNetConfiguration.mapper();
            try {
                ObjectNode tree = mapper.valueToTree(stock);
                tree.put("@class", FastRnnOutputLayer.class.getName());
                return mapper.treeToValue(tree, FastRnnOutputLayer.class);
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw new IllegalStateException("could not copy the RnnOutputLayer configuration: " + e.getMessage(), e);
            }
        }
    }
}
