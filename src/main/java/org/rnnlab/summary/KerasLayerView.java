package org.rnnlab.summary;

import java.util.Locale;
import java.util.OptionalInt;

/**
 * One DL4J layer seen as the Keras layer that computes the same thing: its Keras class, its sizes,
 * the output shape Keras would print and the parameter count Keras's formulas give, beside the
 * count DL4J reports for the layer.
 *
 * @param kind           the Keras layer class
 * @param inputFeatures  features of each input step (DL4J's nIn; Keras infers it from the layer before)
 * @param units          Keras's {@code units}: DL4J's nOut
 * @param bias           whether the layer has a bias vector (DL4J's SimpleRnn always has one)
 * @param sequence       whether the output is a sequence, {@code (None, T, units)}, rather than one
 *                       vector per example, {@code (None, units)}
 * @param steps          T where the task fixes it; empty prints None
 * @param dl4jParameters DL4J's {@code numParams()} for the layer
 */
public record KerasLayerView(Kind kind, long inputFeatures, long units, boolean bias, boolean sequence,
        OptionalInt steps, long dl4jParameters) {

    /**
     * The Keras layer classes DL4J's layers map to, with the base of Keras's automatic layer names,
     * the number of gate blocks the class's kernels hold side by side (a SimpleRNN 1, an LSTM 4:
     * i, f, c, o; a GRU 3: z, r, h) and its bias vectors per block (a GRU with
     * {@code reset_after=True}, tf.keras 2's default, has an input and a recurrent bias).
     */
    public enum Kind {
        SIMPLE_RNN("SimpleRNN", "simple_rnn", 1, 1, true),
        LSTM("LSTM", "lstm", 4, 1, true),
        /** Keras's GRU with {@code reset_after=False} (Keras 2.1's default): one bias per gate. */
        GRU("GRU", "gru", 3, 1, true),
        /** Keras's GRU with {@code reset_after=True} (tf.keras 2's default, cuDNN's): two biases per gate. */
        GRU_RESET_AFTER("GRU", "gru", 3, 2, true),
        DENSE("Dense", "dense", 1, 1, false);

        private final String className;
        private final String baseName;
        private final int gates;
        private final int biasVectors;
        private final boolean recurrent;

        Kind(String className, String baseName, int gates, int biasVectors, boolean recurrent) {
            this.className = className;
            this.baseName = baseName;
            this.gates = gates;
            this.biasVectors = biasVectors;
            this.recurrent = recurrent;
        }

        public String className() {
            return className;
        }

        public String baseName() {
            return baseName;
        }

        /** Gate blocks side by side in each kernel: 1, LSTM 4, GRU 3. */
        public int gates() {
            return gates;
        }
    }

    /** Weights from the previous layer: Keras's {@code kernel}, features x (gates x units). */
    public long inputWeights() {
        return kind.gates * inputFeatures * units;
    }

    /** Weights from the layer's own previous state ({@code recurrent_kernel}), units x (gates x units). */
    public long recurrentWeights() {
        return kind.recurrent ? kind.gates * units * units : 0;
    }

    public long biases() {
        return bias ? (long) kind.gates * kind.biasVectors * units : 0;
    }

    /**
     * The count by Keras's formulas: SimpleRNN u^2 + f u + u; LSTM 4(u(u + f) + u); GRU 3(u(u + f) + u),
     * and 3(u(u + f) + 2u) with {@code reset_after=True}; Dense f u + u.
     */
    public long kerasParameters() {
        return recurrentWeights() + inputWeights() + biases();
    }

    /** As Python prints the shape tuple: {@code (None, 10)}, {@code (None, 3, 10)}, {@code (None, None, 10)}. */
    public String outputShape() {
        if (!sequence) {
            return "(None, " + units + ")";
        }
        return "(None, " + (steps.isPresent() ? Integer.toString(steps.getAsInt()) : "None") + ", " + units + ")";
    }

    /**
     * The count written out term by term, for example
     * {@code recurrent weights 10 x 10 = 100 + input weights 1 x 10 = 10 + biases 10 = 120}, and for
     * a gated cell {@code recurrent weights 4 x 10 x 10 = 400 + ...}, one block per gate.
     */
    public String parameterBreakdown() {
        String blocks = kind.gates == 1 ? "" : kind.gates + " x ";
        StringBuilder text = new StringBuilder();
        if (kind.recurrent) {
            text.append(String.format(Locale.ROOT, "recurrent weights %s%d x %d = %d + input weights", blocks, units,
                    units, recurrentWeights()));
        } else {
            text.append("weights");
        }
        text.append(String.format(Locale.ROOT, " %s%d x %d = %d", blocks, inputFeatures, units, inputWeights()));
        if (bias) {
            if (kind.gates == 1 && kind.biasVectors == 1) {
                text.append(String.format(Locale.ROOT, " + biases %d", biases()));
            } else {
                String perGate = kind.biasVectors == 1 ? "" : kind.biasVectors + " x ";
                text.append(String.format(Locale.ROOT, " + biases %s%s%d = %d", blocks, perGate, units, biases()));
            }
        }
        return text.append(String.format(Locale.ROOT, " = %d", kerasParameters())).toString();
    }
}
