package org.rnnlab.tasks;

import java.awt.AWTError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.rnnlab.BadInputException;
import org.rnnlab.data.AtomicFile;
import org.rnnlab.data.FolderLock;
import org.rnnlab.data.Sha256;
import org.rnnlab.data.WritableFolder;
import org.rnnlab.layers.Nd4jThreads;
import org.rnnlab.nets.ModelInfo;
import org.rnnlab.nets.ModelStore;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;
import org.rnnlab.plots.Picture;
import org.rnnlab.plots.TrainingCharts;
import org.rnnlab.report.MetricsFile;
import org.rnnlab.report.TaskMetrics;

/**
 * What every task goes through around its own code: train, evaluate on held-out data, save the
 * zip and metrics.json, show the demo; and later load, evaluate again or predict.
 */
public final class TaskRunner {
    private static final int HISTORY_ROWS = 10;
    /**
     * The best model so far, saved beside model.zip while a task trains (char-rnn's held-out scoring);
     * removed once model.zip is saved, kept if the run is stopped.
     */
    public static final String CHECKPOINT = "checkpoint.zip";

    /**
     * The result of one training run.
     *
     * @param pictures the PNG charts written beside the model, with their captions; none with --no-plots
     */
    public record Outcome(String task, TaskMetrics metrics, double trainSeconds, Path modelFile,
            List<WrittenPicture> pictures) {
    }

    /** A chart written to a file, and what it shows. */
    public record WrittenPicture(Path file, String caption) {
    }

    private TaskRunner() {
    }

    /** Where a task's model.zip and metrics.json go unless the user says otherwise: models/TASK. */
    public static Path defaultModelDir(String task) {
        return Path.of("models", task);
    }

    /**
     * One run: the data read once and handed to training, evaluation and the demo; the model saved
     * with its metrics and charts.
     */
    public static <O extends Record> Outcome train(Task<O, ?> task, O options, TaskContext context, Path outDir)
            throws IOException {
        return trainOn(task, options, context, outDir);
    }

    private static <O extends Record, D> Outcome trainOn(Task<O, D> task, O options, TaskContext context, Path outDir)
            throws IOException {
        Nd4jThreads.configure(); // before the task's first op, whether started by the script, the jar or a main
        // Where the run writes, checked before it trains: a save that fails would lose the training
        WritableFolder.require(outDir, "--out");
        WritableFolder.require(context.dataRoot(), "--data-dir");
        PrintStream out = context.out();
        out.println("== " + task.name() + ": " + task.description());
        D data = task.data(options, context);
        Path checkpoint = outDir.resolve(CHECKPOINT);
        Training training = task.train(options, data, context.withCheckpoint(
                best -> ModelStore.save(checkpoint, best, ModelInfo.of(task.name(), options, best.state()))));
        printHistory(out, training.unit(), training.epochs(), training.history());
        TaskMetrics metrics = task.evaluate(training.model(), options, data, context);

        Path model = outDir.resolve("model.zip");
        saveTogether(outDir, training.model(), ModelInfo.of(task.name(), options, training.model().state()),
                MetricsFile.toJson(task.name(), training.seconds(), training.unit(), training.epochs(), metrics,
                        training.history()), out);
        java.nio.file.Files.deleteIfExists(checkpoint); // the final model holds at least what the checkpoint held

        List<WrittenPicture> pictures = context.drawPictures() ? drawPictures(task, options, training, outDir, out)
                : List.of();

        task.demo(training.model(), options, data, context);
        out.printf(Locale.ROOT, task.trains() ? "Trained in %.1f s. Held-out metrics:%n"
                : "Checked in %.1f s (a check: nothing is trained). Results:%n", training.seconds());
        out.print(metrics.format());
        out.println("Saved " + model + " and " + outDir.resolve("metrics.json"));
        if (!pictures.isEmpty()) {
            out.println("Pictures: " + pictures.stream().map(p -> p.file().toString()).collect(Collectors.joining(", ")));
        }
        return new Outcome(task.name(), metrics, training.seconds(), model, pictures);
    }

    /**
     * model.zip and metrics.json, written so that they always belong together: under the folder's
     * lock (two runs saving to one folder take turns), the old metrics.json goes before the new
     * model moves in, and the new metrics.json names the SHA-256 of the model it describes. A run
     * killed between the two leaves a model without metrics, never a new model beside old metrics.
     */
    static void saveTogether(Path outDir, TrainedNetwork model, ModelInfo info,
            com.fasterxml.jackson.databind.node.ObjectNode metrics, PrintStream notices) throws IOException {
        Path zip = outDir.resolve("model.zip");
        Path metricsFile = outDir.resolve("metrics.json");
        try (FolderLock lock = FolderLock.acquire(outDir, "the model", notices)) {
            byte[] oldMetrics = java.nio.file.Files.isRegularFile(metricsFile)
                    ? java.nio.file.Files.readAllBytes(metricsFile) : null;
            java.nio.file.Files.deleteIfExists(metricsFile);
            try {
                ModelStore.save(zip, model, info);
            } catch (IOException | RuntimeException e) {
                if (oldMetrics != null) { // the old model stayed: so do its metrics
                    AtomicFile.write(metricsFile, o -> o.write(oldMetrics));
                }
                throw e;
            }
            metrics.put("model_sha256", Sha256.of(zip));
            MetricsFile.write(metricsFile, metrics);
        }
    }

