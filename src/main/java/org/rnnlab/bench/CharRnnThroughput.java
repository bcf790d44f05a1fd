package org.rnnlab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.rnnlab.data.CharChunks;
import org.rnnlab.data.Vocabulary;
import org.rnnlab.inference.Stepping;
import org.rnnlab.layers.Cell;
import org.rnnlab.layers.LayerImplementation;
import org.rnnlab.nets.ChunkTrainer;
import org.rnnlab.tasks.CharRnnTask;

/**
 * Characters per second of char-rnn training and sampling at the seed's sizes (hidden 100, chunks
 * of 25) with one recurrent cell, on a given text: the same loop as {@code train char-rnn}, chunk
 * after chunk with the state carried, timed after a warm-up.
 */
public final class CharRnnThroughput {
    private final int[] text;
    private final Vocabulary vocabulary;
    private final Cell cell;

    public CharRnnThroughput(int[] text, Vocabulary vocabulary) {
        this(text, vocabulary, Cell.SIMPLE);
    }

    private CharRnnThroughput(int[] text, Vocabulary vocabulary, Cell cell) {
        this.text = text;
        this.vocabulary = vocabulary;
        this.cell = cell;
    }

    /** The same text, measured with another cell. */
    public CharRnnThroughput withCell(Cell other) {
        return new CharRnnThroughput(text, vocabulary, other);
    }

    /** A random text of {@code length} characters over {@code symbols} symbols, for machines without kafka.txt. */
    public static CharRnnThroughput synthetic(int length, int symbols, long seed) {
        StringBuilder alphabet = new StringBuilder();
        for (int i = 0; i < symbols; i++) {
            alphabet.append((char) ('!' + i));
        }
        Vocabulary vocabulary = Vocabulary.of(alphabet.toString());
        Random random = new Random(seed);
        int[] text = new int[length];
        for (int i = 0; i < length; i++) {
            text[i] = random.nextInt(symbols);
        }
        return new CharRnnThroughput(text, vocabulary);
    }

    private MultiLayerNetwork network(LayerImplementation implementation, int batch) {
        CharRnnTask.Options options = new CharRnnTask().defaultOptions().withCell(cell).withStreams(batch, implementation);
        MultiLayerNetwork network = new MultiLayerNetwork(CharRnnTask.network(options, vocabulary.size()));
        network.init();
        return network;
    }

    /**
     * Training characters per second, one value per run of about {@code seconds} each after a
     * warm-up, with the trainer {@code train char-rnn} uses for these layers and thread count.
     */
    public List<Double> training(LayerImplementation implementation, int batch, int threads, int runs, double seconds) {
        int steps = new CharRnnTask().defaultOptions().seqLength();
        MultiLayerNetwork network = network(implementation, batch);
        CharChunks chunks = new CharChunks(text, vocabulary.size(), batch, steps);
        try (ChunkTrainer trainer = CharRnnTask.trainer(network, implementation, threads)) {
            return training(trainer, chunks, batch * steps, runs, seconds);
        }
    }

    private static List<Double> training(ChunkTrainer trainer, CharChunks chunks, int charactersPerStep, int runs,
            double seconds) {
        int[] next = {0};
        Runnable step = () -> {
            if (next[0] == chunks.chunksPerPass()) {
                next[0] = 0;
                trainer.resetState();
            }
            DataSet data = chunks.chunk(next[0]++);
            trainer.step(data.getFeatures(), data.getLabels());
        };
        timed(step, Math.max(seconds / 2, 0.5)); // warm-up: JIT, buffers, workspaces
        List<Double> values = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            double[] result = timed(step, seconds);
            values.add(result[0] * charactersPerStep / result[1]);
        }
        return values;
    }

    /**
     * Sampling characters per second: the network's own predictions fed back one character at a
     * time, each step computed as {@code stepping} says (a StepNetwork, or DL4J's rnnTimeStep).
     */
    public List<Double> sampling(LayerImplementation implementation, Stepping stepping, int runs, int length) {
        MultiLayerNetwork network = network(implementation, 1);
        CharRnnTask.sample(network, vocabulary, "", length / 4, 1.0, new Random(1), stepping); // warm-up
        List<Double> values = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            long start = System.nanoTime();
            CharRnnTask.sample(network, vocabulary, "", length, 1.0, new Random(r), stepping);
            values.add(length / ((System.nanoTime() - start) / 1e9));
        }
        return values;
    }

    /** Runs {@code step} until {@code seconds} have passed; returns {iterations, elapsed seconds}. */
    private static double[] timed(Runnable step, double seconds) {
        long start = System.nanoTime();
        long iterations = 0;
        double elapsed;
        do {
            step.run();
            iterations++;
            elapsed = (System.nanoTime() - start) / 1e9;
        } while (elapsed < seconds);
        return new double[] {iterations, elapsed};
    }
}
