package org.rnnlab;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.rnnlab.layers.Nd4jThreads;

/**
 * Gives every test class the per-op thread count that rnnlab's entry points set, including tests
 * that build networks of DL4J's own layers without going through them. Registered for every test
 * through JUnit's extension auto-detection (src/test/resources/junit-platform.properties).
 */
public final class Nd4jThreadsExtension implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        Nd4jThreads.configure();
    }
}
