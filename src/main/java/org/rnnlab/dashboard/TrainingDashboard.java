package org.rnnlab.dashboard;

import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.rnnlab.BadInputException;

/**
 * DL4J's own training UI (the dashboard DL4J users know: score, parameter and update charts, the
 * model graph) for one training run: a UI server on a loopback port, an in-memory stats storage
 * attached to it, and the {@link StatsListener} that feeds it from the network being trained.
 */
public final class TrainingDashboard implements AutoCloseable {
    /** DL4J's own default port. */
    public static final int DEFAULT_PORT = 9000;
    private static final String PORT_PROPERTY = "org.deeplearning4j.ui.port";
    private static final long START_SECONDS = 60;

    private final VertxUIServer server;
    private final StatsStorage storage;

    private TrainingDashboard(VertxUIServer server, StatsStorage storage) {
        this.server = server;
        this.storage = storage;
    }

    /**
     * Starts the UI server on 127.0.0.1:port.
     *
     * @throws BadInputException when it cannot listen there (the port is taken, say)
     */
    public static TrainingDashboard start(int port) {
        if (port < 1 || port > 65_535) {
            throw new BadInputException("--ui takes a port from 1 to 65535, got " + port);
        }
        // VertxUIServer reads its port from this property when it starts.
        String previous = System.getProperty(PORT_PROPERTY);
        System.setProperty(PORT_PROPERTY, Integer.toString(port));
        Vertx vertx = Vertx.vertx();
        LoopbackUiServer server = new LoopbackUiServer();
        CompletableFuture<String> deployed = new CompletableFuture<>();
        try {
            vertx.deployVerticle(server, result -> {
                if (result.succeeded()) {
                    deployed.complete(result.result());
                } else {
                    deployed.completeExceptionally(result.cause());
                }
            });
            deployed.get(START_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            stopQuietly(vertx);
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new BadInputException("cannot start DL4J's training UI on port " + port + ": " + cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopQuietly(vertx);
            throw new BadInputException("interrupted while starting DL4J's training UI");
        } finally {
            if (previous == null) {
                System.clearProperty(PORT_PROPERTY);
            } else {
                System.setProperty(PORT_PROPERTY, previous);
            }
        }
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        server.attach(storage);
        return new TrainingDashboard(server, storage);
    }

    /** After a failed start: DL4J's record of the server is cleared, so that a later start begins afresh. */
    private static void stopQuietly(Vertx vertx) {
        try {
            VertxUIServer.stopInstance();
        } catch (Exception | LinkageError ignored) {
            // nothing was started to stop
        }
        vertx.close();
    }

    /** The listener to add to the network being trained; it reports every iteration to the UI. */
    public TrainingListener listener() {
        return new StatsListener(storage);
    }

    public int port() {
        return server.getPort();
    }

    /** Where the user points a browser. */
    public String address() {
        return "http://localhost:" + port() + "/train";
    }

    /** Stops the server (the training statistics, held in memory, go with it). */
    @Override
    public void close() {
        try {
            VertxUIServer.stopInstance();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop DL4J's training UI: " + e.getMessage(), e);
        }
    }
}
