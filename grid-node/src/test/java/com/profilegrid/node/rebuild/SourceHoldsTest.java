package com.profilegrid.node.rebuild;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member's holds on profile jobs' sources: a hold lapses after its time (a rebuild whose member died cannot leave a
 * job stopped), a processor that stops again lower keeps its higher position, and a job has stopped once every one of
 * its processors, across members, has said where.
 */
class SourceHoldsTest {

    @Test
    void when_a_hold_is_released_or_lapses_then_the_job_reads_on_and_its_stops_are_forgotten() throws Exception {
        SourceHolds holds = new SourceHolds();
        assertThat(holds.held("profiles")).isFalse();
        holds.holding("profiles", 0, 1, Map.of(1L, 5L));
        assertThat(holds.stops("profiles").byProcessor()).as("not held: nothing noted").isEmpty();

        holds.hold("profiles", Duration.ofMinutes(1));
        assertThat(holds.held("profiles")).isTrue();
        assertThat(holds.held("profiles-g2")).isFalse();
        holds.holding("profiles", 0, 1, Map.of(1L, 5L));
        assertThat(holds.stops("profiles").byProcessor()).containsExactly(Map.entry(0, Map.of(1L, 5L)));
        holds.release("profiles");
        assertThat(holds.held("profiles")).isFalse();
        assertThat(holds.stops("profiles").byProcessor()).isEmpty();

        holds.hold("profiles", Duration.ofMillis(50));
        Thread.sleep(80);
        assertThat(holds.held("profiles")).as("lapsed").isFalse();
    }

    @Test
    void when_processors_report_then_each_keeps_its_highest_position_and_the_job_is_stopped_once_all_have() {
        SourceHolds member1 = new SourceHolds();
        SourceHolds member2 = new SourceHolds();
        member1.hold("profiles", Duration.ofMinutes(1));
        member2.hold("profiles", Duration.ofMinutes(1));
        member1.holding("profiles", 0, 4, Map.of(4L, 10L, 8L, 3L));
        member1.holding("profiles", 0, 4, Map.of(4L, 7L, 8L, 3L)); // restored from an older snapshot meanwhile
        member1.holding("profiles", 1, 4, Map.of(1L, 20L));
        member2.holding("profiles", 2, 4, Map.of(2L, 30L));
        assertThat(SourceHolds.Stops.complete(List.of(member1.stops("profiles"), member2.stops("profiles"))))
                .as("processor 3 has not said").isFalse();

        member2.holding("profiles", 3, 4, Map.of());
        List<SourceHolds.Stops> all = List.of(member1.stops("profiles"), member2.stops("profiles"));
        assertThat(SourceHolds.Stops.complete(all)).isTrue();
        assertThat(SourceHolds.Stops.positions(all)).containsExactlyInAnyOrderEntriesOf(
                Map.of(4L, 10L, 8L, 3L, 1L, 20L, 2L, 30L));
        assertThat(SourceHolds.Stops.complete(List.of())).as("no processor has said").isFalse();
    }
}
