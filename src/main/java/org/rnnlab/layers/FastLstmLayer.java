package org.rnnlab.layers;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's LSTM (no peepholes) computed as {@link FastSimpleRnnLayer} computes a SimpleRnn. With the
 * column blocks of W [nIn, 4u], RW [u, 4u] and b [4u] in DL4J's order g, f, o, i:
 * <pre>
 *   a_t = x_t W + h_{t-1} RW + b
 *   g = φ(a_g), f = σ(a_f), o = σ(a_o), i = σ(a_i)
 *   c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ φ(c_t)
 * </pre>
 * φ being the layer's activation (tanh by default) and σ its gate activation. The backward pass,
 * with dh_t = dL/dh_t + δa_{t+1} RW^T and dc_t = dh_t ⊙ o ⊙ φ'(c_t) + dc_{t+1} ⊙ f_{t+1}:
 * <pre>
 *   δa_g = dc_t ⊙ i ⊙ φ'(a_g),  δa_f = dc_t ⊙ c_{t-1} ⊙ f (1 - f),
 *   δa_o = dh_t ⊙ φ(c_t) ⊙ o (1 - o),  δa_i = dc_t ⊙ g ⊙ i (1 - i)
 *   dW = X^T δa,  dRW = H_{t-1}^T δa,  db = Σ δa,  dL/dx = δa W^T
 * </pre>
 * One product computes X W + b for all steps (row look-ups for one-hot input), one small product
 * per step adds h_{t-1} RW, and the gates, c and h of a step are one Java loop over its rows. The
 * backward pass reuses the forward pass's gates, c and φ(c) and forms each parameter gradient as
 * one product over all steps.
 *
 * <p>Which state each pass starts from follows DL4J 1.0.0-M2.1's LSTM: activate from zeros,
 * rnnTimeStep from the stored state, rnnActivateUsingStoredState from the truncated-BPTT state; and
 * its truncated-BPTT backward pass recomputes the forward pass from the <em>stored</em> (rnnTimeStep)
 * state and writes that pass's last h and c into the truncated-BPTT state. In MultiLayerNetwork's
 * truncated BPTT the two states are the same arrays (updateRnnStateWithTBPTTState copies one map
 * into the other), so this layer reuses its forward pass whenever the start states are the same
 * arrays and recomputes it otherwise, as DL4J would. {@code backpropGradient}, which
 * MultiLayerNetwork's fit calls under truncated BPTT too, back-propagates through the training
 * forward pass it follows, from whatever state that pass started; DL4J's LSTM repeats the pass from
 * zeros there, so its gradient with a carried state belongs to a pass it never scored
 * (docs/fast-layers.md, "Carried states").
 *
 * <p>The fast path covers float networks with sigmoid gates and tanh, sigmoid or identity as φ,
 * without dropout, weight noise or a mask reaching the layer (in a MultiLayerNetwork DL4J's LSTM
 * keeps no feature mask; under LastTimeStep it is given one for the forward pass only). Anything
 * else is DL4J's own code ({@code super}).
 */
public class FastLstmLayer extends LSTM implements InputGradientOptional {
    private static final String H = LSTM.STATE_KEY_PREV_ACTIVATION;
    private static final String C = LSTM.STATE_KEY_PREV_MEMCELL;

    /**
     * Working memory for one (minibatch, steps) shape. Native arrays where products read or write
     * (a = pre-activations [T B, 4u], h [(T + 1) B, u] with block 0 the initial state, δa [T B, 4u],
     * dh [T B, u]); Java arrays for what only the loops use (gates, c from the initial state on, φ(c)).
     */
    private record Buffers(int minibatch, int steps, int units, INDArray a, INDArray h, INDArray delta, INDArray dh,
            INDArray[] aSteps, INDArray[] hSteps, INDArray[] deltaSteps, INDArray[] dhSteps, FloatBuffer aFloats,
            FloatBuffer hFloats, FloatBuffer deltaFloats, FloatBuffer dhFloats, float[] gates, float[] c, float[] phiC,
            float[] stepH, float[] stepDh, float[] stepDc, float[] stepDelta) implements FastPathState.StepBuffers {

        static Buffers allocate(int minibatch, int steps, int units) {
            long rows = (long) minibatch * steps;
            int step = minibatch * units;
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                INDArray a = Nd4j.create(DataType.FLOAT, rows, 4L * units);
                INDArray h = Nd4j.create(DataType.FLOAT, rows + minibatch, units);
                INDArray delta = Nd4j.create(DataType.FLOAT, rows, 4L * units);
                INDArray dh = Nd4j.create(DataType.FLOAT, rows, units);
                return new Buffers(minibatch, steps, units, a, h, delta, dh, FastSimpleRnnLayer.blocks(a, steps, minibatch),
                        FastSimpleRnnLayer.blocks(h, steps + 1, minibatch), FastSimpleRnnLayer.blocks(delta, steps, minibatch), FastSimpleRnnLayer.blocks(dh, steps, minibatch),
                        FloatActivations.buffer(a), FloatActivations.buffer(h), FloatActivations.buffer(delta),
                        FloatActivations.buffer(dh), new float[steps * 4 * step], new float[(steps + 1) * step],
                        new float[steps * step], new float[step], new float[step], new float[step], new float[4 * step]);
            }
        }

