package org.rnnlab.bench;

import java.lang.management.ManagementFactory;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Run in a fresh JVM by {@code rnnlab bench}: prints the milliseconds from the JVM's start to ND4J
 * having computed its first result (native libraries loaded, backend chosen).
 */
public final class StartupProbe {
    private StartupProbe() {
    }

    public static void main(String[] args) {
        double sum = Nd4j.ones(4).sumNumber().doubleValue();
        if (sum != 4) {
            throw new IllegalStateException("ND4J computed " + sum + " for 1+1+1+1");
        }
        System.out.println(ManagementFactory.getRuntimeMXBean().getUptime());
    }
}
