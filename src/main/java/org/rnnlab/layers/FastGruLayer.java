package org.rnnlab.layers;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.nio.FloatBuffer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.base.Preconditions;
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
 * rnnlab's {@link GruLayer} in its reset-after form, computed as {@link FastLstmLayer} computes an
 * LSTM. With the column blocks [z | r | h~] of W [nIn, 3u], RW [u, 3u], b and RB [3u]
 * (the equations of {@link Gru}):
 * <pre>
 *   p_t = x_t W + b,   q_t = h_{t-1} RW + rb
 *   z = σ(p_z + q_z), r = σ(p_r + q_r), h~ = φ(p_h + r ⊙ q_h)
 *   h_t = m_t (h~ + z ⊙ (h_{t-1} - h~))          m_t the feature mask (1 without one)
 * </pre>
 * and backward, with dh_t = m_t (dL/dh_t + dh_{t+1} ⊙ z_{t+1} + δq_{t+1} RW^T):
 * <pre>
 *   δp_h = dh_t ⊙ (1 - z) ⊙ φ'(h~),  δp_z = dh_t ⊙ (h_{t-1} - h~) ⊙ z (1 - z),
 *   δp_r = δp_h ⊙ q_h ⊙ r (1 - r),   δq = [δp_z | δp_r | δp_h ⊙ r]
 *   dW = X^T δp, db = Σ δp, dRW = H_{t-1}^T δq, dRB = Σ δq, dL/dx = δp W^T
 * </pre>
 * One product for X W + b over all steps (row look-ups for one-hot input), one small product a step
 * for h_{t-1} RW, the rest a Java loop a step; the backward pass reuses the forward pass. States are
 * GruLayer's: the backward pass starts from the state the scored forward pass started from, or
 * (another input) from the stored state under truncated BPTT and zeros otherwise.
 *
 * <p>The fast path covers float, reset after, sigmoid gates, tanh, sigmoid or identity as φ, no
 * dropout or weight noise; anything else (the reset-before form included) is GruLayer's code.
 */
public class FastGruLayer extends GruLayer implements InputGradientOptional {
    private static final String H = GruLayer.STATE_KEY_PREV_ACTIVATION;

