package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.data.Json;
import org.rnnlab.nets.ModelStore;

/**
 * Zips whose parts disagree with each other, each used by every command that loads a model: each
 * is refused in one line with exit 2, naming the disagreement, and changes nothing (issue 18, item 4).
 */
class ModelPartsTest {
    @TempDir
    static Path dir;
    private static final Map<String, Path> MODELS = new LinkedHashMap<>();

    /** One small trained model of each task whose parts can be mixed up. */
    @BeforeAll
    static void trainModels() throws IOException {
        for (String[] run : new String[][] {{"binary-sum", "--epochs", "1"}, {"count-up", "--epochs", "1"},
                {"sine-wave", "--epochs", "1"}, {"increasing-sum", "--epochs", "1"}}) {
            MODELS.put(run[0], train(run));
        }
        MODELS.put("char-rnn", train("char-rnn", "--corpus", corpus().toString(), "--iterations", "2", "--hidden", "16",
                "--batch-size", "4"));
    }

    private static Path train(String... taskAndOptions) {
        Path out = dir.resolve("models").resolve(taskAndOptions[0]);
        String[] args = {"--no-progress", "--data-dir", dir.resolve("data").toString(), "train"};
        String[] all = java.util.Arrays.copyOf(args, args.length + taskAndOptions.length + 3);
        System.arraycopy(taskAndOptions, 0, all, args.length, taskAndOptions.length);
        all[all.length - 3] = "--no-plots";
        all[all.length - 2] = "--out";
        all[all.length - 1] = out.toString();
        CommandLineRun run = CommandLineRun.run(all);
        assertTrue(run.code() <= 1, run.err());
        return out.resolve("model.zip");
    }

