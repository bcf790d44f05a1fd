package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import com.fasterxml.jackson.databind.JsonNode;
import org.rnnlab.data.Json;
import org.rnnlab.plots.HeldOutCurve;
import org.rnnlab.data.Vocabulary;
import org.rnnlab.plots.PngFiles;
import org.rnnlab.report.TaskMetrics;

/**
 * The default char-rnn training on the seed's corpus, Kafka's Metamorphosis
 * (../shared/data/kafka.txt, not part of the project): the held-out loss meets issue 5's floor of
 * 2.0 nats per character (the floor, not issue 15's goal of 1.68, which docs/char-rnn-recipe.md
 * measures), the best model scored while training is the one saved, most sampled words are
 * Kafka's, and the reloaded zip gives the same metrics. Skipped, saying why, where the corpus is
 * absent. Takes the default budget: 165 s of training.
 */
class CharRnnKafkaTest {
    @TempDir
    Path dir;

    static Path kafka() {
        return Path.of(System.getProperty("rnnlab.shared", "../shared"), "data", "kafka.txt");
    }

    @Test
    void theDefaultTrainingOnKafkaLearnsAndWritesMostlyKafkasWords() throws IOException {
        assumeTrue(Files.isRegularFile(kafka()), "skipped: the seed's corpus is not at " + kafka().toAbsolutePath()
                + " (it is shared beside the project, never committed)");
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.copy(kafka(), data.resolve("kafka.txt"));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        TaskContext context = new TaskContext(data, new PrintStream(printed, true, StandardCharsets.UTF_8), false);
        CharRnnTask task = new CharRnnTask();
        Path out = dir.resolve("models");

        TaskRunner.Outcome outcome = TaskRunner.train(task, task.defaultOptions(), context, out);
        TaskMetrics metrics = outcome.metrics();
        System.out.print(metrics.format());
        assertTrue(metrics.floorsMet(), metrics.format());
        TaskMetrics reloaded = TaskRunner.evaluate(task, out.resolve("model.zip"), context);
        assertEquals(metrics.values(), reloaded.values());
        assertTrue(metrics.notes().get("corpus").contains("Project Gutenberg ebook 5200"), metrics.notes().toString());
        assertTrue(metrics.notes().get("floor_reason").contains("2.0 nats"), metrics.notes().toString());
        String example = TaskRunner.predict(task, out.resolve("model.zip"), task.predictExample().input());
        assertTrue(example.startsWith("most likely next characters:"), "predict --help's example: " + example);
        assertEquals(List.of(out.resolve("loss.png"), out.resolve("held-out-by-time.png"),
                out.resolve("held-out-by-iteration.png")),
                outcome.pictures().stream().map(TaskRunner.WrittenPicture::file).toList());
        for (TaskRunner.WrittenPicture picture : outcome.pictures()) {
            PngFiles.assertPicture(picture.file());
        }

        // The model saved is the best scored: at most the held-out loss of every score while training
        JsonNode written = Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
        double held = metrics.get("held_out_loss_per_char");
        written.path("history").path(HeldOutCurve.HELD_OUT).forEach(score ->
                assertTrue(held <= score.asDouble() + 1e-9, held + " against a score of " + score));
        assertTrue(metrics.get("best_at_seconds") <= written.path("train_seconds").asDouble(), metrics.format());
        assertEquals(held / Math.log(2), metrics.get("held_out_bits_per_char"), 1e-12);

        // Mostly real words: the metric counts the words of 2,000 characters at temperature 0.8 found in Kafka's text
        assertTrue(metrics.get("sample_known_word_share") > 0.5, metrics.format());
        var stored = org.rnnlab.nets.ModelStore.load(out.resolve("model.zip"));
        String sample = CharRnnTask.sample(stored.model().network(),
                Vocabulary.fromString(stored.model().state().path("vocabulary").asText()), "Gregor", 300, 0.8,
                new Random(7));
        System.out.printf("known-word share %.3f; a sample:%n%s%n", metrics.get("sample_known_word_share"), sample);
    }
}
