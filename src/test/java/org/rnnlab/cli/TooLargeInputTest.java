package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A corpus too large for a small heap, in a real child JVM: refused up front in one line, exit 2, nothing saved. */
class TooLargeInputTest {
    @TempDir
    Path dir;

    @Test
    void aCorpusLargerThanTheHeapIsRefusedBeforeTraining() throws IOException, InterruptedException {
        for (int megabytes : new int[] {4, 12}) {
            Path corpus = dir.resolve("big-" + megabytes + ".txt");
            Files.writeString(corpus, "the metamorphosis of gregor samsa ".repeat(megabytes * 31_000));
            Path out = dir.resolve("model-" + megabytes);
            Path log = dir.resolve("child-" + megabytes + ".log");
            Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx48m",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--no-progress", "train",
                    "char-rnn", "--corpus", corpus.toString(), "--seconds", "5", "--out", out.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "finishes");
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("rnnlab:")).toList();
            assertEquals(2, process.exitValue(), String.join("\n", Files.readAllLines(log)));
            assertEquals(1, lines.size(), String.join("\n", Files.readAllLines(log)));
            assertTrue(lines.get(0).contains("MB of text") && lines.get(0).contains("RNNLAB_JAVA_OPTS=-Xmx"), lines.get(0));
            assertFalse(String.join("\n", Files.readAllLines(log)).contains("at org."), "no stack trace");
            assertFalse(Files.exists(out.resolve("model.zip")), "nothing saved");
        }
    }
}
