package com.profilegrid.node.ops;

import com.profilegrid.node.NodeCluster;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.triggers.Receiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /metrics} after a small load, as Prometheus would scrape it: every metric the operations guide names is
 * there, with a value that fits what was done (events sent and refused, a label entered, a webhook delivered, the
 * pipeline caught up, profile state within its budget), beside the JVM's and Hazelcast's.
 */
class MetricsTest {

    @TempDir
    Path dir;

    @Test
    void when_a_small_load_has_run_then_every_named_metric_is_scraped_with_a_plausible_value() throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        try (NodeCluster cluster = NodeCluster.start(dir, db, 1); Receiver receiver = new Receiver()) {
            NodeFixture node = cluster.node(0);
            ProjectStore.Created project = node.createProject("acme");
            String admin = "/admin/projects/" + project.projectId();
            node.admin("POST", admin + "/labels", "{\"name\": \"buyers\", \"rule\": {\"event\": \"Purchase\", "
                    + "\"count\": {\"gte\": 1}}}");
            node.admin("POST", admin + "/triggers", "{\"name\": \"welcome\", \"on\": {\"labelEntered\": \"buyers\"}, "
                    + "\"webhook\": {\"url\": \"" + receiver.url("/enter") + "\", \"secret\": \"sixteen-characters\"}}");

            StringBuilder batch = new StringBuilder("{\"batch\": [");
            for (int i = 0; i < 10; i++) {
                batch.append(i == 0 ? "" : ",").append("{\"type\": \"track\", \"userId\": \"u").append(i % 5)
                        .append("\", \"event\": \"").append(i == 3 ? "Purchase" : "Viewed").append("\", \"messageId\": \"m")
                        .append(i).append("\"}");
            }
            batch.append("]}");
            assertThat(node.postAcknowledged("/v1/batch", project.writeKey(), batch.toString()).statusCode()).isEqualTo(200);
            assertThat(node.get("/track/ce?project=" + project.writeKey() + "&cookie=w1&event=visit").statusCode())
                    .isBetween(200, 202);
            assertThat(node.post("/v1/track", "wk_not-a-key", "{\"userId\": \"x\", \"event\": \"E\"}").statusCode())
                    .isEqualTo(401);
            assertThat(node.post("/v1/track", project.writeKey(), "{\"userId\": ").statusCode()).isEqualTo(400);
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/enter").size() == 1);

            // the cluster figures are measured every 10 s: wait for a measurement that has seen the load through
            Map<String, Double> m = await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> scrape(node), s -> value(s, "profilegrid_firings{", "state=\"delivered\"") == 1
                            && value(s, "profilegrid_profiles{", "where=\"memory\"") >= 6
                            && value(s, "profilegrid_pipeline_lag_events{", "generation=\"profilegrid-profiles\"") == 0);

