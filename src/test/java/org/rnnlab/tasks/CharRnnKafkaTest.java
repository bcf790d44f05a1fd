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
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.data.Vocabulary;
import org.rnnlab.report.TaskMetrics;

/**
 * The default char-rnn training on the seed's corpus, Kafka's Metamorphosis
 * (../shared/data/kafka.txt, not part of the project): the held-out loss falls well below a
 * uniform guess (at most half of ln V), more than a fifth of its sampled words are Kafka's, and the
 * reloaded zip gives the same metrics. Skipped, saying why, where the corpus is absent. Takes the default
 * budget: 165 s of training.
 *
 * <p>Issue 5's floor is stricter, 2.0 nats per character, and the task reports it (NOT MET for
 * now: measured 2.026 at 29,000 characters per second on this 2-core machine). Reaching it in the
 * 3-minute budget needs the faster recurrent layer of issue 9, so this test does not claim it.
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
        double uniform = outcome.metrics().get("uniform_loss_per_char");
        assertTrue(outcome.metrics().get("held_out_loss_per_char") <= 0.5 * uniform, outcome.metrics().format());
        TaskMetrics reloaded = TaskRunner.evaluate(task, out.resolve("model.zip"), context);
        assertEquals(outcome.metrics().values(), reloaded.values());

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
        // Issue 5 asks for mostly real words; measured at temperature 0.8 after 165 s: 162 of 373 (43%).
        // That goal is not met yet (see the class comment), so the share is reported, and the test
        // only insists that the model writes Kafka's words at all, which an untrained one does not.
        assertTrue(real > 0.2 * sampled.length, real + " of " + sampled.length + " words are real:\n" + sample);
    }
}
