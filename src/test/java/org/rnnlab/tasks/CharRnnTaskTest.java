package org.rnnlab.tasks;

import org.rnnlab.nets.Optimizer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rnnlab.BadInputException;
import org.rnnlab.data.CharChunks;
import org.rnnlab.data.Vocabulary;
import org.rnnlab.inference.StepNetwork;
import org.rnnlab.inference.Stepping;
import org.rnnlab.layers.LayerImplementation;
import org.rnnlab.nets.ModelInfo;
import org.rnnlab.nets.ModelStore;
import org.rnnlab.nets.Training;

/** A small char-rnn on a small text made here: sampling, prediction, resuming and bad input. */
class CharRnnTaskTest {
    @TempDir
    static Path dir;

    static Path corpus;
    static Training trained;
    static final CharRnnTask TASK = new CharRnnTask();

    static CharRnnTask.Options options(int iterations, String resume) {
        return new CharRnnTask.Options(corpus.toString(), new int[] {32}, 1, 16, 8, 0.1, Optimizer.ADAGRAD, 1, 0, 0, iterations, 600, 0, 0, 0, 0, 3, resume, null, 0);
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
    void theThreadCountFollowsTheOptionTheStreamsAndTheCores() {
        int cores = Runtime.getRuntime().availableProcessors();
        CharRnnTask.Options d = TASK.defaultOptions();
        assertEquals(Math.min(cores, 96 / 16), d.trainingThreads());
        assertEquals(1, withThreads(8, 0, LayerImplementation.FAST).trainingThreads(), "8 streams are too few to share");
        assertEquals(Math.min(cores, 2), withThreads(32, 0, LayerImplementation.FAST).trainingThreads());
        assertEquals(3, withThreads(32, 3, LayerImplementation.FAST).trainingThreads(), "--threads is taken as given");
        assertEquals(2, withThreads(2, 5, LayerImplementation.FAST).trainingThreads(), "at most one thread per stream");
        assertEquals(1, withThreads(96, 4, LayerImplementation.DL4J).trainingThreads(), "DL4J's own step runs alone");
        assertThrows(BadInputException.class, () -> withThreads(96, -1, LayerImplementation.FAST));
    }

    private static CharRnnTask.Options withThreads(int batch, int threads, LayerImplementation implementation) {
        return new CharRnnTask.Options("", new int[] {100}, 1, 25, batch, 0.1, Optimizer.ADAGRAD, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, "", implementation, threads);
    }

    @Test
    void twoThreadsTrainTheSameModelAsOne() throws IOException {
        CharRnnTask.Options one = new CharRnnTask.Options(corpus.toString(), new int[] {32}, 1, 16, 8, 0.01, Optimizer.ADAGRAD, 1, 0, 0, 12, 600, 0, 0, 0, 0, 3, "", null, 1);
        CharRnnTask.Options two = new CharRnnTask.Options(corpus.toString(), new int[] {32}, 1, 16, 8, 0.01, Optimizer.ADAGRAD, 1, 0, 0, 12, 600, 0, 0, 0, 0, 3, "", null, 2);
        Training a = TASK.train(one, context());
        Training b = TASK.train(two, context());
        assertEquals(1, a.model().state().path("training_threads").asInt());
        assertEquals(2, b.model().state().path("training_threads").asInt());
        double[] pa = a.model().network().params().toDoubleVector();
        double[] pb = b.model().network().params().toDoubleVector();
        double largest = 0;
        double difference = 0;
        for (int i = 0; i < pa.length; i++) {
            largest = Math.max(largest, Math.abs(pa[i]));
            difference = Math.max(difference, Math.abs(pa[i] - pb[i]));
        }
        assertTrue(difference <= 1e-5 * largest, "parameters differ by " + difference + " (largest " + largest + ")");
        List<Double> la = a.history().get("chunk_loss");
        List<Double> lb = b.history().get("chunk_loss");
        for (int i = 0; i < la.size(); i++) {
            assertEquals(la.get(i), lb.get(i), 1e-5 * la.get(i), "loss of iteration " + (i + 1));
        }
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

    /** The sampling loop as it was before StepNetwork: DL4J's rnnTimeStep and weights exp(log p / T), unshifted. */
    private static String oldSample(MultiLayerNetwork network, Vocabulary vocabulary, String prime, int length,
            double temperature, Random random) {
        int[] primed = prime.isEmpty() ? new int[] {vocabulary.indexOf(' ')} : vocabulary.encode(prime, "--prime");
        network.rnnClearPreviousState();
        INDArray probabilities = null;
        for (int index : primed) {
            probabilities = network.rnnTimeStep(CharChunks.oneHot(new int[] {index}, vocabulary.size()));
        }
        int[] generated = new int[length];
        for (int i = 0; i < length; i++) {
            double[] p = probabilities.get(point(0), all(), point(0)).toDoubleVector();
            double[] weights = new double[p.length];
            double total = 0;
            for (int j = 0; j < p.length; j++) {
                weights[j] = Math.exp(Math.log(Math.max(p[j], 1e-300)) / temperature);
                total += weights[j];
            }
            double u = random.nextDouble() * total;
            generated[i] = p.length - 1;
            for (int j = 0; j < p.length; j++) {
                u -= weights[j];
                if (u <= 0) {
                    generated[i] = j;
                    break;
                }
            }
            probabilities = network.rnnTimeStep(CharChunks.oneHot(new int[] {generated[i]}, vocabulary.size()));
        }
        network.rnnClearPreviousState();
        return prime + vocabulary.decode(generated);
    }

    @Test
    void theStepNetworkSamplesTheSameTextAsDl4jsTimeStepsDid() {
        MultiLayerNetwork network = trained.model().network();
        Vocabulary vocabulary = vocabulary(trained);
        StepNetwork.of(network); // sample() takes this path: it does not fall back
        String[] primes = {"gregor ", "", "gregor ", "the "};
        double[] temperatures = {0.5, 1, 1, 2};
        for (int c = 0; c < primes.length; c++) {
            String expected = oldSample(network, vocabulary, primes[c], 2000, temperatures[c], new Random(11 + c));
            String fast = CharRnnTask.sample(network, vocabulary, primes[c], 2000, temperatures[c], new Random(11 + c));
            String dl4j = CharRnnTask.sample(network, vocabulary, primes[c], 2000, temperatures[c], new Random(11 + c),
                    Stepping.DL4J);
            assertEquals(expected, fast, "StepNetwork, T = " + temperatures[c] + ", prime '" + primes[c] + "'");
            assertEquals(expected, dl4j, "DL4J, T = " + temperatures[c] + ", prime '" + primes[c] + "'");
        }
    }

    @Test
    void lowTemperaturesTendToTheLikeliestCharacter() {
        MultiLayerNetwork network = trained.model().network();
        Vocabulary vocabulary = vocabulary(trained);
        // the greedy text: the likeliest character every time, from DL4J's own probabilities
        network.rnnClearPreviousState();
        INDArray p = null;
        for (int index : vocabulary.encode("gregor ", "--prime")) {
            p = network.rnnTimeStep(CharChunks.oneHot(new int[] {index}, vocabulary.size()));
        }
        int[] greedy = new int[300];
        for (int i = 0; i < greedy.length; i++) {
            greedy[i] = p.get(point(0), all(), point(0)).argMax().getInt(0);
            p = network.rnnTimeStep(CharChunks.oneHot(new int[] {greedy[i]}, vocabulary.size()));
        }
        network.rnnClearPreviousState();
        for (double temperature : new double[] {1e-4, 1e-3}) {
            for (Stepping stepping : Stepping.values()) {
                assertEquals("gregor " + vocabulary.decode(greedy), CharRnnTask.sample(network, vocabulary, "gregor ", 300,
                        temperature, new Random(3), stepping), "T = " + temperature + ", " + stepping);
            }
        }
    }


    @Test
    void predictGivesTheSameProbabilitiesAsDl4jsOutput() {
        MultiLayerNetwork network = trained.model().network();
        Vocabulary vocabulary = vocabulary(trained);
        int[] text = vocabulary.encode("gregor sams", "--input");
        INDArray whole = network.output(CharChunks.oneHot(text, vocabulary.size()));
        StepNetwork steps = StepNetwork.of(network);
        float[] last = null;
        for (int symbol : text) {
            last = steps.step(symbol);
        }
        for (int j = 0; j < last.length; j++) {
            assertEquals(whole.getDouble(0, j, text.length - 1), last[j], 1e-5);
        }
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
    void resumingWithoutCorpusCarriesOnWithTheOneTheZipRecordsAndCountsOn() throws IOException {
        Path zip = dir.resolve("recorded.zip");
        ModelStore.save(zip, trained.model(), ModelInfo.of(TASK.name(), options(300, ""), trained.model().state()));
        CharRnnTask.Options noCorpus = RecordOptions.with(options(5, zip.toString()), "corpus", "");
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        TaskContext context = new TaskContext(dir.resolve("elsewhere"), new PrintStream(printed, true,
                java.nio.charset.StandardCharsets.UTF_8), false, false, List.of());
        TaskRunner.Outcome outcome = TaskRunner.train(TASK, noCorpus, context, dir.resolve("resumed"));
        String out = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(out.contains("resuming on the corpus " + zip + " was trained on: " + corpus.toAbsolutePath()), out);
        assertEquals(305, ModelStore.load(outcome.modelFile()).model().state().path("iterations").asInt());
        assertTrue(out.lines().anyMatch(l -> l.strip().startsWith("305 ")), "the history's last row is iteration 305:\n"
                + out);

        Files.delete(dir.resolve("resumed").resolve("model.zip"));
        Path gone = dir.resolve("gone.txt");
        Files.copy(corpus, gone);
        Path orphan = dir.resolve("orphan.zip");
        com.fasterxml.jackson.databind.node.ObjectNode state = trained.model().state().deepCopy();
        state.put("corpus", gone.toString());
        ModelStore.save(orphan, new org.rnnlab.nets.TrainedNetwork(trained.model().network(), null, state),
                ModelInfo.of(TASK.name(), options(300, ""), state));
        Files.delete(gone);
        BadInputException e = assertThrows(BadInputException.class,
                () -> TASK.train(RecordOptions.with(options(5, orphan.toString()), "corpus", ""), context()));
        assertTrue(e.getMessage().contains("not there any more") && e.getMessage().contains("--corpus"), e.getMessage());
    }

    @Test
    void theMetricsNameTheCorpusAndTheFloorThatApplies() throws IOException {
        org.rnnlab.report.TaskMetrics metrics = TASK.evaluate(trained.model(), options(300, ""), context());
        assertEquals(corpus.toString(), metrics.notes().get("corpus"), "a text of the user's own: its path alone");
        int symbols = vocabulary(trained).size();
        assertTrue(metrics.notes().get("floor_reason").contains("0.5 x ln " + symbols), metrics.notes().toString());
        assertEquals(0.5 * Math.log(symbols), metrics.floors().get(0).limit(), 1e-12);
        assertTrue(metrics.format().contains("floor_reason"), metrics.format());
    }

    @Test
    void aModelOfAnotherTaskCannotBeResumed() throws IOException {
        Path zip = dir.resolve("other.zip");
        ModelStore.save(zip, trained.model(), ModelInfo.of("binary-sum", options(1, ""), trained.model().state()));
        assertThrows(BadInputException.class, () -> TASK.train(options(1, zip.toString()), context()));
    }

    @Test
    void optionsAreValidated() {
        assertThrows(BadInputException.class, () -> new CharRnnTask.Options("", new int[] {0}, 1, 25, 32, 0.1, Optimizer.ADAGRAD, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, "", null, 0));
        assertThrows(BadInputException.class, () -> new CharRnnTask.Options("", new int[] {100}, 1, 25, 32, Double.NaN, Optimizer.ADAGRAD, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, "", null, 0));
        assertThrows(BadInputException.class, () -> new CharRnnTask.Options("", new int[] {100}, 1, 25, 32, 0.1, Optimizer.ADAGRAD, 1, 0, 0, -1, 1, 0, 0, 0, 0, 1, "", null, 0));
    }
}
