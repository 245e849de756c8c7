package com.profilegrid.node.store;

import com.profilegrid.node.H2TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A node's start meets a database that does not answer yet (started before PostgreSQL, or beside other nodes opening
 * the embedded H2 database at once): it waits for it, within a bound, instead of dying at the pool's first timeout;
 * a login the database refuses stops it at once.
 */
class DatabaseStartTest {

    @TempDir
    Path dir;

    @Test
    void when_the_database_answers_a_few_seconds_after_the_start_then_opening_waits_for_it() throws Exception {
        try (H2TcpServer server = new H2TcpServer(dir)) {
            server.stop();
            CompletableFuture<Void> later = CompletableFuture.runAsync(() -> {
                try {
                    server.start();
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, CompletableFuture.delayedExecutor(3, TimeUnit.SECONDS));
            long start = System.nanoTime();
            try (Database database = Database.open(server.settings(), Duration.ofSeconds(30))) {
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(2));
                assertThat(database.isReachable(Duration.ofSeconds(5))).isTrue();
            }
            later.join();
        }
    }

    @Test
    void when_the_database_never_answers_then_opening_fails_after_the_wait_naming_it() throws Exception {
        try (H2TcpServer server = new H2TcpServer(dir)) {
            server.stop();
            long start = System.nanoTime();
            assertThatThrownBy(() -> Database.open(server.settings(), Duration.ofSeconds(3)))
                    .isInstanceOf(DatabaseUnreachableException.class)
                    .hasMessageContaining(server.settings().url()).hasMessageContaining("did not answer within 3 s");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        }
    }

    @Test
    void when_the_database_refuses_the_login_then_opening_fails_at_once() throws Exception {
        try (H2TcpServer server = new H2TcpServer(dir)) {
            Database.open(server.settings()).close();
            Database.Settings wrong = new Database.Settings(server.settings().url(), "", "wrong", null, 2);
            long start = System.nanoTime();
            assertThatThrownBy(() -> Database.open(wrong, Duration.ofSeconds(60)))
                    .isNotInstanceOf(DatabaseUnreachableException.class)
                    .hasStackTraceContaining("Wrong user name or password");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        }
    }
}
