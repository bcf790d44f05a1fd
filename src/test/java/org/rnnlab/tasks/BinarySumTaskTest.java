package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rnnlab.BadInputException;
import org.rnnlab.bench.TimeToFloor;
import org.rnnlab.data.BinarySumData.Split;
import org.rnnlab.data.BinarySumData.Target;
import org.rnnlab.nets.Training;
import org.rnnlab.report.TaskMetrics;

class BinarySumTaskTest {
    @TempDir
    Path dir;

    private final BinarySumTask task = new BinarySumTask();

    private TaskContext context() {
        return new TaskContext(dir, new PrintStream(OutputStream.nullOutputStream()), false);
    }

    private BinarySumTask.Options options(int epochs, boolean hiddenBias) {
        return new BinarySumTask.Options(new EpochTraining(epochs, 5, 0.01, 32, null), Target.SUM, new int[] {6, 4}, hiddenBias, Split.PATTERNS);
    }

    @Test
    void withoutHiddenBiasTheBiasStaysExactlyZeroAsInSeed000() throws IOException {
        Training training = task.train(options(3, false), context());
        for (int layer = 0; layer < 2; layer++) {
            INDArray bias = training.model().network().getLayer(layer).getParam("b");
            assertEquals(0.0, bias.norm1Number().doubleValue(), "layer " + layer + " bias");
        }
        INDArray outputBias = training.model().network().getLayer(2).getParam("b");
        assertTrue(outputBias.norm1Number().doubleValue() > 0, "the output layer keeps its bias, as in the seed");
    }

    @Test
    void withHiddenBiasTheBiasIsTrained() throws IOException {
        Training training = task.train(options(3, true), context());
        assertTrue(training.model().network().getLayer(0).getParam("b").norm1Number().doubleValue() > 0);
    }

    @Test
    void theSameSeedTrainsToTheSameCurves() throws IOException {
        Training first = task.train(options(3, true), context());
        Training second = task.train(options(3, true), context());
        assertEquals(first.history(), second.history());
        assertEquals(first.model().network().params(), second.model().network().params());
    }

    /** What the default learning rate was chosen for: the floors fall early, and the run ends well inside them. */
    @Test
    void withTheDefaultsBothFloorsAreMetWithinTheFirstFifthOfTheEpochs() throws IOException {
        BinarySumTask.Options defaults = task.defaultOptions();
        Training training = task.train(defaults, context());
        TaskMetrics metrics = task.evaluate(training.model(), defaults, context());
        TimeToFloor time = TimeToFloor.of(task.name(), training, metrics);
        assertTrue(time.floorsMet() && time.perEpoch(), metrics.format());
        assertTrue(time.epoch() >= 1 && time.epoch() <= defaults.training().epochs() / 5, "first met at epoch " + time.epoch());
        assertTrue(metrics.get("validation_mse") <= 0.0144 / 4, metrics.format());
    }

    @Test
    void byDefaultNoValidationSequenceWasEverTrainedOn() throws IOException {
        BinarySumTask.Options options = options(2, true);
        TaskMetrics metrics = task.evaluate(task.train(options, context()).model(), options, context());
        assertEquals(0, metrics.get("validation_sequences_also_trained_on"), metrics.format());
        assertEquals(42, metrics.get("validation_patterns"), "a third of each sum's patterns, each once");
        assertEquals(42, metrics.get("validation_sequences"));
    }

    @Test
    void theSeedsOwnSplitIsStillThereAndSaysHowMuchOfItWasTrainedOn() throws IOException {
        BinarySumTask.Options seeds = RecordOptions.with(options(2, true), "split", Split.SEED);
        TaskMetrics metrics = task.evaluate(task.train(seeds, context()).model(), seeds, context());
        assertEquals(198, metrics.get("validation_sequences"));
        assertTrue(metrics.get("validation_sequences_also_trained_on") > 150, metrics.format());
    }

    @Test
    void predictReadsBitsAndRejectsAnythingElse() throws IOException {
        Training training = task.train(options(2, true), context());
        String answer = task.predict(training.model(), options(2, true), "1,0,1,1,0,1,0");
        assertTrue(answer.startsWith("predicted sum: "), answer);
        assertThrows(BadInputException.class, () -> task.predict(training.model(), options(2, true), "1,2,0"));
        assertThrows(BadInputException.class, () -> task.predict(training.model(), options(2, true), ""));
    }

    @Test
    void optionsOutOfRangeAreRejected() {
        assertThrows(BadInputException.class,
                () -> new BinarySumTask.Options(new EpochTraining(0, 1, 0.01, 32, null), Target.SUM, new int[] {6}, true, Split.PATTERNS));
        assertThrows(BadInputException.class,
                () -> new BinarySumTask.Options(new EpochTraining(1, 1, 0.01, 32, null), Target.SUM, new int[] {}, true, Split.PATTERNS));
        assertThrows(BadInputException.class,
                () -> new BinarySumTask.Options(new EpochTraining(1, 1, Double.NaN, 32, null), Target.SUM, new int[] {6}, true, Split.PATTERNS));
        assertThrows(BadInputException.class,
                () -> new BinarySumTask.Options(new EpochTraining(1, 1, 0.01, 32, null), null, new int[] {6}, true, Split.PATTERNS));
    }
}
