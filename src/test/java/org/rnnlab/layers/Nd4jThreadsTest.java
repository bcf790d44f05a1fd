package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The per-op thread count, each case in a fresh JVM: ND4J reads its environment once per process,
 * so only a new process shows what a user's {@code java -jar} or task main gets.
 */
class Nd4jThreadsTest {

    /**
     * Run in the child JVM: configures twice, checks that a thread started later gets the same
     * OpenMP count once it configures itself, and prints "applied omp blas".
     */
    public static final class Probe {
        public static void main(String[] args) {
            int first = Nd4jThreads.configure();
            int second = Nd4jThreads.configure();
            if (first != second) {
                throw new IllegalStateException("configure() changed its answer: " + first + " then " + second);
            }
            int[] other = new int[1];
            Thread later = new Thread(() -> {
                Nd4jThreads.configure();
                other[0] = Nd4jThreads.ompThreads();
            });
            later.start();
            try {
                later.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (other[0] != Nd4jThreads.ompThreads()) {
                throw new IllegalStateException("a later thread got " + other[0] + " OpenMP threads, the first "
                        + Nd4jThreads.ompThreads());
            }
            System.out.println(first + " " + Nd4jThreads.ompThreads() + " " + Nd4jThreads.blasThreads());
        }
    }

    @Test
    void theTestsThemselvesRunWhatUsersGet() {
        // surefire sets no OMP_NUM_THREADS; Nd4jThreadsExtension configured this JVM before the class
        if (System.getenv("OMP_NUM_THREADS") == null && System.getProperty(Nd4jThreads.PROPERTY) == null) {
            assertEquals(1, Nd4jThreads.ompThreads());
            assertEquals(1, Nd4jThreads.blasThreads());
        }
    }

    @Test
    void withoutAnySettingEveryOpGetsOneThread() throws Exception {
        assertEquals("1 1 1", probe(Map.of(), List.of()));
    }

    @Test
    void theUsersOmpNumThreadsWins() throws Exception {
        assertEquals("2 2 2", probe(Map.of("OMP_NUM_THREADS", "2"), List.of()));
    }

    @Test
    void theSystemPropertyOverridesBoth() throws Exception {
        assertEquals("2 2 2", probe(Map.of(), List.of("-D" + Nd4jThreads.PROPERTY + "=2")));
        assertEquals("1 1 1", probe(Map.of("OMP_NUM_THREADS", "2"), List.of("-D" + Nd4jThreads.PROPERTY + "=1")));
    }

    @Test
    void aPropertyThatIsNoPositiveCountIsIgnored() throws Exception {
        assertEquals("1 1 1", probe(Map.of(), List.of("-D" + Nd4jThreads.PROPERTY + "=0")));
        assertEquals("2 2 2", probe(Map.of("OMP_NUM_THREADS", "2"), List.of("-D" + Nd4jThreads.PROPERTY + "=all")));
    }

    private static String probe(Map<String, String> environment, List<String> jvmOptions)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Probe.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("OMP_NUM_THREADS");
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("the probe failed:\n" + output);
        }
        String[] lines = output.strip().split("\n");
        return lines[lines.length - 1].strip();
    }
}
