package org.rnnlab.keras;

import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.modelimport.keras.layers.wrappers.KerasBidirectional;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasLayerUtils;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Keras {@code Bidirectional(GRU(...))} as DL4J's Bidirectional over rnnlab's {@link org.rnnlab.layers.Gru}.
 * DL4J 1.0.0-M2.1's own {@code KerasBidirectional} builds only LSTM and SimpleRNN inside it and
 * cannot be replaced under its class name, so {@link KerasImport} renames such layers to
 * {@value #CLASS_NAME} in the config it hands the importer, and registers this class for it. It is
 * a {@code KerasBidirectional} all the same, since the importer reads a Bidirectional's two halves'
 * weights only for one. The layer is built as {@code KerasBidirectional} builds its own: the same
 * merge modes, the wrapped layer as {@link KerasGru} builds a GRU alone, and its weights split into
 * the forward and the backward half and stored under DL4J's f and b prefixes (docs/keras.md, "Keras GRU").
 */
public class KerasBidirectionalGru extends KerasBidirectional {
    /** The class name a Bidirectional over a GRU is given in the config the importer reads. */
    static final String CLASS_NAME = "RnnlabBidirectionalGRU";

    private final KerasGru forward;
    private final KerasGru backward;

    /** The constructor DL4J's importer calls, by reflection, for a registered custom layer. */
    public KerasBidirectionalGru(Map<String, Object> layerConfig)
            throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        // The importer reads a Bidirectional's two halves' weights only for a KerasBidirectional (it asks
        // instanceof), whose constructor builds LSTM or SimpleRNN alone: it is handed the config with
        // the GRU named an LSTM, and the layer it builds is replaced with the GRU one below.
        super(asLstm(layerConfig));
        Map<String, Object> config = KerasLayerUtils.getInnerLayerConfigFromConfig(layerConfig, conf);
        @SuppressWarnings("unchecked")
        Map<String, Object> inner = new HashMap<>((Map<String, Object>) config.get("layer"));
        // the wrapped layer's config carries no Keras version of its own; KerasBidirectional hands it down too
        inner.put(conf.getLAYER_FIELD_KERAS_VERSION(), kerasMajorVersion);
        this.forward = new KerasGru(inner);
        this.backward = new KerasGru(inner);
        Bidirectional.Mode mode = switch (String.valueOf(config.get("merge_mode"))) {
            case "concat" -> Bidirectional.Mode.CONCAT;
            case "sum" -> Bidirectional.Mode.ADD;
            case "mul" -> Bidirectional.Mode.MUL;
            case "ave" -> Bidirectional.Mode.AVERAGE;
            default -> throw new UnsupportedKerasConfigurationException("Bidirectional layer " + layerName
                    + " has merge_mode " + config.get("merge_mode") + "; rnnlab imports concat, sum, mul and ave");
        };
        this.layer = new Bidirectional(mode, forward.getLayer());
        this.layer.setLayerName(layerName);
    }

    /** A copy of the config whose wrapped layer is named an LSTM (with LSTM's unit_forget_bias), for the parent's constructor. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> asLstm(Map<String, Object> layerConfig) {
        Map<String, Object> copy = new HashMap<>(layerConfig);
        Map<String, Object> config = new HashMap<>((Map<String, Object>) copy.get("config"));
        Map<String, Object> inner = new HashMap<>((Map<String, Object>) config.get("layer"));
        Map<String, Object> innerConfig = new HashMap<>((Map<String, Object>) inner.get("config"));
        innerConfig.putIfAbsent("unit_forget_bias", true);
        inner.put("class_name", "LSTM");
        inner.put("config", innerConfig);
        config.put("layer", inner);
        copy.put("config", config);
        copy.put("class_name", "Bidirectional");
        return copy;
    }

    private Bidirectional bidirectional() {
        return (Bidirectional) layer;
    }

    @Override
    public InputType getOutputType(InputType... inputType) throws InvalidKerasConfigurationException {
        InputPreProcessor preProcessor = getInputPreprocessor(inputType);
        return bidirectional().getOutputType(-1, preProcessor != null ? preProcessor.getOutputType(inputType[0])
                : inputType[0]);
    }

    @Override
    public InputPreProcessor getInputPreprocessor(InputType... inputType) throws InvalidKerasConfigurationException {
        if (inputType.length != 1) {
            throw new InvalidKerasConfigurationException("Keras Bidirectional layer " + layerName + " takes one input, not "
                    + inputType.length);
        }
        return InputTypeUtil.getPreprocessorForInputTypeRnnLayers(inputType[0], bidirectional().getRNNDataFormat(),
                layerName);
    }

    /** The forward half's kernel, recurrent kernel and bias, then the backward half's. */
    @Override
    public int getNumParams() {
        return 2 * forward.getNumParams();
    }

    /**
     * The file's weights, their names holding forward_... or backward_... (as Keras names the two
     * halves' weights), each half's mapped as {@link KerasGru#setWeights} maps a GRU's, then stored as
     * DL4J's Bidirectional keeps them: fW, fRW, fb (fRB) and bW, ....
     */
    @Override
    public void setWeights(Map<String, INDArray> weights) throws InvalidKerasConfigurationException {
        this.weights = new HashMap<>();
        for (String half : new String[] {"forward", "backward"}) {
            Map<String, INDArray> own = new HashMap<>();
            weights.forEach((name, value) -> {
                if (name.contains(half)) {
                    own.put(role(name), value);
                }
            });
            if (own.isEmpty()) {
                throw new InvalidKerasConfigurationException("Bidirectional layer " + layerName + " has no " + half
                        + " weights among " + weights.keySet());
            }
            KerasGru gru = half.equals("forward") ? forward : backward;
            gru.setWeights(own);
            String prefix = half.equals("forward") ? "f" : "b";
            gru.getWeights().forEach((key, value) -> this.weights.put(prefix + key, value));
        }
    }

    /** kernel, recurrent_kernel or bias: the end of a weight's name (forward_gru/recurrent_kernel:0, ...). */
    private String role(String name) throws IllegalArgumentException {
        String bare = name.replaceFirst(":\\d+$", "");
        for (String role : new String[] {conf.getKERAS_PARAM_NAME_RW(), conf.getKERAS_PARAM_NAME_W(),
            conf.getKERAS_PARAM_NAME_B()}) {
            if (bare.endsWith(role)) {
                return role;
            }
        }
        throw new IllegalArgumentException("Bidirectional layer " + layerName + " has a weight " + name
                + " that is no GRU kernel, recurrent kernel or bias");
    }
}
