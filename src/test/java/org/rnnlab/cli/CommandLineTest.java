package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnnlab.cli.CommandLineRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.data.Json;
import org.rnnlab.tasks.BinarySumTask;
import org.rnnlab.tasks.SineWaveTask;

/**
 * The command line as a user meets it, through {@link Main#execute}: exit codes, and for bad input
 * exactly one line on stderr, without a stack trace. Nothing here trains for more than one epoch.
 */
class CommandLineTest {
    @TempDir
    Path tmp;

    private String missingModel() {
        return tmp.resolve("no/such/model.zip").toString();
    }

    // ---- list and help

    @Test
    void listPrintsEveryTask() {
        CommandLineRun run = run("list");
        assertEquals(0, run.code(), run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("binary-sum ")), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("sine-wave ")), run.out());
        assertEquals("", run.err());
    }

    @Test
    void helpExitsZero() {
        CommandLineRun run = run("--help");
        assertEquals(0, run.code());
        for (String command : List.of("list", "train", "evaluate", "predict", "all")) {
            assertTrue(run.out().contains(command), command + " missing from:\n" + run.out());
        }
    }

    @Test
    void trainHelpExitsZero() {
        CommandLineRun run = run("train", "--help");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("binary-sum") && run.out().contains("sine-wave"), run.out());
    }

    @Test
    void taskHelpListsTheTaskOptionsWithDefaults() {
        CommandLineRun run = run("train", "binary-sum", "--help");
        assertEquals(0, run.code(), run.err());
        String help = run.out().replaceAll("\\s+", " "); // the words, however picocli wraps them
        // One option per component of BinarySumTask.Options, named as RecordOptions spells them.
        for (String option : List.of("--epochs", "--seed", "--target", "--hidden", "--hidden-bias", "--learning-rate",
                "--batch-size", "--out")) {
            assertTrue(help.contains(option), option + " missing from:\n" + help);
        }
        // The @Doc text and the defaults of the options record (read from the task, which owns them).
        BinarySumTask.Options defaults = new BinarySumTask().defaultOptions();
        assertTrue(help.contains("passes over the training data (default: " + defaults.training().epochs() + ")"), help);
        assertTrue(help.contains("(default: " + defaults.training().seed() + ")"), help);
        assertTrue(help.contains("(default: " + defaults.target() + ")"), help);
        assertTrue(help.contains("(default: " + defaults.hidden()[0] + "," + defaults.hidden()[1] + ")"), help);
        assertTrue(help.contains("(default: " + defaults.hiddenBias() + ")"), help);
        assertTrue(help.contains("(default: " + defaults.training().learningRate() + ")"), help);
        assertTrue(help.contains("(default: " + defaults.training().batchSize() + ")"), help);
        // Parameter labels: booleans take an explicit value, enums list their constants, arrays are lists.
        assertTrue(help.contains("--hidden-bias=true|false"), help);
        assertTrue(help.contains("--target=SUM|LAST"), help);
        assertTrue(help.contains("--hidden=N[,N...]"), help);
    }

    @Test
    void sineWaveHelpHasItsOwnOptions() {
        CommandLineRun run = run("train", "sine-wave", "--help");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("units in the tanh SimpleRnn layer (default: "
                + new SineWaveTask().defaultOptions().hidden() + ")"), run.out());
        assertFalse(run.out().contains("--target"), "binary-sum's options do not leak into sine-wave's");
    }

    // ---- bad usage: exit 2, one line

    @Test
    void noArguments() {
        String line = run().oneLineError();
        assertTrue(line.contains("missing command"), line);
    }

    @Test
    void unknownCommand() {
        String line = run("frobnicate").oneLineError();
        assertTrue(line.contains("frobnicate"), line);
    }

    @Test
    void unknownTask() {
        String line = run("train", "nosuchtask").oneLineError();
        assertTrue(line.contains("unknown task 'nosuchtask'"), line);
        assertTrue(line.contains("binary-sum") && line.contains("sine-wave"), "lists the known tasks: " + line);
    }

    @Test
    void trainWithoutATask() {
        String line = run("train").oneLineError();
        assertTrue(line.contains("binary-sum"), line);
    }

    @Test
    void zeroEpochs() {
        String line = run("train", "binary-sum", "--epochs", "0").oneLineError();
        assertTrue(line.contains("--epochs"), line);
        assertTrue(line.contains("1..100000"), "names the allowed range: " + line);
    }

    @Test
    void learningRateNaN() {
        String line = run("train", "binary-sum", "--learning-rate", "NaN").oneLineError();
        assertTrue(line.contains("--learning-rate"), line);
    }

    @Test
    void negativeLearningRateOnSineWave() {
        String line = run("train", "sine-wave", "--learning-rate", "-0.1").oneLineError();
        assertTrue(line.contains("--learning-rate"), line);
    }

    @Test
    void zeroHiddenUnits() {
        String line = run("train", "binary-sum", "--hidden", "0").oneLineError();
        assertTrue(line.contains("--hidden"), line);
        line = run("train", "sine-wave", "--hidden", "0").oneLineError();
        assertTrue(line.contains("--hidden"), line);
    }

    @Test
    void notANumber() {
        String line = run("train", "binary-sum", "--epochs", "many").oneLineError();
        assertTrue(line.contains("--epochs") && line.contains("many"), line);
    }

    @Test
    void unknownOption() {
        String line = run("train", "binary-sum", "--no-such-option").oneLineError();
        assertTrue(line.contains("--no-such-option"), line);
        assertFalse(line.contains("did you mean"), "nothing is near it: " + line);
    }

    @Test
    void checksSayTheyAreChecksAndTakeNoTrainingOptions() {
        for (String check : List.of("forward-pass", "keras-summary")) {
            String help = run("train", check, "--help").out();
            assertFalse(help.contains("--ui") || help.contains("--no-plots"), help);
            CommandLineRun ran = run("--no-progress", "--data-dir", tmp.resolve("data").toString(), "train", check, "--out",
                    tmp.resolve(check).toString());
            assertEquals(0, ran.code(), ran.err());
            assertTrue(ran.out().contains("Checked in") && ran.out().contains("a check: nothing is trained"), ran.out());
            assertFalse(ran.out().contains("Trained in"), ran.out());
            assertTrue(run("train", check, "--no-plots").oneLineError().contains("--no-plots"));
        }
        assertTrue(run("train", "sine-wave", "--help").out().contains("--no-plots"), "tasks that train keep them");
    }

    @Test
    void nearMissesGetADidYouMean() {
        String option = run("train", "char-rnn", "--learning-rat", "0.01").oneLineError();
        assertTrue(option.contains("did you mean --learning-rate?"), option);
        String withValue = run("train", "char-rnn", "--seq-lenght=50").oneLineError();
        assertTrue(withValue.contains("did you mean --seq-length?"), withValue);
        String prefix = run("train", "sine-wave", "--batch", "3").oneLineError();
        assertTrue(prefix.contains("did you mean --batch-size?"), prefix);
        String task = run("train", "binary-sun").oneLineError();
        assertTrue(task.contains("unknown task 'binary-sun'; did you mean binary-sum?"), task);
        String command = run("evalute").oneLineError();
        assertTrue(command.contains("did you mean evaluate?"), command);
    }

    @Test
    void badTargetValue() {
        String line = run("train", "binary-sum", "--target", "MEAN").oneLineError();
        assertTrue(line.contains("MEAN"), line);
    }

    @Test
    void optionValuesAreParsedBeforeTheRecordChecksThem() {
        // Valid values for every other option, so the only complaint is about --epochs: this shows the
        // others parsed (enum case-insensitively, boolean with '=', array split on commas) without training.
        String line = run("train", "binary-sum", "--target", "last", "--hidden-bias=false", "--hidden", "3,2,1",
                "--learning-rate", "0.5", "--batch-size", "8", "--seed", "-7", "--epochs", "0").oneLineError();
        assertTrue(line.contains("--epochs"), line);
    }

    @Test
    void tooManyHiddenLayers() {
        String line = run("train", "binary-sum", "--hidden", "1,1,1,1,1,1,1,1,1").oneLineError();
        assertTrue(line.contains("--hidden") && line.contains("1 to 8"), line);
    }

    @Test
    void evaluateMissingModel() {
        String line = run("evaluate", "binary-sum", "--model", missingModel()).oneLineError();
        assertTrue(line.contains(missingModel()), line);
    }

    @Test
    void evaluateUnknownTask() {
        String line = run("evaluate", "nosuchtask", "--model", missingModel()).oneLineError();
        assertTrue(line.contains("unknown task 'nosuchtask'"), line);
    }

    @Test
    void predictMissingModel() {
        String line = run("predict", "binary-sum", "--model", missingModel(), "--input", "1,0").oneLineError();
        assertTrue(line.contains(missingModel()), line);
    }

    @Test
    void predictWithoutInput() {
        String line = run("predict", "binary-sum", "--model", missingModel()).oneLineError();
        assertTrue(line.contains("--input"), line);
    }

    @Test
    void predictFromAFileThatIsNotAModel() throws IOException {
        Path notAZip = tmp.resolve("model.zip");
        Files.writeString(notAZip, "this is not a zip");
        String line = run("predict", "binary-sum", "--model", notAZip.toString(), "--input", "1,0").oneLineError();
        assertTrue(line.contains(notAZip.toString()), line);
    }

    // ---- one real (one-epoch) run

    @Test
    void oneEpochOfSineWaveSavesModelAndMetrics() throws IOException {
        Path out = tmp.resolve("m");
        Path data = tmp.resolve("d");
        CommandLineRun run = run("train", "sine-wave", "--epochs", "1", "--no-progress", "--out", out.toString(),
                "--data-dir", data.toString());
        // One epoch does not reach the floors: 1 (a check failed) is as good as 0 here.
        assertTrue(run.code() == 0 || run.code() == 1, "exit " + run.code() + "\n" + run.err() + run.out());
        assertTrue(Files.isRegularFile(out.resolve("model.zip")));
        assertTrue(Files.isRegularFile(out.resolve("metrics.json")));
        assertTrue(Files.isRegularFile(data.resolve("sine-wave/dataset.json")), "data went to --data-dir");

        JsonNode metrics = Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
        assertEquals("sine-wave", metrics.get("task").asText());
        assertEquals(1, metrics.get("epochs").asInt());
        assertEquals(run.code() == 0, metrics.get("floors_met").asBoolean(), "exit code follows the floors");

        // The saved model loads again: evaluate prints the same metrics and the same verdict.
        CommandLineRun evaluate = run("evaluate", "sine-wave", "--model", out.resolve("model.zip").toString(),
                "--data-dir", data.toString());
        assertEquals(run.code(), evaluate.code(), evaluate.err());
        assertTrue(evaluate.out().contains("Held-out metrics of"), evaluate.out());

        // A sine-wave model is not a binary-sum model.
        String line = run("predict", "binary-sum", "--model", out.resolve("model.zip").toString(), "--input", "1,0")
                .oneLineError();
        assertTrue(line.contains("sine-wave"), line);
    }

    // ---- gradcheck

    @Test
    void gradcheckOfOneTaskPrintsARowPerParameterAndPasses() {
        CommandLineRun r = run("gradcheck", "binary-sum");
        assertEquals(0, r.code(), r.err());
        for (String parameter : List.of("0_W", "0_RW", "0_b", "1_W", "1_RW", "1_b", "2_W", "2_b")) {
            assertTrue(r.out().contains("reference vs DL4J            " + parameter), r.out());
            assertTrue(r.out().contains("reference vs finite diff.    " + parameter), r.out());
        }
        assertTrue(r.out().contains("DL4J GradientCheckUtil"), r.out());
        assertFalse(r.out().contains("FAILED"), r.out());
        assertTrue(r.out().contains("All gradient checks passed."), r.out());
    }

    @Test
    void gradcheckOfAnUnknownTaskIsBadInput() {
        assertTrue(run("gradcheck", "nosuchtask").oneLineError().contains("unknown task"));
    }
}
