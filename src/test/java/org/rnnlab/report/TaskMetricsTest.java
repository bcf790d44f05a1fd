package org.rnnlab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.data.Json;

/** TaskMetrics, and the two places its numbers end up: metrics.json and the results table. */
class TaskMetricsTest {

    /** Metrics like binary-sum's: an error under its floor, an accuracy over it, and a plain count. */
    private static TaskMetrics passing() {
        return new TaskMetrics()
                .put("validation_mse", 0.005)
                .put("rounded_exact", 1.0)
                .put("validation_sequences", 198)
                .floor(QualityFloor.atMost("validation_mse", 0.01))
                .floor(QualityFloor.atLeast("rounded_exact", 1.0));
    }

    private static TaskMetrics failing() {
        return new TaskMetrics()
                .put("validation_mse", 0.02)
                .put("rounded_exact", 0.75)
                .floor(QualityFloor.atMost("validation_mse", 0.01))
                .floor(QualityFloor.atLeast("rounded_exact", 1.0));
    }

    // ---- TaskMetrics

    @Test
    void keepsValuesInInsertionOrder() {
        TaskMetrics metrics = passing();
        assertEquals(List.of("validation_mse", "rounded_exact", "validation_sequences"),
                List.copyOf(metrics.values().keySet()));
        assertEquals(0.005, metrics.get("validation_mse"));
        assertEquals(2, metrics.floors().size());
        assertThrows(UnsupportedOperationException.class, () -> metrics.values().put("x", 1.0));
    }

    @Test
    void unknownMetricsAreRefused() {
        TaskMetrics metrics = new TaskMetrics().put("a", 1);
        assertThrows(IllegalArgumentException.class, () -> metrics.get("b"));
        // A floor on a metric that was never put is a programming error, caught at once.
        assertThrows(IllegalArgumentException.class, () -> metrics.floor(QualityFloor.atMost("b", 1)));
    }

    @Test
    void floorsMetOnlyWhenEveryFloorIsMet() {
        assertTrue(passing().floorsMet());
        assertFalse(failing().floorsMet());
        TaskMetrics oneMissed = new TaskMetrics().put("mse", 0.001).put("acc", 0.5)
                .floor(QualityFloor.atMost("mse", 0.01)).floor(QualityFloor.atLeast("acc", 0.9));
        assertFalse(oneMissed.floorsMet());
        assertTrue(new TaskMetrics().put("x", 3).floorsMet(), "no floors: nothing to miss");
    }

    @Test
    void formatNamesEveryMetricWithVerdicts() {
        String text = passing().format();
        List<String> lines = text.lines().toList();
        assertEquals(3, lines.size(), text);
        assertTrue(lines.get(0).contains("validation_mse") && lines.get(0).contains("0.005"), text);
        assertTrue(lines.get(0).contains("floor <= 0.01") && lines.get(0).contains("met"), text);
        assertTrue(lines.get(0).contains("(2.0x better)"), text);
        // Exactly at the floor: met, but not "better".
        assertTrue(lines.get(1).contains("rounded_exact") && lines.get(1).contains("floor >= 1  met"), text);
        assertFalse(lines.get(1).contains("better"), text);
        // A metric without a floor gets no verdict.
        assertTrue(lines.get(2).contains("validation_sequences") && lines.get(2).contains("198"), text);
        assertFalse(lines.get(2).contains("floor"), text);
        assertFalse(text.contains("NOT MET"), text);
    }

    @Test
    void formatSaysNotMet() {
        String text = failing().format();
        assertEquals(2, text.lines().filter(line -> line.contains("NOT MET")).count(), text);
        assertFalse(text.contains("better"), text);
    }

    @Test
    void formatAlignsValues() {
        String text = passing().format();
        // Names are padded to the longest, so every value starts in the same column.
        int column = text.lines().findFirst().orElseThrow().indexOf("0.005");
        assertEquals(column, text.lines().toList().get(1).indexOf("1 "));
        assertEquals(column, text.lines().toList().get(2).indexOf("198"));
    }

    @Test
    void formatShowsAPerfectErrorAsInfinitelyBetter() {
        String text = new TaskMetrics().put("mse", 0.0).floor(QualityFloor.atMost("mse", 0.01)).format();
        assertTrue(text.contains("(infinitely better)"), text);
    }

