package org.rnnlab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFolderTest {
    private static final List<String> FILES =
            List.of("train.features.csv", "train.labels.csv", "validation.features.csv", "validation.labels.csv");

    @TempDir
    Path root;

    /** The binary-sum generator, counting how often it runs. */
    private final class CountingGenerator implements DatasetFolder.Generator {
        private final BinarySumData.Recipe recipe;
        int runs;

        CountingGenerator(BinarySumData.Recipe recipe) {
            this.recipe = recipe;
        }

        @Override
        public void writeInto(Path dir) throws IOException {
            runs++;
            BinarySumData.Splits splits = BinarySumData.generate(recipe);
            LineSequenceCsv.write(dir, "train", splits.train(), LineSequenceCsv.header("bit", recipe.length()), "sum");
            LineSequenceCsv.write(dir, "validation", splits.validation(), LineSequenceCsv.header("bit", recipe.length()),
                    "sum");
        }
    }

    private static BinarySumData.Recipe recipe(long seed) {
        return new BinarySumData.Recipe(seed, 30, 7, BinarySumData.Target.SUM, 0.33);
    }

    private boolean prepare(Path dir, BinarySumData.Recipe recipe, CountingGenerator generator) throws IOException {
        return DatasetFolder.prepare(dir, recipe, FILES, generator);
    }

    @Test
    void filesEditedByHandAreUsedAsTheyAreAndSaidSo() throws IOException {
        Path dir = root.resolve("edited/binary-sum");
        CountingGenerator generator = new CountingGenerator(recipe(42));
        assertTrue(prepare(dir, recipe(42), generator));
        assertTrue(Files.readString(dir.resolve(DatasetFolder.CHECKSUMS)).contains("  train.features.csv"),
                "a sha256sum line per file");

        java.io.ByteArrayOutputStream notices = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = new java.io.PrintStream(notices, true, java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(DatasetFolder.prepare(dir, recipe(42), FILES, generator, out));
        assertEquals("", notices.toString(java.nio.charset.StandardCharsets.UTF_8), "untouched files: no note");

        Path edited = dir.resolve("train.features.csv");
        Files.writeString(edited, Files.readString(edited).replaceFirst("\n1,", "\n0,"));
        assertFalse(DatasetFolder.prepare(dir, recipe(42), FILES, generator, out), "the user's file is kept");
        String note = notices.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(note.startsWith("note: " + edited + " differs from what dataset.json's recipe generated"), note);
        assertEquals(1, generator.runs, "nothing regenerated over the user's file");

        Files.delete(dir.resolve(DatasetFolder.CHECKSUMS)); // a folder from before checksums: nothing to compare
        notices.reset();
        assertFalse(DatasetFolder.prepare(dir, recipe(42), FILES, generator, out));
        assertEquals("", notices.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void generatesOnceForTheSameRecipe() throws IOException {
        Path dir = root.resolve("data/binary-sum"); // does not exist yet
        CountingGenerator generator = new CountingGenerator(recipe(42));
        assertTrue(prepare(dir, recipe(42), generator), "first call generates");
        for (String file : FILES) {
            assertTrue(Files.isRegularFile(dir.resolve(file)), file);
        }
        // An equal recipe, built anew: compared by value, not identity.
        assertFalse(prepare(dir, recipe(42), generator), "second call with an equal recipe reuses the files");
        assertEquals(1, generator.runs);
    }

    @Test
    void writesTheRecipeAsManifest() throws IOException {
        Path dir = root.resolve("d");
        prepare(dir, recipe(42), new CountingGenerator(recipe(42)));
        Path manifest = dir.resolve(DatasetFolder.MANIFEST);
        assertEquals("dataset.json", DatasetFolder.MANIFEST);
        assertTrue(Files.isRegularFile(manifest));
        JsonNode json = Json.MAPPER.readTree(manifest.toFile());
        assertEquals(42, json.get("seed").asLong());
        assertEquals(30, json.get("sequences").asInt());
        assertEquals(7, json.get("length").asInt());
        assertEquals("SUM", json.get("target").asText());
        assertEquals(0.33, json.get("validationShare").asDouble(), 0.0);
    }

    @Test
    void regeneratesWhenTheRecipeDiffers() throws IOException {
        Path dir = root.resolve("d");
        CountingGenerator first = new CountingGenerator(recipe(1));
        assertTrue(prepare(dir, recipe(1), first));
        byte[] before = Files.readAllBytes(dir.resolve("train.features.csv"));

        CountingGenerator second = new CountingGenerator(recipe(2));
        assertTrue(prepare(dir, recipe(2), second), "another seed means other data");
        assertEquals(1, second.runs);
        assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(dir.resolve("train.features.csv"))));
        assertEquals(2, Json.MAPPER.readTree(dir.resolve(DatasetFolder.MANIFEST).toFile()).get("seed").asInt());
        // ... and the new recipe is now the one on disk.
        assertFalse(prepare(dir, recipe(2), second));
    }

    @Test
    void regeneratesWhenAListedFileWasDeleted() throws IOException {
        Path dir = root.resolve("d");
        CountingGenerator generator = new CountingGenerator(recipe(42));
        prepare(dir, recipe(42), generator);
        Files.delete(dir.resolve("validation.labels.csv"));
        assertTrue(prepare(dir, recipe(42), generator));
        assertEquals(2, generator.runs);
        assertTrue(Files.isRegularFile(dir.resolve("validation.labels.csv")));
    }

    @Test
    void regeneratesWhenTheManifestIsMissingOrUnreadable() throws IOException {
        Path dir = root.resolve("d");
        CountingGenerator generator = new CountingGenerator(recipe(42));
        prepare(dir, recipe(42), generator);
        Files.delete(dir.resolve(DatasetFolder.MANIFEST));
        assertTrue(prepare(dir, recipe(42), generator), "files without a manifest are not trusted");
        Files.writeString(dir.resolve(DatasetFolder.MANIFEST), "{ not json");
        assertTrue(prepare(dir, recipe(42), generator), "a corrupt manifest means generating again");
        assertEquals(3, generator.runs);
        assertFalse(prepare(dir, recipe(42), generator));
    }

    @Test
    void aFailedGenerationLeavesNoManifest() throws IOException {
        Path dir = root.resolve("fresh");
        DatasetFolder.Generator failing = into -> {
            Files.writeString(into.resolve("train.features.csv"), "bit1\n1\n");
            throw new IOException("disk full");
        };
        IOException e = assertThrows(IOException.class, () -> DatasetFolder.prepare(dir, recipe(42), FILES, failing));
        assertEquals("disk full", e.getMessage());
        // Without a manifest the half-written folder is never taken for complete data.
        assertFalse(Files.exists(dir.resolve(DatasetFolder.MANIFEST)));
        CountingGenerator generator = new CountingGenerator(recipe(42));
        assertTrue(prepare(dir, recipe(42), generator));
    }

    @Test
    void recipesWithLargeSeedsAndWholeDoublesMatchTheirManifest() throws IOException {
        // Numbers compare as read back from text: a long seed beyond int range and a double that is a
        // whole number (noise 0.0) must still count as equal on the second call.
        SineWaveData.Recipe sine = new SineWaveData.Recipe(5_000_000_000L, 10, 10, 0.0, 0.2);
        Path dir = root.resolve("sine");
        int[] runs = {0};
        DatasetFolder.Generator generator = into -> {
            runs[0]++;
            for (String file : FILES) {
                Files.writeString(into.resolve(file), "x\n");
            }
        };
        assertTrue(DatasetFolder.prepare(dir, sine, FILES, generator));
        assertFalse(DatasetFolder.prepare(dir, new SineWaveData.Recipe(5_000_000_000L, 10, 10, 0.0, 0.2), FILES,
                generator));
        assertTrue(DatasetFolder.prepare(dir, new SineWaveData.Recipe(5_000_000_000L, 10, 10, 0.0, 0.25), FILES,
                generator));
        assertEquals(2, runs[0]);
    }
}
