package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Gemm's direct cblas_sgemm calls against ND4J's gemm, for every layout the layers hand it. */
class GemmTest {

    /** The layouts: a c-ordered array, an f-ordered one, a block of rows, and an 'f' view inside a flat buffer (DL4J's parameters and gradients). */
    private static final String[] LAYOUTS = {"c", "f", "rows", "flat-f", "double"};

    private static INDArray laidOut(String layout, long rows, long cols, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray values = Nd4j.rand(DataType.FLOAT, rows, cols).subi(0.5);
        return switch (layout) {
            case "c" -> values;
            case "f" -> values.dup('f');
            case "rows" -> {
                INDArray bigger = Nd4j.rand(DataType.FLOAT, rows + 5, cols);
                INDArray block = bigger.get(interval(3, 3 + rows), all());
                block.assign(values);
                yield block;
            }
            case "flat-f" -> {
                INDArray flat = Nd4j.rand(DataType.FLOAT, 1, rows * cols + 11);
                INDArray view = flat.get(point(0), interval(7, 7 + rows * cols)).reshape('f', rows, cols);
                view.assign(values);
                yield view;
            }
            case "double" -> values.castTo(DataType.DOUBLE);
            default -> throw new IllegalArgumentException(layout);
        };
    }

    @Test
    void everyLayoutAndTransposeGivesNd4jsProduct() {
        long m = 7;
        long n = 5;
        long k = 9;
        long seed = 0;
        for (String la : LAYOUTS) {
            for (String lb : LAYOUTS) {
                for (String lc : LAYOUTS) {
                    if (la.equals("double") != lb.equals("double") || la.equals("double") != lc.equals("double")) {
                        continue; // ND4J's gemm wants one data type
                    }
                    for (boolean ta : new boolean[] {false, true}) {
                        for (boolean tb : new boolean[] {false, true}) {
                            INDArray a = ta ? laidOut(la, k, m, ++seed) : laidOut(la, m, k, ++seed);
                            INDArray b = tb ? laidOut(lb, n, k, ++seed) : laidOut(lb, k, n, ++seed);
                            INDArray c = laidOut(lc, m, n, ++seed);
                            INDArray expected = c.dup();
                            Nd4j.gemm(a, b, expected, ta, tb, 0.5, 0.75);
                            Gemm.multiply(a, ta, b, tb, c, 0.5, 0.75);
                            String what = la + (ta ? "^T" : "") + " x " + lb + (tb ? "^T" : "") + " -> " + lc;
                            assertTrue(expected.equalsWithEps(c, 1e-5), what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void writesOnlyItsBlockOfRows() {
        INDArray whole = Nd4j.zeros(DataType.FLOAT, 10, 4);
        INDArray block = whole.get(interval(4, 7), all());
        INDArray a = Nd4j.rand(DataType.FLOAT, 3, 6);
        INDArray b = Nd4j.rand(DataType.FLOAT, 6, 4);
        Gemm.multiply(a, false, b, false, block, 1.0, 0.0);
        assertTrue(a.mmul(b).equalsWithEps(whole.get(interval(4, 7), all()), 1e-5));
        Function<INDArray, Double> total = x -> x.sumNumber().doubleValue();
        assertTrue(total.apply(whole.get(interval(0, 4), all())) == 0.0 && total.apply(whole.get(interval(7, 10), all())) == 0.0,
                "rows outside the block are untouched");
    }
}
