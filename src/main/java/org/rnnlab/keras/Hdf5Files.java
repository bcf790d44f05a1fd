package org.rnnlab.keras;

import java.nio.file.Path;
import org.bytedeco.hdf5.global.hdf5;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

/**
 * Opening HDF5 files through DL4J's {@link Hdf5Archive} without HDF5's own error printing: the
 * native library writes its whole error stack to stderr on a failed open, where rnnlab says one line.
 */
final class Hdf5Files {
    private static volatile boolean quiet;

    private Hdf5Files() {
    }

    static Hdf5Archive open(Path file) {
        silence();
        return new Hdf5Archive(file.toString());
    }

    /** Turns off HDF5's automatic error printing, once per process. */
    static void silence() {
        if (!quiet) {
            synchronized (Hdf5Archive.LOCK_OBJECT) {
                hdf5.H5Eset_auto2(hdf5.H5E_DEFAULT, null, null);
                quiet = true;
            }
        }
    }

    /** The first line of an HDF5 or importer failure, for a one-line message. */
    static String reason(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message).strip();
    }
}
