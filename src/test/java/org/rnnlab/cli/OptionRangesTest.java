package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnnlab.tasks.RecordOptions;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;

/**
 * Every numeric option of every task, given a value no task can use (negative, NaN, infinite,
 * absurdly large): refused before any training, exit 2, one line naming the option.
 */
class OptionRangesTest {

    static Stream<Arguments> badValues() {
        List<Arguments> cases = new ArrayList<>();
        for (Task<?, ?> task : TaskRegistry.all()) {
            for (RecordComponent component : flattened(task.optionsType())) {
                String option = "--" + RecordOptions.optionName(component).replaceFirst("^--", "");
                Class<?> type = component.getType();
                if (component.getName().equals("seed")) {
                    continue; // every long is a seed
                }
                if (type == int.class || type == long.class) {
                    cases.add(Arguments.of(task.name(), option, "-1"));
                    cases.add(Arguments.of(task.name(), option, "99999999999999999999"));
                } else if (type == double.class) {
                    for (String value : new String[] {"-1", "NaN", "Infinity", "1e300"}) {
                        cases.add(Arguments.of(task.name(), option, value));
                    }
                }
            }
        }
        return cases.stream();
    }

    /** The components that become options: those of a nested record (EpochTraining) in its place. */
    static List<RecordComponent> flattened(Class<?> type) {
        List<RecordComponent> components = new ArrayList<>();
        for (RecordComponent component : type.getRecordComponents()) {
            if (component.getType().isRecord()) {
                components.addAll(flattened(component.getType()));
            } else {
                components.add(component);
            }
        }
        return components;
    }

    @ParameterizedTest(name = "train {0} {1} {2}")
    @MethodSource("badValues")
    void isRefusedUpFrontWithOneLine(String task, String option, String value) {
        String line = CommandLineRun.run("--no-progress", "train", task, option, value, "--out",
                "target/never-written").oneLineError();
        assertTrue(line.contains(option) || line.contains("Invalid value"), line);
    }
}
