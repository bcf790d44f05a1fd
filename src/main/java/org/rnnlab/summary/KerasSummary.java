package org.rnnlab.summary;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Prints a DL4J network as Keras's {@code model.summary()} prints the equivalent Sequential model
 * ({@link KerasModelView}), in the layout of one Keras version, or as DL4J's own summary.
 *
 * <p>Where each layout comes from:
 * <ul>
 *   <li>{@code keras2.2}: {@code keras/utils/layer_utils.py:print_summary} of multi-backend Keras 2.2,
 *       checked byte for byte against the summary printed in seed 003. Lines of 65 characters; the
 *       columns end at 29, 55 and 65 ({@code int(65 * p)} for p = 0.45, 0.85, 1); a cell too long
 *       for its column is cut, and the character before the next column is always a space.</li>
 *   <li>{@code keras}: the same function in tf.keras 2.x from 2.7 on, before the last 2.x releases
 *       added byte sizes to the totals. It adds the {@code Model: "sequential"} line, starts each row
 *       with a space, wraps a long cell onto further lines instead of cutting it, and prints a line
 *       of 65 spaces after each layer.</li>
 *   <li>{@code keras3}: {@code keras/src/utils/summary_utils.py:print_summary} of Keras 3, which draws
 *       a table with the rich library. Its width is that of the terminal less 4, at most 88; this
 *       prints what an 80-column terminal or a notebook shows: 76 characters, cells of 33, 24 and 15
 *       (rich shrinks the widths 34, 26 and 16 asked for, each plus two of padding, to fit), the
 *       parameter counts right-aligned and with thousands separators, and each total followed by
 *       the parameters' size in bytes.</li>
 *   <li>{@code dl4j}: {@code MultiLayerNetwork.summary()}.</li>
 * </ul>
 */
public final class KerasSummary {
    /** Keras 2.x: line length and the end of each column. */
    static final int KERAS2_WIDTH = 65;
    static final int[] KERAS2_COLUMNS = {29, 55, 65};
    /** Keras 3 in an 80-column terminal: cell widths with their one space of padding on each side. */
    static final int[] KERAS3_CELLS = {33, 24, 15};
    static final String[] HEADER = {"Layer (type)", "Output Shape", "Param #"};

    private KerasSummary() {
    }

