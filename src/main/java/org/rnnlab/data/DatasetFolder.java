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
 * gives the same bytes. Beside it, {@code dataset.sha256} holds each generated file's SHA-256 (the
 * format {@code sha256sum -c} checks): a file edited or replaced by hand is trained on as it is,
 * and said so, rather than silently.
 */
public final class DatasetFolder {
    public static final String MANIFEST = "dataset.json";
    public static final String CHECKSUMS = "dataset.sha256";

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
        return prepare(dir, recipe, files, generator, System.err);
    }

    /**
     * The same, saying on {@code notices} which files differ from what the recipe generated.
     *
     * @return true when the data was (re)generated, false when the files on disk are used
     */
    public static boolean prepare(Path dir, Record recipe, List<String> files, Generator generator,
            java.io.PrintStream notices) throws IOException {
        Path manifest = dir.resolve(MANIFEST);
        // Through text and back, so that numbers compare as they will be read (42 is an int node, not a long).
        JsonNode wanted = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(recipe));
        boolean complete = files.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
        if (complete && Files.isRegularFile(manifest) && wanted.equals(readQuietly(manifest))) {
            List<String> edited = edited(dir, files);
            if (!edited.isEmpty()) {
                notices.println("note: " + String.join(", ", edited.stream().map(f -> dir.resolve(f).toString()).toList())
                        + (edited.size() == 1 ? " differs" : " differ") + " from what " + MANIFEST + "'s recipe generated;"
                        + " training on the files as they are (delete " + dir.resolve(MANIFEST) + " to generate them"
                        + " again)");
            }
            return false;
        }
        Files.createDirectories(dir);
        // Drop the old manifest first: if generating fails halfway, the folder must not claim to
        // hold the old recipe's data while some files already hold the new one's.
        Files.deleteIfExists(manifest);
        Files.deleteIfExists(dir.resolve(CHECKSUMS));
        generator.writeInto(dir);
        StringBuilder sums = new StringBuilder();
        for (String file : files) {
            sums.append(Sha256.of(dir.resolve(file))).append("  ").append(file).append('\n');
        }
        AtomicFile.writeString(dir.resolve(CHECKSUMS), sums.toString());
        // The manifest goes last: files without one are never mistaken for complete data.
        AtomicFile.writeString(manifest, Json.MAPPER.writeValueAsString(wanted));
        return true;
    }

    /**
     * The files whose SHA-256 differs from the one recorded when they were generated; none where no
     * checksums were recorded (folders generated before rnnlab recorded them).
     */
    static List<String> edited(Path dir, List<String> files) throws IOException {
        Path sums = dir.resolve(CHECKSUMS);
        if (!Files.isRegularFile(sums)) {
            return List.of();
        }
        java.util.Map<String, String> recorded = new java.util.HashMap<>();
        for (String line : Files.readAllLines(sums)) {
            String[] parts = line.split("  ", 2);
            if (parts.length == 2) {
                recorded.put(parts[1], parts[0]);
            }
        }
        List<String> edited = new java.util.ArrayList<>();
        for (String file : files) {
            String hash = recorded.get(file);
            if (hash != null && !hash.equals(Sha256.of(dir.resolve(file)))) {
                edited.add(file);
            }
        }
        return edited;
    }

    private static JsonNode readQuietly(Path manifest) {
        try {
            return Json.MAPPER.readTree(manifest.toFile());
        } catch (IOException e) {
            return null; // unreadable: generate again
        }
    }
}
