package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnnlab.cli.CommandLineRun.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output and data locations that cannot be used are bad input, found before any training (issue 18, item 2). */
class OutputLocationTest {
    @TempDir
    Path dir;

    /** A long run, so that a check made only at save time would show as a slow failure. */
    private CommandLineRun train(String... locations) {
        String[] args = {"--no-progress", "train", "sine-wave", "--epochs", "5000", "--no-plots"};
        String[] all = java.util.Arrays.copyOf(args, args.length + locations.length);
        System.arraycopy(locations, 0, all, args.length, locations.length);
        return run(all);
    }

    @Test
    void everyUnusableOutIsOneLineBeforeTraining() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a folder");
        String data = dir.resolve("data").toString();
        for (String[] out : new String[][] {{file.toString(), "is a file, not a folder"},
                {"/proc/rnnlab-out", "under /proc"}, {"/dev/null", "under /dev"}, {"", "--out is empty"},
                {file.resolve("below").toString(), "cannot write to --out"}}) {
            long start = System.nanoTime();
            CommandLineRun result = train("--data-dir", data, "--out", out[0]);
            String line = result.oneLineError();
            assertTrue(line.contains(out[1]), out[0] + ": " + line);
            assertTrue((System.nanoTime() - start) / 1e9 < 20, "refused before 5000 epochs of training: " + out[0]);
            assertFalse(result.out().contains("Trained in"), result.out());
        }
        assertTrue(Files.readString(file).equals("not a folder"), "nothing changed");
    }

    @Test
    void aDataDirThatIsAFileIsBadInputToo() throws IOException {
        Path file = Files.writeString(dir.resolve("data-file"), "x");
        String line = train("--data-dir", file.toString(), "--out", dir.resolve("out").toString()).oneLineError();
        assertTrue(line.contains("--data-dir " + file + " is a file, not a folder"), line);
    }
}