    /**
     * Working memory for one (minibatch, steps) shape: native arrays where products read or write
     * (p [T B, 3u], q [T B, 3u], h [(T + 1) B, u] from the initial state on, δp, δq, dh), Java copies
     * of what the loops read (activations, q, h, the mask).
     */
    private record Buffers(int minibatch, int steps, int units, INDArray p, INDArray q, INDArray h, INDArray dp,
            INDArray dq, INDArray dh, INDArray[] qSteps, INDArray[] hSteps, INDArray[] dqSteps, INDArray[] dhSteps,
            FloatBuffer pFloats, FloatBuffer qFloats, FloatBuffer hFloats, FloatBuffer dpFloats, FloatBuffer dqFloats,
            FloatBuffer dhFloats, float[] act, float[] qs, float[] hs, float[] mask, float[] stepP, float[] stepH,
            float[] stepDh, float[] dhz, float[] stepDp, float[] stepDq, float[] rb)
            implements FastPathState.StepBuffers {

        static Buffers allocate(int minibatch, int steps, int units) {
            long rows = (long) minibatch * steps;
            int step = minibatch * units;
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                INDArray p = Nd4j.create(DataType.FLOAT, rows, 3L * units);
                INDArray q = Nd4j.create(DataType.FLOAT, rows, 3L * units);
                INDArray h = Nd4j.create(DataType.FLOAT, rows + minibatch, units);
                INDArray dp = Nd4j.create(DataType.FLOAT, rows, 3L * units);
                INDArray dq = Nd4j.create(DataType.FLOAT, rows, 3L * units);
                INDArray dh = Nd4j.create(DataType.FLOAT, rows, units);
                return new Buffers(minibatch, steps, units, p, q, h, dp, dq, dh, FastSimpleRnnLayer.blocks(q, steps, minibatch),
                        FastSimpleRnnLayer.blocks(h, steps + 1, minibatch), FastSimpleRnnLayer.blocks(dq, steps, minibatch), FastSimpleRnnLayer.blocks(dh, steps, minibatch),
                        FloatActivations.buffer(p), FloatActivations.buffer(q), FloatActivations.buffer(h),
                        FloatActivations.buffer(dp), FloatActivations.buffer(dq), FloatActivations.buffer(dh),
                        new float[steps * 3 * step], new float[steps * 3 * step], new float[(steps + 1) * step],
                        new float[steps * minibatch], new float[3 * step], new float[step], new float[step],
                        new float[step], new float[3 * step], new float[3 * step], new float[3 * units]);
            }
        }
    }

    private final FastPathState<Buffers> pass = new FastPathState<>();
    private boolean masked;

    public FastGruLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean fastPath() {
        Gru c = layerConf();
        IActivation phi = c.getActivationFn();
        return dataType == DataType.FLOAT && c.isResetAfter() && c.getGateActivationFn() instanceof ActivationSigmoid
                && (phi instanceof ActivationTanH || phi instanceof ActivationSigmoid || phi instanceof ActivationIdentity)
                && c.getIDropout() == null && c.getWeightNoise() == null && input != null && input.rank() == 3;
    }

    // ---- Forward

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!fastPath()) {
            pass.forget();
            return super.activate(training, workspaceMgr);
        }
        return forward(null, training, workspaceMgr);
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        if (!fastPath()) {
            pass.forget();
            return super.rnnTimeStep(input, workspaceMgr);
        }
        INDArray out = forward(stateMap.get(H), false, workspaceMgr);
        stateMap.put(H, pass.lastH());
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
        INDArray out = forward(tBpttStateMap.get(H), training, workspaceMgr);
        if (storeLastForTBPTT) {
            tBpttStateMap.put(H, pass.lastH());
        }
        return out;
    }

    private INDArray forward(INDArray h0, boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray in = permuteIfNWC(input.castTo(dataType));
        FastSimpleRnnLayer.requireWidth("FastGru", layerId(), in, layerConf().getNIn());
        int minibatch = (int) in.size(0);
        int steps = (int) in.size(2);
        int units = (int) layerConf().getNOut();
        Preconditions.checkState(h0 == null || h0.size(0) == minibatch, "FastGru layer %s: the stored state is for a"
                + " minibatch of %s, the input has %s; clear the state (rnnClearPreviousState) between sequences of"
                + " different minibatch sizes", layerId(), h0 == null ? 0 : h0.size(0), minibatch);
        INDArray w = getParam(GruParamInitializer.INPUT_WEIGHT_KEY);
        INDArray rw = getParam(GruParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray b = getParam(GruParamInitializer.BIAS_KEY);
        Buffers buf = pass.buffers(minibatch, steps, () -> Buffers.allocate(minibatch, steps, units));
        int width = 3 * units;
        int step = minibatch * units;

        // x_t W + b for every step at once
        pass.project(FastSimpleRnnLayer.timeMajor(in), w, b, buf.p(), buf.pFloats(), width);
        float[] rb = buf.rb();
        INDArray rbRow = getParam(GruParamInitializer.RECURRENT_BIAS_KEY);
        for (int j = 0; j < width; j++) {
            rb[j] = rbRow.getFloat(j);
        }
        masked = maskArray != null;
        float[] mask = buf.mask();
        if (masked) {
            INDArray byStep = maskArray.castTo(DataType.FLOAT).transpose().dup('c'); // [T, B]
            FloatActivations.buffer(byStep).get((int) byStep.offset(), mask, 0, steps * minibatch);
        }
        INDArray[] hSteps = buf.hSteps();
        if (h0 == null) {
            hSteps[0].assign(0);
        } else {
            hSteps[0].assign(h0);
        }
        float[] hs = buf.hs();
        buf.hFloats().get(0, hs, 0, step);

        IActivation phi = layerConf().getActivationFn();
        float[] act = buf.act();
        float[] qs = buf.qs();
        float[] p = buf.stepP();
        float[] h = buf.stepH();
        for (int t = 0; t < steps; t++) {
            int at = t * minibatch * width;
            Gemm.multiply(hSteps[t], false, rw, false, buf.qSteps()[t], 1.0, 0.0); // h_{t-1} RW
            buf.qFloats().get(at, qs, at, minibatch * width);
            buf.pFloats().get(at, p, 0, minibatch * width);
            for (int r = 0; r < minibatch; r++) {
                int row = at + r * width;
                int local = r * width;
                for (int j = 0; j < width; j++) {
                    qs[row + j] += rb[j];
                }
                for (int j = 0; j < 2 * units; j++) {
                    act[row + j] = p[local + j] + qs[row + j];
                }
                FloatActivations.sigmoid(act, row, act, row, 2 * units); // z, r
                for (int j = 0; j < units; j++) {
                    act[row + 2 * units + j] = p[local + 2 * units + j] + act[row + units + j] * qs[row + 2 * units + j];
                }
                FastLstmLayer.activate(phi, act, row + 2 * units, act, row + 2 * units, units); // h~
                float m = masked ? mask[t * minibatch + r] : 1f;
                int before = t * step + r * units;
                for (int j = 0; j < units; j++) {
                    float z = act[row + j];
                    float candidate = act[row + 2 * units + j];
                    h[r * units + j] = m * (candidate + z * (hs[before + j] - candidate));
                }
            }
            System.arraycopy(h, 0, hs, (t + 1) * step, step);
            buf.hFloats().put((t + 1) * step, h, 0, step);
        }
        pass.forwardDone(input, training);

        return FastSimpleRnnLayer.outputs(buf.h(), steps, minibatch, workspaceMgr, dataType, getDataFormat());
    }

    // ---- Backward

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!fastPath()) {
            pass.forget();
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        return backward(epsilon, -1, null, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength,
            LayerWorkspaceMgr workspaceMgr) {
        if (!fastPath()) {
            pass.forget();
            return super.tbpttBackpropGradient(epsilon, tbpttBackLength, workspaceMgr);
        }
        return backward(epsilon, tbpttBackLength, stateMap.get(H), workspaceMgr);
    }

    private Pair<Gradient, INDArray> backward(INDArray epsilon, int backLength, INDArray fallbackStart,
            LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!pass.holds(input)) {
            forward(fallbackStart, true, workspaceMgr);
        }
        Buffers buf = pass.buffers();
        int minibatch = buf.minibatch();
        int steps = buf.steps();
        int units = buf.units();
        int width = 3 * units;
        int step = minibatch * units;
        INDArray w = getParam(GruParamInitializer.INPUT_WEIGHT_KEY);
        INDArray rw = getParam(GruParamInitializer.RECURRENT_WEIGHT_KEY);
        int kind = FastLstmLayer.kind(layerConf().getActivationFn());

        buf.dh().assign(FastSimpleRnnLayer.timeMajor(permuteIfNWC(epsilon.castTo(dataType))));
        int end = backLength > 0 ? Math.max(0, steps - backLength) : 0;
        float[] act = buf.act();
        float[] qs = buf.qs();
        float[] hs = buf.hs();
        float[] mask = buf.mask();
        float[] dh = buf.stepDh();
        float[] dhz = buf.dhz();
        float[] dp = buf.stepDp();
        float[] dq = buf.stepDq();
        for (int t = steps - 1; t >= end; t--) {
            boolean last = t == steps - 1;
            if (!last) {
                Gemm.multiply(buf.dqSteps()[t + 1], false, rw, true, buf.dhSteps()[t], 1.0, 1.0); // + δq_{t+1} RW^T
            }
            buf.dhFloats().get(t * step, dh, 0, step);
            int at = t * minibatch * width;
            for (int r = 0; r < minibatch; r++) {
                int row = at + r * width;
                int local = r * width;
                int cell = r * units;
                float m = masked ? mask[t * minibatch + r] : 1f;
                for (int j = 0; j < units; j++) {
                    float d = m * (last ? dh[cell + j] : dh[cell + j] + dhz[cell + j]);
                    float z = act[row + j];
                    float reset = act[row + units + j];
                    float candidate = act[row + 2 * units + j];
                    float previous = hs[t * step + cell + j];
                    float dCandidate = d * (1f - z) * FastLstmLayer.derivative(kind, candidate);
                    float dz = d * (previous - candidate) * z * (1f - z);
                    float dr = dCandidate * qs[row + 2 * units + j] * reset * (1f - reset);
                    dp[local + j] = dz;
                    dp[local + units + j] = dr;
                    dp[local + 2 * units + j] = dCandidate;
                    dq[local + j] = dz;
                    dq[local + units + j] = dr;
                    dq[local + 2 * units + j] = dCandidate * reset;
                    dhz[cell + j] = d * z;
                }
            }
            buf.dpFloats().put(at, dp, 0, minibatch * width);
            buf.dqFloats().put(at, dq, 0, minibatch * width);
        }
        if (end > 0) {
            buf.dp().get(interval(0, (long) end * minibatch), all()).assign(0);
            buf.dq().get(interval(0, (long) end * minibatch), all()).assign(0);
        }

        INDArray wg = gradientViews.get(GruParamInitializer.INPUT_WEIGHT_KEY);
        INDArray rwg = gradientViews.get(GruParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray bg = gradientViews.get(GruParamInitializer.BIAS_KEY);
        INDArray rbg = gradientViews.get(GruParamInitializer.RECURRENT_BIAS_KEY);
        INDArray in = permuteIfNWC(input.castTo(dataType));
        OneHotRows oneHot = pass.oneHotInput();
        if (oneHot != null) {
            oneHot.gradients(buf.dpFloats(), wg, bg, width);
        } else {
            Gemm.multiply(FastSimpleRnnLayer.timeMajor(in), true, buf.dp(), false, wg, 1.0, 0.0); // X^T δp
            bg.assign(buf.dp().sum(true, 0));
        }
        INDArray previous = buf.h().get(interval(0, (long) steps * minibatch), all());
        Gemm.multiply(previous, true, buf.dq(), false, rwg, 1.0, 0.0); // H_{t-1}^T δq
        rbg.assign(buf.dq().sum(true, 0));

        INDArray epsilonOut = null;
        if (pass.inputGradientNeeded()) {
            epsilonOut = FastSimpleRnnLayer.inputGradient(buf.dp(), w, steps, minibatch, workspaceMgr, dataType,
                    getDataFormat());
        }
        pass.forget();

        Gradient gradient = new DefaultGradient(gradientsFlattened);
        gradient.gradientForVariable().put(GruParamInitializer.INPUT_WEIGHT_KEY, wg);
        gradient.gradientForVariable().put(GruParamInitializer.RECURRENT_WEIGHT_KEY, rwg);
        gradient.gradientForVariable().put(GruParamInitializer.BIAS_KEY, bg);
        gradient.gradientForVariable().put(GruParamInitializer.RECURRENT_BIAS_KEY, rbg);
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
