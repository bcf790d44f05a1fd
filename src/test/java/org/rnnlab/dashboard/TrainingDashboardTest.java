package org.rnnlab.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rnnlab.BadInputException;

/** DL4J's training UI as rnnlab starts it: on loopback only. */
class TrainingDashboardTest {

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static List<InetAddress> otherAddresses() throws IOException {
        return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).toList();
    }

    @Test
    void listensOnLoopbackOnly() throws IOException, InterruptedException {
        int port = freeLoopbackPort();
        try (TrainingDashboard dashboard = TrainingDashboard.start(port)) {
            assertEquals(port, dashboard.port());
            assertEquals("http://localhost:" + port + "/train", dashboard.address());
            // A whole request, answered: the server is done with the connection before it stops.
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/train")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(page.statusCode() < 400, "the UI answers on loopback: " + page.statusCode());
            List<InetAddress> others = otherAddresses();
            assumeTrue(!others.isEmpty(), "this machine has no address but loopback to try");
            for (InetAddress other : others) {
                assertThrows(IOException.class, () -> {
                    try (Socket remote = new Socket()) {
                        remote.connect(new InetSocketAddress(other, port), 2000);
                    }
                }, "nothing answers on " + other.getHostAddress() + ":" + port);
            }
        }
    }

    @Test
    void aTakenPortIsBadInput() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            BadInputException e = assertThrows(BadInputException.class,
                    () -> TrainingDashboard.start(taken.getLocalPort()).close());
            assertTrue(e.getMessage().startsWith("cannot start DL4J's training UI on port " + taken.getLocalPort()),
                    e.getMessage());
        }
    }
}
