package org.rnnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator.AlignmentMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.rnnlab.BadInputException;

class MultiSequenceCsvTest {
    private static final CsvShape VARIABLE = CsvShape.blocks(2, 1, 8, "one per point");
    private static final CsvShape LABEL = CsvShape.rows(1, "the label");

    @TempDir
    Path dir;

    @Test
    void variableLengthTwoFeatureSequencesBecomeMaskedDataSets() throws IOException {
        Path features = dir.resolve("train.features.csv");
        MultiSequenceCsv.write(features, "x1 then x2 over time", List.of(
                new double[][] {{0.5, 1, 2}, {0, 0.25, 3}},
                new double[][] {{7, 8}, {9, 10}}));
        assertEquals("# x1 then x2 over time\n0.5,1,2\n0,0.25,3\n\n7,8\n9,10\n", Files.readString(features));
        assertEquals(2, VARIABLE.check(features));

        // Labels one per line, beside features of another split name so that nothing is overwritten.
        LineSequenceCsv.write(dir, "labels-only", new SequenceSet(List.of(new double[] {0}, new double[] {0}),
                List.of(new double[] {1}, new double[] {0})), "unused", "label");
        DataSet data = MultiSequenceCsv.readAll(features, VARIABLE, LineSequenceCsv.labelsFile(dir, "labels-only"),
                LABEL, AlignmentMode.ALIGN_END);

        assertArrayEquals(new long[] {2, 2, 3}, data.getFeatures().shape());
        assertArrayEquals(new double[] {0.5, 1, 2}, data.getFeatures().get(point(0), point(0), all()).toDoubleVector(), 0);
        assertArrayEquals(new double[] {9, 10, 0}, data.getFeatures().get(point(1), point(1), all()).toDoubleVector(), 0);
        // The shorter sequence is padded at its end and masked there; each label sits at its sequence's last step.
        assertArrayEquals(new double[] {1, 1, 0}, data.getFeaturesMaskArray().getRow(1).toDoubleVector(), 0);
        assertArrayEquals(new double[] {0, 0, 1}, data.getLabelsMaskArray().getRow(0).toDoubleVector(), 0);
        assertArrayEquals(new double[] {0, 1, 0}, data.getLabelsMaskArray().getRow(1).toDoubleVector(), 0);
        assertEquals(1.0, data.getLabels().getDouble(0, 0, 2), 0);
    }

    @Test
    void anEmptyFileAndRaggedBlocksAreBadInput() throws IOException {
        Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, "# nothing\n");
        Path labels = dir.resolve("labels.csv");
        Files.writeString(labels, "label\n1\n");
        assertThrows(BadInputException.class, () -> MultiSequenceCsv.readAll(empty, VARIABLE, labels, LABEL,
                AlignmentMode.ALIGN_END));

        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "# x1, x2\n1,2,3\n4,5\n");
        assertThrows(BadInputException.class, () -> MultiSequenceCsv.readAll(ragged, VARIABLE, labels, LABEL,
                AlignmentMode.ALIGN_END));
    }

    @Test
    void aLabelsFileWithMoreOrFewerSequencesIsBadInput() throws IOException {
        Path features = dir.resolve("two.csv");
        Files.writeString(features, "# x1, x2\n1,2\n3,4\n\n5\n6\n");
        for (String labelRows : new String[] {"label\n1\n", "label\n1\n0\n1\n"}) {
            Path labels = dir.resolve("labels.csv");
            Files.writeString(labels, labelRows);
            BadInputException e = assertThrows(BadInputException.class, () -> MultiSequenceCsv.readAll(features,
                    VARIABLE, labels, LABEL, AlignmentMode.ALIGN_END));
            assertTrue(e.getMessage().contains("holds 2 sequences but"), e.getMessage());
        }
    }
}
