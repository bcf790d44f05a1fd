package org.rnnlab.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.datavec.api.records.reader.SequenceRecordReader;
import org.datavec.api.records.reader.impl.csv.CSVLineSequenceRecordReader;
import org.datavec.api.split.FileSplit;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator.AlignmentMode;
import org.nd4j.linalg.dataset.DataSet;
import org.rnnlab.BadInputException;

/**
 * Univariate sequences stored one per CSV line, behind one header line: {@code t1,t2,...}. This is
 * the layout of DataVec's {@link CSVLineSequenceRecordReader}, which turns each line into a
 * sequence with one value per time step.
 *
 * <p>A split is two files side by side, {@code NAME.features.csv} and {@code NAME.labels.csv}, line
 * {@code i} of one belonging to line {@code i} of the other. Labels are either a full sequence
 * (many-to-many, {@link AlignmentMode#EQUAL_LENGTH}) or a single value that belongs to the last
 * time step (many-to-one, {@link AlignmentMode#ALIGN_END}: DataVec adds the label mask).
 */
public final class LineSequenceCsv {
    private LineSequenceCsv() {
    }

    public static Path featuresFile(Path dir, String split) {
        return dir.resolve(split + ".features.csv");
    }

    public static Path labelsFile(Path dir, String split) {
        return dir.resolve(split + ".labels.csv");
    }

    /** The file names of these splits, features and labels each. */
    public static List<String> fileNames(String... splits) {
        List<String> names = new ArrayList<>();
        for (String split : splits) {
            names.add(split + ".features.csv");
            names.add(split + ".labels.csv");
        }
        return names;
    }

    /** Writes a split as its two CSV files, each atomically. */
    public static void write(Path dir, String split, SequenceSet set, String featureHeader, String labelHeader)
            throws IOException {
        writeLines(featuresFile(dir, split), featureHeader, set.features());
        writeLines(labelsFile(dir, split), labelHeader, set.labels());
    }

    /** The header {@code prefix1,prefix2,...,prefixN}. */
    public static String header(String prefix, int columns) {
        StringBuilder header = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
            header.append(i > 1 ? "," : "").append(prefix).append(i);
        }
        return header.toString();
    }

    /**
     * Writes one file of this layout atomically: a header, then one row per line. Alone, it writes
     * the labels of features stored another way (one label per line beside {@link MultiSequenceCsv}).
     */
    public static void writeLines(Path file, String header, List<double[]> rows) throws IOException {
        StringBuilder text = new StringBuilder(header).append('\n');
        for (double[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                text.append(i > 0 ? "," : "").append(format(row[i]));
            }
            text.append('\n');
        }
        AtomicFile.write(file, out -> out.write(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** Whole numbers without a decimal point (bits and sums stay readable), others exactly enough to read back. */
    static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    /** A DataVec reader over one CSV file of line sequences, past its header. */
    public static SequenceRecordReader reader(Path file) throws IOException {
        SequenceRecordReader reader = new CSVLineSequenceRecordReader(1, ',');
        try {
            reader.initialize(new FileSplit(file.toFile()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening " + file, e);
        }
        return reader;
    }

    /** DataSets of {@code batchSize} sequences: features [batch, 1, T], labels [batch, 1, T] with masks as needed. */
    public static SequenceRecordReaderDataSetIterator iterator(Path dir, String split, int batchSize,
            AlignmentMode alignment) throws IOException {
        return new SequenceRecordReaderDataSetIterator(
                reader(featuresFile(dir, split)), reader(labelsFile(dir, split)),
                batchSize, -1, true, alignment);
    }

    /**
     * The whole split as one DataSet, read once. The data sets here are small; training from memory
     * also avoids re-parsing the CSV every epoch, which cost more than the training step itself
     * (measurements: docs/tasks.md, "How the tasks are trained"). Both files are first checked
     * against the shapes the task's recipe gives them, so that DataVec never reads a row it would
     * pad, a NaN, or a row far wider than the recipe.
     */
    public static DataSet readAll(Path dir, String split, AlignmentMode alignment, CsvShape features,
            CsvShape labels) throws IOException {
        Path featuresFile = featuresFile(dir, split);
        Path labelsFile = labelsFile(dir, split);
        int sequences = features.check(featuresFile);
        int labelRows = labels.check(labelsFile);
        if (sequences == 0) {
            throw new BadInputException(featuresFile + " holds no sequences");
        }
        if (labelRows != sequences) {
            throw new BadInputException(featuresFile + " holds " + sequences + " sequences but "
                    + labelsFile + " holds " + labelRows + " labels");
        }
        try {
            return iterator(dir, split, sequences, alignment).next();
        } catch (NumberFormatException e) {
            throw new BadInputException("a cell in " + dir.resolve(split) + ".*.csv is not a number: "
                    + e.getMessage(), e);
        }
    }
}
