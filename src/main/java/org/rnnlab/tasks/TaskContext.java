package org.rnnlab.tasks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.rnnlab.nets.TrainedNetwork;

/**
 * Where a task reads and writes, and how it talks to the user.
 *
 * @param dataRoot     the folder holding one data folder per task ({@code data/} by default)
 * @param out          where results, tables and demos are printed
 * @param showProgress whether to draw a progress bar (epoch, loss, elapsed, ETA) on stderr while training
 * @param drawPictures whether to write the PNG charts beside the model ({@code --no-plots} turns them off)
 * @param listeners    DL4J listeners every trained network gets (DL4J's training UI, for one); usually none
 * @param checkpoint   where a training loop may save the best model so far while it trains; null: nowhere
 */
public record TaskContext(Path dataRoot, PrintStream out, boolean showProgress, boolean drawPictures,
        List<TrainingListener> listeners, Checkpoint checkpoint) {

    /** Saves a model mid-training (atomically, beside where the final model goes). */
    @FunctionalInterface
    public interface Checkpoint {
        void save(TrainedNetwork model) throws IOException;
    }

    public TaskContext {
        listeners = List.copyOf(listeners);
    }

    /** No checkpoints. */
    public TaskContext(Path dataRoot, PrintStream out, boolean showProgress, boolean drawPictures,
            List<TrainingListener> listeners) {
        this(dataRoot, out, showProgress, drawPictures, listeners, null);
    }

    /** The same context, saving checkpoints as {@code checkpoint} says. */
    public TaskContext withCheckpoint(Checkpoint checkpoint) {
        return new TaskContext(dataRoot, out, showProgress, drawPictures, listeners, checkpoint);
    }

    /** Saves {@code model} as the best so far, where this context has a checkpoint; does nothing otherwise. */
    public void checkpoint(TrainedNetwork model) throws IOException {
        if (checkpoint != null) {
            checkpoint.save(model);
        }
    }

    /** Pictures on, no listeners. */
    public TaskContext(Path dataRoot, PrintStream out, boolean showProgress) {
        this(dataRoot, out, showProgress, true, List.of());
    }

    /** The data folder of one task: {@code dataRoot/TASK}. */
    public Path dataDir(Task<?, ?> task) {
        return dataRoot.resolve(task.name());
    }

    /** Adds the context's listeners to a network about to be trained; call it after {@code init()}. */
    public void attachListeners(MultiLayerNetwork network) {
        if (!listeners.isEmpty()) {
            network.addListeners(listeners.toArray(TrainingListener[]::new));
        }
    }
}
