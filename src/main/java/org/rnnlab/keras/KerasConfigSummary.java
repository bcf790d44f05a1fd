package org.rnnlab.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.rnnlab.BadInputException;
import org.rnnlab.summary.KerasSummary;
import org.rnnlab.summary.SummaryStyle;

/**
 * The summary Keras prints for a model, from its model_config alone: each layer's own name and
 * class, its output shape carried through the layers from the input's {@code batch_input_shape},
 * and its parameter count by Keras's formulas (SimpleRNN u(u + f) + u, LSTM 4(u(u + f) + u), GRU
 * 3(u(u + f) + u) and, with {@code reset_after=True}, 3u more for its recurrent bias,
 * Bidirectional twice its layer's, Dense f u + u, Embedding n d). A functional model's InputLayer
 * is a row of its own, as Keras prints it; a Sequential model's input is not.
 */
public final class KerasConfigSummary {
    private KerasConfigSummary() {
    }

    /** The model's summary in a Keras style. */
    public static String render(JsonNode modelConfig, SummaryStyle style) {
        JsonNode config = modelConfig.path("config");
        String name = config.isObject() ? config.path("name").asText("model") : "sequential";
        return KerasSummary.render(name, rows(modelConfig), style, 4);
    }

    /** The rows, in the order of the config's layers. */
    public static List<KerasSummary.Row> rows(JsonNode modelConfig) {
        List<KerasSummary.Row> rows = new ArrayList<>();
        List<Long> shape = null; // without the batch dimension; null elements print as None
        for (JsonNode layer : KerasSettings.layers(modelConfig)) {
            String type = layer.path("class_name").asText();
            JsonNode config = layer.path("config");
            String name = config.path("name").asText(layer.path("name").asText());
            JsonNode declared = config.path("batch_input_shape");
            if (declared.isArray()) {
                shape = new ArrayList<>();
                for (int i = 1; i < declared.size(); i++) {
                    shape.add(declared.get(i).isNull() ? null : declared.get(i).asLong());
                }
            }
            if (shape == null) {
                throw new BadInputException("layer " + name + " comes before any batch_input_shape; its shape is unknown");
            }
            long parameters = 0;
            switch (type) {
                case "InputLayer", "Activation", "Dropout", "Masking" -> { }
                case "SimpleRNN", "LSTM", "GRU" -> {
                    parameters = recurrentParameters(type, config, last(shape));
                    shape = recurrentShape(config, shape, config.path("units").asLong());
                }
                case "Bidirectional" -> {
                    JsonNode inner = config.path("layer");
                    JsonNode innerConfig = inner.path("config");
                    long units = innerConfig.path("units").asLong();
                    parameters = 2 * recurrentParameters(inner.path("class_name").asText(), innerConfig, last(shape));
                    shape = recurrentShape(innerConfig, shape,
                            config.path("merge_mode").asText().equals("concat") ? 2 * units : units);
                }
                case "Dense" -> {
                    long units = config.path("units").asLong();
                    parameters = last(shape) * units + units;
                    shape = withLast(shape, units);
                }
                case "TimeDistributed" -> {
                    JsonNode inner = config.path("layer").path("config");
                    long units = inner.path("units").asLong();
                    parameters = last(shape) * units + units;
                    shape = withLast(shape, units);
                }
                case "RepeatVector" -> {
                    List<Long> repeated = new ArrayList<>();
                    repeated.add(config.path("n").asLong());
                    repeated.addAll(shape);
                    shape = repeated;
                }
                case "Embedding" -> {
                    long outputs = config.path("output_dim").asLong();
                    parameters = config.path("input_dim").asLong() * outputs;
                    shape = new ArrayList<>(shape);
                    shape.add(outputs);
                }
                default -> throw new BadInputException("layer " + name + " (" + type + ") is not a layer rnnlab imports");
            }
            // Keras prints a functional model's InputLayer; a Sequential model's (tf.keras 2.4 on) it does not
            if (!(type.equals("InputLayer") && isSequential(modelConfig))) {
                rows.add(new KerasSummary.Row(name, type, python(shape), parameters));
            }
        }
        return rows;
    }

    /** The rank of the model's output with its batch dimension, as Keras's predict returns it. */
    public static int outputRank(JsonNode modelConfig) {
        List<KerasSummary.Row> rows = rows(modelConfig);
        return rows.get(rows.size() - 1).outputShape().split(",").length;
    }

    private static boolean isSequential(JsonNode modelConfig) {
        return modelConfig.path("class_name").asText().equals("Sequential");
    }

    private static long recurrentParameters(String type, JsonNode config, long features) {
        long units = config.path("units").asLong();
        long gates = switch (type) {
            case "LSTM" -> 4;
            case "GRU" -> 3;
            default -> 1;
        };
        long biases = type.equals("GRU") && config.path(KerasGru.RESET_AFTER).asBoolean(false) ? 2 : 1;
        return gates * (units * (units + features) + biases * units);
    }

    private static List<Long> recurrentShape(JsonNode config, List<Long> input, long width) {
        List<Long> out = new ArrayList<>();
        if (config.path("return_sequences").asBoolean()) {
            out.add(input.get(0));
        }
        out.add(width);
        return out;
    }

    private static long last(List<Long> shape) {
        Long value = shape.get(shape.size() - 1);
        if (value == null) {
            throw new BadInputException("a layer's input has no fixed feature width; its parameters are unknown");
        }
        return value;
    }

    private static List<Long> withLast(List<Long> shape, long value) {
        List<Long> out = new ArrayList<>(shape);
        out.set(out.size() - 1, value);
        return out;
    }

    /** As Python prints the shape tuple with its batch dimension: (None, 3, 6). */
    static String python(List<Long> shape) {
        StringBuilder text = new StringBuilder("(None");
        for (Long dimension : shape) {
            text.append(", ").append(dimension == null ? "None" : dimension.toString());
        }
        return text.append(')').toString();
    }
}
