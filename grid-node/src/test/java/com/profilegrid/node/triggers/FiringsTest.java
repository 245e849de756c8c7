package com.profilegrid.node.triggers;

import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.store.Database;
import com.profilegrid.pipelines.rules.Change;
import com.profilegrid.pipelines.rules.ChangeLog;
import com.profilegrid.pipelines.rules.RuleBook;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The firings table as delivery uses it: each firing recorded once, claimed once per lease, a busy receiver's firings
 * left unclaimed, and outcomes written many at a time (H2 and PostgreSQL).
 */
class FiringsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(2);
    private static final String FAST = "http://127.0.0.1:8081";
    private static final String SLOW = "http://127.0.0.1:8082";

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_a_receiver_is_busy_then_its_firings_stay_unclaimed_while_the_others_are_claimed_once(TestDatabases kind)
            throws SQLException {
        Database.Settings settings = kind.fresh(dir);
        try (Database database = Database.open(settings)) {
            Firings firings = new Firings(database.dataSource(), database.dialect());
            List<Firings.NewFiring> recorded = List.of(firing("f1", FAST), firing("s1", SLOW), firing("f2", FAST),
                    firing("s2", SLOW), firing("old", null));
            firings.record(List.of(), recorded, List.of(), T0);
            firings.record(List.of(), recorded, List.of(), T0); // a replay meets the same causes: nothing new

            List<Firings.Claimed> claimed = firings.claim(T0, LEASE, 10, List.of(SLOW));

            // firings recorded before destinations were kept have none, and are claimed whatever their receiver
            assertThat(ids(claimed)).containsExactlyInAnyOrder("f1", "f2", "old");
            assertThat(claimed).allSatisfy(firing -> // the body, kept apart from the row that claims update
                    assertThat(firing.body()).isEqualTo("{\"firingId\":\"" + firing.firingId() + "\"}"));
            assertThat(firings.claim(T0, LEASE, 10, List.of())).extracting(Firings.Claimed::firingId)
                    .containsExactlyInAnyOrder("s1", "s2"); // no longer busy; the others are leased
            assertThat(firings.claim(T0.plus(LEASE).plusMillis(1), LEASE, 10, List.of())).hasSize(5); // leases ran out
            assertThat(firings.countByState()).containsEntry("pending", 5L);
        } finally {
            TestDatabases.drop(settings);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_outcomes_are_written_together_then_each_firing_takes_its_own(TestDatabases kind) throws SQLException {
        Database.Settings settings = kind.fresh(dir);
        try (Database database = Database.open(settings)) {
            Firings firings = new Firings(database.dataSource(), database.dialect());
            firings.record(List.of(), List.of(firing("ok", FAST), firing("again", FAST), firing("gone", FAST),
                    firing("back", FAST)), List.of(), T0);
            assertThat(firings.claim(T0, LEASE, 10, List.of())).hasSize(4);
            Instant at = T0.plusSeconds(1);

            firings.write(List.of(new Firings.Delivered("ok", 1, at),
                    new Firings.Retry("again", 1, at.plusSeconds(30), "HTTP 503 from " + FAST),
                    new Firings.Dead("gone", 1, "HTTP 410 from " + FAST, at),
                    new Firings.Released("back", at)));

            Map<String, Firings.Row> rows = firings.list("acme", null, null, 10).stream()
                    .collect(Collectors.toMap(Firings.Row::firingId, Function.identity()));
            assertThat(rows.get("ok")).extracting(Firings.Row::state, Firings.Row::attempts, Firings.Row::finishedMs)
                    .containsExactly("delivered", 1, at.toEpochMilli());
            assertThat(rows.get("again")).extracting(Firings.Row::state, Firings.Row::attempts,
                    Firings.Row::nextAttemptMs, Firings.Row::lastError)
                    .containsExactly("pending", 1, at.plusSeconds(30).toEpochMilli(), "HTTP 503 from " + FAST);
            assertThat(rows.get("gone")).extracting(Firings.Row::state, Firings.Row::lastError)
                    .containsExactly("dead", "HTTP 410 from " + FAST);
            assertThat(rows.get("back")).extracting(Firings.Row::state, Firings.Row::attempts)
                    .containsExactly("pending", 0);
            // given back and retried later are claimable again when due, without waiting for their leases
            assertThat(ids(firings.claim(at, LEASE, 10, List.of()))).containsExactly("back");
            assertThat(ids(firings.claim(at.plusSeconds(30), LEASE, 10, List.of()))).containsExactly("again");
        } finally {
            TestDatabases.drop(settings);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_a_step_changes_labels_then_its_changes_are_one_row_per_cause_recorded_once(TestDatabases kind)
            throws SQLException {
        Database.Settings settings = kind.fresh(dir);
        try (Database database = Database.open(settings)) {
            java.time.Clock clock = java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC);
            FiringRecorder recorder = new FiringRecorder(new Firings(database.dataSource(), database.dialect()),
                    new RuleBook(Duration.ofDays(30), clock), project -> null, clock, () -> { },
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            ProfileKey key = new ProfileKey("acme", "user:1");
            List<ChangeLog.ProfileChanges> batch = List.of(new ChangeLog.ProfileChanges(key, null, List.of(
                    new Change(Change.Kind.ENTERED, "trial", "event:m1"),
                    new Change(Change.Kind.EXITED, "anonymous", "event:m1"),
                    new Change(Change.Kind.ENTERED, "buyers", "event:m1"),
                    new Change(Change.Kind.EXITED, "active", "due:1000")), -1));

            recorder.record(1, batch);
            recorder.record(1, batch); // a replay meets the same changes again: nothing new

            try (var connection = database.dataSource().getConnection();
                 var rows = connection.createStatement().executeQuery(
                         "SELECT cause, entered, exited, profile_id FROM label_changes ORDER BY cause")) {
                List<String> found = new java.util.ArrayList<>();
                while (rows.next()) {
                    found.add(rows.getString(1) + " +" + rows.getString(2) + " -" + rows.getString(3) + " "
                            + rows.getString(4));
                }
                assertThat(found).containsExactly("due:1000 +null -active user:1",
                        "event:m1 +buyers trial -anonymous user:1");
            }
        } finally {
            TestDatabases.drop(settings);
        }
    }

    @org.junit.jupiter.api.Test
    void when_recorders_run_at_once_then_neither_waits_for_the_other_but_the_safe_mode_switch_waits_for_both()
            throws Exception {
        Database.Settings settings = TestDatabases.POSTGRESQL.fresh(dir);
        java.util.concurrent.ExecutorService others = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Database database = Database.open(settings)) {
            Firings firings = new Firings(database.dataSource(), database.dialect());
            try (var recording = database.dataSource().getConnection()) {
                // a recorder in the middle of its transaction: it has read safe mode under the lock recorders take
                recording.setAutoCommit(false);
                try (var lock = recording.createStatement()) {
                    lock.executeQuery("SELECT enabled FROM safe_mode WHERE id = 1 FOR SHARE").close();
                }
                var another = others.submit(() -> firings.record(List.of(), List.of(firing("b1", FAST)), List.of(),
                        T0));
                assertThat(another.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("recorded, pending").isEqualTo(1);

                var switchOn = others.submit(() -> firings.setSafeMode(true, "test", T0));
                Thread.sleep(500);
                assertThat(switchOn).as("the switch waits for the recorder under way").isNotDone();
                recording.commit();
                assertThat(switchOn.get(10, java.util.concurrent.TimeUnit.SECONDS).enabled()).isTrue();
            }
            assertThat(firings.countByState()).containsEntry("deferred", 1L);
        } finally {
            others.shutdownNow();
            TestDatabases.drop(settings);
        }
    }

    @org.junit.jupiter.api.Test
    void when_firings_are_recorded_with_a_lease_then_the_new_ones_come_back_claimed_once_and_no_claim_takes_them()
            throws SQLException {
        Database.Settings settings = TestDatabases.POSTGRESQL.fresh(dir);
        try (Database database = Database.open(settings)) {
            Firings firings = new Firings(database.dataSource(), database.dialect());
            firings.record(List.of(), List.of(firing("before", FAST)), List.of(), T0); // recorded without a lease
            // the slow receiver has room for one more firing waiting on this node, the fast one for many
            Firings.Lease lease = new Firings.Lease("node-a", LEASE, destination -> SLOW.equals(destination) ? 1 : 100);
            List<Firings.NewFiring> recorded = List.of(firing("f1", FAST), firing("s1", SLOW), firing("s2", SLOW),
                    firing("before", FAST), firing("none", null));

            Firings.Recorded first = firings.record(List.of(), recorded, List.of(), T0, lease);
            Firings.Recorded replay = firings.record(List.of(), recorded, List.of(), T0, lease);

            // new to the table and with room: handed over as claimed, with their bodies; "before" was there already
            assertThat(first.leased()).extracting(Firings.Claimed::firingId).containsExactlyInAnyOrder("f1", "s1");
            assertThat(first.leased()).allSatisfy(firing -> {
                assertThat(firing.body()).isEqualTo("{\"firingId\":\"" + firing.firingId() + "\"}");
                assertThat(firing.attempts()).isZero();
                assertThat(firing.firedMs()).isEqualTo(T0.toEpochMilli());
            });
            assertThat(first.pending()).isEqualTo(5);
            assertThat(replay.leased()).as("a replay hands nothing over again").isEmpty();
            // a claim takes the rest now, and the leased ones only once their lease has run out
            assertThat(ids(firings.claim(T0, LEASE, 10, List.of()))).containsExactlyInAnyOrder("s2", "before", "none");
            assertThat(firings.claim(T0.plus(LEASE).minusMillis(1), LEASE, 10, List.of())).isEmpty();
            assertThat(ids(firings.claim(T0.plus(LEASE).plusMillis(1), LEASE, 10, List.of())))
                    .containsExactlyInAnyOrder("f1", "s1", "s2", "before", "none");

            // in safe mode nothing takes a lease: deferred, as without one
            firings.setSafeMode(true, "test", T0);
            Firings.Recorded deferred = firings.record(List.of(), List.of(firing("f9", FAST)), List.of(), T0, lease);
            assertThat(deferred.leased()).isEmpty();
            assertThat(deferred.pending()).isZero();
            assertThat(firings.countByState()).containsEntry("deferred", 6L).containsEntry("pending", 0L);
        } finally {
            TestDatabases.drop(settings);
        }
    }

    private static Firings.NewFiring firing(String id, String destination) {
        return new Firings.NewFiring(id, "acme", "welcome", "user:" + id, "labelEntered", "trial", "event:m-" + id,
                destination, "{\"firingId\":\"" + id + "\"}");
    }

    private static List<String> ids(List<Firings.Claimed> claimed) {
        return claimed.stream().map(Firings.Claimed::firingId).toList();
    }
}
