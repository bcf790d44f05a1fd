package org.rnnlab.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;

/**
 * Every registered task's network in every style: Keras's formulas give DL4J's parameter count for
 * every layer, and each style's layout holds. Tasks added to the registry are covered as they come.
 */
class EveryTaskSummaryTest {

    static Stream<Arguments> tasksAndStyles() {
        return TaskRegistry.all().stream()
                .flatMap(task -> Arrays.stream(SummaryStyle.values()).map(style -> Arguments.of(task, style)));
    }

    /** The network of the task's defaults, initialised, and its sequence length. */
    private record Built(MultiLayerNetwork network, OptionalInt steps) {
    }

    private static <O extends Record> Built build(Task<O, ?> task) {
        O options = task.defaultOptions();
        MultiLayerNetwork network = new MultiLayerNetwork(task.network(options));
        network.init();
        return new Built(network, task.sequenceLength(options));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tasksAndStyles")
    void printsAndCountsAsKerasWould(Task<?, ?> task, SummaryStyle style) {
        Built built = build(task);
        MultiLayerNetwork network = built.network();
        String text = KerasSummary.render(network, built.steps(), style);
        List<String> lines = text.lines().toList();
        if (style == SummaryStyle.DL4J) {
            assertEquals(network.summary(), text);
            return;
        }
        KerasModelView view = KerasModelView.of(network, built.steps());
        for (int i = 0; i < view.layers().size(); i++) {
            assertEquals(network.getLayer(i).numParams(), view.layers().get(i).kerasParameters(),
                    task.name() + " layer " + i + ": Keras's formula against DL4J's numParams");
        }
        assertEquals(network.numParams(), view.kerasParameters());
        String total = KerasSummary.grouped(network.numParams());
        if (style == SummaryStyle.KERAS_3) {
            String size = KerasSummary.readableSize(network.numParams() * (double) view.bytesPerParameter());
            assertTrue(lines.contains(" Total params: " + total + " (" + size + ")"), text);
        } else {
            assertTrue(lines.contains("Total params: " + total), text);
        }
        List<String> names = view.layerNames(style == SummaryStyle.KERAS_2_2);
        for (int i = 0; i < names.size(); i++) {
            String cell = names.get(i) + " (" + view.layers().get(i).kind().className() + ")";
            assertTrue(text.contains(cell + " "), cell + " missing from\n" + text);
        }
        int width = style == SummaryStyle.KERAS_3 ? 76 : KerasSummary.KERAS2_WIDTH;
        for (String line : lines) {
            boolean table = !line.startsWith("Model:") && !line.contains("params: ");
            assertTrue(!table || line.length() == width, "a table line of " + width + ": '" + line + "'");
        }
    }
}
