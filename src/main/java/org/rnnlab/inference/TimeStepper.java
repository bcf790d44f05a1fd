package org.rnnlab.inference;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code rnnTimeStep}'s contract for raw features [n, nIn] or [n, nIn, T]: normalized on the way in
 * and labels reverted on the way out when there is a normalizer, the state carried from call to
 * call until {@link #clear()}. The steps are computed by a {@link StepNetwork} where it can,
 * otherwise by the network's own {@code rnnTimeStep}.
 */
public final class TimeStepper {
    private final MultiLayerNetwork network;
    private final DataNormalization normalizer;
    /** Null: DL4J computes the steps. */
    private final StepNetwork steps;

    private TimeStepper(MultiLayerNetwork network, DataNormalization normalizer, StepNetwork steps) {
        this.network = network;
        this.normalizer = normalizer;
        this.steps = steps;
    }

    /** A stepper for {@code network} (a copy of its current weights on the StepNetwork path) and its normalizer (null: none). */
    public static TimeStepper of(MultiLayerNetwork network, DataNormalization normalizer, Stepping stepping) {
        return new TimeStepper(network, normalizer, stepping == Stepping.STEP_NETWORK ? StepNetwork.orNull(network) : null);
    }

    /** Whether the steps run on a StepNetwork rather than on DL4J. */
    public boolean usesStepNetwork() {
        return steps != null;
    }

    /** Starts a new sequence; on the DL4J path this clears the network's stored state. */
    public void clear() {
        if (steps != null) {
            steps.clear();
        } else {
            network.rnnClearPreviousState();
        }
    }

    /** The outputs of one or more steps, [n, nOut] for [n, nIn] features and [n, nOut, T] for [n, nIn, T]. */
    public INDArray step(INDArray features) {
        long width = network.layerInputSize(0);
        if (features.rank() < 2 || features.size(1) != width) {
            throw new IllegalArgumentException("this network takes " + width + " features per step; got input of shape "
                    + java.util.Arrays.toString(features.shape()));
        }
        INDArray input = features;
        if (normalizer != null) {
            input = features.dup();
            normalizer.transform(input);
        }
        INDArray output = steps == null ? network.rnnTimeStep(input) : compute(input);
        if (normalizer != null && normalizer.isFitLabel()) {
            normalizer.revertLabels(output);
        }
        return output;
    }

    private INDArray compute(INDArray input) {
        int n = (int) input.size(0);
        int nOut = steps.outputSize();
        if (input.rank() == 2) {
            return Nd4j.create(steps.step(rows(input)).clone(), new long[] {n, nOut}, 'c');
        }
        if (input.rank() != 3) {
            throw new IllegalArgumentException("features must be [n, nIn] or [n, nIn, T], got rank " + input.rank());
        }
        int length = (int) input.size(2);
        INDArray output = Nd4j.create(DataType.FLOAT, n, nOut, length);
        for (int t = 0; t < length; t++) {
            float[] out = steps.step(rows(input.get(all(), all(), point(t))));
            output.get(all(), all(), point(t)).assign(Nd4j.create(out, new long[] {n, nOut}, 'c'));
        }
        return output;
    }

    private static float[] rows(INDArray matrix) {
        float[][] values = matrix.castTo(DataType.FLOAT).toFloatMatrix();
        int columns = values[0].length;
        float[] rows = new float[values.length * columns];
        for (int r = 0; r < values.length; r++) {
            System.arraycopy(values[r], 0, rows, r * columns, columns);
        }
        return rows;
    }
}
