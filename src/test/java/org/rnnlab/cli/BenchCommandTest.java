package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.data.Json;

/** A short `rnnlab bench`: every figure is there, in the table and in the JSON file. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void aShortBenchWritesEveryFigure() throws IOException {
        Path out = dir.resolve("bench.json");
        CommandLineRun run = CommandLineRun.run("--data-dir", dir.resolve("no-data").toString(), "bench",
                "--repeats", "1", "--seconds", "0.2", "--batch-size", "4", "--threads", "2", "--memory-seconds", "0", "--skip-tasks",
                "--recipe-seconds", "2", "--out", out.toString());
        assertEquals(0, run.code(), run.err() + run.out());
        assertTrue(run.out().contains("random, 80 symbols"), run.out());
        JsonNode report = Json.MAPPER.readTree(out.toFile());
        List<String> names = new ArrayList<>();
        report.get("measurements").forEach(m -> {
            names.add(m.get("name").asText());
            assertTrue(m.get("median").asDouble() > 0, m.toString());
        });
        List<String> expected = new ArrayList<>(List.of("startup_jvm_and_nd4j"));
        for (String cell : List.of("", "lstm_", "gru_")) { // SimpleRnn's names as before gated cells, then each cell's
            for (String figure : List.of("train_dl4j_batch_1", "train_fast_batch_1", "train_dl4j_batch_4",
                    "train_fast_batch_4", "train_fast_batch_4_threads_2", "sample_fast", "sample_dl4j",
                    "sample_step_network")) {
                expected.add("char_rnn_" + cell + figure);
            }
        }
        assertEquals(expected, names);
        assertTrue(report.get("fast_over_dl4j").get("char_rnn_lstm_train_batch_4").asDouble() > 0);
        assertTrue(report.get("fast_over_dl4j").get("char_rnn_gru_sample_step_network_over_rnn_time_step").asDouble() > 0);
        assertTrue(report.get("fast_over_dl4j").get("char_rnn_train_batch_4").asDouble() > 0);
        assertTrue(report.get("fast_over_dl4j").get("char_rnn_train_batch_4_threads_2").asDouble() > 0);
        assertTrue(report.get("fast_over_dl4j").get("char_rnn_sample_step_network_over_rnn_time_step").asDouble() > 0);
        assertTrue(report.get("machine").get("cores").asInt() >= 1);
        // held-out milestones of the default recipe and the seed's, scored while they trained
        JsonNode recipes = report.get("char_rnn_recipes");
        assertEquals(2, recipes.size(), recipes.toString());
        assertEquals("defaults", recipes.get(0).get("recipe").asText());
        assertEquals("seed", recipes.get(1).get("recipe").asText());
        for (JsonNode recipe : recipes) {
            assertTrue(recipe.get("best").asDouble() > 0 && recipe.get("bestAt").asDouble() <= recipe.get("seconds").asDouble(),
                    recipe.toString());
        }
        assertTrue(run.out().contains("char-rnn seed     held-out 2.0 "), run.out());
    }

    @Test
    void badRepeatsAreRefused() {
        String line = CommandLineRun.run("bench", "--repeats", "0").oneLineError();
        assertTrue(line.contains("--repeats"), line);
    }
}
