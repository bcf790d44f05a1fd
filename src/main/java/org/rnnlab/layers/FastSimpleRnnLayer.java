package org.rnnlab.layers;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.nio.FloatBuffer;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.BaseRecurrentLayer;
import org.deeplearning4j.nn.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.params.SimpleRnnParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.base.Preconditions;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SimpleRnn, h_t = f(x_t W + h_{t-1} RW + b), computed with fewer and larger operations than
 * DL4J's own layer:
 * <ul>
 * <li>time-major rows: step t of the minibatch is the contiguous block of rows [t B, (t + 1) B) of
 * a [T B, n] matrix, so no step needs a strided slice or a copy;</li>
 * <li>the input projection of all steps is one matrix product, X W + b, before the recurrence;
 * each step then adds h_{t-1} RW into its block (one product) and applies f (one op);</li>
 * <li>the backward pass reuses the forward pass's outputs instead of computing them again, takes
 * f' from them (tanh: 1 - h^2, sigmoid: h (1 - h)) for all steps in one op, and forms the
 * gradients of W, RW and b as one product each over all steps;</li>
 * <li>in float, f and the multiplication by f' run as Java loops ({@link FloatActivations}), and a
 * one-hot input (char-rnn's characters) replaces X W and X^T delta by row look-ups
 * ({@link OneHotRows});</li>
 * <li>the input gradient delta W^T can be switched off where the caller discards it
 * ({@link #setInputGradientNeeded}).</li>
 * </ul>
 * Its backward pass also starts from the state the forward pass started from. DL4J 1.0.0-M2.1's
 * SimpleRnn recomputes the forward pass from a zero state in {@code tbpttBackpropGradient}, so
 * with truncated BPTT and a carried state its gradients belong to a different forward pass than the
 * one it scored; {@code FastLayersTest} shows both against the reference RNN.
 *
 * <p>Working buffers belong to the layer, outside DL4J's workspaces, and are reused while the
 * minibatch and sequence length stay the same; activations and epsilons handed to DL4J come from
 * its workspace manager as DL4J requires.
 */
public class FastSimpleRnnLayer extends BaseRecurrentLayer<FastSimpleRnn> implements InputGradientOptional {
    private static final String STATE = SimpleRnn.STATE_KEY_PREV_ACTIVATION;

    /**
     * The layer's working memory for one (minibatch, steps) shape, with the view of every step made
     * once: creating an ND4J view costs about as much as a small op.
     */
    private record Buffers(int minibatch, int steps, INDArray z, INDArray delta, INDArray derivative,
            INDArray[] zSteps, INDArray[] hSteps, INDArray[] deltaSteps, INDArray[] derivativeSteps,
            INDArray outputs, INDArray previous, FloatBuffers floats) implements FastPathState.StepBuffers {

        static Buffers allocate(DataType dataType, int minibatch, int steps, long units) {
            long rows = (long) minibatch * steps;
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                INDArray z = Nd4j.create(dataType, rows, units);
                INDArray h = Nd4j.create(dataType, rows + minibatch, units); // block 0: the initial state
                INDArray delta = Nd4j.create(dataType, rows, units);
                INDArray derivative = Nd4j.create(dataType, rows, units);
                FloatBuffers floats = dataType == DataType.FLOAT
                        ? new FloatBuffers(FloatActivations.buffer(z), FloatActivations.buffer(h),
                                FloatActivations.buffer(delta), FloatActivations.Scratch.of((int) (minibatch * units)))
                        : null;
                return new Buffers(minibatch, steps, z, delta, derivative, blocks(z, steps, minibatch),
                        blocks(h, steps + 1, minibatch), blocks(delta, steps, minibatch),
                        blocks(derivative, steps, minibatch), h.get(interval(minibatch, rows + minibatch), all()),
                        h.get(interval(0, rows), all()), floats);
            }
        }

    }

    /** The native memory of z, h (from the initial state on) and delta, for {@link FloatActivations}. */
    private record FloatBuffers(FloatBuffer z, FloatBuffer h, FloatBuffer delta, FloatActivations.Scratch scratch) {
    }

    private final FastPathState<Buffers> pass = new FastPathState<>();
    private boolean forwardMasked;

    public FastSimpleRnnLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    // ---- Forward

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return forward(null, training, workspaceMgr);
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        INDArray out = forward(stateMap.get(STATE), false, workspaceMgr);
        stateMap.put(STATE, pass.lastH());
        return out;
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
            LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        INDArray out = forward(tBpttStateMap.get(STATE), training, workspaceMgr);
        if (storeLastForTBPTT) {
            tBpttStateMap.put(STATE, pass.lastH());
        }
        return out;
    }

    /**
     * Runs the recurrence from {@code initialState} (null: zeros) over the whole input; returns the
     * outputs in the layer's data format. The outputs h_t of step t are kept in {@code hSteps[t + 1]},
     * and {@code hSteps[0]} holds the initial state.
     */
    private INDArray forward(INDArray initialState, boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray in = permuteIfNWC(input.castTo(dataType));
        Preconditions.checkState(in.rank() == 3, "FastSimpleRnn expects 3d input, got rank %s", in.rank());
        requireWidth("FastSimpleRnn", layerId(), in, layerConf().getNIn());
        int minibatch = (int) in.size(0);
        int steps = (int) in.size(2);
        long units = layerConf().getNOut();
        INDArray w = getParamWithNoise(SimpleRnnParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray rw = getParamWithNoise(SimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY, training, workspaceMgr);
        INDArray b = getParamWithNoise(SimpleRnnParamInitializer.BIAS_KEY, training, workspaceMgr);
        Buffers buf = pass.buffers(minibatch, steps,
                () -> Buffers.allocate(dataType, minibatch, steps, layerConf().getNOut()));
        INDArray mask = timeMajorMask(minibatch, steps);

        INDArray z = buf.z();
        // x_t W + b for every t at once; look-ups only in float, where the layer has float buffers
        pass.project(timeMajor(in), w, b, z, buf.floats() == null ? null : buf.floats().z(), (int) units);
        INDArray[] zs = buf.zSteps();
        INDArray[] hs = buf.hSteps();
        if (initialState == null) {
            hs[0].assign(0);
        } else {
            FastPathState.checkStoredState(initialState, minibatch);
            hs[0].assign(initialState);
        }
        IActivation activation = layerConf().getActivationFn();
        FloatBuffers floats = mask == null && FloatActivations.handles(activation, dataType) ? buf.floats() : null;
        int stepSize = minibatch * (int) units;
        for (int t = 0; t < steps; t++) {
            INDArray zt = zs[t];
            if (t > 0 || initialState != null) {
                Gemm.multiply(hs[t], false, rw, false, zt, 1.0, 1.0); // + h_{t-1} RW
            }
            INDArray ht = hs[t + 1];
            if (floats != null) {
                FloatActivations.apply(activation, floats.z(), t * stepSize, floats.h(), (t + 1) * stepSize, stepSize,
                        floats.scratch());
            } else if (mask == null) {
                apply(activation, zt, ht);
            } else {
                // A masked step's output is zero, and that zero is what the next step sees (as in DL4J);
                // the unmasked f(z) stays in z for the derivative.
                apply(activation, zt, zt);
                ht.assign(zt).muliColumnVector(block(mask, t, minibatch));
            }
        }
        pass.forwardDone(input, training);
        forwardMasked = mask != null;

        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                new long[] {steps, minibatch, units}, 'c');
        out.reshape('c', (long) steps * minibatch, units).assign(buf.outputs());
        return fromTimeMajor(out);
    }

    private static void apply(IActivation activation, INDArray z, INDArray out) {
        if (activation instanceof ActivationTanH) {
            Nd4j.exec(new Tanh(z, out));
        } else if (activation instanceof ActivationSigmoid) {
            Nd4j.exec(new Sigmoid(z, out));
        } else if (out != z) {
            out.assign(z); // identity
        }
    }

    /** f'(z) from a = f(z): tanh 1 - a^2, sigmoid a (1 - a), identity 1. */
    private static void derivative(IActivation activation, INDArray a, INDArray out) {
        if (activation instanceof ActivationTanH) {
            out.assign(a).muli(a).rsubi(1.0);
        } else if (activation instanceof ActivationSigmoid) {
            out.assign(a).rsubi(1.0).muli(a);
        } else {
            out.assign(1.0);
        }
    }

    // ---- Backward

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        return tbpttBackpropGradient(epsilon, -1, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength,
            LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!pass.holds(input)) {
            forward(null, true, workspaceMgr); // no forward pass to reuse: from a zero state, as DL4J's SimpleRnn does
        }
        INDArray in = permuteIfNWC(input.castTo(dataType));
        Buffers buffers = pass.buffers();
        int minibatch = buffers.minibatch();
        int steps = buffers.steps();
        long units = layerConf().getNOut();
        INDArray w = getParamWithNoise(SimpleRnnParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray rw = getParamWithNoise(SimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY, true, workspaceMgr);
        INDArray outputs = buffers.outputs();
        INDArray previous = buffers.previous();

        IActivation activation = layerConf().getActivationFn();
        INDArray mask = timeMajorMask(minibatch, steps);
        FloatBuffers floats = mask == null && FloatActivations.handles(activation, dataType) ? buffers.floats() : null;
        INDArray[] derivatives = null;
        if (floats == null) {
            // f'(z) for every step, zero where masked: a masked step passes nothing back
            INDArray derivative = buffers.derivative();
            derivative(activation, forwardMasked ? buffers.z() : outputs, derivative);
            if (mask != null) {
                derivative.muliColumnVector(mask);
            }
            derivatives = buffers.derivativeSteps();
        }

        // delta_t = (dL/dh_t + delta_{t+1} RW^T) * f'(z_t), from the last step back
        INDArray delta = buffers.delta();
        delta.assign(timeMajor(permuteIfNWC(epsilon.castTo(dataType))));
        int end = tbpttBackLength > 0 ? Math.max(0, steps - tbpttBackLength) : 0;
        INDArray[] deltas = buffers.deltaSteps();
        int stepSize = minibatch * (int) units;
        for (int t = steps - 1; t >= end; t--) {
            if (t < steps - 1) {
                Gemm.multiply(deltas[t + 1], false, rw, true, deltas[t], 1.0, 1.0);
            }
            if (floats != null) {
                FloatActivations.multiplyByDerivative(activation, floats.delta(), t * stepSize, floats.h(),
                        (t + 1) * stepSize, stepSize, floats.scratch());
            } else {
                deltas[t].muli(derivatives[t]);
            }
        }
        if (end > 0) {
            delta.get(interval(0, (long) end * minibatch), all()).assign(0);
        }

        Gradient gradient = parameterGradients(timeMajor(in), delta, pass.oneHotInput(),
                buffers.floats() == null ? null : buffers.floats().delta(), previous, gradientViews, gradientsFlattened);

        // dL/dx = delta W^T, unless the caller has said it will not use it
        INDArray epsilonOut = null;
        if (pass.inputGradientNeeded()) {
            epsilonOut = backpropDropOutIfPresent(inputGradient(delta, w, steps, minibatch, workspaceMgr, dataType,
                    getDataFormat()));
        }
        weightNoiseParams.clear();
        pass.forget();
        return new Pair<>(gradient, epsilonOut);
    }

    /**
     * The parameter gradients of a recurrent layer with parameters W, RW and b (SimpleRnn's and
     * LSTM's names) from the pre-activation deltas of all steps, time-major [T B, k]: dW = X^T delta,
     * dRW = H_{t-1}^T delta, db = the column sums of delta, one product each over all steps; with
     * {@code oneHot} (the input last read was one-hot) dW and db are row look-ups over
     * {@code deltaFloats}, delta's memory.
     */
    static Gradient parameterGradients(INDArray x, INDArray delta, OneHotRows oneHot, FloatBuffer deltaFloats,
            INDArray previous, java.util.Map<String, INDArray> views, INDArray flattened) {
        INDArray wg = views.get(SimpleRnnParamInitializer.WEIGHT_KEY);
        INDArray rwg = views.get(SimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray bg = views.get(SimpleRnnParamInitializer.BIAS_KEY);
        if (oneHot != null) {
            oneHot.gradients(deltaFloats, wg, bg, (int) delta.size(1));
        } else {
            Gemm.multiply(x, true, delta, false, wg, 1.0, 0.0);
            bg.assign(delta.sum(true, 0));
        }
        Gemm.multiply(previous, true, delta, false, rwg, 1.0, 0.0);
        Gradient gradient = new DefaultGradient(flattened);
        gradient.gradientForVariable().put(SimpleRnnParamInitializer.WEIGHT_KEY, wg);
        gradient.gradientForVariable().put(SimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY, rwg);
        gradient.gradientForVariable().put(SimpleRnnParamInitializer.BIAS_KEY, bg);
        return gradient;
    }

    /**
     * Whether backprop computes dL/dx, the gradient with respect to this layer's input (true unless
     * set). A first layer's is thrown away by DL4J's training (MultiLayerNetwork passes it on only
     * when asked for the input's gradient), and for char-rnn it is a [T B, 80] x [80, 100] product
     * each iteration; a training loop that knows it is not wanted can switch it off around its
     * step. Without it backprop returns null in its place, which DL4J accepts for a first layer.
     */
    @Override
    public void setInputGradientNeeded(boolean needed) {
        pass.setInputGradientNeeded(needed);
    }

    // ---- Layout

    /**
     * A layer fed input of another width than its nIn fails here, naming the layer and both widths,
     * rather than deep inside a native matrix product with a BLAS parameter error.
     */
    static void requireWidth(String kind, String layer, INDArray input, long width) {
        if (input.size(1) != width) {
            throw new DL4JInvalidInputException(kind + " layer " + layer + " takes " + width + " features per step;"
                    + " its input has " + input.size(1) + " (shape " + java.util.Arrays.toString(input.shape()) + ")");
        }
    }

    /** [B, n, T] as time-major rows [T B, n]: a view when the array is laid out that way already, else a copy. */
    static INDArray timeMajor(INDArray ncw) {
        return ncw.permute(2, 0, 1).reshape('c', ncw.size(2) * ncw.size(0), ncw.size(1));
    }

    /** [T, B, n] back to the layer's format: [B, n, T] (NCW) or [B, T, n] (NWC), as a view. */
    private INDArray fromTimeMajor(INDArray tbn) {
        return fromTimeMajor(tbn, getDataFormat());
    }

    /** [T, B, n] as [B, n, T] (NCW) or [B, T, n] (NWC), as a view. */
    static INDArray fromTimeMajor(INDArray tbn, RNNFormat format) {
        return format == RNNFormat.NWC ? tbn.permute(1, 0, 2) : tbn.permute(1, 2, 0);
    }

    /** The mask [B, T] as a time-major column [T B, 1]; null without a mask. */
    private INDArray timeMajorMask(int minibatch, int steps) {
        if (maskArray == null) {
            return null;
        }
        return maskArray.castTo(dataType).transpose().reshape('c', (long) steps * minibatch, 1);
    }

    /** The views of steps 0 .. count - 1 of a time-major matrix, made once: a view costs about as much as a small op. */
    static INDArray[] blocks(INDArray rows, int count, int minibatch) {
        INDArray[] views = new INDArray[count];
        for (int t = 0; t < count; t++) {
            views[t] = block(rows, t, minibatch);
        }
        return views;
    }

    /**
     * The outputs h_1 .. h_T, rows [B, (T + 1) B) of {@code states}, copied into an activations array
     * of DL4J's workspace in the layer's format.
     */
    static INDArray outputs(INDArray states, int steps, int minibatch, LayerWorkspaceMgr workspaceMgr,
            DataType dataType, RNNFormat format) {
        long units = states.size(1);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                new long[] {steps, minibatch, units}, 'c');
        out.reshape('c', (long) steps * minibatch, units).assign(states.get(interval(minibatch,
                (long) (steps + 1) * minibatch), all()));
        return fromTimeMajor(out, format);
    }

    /** dL/dx = delta W^T for all steps, from time-major deltas [T B, k], in DL4J's workspace and the layer's format. */
    static INDArray inputGradient(INDArray delta, INDArray w, int steps, int minibatch, LayerWorkspaceMgr workspaceMgr,
            DataType dataType, RNNFormat format) {
        long nIn = w.size(0);
        INDArray epsilonOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                new long[] {steps, minibatch, nIn}, 'c');
        Gemm.multiply(delta, false, w, true, epsilonOut.reshape('c', (long) steps * minibatch, nIn), 1.0, 0.0);
        return fromTimeMajor(epsilonOut, format);
    }

    /** Rows [t B, (t + 1) B): step t of a time-major matrix. */
    static INDArray block(INDArray rows, int t, int minibatch) {
        return rows.get(interval((long) t * minibatch, (long) (t + 1) * minibatch), all());
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasLayerNorm() {
        return false;
    }
}
