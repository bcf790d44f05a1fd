package org.rnnlab.layers;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.BaseRecurrentLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.base.Preconditions;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The computation of a {@link Gru} layer: the equations in that class's comment, step by step with
 * ND4J matrix products and element-wise ops, in the network's data type (FLOAT or DOUBLE).
 *
 * <p>Layout: the steps are handled as time-major rows, step t of a minibatch of B being rows
 * [t B, (t + 1) B) of a [T B, n] matrix. The input projection x W + b of every step is one product
 * before the recurrence; each step adds its recurrent part and applies the gates. The backward pass
 * runs the forward pass again (as DL4J's LSTM and SimpleRnn do) from the state the last training
 * forward pass started from, collects the pre-activation gradients of every step, and forms the
 * gradients of W, RW, b (and RB) and the input's gradient as one product each over all steps.
 *
 * <p>Masks follow what DL4J's LSTM computes with a mask (LSTMHelpers in 1.0.0-M2.1): at a step
 * whose feature mask is 0 the layer's output is 0, and that 0 is the state the next step starts
 * from (the step is computed and then multiplied by the mask; a padded start is therefore a fresh
 * start from a zero state). The backward pass is the exact gradient of that forward pass: a masked
 * step passes no gradient to the parameters, to its input, or to the steps before it. The state
 * stored for {@code rnnTimeStep} and truncated BPTT is the last step's output, 0 when that step is
 * masked, as LSTM stores it. The layer keeps the feature mask that MultiLayerNetwork hands down
 * (DL4J's default {@code feedForwardMaskArray}, as SimpleRnn does) and passes it on. DL4J's LSTM
 * layer, by contrast, does not keep it in a MultiLayerNetwork (its {@code feedForwardMaskArray}
 * returns the mask without storing it), so there it computes padded steps as data;
 * {@code GruForwardTest} shows both.
 *
 * <p>State: one array, the previous output h under {@link #STATE_KEY_PREV_ACTIVATION} (the key
 * DL4J's SimpleRnn and LSTM use), in {@code stateMap} for {@code rnnTimeStep} and in
 * {@code tBpttStateMap} for truncated BPTT.
 */
public class GruLayer extends BaseRecurrentLayer<Gru> {
    public static final String STATE_KEY_PREV_ACTIVATION = "prevAct";

    /**
     * One forward pass over T steps of B examples, time-major. {@code pre} holds the pre-activations
     * of z, r and h~ ([T B, 3u]), {@code act} their activations, {@code recurrent} the recurrent
     * parts (resetAfter: h_{t-1} U + rb in all three blocks; otherwise h_{t-1} U_z, h_{t-1} U_r and
     * (r ⊙ h_{t-1}) U_h), {@code resetState} r ⊙ h_{t-1} ([T B, u], only without resetAfter),
     * {@code states} the initial state and then every h_t ([(T + 1) B, u]), {@code mask} the
     * feature mask as a [T B, 1] column or null.
     */
    private record Pass(int minibatch, int steps, INDArray x, INDArray pre, INDArray act, INDArray recurrent,
            INDArray resetState, INDArray states, INDArray mask) {
    }

    /** The state the last training forward pass started from (null: zeros), and the input it ran on. */
    private INDArray trainingStart;
    private INDArray trainingInput;

    public GruLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    // ---- Forward

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        Pass pass = forward(null, training, ArrayType.FF_WORKING_MEM, workspaceMgr);
        recordTrainingStart(training, null);
        return output(pass, workspaceMgr);
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        Pass pass = forward(stateMap.get(STATE_KEY_PREV_ACTIVATION), false, ArrayType.FF_WORKING_MEM, workspaceMgr);
        stateMap.put(STATE_KEY_PREV_ACTIVATION, lastState(pass));
        return output(pass, workspaceMgr);
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
            LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        INDArray start = tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION);
        Pass pass = forward(start, training, ArrayType.FF_WORKING_MEM, workspaceMgr);
        recordTrainingStart(training, start);
        if (storeLastForTBPTT) {
            tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, lastState(pass));
        }
        return output(pass, workspaceMgr);
    }

    private void recordTrainingStart(boolean training, INDArray start) {
        if (training) {
            trainingStart = start; // stored states are detached arrays, safe to keep
            trainingInput = input; // after dropout, which the backward pass's forward pass does not redo
        }
    }

    /**
     * Runs the recurrence from {@code start} (null: zeros) over the whole input, its working arrays
     * of {@code working} type.
     */
    private Pass forward(INDArray start, boolean training, ArrayType working, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray in = permuteIfNWC(input.castTo(dataType));
        Preconditions.checkState(in.rank() == 3, "Gru expects 3d input [minibatch, features, steps], got rank %s", in.rank());
        Gru conf = layerConf();
        FastSimpleRnnLayer.requireWidth("Gru", layerId(), in, conf.getNIn());
        int minibatch = (int) in.size(0);
        int steps = (int) in.size(2);
        long units = conf.getNOut();
        long rows = (long) steps * minibatch;
        boolean resetAfter = conf.isResetAfter();
        INDArray w = getParamWithNoise(GruParamInitializer.INPUT_WEIGHT_KEY, training, workspaceMgr);
        INDArray rw = getParamWithNoise(GruParamInitializer.RECURRENT_WEIGHT_KEY, training, workspaceMgr);
        INDArray b = getParamWithNoise(GruParamInitializer.BIAS_KEY, training, workspaceMgr);
        INDArray rb = resetAfter ? getParamWithNoise(GruParamInitializer.RECURRENT_BIAS_KEY, training, workspaceMgr) : null;
        Preconditions.checkState(start == null || start.size(0) == minibatch, "Gru layer %s: the stored state is for a"
                + " minibatch of %s, the input has %s; clear the state (rnnClearPreviousState) between sequences of"
                + " different minibatch sizes", layerId(), start == null ? 0 : start.size(0), minibatch);

        INDArray x = FastSimpleRnnLayer.timeMajor(in);
        INDArray pre = workspaceMgr.create(working, dataType, new long[] {rows, 3 * units}, 'c');
        pre.assign(x.mmul(w)).addiRowVector(b); // x_t W + b for every step at once
        INDArray act = workspaceMgr.create(working, dataType, new long[] {rows, 3 * units}, 'c');
        INDArray recurrent = workspaceMgr.create(working, dataType, new long[] {rows, 3 * units}, 'c');
        INDArray resetState = resetAfter ? null : workspaceMgr.create(working, dataType, new long[] {rows, units}, 'c');
        INDArray states = workspaceMgr.create(working, dataType, new long[] {rows + minibatch, units}, 'c');
        if (start != null) {
            block(states, 0, minibatch).assign(start);
        }
        INDArray mask = maskArray == null ? null
                : maskArray.castTo(dataType).transpose().reshape('c', rows, 1).dup('c');
        Pass pass = new Pass(minibatch, steps, x, pre, act, recurrent, resetState, states, mask);

        IActivation gate = conf.getGateActivationFn();
        IActivation activation = conf.getActivationFn();
        INDArray rwGates = columns(rw, 0, 2 * units);
        INDArray rwCandidate = columns(rw, 2 * units, 3 * units);
        for (int t = 0; t < steps; t++) {
            try (MemoryWorkspace ignored = workspaceMgr.notifyScopeEntered(ArrayType.RNN_FF_LOOP_WORKING_MEM)) {
                INDArray previous = block(states, t, minibatch);
                INDArray p = block(pre, t, minibatch);
                INDArray a = block(act, t, minibatch);
                INDArray rec = block(recurrent, t, minibatch);
                INDArray gatesPre = columns(p, 0, 2 * units);
                INDArray gates = columns(a, 0, 2 * units);
                INDArray r = columns(a, units, 2 * units);
                INDArray candidatePre = columns(p, 2 * units, 3 * units);
                if (resetAfter) {
                    rec.assign(previous.mmul(rw)).addiRowVector(rb); // h_{t-1} U + rb
                    gatesPre.addi(columns(rec, 0, 2 * units));
                    gates.assign(gate.getActivation(gatesPre.dup(), training));
                    candidatePre.addi(r.mul(columns(rec, 2 * units, 3 * units))); // + r ⊙ (h_{t-1} U_h + rb_h)
                } else {
                    INDArray recGates = columns(rec, 0, 2 * units);
                    recGates.assign(previous.mmul(rwGates));
                    gatesPre.addi(recGates);
                    gates.assign(gate.getActivation(gatesPre.dup(), training));
                    INDArray reset = block(resetState, t, minibatch);
                    reset.assign(r.mul(previous)); // r ⊙ h_{t-1}
                    INDArray recCandidate = columns(rec, 2 * units, 3 * units);
                    recCandidate.assign(reset.mmul(rwCandidate));
                    candidatePre.addi(recCandidate);
                }
                INDArray candidate = columns(a, 2 * units, 3 * units);
                candidate.assign(activation.getActivation(candidatePre.dup(), training));
                INDArray z = columns(a, 0, units);
                // h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~ = h~ + z ⊙ (h_{t-1} - h~)
                INDArray h = block(states, t + 1, minibatch);
                h.assign(previous.sub(candidate).muli(z).addi(candidate));
                if (mask != null) {
                    h.muliColumnVector(block(mask, t, minibatch));
                }
            }
        }
        return pass;
    }

    /** The outputs h_1 .. h_T as an activations array in the layer's data format. */
    private INDArray output(Pass pass, LayerWorkspaceMgr workspaceMgr) {
        long units = layerConf().getNOut();
        long rows = (long) pass.steps() * pass.minibatch();
        INDArray out = workspaceMgr.create(ArrayType.ACTIVATIONS, dataType,
                new long[] {pass.steps(), pass.minibatch(), units}, 'c');
        out.reshape('c', rows, units).assign(pass.states().get(interval(pass.minibatch(), rows + pass.minibatch()), all()));
        return fromTimeMajor(out);
    }

    /** h_T, detached from every workspace: the state a later call starts from. */
    private static INDArray lastState(Pass pass) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return block(pass.states(), pass.steps(), pass.minibatch()).dup('c');
        }
    }

    // ---- Backward

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        return backward(epsilon, -1, null, workspaceMgr);
    }

    /**
     * Truncated BPTT: gradients over the last {@code tbpttBackLength} steps only. The forward pass is
     * run again from the state the scored forward pass started from; where this layer saw no training
     * forward pass on this input, from the stored {@code rnnTimeStep} state, as DL4J's LSTM does
     * (MultiLayerNetwork moves the last segment's final state there before the next segment).
     */
    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength,
            LayerWorkspaceMgr workspaceMgr) {
        return backward(epsilon, tbpttBackLength, stateMap.get(STATE_KEY_PREV_ACTIVATION), workspaceMgr);
    }

    private Pair<Gradient, INDArray> backward(INDArray epsilon, int backLength, INDArray fallbackStart,
            LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray start = trainingInput != null && trainingInput == input ? trainingStart : fallbackStart;
        Pass pass = forward(start, true, ArrayType.BP_WORKING_MEM, workspaceMgr);
        Gru conf = layerConf();
        boolean resetAfter = conf.isResetAfter();
        int minibatch = pass.minibatch();
        int steps = pass.steps();
        long units = conf.getNOut();
        long nIn = conf.getNIn();
        long rows = (long) steps * minibatch;
        INDArray w = getParamWithNoise(GruParamInitializer.INPUT_WEIGHT_KEY, true, workspaceMgr);
        INDArray rw = getParamWithNoise(GruParamInitializer.RECURRENT_WEIGHT_KEY, true, workspaceMgr);
        INDArray rwGates = columns(rw, 0, 2 * units);
        INDArray rwCandidate = columns(rw, 2 * units, 3 * units);
        IActivation gate = conf.getGateActivationFn();
        IActivation activation = conf.getActivationFn();

        INDArray dOut = FastSimpleRnnLayer.timeMajor(permuteIfNWC(epsilon.castTo(dataType))); // dL/dh_t from above
        // dL/d(pre-activations) of every step; resetAfter: also dL/d(recurrent parts), whose last block
        // differs (r ⊙ dL/dh~pre), the first two being the same as the pre-activations'.
        INDArray dPre = workspaceMgr.create(ArrayType.BP_WORKING_MEM, dataType, new long[] {rows, 3 * units}, 'c');
        INDArray dRec = resetAfter
                ? workspaceMgr.create(ArrayType.BP_WORKING_MEM, dataType, new long[] {rows, 3 * units}, 'c') : null;
        INDArray dNext = workspaceMgr.create(ArrayType.BP_WORKING_MEM, dataType, new long[] {minibatch, units}, 'c');
        int end = backLength > 0 ? Math.max(0, steps - backLength) : 0;
        for (int t = steps - 1; t >= end; t--) {
            try (MemoryWorkspace ignored = workspaceMgr.notifyScopeEntered(ArrayType.RNN_BP_LOOP_WORKING_MEM)) {
                INDArray dh = block(dOut, t, minibatch).add(dNext); // dL/dh_t: from above and from step t + 1
                if (pass.mask() != null) {
                    dh.muliColumnVector(block(pass.mask(), t, minibatch)); // h_t = mask ⊙ (GRU step)
                }
                INDArray previous = block(pass.states(), t, minibatch);
                INDArray p = block(pass.pre(), t, minibatch);
                INDArray a = block(pass.act(), t, minibatch);
                INDArray z = columns(a, 0, units);
                INDArray r = columns(a, units, 2 * units);
                INDArray candidate = columns(a, 2 * units, 3 * units);
                INDArray dp = block(dPre, t, minibatch);

                INDArray dCandidatePre = activation.backprop(columns(p, 2 * units, 3 * units).dup(),
                        dh.mul(z.rsub(1.0))).getFirst();
                INDArray dz = dh.mul(previous.sub(candidate));
                INDArray dr;
                INDArray dPrevious = dh.mul(z);
                if (resetAfter) {
                    dr = dCandidatePre.mul(columns(block(pass.recurrent(), t, minibatch), 2 * units, 3 * units));
                } else {
                    INDArray dReset = dCandidatePre.mmul(rwCandidate.transpose()); // dL/d(r ⊙ h_{t-1})
                    dr = dReset.mul(previous);
                    dPrevious.addi(dReset.mul(r));
                }
                columns(dp, 0, units).assign(gate.backprop(columns(p, 0, units).dup(), dz).getFirst());
                columns(dp, units, 2 * units).assign(gate.backprop(columns(p, units, 2 * units).dup(), dr).getFirst());
                columns(dp, 2 * units, 3 * units).assign(dCandidatePre);
                if (resetAfter) {
                    INDArray dRecStep = block(dRec, t, minibatch);
                    columns(dRecStep, 0, 2 * units).assign(columns(dp, 0, 2 * units));
                    columns(dRecStep, 2 * units, 3 * units).assign(dCandidatePre.mul(r));
                    dPrevious.addi(dRecStep.mmul(rw.transpose()));
                } else {
                    dPrevious.addi(columns(dp, 0, 2 * units).mmul(rwGates.transpose()));
                }
                dNext.assign(dPrevious);
            }
        }

        // One product each over all steps (rows before `end` are zero)
        INDArray previousStates = pass.states().get(interval(0, rows), all());
        INDArray wg = gradientViews.get(GruParamInitializer.INPUT_WEIGHT_KEY);
        INDArray rwg = gradientViews.get(GruParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray bg = gradientViews.get(GruParamInitializer.BIAS_KEY);
        wg.assign(pass.x().transpose().mmul(dPre));
        bg.assign(dPre.sum(true, 0));
        Gradient gradient = new DefaultGradient(gradientsFlattened);
        gradient.gradientForVariable().put(GruParamInitializer.INPUT_WEIGHT_KEY, wg);
        gradient.gradientForVariable().put(GruParamInitializer.RECURRENT_WEIGHT_KEY, rwg);
        gradient.gradientForVariable().put(GruParamInitializer.BIAS_KEY, bg);
        if (resetAfter) {
            rwg.assign(previousStates.transpose().mmul(dRec));
            INDArray rbg = gradientViews.get(GruParamInitializer.RECURRENT_BIAS_KEY);
            rbg.assign(dRec.sum(true, 0));
            gradient.gradientForVariable().put(GruParamInitializer.RECURRENT_BIAS_KEY, rbg);
        } else {
            columns(rwg, 0, 2 * units).assign(previousStates.transpose().mmul(columns(dPre, 0, 2 * units)));
            columns(rwg, 2 * units, 3 * units).assign(pass.resetState().transpose().mmul(columns(dPre, 2 * units, 3 * units)));
        }

        INDArray epsilonOut = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, dataType, new long[] {steps, minibatch, nIn}, 'c');
        epsilonOut.reshape('c', rows, nIn).assign(dPre.mmul(w.transpose())); // dL/dx_t = dL/dpre_t W^T
        epsilonOut = backpropDropOutIfPresent(fromTimeMajor(epsilonOut));
        weightNoiseParams.clear();
        return new Pair<>(gradient, epsilonOut);
    }

    // ---- Layout

    /** Rows [t B, (t + 1) B): step t of a time-major matrix. */
    private static INDArray block(INDArray rows, int t, int minibatch) {
        return FastSimpleRnnLayer.block(rows, t, minibatch);
    }

    private static INDArray columns(INDArray matrix, long from, long to) {
        return matrix.get(all(), interval(from, to));
    }

    /** [T, B, n] to the layer's format, [B, n, T] (NCW) or [B, T, n] (NWC), as a view. */
    private INDArray fromTimeMajor(INDArray tbn) {
        return getDataFormat() == RNNFormat.NWC ? tbn.permute(1, 0, 2) : tbn.permute(1, 2, 0);
    }

    @Override
    public void clear() {
        super.clear();
        trainingStart = null;
        trainingInput = null;
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
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
