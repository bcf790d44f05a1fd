package org.rnnlab.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.rnnlab.data.AtomicFile;
import org.rnnlab.data.Json;

/**
 * metrics.json: the task, its training time and length, every held-out metric under its
 * snake_case name, each floor with its verdict and margin, and the per-epoch history.
 */
public final class MetricsFile {
    private MetricsFile() {
    }

    public static ObjectNode toJson(String task, double trainSeconds, String lengthName, long length,
            TaskMetrics metrics, Map<String, List<Double>> history) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("task", task);
        root.put("train_seconds", trainSeconds);
        root.put(lengthName, length);
        metrics.values().forEach((name, value) -> {
            switch (metrics.kind(name)) {
                case YES_NO -> root.put(name, value != 0);
                case COUNT -> root.put(name, Math.round(value));
                case NUMBER -> root.put(name, value);
            }
        });
        metrics.notes().forEach(root::put);
        ArrayNode floors = root.putArray("floors");
        for (QualityFloor floor : metrics.floors()) {
            double value = metrics.get(floor.metric());
            ObjectNode node = floors.addObject();
            node.put("metric", floor.metric());
            node.put(floor.bound() == QualityFloor.Bound.AT_MOST ? "at_most" : "at_least", floor.limit());
            if (metrics.kind(floor.metric()) == TaskMetrics.Kind.YES_NO) {
                node.put("value", value != 0);
            } else {
                node.put("value", value);
            }
            node.put("met", floor.isMetBy(value));
            // limit/value for errors, value/limit for accuracies: above 1 means better than the floor.
            double margin = floor.margin(value);
            if (Double.isFinite(margin)) {
                node.put("margin", margin);
            } else {
                node.putNull("margin"); // a perfect error of 0: JSON has no infinity
            }
        }
        root.put("floors_met", metrics.floorsMet());
        ObjectNode curves = root.putObject("history");
        history.forEach((name, values) -> values.forEach(curves.withArray(name)::add));
        return root;
    }

    public static void write(Path file, ObjectNode json) throws IOException {
        AtomicFile.writeString(file, Json.MAPPER.writeValueAsString(json) + "\n");
    }
}
