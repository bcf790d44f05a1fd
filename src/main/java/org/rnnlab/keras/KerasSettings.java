package org.rnnlab.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rnnlab.BadInputException;

/**
 * The Keras layers and settings rnnlab imports, and a one-line refusal for the rest. DL4J
 * 1.0.0-M2.1's importer silently ignores some Keras settings ({@code go_backwards},
 * {@code stateful}, {@code return_state}, {@code time_major}), so a model using them would import and compute
 * something else; those are refused here, by layer and setting, before the importer runs.
 */
public final class KerasSettings {
    /** The layer classes the importer maps one to one. */
    static final Set<String> LAYERS = Set.of("InputLayer", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "Dense",
            "TimeDistributed", "Activation", "RepeatVector", "Embedding", "Dropout");
    /** The activations of a GRU's candidate state that rnnlab's Gru computes as Keras does (KerasExportTest checks each). */
    private static final Set<String> GRU_ACTIVATIONS = Set.of("tanh", "sigmoid", "hard_sigmoid", "linear", "relu");
    /** Keras 2's GRU gates: hard_sigmoid (multi-backend Keras's default; clip(0.2 x + 0.5, 0, 1), ND4J's HardSigmoid) or sigmoid. */
    private static final Set<String> GRU_GATE_ACTIVATIONS = Set.of("sigmoid", "hard_sigmoid");
    /** Settings that change what a layer computes and that the importer ignores: each with the value Keras's default has. */
    private static final Map<String, Boolean> IGNORED_BY_THE_IMPORTER = Map.of("go_backwards", false, "stateful", false,
            "return_state", false, "time_major", false);
    private static final Set<String> MERGE_MODES = Set.of("concat", "sum", "mul", "ave");

    private KerasSettings() {
    }

    /** The layer configurations of a model_config, in order: Sequential's (a list, or config.layers) or a functional model's. */
    public static List<JsonNode> layers(JsonNode modelConfig) {
        JsonNode config = modelConfig.path("config");
        JsonNode layers = config.isArray() ? config : config.path("layers");
        List<JsonNode> list = new ArrayList<>();
        layers.forEach(list::add);
        return list;
    }

    /** The first layer's {@code batch_input_shape} ([null, steps, features], null for None), or null where none declares one. */
    public static JsonNode batchInputShape(JsonNode modelConfig) {
        for (JsonNode layer : layers(modelConfig)) {
            JsonNode shape = layer.path("config").path("batch_input_shape");
            if (shape.isArray()) {
                return shape;
            }
        }
        return null;
    }

    /** Refuses, naming the file, layer and setting, anything the import would not compute as Keras does. */
    public static void check(KerasFile keras) {
        List<JsonNode> layers = layers(keras.modelConfig());
        if (layers.isEmpty()) {
            throw new BadInputException(keras.file() + ": its model_config lists no layers");
        }
        for (JsonNode layer : layers) {
            check(keras, layer, layer.path("config").path("name").asText(layer.path("name").asText("?")));
        }
    }

    private static void check(KerasFile keras, JsonNode layer, String name) {
        String type = layer.path("class_name").asText();
        JsonNode config = layer.path("config");
        String where = keras.file() + ": layer " + name + " (" + type + ")";
        if (type.equals("Masking")) {
            // Measured 2026-12-02: a Masking -> SimpleRNN model imported, then failed on its first input.
            throw new BadInputException(where + ": DL4J 1.0.0-M2.1 imports Masking as a MaskZeroLayer around a SameDiff"
                    + " IdentityLayer, which fails when the network runs (a NullPointerException in"
                    + " SameDiffLayer.activate); rnnlab refuses the file");
        }
        if (!LAYERS.contains(type)) {
            throw new BadInputException(where + " is not a layer rnnlab imports; it imports " + String.join(", ",
                    LAYERS.stream().sorted().toList()));
        }
        for (Map.Entry<String, Boolean> setting : IGNORED_BY_THE_IMPORTER.entrySet()) {
            JsonNode value = config.get(setting.getKey());
            if (value != null && value.isBoolean() && value.asBoolean() != setting.getValue()) {
                throw new BadInputException(where + " has " + setting.getKey() + "=" + value.asBoolean()
                        + ", which DL4J's importer would ignore; rnnlab refuses the file rather than compute"
                        + " something else");
            }
        }
        if (config.has("use_bias") && !config.path("use_bias").asBoolean(true)) {
            throw new BadInputException(where + " has use_bias=False, which DL4J 1.0.0-M2.1's importer is known to fail"
                    + " on; rnnlab does not import it");
        }
        if (type.equals("Bidirectional")) {
            String mode = config.path("merge_mode").asText("null");
            if (!MERGE_MODES.contains(mode)) {
                throw new BadInputException(where + " has merge_mode=" + mode + "; rnnlab imports "
                        + String.join(", ", MERGE_MODES.stream().sorted().toList()));
            }
        }
        if (type.equals("GRU")) {
            checkGru(where, config);
        }
        if (type.equals("Embedding") && config.path("mask_zero").asBoolean(false)) {
            // DL4J's KerasEmbedding warns that its zero masking "only works with unidirectional LSTM for now"
            throw new BadInputException(where + " has mask_zero=True, whose masking DL4J 1.0.0-M2.1's importer"
                    + " supports only in part (its own words: with a unidirectional LSTM only); rnnlab refuses the file"
                    + " rather than compute padded steps otherwise than Keras");
        }
        if (type.equals("Bidirectional") || type.equals("TimeDistributed")) {
            JsonNode inner = config.path("layer");
            check(keras, inner, name + "/" + inner.path("config").path("name").asText(inner.path("class_name").asText()));
        }
    }

    /** A GRU's form and activations: those rnnlab's Gru computes as Keras does, each refused by name otherwise. */
    private static void checkGru(String where, JsonNode config) {
        JsonNode resetAfter = config.get(KerasGru.RESET_AFTER);
        if (resetAfter != null && !resetAfter.isBoolean()) {
            throw new BadInputException(where + " has reset_after=" + resetAfter + "; rnnlab imports reset_after=True"
                    + " and reset_after=False (or absent, as in Keras 2.0)");
        }
        String activation = config.path("activation").asText("?");
        if (!GRU_ACTIVATIONS.contains(activation)) {
            throw new BadInputException(where + " has activation=" + activation + "; rnnlab's GRU import takes "
                    + String.join(", ", GRU_ACTIVATIONS.stream().sorted().toList()));
        }
        String gate = config.path("recurrent_activation").asText("?");
        if (!GRU_GATE_ACTIVATIONS.contains(gate)) {
            throw new BadInputException(where + " has recurrent_activation=" + gate + "; rnnlab's GRU import takes "
                    + String.join(", ", GRU_GATE_ACTIVATIONS.stream().sorted().toList()));
        }
    }
}
