package com.profilegrid.node.triggers;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/**
 * A real webhook receiver on 127.0.0.1: each path answers as its script says for the n-th request it receives (an
 * HTTP status, after a pause), and every request is kept with its headers and body.
 */
public final class Receiver implements AutoCloseable {

    /** One request received. */
    public record Received(String path, String idempotencyKey, String signature, String body, long atMillis) {
    }

    /** How a path answers its n-th request (1-based). */
    public record Answer(int status, long pauseMillis, String retryAfter) {
        public static Answer of(int status) {
            return new Answer(status, 0, null);
        }
    }

    private final HttpServer server;
    private final Map<String, IntFunction<Answer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();

    public Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code path} answers as {@code script} says. */
    public Receiver on(String path, IntFunction<Answer> script) {
        scripts.put(path, script);
        return this;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<Received> at(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int n = counts.merge(path, 1, Integer::sum);
        Answer answer = scripts.getOrDefault(path, i -> Answer.of(200)).apply(n);
        try {
            Thread.sleep(answer.pauseMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        received.add(new Received(path, exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                exchange.getRequestHeaders().getFirst("ProfileGrid-Signature"), body, System.currentTimeMillis()));
        if (answer.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
        }
        byte[] reply = ("answer " + answer.status()).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), reply.length);
        exchange.getResponseBody().write(reply);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
