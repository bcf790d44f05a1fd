package org.rnnlab.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

/**
 * Keras's forward pass written out from its equations, in double precision, on the weights read
 * straight from the HDF5 file: independent of DL4J's importer, so an import that reorders gates,
 * transposes a kernel or drops a setting computes something else than this. Sequential chains of
 * SimpleRNN, LSTM (Keras's gate order i, f, c, o), GRU (z, r, h; both {@code reset_after} forms),
 * Bidirectional of SimpleRNN and LSTM, Dense, TimeDistributed(Dense) and Activation.
 */
final class KerasEquations {
    private final List<JsonNode> layers;
    /** Every dataset of model_weights by its path below the layer's group, e.g. "lstm_1/lstm_1/kernel:0". */
    private final Map<String, double[][]> weights = new HashMap<>();

    private KerasEquations(KerasFile keras) throws Exception {
        this.layers = KerasSettings.layers(keras.modelConfig());
        try (Hdf5Archive archive = Hdf5Files.open(keras.file())) {
            read(archive, new ArrayList<>(List.of("model_weights")));
        }
    }

    static KerasEquations of(Path file) throws Exception {
        return new KerasEquations(KerasFile.read(file));
    }

    private void read(Hdf5Archive archive, List<String> groups) throws Exception {
        String[] path = groups.toArray(String[]::new);
        for (String set : archive.getDataSets(path)) {
            double[][] matrix = archive.readDataSet(set, path).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                    .reshape(-1, archive.readDataSet(set, path).size(-1)).toDoubleMatrix();
            weights.put(String.join("/", groups.subList(1, groups.size())) + "/" + set, matrix);
        }
        for (String group : archive.getGroups(path)) {
            groups.add(group);
            read(archive, groups);
            groups.remove(groups.size() - 1);
        }
    }

    /** The number of values the file holds for each layer, by the layer's name. */
    Map<String, Long> valuesByLayer() {
        Map<String, Long> counts = new HashMap<>();
        weights.forEach((key, matrix) -> counts.merge(key.substring(0, key.indexOf('/')),
                (long) matrix.length * matrix[0].length, Long::sum));
        return counts;
    }

    /** The weight of {@code layer} whose path ends in {@code /name} under {@code prefix} (e.g. forward_lstm_1). */
    private double[][] weight(String layer, String prefix, String name) {
        for (Map.Entry<String, double[][]> entry : weights.entrySet()) {
            String key = entry.getKey();
            if (key.startsWith(layer + "/") && key.endsWith("/" + name) && (prefix.isEmpty() || key.contains("/" + prefix))) {
                return entry.getValue();
            }
        }
        throw new IllegalArgumentException("no weight " + name + " of " + layer + " " + prefix + " in " + weights.keySet());
    }

    /** x [batch][steps][features] -> what Keras's predict returns: [batch][steps][units] or [batch][1][units]. */
    double[][][] predict(double[][][] x) {
        double[][][] h = x;
        boolean sequence = true;
        for (JsonNode layer : layers) {
            String type = layer.path("class_name").asText();
            JsonNode config = layer.path("config");
            String name = config.path("name").asText();
            switch (type) {
                case "InputLayer", "Dropout" -> { }
                case "SimpleRNN", "LSTM", "GRU" -> {
                    h = recurrent(type, config, h, weight(name, "", "kernel:0"), weight(name, "", "recurrent_kernel:0"),
                            weight(name, "", "bias:0"), false);
                    sequence = config.path("return_sequences").asBoolean();
                }
                case "Bidirectional" -> {
                    JsonNode inner = config.path("layer");
                    String innerType = inner.path("class_name").asText();
                    JsonNode innerConfig = inner.path("config");
                    double[][][] forward = recurrent(innerType, innerConfig, h, weight(name, "forward", "kernel:0"),
                            weight(name, "forward", "recurrent_kernel:0"), weight(name, "forward", "bias:0"), false);
                    double[][][] backward = recurrent(innerType, innerConfig, h, weight(name, "backward", "kernel:0"),
                            weight(name, "backward", "recurrent_kernel:0"), weight(name, "backward", "bias:0"), true);
                    h = merge(config.path("merge_mode").asText(), forward, backward);
                    sequence = innerConfig.path("return_sequences").asBoolean();
                }
                case "Dense" -> h = dense(config, h, weight(name, "", "kernel:0"), weight(name, "", "bias:0")[0]);
                case "TimeDistributed" -> h = dense(config.path("layer").path("config"), h, weight(name, "", "kernel:0"),
                        weight(name, "", "bias:0")[0]);
                case "Activation" -> h = apply(config.path("activation").asText(), h);
                default -> throw new IllegalArgumentException("no equations for " + type);
            }
        }
        return h;
    }

