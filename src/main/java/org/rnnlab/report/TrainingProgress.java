package org.rnnlab.report;

import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a training run on stderr: steps done, the latest loss, elapsed time and ETA. On a
 * terminal it is a live bar (the progressbar library); when stderr goes to a file or a CI log, a
 * plain line every few seconds and one at the end, each written once. A run that asked for no
 * progress prints nothing.
 */
public final class TrainingProgress implements AutoCloseable {
    private static final int WIDTH = 130;
    /** How often a log gets a line. */
    static final long LOG_EVERY_NANOS = 5_000_000_000L;

    private final ProgressBar bar;
    private final LogLines log;

    private TrainingProgress(ProgressBar bar, LogLines log) {
        this.bar = bar;
        this.log = log;
    }

    /**
     * @param label what is being trained, shown before the bar
     * @param total the number of steps (epochs or iterations)
     * @param unit  what a step is, e.g. "epochs"
     * @param show  false for no output at all
     */
    public static TrainingProgress start(String label, long total, String unit, boolean show) {
        if (!show) {
            return new TrainingProgress(null, null);
        }
        if (System.console() == null) {
            return new TrainingProgress(null, new LogLines(label, total, unit, System.err::println, System::nanoTime));
        }
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(label)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setMaxRenderedLength(WIDTH)
                .showSpeed()
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setUpdateIntervalMillis(200)
                .build();
        return new TrainingProgress(bar, null);
    }

    /** One more step done; {@code message} is the latest loss, e.g. "train 0.012 valid 0.013". */
    public void step(String message) {
        if (bar != null) {
            bar.step();
            bar.setExtraMessage("  " + message);
        } else if (log != null) {
            log.stepTo(log.current + 1, message);
        }
    }

    /** Progress now stands at {@code current} steps (for budgets counted in seconds, say). */
    public void stepTo(long current, String message) {
        if (bar != null) {
            bar.stepTo(current);
            bar.setExtraMessage("  " + message);
        } else if (log != null) {
            log.stepTo(current, message);
        }
    }

    /**
     * Prints text while the bar runs. A live bar redraws its own line, so text printed beside it
     * would lose its last line: the bar's line is wiped first and the bar redraws below the text.
     */
    public void interject(PrintStream out, String text) {
        if (bar != null) {
            System.err.print("\r" + " ".repeat(WIDTH) + "\r");
            System.err.flush();
        }
        out.print(text);
        out.flush();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        } else if (log != null) {
            log.close();
        }
    }

    /** For a log: "label: 28/60 epochs, 0:05 elapsed, about 0:05 left, train_mse 0.0095" every few seconds. */
    static final class LogLines {
        private final String label;
        private final long total;
        private final String unit;
        private final Consumer<String> sink;
        private final LongSupplier clock;
        private final long start;
        private long lastLine;
        private long current;
        private String message = "";
        private boolean changedSinceLine;

        LogLines(String label, long total, String unit, Consumer<String> sink, LongSupplier clock) {
            this.label = label;
            this.total = total;
            this.unit = unit;
            this.sink = sink;
            this.clock = clock;
            this.start = clock.getAsLong();
            this.lastLine = start;
        }

        void stepTo(long steps, String latest) {
            current = steps;
            message = latest;
            changedSinceLine = true;
            long now = clock.getAsLong();
            if (now - lastLine >= LOG_EVERY_NANOS) {
                print(now);
            }
        }

        /** The last state, unless the last line already showed it. */
        void close() {
            if (changedSinceLine) {
                print(clock.getAsLong());
            }
        }

        private void print(long now) {
            double elapsed = (now - start) / 1e9;
            String left = current > 0 && current < total
                    ? ", about " + clockTime(elapsed * (total - current) / current) + " left" : "";
            sink.accept(String.format(Locale.ROOT, "%s: %d/%d %s, %s elapsed%s%s", label, current, total, unit,
                    clockTime(elapsed), left, message.isBlank() ? "" : ", " + message.strip()));
            lastLine = now;
            changedSinceLine = false;
        }

        static String clockTime(double seconds) {
            long s = Math.round(seconds);
            return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                    : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
    }
}