    @Test
    void numberFormatting() {
        // Whole numbers as integers.
        assertEquals("198", TaskMetrics.number(198));
        assertEquals("0", TaskMetrics.number(0));
        assertEquals("-3", TaskMetrics.number(-3));
        assertEquals("25000000", TaskMetrics.number(2.5e7));
        // Four significant digits, trailing zeros dropped.
        assertEquals("0.5", TaskMetrics.number(0.5));
        assertEquals("1.25", TaskMetrics.number(1.25));
        assertEquals("0.001", TaskMetrics.number(0.001));
        assertEquals("0.01235", TaskMetrics.number(0.0123456));
        assertEquals("3.142", TaskMetrics.number(Math.PI));
        assertEquals("123.5", TaskMetrics.number(123.456));
        assertEquals("-0.25", TaskMetrics.number(-0.25));
        // Very small or very large: an exponent.
        assertEquals("1.235e-05", TaskMetrics.number(1.23456e-5));
        assertEquals("1.500e+09", TaskMetrics.number(1.5e9));
        assertEquals("NaN", TaskMetrics.number(Double.NaN));
    }

    @Test
    void ratioFormatting() {
        assertEquals("2.0x", TaskMetrics.ratio(2.0));
        assertEquals("13.3x", TaskMetrics.ratio(13.333));
        assertEquals("infinitely", TaskMetrics.ratio(Double.POSITIVE_INFINITY));
        assertEquals("over 1000x", TaskMetrics.ratio(9.007e9), "issue 17: '9.0e+09x' says nothing more");
        assertEquals("1.015x", TaskMetrics.ratio(0.995 / 0.98), "close to 1: enough digits to differ from it");
    }

    @Test
    void countsChecksAndNotesReadAsWhatTheyAre() throws Exception {
        TaskMetrics metrics = new TaskMetrics().count("sequences", 20).check("agrees", true).check("matches", false)
                .put("share", 0.5).note("corpus", "data/kafka.txt (the seed's text)")
                .floor(QualityFloor.yes("agrees"));
        String text = metrics.format();
        assertTrue(text.contains("sequences  20\n"), text);
        assertTrue(text.contains("agrees     yes   floor yes  met\n"), text);
        assertTrue(text.contains("matches    no\n"), text);
        assertTrue(text.contains("corpus     data/kafka.txt (the seed's text)"), text);
        assertFalse(text.contains("better"), "a yes/no check has no margin:\n" + text);

        com.fasterxml.jackson.databind.JsonNode json = MetricsFile.toJson("t", 1.0, "epochs", 3, metrics, java.util.Map.of());
        assertTrue(json.get("sequences").isIntegralNumber(), json.toString());
        assertTrue(json.get("agrees").isBoolean() && json.get("agrees").asBoolean(), json.toString());
        assertTrue(json.get("matches").isBoolean() && !json.get("matches").asBoolean(), json.toString());
        assertEquals("data/kafka.txt (the seed's text)", json.get("corpus").asText());
        assertTrue(json.get("floors").get(0).get("value").isBoolean(), json.toString());

        ResultsTable table = new ResultsTable();
        table.add("t", metrics, 1.0, true);
        String row = table.format().lines().filter(l -> l.contains("agrees")).findFirst().orElseThrow();
        assertTrue(row.matches(".*agrees\\s+yes\\s+yes\\s+-\\s+met.*"), row);
        assertTrue(table.format().contains("data/kafka.txt (the seed's text)"), "the table shows the notes too");
        ResultsTable wide = new ResultsTable();
        wide.add("t", new TaskMetrics().put("loss", 1.5).floor(QualityFloor.atMost("loss", 2)).note("corpus",
                "x".repeat(200)), 1.0, true);
        String header = wide.format().lines().findFirst().orElseThrow();
        assertTrue(header.indexOf("floor") < 40, "a long note runs on past the columns, not widening them:\n"
                + wide.format());
    }

    @Test
    void smallNumbersStayPlainDownToATenThousandth() {
        assertEquals("0.000745", TaskMetrics.number(7.45e-4));
        assertEquals("0.009963", TaskMetrics.number(0.009963));
    }

    // ---- metrics.json

    private static Map<String, List<Double>> history() {
        Map<String, List<Double>> history = new LinkedHashMap<>();
        history.put("train_mse", List.of(0.5, 0.1, 0.01));
        history.put("validation_mse", List.of(0.6, 0.2, 0.02));
        return history;
    }

