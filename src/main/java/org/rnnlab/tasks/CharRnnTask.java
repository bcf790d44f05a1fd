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
import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonFormat;
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
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.BadInputException;
import org.rnnlab.data.AtomicFile;
import org.rnnlab.data.CharChunks;
import org.rnnlab.data.Json;
import org.rnnlab.data.TextCorpus;
import org.rnnlab.data.Vocabulary;
import org.rnnlab.inference.StepNetwork;
import org.rnnlab.inference.Sampling;
import org.rnnlab.inference.Stepping;
import org.rnnlab.inference.TextLoss;
import org.rnnlab.layers.Cell;
import org.rnnlab.layers.LayerImplementation;
import org.rnnlab.nets.CarriedStateTrainer;
import org.rnnlab.nets.ChunkTrainer;
import org.rnnlab.nets.HeldOutWatch;
import org.rnnlab.nets.LearningRates;
import org.rnnlab.nets.Optimizer;
import org.rnnlab.nets.ModelInfo;
import org.rnnlab.nets.ModelStore;
import org.rnnlab.nets.StreamSplitTrainer;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;
import org.rnnlab.plots.HeldOutCurve;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.report.CharacterLoss;
import org.rnnlab.report.QualityFloor;
import org.rnnlab.report.TaskMetrics;
import org.rnnlab.report.TrainingProgress;

/**
 * Seed 002's second half, min-char-rnn: a character-level language model. One tanh recurrent
 * layer of 100 units reads a text one character at a time and predicts the next through a softmax
 * over the vocabulary, trained on chunks of 25 characters, gradients clipped element-wise at 5,
 * weights drawn from N(0, 0.01^2). The hidden state carries on from one chunk to the next, as the
 * seed's {@code hprev} does; unlike the seed, {@code --batch} streams read different parts of the
 * text side by side, which DL4J turns into one matrix product per step.
 *
 * <p>The seed trains with Adagrad at 0.1 and keeps its last model ({@code --preset seed}). The
 * default recipe (docs/char-rnn-recipe.md, where every configuration tried is written down) uses
 * Adam with a falling rate, scores the held-out text every few seconds and keeps the best model:
 * on a text as short as kafka.txt the network starts to learn it by heart well before the budget
 * ends, and the held-out loss rises again.
 */
public final class CharRnnTask extends Task<CharRnnTask.Options, CharRnnTask.Data> {
    static final String KAFKA = "kafka.txt";
    static final String OWN_SOURCES = "rnnlab-sources.txt";
    /** Where the seed's text comes from, for the hints that name it. */
    static final String KAFKA_SOURCE = "Franz Kafka's \"Metamorphosis\" (Project Gutenberg ebook 5200,"
            + " https://www.gutenberg.org/ebooks/5200, UTF-8 plain text)";
    static final int SAMPLE_LENGTH = 200;
    /** The sample whose words are looked up in the corpus (issue 15's measure: 2,000 characters at temperature 0.8). */
    static final int WORD_SAMPLE_LENGTH = 2000;
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

    /** Runs {@code rnnlab train char-rnn} with these arguments, e.g. {@code --seconds 60}. */
    public static void main(String[] args) {
        TrainCommandLine.main(new CharRnnTask(), args);
    }

