package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.data.Json;
import org.rnnlab.tasks.CountUpTask;
import org.rnnlab.tasks.ForwardPassTask;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;
import org.rnnlab.tasks.TrainCommandLine;

/** A task class's own main does what {@code rnnlab train TASK} does: same options, output, files and exit codes. */
class TaskMainTest {

    /** What {@code YourTask.main(args)} runs, without its System.exit. */
    private static CommandLineRun runMain(Task<?, ?> task, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = TrainCommandLine.execute(task, o, e, args);
        }
        return new CommandLineRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyTaskClassHasAMain() throws NoSuchMethodException {
        for (Task<?, ?> task : TaskRegistry.all()) {
            Method main = task.getClass().getMethod("main", String[].class);
            assertTrue(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers()), task.name());
        }
    }

    @Test
    void theMainTrainsAsTheTrainCommandDoes(@TempDir Path dir) throws IOException {
        String[] options = {"--epochs", "3", "--seed", "7", "--no-plots", "--no-progress"};
        CommandLineRun viaRnnlab = CommandLineRun.run(concat(new String[] {"train", "count-up", "--data-dir",
            dir.resolve("data-a").toString(), "--out", dir.resolve("a").toString()}, options));
        CommandLineRun viaMain = runMain(new CountUpTask(), concat(new String[] {"--data-dir",
            dir.resolve("data-b").toString(), "--out", dir.resolve("b").toString()}, options));
        assertEquals(viaRnnlab.code(), viaMain.code(), "exit code");
        assertEquals(withoutTimes(viaRnnlab.out(), dir.resolve("data-a"), dir.resolve("a")),
                withoutTimes(viaMain.out(), dir.resolve("data-b"), dir.resolve("b")), "the same output");
        assertEquals(metrics(dir.resolve("a")), metrics(dir.resolve("b")), "the same metrics.json");
        assertTrue(Files.isRegularFile(dir.resolve("b").resolve("model.zip")));
    }

    @Test
    void badInputEndsInOneLineAndExitCodeTwo() {
        String line = runMain(new CountUpTask(), "--epochs", "0").oneLineError();
        assertEquals("rnnlab: --epochs must be in 1..100000, got 0", line);
        String nearMiss = runMain(new CountUpTask(), "--epoch", "3").oneLineError();
        assertTrue(nearMiss.contains("did you mean --epochs?"), nearMiss);
        assertTrue(nearMiss.contains("'rnnlab train count-up --help'"), nearMiss);
    }

    @Test
    void helpListsTheTasksOptionsAndTheGlobalOnes() {
        CommandLineRun help = runMain(new ForwardPassTask(), "--help");
        assertEquals(0, help.code());
        for (String option : new String[] {"--features", "--hidden", "--steps", "--data-dir", "--verbose", "--out"}) {
            assertTrue(help.out().contains(option), option + " in\n" + help.out());
        }
        assertFalse(help.out().contains("--no-plots"), "a check draws no charts");
        assertFalse(help.out().contains("--input-features"), "old names are accepted, not shown");
        assertTrue(help.out().contains("Exit codes:"), help.out());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String withoutTimes(String out, Path data, Path model) {
        return out.replace(data.toString(), "DATA").replace(model.toString(), "OUT")
                .replaceAll("[0-9.]+ s\\b", "T s");
    }

    private static JsonNode metrics(Path dir) throws IOException {
        ObjectNode metrics = (ObjectNode) Json.MAPPER.readTree(dir.resolve("metrics.json").toFile());
        metrics.remove("train_seconds");
        metrics.remove("model_sha256"); // each zip entry carries the time it was written
        return metrics;
    }
}
