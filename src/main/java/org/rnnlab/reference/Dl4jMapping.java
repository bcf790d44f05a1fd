package org.rnnlab.reference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.rnnlab.layers.Gru;

/**
 * The bridge between a DL4J MultiLayerNetwork and the {@link ReferenceRnn}: the architecture read
 * off a configuration, parameters copied both ways, data converted between the reference's
 * [example][step][unit] arrays and DL4J's [example, unit, step] (NCW) INDArrays, and DL4J's own
 * score and gradients read back by parameter name.
 */
public final class Dl4jMapping {

    /** DL4J's score, outputs and gradients for one batch, in the reference's layout. */
    public record Dl4jResult(double score, double[][][] outputs, Map<String, double[]> gradients) {
    }

    private Dl4jMapping() {
    }

    /**
     * The configuration as gradient checks need it: DOUBLE everywhere and a NoOp updater (which
     * DL4J's GradientCheckUtil requires), the layers and activations unchanged.
     */
    public static MultiLayerConfiguration forChecking(MultiLayerConfiguration configuration) {
        MultiLayerConfiguration copy = MultiLayerConfiguration.fromJson(configuration.toJson());
        copy.setDataType(DataType.DOUBLE);
        // Plain BPTT: for sequences no longer than the truncation length the gradients are the same,
        // and truncated BPTT's forward pass would start from whatever state was stored last.
        copy.setBackpropType(BackpropType.Standard);
        for (int i = 0; i < copy.getConfs().size(); i++) {
            Layer layer = copy.getConf(i).getLayer();
            if (layer instanceof LastTimeStep wrapper) {
                layer = wrapper.getUnderlying();
            }
            if (layer instanceof BaseLayer base) {
                base.setIUpdater(new NoOp());
                base.setBiasUpdater(null);
            }
        }
        return copy;
    }

    /**
     * The reference architecture of a network of recurrent layers (SimpleRnn and LSTM, rnnlab's fast
     * layers included) and an output layer, DL4J's convention.
     */
    public static ReferenceRnn architecture(MultiLayerConfiguration configuration) {
        return architecture(configuration, true);
    }

    /**
     * The same, with {@code recurrentBias} false for recurrent layers without a bias (seeds 000 and
     * 002): their DL4J twin is a layer whose bias is held at zero.
     */
    public static ReferenceRnn architecture(MultiLayerConfiguration configuration, boolean recurrentBias) {
        List<ReferenceRnn.Recurrent> recurrent = new ArrayList<>();
        int layers = configuration.getConfs().size();
        boolean lastStepOnly = false;
        for (int i = 0; i < layers - 1; i++) {
            Layer layer = configuration.getConf(i).getLayer();
            if (layer instanceof LastTimeStep wrapper) {
                if (i != layers - 2) {
                    throw new IllegalArgumentException("LastTimeStep must wrap the last recurrent layer");
                }
                lastStepOnly = true;
                layer = wrapper.getUnderlying();
            }
            recurrent.add(recurrentLayer(layer, i, recurrentBias));
        }
        Layer last = configuration.getConf(layers - 1).getLayer();
        boolean perStep = last instanceof RnnOutputLayer;
        if (!perStep && !(last instanceof OutputLayer && lastStepOnly)) {
            throw new IllegalArgumentException("the last layer must be an RnnOutputLayer, or an OutputLayer after LastTimeStep");
        }
        BaseOutputLayer out = (BaseOutputLayer) last;
        ReferenceRnn.Output output = new ReferenceRnn.Output((int) out.getNIn(), (int) out.getNOut(),
                activation(out.getActivationFn()), loss(out.getLossFn()), lastStepOnly);
        return new ReferenceRnn(recurrent, output, Convention.DL4J);
    }

