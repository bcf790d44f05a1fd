package org.rnnlab.keras;

import static org.deeplearning4j.nn.modelimport.keras.utils.KerasActivationUtils.getIActivationFromConfig;
import static org.deeplearning4j.nn.modelimport.keras.utils.KerasActivationUtils.mapToIActivation;
import static org.deeplearning4j.nn.modelimport.keras.utils.KerasInitilizationUtils.getWeightInitFromConfig;

import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.layers.recurrent.KerasRnnUtils;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasConstraintUtils;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasLayerUtils;
import org.deeplearning4j.util.TimeSeriesUtils;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rnnlab.layers.Gru;
import org.rnnlab.layers.GruParamInitializer;

/**
 * A Keras {@code GRU} layer as rnnlab's {@link Gru}, for DL4J's importer, which has no GRU of its
 * own in 1.0.0-M2.1; {@link KerasImport} registers it under the class name "GRU". Written as DL4J's
 * {@code KerasSimpleRnn} and {@code KerasLSTM} are: the layer in Keras's [batch, steps, features]
 * layout (NWC), its activation from {@code activation}, the gates' from {@code recurrent_activation},
 * and a layer without {@code return_sequences} under LastTimeStep.
 *
 * <p>Keras's GRU and rnnlab's share their weights' layout: kernel [f, 3u] and recurrent_kernel
 * [u, 3u] with the column blocks z, r, h in that order, so they copy over as they are. The bias is
 * [3u] with {@code reset_after=False}; with {@code reset_after=True} it is [2, 3u], the input bias
 * (rnnlab's b) in row 0 and the recurrent bias (rnnlab's RB) in row 1.
 *
 * <p>The importer constructs a custom layer from its config alone, so this layer never sees the
 * layers before it (a Masking layer's mask would not reach it; {@link KerasSettings} refuses Masking
 * before the importer runs, as it refuses every setting checked below).
 */
public class KerasGru extends KerasLayer {
    /** Keras's config field of the choice between the two GRU forms; absent (Keras 2.0) means false. */
    static final String RESET_AFTER = "reset_after";

    private final boolean resetAfter;

    /** The constructor DL4J's importer calls, by reflection, for a registered custom layer. */
    public KerasGru(Map<String, Object> layerConfig)
            throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        super(layerConfig, false); // training settings are not enforced, as rnnlab's import asks of the importer
        Map<String, Object> inner = KerasLayerUtils.getInnerLayerConfigFromConfig(layerConfig, conf);
        this.resetAfter = Boolean.TRUE.equals(inner.get(RESET_AFTER));
        boolean returnSequences = Boolean.TRUE.equals(inner.get(conf.getLAYER_FIELD_RETURN_SEQUENCES()));
        KerasRnnUtils.getRecurrentDropout(conf, layerConfig); // refuses recurrent dropout, as for DL4J's own layers

