package org.rnnlab.keras;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rnnlab.BadInputException;
import org.rnnlab.nets.TrainedNetwork;

/**
 * Running a network on arrays laid out as Keras lays them out: sequences [batch, steps, features],
 * feature vectors [batch, features]. DL4J's recurrent layers take [batch, features, steps] unless
 * configured for NWC; the importer configures them for the file's layout, so each call tries the
 * Keras layout first and DL4J's own only where the network refuses it.
 */
public final class KerasLayout {
    private KerasLayout() {
    }

    /** What Keras's {@code model.predict(x)} returns for {@code x}, in Keras's layout. */
    public static INDArray predict(Model network, INDArray x) {
        if (x.rank() != 2 && x.rank() != 3) {
            throw new BadInputException("the input must be [batch, steps, features] or [batch, features], got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        return output(network, x);
    }

    /**
     * The same for an rnnlab network, whose recurrent layers take DL4J's default [batch, features,
     * steps]: the sequences are turned into that layout and the outputs back, and the model's
     * normalizer (where it has one) applied as in every rnnlab prediction.
     */
    public static INDArray predictNcw(TrainedNetwork model, INDArray x) {
        if (x.rank() != 3) {
            throw new BadInputException("the input must be [batch, steps, features], got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        long features = model.network().layerInputSize(0);
        if (x.size(2) != features) {
            throw new BadInputException("the model takes " + features + " features a step; the input has " + x.size(2));
        }
        INDArray y = model.output(x.permute(0, 2, 1).dup('c'));
        return y.rank() == 3 ? y.permute(0, 2, 1).dup('c') : y;
    }

    private static INDArray output(Model network, INDArray x) {
        INDArray[] outputs;
        try {
            if (network instanceof MultiLayerNetwork multi) {
                return multi.output(x, false);
            }
            outputs = ((ComputationGraph) network).output(false, x);
        } catch (DL4JInvalidInputException e) {
            // DL4J's own word on an input it cannot take (an Embedding index out of range, ...): the user's input
            throw new BadInputException("the model cannot take this input: " + e.getMessage(), e);
        }
        if (outputs.length != 1) {
            throw new BadInputException("the model has " + outputs.length + " outputs; rnnlab predicts models with one");
        }
        return outputs[0];
    }
}
