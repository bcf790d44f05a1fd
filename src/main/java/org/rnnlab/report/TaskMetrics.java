package org.rnnlab.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A task's held-out metrics, in a stable order under stable snake_case names, and the quality
 * floors they are judged by.
 */
public final class TaskMetrics {
    private final Map<String, Double> values = new LinkedHashMap<>();
    private final List<QualityFloor> floors = new ArrayList<>();

    public TaskMetrics put(String name, double value) {
        values.put(name, value);
        return this;
    }

    /** Adds a floor on a metric already put. */
    public TaskMetrics floor(QualityFloor floor) {
        if (!values.containsKey(floor.metric())) {
            throw new IllegalArgumentException("no metric named " + floor.metric());
        }
        floors.add(floor);
        return this;
    }

    public double get(String name) {
        Double value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no metric named " + name);
        }
        return value;
    }

    public Map<String, Double> values() {
        return Collections.unmodifiableMap(values);
    }

    public List<QualityFloor> floors() {
        return Collections.unmodifiableList(floors);
    }

    public boolean floorsMet() {
        return floors.stream().allMatch(f -> f.isMetBy(get(f.metric())));
    }

    /** One line per metric, with its floor and verdict where it has one. */
    public String format() {
        int width = values.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Double> entry : values.entrySet()) {
            text.append(String.format(Locale.ROOT, "  %-" + width + "s  %s", entry.getKey(), number(entry.getValue())));
            for (QualityFloor floor : floors) {
                if (floor.metric().equals(entry.getKey())) {
                    text.append("   floor ").append(floor.bound().symbol()).append(' ').append(number(floor.limit()))
                            .append(floor.isMetBy(entry.getValue()) ? "  met" : "  NOT MET");
                    double margin = floor.margin(entry.getValue());
                    if (floor.isMetBy(entry.getValue()) && margin > 1.0005) {
                        text.append(String.format(Locale.ROOT, " (%s better)", ratio(margin)));
                    }
                }
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** Numbers as people read them: 4 significant digits, no exponent for ordinary sizes. */
    public static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e9) {
            return Long.toString((long) value);
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1e4 && magnitude < 1e9) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        if (magnitude >= 1e-3 && magnitude < 1e4) {
            return String.format(Locale.ROOT, "%.4g", value).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
        }
        return String.format(Locale.ROOT, "%.3e", value);
    }

    public static String ratio(double margin) {
        if (Double.isInfinite(margin)) {
            return "infinitely";
        }
        return String.format(Locale.ROOT, margin < 1000 ? "%.1fx" : "%.1ex", margin);
    }
}
