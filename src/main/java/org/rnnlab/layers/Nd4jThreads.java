package org.rnnlab.layers;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * How many threads each ND4J op and each BLAS call may use, set inside the process so that every
 * way of starting rnnlab runs at the same speed: the {@code rnnlab} script, {@code java -jar}, a
 * task's {@code main}, the tests, or another program that loads an rnnlab model.
 *
 * <p>ND4J reads {@code OMP_NUM_THREADS} once, when its native library loads, and otherwise takes
 * every core; at rnnlab's sizes (matrices of about a hundred rows and columns) a second OpenMP or
 * OpenBLAS thread costs more in hand-offs and spinning than it saves, so without the variable each
 * op gets one thread. A value the user set in {@code OMP_NUM_THREADS} is left as ND4J applied it,
 * and {@code -Drnnlab.opThreads=N} sets another count. rnnlab spreads its own work over cores
 * itself, one op thread per Java thread (see docs/benchmarks.md).
 */
public final class Nd4jThreads {
    /** System property that overrides the per-op thread count. */
    public static final String PROPERTY = "rnnlab.opThreads";
    private static int applied;
    private static boolean fromEnvironment;
    private static final ThreadLocal<Boolean> appliedToThisThread = ThreadLocal.withInitial(() -> false);

    private Nd4jThreads() {
    }

    /**
     * Applies the per-op thread count and returns it: {@code -Drnnlab.opThreads}, else
     * {@code OMP_NUM_THREADS} as ND4J already applied it, else 1. The process-wide settings are
     * made once; OpenMP keeps its count per thread (a thread started later begins with the count
     * from the environment), so each thread that runs ND4J ops calls this before its first one.
     */
    public static int configure() {
        int threads = processWide();
        if (!appliedToThisThread.get()) {
            if (!fromEnvironment) {
                NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
            }
            appliedToThisThread.set(true);
        }
        return threads;
    }

    private static synchronized int processWide() {
        if (applied > 0) {
            return applied;
        }
        Integer requested = positive(System.getProperty(PROPERTY));
        Integer environment = positive(System.getenv("OMP_NUM_THREADS"));
        if (requested == null && environment != null) {
            fromEnvironment = true; // ND4J and OpenMP took it when they loaded: the user's choice stands
            applied = environment;
            return applied;
        }
        int threads = requested == null ? 1 : requested;
        // ND4J first (it loads the backend that NativeOpsHolder needs), then each thread pool
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads); // OpenBLAS, also under Gemm's direct calls
        applied = threads;
        return applied;
    }

    /** The OpenMP thread count ND4J's native library uses now, for reports and tests. */
    public static int ompThreads() {
        Nd4j.getEnvironment(); // loads the backend NativeOpsHolder reads
        return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }

    /** The thread count OpenBLAS uses now, for reports and tests. */
    public static int blasThreads() {
        return Nd4j.factory().blas().getMaxThreads();
    }

    private static Integer positive(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            int n = Integer.parseInt(value.trim());
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
