package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.ui.api.UIServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rnnlab train TASK --ui PORT}: DL4J's training UI answers on loopback while the run goes
 * on, lists the run's session, and stops when the run ends.
 */
class TrainingUiTest {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @AfterEach
    void stopTheServerWhateverHappened() throws Exception {
        UIServer.stopInstance();
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theUiListsTheRunningSessionAndStopsWithTheRun() throws Exception {
        int port = freeLoopbackPort();
        // Long enough to be watched: DL4J's StatsListener slows sine-wave to a couple of hundred epochs in several seconds.
        CompletableFuture<CommandLineRun> training = CompletableFuture.supplyAsync(() -> CommandLineRun.run(
                "--no-progress", "--data-dir", dir.resolve("data").toString(), "train", "sine-wave", "--epochs", "200",
                "--no-plots", "--ui", Integer.toString(port), "--out", dir.resolve("model").toString()));

        String sessions = "";
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!sessions.contains("MultiLayerNetwork") && System.nanoTime() < deadline && !training.isDone()) {
            Thread.sleep(200);
            try {
                sessions = get(port, "/train/sessions/info").body();
            } catch (ConnectException notYet) {
                // the server is still starting
            }
        }
        assertTrue(sessions.contains("MultiLayerNetwork") && sessions.contains("\"numParams\" : 1121"),
                "the UI lists the sine-wave run (32 units: 1121 parameters) while it trains; got: " + sessions);
        HttpResponse<String> page = get(port, "/train");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<html") || page.body().contains("<!DOCTYPE"), page.body());
        String current = get(port, "/train/sessions/current").body();
        assertTrue(sessions.contains(current.strip()) && !current.isBlank(), current + " is the listed session");

        CommandLineRun run = training.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("DL4J's training UI: http://localhost:" + port + "/train"), run.out());
        assertThrows(ConnectException.class, () -> get(port, "/train"), "the UI stops with the run");
    }

    @Test
    void aBadPortIsBadInput() {
        CommandLineRun run = CommandLineRun.run("--no-progress", "--data-dir", dir.resolve("data").toString(), "train",
                "sine-wave", "--epochs", "1", "--ui", "70000", "--out", dir.resolve("model").toString());
        assertTrue(run.oneLineError().contains("--ui takes a port from 1 to 65535"), run.err());
    }
}