    /**
     * The reference layer for one DL4J recurrent layer configuration: where each cell kind is told
     * apart. Another kind is one more case here and nothing more, since the copies both ways and the
     * gradients go by parameter name: rnnlab's GRU ({@code org.rnnlab.layers.Gru}, parameters "W", "RW",
     * "b" and, with reset after, "RB", laid out as {@link ReferenceCell#GRU} says) is to map to GRU or
     * GRU_RESET_AFTER by its reset-after setting, with its activation as φ.
     */
    private static ReferenceRnn.Recurrent recurrentLayer(Layer layer, int index, boolean bias) {
        if (layer instanceof SimpleRnn rnn && !rnn.isHasLayerNorm()) {
            return new ReferenceRnn.Recurrent((int) rnn.getNIn(), (int) rnn.getNOut(), activation(rnn.getActivationFn()),
                    bias, ReferenceCell.SIMPLE);
        }
        // conf.layers.LSTM only: GravesLSTM, its sibling, has peephole weights in RW's last three columns.
        if (layer instanceof LSTM lstm && lstm.getGateActivationFn() instanceof ActivationSigmoid) {
            return new ReferenceRnn.Recurrent((int) lstm.getNIn(), (int) lstm.getNOut(),
                    activation(lstm.getActivationFn()), bias, ReferenceCell.LSTM);
        }
        // rnnlab's Gru: Keras's equations, its parameters W, RW, b (and RB with resetAfter) laid out as the reference's.
        if (layer instanceof Gru gru && gru.getGateActivationFn() instanceof ActivationSigmoid) {
            return new ReferenceRnn.Recurrent((int) gru.getNIn(), (int) gru.getNOut(), activation(gru.getActivationFn()),
                    bias, gru.isResetAfter() ? ReferenceCell.GRU_RESET_AFTER : ReferenceCell.GRU);
        }
        throw new IllegalArgumentException("layer " + index + " is " + layer.getClass().getSimpleName()
                + "; the reference RNN models SimpleRnn layers without layer norm, and LSTM and Gru layers with"
                + " sigmoid gates");
    }

    /** Writes the reference's parameters into the network's; a recurrent layer without bias gets zero ones. */
    public static void copyParameters(ReferenceRnn reference, MultiLayerNetwork network) {
        for (Map.Entry<String, double[]> parameter : reference.parameters().entrySet()) {
            INDArray target = network.getParam(parameter.getKey());
            target.assign(Nd4j.create(parameter.getValue(), target.shape(), 'f'));
        }
        for (int l = 0; l < reference.layers().size(); l++) {
            ReferenceRnn.Recurrent layer = reference.layers().get(l);
            if (!layer.bias()) {
                for (String key : layer.cell().biasKeys()) {
                    network.getParam(l + "_" + key).assign(0);
                }
            }
        }
    }

    /** Column-major ('f') values of a parameter or gradient: element (i, j) at i + rows * j; vectors as they are. */
    public static double[] flatten(INDArray matrix) {
        if (matrix.rank() == 1) {
            return matrix.toDoubleVector();
        }
        long rows = matrix.size(0);
        long columns = matrix.size(1);
        double[] values = new double[(int) (rows * columns)];
        for (int j = 0; j < columns; j++) {
            for (int i = 0; i < rows; i++) {
                values[(int) (i + rows * j)] = matrix.getDouble(i, j);
            }
        }
        return values;
    }

    /** [n][T][c] to a DOUBLE [n, c, T] INDArray. */
    public static INDArray sequences(double[][][] values) {
        int n = values.length;
        int steps = values[0].length;
        int c = values[0][0].length;
        INDArray array = Nd4j.create(DataType.DOUBLE, n, c, steps);
        for (int e = 0; e < n; e++) {
            for (int t = 0; t < steps; t++) {
                for (int k = 0; k < c; k++) {
                    array.putScalar(e, k, t, values[e][t][k]);
                }
            }
        }
        return array;
    }

