package org.rnnlab.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * A small fixed set of named daemon threads for work cut into parts: part 0 runs on the caller,
 * part k on thread k (always the same one, so whatever a part keeps per thread stays with it).
 * Each thread applies {@link Nd4jThreads}' per-op count before its first part. Not for use from
 * several threads at once.
 */
public final class PartThreads implements AutoCloseable {
    private final ExecutorService[] executors;
    /** The executors' threads, once started, so that close can wait until they have ended. */
    private final Thread[] started;
    private boolean closed;

    /** {@code threads - 1} threads named {@code prefix + k}, k from 1. */
    public PartThreads(int threads, String prefix) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        executors = new ExecutorService[threads - 1];
        started = new Thread[threads - 1];
        for (int i = 0; i < executors.length; i++) {
            String name = prefix + (i + 1);
            int index = i;
            executors[i] = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(() -> {
                    Nd4jThreads.configure(); // OpenMP's count is per thread: one op thread here too
                    task.run();
                }, name);
                thread.setDaemon(true);
                started[index] = thread;
                return thread;
            });
        }
    }

    /** How many parts can run at once: the threads plus the caller. */
    public int threads() {
        return executors.length + 1;
    }

    /**
     * Runs {@code work} for parts 0 to {@code parts - 1} and waits for all of them, interrupted or
     * not, so that none is still running when this returns or throws; then rethrows the first
     * failure (part 0's before the others').
     */
    public void run(int parts, IntConsumer work) {
        if (closed) {
            throw new IllegalStateException("the threads are closed");
        }
        if (parts > threads()) {
            throw new IllegalArgumentException(parts + " parts for " + threads() + " threads");
        }
        List<Future<?>> pending = new ArrayList<>(parts - 1);
        for (int k = 1; k < parts; k++) {
            int part = k;
            pending.add(executors[k - 1].submit(() -> work.accept(part)));
        }
        Throwable failure = null;
        try {
            work.accept(0);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        boolean interrupted = false;
        for (Future<?> future : pending) {
            while (true) {
                try {
                    future.get();
                    break;
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        } else if (failure instanceof Error e) {
            throw e;
        } else if (failure != null) {
            throw new IllegalStateException("a part failed", failure);
        }
    }

    /** Where each part's streams begin: part k has streams [from[k], from[k + 1]), the first parts one more. */
    public static int[] split(int streams, int parts) {
        int[] from = new int[parts + 1];
        for (int k = 0; k < parts; k++) {
            from[k + 1] = from[k] + streams / parts + (k < streams % parts ? 1 : 0);
        }
        return from;
    }

    /** Runs {@code last} on each thread (if not null), then ends the threads, waiting for them. */
    public void close(Runnable last) {
        if (closed) {
            return;
        }
        closed = true;
        for (ExecutorService executor : executors) {
            if (last != null) {
                executor.execute(last);
            }
            executor.shutdown();
        }
        boolean interrupted = false;
        for (int i = 0; i < executors.length; i++) {
            try {
                // a terminated executor's thread can still be finishing; wait for it too
                if (executors[i].awaitTermination(1, TimeUnit.MINUTES) && started[i] != null) {
                    started[i].join(TimeUnit.MINUTES.toMillis(1));
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(null);
    }
}