    /**
     * @param network an initialised network
     * @param steps   the length of its input sequences where fixed; empty prints None
     */
    public static String render(MultiLayerNetwork network, OptionalInt steps, SummaryStyle style) {
        if (style == SummaryStyle.DL4J) {
            return network.summary();
        }
        KerasModelView model = KerasModelView.of(network, steps);
        // Keras 2.2 numbers the first layer of a kind; tf.keras 2.x and Keras 3 do not
        List<String> names = model.layerNames(style == SummaryStyle.KERAS_2_2);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < model.layers().size(); i++) {
            KerasLayerView layer = model.layers().get(i);
            rows.add(new Row(names.get(i), layer.kind().className(), layer.outputShape(), layer.kerasParameters()));
        }
        return render("sequential", rows, style, model.bytesPerParameter());
    }

    /**
     * One row of a Keras summary: the layer's name and Keras class, its output shape as Python
     * prints the tuple, and its parameter count.
     */
    public record Row(String name, String className, String outputShape, long parameters) {
    }

    /**
     * A Keras model's summary from its rows, in a Keras style ({@code keras2.2}, {@code keras},
     * {@code keras3}); {@code modelName} is the name Keras prints above it (tf.keras and Keras 3).
     */
    public static String render(String modelName, List<Row> rows, SummaryStyle style, int bytesPerParameter) {
        return switch (style) {
            case KERAS_2_2 -> keras2(modelName, rows, false);
            case KERAS -> keras2(modelName, rows, true);
            case KERAS_3 -> keras3(modelName, rows, bytesPerParameter);
            case DL4J -> throw new IllegalArgumentException("the dl4j style prints a network, not Keras rows");
        };
    }

    // ---- Keras 2.2 and tf.keras 2.x: one function of Keras 2, two versions of it

    /** @param tf tf.keras 2.x's layout; false for Keras 2.2's */
    static String keras2(String modelName, List<Row> rows, boolean tf) {
        List<String> lines = new ArrayList<>();
        if (tf) {
            lines.add("Model: \"" + modelName + "\"");
        }
        lines.add("_".repeat(KERAS2_WIDTH));
        lines.addAll(tf ? tfKerasRow(HEADER) : List.of(keras22Row(HEADER)));
        lines.add("=".repeat(KERAS2_WIDTH));
        for (int i = 0; i < rows.size(); i++) {
            String[] cells = cells(rows.get(i), false);
            lines.addAll(tf ? tfKerasRow(cells) : List.of(keras22Row(cells)));
            boolean lastLayer = i == rows.size() - 1;
            lines.add((tf ? " " : lastLayer ? "=" : "_").repeat(KERAS2_WIDTH));
        }
        if (tf) {
            lines.add("=".repeat(KERAS2_WIDTH));
        }
        long total = rows.stream().mapToLong(Row::parameters).sum();
        lines.add("Total params: " + grouped(total));
        lines.add("Trainable params: " + grouped(total));
        lines.add("Non-trainable params: 0");
        lines.add("_".repeat(KERAS2_WIDTH));
        return join(lines);
    }

    /** Keras 2.2: each cell cut at its column's end and padded to it; the character before a column is a space. */
    static String keras22Row(String[] cells) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.setCharAt(line.length() - 1, ' ');
            }
            line.append(cells[i]);
            line.setLength(Math.min(line.length(), KERAS2_COLUMNS[i]));
            padTo(line, KERAS2_COLUMNS[i]);
        }
        return line.toString();
    }

    /**
     * tf.keras 2.x: one layer's lines. Every cell takes what fits its column less two spaces (less
     * one more before the last column), breaking early after "),", "},", "]," or "',"; what is left
     * goes on the next line, until every cell is used up.
     */
    static List<String> tfKerasRow(String[] cells) {
        String[] left = cells.clone();
        List<String> lines = new ArrayList<>();
        while (anyLeft(left)) {
            StringBuilder line = new StringBuilder();
            for (int col = 0; col < left.length; col++) {
                boolean last = col == left.length - 1;
                int start = col == 0 ? 0 : KERAS2_COLUMNS[col - 1];
                int space = last ? 0 : 2;
                int cutoff = KERAS2_COLUMNS[col] - start - space - (last ? 0 : 1);
                String fit = left[col].substring(0, Math.min(cutoff, left[col].length()));
                int lineBreak = earliestBreak(fit);
                if (lineBreak > 0) {
                    cutoff = lineBreak;
                    fit = fit.substring(0, cutoff);
                }
                if (col == 0) {
                    line.append(' ');
                }
                line.append(fit).append(" ".repeat(space));
                left[col] = left[col].substring(Math.min(cutoff, left[col].length()));
                padTo(line, KERAS2_COLUMNS[col]);
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static boolean anyLeft(String[] cells) {
        for (String cell : cells) {
            if (!cell.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The end of the first "),", "},", "]," or "'," in the text, or 0 if none. */
    private static int earliestBreak(String text) {
        int best = 0;
        for (String mark : new String[] {"),", "},", "],", "',"}) {
            int at = text.indexOf(mark);
            if (at >= 0 && (best == 0 || at + mark.length() < best)) {
                best = at + mark.length();
            }
        }
        return best;
    }

    // ---- Keras 3

    static String keras3(String modelName, List<Row> rows, int bytesPerParameter) {
        List<String> lines = new ArrayList<>();
        lines.add("Model: \"" + modelName + "\"");
        lines.add(keras3Rule('┏', '━', '┳', '┓'));
        lines.addAll(keras3Row(HEADER, '┃'));
        lines.add(keras3Rule('┡', '━', '╇', '┩'));
        for (int i = 0; i < rows.size(); i++) {
            if (i > 0) {
                lines.add(keras3Rule('├', '─', '┼', '┤'));
            }
            lines.addAll(keras3Row(cells(rows.get(i), true), '│'));
        }
        lines.add(keras3Rule('└', '─', '┴', '┘'));
        long total = rows.stream().mapToLong(Row::parameters).sum();
        String size = readableSize(total * bytesPerParameter);
        lines.add(" Total params: " + grouped(total) + " (" + size + ")");
        lines.add(" Trainable params: " + grouped(total) + " (" + size + ")");
        lines.add(" Non-trainable params: 0 (" + readableSize(0) + ")");
        return join(lines);
    }

    private static String keras3Rule(char left, char horizontal, char between, char right) {
        StringBuilder line = new StringBuilder().append(left);
        for (int col = 0; col < KERAS3_CELLS.length; col++) {
            line.append(String.valueOf(horizontal).repeat(KERAS3_CELLS[col]));
            line.append(col == KERAS3_CELLS.length - 1 ? right : between);
        }
        return line.toString();
    }

    /** Cells wrapped at spaces to their width; the parameter count is right-aligned. */
    private static List<String> keras3Row(String[] cells, char border) {
        List<List<String>> wrapped = new ArrayList<>();
        int height = 1;
        for (int col = 0; col < cells.length; col++) {
            wrapped.add(wrap(cells[col], KERAS3_CELLS[col] - 2));
            height = Math.max(height, wrapped.get(col).size());
        }
        List<String> lines = new ArrayList<>();
        for (int row = 0; row < height; row++) {
            StringBuilder line = new StringBuilder().append(border);
            for (int col = 0; col < cells.length; col++) {
                String text = row < wrapped.get(col).size() ? wrapped.get(col).get(row) : "";
                int width = KERAS3_CELLS[col] - 2;
                String format = col == cells.length - 1 ? "%" + width + "s" : "%-" + width + "s";
                line.append(' ').append(String.format(format, text)).append(' ').append(border);
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /** Words onto lines of at most {@code width}, as rich wraps a cell; a longer word is cut with an ellipsis. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String fitted = word.length() > width ? word.substring(0, width - 1) + "…" : word;
            if (line.length() > 0 && line.length() + 1 + fitted.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() > 0 ? " " : "").append(fitted);
        }
        lines.add(line.toString());
        return lines;
    }

    /** Keras 3's {@code readable_memory_size}: B, KB, MB, ... in steps of 1024, two decimals. */
    static String readableSize(double bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB"};
        double size = bytes;
        int unit = 0;
        while (unit < units.length - 1 && size / 1024 >= 1) {
            size /= 1024;
            unit++;
        }
        // Python's "{:.2f}" rounds the exact binary value, half to even; BigDecimal(double) is that value.
        return new BigDecimal(size).setScale(2, RoundingMode.HALF_EVEN).toPlainString() + " " + units[unit];
    }

    // ---- shared

    /** Name (Class), output shape, parameter count; Keras 3 writes the count with thousands separators. */
    private static String[] cells(Row row, boolean groupedCount) {
        return new String[] {row.name() + " (" + row.className() + ")", row.outputShape(),
            groupedCount ? grouped(row.parameters()) : Long.toString(row.parameters())};
    }

    /** Python's {@code "{:,}"}: 46,280. */
    static String grouped(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    private static void padTo(StringBuilder line, int width) {
        while (line.length() < width) {
            line.append(' ');
        }
    }

    private static String join(List<String> lines) {
        return String.join("\n", lines) + "\n";
    }
}