    /** 20,000 characters of a 12-letter alphabet: enough for a held-out block. */
    private static Path corpus() throws IOException {
        Random random = new Random(3);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append(i % 9 == 8 ? ' ' : (char) ('a' + random.nextInt(11)));
        }
        return Files.writeString(dir.resolve("letters.txt"), text);
    }

    /** The zip's entries by name. */
    private static Map<String, byte[]> entries(Path zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    /** A copy of a task's model with its entries changed. */
    private static Path mixed(String name, String task, Consumer<Map<String, byte[]>> change) throws IOException {
        Map<String, byte[]> entries = entries(MODELS.get(task));
        change.accept(entries);
        Path copy = dir.resolve(name + ".zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy))) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(entry.getKey()));
                out.write(entry.getValue());
                out.closeEntry();
            }
        }
        return copy;
    }

    private static byte[] rnnlabJson(Map<String, byte[]> entries, Consumer<ObjectNode> change) {
        try {
            ObjectNode info = (ObjectNode) Json.MAPPER.readTree(entries.get(ModelStore.INFO_ENTRY));
            change.accept(info);
            return Json.MAPPER.writeValueAsBytes(info);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every command that loads the zip refuses it in one line naming {@code expected}; the file is untouched. */
    private static void refusedEverywhere(Path zip, String expected, String input) throws IOException {
        byte[] before = Files.readAllBytes(zip);
        String task = Json.MAPPER.readTree(entries(zip).get(ModelStore.INFO_ENTRY)).path("task").asText();
        String[][] commands = {{"predict", "--model", zip.toString(), "--input", input},
            {"--data-dir", dir.resolve("data").toString(), "evaluate", "--model", zip.toString()},
            {"summary", "--model", zip.toString()}};
        for (String[] command : commands) {
            String line = CommandLineRun.run(command).oneLineError();
            assertTrue(line.contains(zip.toString()) && line.contains(expected), String.join(" ", command) + ": " + line);
        }
        if (task.equals("char-rnn")) {
            String line = CommandLineRun.run("sample", "--model", zip.toString(), "--length", "20").oneLineError();
            assertTrue(line.contains(expected), "sample: " + line);
        }
        assertArrayEquals(before, Files.readAllBytes(zip), "the zip is unchanged");
    }

    @Test
    void aVocabularyLongerOrShorterThanTheNetworkIsRefused() throws IOException {
        refusedEverywhere(mixed("vocabulary-longer", "char-rnn", entries -> entries.put(ModelStore.INFO_ENTRY,
                rnnlabJson(entries, info -> ((ObjectNode) info.get("extras")).put("vocabulary",
                        info.path("extras").path("vocabulary").asText() + "z")))),
                "layer 1 (SimpleRnn) takes 12 inputs where the options give 13", "ab");
        refusedEverywhere(mixed("vocabulary-shorter", "char-rnn", entries -> entries.put(ModelStore.INFO_ENTRY,
                rnnlabJson(entries, info -> ((ObjectNode) info.get("extras")).put("vocabulary", " abc")))),
                "takes 12 inputs where the options give 4", "ab");
    }

    @Test
    void aVocabularyThatIsMissingOrNotRnnlabsIsRefused() throws IOException {
        refusedEverywhere(mixed("no-vocabulary", "char-rnn", entries -> entries.put(ModelStore.INFO_ENTRY,
                rnnlabJson(entries, info -> ((ObjectNode) info.get("extras")).remove("vocabulary")))),
                "holds no vocabulary", "ab");
        refusedEverywhere(mixed("unsorted-vocabulary", "char-rnn", entries -> entries.put(ModelStore.INFO_ENTRY,
                rnnlabJson(entries, info -> ((ObjectNode) info.get("extras")).put("vocabulary", "kjihgfedcba ")))),
                "not distinct characters in order", "ab");
    }

    @Test
    void aNetworkUnderAnotherTasksRnnlabJsonIsRefused() throws IOException {
        byte[] countUpInfo = entries(MODELS.get("count-up")).get(ModelStore.INFO_ENTRY);
        refusedEverywhere(mixed("binary-sum-as-count-up", "binary-sum", entries -> entries.put(ModelStore.INFO_ENTRY,
                countUpInfo)), "its network and its rnnlab.json disagree: the network has 3 layers", "5");
        byte[] sineInfo = entries(MODELS.get("sine-wave")).get(ModelStore.INFO_ENTRY);
        refusedEverywhere(mixed("count-up-as-sine-wave", "count-up", entries -> {
            entries.put(ModelStore.INFO_ENTRY, sineInfo);
            entries.remove(ModelSerializer.NORMALIZER_BIN);
        }), "layer 1 (SimpleRnn) has 4 outputs where the options give 32", "0.1,0.2");
        refusedEverywhere(mixed("wider-hidden", "binary-sum", entries -> entries.put(ModelStore.INFO_ENTRY,
                rnnlabJson(entries, info -> ((ObjectNode) info.get("options")).putArray("hidden").add(8).add(4)))),
                "layer 1 (SimpleRnn) has 6 outputs where the options give 8", "1,0,1,1,0,0,1");
    }

    @Test
    void aMissingExtraOrMismatchedNormalizerIsRefused() throws IOException {
        refusedEverywhere(mixed("no-normalizer", "binary-sum", entries -> entries.remove(ModelSerializer.NORMALIZER_BIN)),
                "has no normalizer.bin; a binary-sum model needs", "1,0,1,1,0,0,1");
        byte[] binarySumNormalizer = entries(MODELS.get("binary-sum")).get(ModelSerializer.NORMALIZER_BIN);
        refusedEverywhere(mixed("sine-wave-with-normalizer", "sine-wave", entries -> entries.put(
                ModelSerializer.NORMALIZER_BIN, binarySumNormalizer)), "which sine-wave models never have", "0.1,0.2");
        byte[] increasingSumNormalizer = entries(MODELS.get("increasing-sum")).get(ModelSerializer.NORMALIZER_BIN);
        refusedEverywhere(mixed("two-feature-normalizer", "binary-sum", entries -> entries.put(
                ModelSerializer.NORMALIZER_BIN, increasingSumNormalizer)),
                "the normalizer scales 2 features where the network takes 1", "1,0,1,1,0,0,1");
    }

    @Test
    void theUntouchedModelsLoadEverywhere() {
        for (Map.Entry<String, Path> model : MODELS.entrySet()) {
            CommandLineRun run = CommandLineRun.run("summary", "--model", model.getValue().toString());
            assertEquals(0, run.code(), model.getKey() + ": " + run.err());
        }
        CommandLineRun sample = CommandLineRun.run("sample", "--model", MODELS.get("char-rnn").toString(), "--length",
                "20");
        assertEquals(0, sample.code(), sample.err());
        assertTrue(sample.out().strip().length() >= 10, sample.out());
    }

    @Test
    void resumingRefusesOptionsBuiltIntoTheNetworkAndOtherwiseKeepsTheModels() throws IOException {
        Path model = MODELS.get("char-rnn");
        byte[] before = Files.readAllBytes(model);
        Path out = dir.resolve("resumed");
        for (String[] change : new String[][] {{"--hidden", "32"}, {"--hidden", "16,16"}, {"--seq-length", "10"},
                {"--dropout", "0.2"}, {"--optimizer", "ADAGRAD"}, {"--implementation", "DL4J"}}) {
            String line = CommandLineRun.run("--no-progress", "train", "char-rnn", "--resume", model.toString(),
                    "--iterations", "1", "--no-plots", "--out", out.toString(), change[0], change[1]).oneLineError();
            assertTrue(line.contains(change[0] + " ") && line.contains("cannot change when resuming " + model), line);
        }
        assertTrue(!Files.exists(out.resolve("model.zip")), "nothing saved");

        // Left out, --hidden and the rest are the model's own (16 units, 4 streams), not the defaults
        CommandLineRun resumed = CommandLineRun.run("--no-progress", "train", "char-rnn", "--resume", model.toString(),
                "--iterations", "1", "--no-plots", "--out", out.toString());
        assertTrue(resumed.code() <= 1, resumed.err());
        ObjectNode options = (ObjectNode) Json.MAPPER.readTree(entries(out.resolve("model.zip"))
                .get(ModelStore.INFO_ENTRY)).get("options");
        assertEquals("[16]", options.get("hidden").toString(), "what is saved describes the network");
        assertEquals(4, options.get("batchSize").asInt());
        assertArrayEquals(before, Files.readAllBytes(model), "the resumed model is unchanged");
        assertTrue(new String(Files.readAllBytes(out.resolve("metrics.json")), StandardCharsets.UTF_8)
                .contains("model_sha256"));
    }
}
