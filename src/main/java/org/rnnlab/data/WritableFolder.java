package org.rnnlab.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rnnlab.BadInputException;

/**
 * A folder a run will write into, checked before the run starts, so that an output location that
 * cannot be used is bad input found in a second rather than a save that fails after the training.
 */
public final class WritableFolder {
    private WritableFolder() {
    }

    /**
     * Makes sure {@code dir} is a folder rnnlab can create files in: creates it where it is missing
     * and writes and deletes a probe file.
     *
     * @param option how the user named it ({@code --out}, {@code --data-dir}), for the message
     * @throws BadInputException naming the option, the path and what is wrong with it
     */
    public static void require(Path dir, String option) {
        if (dir.toString().isEmpty()) {
            throw new BadInputException(option + " is empty; give a folder (e.g. " + option + " models/run1)");
        }
        Path absolute = dir.toAbsolutePath().normalize();
        for (String virtual : new String[] {"/proc", "/sys", "/dev"}) {
            if (absolute.startsWith(virtual)) {
                throw new BadInputException(option + " " + dir + " is under " + virtual + ", which holds no files");
            }
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException(option + " " + dir + " is a file, not a folder");
        }
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".rnnlab-probe", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new BadInputException("cannot write to " + option + " " + dir + ": " + reason(e), e);
        }
    }

    private static String reason(Exception e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return e.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2")
                .toLowerCase(java.util.Locale.ROOT) + (message.isEmpty() ? "" : " (" + message + ")");
    }
}
