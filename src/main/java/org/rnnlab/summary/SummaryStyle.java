package org.rnnlab.summary;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.rnnlab.BadInputException;

/** The ways {@code rnnlab summary} can print a network, by the name typed after {@code --style}. */
public enum SummaryStyle {
    /** Multi-backend Keras 2.2, the text seed 003 shows. */
    KERAS_2_2("keras2.2"),
    /** tf.keras 2.x (2.7 on): a model-name line, wrapped cells, a blank line after each layer. */
    KERAS("keras"),
    /** Keras 3: a box-drawn table and the size of the parameters in bytes. */
    KERAS_3("keras3"),
    /** DL4J's own {@code MultiLayerNetwork.summary()}. */
    DL4J("dl4j");

    private final String label;

    SummaryStyle(String label) {
        this.label = label;
    }

    /** The name typed on the command line. */
    public String label() {
        return label;
    }

    /** The style with this name, or a {@link BadInputException} that lists the styles. */
    public static SummaryStyle parse(String text) {
        return Arrays.stream(values()).filter(s -> s.label.equalsIgnoreCase(text.strip())).findFirst()
                .orElseThrow(() -> new BadInputException("unknown summary style '" + text + "'; styles: " + labels()));
    }

    /** Every style's name: {@code keras2.2, keras, keras3, dl4j}. */
    public static String labels() {
        return Arrays.stream(values()).map(SummaryStyle::label).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return label;
    }
}