    /**
     * One recurrent layer over every step (backwards for a Bidirectional's backward half, whose
     * per-step outputs Keras reverses back into time order), from the input part x K + b and the
     * recurrent part h R of every block. SimpleRNN: h = f(x K + h R + b). LSTM, blocks i, f, c, o:
     * i, f, o = g(.), c = f c + i act(z_c), h = o act(c), g the recurrent activation. GRU: {@link #gruStep}.
     * The bias is the file's, one row (two for a GRU with reset_after=True).
     */
    private static double[][][] recurrent(String type, JsonNode config, double[][][] x, double[][] kernel,
            double[][] recurrentKernel, double[][] bias, boolean backwards) {
        int units = config.path("units").asInt();
        boolean resetAfter = type.equals("GRU") && config.path("reset_after").asBoolean(false); // absent: Keras 2.0's form
        if (bias.length != (resetAfter ? 2 : 1)) {
            throw new IllegalArgumentException(type + " " + config.path("name").asText() + " has " + bias.length
                    + " bias rows");
        }
        String activation = config.path("activation").asText();
        String gate = config.path("recurrent_activation").asText("hard_sigmoid");
        boolean sequences = config.path("return_sequences").asBoolean();
        int steps = x[0].length;
        double[][][] out = new double[x.length][sequences ? steps : 1][];
        for (int n = 0; n < x.length; n++) {
            double[] h = new double[units];
            double[] c = new double[units];
            for (int s = 0; s < steps; s++) {
                int t = backwards ? steps - 1 - s : s;
                double[] input = plusProduct(bias[0], x[n][t], kernel); // x K + b
                double[] recurrent = plusProduct(resetAfter ? bias[1] : new double[input.length], h, recurrentKernel);
                if (type.equals("GRU")) {
                    h = gruStep(units, resetAfter, gate, activation, h, input, recurrent, recurrentKernel);
                } else {
                    double[] next = new double[units];
                    for (int j = 0; j < units; j++) {
                        if (type.equals("LSTM")) {
                            double in = scalar(gate, input[j] + recurrent[j]);
                            double forget = scalar(gate, input[units + j] + recurrent[units + j]);
                            double candidate = scalar(activation, input[2 * units + j] + recurrent[2 * units + j]);
                            double output = scalar(gate, input[3 * units + j] + recurrent[3 * units + j]);
                            c[j] = forget * c[j] + in * candidate;
                            next[j] = output * scalar(activation, c[j]);
                        } else {
                            next[j] = scalar(activation, input[j] + recurrent[j]);
                        }
                    }
                    h = next;
                }
                if (sequences) {
                    out[n][t] = h;
                }
            }
            if (!sequences) {
                out[n][0] = h;
            }
        }
        return out;
    }

