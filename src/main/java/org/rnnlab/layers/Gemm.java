package org.rnnlab.layers;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * C = alpha op(A) op(B) + beta C, for the layers' matrix products.
 *
 * <p>Float matrices laid out as BLAS expects (rows or columns contiguous, each at a fixed stride:
 * a c- or f-ordered array, or a block of its rows) go straight to OpenBLAS's cblas_sgemm, the routine
 * ND4J itself ends in. ND4J's {@code Nd4j.gemm} wraps each call in an op whose context it builds and
 * frees, which for a small product costs about as much as its arithmetic; char-rnn makes 56 products
 * an iteration, 50 of them the small per-step ones, 96 x 100 times 100 x 100 (measurements:
 * docs/fast-layers.md, "Measured costs behind the layers"). Anything else (doubles, other strides)
 * goes to {@code Nd4j.gemm}.
 */
final class Gemm {
    private Gemm() {
    }

    /** How BLAS sees one operand: its first element, whether it is stored transposed, its leading dimension. */
    private record Operand(FloatPointer pointer, boolean transposed, int leading) {

        /** Row-major view of {@code m}: null when no single leading dimension describes it. */
        static Operand of(INDArray m) {
            if (m.dataType() != DataType.FLOAT || m.rank() != 2 || m.size(0) > Integer.MAX_VALUE
                    || m.size(1) > Integer.MAX_VALUE) {
                return null;
            }
            long rows = m.size(0);
            long cols = m.size(1);
            long[] stride = m.stride();
            boolean transposed;
            long leading;
            if ((stride[1] == 1 || cols == 1) && stride[0] >= cols) {
                transposed = false; // rows contiguous: row-major with leading dimension stride[0]
                leading = Math.max(stride[0], 1);
            } else if ((stride[0] == 1 || rows == 1) && stride[1] >= rows) {
                transposed = true; // columns contiguous: m^T is row-major with leading dimension stride[1]
                leading = Math.max(stride[1], 1);
            } else {
                return null;
            }
            if (leading > Integer.MAX_VALUE) {
                return null;
            }
            // A view's buffer starts where its parent's offset puts it (m.data().offset()), and the
            // view's own offset counts from the parent's start, like the offset of any array.
            FloatPointer start = (FloatPointer) m.data().addressPointer();
            long skip = start.position() + m.offset() - m.data().offset();
            return new Operand(new FloatPointer(start).position(skip), transposed, (int) leading);
        }
    }

    /** c = alpha op(a) op(b) + beta c, op(x) being x or x^T; c is [rows of op(a), columns of op(b)]. */
    static void multiply(INDArray a, boolean transposeA, INDArray b, boolean transposeB, INDArray c, double alpha,
            double beta) {
        Operand pa = Operand.of(a);
        Operand pb = pa == null ? null : Operand.of(b);
        Operand pc = pb == null ? null : Operand.of(c);
        if (pc == null) {
            Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta);
            return;
        }
        int m = (int) c.size(0);
        int n = (int) c.size(1);
        int k = (int) (transposeA ? a.size(0) : a.size(1));
        if (pc.transposed()) {
            // C stored by columns: compute C^T = op(B)^T op(A)^T, which is row-major in C's memory
            cblas_sgemm(CblasRowMajor, operation(!transposeB, pb), operation(!transposeA, pa), n, m, k, (float) alpha,
                    pb.pointer(), pb.leading(), pa.pointer(), pa.leading(), (float) beta, pc.pointer(), pc.leading());
        } else {
            cblas_sgemm(CblasRowMajor, operation(transposeA, pa), operation(transposeB, pb), m, n, k, (float) alpha,
                    pa.pointer(), pa.leading(), pb.pointer(), pb.leading(), (float) beta, pc.pointer(), pc.leading());
        }
    }

    /** The BLAS operation that applies op to a stored operand (stored transposed flips it). */
    private static int operation(boolean transpose, Operand stored) {
        return transpose != stored.transposed() ? CblasTrans : CblasNoTrans;
    }
}