    /** A DOUBLE [n, c, T] INDArray to [n][T][c]; a [n, c] one (one step) to [n][1][c]. */
    public static double[][][] toArrays(INDArray array) {
        boolean oneStep = array.rank() == 2;
        int n = (int) array.size(0);
        int c = (int) array.size(1);
        int steps = oneStep ? 1 : (int) array.size(2);
        double[][][] values = new double[n][steps][c];
        for (int e = 0; e < n; e++) {
            for (int t = 0; t < steps; t++) {
                for (int k = 0; k < c; k++) {
                    values[e][t][k] = oneStep ? array.getDouble(e, k) : array.getDouble(e, k, t);
                }
            }
        }
        return values;
    }

    /** [n][T] to a DOUBLE [n, T] mask, or null. */
    public static INDArray mask(double[][] mask) {
        return mask == null ? null : Nd4j.createFromArray(mask).castTo(DataType.DOUBLE);
    }

    /** DL4J's labels for a batch: [n, nOut, T] per step, [n, nOut] for last-step outputs. */
    public static INDArray labels(ReferenceRnn.Batch batch, boolean lastStepOnly) {
        if (!lastStepOnly) {
            return sequences(batch.labels());
        }
        double[][] rows = new double[batch.labels().length][];
        for (int e = 0; e < rows.length; e++) {
            rows[e] = batch.labels()[e][0];
        }
        return Nd4j.createFromArray(rows).castTo(DataType.DOUBLE);
    }

    /** DL4J's own score, outputs and gradients (computeGradientAndScore) for a batch. */
    public static Dl4jResult scoreAndGradients(MultiLayerNetwork network, ReferenceRnn.Batch batch,
            boolean lastStepOnly) {
        INDArray features = sequences(batch.features());
        INDArray featureMask = mask(batch.featureMask());
        INDArray labelMask = lastStepOnly ? null : mask(batch.labelMask());
        network.setInput(features);
        network.setLabels(labels(batch, lastStepOnly));
        network.setLayerMaskArrays(featureMask, labelMask);
        network.computeGradientAndScore();
        double score = network.score();
        Gradient gradient = network.gradient();
        // DL4J's backprop gives the gradient of the summed loss; its updater divides by the minibatch
        // size later. The gradient of the score it reports (which is divided) is therefore raw / n.
        int minibatch = batch.features().length;
        Map<String, double[]> gradients = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> entry : gradient.gradientForVariable().entrySet()) {
            double[] values = flatten(entry.getValue());
            for (int i = 0; i < values.length; i++) {
                values[i] /= minibatch;
            }
            gradients.put(entry.getKey(), values);
        }
        network.clearLayerMaskArrays();
        // No label mask here: RnnOutputLayer would zero the outputs of unlabelled steps.
        double[][][] outputs = toArrays(network.output(features, false, featureMask, null));
        return new Dl4jResult(score, outputs, gradients);
    }

    private static ReferenceActivation activation(IActivation activation) {
        if (activation instanceof ActivationSigmoid) {
            return ReferenceActivation.SIGMOID;
        }
        if (activation instanceof ActivationTanH) {
            return ReferenceActivation.TANH;
        }
        if (activation instanceof ActivationIdentity) {
            return ReferenceActivation.IDENTITY;
        }
        if (activation instanceof ActivationSoftmax) {
            return ReferenceActivation.SOFTMAX;
        }
        throw new IllegalArgumentException("the reference RNN has no activation " + activation);
    }

    private static ReferenceLoss loss(ILossFunction loss) {
        if (loss instanceof LossMSE) {
            return ReferenceLoss.MSE;
        }
        if (loss instanceof LossBinaryXENT) {
            return ReferenceLoss.BINARY_CROSS_ENTROPY;
        }
        if (loss instanceof LossMCXENT) {
            return ReferenceLoss.SOFTMAX_CROSS_ENTROPY;
        }
        throw new IllegalArgumentException("the reference RNN has no loss " + loss);
    }
}
