package com.profilegrid.node.store;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a store keeps from its last queries is answered again only while it is still what the table holds. */
class KnownRowsTest {

    private final KnownRows<String, String> known = new KnownRows<>();

    @Test
    void when_a_query_found_no_row_then_the_key_is_answered_absent_until_a_write_of_it_starts() {
        known.keep(known.ticket(), List.of("a", "b"), Map.of("b", "row-b"), false);

        Map<String, String> found = new HashMap<>();
        assertThat(known.answer(List.of("a", "b"), found)).containsExactly("b"); // a row found by a load is not kept
        assertThat(found).isEmpty();
        assertThat(known.answer(List.of("a"), found)).isEmpty(); // "no row" holds for the next load too

        known.writeStarts(List.of("a"));
        known.writeEnds(List.of("a"));

        assertThat(known.answer(List.of("a"), found)).containsExactly("a");
    }

    @Test
    void when_the_store_wrote_a_key_lately_then_a_read_ahead_may_leave_it_out() throws InterruptedException {
        assertThat(known.writtenWithin("a", 60_000_000_000L)).isFalse();

        known.writeStarts(List.of("a"));
        assertThat(known.writtenWithin("a", 1)).isTrue(); // a write running now

        known.writeEnds(List.of("a"));
        assertThat(known.writtenWithin("a", 60_000_000_000L)).isTrue();
        Thread.sleep(5);
        assertThat(known.writtenWithin("a", 1_000_000L)).isFalse(); // ended more than a millisecond ago
        assertThat(known.writtenWithin("b", 60_000_000_000L)).isFalse();
    }

    @Test
    void when_rows_are_read_ahead_then_each_is_handed_out_once_and_what_is_left_is_forgotten() {
        known.keep(known.ticket(), List.of("a", "b", "c"), Map.of("a", "row-a", "b", "row-b"), true);

        Map<String, String> found = new HashMap<>();
        assertThat(known.answer(List.of("a", "c"), found)).isEmpty();
        assertThat(found).containsExactly(Map.entry("a", "row-a"));
        assertThat(known.answer(List.of("a"), new HashMap<>())).containsExactly("a");

        known.forget(List.of("a", "b", "c"));

        assertThat(known.answer(List.of("b", "c"), new HashMap<>())).containsExactly("b", "c");
    }

    @Test
    void when_a_write_of_a_key_overlaps_a_query_then_the_query_keeps_nothing_about_that_key() {
        KnownRows.Ticket runningWrite = known.ticket();
        known.writeStarts(List.of("a"));
        known.keep(runningWrite, List.of("a", "b"), Map.of(), false); // the write may commit a row the query missed
        KnownRows.Ticket endedWrite = known.ticket();
        known.writeEnds(List.of("a"));
        known.keep(endedWrite, List.of("a"), Map.of(), false);

        assertThat(known.answer(List.of("a", "b"), new HashMap<>())).containsExactly("a");

        KnownRows.Ticket afterWrite = known.ticket();
        known.keep(afterWrite, List.of("a"), Map.of(), false); // the write ended before this query started
        assertThat(known.answer(List.of("a"), new HashMap<>())).isEmpty();
    }

    @Test
    void when_partitions_move_then_everything_kept_and_every_query_running_is_forgotten() {
        known.keep(known.ticket(), List.of("a"), Map.of(), false);
        KnownRows.Ticket running = known.ticket();

        known.forgetAll();
        known.keep(running, List.of("b"), Map.of(), false);

        assertThat(known.answer(List.of("a", "b"), new HashMap<>())).containsExactly("a", "b");
    }
}
