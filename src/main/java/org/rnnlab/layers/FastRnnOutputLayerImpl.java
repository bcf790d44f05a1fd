package org.rnnlab.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DL4J's RnnOutputLayer with a faster path for softmax + multi-class cross-entropy (no label mask,
 * no loss weights, no dropout or weight noise), everything else left to DL4J's code:
 * <ul>
 * <li>the steps are time-major rows [T B, n], which the output of {@link FastSimpleRnnLayer} already
 * is, so no 3d-to-2d copy is made on the way in or out;</li>
 * <li>the score comes from the logits, log p = z - logsumexp(z), instead of a logarithm of every
 * probability, clipped to [ln eps, ln(1 - eps)] as DL4J clips p to [eps, 1 - eps];</li>
 * <li>one pass computes the outputs, the gradient (p * sum(y) - y) and the score, and the score DL4J
 * asks for after backprop is the one already computed;</li>
 * <li>in float, everything but the products and exp runs in two Java passes
 * ({@link FloatSoftmaxCrossEntropy}), which also sum the bias gradient.</li>
 * </ul>
 */
public class FastRnnOutputLayerImpl extends RnnOutputLayer {
    /** What the last training pass computed, for {@link #computeScore}. */
    private INDArray scoredInput;
    private INDArray scoredLabels;
    private double summedLoss;
    private final ShapeCache<INDArray[]> workingArrays = new ShapeCache<>();
    private INDArray logits;
    private INDArray delta;
    /** In float, the Java passes of the softmax and loss; made on the first pass. */
    private FloatSoftmaxCrossEntropy floatPass;

    public FastRnnOutputLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean fastPath() {
        org.deeplearning4j.nn.conf.layers.RnnOutputLayer c = layerConf();
        return c.getActivationFn() instanceof ActivationSoftmax && c.getLossFn() instanceof LossMCXENT loss
                && loss.getWeights() == null && maskArray == null && c.getRnnDataFormat() == RNNFormat.NCW
                && c.getIDropout() == null && c.getWeightNoise() == null && input != null && input.rank() == 3;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!fastPath()) {
            return super.activate(training, workspaceMgr);
        }
        FastSimpleRnnLayer.requireWidth("FastRnnOutputLayer", layerId(), input, layerConf().getNIn());
        INDArray x = FastSimpleRnnLayer.timeMajor(input.castTo(dataType));
        long steps = input.size(2);
        long minibatch = input.size(0);
        long classes = layerConf().getNOut();
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                new long[] {steps, minibatch, classes}, 'c');
        INDArray rows = logits(x, out.reshape('c', steps * minibatch, classes));
        Nd4j.exec(new SoftMax(rows, rows, 1));
        return out.permute(1, 2, 0);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!fastPath()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        INDArray x = FastSimpleRnnLayer.timeMajor(input.castTo(dataType));
        INDArray d = forwardAndLoss(x);
        INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray wg = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        INDArray bg = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        Gemm.multiply(x, true, d, false, wg, 1.0, 0.0); // dW = X^T delta over all steps
        if (dataType == DataType.FLOAT) {
            bg.assign(Nd4j.createFromArray(floatPass.biasGradient()).reshape(1, bg.length()));
        } else {
            bg.assign(d.sum(true, 0));
        }
        long steps = input.size(2);
        long minibatch = input.size(0);
        long units = input.size(1);
        INDArray epsilonOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                new long[] {steps, minibatch, units}, 'c');
        Gemm.multiply(d, false, w, true, epsilonOut.reshape('c', steps * minibatch, units), 1.0, 0.0); // delta W^T
        Gradient gradient = new DefaultGradient(gradientsFlattened);
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, wg);
        gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, bg);
        return new Pair<>(gradient, epsilonOut.permute(1, 2, 0));
    }

    /** z = x W + b for time-major rows x, written into {@code into}, which is returned. */
    private INDArray logits(INDArray x, INDArray into) {
        Gemm.multiply(x, false, getParam(DefaultParamInitializer.WEIGHT_KEY), false, into, 1.0, 0.0);
        return into.addiRowVector(getParam(DefaultParamInitializer.BIAS_KEY));
    }

    /**
     * Logits, softmax, the summed loss -sum y ln p (remembered for computeScore) and the gradient
     * with respect to the logits, delta = p sum(y) - y, for time-major rows x.
     */
    private INDArray forwardAndLoss(INDArray x) {
        long rows = x.size(0);
        long classes = layerConf().getNOut();
        INDArray[] arrays = workingArrays.get(rows, classes, () -> {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return new INDArray[] {Nd4j.create(dataType, rows, classes), Nd4j.create(dataType, rows, classes)};
            }
        });
        logits = arrays[0];
        delta = arrays[1];
        INDArray y = FastSimpleRnnLayer.timeMajor(labels.castTo(dataType));
        double eps = ((LossMCXENT) layerConf().getLossFn()).getSoftmaxClipEps();
        if (dataType == DataType.FLOAT) {
            if (floatPass == null) {
                floatPass = new FloatSoftmaxCrossEntropy((int) classes);
            }
            Gemm.multiply(x, false, getParam(DefaultParamInitializer.WEIGHT_KEY), false, logits, 1.0, 0.0);
            floatPass.addBias(FloatActivations.buffer(logits), getParam(DefaultParamInitializer.BIAS_KEY).toFloatVector(), (int) rows);
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Exp(logits, delta));
            INDArray contiguous = FloatActivations.contiguous(y);
            summedLoss = floatPass.lossAndDelta(FloatActivations.buffer(logits), FloatActivations.buffer(delta),
                    FloatActivations.buffer(contiguous), (int) contiguous.offset(), (int) rows,
                    eps > 0 ? Math.log(eps) : Double.NEGATIVE_INFINITY, eps > 0 ? Math.log1p(-eps) : 0.0);
            scoredInput = input;
            scoredLabels = labels;
            return delta;
        }
        logits(x, logits);
        // Shifting by the row maximum keeps exp finite; then p = e / sum(e) and ln p = z - ln sum(e).
        logits.subiColumnVector(logits.max(true, 1));
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Exp(logits, delta));
        INDArray sums = delta.sum(true, 1);
        delta.diviColumnVector(sums);
        INDArray labelSums = y.sum(true, 1);
        logits.subiColumnVector(Transforms.log(sums, false));
        if (eps > 0) {
            Transforms.max(logits, Math.log(eps), false);
            Transforms.min(logits, Math.log1p(-eps), false);
        }
        summedLoss = -logits.muli(y).sumNumber().doubleValue();
        scoredInput = input;
        scoredLabels = labels;
        delta.muliColumnVector(labelSums).subi(y);
        return delta;
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!fastPath()) {
            return super.computeScore(fullNetRegTerm, training, workspaceMgr);
        }
        if (scoredInput != input || scoredLabels != labels) {
            forwardAndLoss(FastSimpleRnnLayer.timeMajor(input.castTo(dataType)));
        }
        double value = summedLoss;
        if (conf().isMiniBatch()) {
            value /= getInputMiniBatchSize();
        }
        score = value + fullNetRegTerm;
        scoredInput = null; // a later call recomputes: the parameters may have changed
        return score;
    }
}
