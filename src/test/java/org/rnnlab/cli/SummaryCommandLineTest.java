package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnnlab.cli.CommandLineRun.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.summary.SummaryStyle;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;

/** {@code rnnlab summary} as a user meets it: every task in every style, a saved model, and bad input. */
class SummaryCommandLineTest {
    @TempDir
    Path tmp;

    private static String seedSummary() throws IOException {
        try (InputStream in = SummaryCommandLineTest.class.getResourceAsStream(
                "/org/rnnlab/summary/keras-summary.keras2.2.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void keras22PrintsSeed003sBlock() throws IOException {
        CommandLineRun run = run("summary", "keras-summary", "--style", "keras2.2");
        assertEquals(0, run.code(), run.err());
        assertEquals(seedSummary(), run.out());
        assertEquals("", run.err());
    }

    @Test
    void theDefaultStyleIsTfKeras() {
        CommandLineRun run = run("summary", "keras-summary");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().startsWith("Model: \"sequential\"\n"), run.out());
        assertTrue(run.out().contains("\n simple_rnn (SimpleRNN)      (None, 10)                120       \n"), run.out());
    }

    @Test
    void everyTaskInEveryStyle() {
        for (Task<?, ?> task : TaskRegistry.all()) {
            for (SummaryStyle style : SummaryStyle.values()) {
                CommandLineRun run = run("summary", task.name(), "--style", style.label());
                assertEquals(0, run.code(), task.name() + " " + style + ": " + run.err());
                assertTrue(run.out().contains(style == SummaryStyle.DL4J ? "Total Parameters" : "Total params: "),
                        run.out());
            }
        }
    }

    @Test
    void aSavedModel() throws IOException {
        Path out = tmp.resolve("model");
        CommandLineRun train = run("train", "keras-summary", "--no-progress", "--out", out.toString(), "--data-dir",
                tmp.resolve("data").toString());
        assertEquals(0, train.code(), train.err() + train.out());
        assertTrue(train.out().contains(seedSummary()), "train prints the summary:\n" + train.out());
        assertTrue(train.out().contains("matches_seed_summary  yes   floor yes  met"), train.out());

        String model = out.resolve("model.zip").toString();
        CommandLineRun summary = run("summary", "--model", model, "--style", "keras2.2");
        assertEquals(0, summary.code(), summary.err());
        assertEquals(seedSummary(), summary.out());
        assertEquals(0, run("summary", "keras-summary", "--model", model).code());

        String line = run("summary", "sine-wave", "--model", model).oneLineError();
        assertTrue(line.contains("holds a keras-summary model, not sine-wave"), line);
    }

    @Test
    void anUnknownStyleListsTheStyles() {
        String line = run("summary", "keras-summary", "--style", "keras4").oneLineError();
        assertEquals("rnnlab: unknown summary style 'keras4'; styles: keras2.2, keras, keras3, dl4j", line);
    }

    @Test
    void badInputIsOneLine() {
        assertTrue(run("summary").oneLineError().contains("summary needs a TASK or --model FILE"));
        assertTrue(run("summary", "nosuchtask").oneLineError().contains("unknown task 'nosuchtask'"));
        assertTrue(run("summary", "--model", tmp.resolve("none.zip").toString()).oneLineError().contains("no model at"));
    }

    @Test
    void helpNamesTheStyles() {
        CommandLineRun run = run("summary", "--help");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("keras2.2") && run.out().contains("keras3") && run.out().contains("dl4j"),
                run.out());
        assertTrue(run("--help").out().contains("summary"));
    }
}
