package org.rnnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.datavec.api.records.reader.SequenceRecordReader;
import org.datavec.api.writable.Writable;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator.AlignmentMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.rnnlab.BadInputException;

class LineSequenceCsvTest {
    private static final CsvShape BITS_ROW = CsvShape.rows(7, "one per bit");
    private static final CsvShape PAIR_ROW = CsvShape.rows(2, "one per bit");
    private static final CsvShape LABEL_ROW = CsvShape.rows(1, "the label");

    @TempDir
    Path dir;

    private static final BinarySumData.Recipe BITS = new BinarySumData.Recipe(42, 60, 7, BinarySumData.Target.SUM, 0.33);

    private static void writeBits(Path into, BinarySumData.Splits splits) throws IOException {
        LineSequenceCsv.write(into, "train", splits.train(), LineSequenceCsv.header("bit", 7), "sum");
        LineSequenceCsv.write(into, "validation", splits.validation(), LineSequenceCsv.header("bit", 7), "sum");
    }

    @Test
    void headerNumbersColumnsFromOne() {
        assertEquals("bit1,bit2,bit3", LineSequenceCsv.header("bit", 3));
        assertEquals("x1", LineSequenceCsv.header("x", 1));
    }

    @Test
    void sameSeedGivesTheSameBytes() throws IOException {
        // Generated twice from the same recipe, into two folders: the files must not differ by a byte,
        // or a data folder could not be checked against its recipe.
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        writeBits(a, BinarySumData.generate(BITS));
        writeBits(b, BinarySumData.generate(BITS));
        for (String split : List.of("train", "validation")) {
            assertArrayEquals(Files.readAllBytes(LineSequenceCsv.featuresFile(a, split)),
                    Files.readAllBytes(LineSequenceCsv.featuresFile(b, split)), split + " features");
            assertArrayEquals(Files.readAllBytes(LineSequenceCsv.labelsFile(a, split)),
                    Files.readAllBytes(LineSequenceCsv.labelsFile(b, split)), split + " labels");
        }
    }

    @Test
    void writingTheSameDataTwiceGivesTheSameBytes() throws IOException {
        SequenceSet set = BinarySumData.generate(BITS).train();
        LineSequenceCsv.write(dir, "s", set, "f1,f2,f3,f4,f5,f6,f7", "y");
        byte[] features = Files.readAllBytes(LineSequenceCsv.featuresFile(dir, "s"));
        byte[] labels = Files.readAllBytes(LineSequenceCsv.labelsFile(dir, "s"));
        LineSequenceCsv.write(dir, "s", set, "f1,f2,f3,f4,f5,f6,f7", "y");
        assertArrayEquals(features, Files.readAllBytes(LineSequenceCsv.featuresFile(dir, "s")));
        assertArrayEquals(labels, Files.readAllBytes(LineSequenceCsv.labelsFile(dir, "s")));
    }

    @Test
    void layoutIsHeaderThenOneSequencePerLine() throws IOException {
        SequenceSet set = new SequenceSet(
                List.of(new double[] {1, 0, 1}, new double[] {0, 0, 1}),
                List.of(new double[] {2}, new double[] {1}));
        LineSequenceCsv.write(dir, "train", set, "bit1,bit2,bit3", "sum");
        // Integers are written without a decimal point: "1", not "1.0".
        assertEquals("bit1,bit2,bit3\n1,0,1\n0,0,1\n",
                Files.readString(LineSequenceCsv.featuresFile(dir, "train"), StandardCharsets.UTF_8));
        assertEquals("sum\n2\n1\n", Files.readString(LineSequenceCsv.labelsFile(dir, "train"), StandardCharsets.UTF_8));
        assertEquals(dir.resolve("train.features.csv"), LineSequenceCsv.featuresFile(dir, "train"));
        assertEquals(dir.resolve("train.labels.csv"), LineSequenceCsv.labelsFile(dir, "train"));
    }

    @Test
    void doublesRoundTripExactlyThroughDataVec() throws IOException {
        double[] tricky = {0.1, 1.0 / 3, -2.5e-7, Math.PI, Math.sin(Math.PI * 0.1), 1e20, -123456.789, 1e-300,
            Double.MIN_VALUE, -7, 1e15};
        List<double[]> rows = new ArrayList<>();
        rows.add(tricky);
        // The sine data too: what the sine-wave task actually writes.
        SineWaveData.Splits sine = SineWaveData.generate(new SineWaveData.Recipe(4, 10, 10, 0.008, 0.2));
        List<double[]> sineRows = sine.train().features();
        for (double[] row : sineRows) {
            rows.add(row);
        }
        SequenceSet set = new SequenceSet(rows, rows);
        LineSequenceCsv.write(dir, "d", set, "header", "header");

        List<double[]> read = readBack(LineSequenceCsv.featuresFile(dir, "d"));
        assertEquals(rows.size(), read.size());
        for (int i = 0; i < rows.size(); i++) {
            // assertArrayEquals on doubles compares bit patterns: exact, no tolerance.
            assertArrayEquals(rows.get(i), read.get(i), "line " + (i + 2));
        }
        // Whole numbers stay integers on disk even among fractions.
        String line = Files.readAllLines(LineSequenceCsv.featuresFile(dir, "d")).get(1);
        assertTrue(line.contains(",-7,"), line);
    }

