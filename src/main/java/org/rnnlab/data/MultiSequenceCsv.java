package org.rnnlab.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.datavec.api.writable.Writable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.datavec.api.records.reader.SequenceRecordReader;
import org.datavec.api.records.reader.impl.csv.CSVMultiSequenceRecordReader;
import org.datavec.api.split.FileSplit;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator.AlignmentMode;
import org.nd4j.linalg.dataset.DataSet;
import org.rnnlab.BadInputException;

/**
 * Multivariate sequences in one CSV file, the layout of DataVec's
 * {@link CSVMultiSequenceRecordReader}: a comment line, then one block per sequence, blocks
 * separated by an empty line. Within a block, line {@code k} holds feature {@code k} at every time
 * step, so a sequence of 2-D points of length 3 is two lines of 3 values. Sequences may differ in
 * length; lines of one block may not.
 *
 * <p>A split is {@code NAME.features.csv} in this layout and {@code NAME.labels.csv} in the same
 * layout or, for one label per sequence, in {@link LineSequenceCsv}'s (one line per sequence).
 * Variable lengths become DataVec masks: DL4J pads the shorter sequences of a minibatch and masks the
 * padding, so the loss never sees it.
 */
public final class MultiSequenceCsv {
    private static final String SEPARATOR = "^$";

    private MultiSequenceCsv() {
    }

    /**
     * Writes sequences, each as [feature][time step], atomically.
     *
     * @param comment the first line, without the leading "# ": what the lines of a block are
     */
    public static void write(Path file, String comment, List<double[][]> sequences) throws IOException {
        StringBuilder text = new StringBuilder("# ").append(comment).append('\n');
        for (int s = 0; s < sequences.size(); s++) {
            if (s > 0) {
                text.append('\n');
            }
            for (double[] feature : sequences.get(s)) {
                for (int t = 0; t < feature.length; t++) {
                    text.append(t > 0 ? "," : "").append(LineSequenceCsv.format(feature[t]));
                }
                text.append('\n');
            }
        }
        AtomicFile.write(file, out -> out.write(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** A DataVec reader over one such file, past its comment line. */
    public static SequenceRecordReader reader(Path file) throws IOException {
        SequenceRecordReader reader = new CSVMultiSequenceRecordReader(1, ',', '"', SEPARATOR,
                CSVMultiSequenceRecordReader.Mode.EQUAL_LENGTH, null);
        try {
            reader.initialize(new FileSplit(file.toFile()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening " + file, e);
        }
        return reader;
    }

    /** Features alone, for sequences of equal length: [n, features, T], the file first checked against {@code shape}. */
    public static INDArray readFeatures(Path file, CsvShape shape, DataType type) throws IOException {
        if (shape.check(file) == 0) {
            throw new BadInputException(file + " holds no sequences");
        }
        SequenceRecordReader reader = reader(file);
        List<INDArray> sequences = new ArrayList<>();
        while (reader.hasNext()) {
            List<List<Writable>> steps = reader.sequenceRecord();
            int features = steps.get(0).size();
            INDArray sequence = Nd4j.create(type, 1, features, steps.size());
            for (int t = 0; t < steps.size(); t++) {
                for (int k = 0; k < features; k++) {
                    try {
                        sequence.putScalar(0, k, t, steps.get(t).get(k).toDouble());
                    } catch (NumberFormatException e) {
                        throw new BadInputException(file + ": '" + steps.get(t).get(k) + "' is not a number", e);
                    }
                }
            }
            sequences.add(sequence);
        }
        if (sequences.isEmpty()) {
            throw new BadInputException(file + " holds no sequences");
        }
        return Nd4j.concat(0, sequences.toArray(new INDArray[0]));
    }

    /**
     * A whole split as one DataSet: features [n, features, maxLength] with a features mask when
     * lengths differ, and labels from {@code labelsFile}, in the row or the block layout as
     * {@code labelShape} says. Both files are first checked against their shapes.
     */
    public static DataSet readAll(Path features, CsvShape featureShape, Path labelsFile, CsvShape labelShape,
            AlignmentMode alignment) throws IOException {
        int sequences = featureShape.check(features);
        if (sequences == 0) {
            throw new BadInputException(features + " holds no sequences");
        }
        int labelCount = labelShape.check(labelsFile);
        if (labelCount != sequences) {
            throw new BadInputException(features + " holds " + sequences + " sequences but " + labelsFile + " holds "
                    + labelCount + (labelShape.linesPerBlock() == 0 ? " labels" : " label sequences"));
        }
        SequenceRecordReader labels = labelShape.linesPerBlock() == 0 ? LineSequenceCsv.reader(labelsFile)
                : reader(labelsFile);
        try {
            DataSet data = new SequenceRecordReaderDataSetIterator(reader(features), labels, sequences, -1, true, alignment)
                    .next();
            if (data.numExamples() != sequences || labels.hasNext()) {
                throw new BadInputException(features + " holds " + sequences + " sequences but its labels file holds "
                        + (labels.hasNext() ? "more" : "fewer"));
            }
            return data;
        } catch (java.util.NoSuchElementException e) {
            throw new BadInputException(features + " holds " + sequences + " sequences but its labels file holds fewer", e);
        } catch (NumberFormatException e) {
            throw new BadInputException("a cell in " + features + " or its labels is not a number: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new BadInputException(features + ": " + e.getMessage(), e);
        }
    }
}
