package org.rnnlab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table {@code rnnlab all} ends with: one row per quality floor of each task, with the value
 * reached, the floor, how much better than the floor it is, and the training time.
 */
public final class ResultsTable {
    private static final String[] HEADER = {"task", "metric", "value", "floor", "margin", "verdict", "train s"};
    private final List<String[]> rows = new ArrayList<>();

    /** The rows of one trained task; {@code judged} false marks a quick run whose floors are not enforced. */
    public void add(String task, TaskMetrics metrics, double trainSeconds, boolean judged) {
        boolean first = true;
        for (QualityFloor floor : metrics.floors()) {
            double value = metrics.get(floor.metric());
            String verdict = floor.isMetBy(value) ? "met" : judged ? "NOT MET" : "not met (quick)";
            boolean check = metrics.kind(floor.metric()) == TaskMetrics.Kind.YES_NO;
            rows.add(new String[] {first ? task : "", floor.metric(),
                check ? metrics.shown(floor.metric()) : shown(floor.metric(), value), metrics.shownFloor(floor),
                floor.isMetBy(value) && !check ? TaskMetrics.ratio(floor.margin(value)) : "-", verdict,
                first ? String.format(Locale.ROOT, "%.1f", trainSeconds) : ""});
            first = false;
        }
        metrics.notes().forEach((name, note) -> rows.add(new String[] {"", name, note}));
    }

    /** A value as the table shows it: a language model's loss per character in nats, bits and perplexity. */
    static String shown(String metric, double value) {
        if (metric.endsWith("_loss_per_char") && Double.isFinite(value)) {
            CharacterLoss loss = new CharacterLoss(value);
            return String.format(Locale.ROOT, "%s nats (%.3f bits, perplexity %.2f)", TaskMetrics.number(value),
                    loss.bits(), loss.perplexity());
        }
        return TaskMetrics.number(value);
    }

    /** A task that stopped with an error instead of a result. */
    public void addFailure(String task, String message) {
        rows.add(new String[] {task, "-", "-", "-", "-", "FAILED: " + message, "-"});
    }

    /** The header and then one row per floor (or failure), as {@link #format} lays them out. */
    public List<List<String>> cells() {
        List<List<String>> cells = new ArrayList<>();
        cells.add(List.of(HEADER));
        rows.forEach(row -> cells.add(List.of(row)));
        return cells;
    }

    public String format() {
        int[] widths = new int[HEADER.length];
        List<String[]> all = new ArrayList<>();
        all.add(HEADER);
        all.addAll(rows);
        for (String[] row : all) {
            // A note (three cells) runs on past the columns rather than widening them.
            for (int i = 0; i < (row.length < HEADER.length ? 2 : row.length); i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (int r = 0; r < all.size(); r++) {
            String[] row = all.get(r);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i > 0 ? "  " : "").append(String.format("%-" + widths[i] + "s", row[i]));
            }
            text.append(line.toString().stripTrailing()).append('\n');
            if (r == 0) {
                int total = 0;
                for (int w : widths) {
                    total += w;
                }
                text.append("-".repeat(total + 2 * (widths.length - 1))).append('\n');
            }
        }
        return text.toString();
    }
}
