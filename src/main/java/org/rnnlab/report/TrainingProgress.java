package org.rnnlab.report;

import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a training run on stderr: steps done, the latest loss, elapsed time and ETA. On a
 * terminal it is a live bar; when stderr goes to a file or a CI log, a plain line every few
 * seconds. A run that asked for no progress prints nothing.
 */
public final class TrainingProgress implements AutoCloseable {
    private static final int WIDTH = 130;
    private final ProgressBar bar;
    private final boolean live;

    private TrainingProgress(ProgressBar bar, boolean live) {
        this.bar = bar;
        this.live = live;
    }

    /**
     * @param label what is being trained, shown before the bar
     * @param total the number of steps (epochs or iterations)
     * @param unit  what a step is, e.g. "epochs"
     * @param show  false for no output at all
     */
    public static TrainingProgress start(String label, long total, String unit, boolean show) {
        if (!show) {
            return new TrainingProgress(null, false);
        }
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(label)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setMaxRenderedLength(WIDTH)
                .showSpeed()
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setUpdateIntervalMillis(200);
        boolean live = System.console() != null;
        if (!live) {
            builder.setConsumer(new DelegatingProgressBarConsumer(System.err::println, WIDTH)).setUpdateIntervalMillis(5000);
        }
        return new TrainingProgress(builder.build(), live);
    }

    /** One more step done; {@code message} is the latest loss, e.g. "train 0.012 valid 0.013". */
    public void step(String message) {
        if (bar != null) {
            bar.step();
            bar.setExtraMessage("  " + message);
        }
    }

    /** Progress now stands at {@code current} steps (for budgets counted in seconds, say). */
    public void stepTo(long current, String message) {
        if (bar != null) {
            bar.stepTo(current);
            bar.setExtraMessage("  " + message);
        }
    }

    /**
     * Prints text while the bar runs. A live bar redraws its own line, so text printed beside it
     * would lose its last line: the bar's line is wiped first and the bar redraws below the text.
     */
    public void interject(PrintStream out, String text) {
        if (live) {
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
        }
    }
}
