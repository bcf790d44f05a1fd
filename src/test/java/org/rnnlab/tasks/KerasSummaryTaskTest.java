package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.BadInputException;
import org.rnnlab.nets.Training;
import org.rnnlab.report.TaskMetrics;
import org.rnnlab.summary.KerasSummary;
import org.rnnlab.summary.SummaryStyle;

class KerasSummaryTaskTest {
    @TempDir
    Path dir;

    private final KerasSummaryTask task = new KerasSummaryTask();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private TaskContext context() {
        return new TaskContext(dir, new PrintStream(printed, true, StandardCharsets.UTF_8), false);
    }

    @Test
    void theSeedsModelHas131ParametersAndTheSeedsSummary() throws IOException {
        KerasSummaryTask.Options options = task.defaultOptions();
        Training training = task.train(options, context());
        TaskMetrics metrics = task.evaluate(training.model(), options, context());
        assertEquals(131, metrics.get("parameters"));
        assertEquals(131, metrics.get("keras_parameters"));
        assertEquals(1, metrics.get("counts_agree"));
        assertEquals(1, metrics.get("matches_seed_summary"));
        assertTrue(metrics.floorsMet(), metrics::format);
    }

    @Test
    void theDemoPrintsTheSummaryAndTheSeedsArithmetic() throws IOException {
        KerasSummaryTask.Options options = task.defaultOptions();
        task.demo(task.train(options, context()).model(), options, context());
        String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("SimpleRNN(10, input_shape=(3, 1)) + Dense(1)"), text);
        assertTrue(text.contains(KerasSummaryTask.seedSummary()), text);
        assertTrue(text.contains("simple_rnn_1  recurrent weights 10 x 10 = 100 + input weights 1 x 10 = 10 "
                + "+ biases 10 = 120"), text);
        assertTrue(text.contains("dense_1       weights 10 x 1 = 10 + biases 1 = 11"), text);
        assertTrue(text.contains("total         131; DL4J's numParams() gives 131"), text);
    }

    @Test
    void otherShapesAreCountedButNotHeldToTheSeedsText() throws IOException {
        KerasSummaryTask.Options options = new KerasSummaryTask.Options(1, 20, 5, 2, 3);
        TaskMetrics metrics = task.evaluate(task.train(options, context()).model(), options, context());
        long expected = 20 * 20 + 2 * 20 + 20 + 20 * 3 + 3;
        assertEquals(expected, metrics.get("parameters"));
        assertEquals(expected, metrics.get("keras_parameters"));
        assertFalse(metrics.values().containsKey("matches_seed_summary"));
        assertTrue(metrics.floorsMet(), metrics::format);
    }

    @Test
    void theTasksNetworkPrintsTheSeedsTextAsTypedForTheTests() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/org/rnnlab/summary/keras-summary.keras2.2.txt")) {
            String typed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(typed, KerasSummaryTask.seedSummary(), "the task's copy of the seed's text");
            KerasSummaryTask.Options options = task.defaultOptions();
            MultiLayerNetwork network = new MultiLayerNetwork(task.network(options));
            network.init();
            assertEquals(typed, KerasSummary.render(network, task.sequenceLength(options), SummaryStyle.KERAS_2_2));
        }
    }

    @Test
    void predictTakesOneValuePerStepAndFeature() throws IOException {
        KerasSummaryTask.Options options = task.defaultOptions();
        Training training = task.train(options, context());
        String answer = task.predict(training.model(), options, "0.1,0.5,0.9");
        assertTrue(answer.startsWith("Dense output of the untrained network (weights from seed 42): "), answer);
        BadInputException e = assertThrows(BadInputException.class,
                () -> task.predict(training.model(), options, "0.1,0.5"));
        assertTrue(e.getMessage().contains("3 numbers"), e.getMessage());
    }

    @Test
    void optionsOutsideTheirRangesAreRefused() {
        assertThrows(BadInputException.class, () -> new KerasSummaryTask.Options(1, 0, 3, 1, 1));
        assertThrows(BadInputException.class, () -> new KerasSummaryTask.Options(1, 10, 3, 1, 0));
    }
}
