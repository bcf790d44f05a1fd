package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.data.Json;
import org.rnnlab.data.Sha256;

/**
 * Real concurrent processes on one data folder, each with its own seed, train on their own
 * recipe's data: their metrics equal those of the same runs made alone (issue 18, item 3).
 */
class SharedDataFolderTest {
    @TempDir
    Path dir;

    private Process start(Path data, int seed, Path out) throws IOException {
        return new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--no-progress", "--data-dir",
                data.toString(), "train", "binary-sum", "--epochs", "4", "--seed", Integer.toString(seed), "--no-plots",
                "--out", out.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(out.getFileName() + ".log").toFile()).start();
    }

    /** Starts the runs together and waits for all of them. */
    private void together(List<Process> runs) throws Exception {
        for (Process run : runs) {
            assertTrue(run.waitFor(120, TimeUnit.SECONDS), "a run did not finish");
        }
    }

    private JsonNode metrics(Path out) throws IOException {
        ObjectNode metrics = (ObjectNode) Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
        assertEquals(Sha256.of(out.resolve("model.zip")), metrics.remove("model_sha256").asText(),
                "metrics.json names the model beside it");
        metrics.remove("train_seconds");
        return metrics;
    }

    @Test
    void concurrentRunsWithDifferentSeedsEachTrainOnTheirOwnData() throws Exception {
        Path shared = dir.resolve("shared-data");
        List<Process> runs = new ArrayList<>();
        for (int seed = 1; seed <= 3; seed++) {
            runs.add(start(shared, seed, dir.resolve("shared-" + seed)));
        }
        together(runs);
        runs.clear();
        for (int seed = 1; seed <= 3; seed++) {
            runs.add(start(dir.resolve("own-data-" + seed), seed, dir.resolve("alone-" + seed)));
        }
        together(runs);
        for (int seed = 1; seed <= 3; seed++) {
            String log = Files.readString(dir.resolve("shared-" + seed + ".log"), StandardCharsets.UTF_8);
            assertTrue(log.contains("Saved "), log);
            assertEquals(metrics(dir.resolve("alone-" + seed)), metrics(dir.resolve("shared-" + seed)),
                    "seed " + seed + " trained on its own data:\n" + log);
        }
        try (Stream<Path> files = Files.list(shared.resolve("binary-sum"))) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
    }
}
