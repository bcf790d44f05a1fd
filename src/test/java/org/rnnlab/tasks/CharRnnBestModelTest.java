package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.data.Json;
import org.rnnlab.data.TextCorpus;
import org.rnnlab.inference.Sampling;
import org.rnnlab.inference.StepNetwork;
import org.rnnlab.inference.TextLoss;
import org.rnnlab.nets.Optimizer;
import org.rnnlab.nets.Training;
import org.rnnlab.plots.HeldOutCurve;
import org.rnnlab.report.TaskMetrics;

/**
 * Held-out scoring while char-rnn trains: on text whose held-out part cannot be learnt from the
 * rest (random letters), a large network at a high rate first learns the letter frequencies, then
 * memorises noise and gets worse on held-out text; the saved model must be the earlier, better one.
 */
class CharRnnBestModelTest {
    @TempDir
    Path dir;

    private static final CharRnnTask TASK = new CharRnnTask();

    private Path randomLetters() throws IOException {
        Random random = new Random(5);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 24_000; i++) {
            text.append((char) ('a' + (random.nextInt(3) == 0 ? random.nextInt(2) : random.nextInt(12))));
        }
        return Files.writeString(dir.resolve("letters.txt"), text);
    }

    private TaskContext context() {
        return new TaskContext(dir.resolve("data"), new PrintStream(OutputStream.nullOutputStream()), false, false,
                List.of());
    }

    @Test
    void aRunWhoseHeldOutLossRisesLateSavesTheEarlierBetterModel() throws IOException {
        // 96 units on 12 letters at Adam 0.02: overfits within a few hundred chunks; scored after every chunk
        CharRnnTask.Options options = new CharRnnTask.Options(randomLetters().toString(), new int[] {96}, 1, 16, 4, 0.02,
                Optimizer.ADAM, 1, 0, 0, 400, 600, 1e-9, 0, 0, 0, 3, "", null, 1);
        Path out = dir.resolve("model");
        TaskRunner.Outcome outcome = TaskRunner.train(TASK, options, context(), out);

        JsonNode metrics = Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
        List<Double> curve = new ArrayList<>();
        metrics.path("history").path(HeldOutCurve.HELD_OUT).forEach(v -> curve.add(v.asDouble()));
        assertEquals(401, curve.size(), "one score per chunk and one at the end");
        double best = Collections.min(curve);
        int bestIndex = curve.indexOf(best);
        double last = curve.get(curve.size() - 1);
        assertTrue(last > best + 0.05, "the curve must rise late for this test to mean anything: best " + best
                + ", last " + last);

        TaskMetrics reloaded = TaskRunner.evaluate(TASK, out.resolve("model.zip"), context());
        assertEquals(best, reloaded.get("held_out_loss_per_char"), 1e-4, "the zip holds the best model");
        assertEquals(best, outcome.metrics().get("held_out_loss_per_char"), 1e-4);
        double bestIteration = metrics.path("history").path(HeldOutCurve.ITERATION).get(bestIndex).asDouble();
        assertEquals(bestIteration, metrics.path("best_at_iteration").asDouble());
        assertEquals(400, metrics.path("trained_iterations").asDouble());
        assertTrue(metrics.path("best_at_seconds").asDouble() > 0);
        assertFalse(Files.exists(out.resolve(TaskRunner.CHECKPOINT)), "the checkpoint is gone once model.zip is saved");
    }

    @Test
    void patienceStopsTheRunEarlyAndTheStepNetworkScoreIsDl4jsScore() throws IOException {
        Path corpusFile = randomLetters();
        CharRnnTask.Options options = new CharRnnTask.Options(corpusFile.toString(), new int[] {96}, 1, 16, 4, 0.02,
                Optimizer.ADAM, 1, 0, 0, 2000, 600, 1e-9, 0, 20, 0, 3, "", null, 1);
        Path out = dir.resolve("model");
        TaskRunner.train(TASK, options, context(), out);
        JsonNode metrics = Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
        assertTrue(metrics.path("trained_iterations").asInt() < 2000, "stopped early");
        assertEquals(metrics.path("trained_iterations").asInt() - metrics.path("best_at_iteration").asInt(), 20,
                "twenty scores without improvement, one per chunk");

        // the held-out score training takes (StepNetwork) is DL4J's output() score
        MultiLayerNetwork network = org.rnnlab.nets.ModelStore.load(out.resolve("model.zip")).model().network();
        List<int[]> blocks = TextCorpus.read(corpusFile, 17).heldOutBlocks();
        assertEquals(CharRnnTask.outputLoss(network, blocks, (int) network.layerInputSize(0)),
                TextLoss.natsPerCharacter(StepNetwork.of(network), blocks), 1e-5);
    }

    @Test
    void theSeedPresetIsTheSeedsOwnRecipe() {
        CharRnnTask.Options seed = TASK.presets().get("seed");
        // min-char-rnn.py: hidden_size = 100, seq_length = 25, learning_rate = 1e-1, one stream, Adagrad
        assertArrayEquals(new int[] {100}, seed.hidden());
        assertEquals(1, seed.depth());
        assertEquals(25, seed.seqLength());
        assertEquals(1, seed.batchSize());
        assertEquals(0.1, seed.learningRate());
        assertEquals(Optimizer.ADAGRAD, seed.optimizer());
        assertEquals(1, seed.finalRateShare(), "a constant rate");
        assertEquals(0, seed.evalEvery(), "no held-out scoring, so the last model is the one saved");
        assertEquals(org.nd4j.linalg.learning.config.AdaGrad.class,
                ((org.deeplearning4j.nn.conf.layers.BaseLayer) CharRnnTask.network(seed, 80).getConf(0).getLayer())
                        .getIUpdater().getClass());
    }

    @Test
    void theRateFallsGeometricallyToItsFinalShareOverTheRun() {
        CharRnnTask.Options d = TASK.defaultOptions();
        assertEquals(d.learningRate(), d.rateAt(0), 1e-15);
        assertEquals(d.learningRate() * d.finalRateShare(), d.rateAt(1), 1e-15);
        assertEquals(d.learningRate() * Math.sqrt(d.finalRateShare()), d.rateAt(0.5), 1e-15, "halfway: the geometric mean");
        assertEquals(d.rateAt(1), d.rateAt(3), 1e-15, "past the end it stays at the final rate");
        CharRnnTask.Options seed = TASK.seedOptions();
        assertEquals(0.1, seed.rateAt(0.7), 1e-15, "the seed's rate is constant");
    }

    @Test
    void topKAndGreedySamplesRepeatForTheSameSeed() throws IOException {
        CharRnnTask.Options options = new CharRnnTask.Options(randomLetters().toString(), new int[] {16}, 1, 16, 4, 0.02,
                Optimizer.ADAM, 1, 0, 0, 20, 600, 0, 0, 0, 0, 3, "", null, 1);
        Training trained = TASK.train(options, context());
        MultiLayerNetwork network = trained.model().network();
        org.rnnlab.data.Vocabulary vocabulary = org.rnnlab.data.Vocabulary.fromString(
                trained.model().state().path("vocabulary").asText());
        Sampling top3 = new Sampling(0.8, 3, false);
        String a = CharRnnTask.sample(network, vocabulary, "abc", 200, top3, new Random(9));
        assertEquals(a, CharRnnTask.sample(network, vocabulary, "abc", 200, top3, new Random(9)));
        String greedy = CharRnnTask.sample(network, vocabulary, "abc", 200, Sampling.greedily(), new Random(1));
        assertEquals(greedy, CharRnnTask.sample(network, vocabulary, "abc", 200, Sampling.greedily(), new Random(2)),
                "greedy text does not depend on the seed");
        assertEquals(greedy, CharRnnTask.sample(network, vocabulary, "abc", 200, Sampling.greedily(), new Random(1),
                org.rnnlab.inference.Stepping.DL4J), "StepNetwork and DL4J's rnnTimeStep agree");
    }
}
