package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class PartThreadsTest {
    @Test
    void partZeroRunsOnTheCallerTheOthersOnNamedDaemonThreads() {
        String[] names = new String[3];
        boolean[] daemon = new boolean[3];
        try (PartThreads threads = new PartThreads(3, "part-threads-test-")) {
            assertEquals(3, threads.threads());
            threads.run(3, k -> {
                names[k] = Thread.currentThread().getName();
                daemon[k] = Thread.currentThread().isDaemon();
            });
        }
        assertEquals(Thread.currentThread().getName(), names[0]);
        assertEquals("part-threads-test-1", names[1]);
        assertEquals("part-threads-test-2", names[2]);
        assertTrue(daemon[1] && daemon[2]);
    }

    @Test
    void aWorkersFailureSurfacesAfterEveryPartFinished() {
        AtomicIntegerArray finished = new AtomicIntegerArray(3);
        try (PartThreads threads = new PartThreads(3, "part-threads-test-")) {
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> threads.run(3, k -> {
                if (k == 2) {
                    throw new IllegalArgumentException("part 2 failed on purpose");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                finished.set(k, 1);
            }));
            assertEquals("part 2 failed on purpose", thrown.getMessage());
            assertEquals(1, finished.get(0));
            assertEquals(1, finished.get(1));
            threads.run(2, k -> finished.set(k, 2)); // and the threads go on working
            assertEquals(2, finished.get(1));
        }
    }

    @Test
    void everyPartRunsItsOpsOnAsManyOpenMpThreadsAsTheCaller() {
        int[] omp = new int[3];
        try (PartThreads threads = new PartThreads(3, "part-threads-test-")) {
            threads.run(3, k -> omp[k] = Nd4jThreads.ompThreads());
        }
        assertEquals(Nd4jThreads.configure(), omp[0]);
        assertEquals(omp[0], omp[1]);
        assertEquals(omp[0], omp[2]);
    }

    @Test
    void closedThreadsRefuseWork() {
        PartThreads threads = new PartThreads(2, "part-threads-test-");
        threads.close();
        threads.close();
        assertThrows(IllegalStateException.class, () -> threads.run(1, k -> { }));
    }

    @Test
    void splitGivesContiguousPartsTheFirstOnesLarger() {
        assertArrayEquals(new int[] {0, 3, 5, 7}, PartThreads.split(7, 3));
        assertArrayEquals(new int[] {0, 48, 96}, PartThreads.split(96, 2));
    }
}
