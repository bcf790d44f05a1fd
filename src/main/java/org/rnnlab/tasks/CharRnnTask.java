package org.rnnlab.tasks;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.BadInputException;
import org.rnnlab.data.AtomicFile;
import org.rnnlab.data.CharChunks;
import org.rnnlab.data.Json;
import org.rnnlab.data.TextCorpus;
import org.rnnlab.data.Vocabulary;
import org.rnnlab.inference.StepNetwork;
import org.rnnlab.inference.Stepping;
import org.rnnlab.layers.LayerImplementation;
import org.rnnlab.nets.CarriedStateTrainer;
import org.rnnlab.nets.ChunkTrainer;
import org.rnnlab.nets.ModelStore;
import org.rnnlab.nets.StreamSplitTrainer;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.report.QualityFloor;
import org.rnnlab.report.TaskMetrics;
import org.rnnlab.report.TrainingProgress;

/**
 * Seed 002's second half, min-char-rnn: a character-level language model. One tanh recurrent
 * layer of 100 units reads a text one character at a time and predicts the next through a softmax
 * over the vocabulary, trained on chunks of 25 characters with Adagrad (rate 0.1), gradients clipped
 * element-wise at 5, weights drawn from N(0, 0.01^2). The hidden state carries on from one chunk to
 * the next, as the seed's {@code hprev} does; unlike the seed, {@code --batch} streams read
 * different parts of the text side by side, which DL4J turns into one matrix product per step.
 */
public final class CharRnnTask implements Task<CharRnnTask.Options> {
    static final String KAFKA = "kafka.txt";
    static final String OWN_SOURCES = "rnnlab-sources.txt";
    static final int SAMPLE_LENGTH = 200;
    /** Distinct characters in kafka.txt: the vocabulary of the network before any corpus is read. */
    static final int KAFKA_CHARACTERS = 80;
    /** Kafka's floor (issue 5); other corpora must get below this share of ln(V), a uniform guess. */
    static final double KAFKA_FLOOR = 2.0;
    static final double UNIFORM_SHARE_FLOOR = 0.5;
    /**
     * Fewest streams worth a thread of their own: a part repeats each step's fixed costs, so small
     * parts gain less than they cost (measured in docs/benchmarks.md).
     */
    static final int STREAMS_PER_THREAD = 16;

    /** Options of {@code rnnlab train char-rnn}. */
    public record Options(
            @Doc("UTF-8 text to learn; empty: DATA_DIR/kafka.txt if present, else rnnlab's own Java sources") String corpus,
            @Doc("units per tanh SimpleRnn layer") int hidden,
            @Doc("stacked recurrent layers") int layers,
            @Doc("characters per chunk: truncated BPTT length") int seqLength,
            @Doc("parallel streams through the text (the minibatch)") int batch,
            @Doc("Adagrad learning rate") double learningRate,
            @Doc("stop after this many chunks per stream; 0: only --seconds limits") int iterations,
            @Doc("stop after this many seconds of training") double seconds,
            @Doc("print the smooth loss and a sample every N iterations; 0: never") int sampleEvery,
            @Doc("seed of the weights, the sampling and everything else random") long seed,
            @Doc("continue training this char-rnn model zip (its network, updater state and vocabulary)") String resume,
            @Doc("FAST: rnnlab's time-major layers; DL4J: DL4J's own SimpleRnn and RnnOutputLayer (same maths, same zip)")
            LayerImplementation implementation,
            @Doc("training threads, each with its share of the streams; 0: one per core, at most one per "
                    + STREAMS_PER_THREAD + " streams (FAST only)") int threads) {

        public Options {
            corpus = corpus == null ? "" : corpus;
            resume = resume == null ? "" : resume;
            implementation = implementation == null ? LayerImplementation.FAST : implementation;
            OptionCheck.inRange("--hidden", hidden, 1, 4096);
            OptionCheck.inRange("--layers", layers, 1, 8);
            OptionCheck.inRange("--seq-length", seqLength, 1, 10_000);
            OptionCheck.inRange("--batch", batch, 1, 4096);
            OptionCheck.inRange("--learning-rate", learningRate, 0, 10);
            OptionCheck.inRange("--iterations", iterations, 0, 100_000_000);
            OptionCheck.inRange("--seconds", seconds, 0, 7 * 24 * 3600);
            OptionCheck.inRange("--sample-every", sampleEvery, 0, 100_000_000);
            OptionCheck.inRange("--threads", threads, 0, 256);
        }

        /** The threads training uses: --threads (at most one per stream), else one per core and per 16 streams. */
        public int trainingThreads() {
            if (implementation == LayerImplementation.DL4J) {
                return 1; // DL4J's own step, as DL4J runs it
            }
            return Math.min(threads > 0 ? threads : automaticThreads(batch), batch);
        }
    }

