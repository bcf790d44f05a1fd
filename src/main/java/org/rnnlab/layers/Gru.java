package org.rnnlab.layers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The configuration of a gated recurrent unit layer (Cho et al. 2014, "Learning Phrase
 * Representations using RNN Encoder-Decoder for Statistical Machine Translation"), computed by
 * {@link GruLayer} with the parameters of {@link GruParamInitializer}. With x_t the input and
 * h_{t-1} the previous output, σ the gate activation and tanh the activation:
 * <pre>
 *   z  = σ(x W_z + h_{t-1} U_z + b_z [+ rb_z])          update gate
 *   r  = σ(x W_r + h_{t-1} U_r + b_r [+ rb_r])          reset gate
 *   resetAfter false:  h~ = tanh(x W_h + (r ⊙ h_{t-1}) U_h + b_h)
 *   resetAfter true:   h~ = tanh(x W_h + b_h + r ⊙ (h_{t-1} U_h + rb_h))
 *   h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~
 * </pre>
 * U is the recurrent weight matrix RW, rb the recurrent bias RB (present only with resetAfter).
 * These are Keras's GRU equations (https://keras.io/api/layers/recurrent_layers/gru/): its
 * {@code reset_after} option chooses whether the reset gate is applied after or before the
 * recurrent matrix product. false is the original paper's form and standalone Keras 2's default;
 * true is tf.keras 2's default and the form cuDNN computes.
 *
 * <p>Defaults: {@code resetAfter} true ({@link #DEFAULT_RESET_AFTER}), since a GRU is most often
 * compared with, or its weights brought from, tf.keras 2; activation tanh and gate activation
 * sigmoid, as in Keras. The builder sets the activation itself, so a network-wide
 * {@code .activation(...)} on {@code NeuralNetConfiguration.Builder} does not reach a Gru; set it
 * on the layer's builder.
 *
 * <p>It is saved in a configuration's JSON under its class name (DL4J's layer configurations are
 * typed by class), with {@code gateActivationFn} and {@code resetAfter} beside the settings every
 * recurrent layer has, so {@code MultiLayerConfiguration.fromJson} and
 * {@code ModelSerializer.restoreMultiLayerNetwork} give back a Gru.
 */
public class Gru extends BaseRecurrentLayer {
    public static final boolean DEFAULT_RESET_AFTER = true;

    private IActivation gateActivationFn;
    private boolean resetAfter;

    protected Gru(Builder builder) {
        super(builder);
        this.gateActivationFn = builder.gateActivationFn;
        this.resetAfter = builder.resetAfter;
        initializeConstraints(builder); // after resetAfter: the constraints are matched to the parameter keys
    }

    /** For Jackson, when a configuration is read back from JSON. */
    private Gru() {
        this.gateActivationFn = new ActivationSigmoid();
        this.resetAfter = DEFAULT_RESET_AFTER;
    }

    /** DL4J's constraints for all, weight and bias parameters, and the recurrent and input weight constraints on RW and W. */
    @Override
    protected void initializeConstraints(org.deeplearning4j.nn.conf.layers.Layer.Builder<?> builder) {
        super.initializeConstraints(builder);
        if (builder instanceof Builder gru) {
            addConstraints(gru.getRecurrentConstraints(), GruParamInitializer.RECURRENT_WEIGHT_KEY);
            addConstraints(gru.getInputWeightConstraints(), GruParamInitializer.INPUT_WEIGHT_KEY);
        }
    }

    private void addConstraints(List<LayerConstraint> given, String parameter) {
        if (given == null || given.isEmpty()) {
            return;
        }
        if (constraints == null) {
            constraints = new ArrayList<>();
        }
        for (LayerConstraint constraint : given) {
            LayerConstraint copy = constraint.clone();
            copy.setParams(Set.of(parameter));
            constraints.add(copy);
        }
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("Gru", getLayerName(), layerIndex, getNIn(), getNOut());
        return LayerWiring.wire(new GruLayer(conf, networkDataType), conf, listeners, layerIndex, layerParamsView,
                initializeParams, initializer());
    }

    @Override
    public ParamInitializer initializer() {
        return GruParamInitializer.getInstance();
    }

    /**
     * An estimate, per example and step, in elements: inference holds the three blocks'
     * pre-activations, activations and recurrent parts and the state (about 10u); training runs
     * that forward pass again in the backward pass and adds the gradients of the pre-activations
     * and recurrent parts (6u), some temporaries and the input's gradient (f): 22u + f.
     */
    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType.InputTypeRecurrent recurrent = (InputType.InputTypeRecurrent) inputType;
        long steps = Math.max(1, recurrent.getTimeSeriesLength());
        long units = getNOut();
        long params = initializer().numParams(this);
        long updaterState = getIUpdater() == null ? 0 : getIUpdater().stateSize(params);
        long inferencePerExample = steps * 10 * units;
        long trainingPerExample = steps * (22 * units + getNIn());
        return new LayerMemoryReport.Builder(getLayerName(), Gru.class, inputType, getOutputType(-1, inputType))
                .standardMemory(params, updaterState)
                .workingMemory(0, inferencePerExample, 0, trainingPerExample)
                .cacheMemory(0, 0)
                .build();
    }

    public IActivation getGateActivationFn() {
        return gateActivationFn;
    }

    public void setGateActivationFn(IActivation gateActivationFn) {
        this.gateActivationFn = gateActivationFn;
    }

    /** Whether the reset gate multiplies h_{t-1} U_h + rb_h (true) or h_{t-1} before U_h (false). */
    public boolean isResetAfter() {
        return resetAfter;
    }

    public void setResetAfter(boolean resetAfter) {
        this.resetAfter = resetAfter;
    }

    @Override
    public boolean equals(Object other) {
        if (other == this) {
            return true;
        }
        if (!(other instanceof Gru gru) || !gru.canEqual(this) || !super.equals(other)) {
            return false;
        }
        return resetAfter == gru.resetAfter && Objects.equals(gateActivationFn, gru.gateActivationFn);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof Gru;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), gateActivationFn, resetAfter);
    }

    @Override
    public String toString() {
        return "Gru(super=" + super.toString() + ", gateActivationFn=" + gateActivationFn + ", resetAfter=" + resetAfter + ")";
    }

    /** Built like DL4J's {@code new LSTM.Builder().nOut(n)...build()}, plus {@link #resetAfter(boolean)}. */
    public static class Builder extends BaseRecurrentLayer.Builder<Builder> {
        private IActivation gateActivationFn = new ActivationSigmoid();
        private boolean resetAfter = DEFAULT_RESET_AFTER;

        public Builder() {
            this.activationFn = new ActivationTanH();
        }

        /** The activation of the update and reset gates (sigmoid unless set); it should map into [0, 1]. */
        public Builder gateActivationFunction(IActivation gateActivation) {
            this.gateActivationFn = Objects.requireNonNull(gateActivation, "gateActivation");
            return this;
        }

        public Builder gateActivationFunction(Activation gateActivation) {
            return gateActivationFunction(gateActivation.getActivationFunction());
        }

        /**
         * Keras's {@code reset_after}: true (the default) applies the reset gate to h_{t-1} U_h + rb_h
         * and gives the layer a recurrent bias RB; false applies it to h_{t-1} before U_h, without RB.
         */
        public Builder resetAfter(boolean resetAfter) {
            this.resetAfter = resetAfter;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Gru build() {
            return new Gru(this);
        }
    }
}
