package com.profilegrid.client.internal;

import com.profilegrid.client.ProfileGridException;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SDK's tracking calls against an HTTP endpoint that answers as a node does when it sheds load (503 with
 * {@code Retry-After}, the node's JSON body) or refuses a call (400): a shed call is sent again, under the same message
 * id, after what the node asked; a refused one fails at once; one shed for longer than the SDK's patience fails with
 * the node's answer.
 */
class TrackingHttpTest {

    private HttpServer server;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();

    /** Answers each request with the next of {@code statuses} (the last one repeats), 503s with Retry-After. */
    private URI node(int retryAfterSeconds, int... statuses) throws IOException {
        AtomicInteger next = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            arrivals.add(System.nanoTime());
            int status = statuses[Math.min(next.getAndIncrement(), statuses.length - 1)];
            byte[] answer = (status == 200 ? "{\"success\":true}"
                    : "{\"success\":false,\"message\":\"answered " + status + "\"}").getBytes(StandardCharsets.UTF_8);
            if (status == 503) {
                exchange.getResponseHeaders().add("Retry-After", Integer.toString(retryAfterSeconds));
            }
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void when_the_node_sheds_for_a_while_then_the_call_waits_as_asked_and_goes_through_under_one_message_id()
            throws Exception {
        TrackingHttp tracking = new TrackingHttp(node(2, 503, 503, 200), "pgw_test");

        tracking.send("track", Map.of("userId", "u1", "event", "Paid"), "order-1");

        assertThat(bodies).hasSize(3);
        assertThat(bodies).allSatisfy(body -> assertThat(body).contains("\"messageId\":\"order-1\""));
        assertThat(bodies.stream().distinct()).hasSize(1);
        for (int i = 1; i < arrivals.size(); i++) {
            assertThat(Duration.ofNanos(arrivals.get(i) - arrivals.get(i - 1))).isGreaterThan(Duration.ofMillis(1_900));
        }
    }

    @Test
    void when_the_node_refuses_the_call_then_it_fails_at_once_with_the_nodes_answer() throws Exception {
        TrackingHttp tracking = new TrackingHttp(node(2, 400), "pgw_test");

        assertThatThrownBy(() -> tracking.send("track", Map.of("userId", "u1"), null))
                .isInstanceOf(ProfileGridException.class).hasMessageContaining("refused with 400")
                .hasMessageContaining("answered 400");
        assertThat(bodies).hasSize(1);
    }

    @Test
    void when_the_node_sheds_longer_than_the_sdks_patience_then_the_call_fails_with_its_answer() throws Exception {
        TrackingHttp tracking = new TrackingHttp(node(1, 503), "pgw_test", Duration.ofSeconds(3));
        long start = System.nanoTime();

        assertThatThrownBy(() -> tracking.send("track", Map.of("userId", "u1", "event", "Paid"), null))
                .isInstanceOf(ProfileGridException.class).hasMessageContaining("refused with 503");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1_900), Duration.ofSeconds(5));
        assertThat(bodies.size()).isBetween(2, 4);
    }
}