            // tracking: by dialect and outcome, refusals by reason, the ack histogram
            assertThat(value(m, "profilegrid_tracking_events_total{", "dialect=\"segment\"")).isEqualTo(10);
            assertThat(value(m, "profilegrid_tracking_events_total{", "dialect=\"woopra\"")).isEqualTo(1);
            assertThat(value(m, "profilegrid_tracking_refused_total{", "reason=\"unauthorized\"")).isEqualTo(1);
            assertThat(value(m, "profilegrid_tracking_refused_total{", "reason=\"invalid\"")).isEqualTo(1);
            assertThat(value(m, "profilegrid_tracking_ack_seconds_count{", "dialect=\"segment\"")).isEqualTo(1);
            assertThat(value(m, "profilegrid_tracking_ack_seconds_bucket{", "dialect=\"segment\"", "le=\"+Inf\""))
                    .isEqualTo(1);
            assertThat(value(m, "profilegrid_tracking_ack_seconds_sum{", "dialect=\"segment\"")).isBetween(0.0, 30.0);
            // spool: nothing spooled while the log answered
            assertThat(value(m, "profilegrid_spool_bytes{")).isGreaterThanOrEqualTo(0);
            assertThat(value(m, "profilegrid_spool_oldest_age_seconds{")).isZero();
            // the pipeline caught up; nothing waits for it
            assertThat(value(m, "profilegrid_pipeline_oldest_unapplied_age_seconds{",
                    "generation=\"profilegrid-profiles\"")).isZero();
            assertThat(value(m, "profilegrid_writebehind_queued{")).isGreaterThanOrEqualTo(0);
            assertThat(value(m, "profilegrid_state_partition_thread_loads_total{")).isGreaterThanOrEqualTo(0);
            // 6 profiles (5 users and a Woopra visitor), in memory; profile state within its budget
            assertThat(value(m, "profilegrid_profiles{", "where=\"database_only\"")).isGreaterThanOrEqualTo(0);
            double state = value(m, "profilegrid_profile_state_heap_bytes{");
            assertThat(state).isPositive().isLessThan(value(m, "profilegrid_profile_state_budget_bytes{"));
            assertThat(value(m, "profilegrid_heap_after_gc_bytes{")).isGreaterThanOrEqualTo(0);
            assertThat(value(m, "profilegrid_dead_letters{")).isZero();
            // a label entered, its trigger delivered, the attempt timed
            assertThat(value(m, "profilegrid_label_changes_total{", "kind=\"entered\"")).isEqualTo(1);
            assertThat(value(m, "profilegrid_firings{", "state=\"pending\"")).isZero();
            assertThat(value(m, "profilegrid_webhook_latency_seconds_count{", "outcome=\"delivered\"")).isEqualTo(1);
            // recorded on this node: handed to its delivery as recorded, not claimed from the table
            assertThat(value(m, "profilegrid_firings_taken_total{", "by=\"lease\"")).isEqualTo(1);
            assertThat(value(m, "profilegrid_firings_taken_total{", "by=\"claim\"")).isZero();
            assertThat(value(m, "profilegrid_safe_mode{")).isZero();
            // the JVM and Hazelcast
            assertThat(value(m, "jvm_memory_used_bytes{", "area=\"heap\"")).isPositive();
            assertThat(m.keySet()).anyMatch(name -> name.startsWith("jvm_gc_"));
            assertThat(value(m, "hazelcast_cluster_members{")).isEqualTo(1);
            assertThat(value(m, "hazelcast_cluster_safe{")).isEqualTo(1);
            assertThat(value(m, "hazelcast_jet_jobs{", "status=\"running\"")).isGreaterThanOrEqualTo(1);
            assertThat(value(m, "hazelcast_map_entries{", "map=\"profile-state\"", "kind=\"owned\""))
                    .isGreaterThanOrEqualTo(6);
            assertThat(value(m, "hazelcast_map_memory_bytes{", "map=\"profile-state\"", "kind=\"owned\""))
                    .isPositive();

            // every metric the Grafana dashboard charts is one the node serves
            System.gc(); // the GC pause timer exists once a collection has been seen
            Map<String, Double> now = await().atMost(Duration.ofSeconds(10)).until(() -> scrape(node),
                    s -> s.keySet().stream().anyMatch(name -> name.startsWith("jvm_gc_pause_seconds_sum")));
            String dashboard = java.nio.file.Files.readString(Path.of("../config/grafana/profilegrid-dashboard.json"));
            java.util.regex.Matcher charted = java.util.regex.Pattern.compile("\\b((?:profilegrid|hazelcast|jvm)_[a-z_]+)")
                    .matcher(dashboard);
            int names = 0;
            while (charted.find()) {
                String name = charted.group(1);
                names++;
                assertThat(now.keySet()).as("charted metric " + name).anyMatch(sample -> sample.startsWith(name + "{"));
            }
            assertThat(names).isGreaterThan(20);

            // safe mode shows once measured
            node.admin("POST", "/admin/safe-mode", "{\"enabled\": true, \"reason\": \"metrics test\"}");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> value(scrape(node), "profilegrid_safe_mode{") == 1);
        } finally {
            TestDatabases.drop(db);
        }
    }

    /** The scraped samples by name and labels ({@code name{labels}}), without comments. */
    private static Map<String, Double> scrape(NodeFixture node) {
        HttpResponse<String> answer = node.get("/metrics");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("text/plain"));
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : answer.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String name = line.substring(0, space);
            samples.put(name.contains("{") ? name : name + "{}", Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    /** The sum of the samples whose name starts with {@code prefix} and whose labels hold every one of {@code labels}. */
    private static double value(Map<String, Double> samples, String prefix, String... labels) {
        double sum = 0;
        boolean found = false;
        for (Map.Entry<String, Double> sample : samples.entrySet()) {
            if (!sample.getKey().startsWith(prefix)) {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= sample.getKey().contains(label);
            }
            if (all) {
                sum += sample.getValue();
                found = true;
            }
        }
        assertThat(found).as("a sample %s with %s", prefix, String.join(", ", labels)).isTrue();
        return sum;
    }
}
