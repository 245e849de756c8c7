package com.profilegrid.node.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.triggers.Receiver;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.awaitility.Awaitility.await;

/**
 * The invariants a fault scenario must leave intact, checked once the load has stopped: every acknowledged event in
 * the log once; the persisted rows equal the grid; live profiles equal a rebuild from the log; every firing delivered,
 * deferred or dead, none twice under different ids; no member down that the scenario did not take down. Each check
 * answers what it found, for the scenario's report.
 */
final class Checker {

    private final FaultCluster cluster;
    private final Database.Settings db;
    private final String project;

    Checker(FaultCluster cluster, Database.Settings db, String project) {
        this.cluster = cluster;
        this.db = db;
        this.project = project;
    }

    /** Runs every check; the report's {@code invariants} (name to "ok" or what failed). */
    Map<String, String> all(LoadDriver load, Receiver receiver) throws Exception {
        Map<String, String> results = new LinkedHashMap<>();
        results.put("no member died by itself", cluster.diedByThemselves().isEmpty() ? "ok"
                : "died: " + cluster.diedByThemselves());
        results.put("every acknowledged event in the log once", loggedOnce(load.acked));
        awaitCaughtUp();
        results.put("persisted rows equal the grid", gridEqualsTable());
        results.put("every firing delivered, deferred or dead, one id each", firings(load.purchasesAcked, receiver));
        results.put("live profiles equal a rebuild from the log", liveEqualsRebuild());
        return results;
    }