    /** Every chart of one run: its curves, what the training loop drew, and the task's charts of the trained network. */
    static <O extends Record> List<Picture> pictures(Task<O, ?> task, O options, Training training) {
        List<Picture> pictures = new ArrayList<>(TrainingCharts.of(task.name(), training.unit(), training.history()));
        pictures.addAll(training.pictures());
        pictures.addAll(task.pictures(training.model(), options));
        return pictures;
    }

    /**
     * Draws and writes the pictures it can. A picture that cannot be drawn or written (no fonts in a
     * minimal JRE, a full disk) is reported in one line and never fails the run: the model and
     * metrics.json are already saved.
     */
    private static <O extends Record> List<WrittenPicture> drawPictures(Task<O, ?> task, O options, Training training,
            Path outDir, PrintStream out) {
        List<WrittenPicture> written = new ArrayList<>();
        try {
            for (Picture picture : pictures(task, options, training)) {
                try {
                    written.add(new WrittenPicture(picture.writeTo(outDir), picture.caption()));
                } catch (IOException | RuntimeException | LinkageError | AWTError e) {
                    out.println("rnnlab: could not draw " + outDir.resolve(picture.fileName()) + ": " + e);
                }
            }
        } catch (RuntimeException | LinkageError | AWTError e) {
            out.println("rnnlab: could not draw the pictures of " + task.name() + ": " + e);
        }
        return written;
    }

    /** Loads a model of this task and evaluates it as training did. */
    public static <O extends Record> TaskMetrics evaluate(Task<O, ?> task, Path modelFile, TaskContext context)
            throws IOException {
        return evaluateOn(task, task.load(modelFile), context);
    }

    private static <O extends Record, D> TaskMetrics evaluateOn(Task<O, D> task, ModelStore.StoredModel stored,
            TaskContext context) throws IOException {
        O options = stored.info().options(task.optionsType());
        return task.evaluate(stored.model(), options, task.data(options, stored.model(), context), context);
    }

    public static <O extends Record> String predict(Task<O, ?> task, Path modelFile, String input) {
        ModelStore.StoredModel model = task.load(modelFile);
        return task.predict(model.model(), model.info().options(task.optionsType()), input);
    }

    /** One prediction for each input, the model loaded once; a bad input is named by its line of {@code source}. */
    public static <O extends Record> List<String> predictAll(Task<O, ?> task, Path modelFile, List<String> inputs,
            String source) {
        ModelStore.StoredModel model = task.load(modelFile);
        O options = model.info().options(task.optionsType());
        List<String> predictions = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            try {
                predictions.add(task.predict(model.model(), options, inputs.get(i)));
            } catch (BadInputException e) {
                throw new BadInputException(source + ", input " + (i + 1) + " ('" + inputs.get(i) + "'): "
                        + e.getMessage());
            }
        }
        return predictions;
    }


    /**
     * About ten rows of the per-epoch curves: the first epoch, evenly spaced ones, and the last,
     * numbered so that the last row is {@code lastEpoch}.
     */
    static void printHistory(PrintStream out, String unit, int lastEpoch, Map<String, List<Double>> history) {
        if (history.isEmpty()) {
            return;
        }
        int epochs = history.values().iterator().next().size();
        // A resumed run's curves cover its own epochs only; they are numbered as the whole run counts them.
        int before = Math.max(0, lastEpoch - epochs);
        // Curves of another length (scored now and then, not every epoch) are not per-epoch rows
        Map<String, List<Double>> rows = new java.util.LinkedHashMap<>();
        history.forEach((name, curve) -> {
            if (curve.size() == epochs) {
                rows.put(name, curve);
            }
        });
        // "epochs" -> "epoch", "iterations" -> "iteration"
        String column = unit.endsWith("s") ? unit.substring(0, unit.length() - 1) : unit;
        StringBuilder header = new StringBuilder(String.format("%10s", column));
        rows.keySet().forEach(name -> header.append(String.format("  %16s", name)));
        out.println(header);
        int every = Math.max(1, epochs / HISTORY_ROWS);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            if (epoch == 1 || epoch % every == 0 || epoch == epochs) {
                StringBuilder row = new StringBuilder(String.format("%10d", before + epoch));
                for (List<Double> curve : rows.values()) {
                    row.append(String.format("  %16s", TaskMetrics.number(curve.get(epoch - 1))));
                }
                out.println(row);
            }
        }
    }
}
