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

    /** The Keras layer classes DL4J's layers map to, with the base of Keras's automatic layer names. */
    public enum Kind {
        SIMPLE_RNN("SimpleRNN", "simple_rnn"),
        DENSE("Dense", "dense");

        private final String className;
        private final String baseName;

        Kind(String className, String baseName) {
            this.className = className;
            this.baseName = baseName;
        }

        public String className() {
            return className;
        }

        public String baseName() {
            return baseName;
        }
    }

    /** Weights from the previous layer: Keras's {@code kernel}, features x units. */
    public long inputWeights() {
        return inputFeatures * units;
    }

    /** Weights from the layer's own previous state (SimpleRNN's {@code recurrent_kernel}), units x units. */
    public long recurrentWeights() {
        return kind == Kind.SIMPLE_RNN ? units * units : 0;
    }

    public long biases() {
        return bias ? units : 0;
    }

    /** The count by Keras's formulas: SimpleRNN units^2 + features x units + units; Dense features x units + units. */
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
     * {@code recurrent weights 10 x 10 = 100 + input weights 1 x 10 = 10 + biases 10 = 120}.
     */
    public String parameterBreakdown() {
        StringBuilder text = new StringBuilder();
        if (kind == Kind.SIMPLE_RNN) {
            text.append(String.format(Locale.ROOT, "recurrent weights %d x %d = %d + input weights", units, units,
                    recurrentWeights()));
        } else {
            text.append("weights");
        }
        text.append(String.format(Locale.ROOT, " %d x %d = %d", inputFeatures, units, inputWeights()));
        if (bias) {
            text.append(String.format(Locale.ROOT, " + biases %d", biases()));
        }
        return text.append(String.format(Locale.ROOT, " = %d", kerasParameters())).toString();
    }
}