    @Test
    void metricsJsonHoldsEverything() {
        ObjectNode json = MetricsFile.toJson("binary-sum", 12.5, "epochs", 3, passing(), history());
        assertEquals("binary-sum", json.get("task").asText());
        assertEquals(12.5, json.get("train_seconds").asDouble());
        assertEquals(3, json.get("epochs").asLong());
        assertEquals(0.005, json.get("validation_mse").asDouble());
        assertEquals(1.0, json.get("rounded_exact").asDouble());
        assertEquals(198, json.get("validation_sequences").asDouble());

        JsonNode floors = json.get("floors");
        assertTrue(floors.isArray());
        assertEquals(2, floors.size());
        JsonNode mse = floors.get(0);
        assertEquals("validation_mse", mse.get("metric").asText());
        assertEquals(0.01, mse.get("at_most").asDouble());
        assertEquals(0.005, mse.get("value").asDouble());
        assertTrue(mse.get("met").asBoolean());
        assertEquals(2.0, mse.get("margin").asDouble(), 1e-12);
        JsonNode exact = floors.get(1);
        assertEquals(1.0, exact.get("at_least").asDouble());
        assertFalse(exact.has("at_most"));
        assertEquals(1.0, exact.get("margin").asDouble(), 1e-12);
        assertTrue(json.get("floors_met").asBoolean());

        JsonNode curves = json.get("history");
        assertEquals(3, curves.get("train_mse").size());
        assertEquals(0.01, curves.get("train_mse").get(2).asDouble());
        assertEquals(0.6, curves.get("validation_mse").get(0).asDouble());
    }

    @Test
    void metricsJsonRecordsMissedFloors() {
        ObjectNode json = MetricsFile.toJson("sine-wave", 1.0, "iterations", 100, failing(), Map.of());
        assertEquals(100, json.get("iterations").asLong());
        assertFalse(json.has("epochs"));
        assertFalse(json.get("floors_met").asBoolean());
        assertFalse(json.get("floors").get(0).get("met").asBoolean());
        assertEquals(0.5, json.get("floors").get(0).get("margin").asDouble(), 1e-12);
        assertEquals(0.75, json.get("floors").get(1).get("margin").asDouble(), 1e-12);
        assertEquals(0, json.get("history").size());
    }

    @Test
    void metricsFileIsWrittenAsReadableJson(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m/metrics.json");
        MetricsFile.write(file, MetricsFile.toJson("binary-sum", 2.0, "epochs", 3, passing(), history()));
        String text = Files.readString(file);
        assertTrue(text.endsWith("}\n"), "ends with a newline");
        JsonNode read = Json.MAPPER.readTree(text);
        assertEquals("binary-sum", read.get("task").asText());
        assertEquals(0.005, read.get("validation_mse").asDouble(), 0.0, "doubles survive the text exactly");
    }

    // ---- the results table of 'rnnlab all'

    @Test
    void resultsTableHasAHeaderTaskRowsAndFailures() {
        ResultsTable table = new ResultsTable();
        table.add("binary-sum", passing(), 12.34, true);
        table.add("sine-wave", failing(), 3.0, true);
        table.addFailure("char-rnn", "diverged: loss is NaN");
        List<String> lines = table.format().lines().toList();

        String header = lines.get(0);
        for (String column : List.of("task", "metric", "value", "floor", "margin", "verdict", "train s")) {
            assertTrue(header.contains(column), header);
        }
        assertTrue(lines.get(1).matches("-+"), "a rule under the header: " + lines.get(1));
        assertEquals(header.length(), lines.get(1).length());

        // One row per floor; the task name and time only on its first row.
        assertEquals(2 + 2 + 2 + 1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(2).startsWith("binary-sum") && lines.get(2).contains("validation_mse"), lines.get(2));
        assertTrue(lines.get(2).contains("<= 0.01") && lines.get(2).contains("2.0x") && lines.get(2).contains(" met"),
                lines.get(2));
        assertTrue(lines.get(2).endsWith("12.3"), lines.get(2));
        assertTrue(lines.get(3).startsWith(" ") && lines.get(3).contains("rounded_exact"), lines.get(3));
        assertTrue(lines.get(4).startsWith("sine-wave") && lines.get(4).contains("NOT MET"), lines.get(4));
        assertTrue(lines.get(5).contains("NOT MET"), lines.get(5));
        String failure = lines.get(6);
        assertTrue(failure.startsWith("char-rnn") && failure.contains("FAILED: diverged: loss is NaN"), failure);
    }

    @Test
    void resultsTableMarksQuickRunsAsNotJudged() {
        ResultsTable table = new ResultsTable();
        table.add("sine-wave", failing(), 1.0, false);
        String text = table.format();
        assertTrue(text.contains("not met (quick)"), text);
        assertFalse(text.contains("NOT MET"), text);
    }

    @Test
    void resultsTableColumnsLineUp() {
        ResultsTable table = new ResultsTable();
        table.add("binary-sum", passing(), 12.34, true);
        table.addFailure("averyverylongtaskname", "boom");
        List<String> lines = table.format().lines().toList();
        int metricColumn = lines.get(0).indexOf("metric");
        assertEquals(metricColumn, lines.get(2).indexOf("validation_mse"));
        assertEquals(metricColumn, lines.get(4).indexOf("-"));
    }
}
