package org.rnnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.rnnlab.data.BinaryAdditionData.Pair;
import org.rnnlab.data.BinaryAdditionData.Recipe;

class BinaryAdditionDataTest {
    @TempDir
    Path dir;

    @Test
    void bitsRunLeastSignificantFirstAndDecodeBack() {
        // 82 = 0b01010010: bit 0 (the first time step) is 0, bit 1 is 1, ...
        assertArrayEquals(new double[] {0, 1, 0, 0, 1, 0, 1, 0}, BinaryAdditionData.bits(82), 0);
        assertArrayEquals(new double[] {1, 1, 1, 1, 0, 1, 0, 0}, BinaryAdditionData.bits(47), 0);
        assertEquals("0 1 0 1 0 0 1 0", BinaryAdditionData.mostSignificantFirst(BinaryAdditionData.bits(82)));
        for (int n = 0; n < 256; n++) {
            assertEquals(n, BinaryAdditionData.decode(BinaryAdditionData.bits(n)));
        }
        // Outputs are read as 1 from 0.5 up, as the seed's np.round does (bar its round-half-to-even).
        assertEquals(82, BinaryAdditionData.decode(new double[] {0.1, 0.9, 0.49, 0, 0.5, 0.2, 0.99, 0.01}));
    }

    @Test
    void trainingPairsAreSeededAndInRange() {
        List<Pair> pairs = BinaryAdditionData.trainingPairs(new Recipe(42, 4000));
        assertEquals(pairs, BinaryAdditionData.trainingPairs(new Recipe(42, 4000)));
        assertFalse(pairs.equals(BinaryAdditionData.trainingPairs(new Recipe(43, 4000))), "seeds 42 and 43 drew the same pairs");
        int smallest = Integer.MAX_VALUE;
        int largest = Integer.MIN_VALUE;
        for (Pair pair : pairs) {
            smallest = Math.min(smallest, Math.min(pair.a(), pair.b()));
            largest = Math.max(largest, Math.max(pair.a(), pair.b()));
        }
        // Both ends of 0..127 occur (a generator of 0..126 or 1..127 would fail here).
        assertEquals(0, smallest);
        assertEquals(127, largest);
    }

    @Test
    void allPairsHoldsEachOf128By128Once() {
        List<Pair> pairs = BinaryAdditionData.allPairs();
        assertEquals(16384, pairs.size());
        Set<Pair> distinct = new HashSet<>(pairs);
        assertEquals(16384, distinct.size());
        assertTrue(distinct.contains(new Pair(0, 0)) && distinct.contains(new Pair(127, 127)));
        assertThrows(IllegalArgumentException.class, () -> new Pair(128, 0));
        assertThrows(IllegalArgumentException.class, () -> new Pair(0, -1));
    }

    @Test
    void theFilesSayWhatTheyHoldAndDataVecReadsThemBack() throws IOException {
        BinaryAdditionData.write(dir, "some", List.of(new Pair(47, 35), new Pair(127, 1)));
        assertEquals("# per pair: the bits of a, then of b, least significant first\n"
                + "1,1,1,1,0,1,0,0\n1,1,0,0,0,1,0,0\n\n1,1,1,1,1,1,1,0\n1,0,0,0,0,0,0,0\n",
                Files.readString(BinaryAdditionData.featuresFile(dir, "some")));
        assertEquals("# per pair: the bits of a + b, least significant first\n0,1,0,0,1,0,1,0\n\n0,0,0,0,0,0,0,1\n",
                Files.readString(BinaryAdditionData.labelsFile(dir, "some")));

        DataSet data = BinaryAdditionData.read(dir, "some");
        assertArrayEquals(new long[] {2, 2, 8}, data.getFeatures().shape());
        assertArrayEquals(new long[] {2, 1, 8}, data.getLabels().shape());
        assertEquals(null, data.getFeaturesMaskArray(), "equal lengths: no masks");
        assertArrayEquals(BinaryAdditionData.bits(47), row(data, true, 0, 0), 0);
        assertArrayEquals(BinaryAdditionData.bits(35), row(data, true, 0, 1), 0);
        assertArrayEquals(BinaryAdditionData.bits(82), row(data, false, 0, 0), 0);
        assertArrayEquals(BinaryAdditionData.bits(128), row(data, false, 1, 0), 0);
    }

    @Test
    void everyLabelIsTheSumOfItsInputs() throws IOException {
        List<Pair> pairs = BinaryAdditionData.trainingPairs(new Recipe(7, 500));
        BinaryAdditionData.write(dir, "train", pairs);
        DataSet data = BinaryAdditionData.read(dir, "train");
        assertEquals(500, data.numExamples());
        for (int i = 0; i < pairs.size(); i++) {
            int a = BinaryAdditionData.decode(row(data, true, i, 0));
            int b = BinaryAdditionData.decode(row(data, true, i, 1));
            assertEquals(pairs.get(i), new Pair(a, b), "pair " + i + " in file order");
            assertEquals(a + b, BinaryAdditionData.decode(row(data, false, i, 0)), "pair " + i);
        }
    }

    @Test
    void theSameRecipeWritesTheSameBytes() throws IOException {
        List<String> files = BinaryAdditionData.fileNames("train", BinaryAdditionData.ALL_PAIRS);
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        Path other = dir.resolve("other");
        prepare(first, new Recipe(5, 300), files);
        prepare(second, new Recipe(5, 300), files);
        prepare(other, new Recipe(6, 300), files);
        for (String file : files) {
            assertArrayEquals(Files.readAllBytes(first.resolve(file)), Files.readAllBytes(second.resolve(file)), file);
        }
        assertArrayEquals(Files.readAllBytes(first.resolve(DatasetFolder.MANIFEST)),
                Files.readAllBytes(second.resolve(DatasetFolder.MANIFEST)));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(first.resolve("train.features.csv")),
                Files.readAllBytes(other.resolve("train.features.csv"))), "another seed, other pairs");
        // The all-pairs set does not depend on the seed.
        assertArrayEquals(Files.readAllBytes(first.resolve("all-pairs.features.csv")),
                Files.readAllBytes(other.resolve("all-pairs.features.csv")));
    }

    private static void prepare(Path into, Recipe recipe, List<String> files) throws IOException {
        assertTrue(DatasetFolder.prepare(into, recipe, files, d -> {
            BinaryAdditionData.write(d, "train", BinaryAdditionData.trainingPairs(recipe));
            BinaryAdditionData.write(d, BinaryAdditionData.ALL_PAIRS, BinaryAdditionData.allPairs());
        }));
    }

    /** One line of a sequence over time: a feature channel (0 = a, 1 = b) or the label. */
    private static double[] row(DataSet data, boolean features, int sequence, int channel) {
        return (features ? data.getFeatures() : data.getLabels()).get(point(sequence), point(channel), all())
                .toDoubleVector();
    }
}