    /** Every sequence of a CSV file, through the same DataVec reader the tasks use. */
    private static List<double[]> readBack(Path file) throws IOException {
        List<double[]> sequences = new ArrayList<>();
        SequenceRecordReader reader = LineSequenceCsv.reader(file);
        try {
            while (reader.hasNext()) {
                List<List<Writable>> steps = reader.sequenceRecord();
                double[] values = new double[steps.size()];
                for (int t = 0; t < steps.size(); t++) {
                    assertEquals(1, steps.get(t).size(), "one value per time step");
                    values[t] = steps.get(t).get(0).toDouble();
                }
                sequences.add(values);
            }
        } finally {
            reader.close();
        }
        return sequences;
    }

    @Test
    void alignEndPutsASingleLabelAtTheLastStep() throws IOException {
        BinarySumData.Splits splits = BinarySumData.generate(BITS);
        writeBits(dir, splits);
        SequenceSet train = splits.train();
        int n = train.size();

        DataSet data = LineSequenceCsv.readAll(dir, "train", AlignmentMode.ALIGN_END, BITS_ROW, LABEL_ROW);
        assertArrayEquals(new long[] {n, 1, 7}, data.getFeatures().shape());
        assertArrayEquals(new long[] {n, 1, 7}, data.getLabels().shape());
        INDArray mask = data.getLabelsMaskArray();
        assertArrayEquals(new long[] {n, 7}, mask.shape());
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < 7; t++) {
                assertEquals(t == 6 ? 1.0 : 0.0, mask.getDouble(i, t), "mask of sequence " + i + " step " + t);
                assertEquals(train.features().get(i)[t], data.getFeatures().getDouble(i, 0, t), "bit " + i + "," + t);
            }
            assertEquals(train.labels().get(i)[0], data.getLabels().getDouble(i, 0, 6), "sum of sequence " + i);
        }
        // Every input step is real: a features mask, if DataVec adds one, is all ones.
        INDArray featuresMask = data.getFeaturesMaskArray();
        if (featuresMask != null) {
            assertEquals(n * 7.0, featuresMask.sumNumber().doubleValue());
        }
    }

    @Test
    void equalLengthKeepsALabelPerStep() throws IOException {
        SineWaveData.Splits splits = SineWaveData.generate(new SineWaveData.Recipe(42, 100, 10, 0.008, 0.2));
        LineSequenceCsv.write(dir, "validation", splits.validation(), LineSequenceCsv.header("x", 10),
                LineSequenceCsv.header("next", 10));
        DataSet data = LineSequenceCsv.readAll(dir, "validation", AlignmentMode.EQUAL_LENGTH,
                CsvShape.rows(10, "one per step"), CsvShape.rows(10, "one per step"));
        assertArrayEquals(new long[] {20, 1, 10}, data.getFeatures().shape());
        assertArrayEquals(new long[] {20, 1, 10}, data.getLabels().shape());
        INDArray mask = data.getLabelsMaskArray();
        if (mask != null) {
            assertEquals(20 * 10.0, mask.sumNumber().doubleValue(), "labels mask must be all ones");
        }
        for (int i = 0; i < 20; i++) {
            for (int t = 0; t < 10; t++) {
                // The DataSet is in ND4J's default (float) precision.
                assertEquals(splits.validation().labels().get(i)[t], data.getLabels().getDouble(i, 0, t), 1e-6);
                assertEquals(splits.validation().features().get(i)[t], data.getFeatures().getDouble(i, 0, t), 1e-6);
            }
        }
    }

    @Test
    void readAllOfAHeaderOnlyFileIsBadInput() throws IOException {
        Files.writeString(LineSequenceCsv.featuresFile(dir, "empty"), "bit1,bit2\n");
        Files.writeString(LineSequenceCsv.labelsFile(dir, "empty"), "sum\n");
        BadInputException e = assertThrows(BadInputException.class,
                () -> LineSequenceCsv.readAll(dir, "empty", AlignmentMode.ALIGN_END, PAIR_ROW, LABEL_ROW));
        assertTrue(e.getMessage().contains("empty.features.csv"), e.getMessage());
    }

    @Test
    void readAllOfBlankRowsWithoutLabelsIsBadInput() throws IOException {
        Files.writeString(LineSequenceCsv.featuresFile(dir, "blank"), "bit1,bit2\n\n  \n");
        Files.writeString(LineSequenceCsv.labelsFile(dir, "blank"), "sum\n");
        assertThrows(BadInputException.class, () -> LineSequenceCsv.readAll(dir, "blank", AlignmentMode.ALIGN_END, PAIR_ROW, LABEL_ROW));
    }

    @Test
    void readAllRejectsFeatureAndLabelFilesOfDifferentLengths() throws IOException {
        Files.writeString(LineSequenceCsv.featuresFile(dir, "ragged"), "bit1,bit2\n1,0\n0,1\n1,1\n");
        Files.writeString(LineSequenceCsv.labelsFile(dir, "ragged"), "sum\n1\n1\n");
        BadInputException e = assertThrows(BadInputException.class,
                () -> LineSequenceCsv.readAll(dir, "ragged", AlignmentMode.ALIGN_END, PAIR_ROW, LABEL_ROW));
        assertTrue(e.getMessage().contains("3 sequences") && e.getMessage().contains("2 labels"), e.getMessage());
    }

    @Test
    void readAllTurnsANonNumericCellIntoBadInput() throws IOException {
        Files.writeString(LineSequenceCsv.featuresFile(dir, "text"), "bit1,bit2\n1,zero\n");
        Files.writeString(LineSequenceCsv.labelsFile(dir, "text"), "sum\n1\n");
        BadInputException e = assertThrows(BadInputException.class,
                () -> LineSequenceCsv.readAll(dir, "text", AlignmentMode.ALIGN_END, PAIR_ROW, LABEL_ROW));
        assertTrue(e.getMessage().contains("not a number"), e.getMessage());
    }
}
