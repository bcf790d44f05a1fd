package org.rnnlab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Figures that need a fresh JVM: start-up time and the peak memory of a training run. */
public final class ProcessMeasurements {
    private ProcessMeasurements() {
    }

    /** Milliseconds from a JVM's start to ND4J's first result, over {@code repeats} fresh JVMs. */
    public static Measurement startup(int repeats) throws IOException, InterruptedException {
        List<Double> values = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            ChildJvm.Result result = ChildJvm.run(StartupProbe.class.getName(), List.of());
            if (result.exitCode() != 0) {
                throw new IllegalStateException("the start-up probe failed:\n" + result.output());
            }
            String[] lines = result.output().strip().split("\n");
            values.add(Double.parseDouble(lines[lines.length - 1].strip()));
        }
        return Measurement.of("startup_jvm_and_nd4j", "ms", "fresh JVM to ND4J's first result", values);
    }

    /** Peak resident memory (VmHWM) of {@code rnnlab train char-rnn} with a training budget of {@code seconds}. */
    public static Measurement trainPeakMemory(Path dataDir, double seconds) throws IOException, InterruptedException {
        Path out = Files.createTempDirectory("rnnlab-bench-model");
        ChildJvm.Result result = ChildJvm.run("org.rnnlab.cli.Main", List.of("--no-progress", "--data-dir",
                dataDir.toString(), "train", "char-rnn", "--seconds", String.format(Locale.ROOT, "%s", seconds),
                "--sample-every", "0", "--out", out.toString()));
        if (result.exitCode() > 1) { // 1 is a missed floor: a short budget may well miss it
            throw new IllegalStateException("train char-rnn failed:\n" + result.output());
        }
        if (result.peakResidentKb() < 0) {
            throw new IllegalStateException("peak memory needs Linux's /proc/PID/status");
        }
        return Measurement.of("train_char_rnn_peak_rss", "MiB", String.format(Locale.ROOT,
                "train char-rnn --seconds %s, one JVM (%.0f s wall)", seconds, result.wallSeconds()),
                List.of(result.peakResidentKb() / 1024.0));
    }
}