        /** h_{t-1} for every step: rows [0, T B) of h. */
        INDArray previous() {
            return h.get(interval(0, (long) steps * minibatch), all());
        }
    }

    private final FastPathState<Buffers> pass = new FastPathState<>();
    /** The states the forward pass held by {@link #pass} started from. */
    private INDArray forwardH;
    private INDArray forwardC;

    public FastLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Whether this layer's settings and the present input are computed here rather than by DL4J's code. */
    private boolean fastPath() {
        org.deeplearning4j.nn.conf.layers.LSTM c = layerConf();
        IActivation phi = c.getActivationFn();
        return dataType == DataType.FLOAT && c.getGateActivationFn() instanceof ActivationSigmoid
                && (phi instanceof ActivationTanH || phi instanceof ActivationSigmoid || phi instanceof ActivationIdentity)
                && c.getIDropout() == null && c.getWeightNoise() == null && maskArray == null && input != null
                && input.rank() == 3;
    }

    // ---- Forward

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!fastPath()) {
            pass.forget();
            return super.activate(training, workspaceMgr);
        }
        return forward(null, null, training, workspaceMgr);
    }

    /** DL4J's LSTM computes this one directly rather than through activate(training); LastTimeStep calls it. */
    @Override
    public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        return activate(training, workspaceMgr);
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        if (!fastPath()) {
            pass.forget();
            return super.rnnTimeStep(input, workspaceMgr);
        }
        INDArray out = forward(stateMap.get(H), stateMap.get(C), false, workspaceMgr);
        stateMap.put(H, pass.lastH());
        stateMap.put(C, lastC());
        return out;
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
            LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        if (!fastPath()) {
            pass.forget();
            return super.rnnActivateUsingStoredState(input, training, storeLastForTBPTT, workspaceMgr);
        }
        INDArray out = forward(tBpttStateMap.get(H), tBpttStateMap.get(C), training, workspaceMgr);
        if (storeLastForTBPTT) {
            tBpttStateMap.put(H, pass.lastH());
            tBpttStateMap.put(C, lastC());
        }
        return out;
    }

    /** The LSTM from (h0, c0) (null: zeros) over the whole input; the outputs h_t in the layer's format. */
    private INDArray forward(INDArray h0, INDArray c0, boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray in = permuteIfNWC(input.castTo(dataType));
        FastSimpleRnnLayer.requireWidth("FastLstm", layerId(), in, layerConf().getNIn());
        int minibatch = (int) in.size(0);
        int steps = (int) in.size(2);
        int units = (int) layerConf().getNOut();
        INDArray w = getParam(LSTMParamInitializer.INPUT_WEIGHT_KEY);
        INDArray rw = getParam(LSTMParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray b = getParam(LSTMParamInitializer.BIAS_KEY);
        Buffers buf = pass.buffers(minibatch, steps, () -> Buffers.allocate(minibatch, steps, units));

        // a = X W + b for every step at once; one-hot rows as look-ups when there are enough of them
        pass.project(FastSimpleRnnLayer.timeMajor(in), w, b, buf.a(), buf.aFloats(), 4 * units);

        int step = minibatch * units;
        float[] c = buf.c();
        INDArray[] hs = buf.hSteps();
        FastPathState.checkStoredState(h0, minibatch);
        FastPathState.checkStoredState(c0, minibatch);
        // c_0 passes through block 0 of h, which then takes h_0
        if (c0 == null) {
            Arrays.fill(c, 0, step, 0f);
        } else {
            hs[0].assign(c0);
            buf.hFloats().get(0, c, 0, step);
        }
        if (h0 == null) {
            hs[0].assign(0);
        } else {
            hs[0].assign(h0);
        }

        IActivation phi = layerConf().getActivationFn();
        float[] gates = buf.gates();
        float[] phiC = buf.phiC();
        float[] stepH = buf.stepH();
        int width = 4 * units;
        for (int t = 0; t < steps; t++) {
            if (t > 0 || h0 != null) {
                Gemm.multiply(hs[t], false, rw, false, buf.aSteps()[t], 1.0, 1.0); // + h_{t-1} RW
            }
            int at = t * minibatch * width;
            buf.aFloats().get(at, gates, at, minibatch * width);
            if (phi instanceof ActivationTanH) {
                // σ(x) = (1 + tanh(x / 2)) / 2, as FloatActivations.sigmoid computes it: one tanh call over
                // the whole step, whose long loop runs faster than a call per row and block
                for (int r = 0; r < minibatch; r++) {
                    for (int j = at + r * width + units, end = at + (r + 1) * width; j < end; j++) {
                        gates[j] *= 0.5f;
                    }
                }
                FloatActivations.tanh(gates, at, gates, at, minibatch * width);
                for (int r = 0; r < minibatch; r++) {
                    for (int j = at + r * width + units, end = at + (r + 1) * width; j < end; j++) {
                        gates[j] = 0.5f + 0.5f * gates[j];
                    }
                }
            } else {
                for (int r = 0; r < minibatch; r++) {
                    int row = at + r * width;
                    activate(phi, gates, row, gates, row, units); // g = φ(a_g)
                    FloatActivations.sigmoid(gates, row + units, gates, row + units, 3 * units); // f, o, i
                }
            }
            int now = (t + 1) * step;
            int before = t * step;
            for (int r = 0; r < minibatch; r++) {
                int row = at + r * width;
                int cell = r * units;
                for (int j = 0; j < units; j++) {
                    float g = gates[row + j];
                    float f = gates[row + units + j];
                    float i = gates[row + 3 * units + j];
                    c[now + cell + j] = f * c[before + cell + j] + i * g;
                }
            }
            activate(phi, c, now, phiC, before, step);
            for (int r = 0; r < minibatch; r++) {
                int row = at + r * width;
                int cell = r * units;
                for (int j = 0; j < units; j++) {
                    stepH[cell + j] = gates[row + 2 * units + j] * phiC[before + cell + j];
                }
            }
            buf.hFloats().put(now, stepH, 0, step);
        }
        pass.forwardDone(input, training);
        forwardH = h0;
        forwardC = c0;

        return FastSimpleRnnLayer.outputs(buf.h(), steps, minibatch, workspaceMgr, dataType, getDataFormat());
    }

    /** y[yAt ..] = φ(x[xAt ..]) for n values: tanh, sigmoid or identity. */
    static void activate(IActivation phi, float[] x, int xAt, float[] y, int yAt, int n) {
        if (phi instanceof ActivationTanH) {
            FloatActivations.tanh(x, xAt, y, yAt, n);
        } else if (phi instanceof ActivationSigmoid) {
            FloatActivations.sigmoid(x, xAt, y, yAt, n);
        } else if (x != y || xAt != yAt) {
            System.arraycopy(x, xAt, y, yAt, n);
        }
    }

    /** The kind of φ as a number the inner loops branch on: 0 tanh, 1 sigmoid, 2 identity. */
    static int kind(IActivation phi) {
        return phi instanceof ActivationTanH ? 0 : phi instanceof ActivationSigmoid ? 1 : 2;
    }

    /** φ'(z) from y = φ(z). */
    static float derivative(int kind, float y) {
        return kind == 0 ? 1f - y * y : kind == 1 ? y * (1f - y) : 1f;
    }

    private INDArray lastC() {
        Buffers buf = pass.buffers();
        int step = buf.minibatch() * buf.units();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray c = Nd4j.create(DataType.FLOAT, buf.minibatch(), buf.units());
            FloatActivations.buffer(c).put(0, buf.c(), buf.steps() * step, step);
            return c;
        }
    }

    // ---- Backward

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!fastPath()) {
            pass.forget();
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        return backward(epsilon, false, -1, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength,
            LayerWorkspaceMgr workspaceMgr) {
        if (!fastPath()) {
            pass.forget();
            return super.tbpttBackpropGradient(epsilon, tbpttBackLength, workspaceMgr);
        }
        return backward(epsilon, true, tbpttBackLength, workspaceMgr);
    }

    private Pair<Gradient, INDArray> backward(INDArray epsilon, boolean truncated, int backLength,
            LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        // DL4J's start states for a backward pass that has no forward pass to use: the stored ones
        // under truncated BPTT, else zeros
        INDArray h0 = truncated ? stateMap.get(H) : null;
        INDArray c0 = truncated ? stateMap.get(C) : null;
        // backpropGradient uses the training forward pass it follows, whatever state that started
        // from. DL4J's LSTM recomputes it from zeros there, and MultiLayerNetwork's fit calls
        // backpropGradient even under truncated BPTT, so with a carried state DL4J's gradient is
        // that of a pass it never scored (docs/fast-layers.md, "Carried states").
        boolean held = pass.holds(input);
        if (!held || truncated && (forwardH != h0 || forwardC != c0)) {
            forward(h0, c0, true, workspaceMgr);
        }
        if (truncated) {
            tBpttStateMap.put(H, pass.lastH());
            tBpttStateMap.put(C, lastC());
        }
        Buffers buf = pass.buffers();
        int minibatch = buf.minibatch();
        int steps = buf.steps();
        int units = buf.units();
        int width = 4 * units;
        int step = minibatch * units;
        INDArray w = getParam(LSTMParamInitializer.INPUT_WEIGHT_KEY);
        INDArray rw = getParam(LSTMParamInitializer.RECURRENT_WEIGHT_KEY);
        int kind = kind(layerConf().getActivationFn());

        buf.dh().assign(FastSimpleRnnLayer.timeMajor(permuteIfNWC(epsilon.castTo(dataType))));
        int end = truncated && backLength > 0 ? Math.max(0, steps - backLength) : 0;
        float[] gates = buf.gates();
        float[] c = buf.c();
        float[] phiC = buf.phiC();
        float[] dh = buf.stepDh();
        float[] dc = buf.stepDc();
        float[] delta = buf.stepDelta();
        for (int t = steps - 1; t >= end; t--) {
            boolean last = t == steps - 1;
            if (!last) {
                Gemm.multiply(buf.deltaSteps()[t + 1], false, rw, true, buf.dhSteps()[t], 1.0, 1.0); // + δa_{t+1} RW^T
            }
            buf.dhFloats().get(t * step, dh, 0, step);
            int at = t * minibatch * width;
            int next = at + minibatch * width;
            for (int r = 0; r < minibatch; r++) {
                int row = at + r * width;
                int cell = r * units;
                int d = r * width;
                for (int j = 0; j < units; j++) {
                    float g = gates[row + j];
                    float f = gates[row + units + j];
                    float o = gates[row + 2 * units + j];
                    float i = gates[row + 3 * units + j];
                    float pc = phiC[t * step + cell + j];
                    float dhv = dh[cell + j];
                    float dcv = dhv * o * derivative(kind, pc);
                    if (!last) {
                        dcv += dc[cell + j] * gates[next + r * width + units + j]; // dc_{t+1} f_{t+1}
                    }
                    dc[cell + j] = dcv;
                    delta[d + j] = dcv * i * derivative(kind, g);
                    delta[d + units + j] = dcv * c[t * step + cell + j] * f * (1f - f);
                    delta[d + 2 * units + j] = dhv * pc * o * (1f - o);
                    delta[d + 3 * units + j] = dcv * g * i * (1f - i);
                }
            }
            buf.deltaFloats().put(at, delta, 0, minibatch * width);
        }
        if (end > 0) {
            buf.delta().get(interval(0, (long) end * minibatch), all()).assign(0);
        }

        // The parameter names are SimpleRnn's, W, RW and b, so the gradients are formed as for it
        INDArray in = permuteIfNWC(input.castTo(dataType));
        Gradient gradient = FastSimpleRnnLayer.parameterGradients(FastSimpleRnnLayer.timeMajor(in), buf.delta(),
                pass.oneHotInput(), buf.deltaFloats(), buf.previous(), gradientViews, gradientsFlattened);

        INDArray epsilonOut = null;
        if (pass.inputGradientNeeded()) {
            epsilonOut = FastSimpleRnnLayer.inputGradient(buf.delta(), w, steps, minibatch, workspaceMgr, dataType,
                    getDataFormat());
        }
        pass.forget();
        return new Pair<>(gradient, epsilonOut);
    }

    @Override
    public void setInputGradientNeeded(boolean needed) {
        pass.setInputGradientNeeded(needed);
    }

    /** A cleared layer holds no forward pass to reuse. */
    @Override
    public void clear() {
        super.clear();
        pass.forget();
    }
}