    /** Every acknowledged message id is in the log (the table's unique key keeps each once). */
    String loggedOnce(Set<String> acked) {
        Set<String> missing = new HashSet<>();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() -> {
            Set<String> logged = new HashSet<>();
            try (Connection connection = TestDatabases.connect(db);
                 PreparedStatement select = connection.prepareStatement(
                         "SELECT message_id FROM tracking_log WHERE project = ?")) {
                select.setString(1, project);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        logged.add(rows.getString(1));
                    }
                }
            }
            missing.clear();
            acked.stream().filter(id -> !logged.contains(id)).forEach(missing::add);
            return missing.isEmpty(); // spooled events reach the log as their node replays its spool
        });
        return missing.isEmpty() ? "ok" : missing.size() + " acknowledged event(s) not in the log";
    }

    /** Waits until every live generation's job has applied the whole log. */
    void awaitCaughtUp() {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() -> {
            JsonNode status = cluster.status(cluster.any());
            boolean caughtUp = status.path("lag").size() > 0;
            for (JsonNode lag : status.path("lag")) {
                caughtUp &= lag.path("events").asLong() == 0;
            }
            return caughtUp && status.path("clusterSafe").asBoolean();
        });
    }

    /** Reconciliation finds no row missing or behind the grid. */
    String gridEqualsTable() throws Exception {
        JsonNode report = cluster.admin(cluster.any(), "POST", "/admin/reconcile?project=" + project);
        long lost = report.path("missing").asLong() + report.path("behind").asLong();
        return lost == 0 ? "ok (" + report.path("checked").asLong() + " compared)"
                : lost + " row(s) missing or behind the grid: " + report;
    }

    /** Each acknowledged purchase fired once: delivered to the receiver under one firing id, or deferred or dead. */
    String firings(Set<String> purchases, Receiver receiver) throws Exception {
        Map<String, Set<String>> idsByCause = new HashMap<>();
        Set<String> notDelivered = new HashSet<>();
        try {
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() -> {
                idsByCause.clear();
                for (Receiver.Received received : receiver.at("/purchase")) {
                    String cause = NodeFixture.json(received.body()).at("/cause/messageId").asText();
                    idsByCause.computeIfAbsent(cause, c -> new HashSet<>()).add(received.idempotencyKey());
                }
                Set<String> parked = parked();
                notDelivered.clear();
                purchases.stream().filter(id -> !idsByCause.containsKey(id) && !parked.contains(id))
                        .forEach(notDelivered::add);
                return notDelivered.isEmpty();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // say what is missing rather than only that time ran out: lost (no row), or still on its way
            return notDelivered.size() + " purchase(s) without a delivered, deferred or dead firing after 5 minutes;"
                    + " their firings' states: " + states(notDelivered);
        }
        long twice = idsByCause.values().stream().filter(ids -> ids.size() > 1).count();
        if (!notDelivered.isEmpty() || twice > 0) {
            return notDelivered.size() + " purchase(s) without a firing, " + twice + " fired under two ids";
        }
        return "ok (" + idsByCause.size() + " delivered)";
    }

    /** How many of {@code causes} have a firing in each state ("none": no firing row at all). */
    private Map<String, Integer> states(Set<String> causes) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        try (Connection connection = TestDatabases.connect(db);
             PreparedStatement select = connection.prepareStatement(
                     "SELECT cause_id, state FROM firings WHERE project = ?")) {
            select.setString(1, project);
            Set<String> seen = new HashSet<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    if (causes.contains(rows.getString(1))) {
                        seen.add(rows.getString(1));
                        counts.merge(rows.getString(2), 1, Integer::sum);
                    }
                }
            }
            counts.put("none", (int) causes.stream().filter(cause -> !seen.contains(cause)).count());
        } catch (Exception e) {
            counts.put("unknown: " + e.getMessage(), causes.size());
        }
        return counts;
    }

    /** Message ids of purchases whose firing is deferred or dead (not delivered, not lost). */
    private Set<String> parked() throws Exception {
        Set<String> causes = new HashSet<>();
        try (Connection connection = TestDatabases.connect(db);
             PreparedStatement select = connection.prepareStatement(
                     "SELECT cause_id FROM firings WHERE project = ? AND state IN ('deferred', 'dead')")) {
            select.setString(1, project);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String cause = rows.getString(1);
                    causes.add(cause.startsWith("event:") ? cause.substring("event:".length()) : cause);
                }
            }
        }
        return causes;
    }

    /** The project's profiles as persisted now, then after a rebuild of the project from the log: equal. */
    String liveEqualsRebuild() throws Exception {
        Map<String, String> live = profiles();
        JsonNode started = cluster.admin(cluster.any(), "POST", "/admin/rebuild?project=" + project);
        if (started.has("message") && !started.has("state")) {
            return "could not start a rebuild: " + started;
        }
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() -> {
            String state = cluster.admin(cluster.any(), "GET", "/admin/rebuild").path("state").asText();
            if (state.equals("FAILED")) {
                throw new AssertionError("rebuild failed");
            }
            return state.equals("DONE");
        });
        cluster.admin(cluster.any(), "POST", "/admin/reconcile?project=" + project); // flushes the new generation
        Map<String, String> rebuilt = profiles();
        if (live.equals(rebuilt)) {
            return "ok (" + live.size() + " profiles)";
        }
        Set<String> differing = new java.util.TreeSet<>(live.keySet());
        differing.addAll(rebuilt.keySet());
        differing.removeIf(id -> java.util.Objects.equals(live.get(id), rebuilt.get(id)));
        return differing.size() + " profile(s) differ, e.g. " + differing.stream().limit(3).map(id -> id + ": live "
                + live.get(id) + " rebuilt " + rebuilt.get(id)).toList();
    }

    private Map<String, String> profiles() throws Exception {
        Map<String, String> profiles = new TreeMap<>();
        try (Connection connection = TestDatabases.connect(db);
             PreparedStatement select = connection.prepareStatement("SELECT profile_id, user_id, anonymous_ids, emails, "
                     + "properties, event_counts, first_seen_ms, last_seen_ms, visits FROM current_profiles "
                     + "WHERE project = ?")) {
            select.setString(1, project);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int column = 2; column <= 9; column++) {
                        row.append(rows.getString(column)).append('|');
                    }
                    profiles.put(rows.getString(1), row.toString());
                }
            }
        }
        return profiles;
    }
}
