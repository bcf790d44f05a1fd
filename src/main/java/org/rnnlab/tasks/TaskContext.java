package org.rnnlab.tasks;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Where a task reads and writes, and how it talks to the user.
 *
 * @param dataRoot     the folder holding one data folder per task ({@code data/} by default)
 * @param out          where results, tables and demos are printed
 * @param showProgress whether to draw a progress bar (epoch, loss, elapsed, ETA) on stderr while training
 */
public record TaskContext(Path dataRoot, PrintStream out, boolean showProgress) {

    /** The data folder of one task: {@code dataRoot/TASK}. */
    public Path dataDir(Task<?> task) {
        return dataRoot.resolve(task.name());
    }
}