        Gru.Builder builder = new Gru.Builder()
                .resetAfter(resetAfter)
                .gateActivationFunction(mapToIActivation((String) inner.get(conf.getLAYER_FIELD_INNER_ACTIVATION()), conf))
                .activation(getIActivationFromConfig(layerConfig, conf))
                .name(layerName)
                .nOut(KerasLayerUtils.getNOutFromConfig(layerConfig, conf))
                .dropOut(dropout)
                .weightInit(getWeightInitFromConfig(layerConfig, conf.getLAYER_FIELD_INIT(), false, conf, kerasMajorVersion))
                .weightInitRecurrent(getWeightInitFromConfig(layerConfig, conf.getLAYER_FIELD_INNER_INIT(), false, conf,
                        kerasMajorVersion))
                .biasInit(0.0)
                .l1(weightL1Regularization)
                .l2(weightL2Regularization)
                .dataFormat(RNNFormat.NWC);
        Integer nIn = KerasLayerUtils.getNInFromInputDim(layerConfig, conf);
        if (nIn != null) {
            builder.setNIn(nIn);
        }
        LayerConstraint bias = constraint(layerConfig, conf.getLAYER_FIELD_B_CONSTRAINT());
        LayerConstraint input = constraint(layerConfig, conf.getLAYER_FIELD_W_CONSTRAINT());
        LayerConstraint recurrent = constraint(layerConfig, conf.getLAYER_FIELD_RECURRENT_CONSTRAINT());
        if (bias != null) {
            builder.constrainBias(bias);
        }
        if (input != null) {
            builder.constrainInputWeights(input);
        }
        if (recurrent != null) {
            builder.constrainRecurrent(recurrent);
        }
        this.layer = returnSequences ? builder.build() : new LastTimeStep(builder.build());
    }

    private LayerConstraint constraint(Map<String, Object> layerConfig, String field)
            throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        return KerasConstraintUtils.getConstraintsFromConfig(layerConfig, field, conf, kerasMajorVersion);
    }

    @Override
    public InputType getOutputType(InputType... inputType) throws InvalidKerasConfigurationException {
        if (inputType.length != 1) {
            throw new InvalidKerasConfigurationException("Keras GRU layer " + layerName + " takes one input, not "
                    + inputType.length);
        }
        InputPreProcessor preProcessor = getInputPreprocessor(inputType);
        return preProcessor != null ? preProcessor.getOutputType(inputType[0]) : layer.getOutputType(-1, inputType[0]);
    }

    @Override
    public InputPreProcessor getInputPreprocessor(InputType... inputType) throws InvalidKerasConfigurationException {
        if (inputType.length != 1) {
            throw new InvalidKerasConfigurationException("Keras GRU layer " + layerName + " takes one input, not "
                    + inputType.length);
        }
        return InputTypeUtil.getPreprocessorForInputTypeRnnLayers(inputType[0], TimeSeriesUtils.getFormatFromRnnLayer(layer),
                layerName);
    }

    /** kernel, recurrent_kernel and bias. */
    @Override
    public int getNumParams() {
        return 3;
    }

    /** The file's kernel, recurrent_kernel and bias under rnnlab's keys W, RW, b (and RB: the bias's row 1). */
    @Override
    public void setWeights(Map<String, INDArray> weights) throws InvalidKerasConfigurationException {
        this.weights = new HashMap<>();
        this.weights.put(GruParamInitializer.INPUT_WEIGHT_KEY, weight(weights, conf.getKERAS_PARAM_NAME_W()));
        this.weights.put(GruParamInitializer.RECURRENT_WEIGHT_KEY, weight(weights, conf.getKERAS_PARAM_NAME_RW()));
        INDArray bias = weight(weights, conf.getKERAS_PARAM_NAME_B());
        boolean twoRows = bias.rank() == 2 && bias.size(0) == 2;
        if (twoRows != resetAfter) {
            throw new InvalidKerasConfigurationException("Keras GRU layer " + layerName + " has reset_after="
                    + (resetAfter ? "True" : "False") + " but a bias of shape " + java.util.Arrays.toString(bias.shape())
                    + " (expected " + (resetAfter ? "[2, 3 units]" : "[3 units]") + ")");
        }
        if (resetAfter) {
            this.weights.put(GruParamInitializer.BIAS_KEY, bias.getRow(0, true).dup());
            this.weights.put(GruParamInitializer.RECURRENT_BIAS_KEY, bias.getRow(1, true).dup());
        } else {
            this.weights.put(GruParamInitializer.BIAS_KEY, bias);
        }
    }

    private INDArray weight(Map<String, INDArray> weights, String name) throws InvalidKerasConfigurationException {
        INDArray weight = weights.get(name);
        if (weight == null) {
            throw new InvalidKerasConfigurationException("Keras GRU layer " + layerName + " has no weight " + name
                    + " (it has " + weights.keySet() + ")");
        }
        return weight;
    }
}