    /**
     * One step of Keras's GRU, its blocks z, r, h side by side in {@code input} (x W + b) and
     * {@code recurrent} (h U, plus rb with reset_after=True), σ the recurrent activation, φ the activation:
     * <pre>
     *   z  = σ(x W_z + b_z + h U_z [+ rb_z]),  r = σ(x W_r + b_r + h U_r [+ rb_r])
     *   reset_after=False:  hh = φ(x W_h + b_h + (r ⊙ h) U_h)
     *   reset_after=True:   hh = φ(x W_h + b_h + r ⊙ (h U_h + rb_h))
     *   h' = z ⊙ h + (1 − z) ⊙ hh
     * </pre>
     */
    private static double[] gruStep(int units, boolean resetAfter, String gate, String activation, double[] h,
            double[] input, double[] recurrent, double[][] recurrentKernel) {
        double[] z = new double[units];
        double[] resetState = new double[units]; // r ⊙ h
        double[] r = new double[units];
        for (int j = 0; j < units; j++) {
            z[j] = scalar(gate, input[j] + recurrent[j]);
            r[j] = scalar(gate, input[units + j] + recurrent[units + j]);
            resetState[j] = r[j] * h[j];
        }
        double[] next = new double[units];
        for (int j = 0; j < units; j++) {
            double candidate = input[2 * units + j];
            if (resetAfter) {
                candidate += r[j] * recurrent[2 * units + j];
            } else {
                for (int i = 0; i < units; i++) {
                    candidate += resetState[i] * recurrentKernel[i][2 * units + j];
                }
            }
            next[j] = z[j] * h[j] + (1 - z[j]) * scalar(activation, candidate);
        }
        return next;
    }

    /** start + row M: a bias plus a row vector times a [rows, columns] matrix. */
    private static double[] plusProduct(double[] start, double[] row, double[][] matrix) {
        double[] sum = start.clone();
        for (int i = 0; i < matrix.length; i++) {
            for (int j = 0; j < sum.length; j++) {
                sum[j] += row[i] * matrix[i][j];
            }
        }
        return sum;
    }

    private static double[][][] merge(String mode, double[][][] a, double[][][] b) {
        double[][][] out = new double[a.length][a[0].length][];
        for (int n = 0; n < a.length; n++) {
            for (int t = 0; t < a[n].length; t++) {
                double[] x = a[n][t];
                double[] y = b[n][t];
                if (mode.equals("concat")) {
                    double[] joined = java.util.Arrays.copyOf(x, x.length + y.length);
                    System.arraycopy(y, 0, joined, x.length, y.length);
                    out[n][t] = joined;
                } else {
                    double[] merged = new double[x.length];
                    for (int j = 0; j < x.length; j++) {
                        merged[j] = switch (mode) {
                            case "sum" -> x[j] + y[j];
                            case "mul" -> x[j] * y[j];
                            case "ave" -> (x[j] + y[j]) / 2;
                            default -> throw new IllegalArgumentException(mode);
                        };
                    }
                    out[n][t] = merged;
                }
            }
        }
        return out;
    }

    private static double[][][] dense(JsonNode config, double[][][] x, double[][] kernel, double[] bias) {
        double[][][] out = new double[x.length][x[0].length][];
        for (int n = 0; n < x.length; n++) {
            for (int t = 0; t < x[n].length; t++) {
                out[n][t] = plusProduct(bias, x[n][t], kernel);
            }
        }
        return apply(config.path("activation").asText(), out);
    }

    private static double[][][] apply(String activation, double[][][] x) {
        double[][][] out = new double[x.length][x[0].length][];
        for (int n = 0; n < x.length; n++) {
            for (int t = 0; t < x[n].length; t++) {
                double[] v = x[n][t].clone();
                if (activation.equals("softmax")) {
                    double max = java.util.Arrays.stream(v).max().orElse(0);
                    double sum = 0;
                    for (int j = 0; j < v.length; j++) {
                        v[j] = Math.exp(v[j] - max);
                        sum += v[j];
                    }
                    for (int j = 0; j < v.length; j++) {
                        v[j] /= sum;
                    }
                } else {
                    for (int j = 0; j < v.length; j++) {
                        v[j] = scalar(activation, v[j]);
                    }
                }
                out[n][t] = v;
            }
        }
        return out;
    }

    /** Keras's element-wise activations. */
    static double scalar(String activation, double x) {
        return switch (activation) {
            case "linear" -> x;
            case "tanh" -> Math.tanh(x);
            case "relu" -> Math.max(0, x);
            case "sigmoid" -> 1 / (1 + Math.exp(-x));
            case "hard_sigmoid" -> Math.max(0, Math.min(1, 0.2 * x + 0.5)); // Keras 2's: clip(0.2 x + 0.5, 0, 1)
            default -> throw new IllegalArgumentException("no activation " + activation);
        };
    }
}
