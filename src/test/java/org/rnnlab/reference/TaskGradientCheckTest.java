package org.rnnlab.reference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnnlab.tasks.BinarySumTask;
import org.rnnlab.tasks.NetworkUnderCheck;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;

/** Every registered task's network passes all three checks; tasks added later are covered as they register. */
class TaskGradientCheckTest {

    static Stream<Task<?, ?>> tasks() {
        return TaskRegistry.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tasks")
    void referenceDl4jAndFiniteDifferencesAgree(Task<?, ?> task) {
        NetworkUnderCheck check = task.networkUnderCheck();
        // One minibatch of 2 per task (the random architectures cover minibatches 1 to 4): forward-pass's
        // 6,273 parameters make every extra run of GradientCheckUtil cost seconds.
        GradientCheck.Report report = GradientCheck.run(task.name(), check.configuration(), check.labels(), 2,
                check.steps(), new Random(2));
        assertTrue(report.passed(), report::format);
        // Every parameter was compared with DL4J and with finite differences.
        long gradientRows = report.rows().stream().filter(r -> r.comparison().equals("reference vs DL4J")).count();
        assertTrue(gradientRows >= 2 + 3, report::format);
    }

    @Test
    void theCheckFailsWhenTheTwoNetworksDiffer() {
        NetworkUnderCheck check = new BinarySumTask().networkUnderCheck();
        MultiLayerNetwork network = new MultiLayerNetwork(Dl4jMapping.forChecking(check.configuration()));
        network.init();
        ReferenceRnn reference = Dl4jMapping.architecture(network.getLayerWiseConfigurations());
        Random random = new Random(3);
        reference.randomize(random, GradientCheck.WEIGHT_SCALE);
        Dl4jMapping.copyParameters(reference, network);
        // One recurrent weight off by 1e-4: outputs, score and gradients must all disagree.
        reference.set("1_RW", 2, reference.parameters().get("1_RW")[2] + 1e-4);
        GradientCheck.Report report = GradientCheck.compare("tampered", reference, network,
                GradientCheck.randomBatch(reference, check.labels(), 2, check.steps(), random));
        assertFalse(report.passed());
        assertTrue(report.rows().stream().anyMatch(r -> r.parameter().equals("score") && !r.passed()));
    }
}
