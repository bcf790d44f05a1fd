package org.rnnlab.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A task's data folder ({@code data/TASK}) and its manifest, {@code dataset.json}: the recipe
 * (generator parameters and seed) the files were made from. Data is generated again only when the
 * manifest is missing or names another recipe; generators are seeded, so the same recipe always
 * gives the same bytes.
 */
public final class DatasetFolder {
    public static final String MANIFEST = "dataset.json";

    /** Writes the data files of a recipe into a folder. */
    @FunctionalInterface
    public interface Generator {
        void writeInto(Path dir) throws IOException;
    }

    private DatasetFolder() {
    }

    /**
     * Makes sure {@code dir} holds the data of {@code recipe}.
     *
     * @param files the files the generator writes; a missing one means generating again
     * @return true when the data was (re)generated, false when the files already matched
     */
    public static boolean prepare(Path dir, Record recipe, List<String> files, Generator generator)
            throws IOException {
        Path manifest = dir.resolve(MANIFEST);
        // Through text and back, so that numbers compare as they will be read (42 is an int node, not a long).
        JsonNode wanted = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(recipe));
        boolean complete = files.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
        if (complete && Files.isRegularFile(manifest) && wanted.equals(readQuietly(manifest))) {
            return false;
        }
        Files.createDirectories(dir);
        // Drop the old manifest first: if generating fails halfway, the folder must not claim to
        // hold the old recipe's data while some files already hold the new one's.
        Files.deleteIfExists(manifest);
        generator.writeInto(dir);
        // The manifest goes last: files without one are never mistaken for complete data.
        AtomicFile.writeString(manifest, Json.MAPPER.writeValueAsString(wanted));
        return true;
    }

    private static JsonNode readQuietly(Path manifest) {
        try {
            return Json.MAPPER.readTree(manifest.toFile());
        } catch (IOException e) {
            return null; // unreadable: generate again
        }
    }
}
