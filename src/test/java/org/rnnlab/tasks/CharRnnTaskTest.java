package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.BadInputException;
import org.rnnlab.data.Vocabulary;
import org.rnnlab.nets.ModelInfo;
import org.rnnlab.nets.ModelStore;

/** A small char-rnn on a small text made here: sampling, prediction, resuming and bad input. */
class CharRnnTaskTest {
    @TempDir
    static Path dir;

    static Path corpus;
    static Training trained;
    static final CharRnnTask TASK = new CharRnnTask();

    static CharRnnTask.Options options(int iterations, String resume) {
        return new CharRnnTask.Options(corpus.toString(), 32, 1, 16, 8, 0.1, iterations, 600, 0, 3, resume, null);
    }

    static TaskContext context() {
        return new TaskContext(dir, new PrintStream(OutputStream.nullOutputStream()), false);
    }

    @BeforeAll
    static void trainSmallModel() throws IOException {
        StringBuilder text = new StringBuilder();
        Random random = new Random(1);
        String[] words = {"gregor", "samsa", "woke", "from", "troubled", "dreams", "in", "his", "bed", "the"};
        while (text.length() < 30_000) {
            text.append(words[random.nextInt(words.length)]).append(random.nextInt(8) == 0 ? ".\n" : " ");
        }
        corpus = Files.writeString(dir.resolve("words.txt"), text);
        trained = TASK.train(options(300, ""), context());
    }

    private static String readCorpus() {
        try {
            return Files.readString(corpus);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Vocabulary vocabulary(Training training) {
        return Vocabulary.fromString(training.model().state().path("vocabulary").asText());
    }

    @Test
    void trainingLowersTheLossAndRecordsItsState() {
        List<Double> loss = trained.history().get("chunk_loss");
        assertEquals(300, loss.size());
        double first = loss.subList(0, 20).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = loss.subList(280, 300).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.6 * first, first + " -> " + last);
        assertEquals("iterations", trained.unit());
        assertEquals(300, trained.model().state().path("iterations").asInt());
        assertEquals(Vocabulary.of(readCorpus()), vocabulary(trained), "the corpus's sorted characters, stored");
    }

    @Test
    void samplingIsDeterministicForASeedAndColderIsMoreRepetitive() {
        var network = trained.model().network();
        Vocabulary vocabulary = vocabulary(trained);
        String a = CharRnnTask.sample(network, vocabulary, "gregor", 300, 1.0, new Random(7));
        String b = CharRnnTask.sample(network, vocabulary, "gregor", 300, 1.0, new Random(7));
        String c = CharRnnTask.sample(network, vocabulary, "gregor", 300, 1.0, new Random(8));
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertTrue(a.startsWith("gregor") && a.length() == 306);
        // Fewer distinct three-character strings at a low temperature: it keeps to its favourites.
        int cold = distinctTrigrams(CharRnnTask.sample(network, vocabulary, "the", 600, 0.2, new Random(7)));
        int hot = distinctTrigrams(CharRnnTask.sample(network, vocabulary, "the", 600, 1.5, new Random(7)));
        assertTrue(cold < hot, cold + " distinct trigrams cold, " + hot + " hot");
    }

    private static int distinctTrigrams(String text) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i + 3 <= text.length(); i++) {
            seen.add(text.substring(i, i + 3));
        }
        return seen.size();
    }

    @Test
    void aPrimeWithUnknownCharactersIsRefusedNamingThem() {
        BadInputException e = assertThrows(BadInputException.class, () -> CharRnnTask.sample(
                trained.model().network(), vocabulary(trained), "Gregor!", 10, 1.0, new Random(1)));
        assertTrue(e.getMessage().contains("'G'") && e.getMessage().contains("'!'"), e.getMessage());
    }

    @Test
    void predictListsTheLikeliestNextCharacters() {
        String answer = TASK.predict(trained.model(), options(300, ""), "gregor sams");
        assertTrue(answer.startsWith("most likely next characters:"), answer);
        assertTrue(answer.lines().skip(1).findFirst().orElseThrow().contains("'a'"), answer);
    }

    @Test
    void resumingKeepsTheUpdaterStateSoTheLossCarriesOn() throws IOException {
        Path zip = dir.resolve("model.zip");
        ModelStore.save(zip, trained.model(), ModelInfo.of(TASK.name(), options(300, ""), trained.model().state()));
        Training resumed = TASK.train(options(20, zip.toString()), context());
        assertEquals(320, resumed.model().state().path("iterations").asInt());
        List<Double> before = trained.history().get("chunk_loss").subList(280, 300);
        List<Double> after = resumed.history().get("chunk_loss");
        double last = before.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double next = after.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        // It starts from a zero state, not the carried one, so allow a little; a fresh start would be far above.
        assertTrue(next < 1.2 * last, last + " before saving, " + next + " after resuming");
        double fresh = -Math.log(1.0 / vocabulary(trained).size()) * 16;
        assertTrue(next < 0.6 * fresh, "far below an untrained network's " + fresh);
    }

    @Test
    void aModelOfAnotherTaskCannotBeResumed() throws IOException {
        Path zip = dir.resolve("other.zip");
        ModelStore.save(zip, trained.model(), ModelInfo.of("binary-sum", options(1, ""), trained.model().state()));
        assertThrows(BadInputException.class, () -> TASK.train(options(1, zip.toString()), context()));
    }

    @Test
    void optionsAreValidated() {
        assertThrows(BadInputException.class, () -> new CharRnnTask.Options("", 0, 1, 25, 32, 0.1, 0, 1, 0, 1, "", null));
        assertThrows(BadInputException.class, () -> new CharRnnTask.Options("", 100, 1, 25, 32, Double.NaN, 0, 1, 0, 1, "", null));
        assertThrows(BadInputException.class, () -> new CharRnnTask.Options("", 100, 1, 25, 32, 0.1, -1, 1, 0, 1, "", null));
    }
}
