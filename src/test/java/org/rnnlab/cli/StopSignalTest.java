package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM (what Ctrl-C's SIGINT also does to a JVM) in the middle of training, in a real second process. */
class StopSignalTest {
    @TempDir
    Path dir;

    @Test
    void aStoppedTrainingRunKeepsThePreviousModelAndLeavesNoPartialFile() throws Exception {
        Path out = Files.createDirectories(dir.resolve("models"));
        byte[] previous = "the previous model, byte for byte".getBytes(StandardCharsets.UTF_8);
        Files.write(out.resolve("model.zip"), previous);
        Path log = dir.resolve("log.txt");
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--no-progress", "--data-dir",
                dir.resolve("data").toString(), "train", "sine-wave", "--epochs", "100000", "--out", out.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // Wait until training has begun (the data set is written first), then stop the process.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(dir.resolve("data").resolve("sine-wave").resolve("dataset.json"))
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(1500);
        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the process did not stop");
        String printed = Files.readString(log, StandardCharsets.UTF_8);
        assertNotEquals(0, process.exitValue(), printed);
        assertTrue(printed.contains("rnnlab: stopped before the end"), printed);
        assertArrayEquals(previous, Files.readAllBytes(out.resolve("model.zip")));
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(out.resolve("model.zip")), files.toList(), "nothing else in the model folder");
        }
    }
}
