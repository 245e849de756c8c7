package com.profilegrid.node.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loads asked at the same moment share queries, and each gets exactly its own rows. */
class CoalescedLoadsTest {

    @Test
    void when_many_threads_load_at_once_then_fewer_queries_run_and_each_load_gets_its_own_rows() throws Exception {
        AtomicInteger queries = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CoalescedLoads<String, String> loads = new CoalescedLoads<>(2, 1_000, keys -> {
            queries.incrementAndGet();
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.decrementAndGet();
            }
            Map<String, String> rows = new HashMap<>();
            keys.stream().filter(key -> !key.endsWith("-absent")).forEach(key -> rows.put(key, "row of " + key));
            return rows;
        });
        int callers = 16;
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Map<String, String>>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < callers; i++) {
                List<String> keys = List.of("k" + i, "shared", "k" + i + "-absent");
                answers.add(threads.submit(() -> {
                    start.await();
                    return loads.load(keys);
                }));
            }
            start.countDown();
            for (int i = 0; i < callers; i++) {
                assertThat(answers.get(i).get(10, TimeUnit.SECONDS))
                        .isEqualTo(Map.of("k" + i, "row of k" + i, "shared", "row of shared"));
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(queries.get()).isLessThan(callers);
        assertThat(mostAtOnce.get()).isLessThanOrEqualTo(2);
    }

    @Test
    void when_a_query_fails_then_the_load_fails_with_the_cause_and_the_next_load_runs_again() {
        AtomicInteger calls = new AtomicInteger();
        CoalescedLoads<String, String> loads = new CoalescedLoads<>(2, 1_000, keys -> {
            if (calls.incrementAndGet() == 1) {
                throw new ProfileStoreException("cannot load 1 rows of raw_ids", new IllegalStateException("down"));
            }
            return Map.of("a", "row");
        });

        assertThatThrownBy(() -> loads.load(List.of("a")))
                .isInstanceOf(ProfileStoreException.class).hasRootCauseMessage("down");
        assertThat(loads.load(List.of("a"))).isEqualTo(Map.of("a", "row"));
    }
}
