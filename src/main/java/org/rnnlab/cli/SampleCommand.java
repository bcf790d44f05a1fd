package org.rnnlab.cli;

import org.rnnlab.tasks.TaskRegistry;
import org.rnnlab.tasks.ExitCodes;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;
import org.rnnlab.BadInputException;
import org.rnnlab.data.Vocabulary;
import org.rnnlab.inference.Sampling;
import org.rnnlab.nets.ModelStore;
import org.rnnlab.tasks.CharRnnTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code rnnlab sample}: text from a char-rnn model. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Generate text from a char-rnn model: the prime first, then characters drawn one at a time.",
        footer = {"", "Examples:", "  rnnlab sample --model models/char-rnn/model.zip --length 500 --temperature 0.8 "
                + "--prime \"Gregor\" --seed 7",
                "  rnnlab sample --top-k 5 --temperature 0.9 --length 300",
                "  rnnlab sample --greedy --prime \"The \" --length 200"})
final class SampleCommand implements Callable<Integer> {
    @ParentCommand
    RnnlabCommand root;

    @Option(names = "--model", paramLabel = "FILE", defaultValue = "models/char-rnn/model.zip",
            description = "a char-rnn model zip (default: ${DEFAULT-VALUE})")
    Path model;

    @Option(names = "--length", paramLabel = "N", defaultValue = "500", description = "characters to generate (default: ${DEFAULT-VALUE})")
    int length;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "below 1 more predictable, above 1 more varied (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "draw only among the K likeliest characters; 0: among all (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--greedy", description = "always take the likeliest character (no draws; --temperature and --top-k do not apply)")
    boolean greedy;

    @Option(names = "--prime", paramLabel = "TEXT", defaultValue = "", description = "text to start from (default: a space)")
    String prime;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "seed of the draws: the same seed, the same text (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        if (length < 1 || length > 1_000_000) {
            throw new BadInputException("--length must be in 1..1000000, got " + length);
        }
        if (!(temperature > 0 && temperature <= 100)) {
            throw new BadInputException("--temperature must be greater than 0 and at most 100, got " + temperature);
        }
        if (topK < 0 || topK > 1_000_000) {
            throw new BadInputException("--top-k must be in 0..1000000, got " + topK);
        }
        Sampling sampling = greedy ? Sampling.greedily() : new Sampling(temperature, topK, false);
        String task = ModelStore.readInfo(model).task();
        if (!task.equals("char-rnn")) {
            throw new BadInputException(model + " holds a " + task + " model; sample needs a char-rnn model");
        }
        ModelStore.StoredModel stored = TaskRegistry.require(task).load(model); // its parts checked against each other
        Vocabulary vocabulary = Vocabulary.fromString(stored.model().state().path("vocabulary").asText());
        root.out.println(CharRnnTask.sample(stored.model().network(), vocabulary, prime, length, sampling,
                new Random(seed)));
        return ExitCodes.OK;
    }
}