    /** Options of {@code rnnlab train char-rnn}. */
    public record Options(
            @Doc("UTF-8 text to learn; empty: DATA_DIR/kafka.txt if present, else rnnlab's own Java sources") String corpus,
            @Doc("units of each stacked tanh SimpleRnn layer, input side first (100,100: two layers of 100)")
            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) int[] hidden,
            @Doc(value = "the old way to stack layers: N layers as wide as --hidden; 0 once built", hidden = true)
            int layers,
            @Doc(Cell.DESCRIPTION) Cell cell,
            @Doc("characters per chunk: truncated BPTT length") int seqLength,
            @Doc(value = "parallel streams through the text (the minibatch)", aliases = "--batch")
            @JsonAlias("batch") int batchSize,
            @Doc("the optimizer's learning rate at the start") double learningRate,
            @Doc("the gradient-descent rule") Optimizer optimizer,
            @Doc("the learning rate falls geometrically to this share of its start by the end of the run; 1: constant")
            double finalRateShare,
            @Doc("decoupled weight decay: each update also takes lr * X * w off every weight (not the biases); 0: none")
            double weightDecay,
            @Doc("share of each recurrent layer's outputs dropped on their way to the next layer and the softmax "
                    + "while training (DL4J's Dropout on those inputs); 0: none") double dropout,
            @Doc("stop after this many chunks per stream; 0: only --seconds limits") int iterations,
            @Doc("stop after this many seconds of training") double seconds,
            @Doc("score the held-out text every X seconds of training and keep the best model; 0: only at the end")
            double evalEvery,
            @Doc("halve the learning rate after this many held-out scores without improvement; 0: never") int plateau,
            @Doc("stop after this many held-out scores without improvement; 0: never") int patience,
            @Doc("print the smooth loss and a sample every N iterations; 0: never") int sampleEvery,
            @Doc("seed of the weights, the sampling and everything else random") long seed,
            @Doc("continue training this char-rnn model zip (its network, updater state and vocabulary)") String resume,
            @Doc(LayerImplementation.DESCRIPTION) LayerImplementation implementation,
            @Doc("training threads, each with its share of the streams; 0: one per core, at most one per "
                    + STREAMS_PER_THREAD + " streams (FAST only)") int threads) {

        public Options {
            corpus = corpus == null ? "" : corpus;
            resume = resume == null ? "" : resume;
            optimizer = optimizer == null ? Optimizer.ADAM : optimizer;
            implementation = implementation == null ? LayerImplementation.FAST : implementation;
            cell = cell == null ? Cell.SIMPLE : cell; // zips saved before the choice: the seed's SimpleRnn
            OptionCheck.inRange("--layers", layers, 0, 8);
            if (layers > 0 && hidden != null && hidden.length == 1) { // --layers 2 --hidden 100: [100, 100]
                int[] repeated = new int[layers];
                java.util.Arrays.fill(repeated, hidden[0]);
                hidden = repeated;
            } else if (layers > 0 && hidden != null && hidden.length != layers) {
                throw new BadInputException("--layers " + layers + " disagrees with --hidden " + hidden.length
                        + " sizes; --hidden alone says how many layers");
            }
            layers = 0;
            OptionCheck.sizes("--hidden", hidden, 8, 4096);
            hidden = hidden.clone();
            OptionCheck.inRange("--seq-length", seqLength, 1, 10_000);
            OptionCheck.inRange("--batch-size", batchSize, 1, 4096);
            OptionCheck.inRange("--learning-rate", learningRate, 0, 10);
            OptionCheck.inRange("--final-rate-share", finalRateShare, 1e-6, 1);
            OptionCheck.zeroOrUpTo("--weight-decay", weightDecay, 10);
            OptionCheck.zeroOrUpTo("--dropout", dropout, 0.95);
            OptionCheck.inRange("--iterations", iterations, 0, 100_000_000);
            OptionCheck.inRange("--seconds", seconds, 0, 7 * 24 * 3600);
            OptionCheck.zeroOrUpTo("--eval-every", evalEvery, 7 * 24 * 3600);
            OptionCheck.inRange("--plateau", plateau, 0, 1_000_000);
            OptionCheck.inRange("--patience", patience, 0, 1_000_000);
            OptionCheck.inRange("--sample-every", sampleEvery, 0, 100_000_000);
            OptionCheck.inRange("--threads", threads, 0, 256);
        }

        /** The threads training uses: --threads (at most one per stream), else one per core and per 16 streams. */
        public int trainingThreads() {
            if (implementation == LayerImplementation.DL4J) {
                return 1; // DL4J's own step, as DL4J runs it
            }
            return Math.min(threads > 0 ? threads : automaticThreads(batchSize), batchSize);
        }

        /** The seed's SimpleRnn cell: the options as they were before gated cells came. */
        public Options(String corpus, int[] hidden, int layers, int seqLength, int batchSize, double learningRate,
                Optimizer optimizer, double finalRateShare, double weightDecay, double dropout, int iterations,
                double seconds, double evalEvery, int plateau, int patience, int sampleEvery, long seed, String resume,
                LayerImplementation implementation, int threads) {
            this(corpus, hidden, layers, Cell.SIMPLE, seqLength, batchSize, learningRate, optimizer, finalRateShare,
                    weightDecay, dropout, iterations, seconds, evalEvery, plateau, patience, sampleEvery, seed, resume,
                    implementation, threads);
        }

        /** The same recipe with another budget: chunks per stream, seconds, held-out scoring and sample interval. */
        public Options withBudget(int iterations, double seconds, double evalEvery, int sampleEvery) {
            return new Options(corpus, hidden, layers, cell, seqLength, batchSize, learningRate, optimizer,
                    finalRateShare, weightDecay, dropout, iterations, seconds, evalEvery, plateau, patience, sampleEvery,
                    seed, resume, implementation, threads);
        }

        /** The same with another weight decay. */
        public Options withWeightDecay(double decay) {
            return new Options(corpus, hidden, layers, cell, seqLength, batchSize, learningRate, optimizer,
                    finalRateShare, decay, dropout, iterations, seconds, evalEvery, plateau, patience, sampleEvery, seed,
                    resume, implementation, threads);
        }

        /** The same with another minibatch and layer implementation, threads chosen automatically. */
        public Options withStreams(int streams, LayerImplementation layerImplementation) {
            return new Options(corpus, hidden, layers, cell, seqLength, streams, learningRate, optimizer,
                    finalRateShare, weightDecay, dropout, iterations, seconds, evalEvery, plateau, patience, sampleEvery,
                    seed, resume, layerImplementation, 0);
        }

        /** The same recipe with another recurrent cell. */
        public Options withCell(Cell recurrentCell) {
            return new Options(corpus, hidden, layers, recurrentCell, seqLength, batchSize, learningRate, optimizer,
                    finalRateShare, weightDecay, dropout, iterations, seconds, evalEvery, plateau, patience, sampleEvery,
                    seed, resume, implementation, threads);
        }

        /** The number of stacked recurrent layers. */
        public int depth() {
            return hidden.length;
        }

        /**
         * The learning rate after {@code share} of the run (0 at the start, 1 at the end), before any
         * plateau cuts: lr (final share)^share.
         */
        public double rateAt(double share) {
            return learningRate * Math.pow(finalRateShare, Math.min(1, Math.max(0, share)));
        }
    }

    /** The corpus file (as given or found), and the corpus read from it: its vocabulary, training text and held-out blocks. */
    public record Data(Path corpusFile, TextCorpus corpus) {
    }

    public CharRnnTask() {
        // Chosen by measurement on kafka.txt in 165 s: docs/char-rnn-recipe.md
        super("char-rnn", "seed 002: a character-level language model (tanh SimpleRnn 100, softmax), with sampling",
                new Options("", new int[] {100}, 0, 25, 96, 0.002, Optimizer.ADAM, 0.1, 0.06, 0, 0, 165, 5, 0, 0, 1000,
                        42, "", LayerImplementation.FAST, 0), GradientCheck.Labels.EVERY_STEP);
        preset("seed", seedOptions());
        quick(defaultOptions().withBudget(0, 5, 1, defaultOptions().sampleEvery()));
    }

    /**
     * The seed's own recipe, exactly: one stream through the text, 100 units, chunks of 25,
     * Adagrad at 0.1 throughout, no held-out scoring until the end (min-char-rnn.py's hyperparameters).
     */
    public Options seedOptions() {
        return new Options("", new int[] {100}, 0, 25, 1, 0.1, Optimizer.ADAGRAD, 1, 0, 0, 0, 165, 0, 0, 0, 1000, 42, "",
                LayerImplementation.FAST, 0);
    }

    // ---- Data: the corpus (read through DataVec), its vocabulary, training text and held-out blocks

    /** The corpus file to use: --corpus, else DATA_DIR/kafka.txt, else rnnlab's own sources written to a file. */
    Path corpusFile(Options options, TaskContext context) throws IOException {
        if (!options.corpus().isEmpty()) {
            return Path.of(options.corpus());
        }
        if (!options.resume().isEmpty()) {
            return resumedCorpus(Path.of(options.resume()), context);
        }
        Path kafka = context.dataRoot().resolve(KAFKA);
        if (Files.isRegularFile(kafka)) {
            return kafka;
        }
        Path sources = sourcesDirectory();
        if (sources == null) {
            throw new BadInputException("no corpus: give --corpus FILE, or save the seed's text, " + KAFKA_SOURCE
                    + ", as " + kafka);
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
                + "Its floor is half a uniform guess's loss, not kafka.txt's 2.0 nats. For the seed's text, save %s"
                + " as %s%n", kafka, javaFiles.size(), file, KAFKA_SOURCE, kafka);
        return file;
    }

    // ---- Resuming: the model's own recipe, unless the user types otherwise

    /**
     * A resumed run starts from the recipe stored in the model it continues, so that options the
     * user leaves out are the model's, not the defaults; the corpus is the one the zip records.
     */
    @Override
    public Options resumedOptions(Options typed) {
        if (typed.resume().isEmpty()) {
            return null;
        }
        ModelInfo info = ModelStore.readInfo(Path.of(typed.resume()));
        if (!info.task().equals(name())) {
            throw new BadInputException(typed.resume() + " holds a " + info.task() + " model, not char-rnn");
        }
        Options stored = info.options(Options.class);
        return RecordOptions.with(RecordOptions.with(stored, "resume", typed.resume()), "corpus", "");
    }

    /**
     * Options built into the saved network (its layers, dropout, updater, weight decay and truncated
     * BPTT length) cannot change on --resume: the network would go on as it was while the new zip's
     * rnnlab.json claimed otherwise. One typed with another value is refused, naming the model's.
     */
    static void refuseChangesOnResume(Options given, Options model) {
        Map<String, String[]> fixed = new java.util.LinkedHashMap<>();
        fixed.put("--hidden", new String[] {sizes(given.hidden()), sizes(model.hidden())});
        fixed.put("--cell", new String[] {given.cell().name(), model.cell().name()});
        fixed.put("--seq-length", new String[] {"" + given.seqLength(), "" + model.seqLength()});
        fixed.put("--optimizer", new String[] {given.optimizer().name(), model.optimizer().name()});
        fixed.put("--weight-decay", new String[] {"" + given.weightDecay(), "" + model.weightDecay()});
        fixed.put("--dropout", new String[] {"" + given.dropout(), "" + model.dropout()});
        fixed.put("--implementation", new String[] {given.implementation().name(), model.implementation().name()});
        fixed.forEach((option, values) -> {
            if (!values[0].equals(values[1])) {
                throw new BadInputException(option + " " + values[0] + " cannot change when resuming " + given.resume()
                        + ": its network was built with " + values[1] + "; leave " + option + " out to keep it");
            }
        });
    }

    private static String sizes(int[] hidden) {
        return String.join(",", java.util.Arrays.stream(hidden).mapToObj(Integer::toString).toList());
    }

    /** The corpus a model zip records it was trained on: what {@code --resume} carries on with unless --corpus says otherwise. */
    private static Path resumedCorpus(Path model, TaskContext context) {
        String recorded = ModelStore.readInfo(model).extras().path("corpus").asText("");
        if (recorded.isEmpty()) {
            throw new BadInputException(model + " does not record its corpus; give it with --corpus FILE");
        }
        Path file = Path.of(recorded);
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(model + " was trained on " + file + ", which is not there any more; give the text"
                    + " with --corpus FILE");
        }
        context.out().println("resuming on the corpus " + model + " was trained on: " + file);
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

    @Override
    public Data data(Options options, TaskContext context) throws IOException {
        Path file = corpusFile(options, context);
        TextCorpus corpus = usable(file, TextCorpus.read(file, options.seqLength() + 1));
        context.out().printf("corpus %s: %d characters, %d distinct%n", file, corpus.text().codePointCount(0,
                corpus.text().length()), corpus.vocabulary().size());
        return new Data(file, corpus);
    }

    /**
     * Refuses, before training, a corpus that reads but cannot be learned and scored: one of a
     * single distinct character has nothing to predict (and DL4J fails on a one-wide softmax), and
     * one too short for a held-out block would train and then report a held-out loss of NaN.
     */
    static TextCorpus usable(Path file, TextCorpus corpus) {
        if (corpus.vocabulary().size() < 2) {
            throw new BadInputException(file + " holds one distinct character (" + corpus.vocabulary()
                    + "); a character model needs at least two to choose between");
        }
        if (corpus.heldOutBlocks().isEmpty()) {
            int needed = (TextCorpus.HELD_OUT_EVERY - 1) * TextCorpus.BLOCK + 2;
            throw new BadInputException(String.format(java.util.Locale.ROOT, "%s has %d characters; char-rnn holds out"
                    + " every %dth block of %d characters to score the model, so it needs at least %d", file,
                    corpus.text().codePointCount(0, corpus.text().length()), TextCorpus.HELD_OUT_EVERY, TextCorpus.BLOCK,
                    needed));
        }
        return corpus;
    }

    /** A saved model is evaluated on the corpus it was trained on, which its zip names. */
    @Override
    public Data data(Options options, TrainedNetwork model, TaskContext context) throws IOException {
        Path file = Path.of(model.state().path("corpus").asText());
        return new Data(file, usable(file, TextCorpus.read(file, options.seqLength() + 1)));
    }

    // ---- Network: tanh SimpleRnn layers and a softmax over the vocabulary, truncated BPTT

    /** The network for a vocabulary of the given size. */
    public static MultiLayerConfiguration network(Options options, int vocabulary) {
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(options.seed())
                .updater(options.optimizer().updater(options.learningRate())) // the seed's: Adagrad, mem += g^2
                .weightInit(new NormalDistribution(0, 0.01)) // the seed's randn * 0.01; biases start at zero
                .gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue)
                .gradientNormalizationThreshold(5) // the seed's np.clip(dparam, -5, 5)
                .list();
        // Dropout on the inputs above the text: DL4J's Dropout(p) keeps a value with probability p
        double keep = 1 - options.dropout();
        // One WeightDecay per layer, on the weights only (none in the seed). Not the global builder's
        // weightDecay(), which lists the same decay twice on every layer, so that DL4J applies it twice.
        List<Regularization> decay = options.weightDecay() > 0 ? List.of(new WeightDecay(options.weightDecay(), true))
                : List.of();
        for (int l = 0; l < options.depth(); l++) {
            var rnn = options.cell().layer(options.implementation(), Activation.TANH).nOut(options.hidden()[l])
                    .regularization(decay);
            layers.layer((l > 0 && options.dropout() > 0 ? rnn.dropOut(keep) : rnn).build());
        }
        var output = options.implementation().rnnOutput(LossFunction.MCXENT).nOut(vocabulary).activation(Activation.SOFTMAX)
                .regularization(decay);
        layers.layer((options.dropout() > 0 ? output.dropOut(keep) : output).build());
        return layers.setInputType(InputType.recurrent(vocabulary))
                .backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(options.seqLength())
                .tBPTTBackwardLength(options.seqLength())
                .build();
    }

    @Override
    public NetworkUnderCheck networkUnderCheck() {
        // kafka.txt's characters; the check rebuilds it with plain BPTT over 4 steps. Without the weight
        // decay, which acts after the updater and adds c/2 ||w||^2 to DL4J's score but nothing to the
        // gradient checked here (JavaTrainingStepTest checks it against DL4J's updater)
        return new NetworkUnderCheck(network(defaultOptions().withWeightDecay(0), KAFKA_CHARACTERS), 4,
                GradientCheck.Labels.EVERY_STEP);
    }

    /** The network for kafka.txt's 80 characters: what {@code rnnlab summary char-rnn} shows before any corpus is read. */
    @Override
    public MultiLayerConfiguration network(Options options) {
        return network(options, KAFKA_CHARACTERS);
    }

    /**
     * A saved model's network is as wide as its vocabulary, on both sides; a zip without one, or
     * with one of another size than its network (a vocabulary from another corpus), is refused.
     */
    @Override
    protected MultiLayerConfiguration describedNetwork(Options options, TrainedNetwork model, Path file) {
        String characters = model.state().path("vocabulary").asText("");
        if (characters.codePointCount(0, characters.length()) < 2) {
            throw new BadInputException(file + ": " + ModelStore.INFO_ENTRY + " holds no vocabulary (the characters"
                    + " the network's inputs and outputs stand for); it is not a complete char-rnn model");
        }
        Vocabulary vocabulary = Vocabulary.of(characters);
        if (!vocabulary.asString().equals(characters)) {
            throw new BadInputException(file + ": its vocabulary is not distinct characters in order, as rnnlab saves"
                    + " it; it is not a vocabulary rnnlab wrote");
        }
        return network(options, vocabulary.size());
    }

    @Override
    public OptionalInt sequenceLength(Options options) {
        return OptionalInt.of(options.seqLength()); // the chunks it trains on
    }

    // ---- Training: chunk after chunk, the state carried on; the seed's smooth loss and samples

    @Override
    public Training train(Options options, Data data, TaskContext context) throws IOException {
        Path corpusFile = data.corpusFile();
        TextCorpus corpus = data.corpus();
        PrintStream out = context.out();
        MultiLayerNetwork network;
        double smoothLoss = -Math.log(1.0 / corpus.vocabulary().size()) * options.seqLength();
        int done = 0;
        if (options.resume().isEmpty()) {
            network = new MultiLayerNetwork(network(options, corpus.vocabulary().size()));
            network.init();
        } else {
            ModelStore.StoredModel stored = load(Path.of(options.resume()));
            refuseChangesOnResume(options, stored.info().options(Options.class));
            Vocabulary saved = Vocabulary.fromString(stored.model().state().path("vocabulary").asText());
            if (!saved.equals(corpus.vocabulary())) {
                throw new BadInputException("the corpus's characters differ from the model's (" + corpus.vocabulary().size()
                        + " against " + saved.size() + "); resume on the text it was trained on");
            }
            network = stored.model().network();
            smoothLoss = stored.model().state().path("smooth_loss").asDouble(smoothLoss);
            done = stored.model().state().path("iterations").asInt(0);
            out.printf("resuming %s after %d iterations (smooth loss %.3f per chunk of %d)%n", options.resume(), done,
                    smoothLoss, options.seqLength());
        }

        context.attachListeners(network); // before the trainer, whose solver takes the network's listeners
        CharChunks chunks = new CharChunks(corpus.training(), corpus.vocabulary().size(), options.batchSize(),
                options.seqLength());
        List<int[]> heldOut = corpus.heldOutBlocks();
        Map<String, List<Double>> history = new java.util.LinkedHashMap<>();
        List<Double> lossCurve = history.computeIfAbsent("chunk_loss", k -> new ArrayList<>());
        List<Double> smoothCurve = history.computeIfAbsent("smooth_loss_per_chunk", k -> new ArrayList<>());
        HeldOutCurve curve = new HeldOutCurve();
        HeldOutWatch watch = new HeldOutWatch(options.plateau(), options.patience());
        Best best = null;
        double rateCut = 1; // halved at each plateau
        List<Double> recent = new ArrayList<>();
        Random random = new Random(options.seed());
        long start = System.nanoTime();
        double lastScore = 0;
        int iterations = 0;
        int chunk = 0;
        int threads = options.trainingThreads();
        String stopped = "";
        try (ChunkTrainer trainer = trainer(network, options.implementation(), threads);
                TrainingProgress progress = TrainingProgress.start(name(), options.iterations() > 0
                ? options.iterations() : (long) Math.ceil(options.seconds()), options.iterations() > 0 ? "iterations" : "s",
                context.showProgress())) {
            while (true) {
                double elapsed = (System.nanoTime() - start) / 1e9;
                if ((options.iterations() > 0 && iterations >= options.iterations()) || elapsed >= options.seconds()) {
                    break;
                }
                if (iterations % RATE_EVERY == 0) {
                    LearningRates.set(network, rateCut * options.rateAt(runShare(options, iterations, elapsed)));
                }
                if (chunk == chunks.chunksPerPass()) { // end of a pass: like the seed, start over from a zero state
                    chunk = 0;
                    trainer.resetState();
                }
                DataSet next = chunks.chunk(chunk++);
                // DL4J's score includes the weight decay's c/2 ||w||^2; the curves show the loss on the text alone
                double loss = trainer.step(next.getFeatures(), next.getLabels()) - trainer.lastRegularizationScore();
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
                String status = String.format(Locale.ROOT, "smooth loss %.3f per chunk  %.0f chars/s", smoothLoss,
                        iterations * (double) options.batchSize() * options.seqLength() / seconds);
                if (options.evalEvery() > 0 && seconds - lastScore >= options.evalEvery()) {
                    lastScore = seconds;
                    double score = heldOutLoss(network, heldOut);
                    curve.add(done + iterations, seconds, score, smoothLoss / options.seqLength());
                    HeldOutWatch.Decision decision = watch.score(score);
                    status += String.format(Locale.ROOT, "  held-out %.3f (best %.3f)", score, watch.best());
                    if (decision.improved()) {
                        best = Best.of(network, done + iterations, seconds, score);
                        context.checkpoint(new TrainedNetwork(network, null,
                                trainingState(options, corpus, corpusFile, done + iterations, smoothLoss, recent,
                                        seconds, iterations, threads, best)));
                    }
                    if (decision.lowerRate()) {
                        rateCut /= 2;
                        double rate = rateCut * options.rateAt(runShare(options, iterations, seconds));
                        progress.interject(out, String.format(Locale.ROOT, "iteration %d: no better held-out loss in"
                                + " %d scores; learning rate halved to %.3g%n", done + iterations, options.plateau(), rate));
                        LearningRates.set(network, rate);
                    }
                    if (decision.stop()) {
                        stopped = String.format(Locale.ROOT, "no better held-out loss in %d scores", options.patience());
                        progress.interject(out, "iteration " + (done + iterations) + ": " + stopped + "; stopping early\n");
                        break;
                    }
                }
                progress.stepTo(options.iterations() > 0 ? iterations : (long) seconds, status);
                if (options.sampleEvery() > 0 && iterations % options.sampleEvery() == 0) {
                    progress.interject(out, String.format(Locale.ROOT, "iteration %d, %s%n----%n%s%n----%n",
                            done + iterations, status,
                            sample(network.clone(), corpus.vocabulary(), "", SAMPLE_LENGTH, 1.0, random)));
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (options.evalEvery() > 0) {
            double last = heldOutLoss(network, heldOut);
            curve.add(done + iterations, seconds, last, smoothLoss / options.seqLength());
            if (watch.score(last).improved()) {
                best = Best.of(network, done + iterations, seconds, last);
            } else if (best != null) {
                out.printf(Locale.ROOT, "keeping the best model: held-out %.4f at iteration %d (%.0f s), not the last"
                        + " one's %.4f%n", best.loss(), best.iteration(), best.seconds(), last);
                best.restoreInto(network);
            }
        }
        ObjectNode state = trainingState(options, corpus, corpusFile, done + iterations, smoothLoss, recent, seconds,
                iterations, threads, best);
        if (!stopped.isEmpty()) {
            state.put("stopped_early", stopped);
        }
        network.rnnClearPreviousState();
        curve.putInto(history); // after the per-iteration curves, which tables and charts follow; these are drawn on their own
        Training training = new Training(new TrainedNetwork(network, null, state), done + iterations, seconds, history,
                "iterations");
        return curve.isEmpty() ? training : training.withPictures(curve.pictures(name()));
    }

    /** How often (in iterations) the learning rate follows its schedule: often enough to be smooth, rarely enough to cost nothing. */
    private static final int RATE_EVERY = 50;

    /** The share of the run done: by iterations where they limit it, else by seconds. */
    private static double runShare(Options options, int iterations, double seconds) {
        return options.iterations() > 0 ? iterations / (double) options.iterations()
                : options.seconds() > 0 ? seconds / options.seconds() : 1;
    }

    private static ObjectNode trainingState(Options options, TextCorpus corpus, Path corpusFile, int iterations,
            double smoothLoss, List<Double> recent, double seconds, int thisRun, int threads, Best best) {
        ObjectNode state = Json.MAPPER.createObjectNode();
        state.put("vocabulary", corpus.vocabulary().asString());
        state.put("corpus", corpusFile.toAbsolutePath().toString());
        state.put("iterations", best != null ? best.iteration() : iterations);
        state.put("smooth_loss", smoothLoss);
        state.put("train_loss_per_char", recent.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)
                / options.seqLength());
        state.put("characters_per_second", thisRun * (double) options.batchSize() * options.seqLength() / seconds);
        state.put("training_threads", threads);
        if (best != null) {
            state.put("best_held_out_loss_per_char", best.loss());
            state.put("best_at_iteration", best.iteration());
            state.put("best_at_seconds", best.seconds());
            state.put("trained_iterations", iterations);
        }
        return state;
    }

    /** The held-out loss per character of the network as it is now, on a copy of its weights (training goes on unchanged). */
    static double heldOutLoss(MultiLayerNetwork network, List<int[]> blocks) {
        StepNetwork steps = StepNetwork.orNull(network);
        if (steps == null) {
            return outputLoss(network, blocks, (int) network.layerInputSize(0));
        }
        return TextLoss.natsPerCharacter(steps, blocks);
    }

    /** The parameters and updater state of the best model seen, and when it was seen. */
    private record Best(INDArray params, INDArray updaterState, int iteration, double seconds, double loss) {
        static Best of(MultiLayerNetwork network, int iteration, double seconds, double loss) {
            INDArray updater = network.getUpdater().getStateViewArray();
            return new Best(network.params().dup(), updater == null ? null : updater.dup(), iteration, seconds, loss);
        }

        void restoreInto(MultiLayerNetwork network) {
            network.params().assign(params);
            if (updaterState != null) {
                network.getUpdater().getStateViewArray().assign(updaterState);
            }
        }
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
    public TaskMetrics evaluate(TrainedNetwork model, Options options, Data data, TaskContext context) {
        Path file = data.corpusFile();
        TextCorpus corpus = data.corpus();
        Vocabulary vocabulary = Vocabulary.fromString(model.state().path("vocabulary").asText());
        if (!vocabulary.equals(corpus.vocabulary())) {
            throw new BadInputException(file + " has changed since the model was trained (its characters differ)");
        }
        List<int[]> blocks = corpus.heldOutBlocks();
        // Scored as training scored it (StepNetwork where it computes the network), so the saved best
        // model's loss is the very score that chose it, not the same to float rounding
        double heldOut = heldOutLoss(model.network(), blocks);
        long predicted = blocks.stream().mapToLong(b -> b.length - 1).sum();
        boolean kafka = file.getFileName().toString().equals(KAFKA);
        double floor = kafka ? KAFKA_FLOOR : UNIFORM_SHARE_FLOOR * Math.log(vocabulary.size());
        TaskMetrics metrics = new TaskMetrics();
        new CharacterLoss(heldOut).putInto(metrics, "held_out");
        new CharacterLoss(model.state().path("train_loss_per_char").asDouble()).putInto(metrics, "train");
        metrics.put("smooth_loss_per_chunk", model.state().path("smooth_loss").asDouble())
                .count("chunk_characters", options.seqLength())
                .put("uniform_loss_per_char", Math.log(vocabulary.size()))
                .count("held_out_characters", predicted)
                .put("characters_per_second", model.state().path("characters_per_second").asDouble());
        // How much of a sample is spelt right: the words of 2,000 characters at temperature 0.8 found in the corpus
        String sample = sample(model.network(), vocabulary, "", WORD_SAMPLE_LENGTH, Sampling.withTemperature(0.8),
                new Random(options.seed()));
        metrics.put("sample_known_word_share", corpus.knownWordShare(sample));
        for (String when : List.of("best_at_iteration", "best_at_seconds", "trained_iterations")) {
            if (model.state().has(when) && when.endsWith("seconds")) {
                metrics.put(when, model.state().path(when).asDouble());
            } else if (model.state().has(when)) {
                metrics.count(when, model.state().path(when).asLong());
            }
        }
        // Which text, and so which floor: kafka.txt's own, or half of a uniform guess's loss on any other
        metrics.note("corpus", file + (kafka ? " (the seed's text: Kafka's Metamorphosis, Project Gutenberg ebook 5200)"
                : file.getFileName().toString().equals(OWN_SOURCES) ? " (rnnlab's own Java sources: no kafka.txt was"
                        + " found)" : ""));
        metrics.note("floor_reason", kafka ? "kafka.txt is held to 2.0 nats per character"
                : String.format(Locale.ROOT, "a text other than kafka.txt is held to half a uniform guess's loss,"
                        + " 0.5 x ln %d = %.3f nats per character", vocabulary.size(), floor));
        return metrics.floor(QualityFloor.atMost("held_out_loss_per_char", floor));
    }

    /** Nats per predicted character of the blocks, each read from a zero state, by DL4J's own output(). */
    static double outputLoss(MultiLayerNetwork network, List<int[]> blocks, int symbols) {
        double loss = 0;
        long predicted = 0;
        for (int[] block : blocks) {
            INDArray probabilities = network.output(CharChunks.oneHot(block, symbols));
            for (int t = 0; t + 1 < block.length; t++) {
                loss -= Math.log(probabilities.getDouble(0, block[t + 1], t));
                predicted++;
            }
        }
        return loss / predicted;
    }

    // ---- Demo and sampling

    @Override
    public void demo(TrainedNetwork model, Options options, Data data, TaskContext context) {
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
        return sample(network, vocabulary, prime, length, Sampling.withTemperature(temperature), random,
                Stepping.STEP_NETWORK);
    }

    /** The same with any sampling strategy: temperature, top-k or greedy. */
    public static String sample(MultiLayerNetwork network, Vocabulary vocabulary, String prime, int length,
            Sampling sampling, Random random) {
        return sample(network, vocabulary, prime, length, sampling, random, Stepping.STEP_NETWORK);
    }

    /** The same, with the steps computed as {@code stepping} says (DL4J: always rnnTimeStep, for comparison). */
    public static String sample(MultiLayerNetwork network, Vocabulary vocabulary, String prime, int length,
            double temperature, Random random, Stepping stepping) {
        return sample(network, vocabulary, prime, length, Sampling.withTemperature(temperature), random, stepping);
    }

    /** The general case: any sampling strategy, steps computed as {@code stepping} says. */
    public static String sample(MultiLayerNetwork network, Vocabulary vocabulary, String prime, int length,
            Sampling sampling, Random random, Stepping stepping) {
        int[] primed = prime.isEmpty() ? new int[] {startSymbol(vocabulary)} : vocabulary.encode(prime, "--prime");
        StepNetwork steps = stepping == Stepping.STEP_NETWORK ? StepNetwork.orNull(network) : null;
        int[] generated = steps != null ? sample(steps, primed, length, sampling, random)
                : sampleDl4j(network, vocabulary.size(), primed, length, sampling, random);
        return (prime.isEmpty() ? "" : prime) + vocabulary.decode(generated);
    }

    /**
     * The sampling loop on a StepNetwork. With a softmax output the scores are its logits z: log p_i
     * is z_i minus a constant, which the draw's own subtraction of the largest score removes, so
     * neither the softmax nor a logarithm is computed.
     */
    private static int[] sample(StepNetwork steps, int[] primed, int length, Sampling sampling, Random random) {
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
            generated[i] = sampling.choose(scores, weights, random);
            if (i + 1 < length) {
                out = logits ? steps.preOutputStep(generated[i]) : steps.step(generated[i]);
            }
        }
        return generated;
    }

    /** The sampling loop on DL4J's rnnTimeStep, one one-hot character per call; the network's state is cleared before and after. */
    private static int[] sampleDl4j(MultiLayerNetwork network, int symbols, int[] primed, int length, Sampling sampling,
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
            generated[i] = sampling.choose(scores, weights, random);
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

    // ---- Prediction from the command line: the most likely next characters after a text

    @Override
    public PredictExample predictExample() {
        return new PredictExample("Gregor ", "text in the model's characters; answers the likeliest next characters");
    }

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
