package org.rnnlab.plots;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rnnlab.data.BinarySumData.Split;
import org.rnnlab.data.BinarySumData.Target;
import org.rnnlab.nets.ModelStore;
import org.rnnlab.tasks.EpochTraining;
import org.rnnlab.tasks.BinarySumTask;
import org.rnnlab.nets.Optimizer;
import org.rnnlab.tasks.CharRnnTask;
import org.rnnlab.tasks.SineWaveTask;
import org.rnnlab.tasks.TaskContext;
import org.rnnlab.tasks.TaskRunner;

/** The PNG charts a training run writes beside its model, drawn headless. */
class PicturesTest {
    @TempDir
    Path dir;

    private TaskContext context(boolean drawPictures) {
        return new TaskContext(dir.resolve("data"), new PrintStream(OutputStream.nullOutputStream()), false,
                drawPictures, List.of());
    }

    private static List<String> pngs(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).sorted().toList();
        }
    }

    @Test
    void binarySumHeatMapsShowTheSavedWeights() throws IOException {
        BinarySumTask task = new BinarySumTask();
        BinarySumTask.Options options = new BinarySumTask.Options(new EpochTraining(3, 7, 0.01, 32, null), Target.SUM, new int[] {6, 4}, true, Split.PATTERNS);
        Path out = dir.resolve("binary-sum");
        TaskRunner.Outcome outcome = TaskRunner.train(task, options, context(true), out);

        assertEquals(List.of("accuracy.png", "loss.png", "weights-layer0-rw.png", "weights-layer0-w.png",
                "weights-layer1-rw.png", "weights-layer1-w.png"), pngs(out));
        assertEquals(6, outcome.pictures().size());
        for (TaskRunner.WrittenPicture picture : outcome.pictures()) {
            PngFiles.assertPicture(picture.file());
        }

        // Redrawn from the saved zip, each heat map's colour bar spans its matrix's values and it is the
        // same picture, pixel for pixel, as the one written after training.
        MultiLayerNetwork saved = ModelStore.load(out.resolve("model.zip")).model().network();
        List<Picture> redrawn = WeightHeatMap.ofRecurrentLayers(task.name(), saved);
        assertEquals(4, redrawn.size());
        for (Picture picture : redrawn) {
            String[] parts = picture.fileName().replace(".png", "").split("-"); // weights, layerN, w|rw
            Layer layer = saved.getLayer(Integer.parseInt(parts[1].substring("layer".length())));
            INDArray weights = layer.getParam(parts[2].toUpperCase(java.util.Locale.ROOT));
            HeatMapChart chart = (HeatMapChart) picture.chart();
            // Centred on zero (white), reaching just past the largest |weight|, its ends short numbers.
            double largest = Math.max(Math.abs(weights.minNumber().doubleValue()), weights.maxNumber().doubleValue());
            assertEquals(-chart.getStyler().getMax(), chart.getStyler().getMin(), 0.0, picture.fileName());
            assertTrue(chart.getStyler().getMax() >= largest && chart.getStyler().getMax() <= 1.1 * largest,
                    chart.getStyler().getMax() + " for weights up to " + largest);
            assertTrue(Double.toString(chart.getStyler().getMax()).length() <= 6,
                    "two significant digits on the colour bar: " + chart.getStyler().getMax());
            assertEquals(weights.length(), chart.getHeatMapSeries().getHeatData().size(), "one cell per weight");

            BufferedImage written = PngFiles.assertPicture(out.resolve(picture.fileName()));
            Path again = picture.writeTo(dir.resolve("redrawn"));
            BufferedImage fromZip = PngFiles.assertPicture(again);
            assertArrayEquals(pixels(written), pixels(fromZip), picture.fileName() + " drawn from the saved weights");
        }
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    @Test
    void sineWaveDrawsHeldOutPredictionsAfterTheChosenEpochsAndTheLast() throws IOException {
        SineWaveTask task = new SineWaveTask();
        SineWaveTask.Options d = task.defaultOptions();
        SineWaveTask.Options options = new SineWaveTask.Options(new EpochTraining(10, d.training().seed(), d.training().learningRate(), d.training().batchSize(), null), d.hidden(), new int[] {9, 6, 40});
        Path out = dir.resolve("sine-wave");
        TaskRunner.train(task, options, context(true), out);
        assertEquals(List.of("loss.png", "predictions-epoch-10.png", "predictions-epoch-6.png",
                "predictions-epoch-9.png"), pngs(out), "epoch 40 is past the run's end");
        for (String png : pngs(out)) {
            PngFiles.assertPicture(out.resolve(png));
        }
    }

    @Test
    void charRnnDrawsItsSmoothLossAgainstIterations() throws IOException {
        Path corpus = Files.writeString(dir.resolve("text.txt"),
                String.join(" ", Collections.nCopies(450, "the quick brown fox jumps over the lazy dog.")));
        CharRnnTask task = new CharRnnTask();
        CharRnnTask.Options options = new CharRnnTask.Options(corpus.toString(), new int[] {16}, 1, 16, 4, 0.1, Optimizer.ADAGRAD, 1, 0, 0, 40, 600, 0, 0, 0, 0, 3, "",
                null, 0);
        Path out = dir.resolve("char-rnn");
        TaskRunner.Outcome outcome = TaskRunner.train(task, options, context(true), out);
        assertEquals(List.of("loss.png"), pngs(out));
        PngFiles.assertPicture(out.resolve("loss.png"));
        assertTrue(outcome.pictures().get(0).caption().contains("smooth_loss_per_chunk")
                && outcome.pictures().get(0).caption().contains("iteration"), outcome.pictures().get(0).caption());
    }

    @Test
    void charRnnDrawsItsHeldOutCurveAgainstTimeAndIterations() throws IOException {
        Path corpus = Files.writeString(dir.resolve("text.txt"),
                String.join(" ", Collections.nCopies(450, "the quick brown fox jumps over the lazy dog.")));
        CharRnnTask task = new CharRnnTask();
        // scored after every iteration
        CharRnnTask.Options options = new CharRnnTask.Options(corpus.toString(), new int[] {16}, 1, 16, 4, 0.01, Optimizer.ADAM, 1, 0, 0, 30,
                600, 1e-9, 0, 0, 0, 3, "", null, 0);
        Path out = dir.resolve("char-rnn");
        TaskRunner.train(task, options, context(true), out);
        assertEquals(List.of("held-out-by-iteration.png", "held-out-by-time.png", "loss.png"), pngs(out));
        PngFiles.assertPicture(out.resolve("held-out-by-time.png"));
        PngFiles.assertPicture(out.resolve("held-out-by-iteration.png"));
    }

    @Test
    void noPicturesWhenTurnedOff() throws IOException {
        SineWaveTask task = new SineWaveTask();
        SineWaveTask.Options d = task.defaultOptions();
        Path out = dir.resolve("quiet");
        TaskRunner.Outcome outcome = TaskRunner.train(task, new SineWaveTask.Options(new EpochTraining(7, d.training().seed(), d.training().learningRate(), d.training().batchSize(), null), d.hidden(), null), context(false), out);
        assertEquals(List.of(), outcome.pictures());
        assertEquals(List.of(), pngs(out));
        assertTrue(Files.exists(out.resolve("model.zip")));
    }

    @Test
    void longCurvesAreThinnedAndSharesGetTheirOwnChart() {
        List<Double> loss = new ArrayList<>();
        List<Double> accuracy = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            loss.add(5.0 / (1 + i));
            accuracy.add(i / 10_000.0);
        }
        List<Picture> pictures = TrainingCharts.of("t", "iterations", Map.of("smooth_loss", loss,
                "train_accuracy", accuracy));
        assertEquals(List.of("loss.png", "accuracy.png"), pictures.stream().map(Picture::fileName).toList());
        XYChart chart = (XYChart) pictures.get(0).chart();
        assertEquals(TrainingCharts.MAX_POINTS, chart.getSeriesMap().get("smooth_loss").getXData().length);
        assertTrue(chart.getStyler().isYAxisLogarithmic(), "4 decades of loss on a logarithmic axis");
        assertEquals(List.of(), TrainingCharts.of("t", "epochs", Map.of()));
    }
}
