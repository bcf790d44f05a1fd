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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.data.Vocabulary;
import org.rnnlab.plots.PngFiles;
import org.rnnlab.report.TaskMetrics;

/**
 * The default char-rnn training on the seed's corpus, Kafka's Metamorphosis
 * (../shared/data/kafka.txt, not part of the project): the held-out loss meets issue 5's floor of
 * 2.0 nats per character, most of the sampled words are Kafka's, and the reloaded zip gives the
 * same metrics. Skipped, saying why, where the corpus is absent. Takes the default budget: 165 s
 * of training (measured here: held-out 1.778 at 200,000 characters per second, 67% real words).
 */
class CharRnnKafkaTest {
    // Checks: the held-out loss, identical metrics after reloading, and that samples contain Kafka's words.
    @TempDir
    Path dir;

    static Path kafka() {
        return Path.of(System.getProperty("rnnlab.shared", "../shared"), "data", "kafka.txt");
    }

    @Test
    void theDefaultTrainingOnKafkaLearnsAndWritesSomeOfKafkasWords() throws IOException {
        assumeTrue(Files.isRegularFile(kafka()), "skipped: the seed's corpus is not at " + kafka().toAbsolutePath()
                + " (it is shared beside the project, never committed)");
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.copy(kafka(), data.resolve("kafka.txt"));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        TaskContext context = new TaskContext(data, new PrintStream(printed, true, StandardCharsets.UTF_8), false);
        CharRnnTask task = new CharRnnTask();
        Path out = dir.resolve("models");

        TaskRunner.Outcome outcome = TaskRunner.train(task, task.defaultOptions(), context, out);
        System.out.print(outcome.metrics().format());
        assertTrue(outcome.metrics().floorsMet(), outcome.metrics().format());
        TaskMetrics reloaded = TaskRunner.evaluate(task, out.resolve("model.zip"), context);
        assertEquals(outcome.metrics().values(), reloaded.values());
        assertEquals(List.of(out.resolve("loss.png")), outcome.pictures().stream().map(TaskRunner.WrittenPicture::file).toList(),
                "the smooth loss against iterations");
        PngFiles.assertPicture(out.resolve("loss.png"));

        // Mostly real words: of the words in a sample (runs of 2 or more letters), most occur in Kafka's text.
        String corpus = Files.readString(kafka());
        Set<String> words = Arrays.stream(corpus.toLowerCase().split("[^a-z]+")).collect(Collectors.toSet());
        var stored = org.rnnlab.nets.ModelStore.load(out.resolve("model.zip"));
        String sample = CharRnnTask.sample(stored.model().network(),
                Vocabulary.fromString(stored.model().state().path("vocabulary").asText()), "Gregor", 2000, 0.8,
                new Random(7));
        String[] sampled = Arrays.stream(sample.toLowerCase().split("[^a-z]+")).filter(w -> w.length() >= 2)
                .toArray(String[]::new);
        long real = Arrays.stream(sampled).filter(words::contains).count();
        System.out.printf("%d of %d sampled words are Kafka's words%n%s%n", real, sampled.length,
                sample.substring(0, 300));
        // Measured at temperature 0.8 after 165 s: 263 of 393 (67%); an untrained model writes almost none.
        assertTrue(real > 0.5 * sampled.length, real + " of " + sampled.length + " words are real:\n" + sample);
    }
}
