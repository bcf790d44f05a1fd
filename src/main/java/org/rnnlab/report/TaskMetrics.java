package org.rnnlab.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A task's held-out metrics, in a stable order under stable snake_case names, and the quality
 * floors they are judged by. A metric is a number, a count (printed and stored as an integer) or a
 * yes/no check (printed as yes or no, stored as true or false); notes say in words what a number
 * alone cannot (char-rnn's corpus and why its floor is what it is).
 */
public final class TaskMetrics {
    /** How a metric reads. */
    public enum Kind {
        NUMBER, COUNT, YES_NO
    }

    private final Map<String, Double> values = new LinkedHashMap<>();
    private final Map<String, Kind> kinds = new LinkedHashMap<>();
    private final Map<String, String> notes = new LinkedHashMap<>();
    private final List<QualityFloor> floors = new ArrayList<>();

    public TaskMetrics put(String name, double value) {
        values.put(name, value);
        kinds.put(name, Kind.NUMBER);
        return this;
    }

    /** A whole number of things (sequences, parameters, characters). */
    public TaskMetrics count(String name, long value) {
        values.put(name, (double) value);
        kinds.put(name, Kind.COUNT);
        return this;
    }

    /** A check that passes or not; a floor on it ({@link QualityFloor#yes}) asks for yes. */
    public TaskMetrics check(String name, boolean passed) {
        values.put(name, passed ? 1.0 : 0.0);
        kinds.put(name, Kind.YES_NO);
        return this;
    }

    /** Words beside the numbers, e.g. which corpus a language model was trained on. */
    public TaskMetrics note(String name, String text) {
        notes.put(name, text);
        return this;
    }

    public Kind kind(String name) {
        return kinds.getOrDefault(name, Kind.NUMBER);
    }

    public Map<String, String> notes() {
        return Collections.unmodifiableMap(notes);
    }

    /** A metric's value as people read it: yes/no, a whole number, or {@link #number}. */
    public String shown(String name) {
        double value = get(name);
        return switch (kind(name)) {
            case YES_NO -> value != 0 ? "yes" : "no";
            case COUNT -> Long.toString(Math.round(value));
            case NUMBER -> number(value);
        };
    }

    /** A floor as people read it: "yes" for a check, else its bound and limit. */
    public String shownFloor(QualityFloor floor) {
        return kind(floor.metric()) == Kind.YES_NO ? "yes" : floor.bound().symbol() + " " + number(floor.limit());
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

    /** One line per metric, with its floor and verdict where it has one, then the notes. */
    public String format() {
        int width = java.util.stream.Stream.concat(values.keySet().stream(), notes.keySet().stream())
                .mapToInt(String::length).max().orElse(0);
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Double> entry : values.entrySet()) {
            text.append(String.format(Locale.ROOT, "  %-" + width + "s  %s", entry.getKey(), shown(entry.getKey())));
            for (QualityFloor floor : floors) {
                if (floor.metric().equals(entry.getKey())) {
                    text.append("   floor ").append(shownFloor(floor))
                            .append(floor.isMetBy(entry.getValue()) ? "  met" : "  NOT MET");
                    double margin = floor.margin(entry.getValue());
                    if (kind(floor.metric()) != Kind.YES_NO && floor.isMetBy(entry.getValue()) && margin > 1.0005) {
                        text.append(String.format(Locale.ROOT, " (%s better)", ratio(margin)));
                    }
                }
            }
            text.append('\n');
        }
        notes.forEach((name, note) -> text.append(String.format(Locale.ROOT, "  %-" + width + "s  %s%n", name, note)));
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
        if (magnitude >= 1e-4 && magnitude < 1e4) {
            return String.format(Locale.ROOT, "%.4g", value).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
        }
        return String.format(Locale.ROOT, "%.3e", value);
    }

    /**
     * A margin as people read it: enough digits to differ from 1 when it is close (1.015x), one
     * decimal up to 1000x, and "over 1000x" beyond, where the exact ratio says nothing more.
     */
    public static String ratio(double margin) {
        if (Double.isInfinite(margin)) {
            return "infinitely";
        }
        if (margin >= 1000) {
            return "over 1000x";
        }
        return String.format(Locale.ROOT, margin < 1.1 ? "%.3fx" : "%.1fx", margin);
    }
}