    @Override
    public String name() {
        return "char-rnn";
    }

    @Override
    public String description() {
        return "seed 002: a character-level language model (tanh SimpleRnn 100, softmax), with sampling";
    }

    @Override
    public Class<Options> optionsType() {
        return Options.class;
    }

    @Override
    public Options defaultOptions() {
        // 96 streams: measured on kafka.txt in 165 s, batch 64, 96 and 128 reached held-out 1.82, 1.78
        // and 1.91 nats per character (batch 32 reached 2.16 in 60 s, where batch 64 reached 1.85).
        return new Options("", 100, 1, 25, 96, 0.1, 0, 165, 1000, 42, "", LayerImplementation.FAST, 0);
    }

    @Override
    public Options quickOptions() {
        Options d = defaultOptions();
        return new Options(d.corpus(), d.hidden(), d.layers(), d.seqLength(), d.batch(), d.learningRate(), 0, 5,
                d.sampleEvery(), d.seed(), d.resume(), d.implementation(), d.threads());
    }

    // ---- Data: the corpus (read through DataVec), its vocabulary, training text and held-out blocks

    /** The corpus file to use: --corpus, else DATA_DIR/kafka.txt, else rnnlab's own sources written to a file. */
    Path corpusFile(Options options, TaskContext context) throws IOException {
        if (!options.corpus().isEmpty()) {
            return Path.of(options.corpus());
        }
        Path kafka = context.dataRoot().resolve(KAFKA);
        if (Files.isRegularFile(kafka)) {
            return kafka;
        }
        Path sources = sourcesDirectory();
        if (sources == null) {
            throw new BadInputException("no corpus: give --corpus FILE, or copy the seed's corpus to " + kafka
                    + " (cp ../shared/data/kafka.txt " + kafka + ")");
        }
        Path file = context.dataDir(this).resolve(OWN_SOURCES);
        List<Path> javaFiles;
        try (Stream<Path> walk = Files.walk(sources)) {
            javaFiles = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        StringBuilder text = new StringBuilder();
        for (Path javaFile : javaFiles) {
            text.append(Files.readString(javaFile));
        }
        AtomicFile.writeString(file, text.toString());
        context.out().printf("%s not found: training on rnnlab's own Java sources (%d files, written to %s).%n"
                + "For the seed's corpus: cp ../shared/data/kafka.txt %s%n", kafka, javaFiles.size(), file, kafka);
        return file;
    }

    /**
     * rnnlab's own src folder: in the working directory, or beside target/ where rnnlab runs from
     * (target/rnnlab.jar or target/classes), so that a run from another folder finds it too; null
     * when neither exists (an installed jar without its sources).
     */
    static Path sourcesDirectory() {
        if (Files.isDirectory(Path.of("src"))) {
            return Path.of("src");
        }
        try {
            Path code = Path.of(CharRnnTask.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = code.getParent(); dir != null; dir = dir.getParent()) {
                if (Files.isDirectory(dir.resolve("src").resolve("main").resolve("java"))) {
                    return dir.resolve("src");
                }
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null; // no usable code location: only the working directory counts
        }
        return null;
    }

    private static TextCorpus corpus(Path file, Options options, TaskContext context) throws IOException {
        TextCorpus corpus = TextCorpus.read(file, options.seqLength() + 1);
        context.out().printf("corpus %s: %d characters, %d distinct%n", file, corpus.text().codePointCount(0,
                corpus.text().length()), corpus.vocabulary().size());
        return corpus;
    }

    // ---- Network: tanh SimpleRnn layers and a softmax over the vocabulary, truncated BPTT

    /** The network for a vocabulary of the given size. */
    public static MultiLayerConfiguration network(Options options, int vocabulary) {
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(options.seed())
                .updater(new AdaGrad(options.learningRate(), 1e-8)) // the seed's mem += g^2; p -= lr g / sqrt(mem + 1e-8)
                .weightInit(new NormalDistribution(0, 0.01)) // the seed's randn * 0.01; biases start at zero
                .gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue)
                .gradientNormalizationThreshold(5) // the seed's np.clip(dparam, -5, 5)
                .list();
        for (int l = 0; l < options.layers(); l++) {
            layers.layer(options.implementation().simpleRnn().nOut(options.hidden()).activation(Activation.TANH).build());
        }
        layers.layer(options.implementation().rnnOutput(LossFunction.MCXENT).nOut(vocabulary).activation(Activation.SOFTMAX)
                .build());
        return layers.setInputType(InputType.recurrent(vocabulary))
                .backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(options.seqLength())
                .tBPTTBackwardLength(options.seqLength())
                .build();
    }

    @Override
    public NetworkUnderCheck networkUnderCheck() {
        // kafka.txt's characters; the check rebuilds it with plain BPTT over 4 steps
        return new NetworkUnderCheck(network(defaultOptions(), KAFKA_CHARACTERS), 4, GradientCheck.Labels.EVERY_STEP);
    }

    @Override
    public MultiLayerConfiguration configuration(Options options) {
        return network(options, KAFKA_CHARACTERS);
    }

    @Override
    public OptionalInt sequenceLength(Options options) {
        return OptionalInt.of(options.seqLength()); // the chunks it trains on
    }

    // ---- Training: chunk after chunk, the state carried on; the seed's smooth loss and samples

    @Override
    public Training train(Options options, TaskContext context) throws IOException {
        Path corpusFile = corpusFile(options, context);
        TextCorpus corpus = corpus(corpusFile, options, context);
        PrintStream out = context.out();
        MultiLayerNetwork network;
        double smoothLoss = -Math.log(1.0 / corpus.vocabulary().size()) * options.seqLength();
        int done = 0;
        if (options.resume().isEmpty()) {
            network = new MultiLayerNetwork(network(options, corpus.vocabulary().size()));
            network.init();
        } else {
            ModelStore.StoredModel stored = ModelStore.load(Path.of(options.resume()));
            if (!stored.info().task().equals(name())) {
                throw new BadInputException(options.resume() + " holds a " + stored.info().task() + " model, not char-rnn");
            }
            Vocabulary saved = Vocabulary.fromString(stored.model().state().path("vocabulary").asText());
            if (!saved.equals(corpus.vocabulary())) {
                throw new BadInputException("the corpus's characters differ from the model's (" + corpus.vocabulary().size()
                        + " against " + saved.size() + "); resume on the text it was trained on");
            }
            network = stored.model().network();
            smoothLoss = stored.model().state().path("smooth_loss").asDouble(smoothLoss);
            done = stored.model().state().path("iterations").asInt(0);
            out.printf("resuming %s after %d iterations (smooth loss %.3f)%n", options.resume(), done, smoothLoss);
        }

        context.attachListeners(network); // before the trainer, whose solver takes the network's listeners
        CharChunks chunks = new CharChunks(corpus.training(), corpus.vocabulary().size(), options.batch(),
                options.seqLength());
        Map<String, List<Double>> history = new java.util.LinkedHashMap<>();
        List<Double> lossCurve = history.computeIfAbsent("chunk_loss", k -> new ArrayList<>());
        List<Double> smoothCurve = history.computeIfAbsent("smooth_loss", k -> new ArrayList<>());
        List<Double> recent = new ArrayList<>();
        Random random = new Random(options.seed());
        long start = System.nanoTime();
        int iterations = 0;
        int chunk = 0;
        int threads = options.trainingThreads();
        try (ChunkTrainer trainer = trainer(network, options.implementation(), threads);
                TrainingProgress progress = TrainingProgress.start(name(), options.iterations() > 0
                ? options.iterations() : (long) Math.ceil(options.seconds()), options.iterations() > 0 ? "iterations" : "s",
                context.showProgress())) {
            while (true) {
                double elapsed = (System.nanoTime() - start) / 1e9;
                if ((options.iterations() > 0 && iterations >= options.iterations()) || elapsed >= options.seconds()) {
                    break;
                }
                if (chunk == chunks.chunksPerPass()) { // end of a pass: like the seed, start over from a zero state
                    chunk = 0;
                    trainer.resetState();
                }
                DataSet data = chunks.chunk(chunk++);
                double loss = trainer.step(data.getFeatures(), data.getLabels());
                if (!Double.isFinite(loss)) {
                    throw new BadInputException("training diverged at iteration " + (done + iterations + 1)
                            + " (loss " + loss + "); try a smaller --learning-rate");
                }
                smoothLoss = smoothLoss * 0.999 + loss * 0.001;
                recent.add(loss);
                if (recent.size() > 100) {
                    recent.remove(0);
                }
                iterations++;
                lossCurve.add(loss);
                smoothCurve.add(smoothLoss);
                double seconds = (System.nanoTime() - start) / 1e9;
                String status = String.format(Locale.ROOT, "smooth loss %.3f  %.0f chars/s", smoothLoss,
                        iterations * (double) options.batch() * options.seqLength() / seconds);
                progress.stepTo(options.iterations() > 0 ? iterations : (long) seconds, status);
                if (options.sampleEvery() > 0 && iterations % options.sampleEvery() == 0) {
                    progress.interject(out, String.format(Locale.ROOT, "iteration %d, %s%n----%n%s%n----%n",
                            done + iterations, status,
                            sample(network.clone(), corpus.vocabulary(), "", SAMPLE_LENGTH, 1.0, random)));
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        ObjectNode state = Json.MAPPER.createObjectNode();
        state.put("vocabulary", corpus.vocabulary().asString());
        state.put("corpus", corpusFile.toAbsolutePath().toString());
        state.put("iterations", done + iterations);
        state.put("smooth_loss", smoothLoss);
        state.put("train_loss_per_char", recent.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)
                / options.seqLength());
        state.put("characters_per_second", iterations * (double) options.batch() * options.seqLength() / seconds);
        state.put("training_threads", threads);
        network.rnnClearPreviousState();
        return new Training(new TrainedNetwork(network, null, state), done + iterations, seconds, history, "iterations");
    }

    /** One thread per core, at most one per {@value #STREAMS_PER_THREAD} streams. */
    public static int automaticThreads(int streams) {
        return Math.min(Runtime.getRuntime().availableProcessors(), Math.max(1, streams / STREAMS_PER_THREAD));
    }

    /**
     * DL4J's layers train with DL4J's own step; rnnlab's with its Java step, on {@code threads}
     * threads that each take a share of the streams (the same update to float rounding).
     */
    public static ChunkTrainer trainer(MultiLayerNetwork network, LayerImplementation implementation, int threads) {
        return implementation == LayerImplementation.DL4J ? CarriedStateTrainer.withDl4jStep(network)
                : new StreamSplitTrainer(network, threads);
    }

    // ---- Evaluation: loss per character on the held-out blocks, each read from a zero state

    @Override
    public TaskMetrics evaluate(TrainedNetwork model, Options options, TaskContext context) throws IOException {
        Path file = Path.of(model.state().path("corpus").asText());
        TextCorpus corpus = TextCorpus.read(file, options.seqLength() + 1);
        Vocabulary vocabulary = Vocabulary.fromString(model.state().path("vocabulary").asText());
        if (!vocabulary.equals(corpus.vocabulary())) {
            throw new BadInputException(file + " has changed since the model was trained (its characters differ)");
        }
        double loss = 0;
        long predicted = 0;
        for (int[] block : corpus.heldOutBlocks()) {
            INDArray probabilities = model.network().output(CharChunks.oneHot(block, vocabulary.size()));
            for (int t = 0; t + 1 < block.length; t++) {
                loss -= Math.log(probabilities.getDouble(0, block[t + 1], t));
                predicted++;
            }
        }
        double heldOut = loss / predicted;
        boolean kafka = file.getFileName().toString().equals(KAFKA);
        double floor = kafka ? KAFKA_FLOOR : UNIFORM_SHARE_FLOOR * Math.log(vocabulary.size());
        return new TaskMetrics()
                .put("held_out_loss_per_char", heldOut)
                .put("train_loss_per_char", model.state().path("train_loss_per_char").asDouble())
                .put("smooth_loss", model.state().path("smooth_loss").asDouble())
                .put("uniform_loss_per_char", Math.log(vocabulary.size()))
                .put("held_out_characters", predicted)
                .put("characters_per_second", model.state().path("characters_per_second").asDouble())
                .floor(QualityFloor.atMost("held_out_loss_per_char", floor));
    }

    // ---- Demo and sampling

    @Override
    public void demo(TrainedNetwork model, Options options, TaskContext context) {
        Vocabulary vocabulary = Vocabulary.fromString(model.state().path("vocabulary").asText());
        context.out().printf("A %d-character sample (temperature 1):%n----%n%s%n----%n", SAMPLE_LENGTH * 2,
                sample(model.network(), vocabulary, "", SAMPLE_LENGTH * 2, 1.0, new Random(options.seed())));
    }

    /**
     * Text from the model: the prime fed in first, then each character drawn from the softmax
     * sharpened or flattened by the temperature (p_i proportional to p_i^(1/T)) and fed back. The
     * steps run on a {@link StepNetwork} where it computes the network, else on DL4J's rnnTimeStep.
     */
    public static String sample(MultiLayerNetwork network, Vocabulary vocabulary, String prime, int length,
            double temperature, Random random) {
        return sample(network, vocabulary, prime, length, temperature, random, Stepping.STEP_NETWORK);
    }

    /** The same, with the steps computed as {@code stepping} says (DL4J: always rnnTimeStep, for comparison). */
    public static String sample(MultiLayerNetwork network, Vocabulary vocabulary, String prime, int length,
            double temperature, Random random, Stepping stepping) {
        int[] primed = prime.isEmpty() ? new int[] {startSymbol(vocabulary)} : vocabulary.encode(prime, "--prime");
        StepNetwork steps = stepping == Stepping.STEP_NETWORK ? StepNetwork.orNull(network) : null;
        int[] generated = steps != null ? sample(steps, primed, length, temperature, random)
                : sampleDl4j(network, vocabulary.size(), primed, length, temperature, random);
        return (prime.isEmpty() ? "" : prime) + vocabulary.decode(generated);
    }

    /**
     * The sampling loop on a StepNetwork. With a softmax output the scores are its logits z: log p_i
     * is z_i minus a constant, which the draw's own subtraction of the largest score removes, so
     * neither the softmax nor a logarithm is computed.
     */
    private static int[] sample(StepNetwork steps, int[] primed, int length, double temperature, Random random) {
        boolean logits = steps.softmaxOutput();
        double[] scores = new double[steps.outputSize()];
        double[] weights = new double[scores.length];
        int[] generated = new int[length];
        steps.clear();
        float[] out = null;
        for (int index : primed) {
            out = logits ? steps.preOutputStep(index) : steps.step(index);
        }
        for (int i = 0; i < length; i++) {
            for (int j = 0; j < scores.length; j++) {
                scores[j] = logits ? out[j] : Math.log(Math.max(out[j], 1e-300));
            }
            generated[i] = draw(scores, weights, temperature, random);
            if (i + 1 < length) {
                out = logits ? steps.preOutputStep(generated[i]) : steps.step(generated[i]);
            }
        }
        return generated;
    }

    /** The sampling loop on DL4J's rnnTimeStep, one one-hot character per call; the network's state is cleared before and after. */
    private static int[] sampleDl4j(MultiLayerNetwork network, int symbols, int[] primed, int length, double temperature,
            Random random) {
        network.rnnClearPreviousState();
        INDArray probabilities = null;
        for (int index : primed) {
            probabilities = network.rnnTimeStep(CharChunks.oneHot(new int[] {index}, symbols));
        }
        double[] scores = new double[symbols];
        double[] weights = new double[symbols];
        int[] generated = new int[length];
        for (int i = 0; i < length; i++) {
            double[] p = probabilities.get(point(0), all(), point(0)).toDoubleVector();
            for (int j = 0; j < symbols; j++) {
                scores[j] = Math.log(Math.max(p[j], 1e-300));
            }
            generated[i] = draw(scores, weights, temperature, random);
            if (i + 1 < length) {
                probabilities = network.rnnTimeStep(CharChunks.oneHot(new int[] {generated[i]}, symbols));
            }
        }
        network.rnnClearPreviousState();
        return generated;
    }

    private static int startSymbol(Vocabulary vocabulary) {
        int space = vocabulary.indexOf(' ');
        return space >= 0 ? space : 0;
    }

    /**
     * Index i drawn with probability proportional to exp((s_i - max s) / T), for scores s equal to
     * log p up to a constant (logits or log-probabilities): p_i^(1/T) normalised. Subtracting the
     * largest score keeps the likeliest weight at 1, so that no temperature underflows every weight
     * to zero and sampling tends to the likeliest index as T falls. One {@code nextDouble()} per draw,
     * compared with the cumulative weights in index order. {@code weights} is working memory.
     */
    static int draw(double[] scores, double[] weights, double temperature, Random random) {
        double max = Double.NEGATIVE_INFINITY;
        for (double score : scores) {
            max = Math.max(max, score);
        }
        double total = 0;
        for (int i = 0; i < scores.length; i++) {
            weights[i] = Math.exp((scores[i] - max) / temperature);
            total += weights[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < scores.length; i++) {
            u -= weights[i];
            if (u <= 0) {
                return i;
            }
        }
        return scores.length - 1;
    }

    // ---- Prediction from the command line: the most likely next characters after a text

    @Override
    public String predict(TrainedNetwork model, Options options, String input) {
        Vocabulary vocabulary = Vocabulary.fromString(model.state().path("vocabulary").asText());
        int[] text = vocabulary.encode(input, "--input");
        if (text.length == 0) {
            throw new BadInputException("--input is empty; give some text, e.g. --input \"Gregor \"");
        }
        double[] last = nextProbabilities(model.network(), text, vocabulary.size());
        StringBuilder answer = new StringBuilder("most likely next characters:");
        boolean[] used = new boolean[last.length];
        for (int rank = 0; rank < Math.min(5, last.length); rank++) {
            int best = -1;
            for (int i = 0; i < last.length; i++) {
                if (!used[i] && (best < 0 || last[i] > last[best])) {
                    best = i;
                }
            }
            used[best] = true;
            answer.append(String.format(Locale.ROOT, "%n  %-6s %.3f", printable(vocabulary.symbol(best)), last[best]));
        }
        return answer.toString();
    }

    /** The network's outputs after reading {@code text}: step by step on a StepNetwork where it can, else DL4J's output(). */
    private static double[] nextProbabilities(MultiLayerNetwork network, int[] text, int symbols) {
        StepNetwork steps = StepNetwork.orNull(network);
        if (steps == null) {
            INDArray probabilities = network.output(CharChunks.oneHot(text, symbols));
            return probabilities.get(point(0), all(), point(text.length - 1)).toDoubleVector();
        }
        float[] out = null;
        for (int symbol : text) {
            out = steps.step(symbol);
        }
        double[] last = new double[out.length];
        for (int j = 0; j < last.length; j++) {
            last[j] = out[j];
        }
        return last;
    }

    private static String printable(int codePoint) {
        return switch (codePoint) {
            case ' ' -> "space";
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            default -> "'" + new String(Character.toChars(codePoint)) + "'";
        };
    }
}
