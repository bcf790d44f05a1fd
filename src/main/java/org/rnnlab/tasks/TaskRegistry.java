package org.rnnlab.tasks;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.rnnlab.BadInputException;

/** Every task rnnlab knows, in the order {@code list} and {@code all} show them. */
public final class TaskRegistry {
    private static final List<Task<?, ?>> TASKS = List.of(
            new BinarySumTask(),
            new SineWaveTask(),
            new BinaryAdditionTask(),
            new ForwardPassTask(),
            new KerasSummaryTask(),
            new CharRnnTask(),
            new IncreasingSumTask(),
            new CountUpTask(),
            new AddingProblemTask());

    private TaskRegistry() {
    }

    public static List<Task<?, ?>> all() {
        return TASKS;
    }

    public static Optional<Task<?, ?>> find(String name) {
        return TASKS.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The task of that name, or a {@link BadInputException} that lists the known ones. */
    public static Task<?, ?> require(String name) {
        return find(name).orElseThrow(() -> new BadInputException(
                "unknown task '" + name + "'; known tasks: " + names()));
    }

    public static String names() {
        return TASKS.stream().map(Task::name).collect(Collectors.joining(", "));
    }
}
