package org.rnnlab.layers;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The input products of a recurrent layer whose input rows are one-hot (char-rnn's characters), as
 * row look-ups instead of matrix products.
 *
 * <p>When row r of X is zero except for a 1 in column k, row r of X W is row k of W, and X^T delta
 * adds row r of delta into row k. For char-rnn (2,400 rows of 80 columns a chunk) the look-ups cost
 * a fraction of the two OpenBLAS products, because they skip the 79 zeros of every row
 * (measurements: docs/fast-layers.md, "Measured costs behind the layers").
 *
 * <p>{@link #read} decides per input: any other value, or a second 1 in a row, and the layer uses the
 * products. A row of zeros (no character) is allowed and contributes nothing. Floats only.
 */
final class OneHotRows {
    /** Values of delta read at a time: 16 kB, well inside a core's first-level cache. */
    private static final int BLOCK_VALUES = 4096;
    private float[] values = new float[0];
    private int[] columns = new int[0];
    private int rows;
    private float[] work = new float[0];
    private float[] weights = new float[0];
    private float[] sums = new float[0];
    /** W and dW as c-ordered [nIn, units] (DL4J keeps W in 'f' order) and b, db as [1, units]. */
    private INDArray weightRows;
    private INDArray biasRow;

    /**
     * Reads the time-major input rows x [rows, width]; returns whether every row is one-hot or zero.
     * On true, the columns are kept for {@link #project} and {@link #gradients}.
     */
    boolean read(INDArray x) {
        if (x.dataType() != DataType.FLOAT || x.rank() != 2) {
            return false;
        }
        INDArray contiguous = FloatActivations.contiguous(x);
        int n = (int) x.size(0);
        int width = (int) x.size(1);
        values = grow(values, n * width);
        columns = columns.length >= n ? columns : new int[n];
        FloatActivations.buffer(contiguous).get((int) contiguous.offset(), values, 0, n * width);
        for (int r = 0; r < n; r++) {
            int column = -1;
            for (int j = r * width, end = j + width; j < end; j++) {
                float v = values[j];
                if (v != 0f) {
                    if (v != 1f || column >= 0) {
                        return false;
                    }
                    column = j - r * width;
                }
            }
            columns[r] = column;
        }
        rows = n;
        return true;
    }

    /** z = X W + b into the first {@code rows * units} values of {@code z}, for the rows last read. */
    void project(INDArray w, INDArray b, FloatBuffer z, int units) {
        int nIn = (int) w.size(0);
        // W + b once, row by row; each input row then copies one of them (or b alone) into z
        float[] wb = rowMajor(w, units);
        float[] bv = sums = grow(sums, units);
        biasRow(units).assign(b);
        FloatActivations.buffer(biasRow).get(0, bv, 0, units);
        for (int k = 0; k < nIn; k++) {
            for (int j = 0; j < units; j++) {
                wb[k * units + j] += bv[j];
            }
        }
        for (int r = 0; r < rows; r++) {
            int k = columns[r];
            if (k < 0) {
                z.put(r * units, bv, 0, units);
            } else {
                z.put(r * units, wb, k * units, units);
            }
        }
    }

    /** dW = X^T delta and db = the column sums of delta, for the rows last read; delta holds rows x units values. */
    void gradients(FloatBuffer delta, INDArray wg, INDArray bg, int units) {
        int nIn = (int) wg.size(0);
        float[] dw = weights = grow(weights, nIn * units);
        java.util.Arrays.fill(dw, 0, nIn * units, 0f);
        float[] db = sums = grow(sums, units);
        java.util.Arrays.fill(db, 0, units, 0f);
        // delta in blocks of rows that fit the cache, summed into db and (by column) into dW
        int block = Math.max(1, Math.min(rows, BLOCK_VALUES / units));
        float[] d = work = grow(work, block * units);
        for (int first = 0; first < rows; first += block) {
            int count = Math.min(block, rows - first);
            delta.get(first * units, d, 0, count * units);
            for (int i = 0; i < count; i++) {
                int k = columns[first + i];
                int base = i * units;
                // A row with a 1 adds into its row of dW, a row of zeros straight into db
                float[] into = k >= 0 ? dw : db;
                int to = k >= 0 ? k * units : 0;
                for (int j = 0; j < units; j++) {
                    into[to + j] += d[base + j];
                }
            }
        }
        // db sums every row of delta: those of zero rows, and the rest, which dW holds summed by column
        for (int k = 0; k < nIn; k++) {
            for (int j = 0; j < units; j++) {
                db[j] += dw[k * units + j];
            }
        }
        FloatActivations.buffer(weightRows(nIn, units)).put(0, dw, 0, nIn * units);
        wg.assign(weightRows);
        FloatActivations.buffer(biasRow(units)).put(0, db, 0, units);
        bg.assign(biasRow);
    }

    /** W [nIn, units] read into a row-major float array. */
    private float[] rowMajor(INDArray w, int units) {
        int nIn = (int) w.size(0);
        weightRows(nIn, units).assign(w);
        weights = grow(weights, nIn * units);
        FloatActivations.buffer(weightRows).get(0, weights, 0, nIn * units);
        return weights;
    }

    private INDArray weightRows(int nIn, int units) {
        if (weightRows == null || weightRows.size(0) != nIn || weightRows.size(1) != units) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                weightRows = Nd4j.create(DataType.FLOAT, nIn, units);
            }
        }
        return weightRows;
    }

    private INDArray biasRow(int units) {
        if (biasRow == null || biasRow.size(1) != units) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                biasRow = Nd4j.create(DataType.FLOAT, 1, units);
            }
        }
        return biasRow;
    }

    private static float[] grow(float[] array, int length) {
        return array.length >= length ? array : new float[length];
    }
}
