package org.rnnlab.nets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.rnnlab.data.Json;
import org.rnnlab.inference.Stepping;
import org.rnnlab.inference.TimeStepper;

/**
 * A network together with the normalizer its data went through, if any: what a model zip holds
 * and what predictions need. {@link #output} takes and gives values in the data's own units.
 *
 * @param network    the DL4J network
 * @param normalizer fitted on the training data (features, and labels where it was fitted on them); null for none
 * @param state      what else predictions need, saved as the {@code extras} of rnnlab.json (char-rnn's
 *                   vocabulary, for example); an empty object for none
 */
public record TrainedNetwork(MultiLayerNetwork network, DataNormalization normalizer, ObjectNode state) {

    public TrainedNetwork {
        state = state == null ? Json.MAPPER.createObjectNode() : state;
    }

    public TrainedNetwork(MultiLayerNetwork network, DataNormalization normalizer) {
        this(network, normalizer, null);
    }

    public static TrainedNetwork withoutNormalizer(MultiLayerNetwork network) {
        return new TrainedNetwork(network, null);
    }

    /** Outputs for raw features [n, nIn, T]: normalized on the way in, labels reverted on the way out. */
    public INDArray output(INDArray features) {
        if (normalizer == null) {
            return network.output(features);
        }
        INDArray normalized = features.dup();
        normalizer.transform(normalized);
        INDArray output = network.output(normalized);
        if (normalizer.isFitLabel()) {
            normalizer.revertLabels(output);
        }
        return output;
    }

    /**
     * One or more steps of {@code rnnTimeStep} for raw features [n, nIn, T]: normalized on the way
     * in, labels reverted on the way out, as {@link #output}. The network keeps its state between
     * calls; {@code network().rnnClearPreviousState()} starts a new sequence.
     */
    public INDArray timeStep(INDArray features) {
        if (normalizer == null) {
            return network.rnnTimeStep(features);
        }
        INDArray normalized = features.dup();
        normalizer.transform(normalized);
        INDArray output = network.rnnTimeStep(normalized);
        if (normalizer.isFitLabel()) {
            normalizer.revertLabels(output);
        }
        return output;
    }

    /**
     * {@link #timeStep}'s contract on a copy of the network's current weights, computed without ND4J
     * where {@link org.rnnlab.inference.StepNetwork} can (else by rnnTimeStep); starts from a zero state.
     */
    public TimeStepper stepper() {
        return TimeStepper.of(network, normalizer, Stepping.STEP_NETWORK);
    }

    /** The network's own loss (what fit() minimizes, masks honoured) on raw data, normalized here as in training. */
    public double score(DataSet data) {
        DataSet normalized = data.copy();
        if (normalizer != null) {
            normalizer.transform(normalized);
        }
        return network.score(normalized);
    }
}
