package org.rnnlab.cli;

import org.rnnlab.tasks.ExitCodes;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rnnlab.BadInputException;
import org.rnnlab.bench.CharRnnThroughput;
import org.rnnlab.bench.HeldOutMilestones;
import org.rnnlab.bench.Measurement;
import org.rnnlab.bench.TimeToFloor;
import org.rnnlab.bench.ProcessMeasurements;
import org.rnnlab.data.AtomicFile;
import org.rnnlab.data.Json;
import org.rnnlab.data.TextCorpus;
import org.rnnlab.inference.Stepping;
import org.rnnlab.layers.Cell;
import org.rnnlab.layers.LayerImplementation;
import org.rnnlab.layers.Nd4jThreads;
import org.rnnlab.nets.Training;
import org.rnnlab.tasks.CharRnnTask;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskContext;
import org.rnnlab.tasks.TaskRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rnnlab bench}: throughput and time-to-quality figures, each the median of several runs
 * with the smallest and largest, printed and written to a JSON file.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure char-rnn training and sampling speed with each cell (rnnlab's fast layers against DL4J's), start-up time, "
                + "peak memory of train char-rnn, how soon char-rnn's recipes reach held-out levels, and each task's "
                + "training time with its defaults.",
        footer = {"", "Figures depend on the machine and on what else runs on it; compare ratios measured in one run.",
            "Example:", "  rnnlab bench --repeats 5 --seconds 3 --skip-tasks --recipe-seconds 0"})
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    RnnlabCommand root;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "5", description = "runs per figure (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "3",
            description = "length of one throughput run (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "0",
            description = "the larger char-rnn minibatch to measure beside 1 (default: char-rnn's default)")
    int batch;

    @Option(names = "--batch", paramLabel = "B", hidden = true, description = "the old name of --batch-size")
    Integer oldBatch;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "training threads for the larger minibatch's several-thread figure (default: as train char-rnn chooses)")
    int threads;

    @Option(names = "--cells", paramLabel = "CELL", split = ",", defaultValue = "SIMPLE,LSTM,GRU",
            description = "the recurrent cells whose char-rnn training and sampling speeds are measured "
                    + "(default: ${DEFAULT-VALUE})")
    List<Cell> cells;

    @Option(names = "--memory-seconds", paramLabel = "S", defaultValue = "20",
            description = "training budget of the train char-rnn run whose peak memory is measured; 0 skips it (default: ${DEFAULT-VALUE})")
    double memorySeconds;

    @Option(names = "--skip-tasks", description = "skip training every task with its defaults (the slowest part)")
    boolean skipTasks;

    @Option(names = "--recipe-seconds", paramLabel = "S", defaultValue = "165",
            description = "training budget of each char-rnn recipe (defaults, seed preset) whose held-out milestones are "
                    + "measured; 0 skips them (default: ${DEFAULT-VALUE})")
    double recipeSeconds;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "models/bench.json",
            description = "the JSON report (default: ${DEFAULT-VALUE}, beside the models and ignored by git)")
    Path out;

    private final List<Measurement> measurements = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (repeats < 1 || repeats > 1000) {
            throw new BadInputException("--repeats must be in 1..1000, got " + repeats);
        }
        if (!(seconds > 0 && seconds <= 3600) || !(memorySeconds >= 0 && memorySeconds <= 3600)) {
            throw new BadInputException("--seconds and --memory-seconds must be in (0, 3600]");
        }
        if (!(recipeSeconds >= 0 && recipeSeconds <= 24 * 3600)) {
            throw new BadInputException("--recipe-seconds must be in 0..86400, got " + recipeSeconds);
        }
        int defaultBatch = new CharRnnTask().defaultOptions().batchSize();
        if (oldBatch != null && batch == 0) {
            batch = oldBatch;
        }
        int larger = batch == 0 ? defaultBatch : batch;
        if (threads < 0 || threads > 256) {
            throw new BadInputException("--threads must be in 0..256, got " + threads);
        }
        if (larger < 1 || larger > 4096) {
            throw new BadInputException("--batch-size must be in 1..4096, got " + batch);
        }
        ObjectNode report = Json.MAPPER.createObjectNode();
        report.set("machine", machine());
        root.out.printf("Each figure: median [min, max] of %d runs.%n", repeats);

        record(ProcessMeasurements.startup(repeats));

        CharRnnThroughput text = throughput();
        ObjectNode ratios = report.putObject("fast_over_dl4j");
        for (Cell cell : cells) {
            cellFigures(text.withCell(cell), cell, larger, ratios);
        }
        if (memorySeconds > 0) {
            record(ProcessMeasurements.trainPeakMemory(root.dataDir, memorySeconds));
        }
        if (recipeSeconds > 0) {
            report.set("char_rnn_recipes", recipes());
        }
        if (!skipTasks) {
            report.set("tasks", tasks());
        }
        report.set("measurements", Json.MAPPER.valueToTree(measurements));
        AtomicFile.writeString(out, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        root.out.println("Wrote " + out);
        return ExitCodes.OK;
    }

    /**
     * Training (DL4J's layers and step, then rnnlab's on one thread and on several) and sampling
     * (rnnTimeStep, then StepNetwork) of char-rnn with one cell. SimpleRnn's figures keep the names
     * they had before gated cells; the others' names carry the cell (char_rnn_lstm_...).
     */
    private void cellFigures(CharRnnThroughput throughput, Cell cell, int larger, ObjectNode ratios) {
        String prefix = cell == Cell.SIMPLE ? "char_rnn_" : "char_rnn_" + cell.name().toLowerCase(Locale.ROOT) + "_";
        // under DL4J, GRU is rnnlab's op-by-op Gru: DL4J 1.0.0-M2.1 has none for MultiLayerNetwork
        String dl4jLayers = cell == Cell.GRU ? "DL4J layers with rnnlab's op-by-op Gru" : "DL4J layers";
        int parts = threads > 0 ? threads : CharRnnTask.automaticThreads(larger);
        for (int b : larger == 1 ? new int[] {1} : new int[] {1, larger}) {
            String conditions = cell + " 100, chunks of 25, minibatch " + b + ", ";
            Measurement dl4j = record(Measurement.of(prefix + "train_dl4j_batch_" + b, "chars/s",
                    conditions + dl4jLayers + " and step", throughput.training(LayerImplementation.DL4J, b, 1, repeats, seconds)));
            Measurement fast = record(Measurement.of(prefix + "train_fast_batch_" + b, "chars/s",
                    conditions + "FAST layers, one thread", throughput.training(LayerImplementation.FAST, b, 1, repeats, seconds)));
            ratio(ratios, prefix + "train_batch_" + b, fast, dl4j, cell + ": fast / DL4J at minibatch " + b);
            int k = Math.min(parts, b);
            if (k > 1) {
                Measurement split = record(Measurement.of(prefix + "train_fast_batch_" + b + "_threads_" + k, "chars/s",
                        conditions + "FAST layers, " + k + " threads", throughput.training(LayerImplementation.FAST, b, k,
                                repeats, seconds)));
                ratio(ratios, prefix + "train_batch_" + b + "_threads_" + k, split, dl4j,
                        cell + ": fast on " + k + " threads / DL4J at minibatch " + b);
            }
        }
        double timeStepSampling = 0;
        for (LayerImplementation implementation : LayerImplementation.values()) {
            Measurement m = record(Measurement.of(prefix + "sample_" + implementation.name().toLowerCase(Locale.ROOT),
                    "chars/s", cell + ", " + implementation + " layers, one character per rnnTimeStep",
                    throughput.sampling(implementation, Stepping.DL4J, repeats, 1000)));
            timeStepSampling = implementation == LayerImplementation.DL4J ? m.median() : timeStepSampling;
        }
        Measurement stepSampling = record(Measurement.of(prefix + "sample_step_network", "chars/s",
                cell + ", one character per step on rnnlab's StepNetwork (Java loops)",
                throughput.sampling(LayerImplementation.DL4J, Stepping.STEP_NETWORK, repeats, 200_000)));
        ratios.put(prefix + "sample_step_network_over_rnn_time_step", stepSampling.median() / timeStepSampling);
        root.out.printf(Locale.ROOT, "  %s: StepNetwork / DL4J rnnTimeStep sampling: %.1fx%n", cell,
                stepSampling.median() / timeStepSampling);
    }

    private CharRnnThroughput throughput() throws IOException {
        Path kafka = root.dataDir.resolve("kafka.txt");
        if (Files.isRegularFile(kafka)) {
            TextCorpus corpus = TextCorpus.read(kafka, 26);
            root.out.printf("char-rnn text: %s (%d distinct characters)%n", kafka, corpus.vocabulary().size());
            return new CharRnnThroughput(corpus.training(), corpus.vocabulary());
        }
        root.out.println("char-rnn text: random, 80 symbols (no " + kafka + ")");
        return CharRnnThroughput.synthetic(130_000, 80, 42);
    }

    private void ratio(ObjectNode ratios, String name, Measurement fast, Measurement dl4j, String label) {
        ratios.put(name, fast.median() / dl4j.median());
        root.out.printf(Locale.ROOT, "  %s: %.2fx%n", label, fast.median() / dl4j.median());
    }

    private Measurement record(Measurement m) {
        measurements.add(m);
        root.out.printf(Locale.ROOT, "%-32s %12s %-8s [%s, %s]  %s%n", m.name(), number(m.median()), m.unit(),
                number(m.min()), number(m.max()), m.conditions());
        return m;
    }

    private static String number(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.3g", value);
    }

    /**
     * Char-rnn's default recipe and the seed's, each trained for --recipe-seconds and scored on its
     * held-out text every 5 seconds (the seed preset too: scoring does not change its training).
     */
    private ArrayNode recipes() throws IOException {
        ArrayNode rows = Json.MAPPER.createArrayNode();
        CharRnnTask task = new CharRnnTask();
        TaskContext quiet = new TaskContext(root.dataDir, new PrintStream(OutputStream.nullOutputStream()), false);
        for (String recipe : List.of("defaults", "seed")) {
            CharRnnTask.Options o = recipe.equals("seed") ? task.seedOptions() : task.defaultOptions();
            CharRnnTask.Options timed = o.withBudget(0, recipeSeconds, o.evalEvery() > 0 ? o.evalEvery() : 5, 0);
            HeldOutMilestones milestones = HeldOutMilestones.of(recipe, task.train(timed, quiet));
            rows.add(Json.MAPPER.valueToTree(milestones));
            root.out.printf(Locale.ROOT, "char-rnn %-8s %s%n", recipe, milestones.describe());
        }
        return rows;
    }

    /**
     * Every task trained once with its defaults (not saved): its training time, and the time its
     * per-epoch curves first met every floor where they are tracked per epoch.
     */
    private ArrayNode tasks() throws IOException {
        ArrayNode rows = Json.MAPPER.createArrayNode();
        for (Task<?, ?> task : TaskRegistry.all()) {
            TimeToFloor time = trainWithDefaults(task);
            rows.add(Json.MAPPER.valueToTree(time));
            root.out.printf(Locale.ROOT, "task %-16s %6.1f s training, floors %s%s%n", task.name(), time.trainSeconds(),
                    time.floorsMet() ? "met" : "NOT MET", time.perEpoch()
                            ? String.format(Locale.ROOT, ", first met after epoch %d at %.1f s", time.epoch(), time.secondsToFloor())
                            : " (not followed per epoch)");
        }
        return rows;
    }

    private <O extends Record> TimeToFloor trainWithDefaults(Task<O, ?> task) throws IOException {
        TaskContext quiet = new TaskContext(root.dataDir, new PrintStream(OutputStream.nullOutputStream()), false);
        O options = task.defaultOptions();
        Training training = task.train(options, quiet);
        return TimeToFloor.of(task.name(), training, task.evaluate(training.model(), options, quiet));
    }

    private static ObjectNode machine() {
        ObjectNode machine = Json.MAPPER.createObjectNode();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("java", System.getProperty("java.version"));
        machine.put("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
        machine.put("threads_per_op", Nd4jThreads.configure());
        machine.put("load_average", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return machine;
    }
}
