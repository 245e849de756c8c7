package com.profilegrid.node.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.NodeCluster;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Triggers end to end, with a real receiver on 127.0.0.1: a profile entering a label fires one signed webhook; a
 * receiver that fails is retried with the same idempotency key; one that never answers well ends dead with its
 * error; a slow receiver holds up only itself; event triggers test the event and the profile; safe mode defers
 * firings, and its exit delivers or discards them.
 */
class TriggerDeliveryTest {

    private static final String SECRET = "s3cret-of-sixteen-chars";

    @TempDir
    Path dir;
    private Database.Settings db;
    private NodeCluster cluster;
    private NodeFixture node;
    private ProjectStore.Created project;
    private Receiver receiver;

    @BeforeEach
    void start() throws Exception {
        db = TestDatabases.POSTGRESQL.fresh(dir);
        // a short budget and quick retries, so that giving up happens within the test
        cluster = NodeCluster.start(dir, db, 1, settings -> settings.withTriggers(TriggerSettings.defaults()
                .withRetryBudget(Duration.ofSeconds(3)).withBackoff(Duration.ofMillis(50), Duration.ofMillis(300))));
        node = cluster.node(0);
        project = node.createProject("acme");
        receiver = new Receiver();
        created("/labels", "{\"name\": \"pro\", \"rule\": {\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}}");
    }

    @AfterEach
    void stop() throws Exception {
        receiver.close();
        cluster.close();
        TestDatabases.drop(db);
    }

    @Test
    void when_a_profile_enters_a_label_then_each_trigger_delivers_once_retries_or_gives_up_as_its_receiver_answers()
            throws Exception {
        receiver.on("/flaky", n -> Receiver.Answer.of(n <= 3 ? 500 : 200))
                .on("/never", n -> new Receiver.Answer(503, 0, "0"))
                .on("/gone", n -> Receiver.Answer.of(404))
                .on("/slow", n -> new Receiver.Answer(200, 3_000, null))
                .on("/mute", n -> new Receiver.Answer(200, 2_000, null));
        trigger("slowpoke", "{\"labelEntered\": \"pro\"}", "/slow", 10_000);
        trigger("welcome", "{\"labelEntered\": \"pro\"}", "/ok", 5_000);
        trigger("flaky", "{\"labelEntered\": \"pro\"}", "/flaky", 5_000);
        trigger("never", "{\"labelEntered\": \"pro\"}", "/never", 5_000);
        trigger("gone", "{\"labelEntered\": \"pro\"}", "/gone", 5_000);
        trigger("mute", "{\"labelEntered\": \"pro\"}", "/mute", 500);
        trigger("downgrade", "{\"labelExited\": \"pro\"}", "/exit", 5_000);

        track("{\"type\":\"identify\",\"userId\":\"u1\",\"messageId\":\"m1\",\"timestamp\":\"" + ago(60)
                + "\",\"traits\":{\"plan\":\"pro\"}}");

        // one delivery, signed with the trigger's secret, keyed by its firing id
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/ok").size() == 1);
        Receiver.Received welcome = receiver.at("/ok").get(0);
        JsonNode body = NodeFixture.json(welcome.body());
        assertThat(welcome.idempotencyKey()).isEqualTo(body.get("firingId").asText());
        String[] signature = welcome.signature().split(",");
        assertThat(signature[0]).startsWith("t=");
        assertThat(signature[1]).isEqualTo("v1=" + Signature.hmac(SECRET, signature[0].substring(2) + "." + welcome.body()));
        assertThat(body.get("trigger").asText()).isEqualTo("welcome");
        assertThat(body.get("project").asText()).isEqualTo(project.projectId());
        assertThat(body.get("profileId").asText()).isEqualTo("user:u1");
        assertThat(body.at("/cause/type").asText()).isEqualTo("labelEntered");
        assertThat(body.at("/cause/label").asText()).isEqualTo("pro");
        assertThat(body.at("/cause/messageId").asText()).isEqualTo("m1");
        assertThat(body.at("/profile/labels/0").asText()).isEqualTo("pro");
        // the slow receiver, met at the same time, had not answered when the other was delivered
        assertThat(receiver.at("/slow")).isEmpty();

        // 500 three times, then 200: four attempts with one key, delivered
        await().atMost(Duration.ofSeconds(30)).until(() -> state("flaky").equals("delivered"));
        assertThat(receiver.at("/flaky")).hasSize(4).extracting(Receiver.Received::idempotencyKey).containsOnly(
                receiver.at("/flaky").get(0).idempotencyKey());
        assertThat(firing("flaky").get("attempts").asInt()).isEqualTo(4);

        // never a good answer: dead once the budget is spent, with its last error; a 404 is not retried
        await().atMost(Duration.ofSeconds(30)).until(() -> state("never").equals("dead"));
        assertThat(firing("never").get("lastError").asText()).contains("HTTP 503").contains("retry budget");
        await().atMost(Duration.ofSeconds(30)).until(() -> state("gone").equals("dead"));
        assertThat(receiver.at("/gone")).hasSize(1);
        assertThat(firing("gone").get("lastError").asText()).contains("HTTP 404");
        // no answer within the trigger's timeout, attempt after attempt: dead, saying so
        await().atMost(Duration.ofSeconds(30)).until(() -> state("mute").equals("dead"));
        assertThat(firing("mute").get("lastError").asText()).contains("no answer from").contains("within its timeout");
        await().atMost(Duration.ofSeconds(30)).until(() -> state("slowpoke").equals("delivered"));

        // leaving the label fires its exit trigger, caused by the event that made it leave
        track("{\"type\":\"identify\",\"userId\":\"u1\",\"messageId\":\"m2\",\"timestamp\":\"" + ago(50)
                + "\",\"traits\":{\"plan\":\"free\"}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/exit").size() == 1);
        assertThat(NodeFixture.json(receiver.at("/exit").get(0).body()).at("/cause/messageId").asText()).isEqualTo("m2");

        // a dead firing sent again is delivered when its receiver is back
        receiver.on("/gone", n -> Receiver.Answer.of(200));
        String gone = firing("gone").get("firingId").asText();
        assertThat(node.admin("POST", "/admin/projects/" + project.projectId() + "/firings/" + gone + "/retry", null)
                .statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> state("gone").equals("delivered"));
        assertThat(receiver.at("/gone")).hasSize(2).extracting(Receiver.Received::idempotencyKey).containsOnly(gone);
        // each trigger delivered for one cause once, whatever came after
        assertThat(receiver.at("/ok")).hasSize(1);
        assertThat(receiver.at("/slow")).hasSize(1);
    }

    @Test
    void when_an_event_trigger_tests_the_event_and_the_profile_then_only_matching_events_fire_it() throws Exception {
        trigger("ad-signup", "{\"event\": \"Signed Up\", \"where\": {\"property\": \"source\", \"op\": \"eq\", "
                + "\"value\": \"ad\"}, \"profile\": {\"property\": \"plan\", \"op\": \"exists\"}}", "/event", 5_000);
        track("{\"type\":\"identify\",\"userId\":\"u1\",\"messageId\":\"m1\",\"timestamp\":\"" + ago(60)
                        + "\",\"traits\":{\"plan\":\"free\"}}",
                signUp("u1", "m2", "organic", 50), signUp("u1", "m3", "ad", 40), signUp("u2", "m4", "ad", 30));
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/event").size() == 1);
        JsonNode body = NodeFixture.json(receiver.at("/event").get(0).body());
        assertThat(body.at("/cause/type").asText()).isEqualTo("event");
        assertThat(body.at("/cause/event").asText()).isEqualTo("Signed Up");
        assertThat(body.at("/cause/messageId").asText()).isEqualTo("m3");
        // u2 has no plan: its event matched, its profile did not
        track(signUp("u1", "m5", "organic", 20));
        awaitEventCount("u1", "Signed Up", 3);
        assertThat(receiver.at("/event")).hasSize(1);
    }

    @Test
    void when_safe_mode_is_on_then_firings_are_deferred_and_its_exit_delivers_or_discards_them() throws Exception {
        trigger("welcome", "{\"labelEntered\": \"pro\"}", "/ok", 5_000);
        JsonNode on = NodeFixture.json(node.admin("POST", "/admin/safe-mode",
                "{\"enabled\": true, \"reason\": \"holiday spike\"}").body());
        assertThat(on.get("state").asText()).isEqualTo("on");
        assertThat(node.admin("POST", "/admin/safe-mode", "{\"enabled\": false}").statusCode()).isEqualTo(400);

        track(identifyPro("u2", "m1", 60));
        await().atMost(Duration.ofSeconds(30)).until(() -> state("welcome").equals("deferred"));
        JsonNode status = NodeFixture.json(node.admin("GET", "/admin/safe-mode", null).body());
        assertThat(status.get("reason").asText()).isEqualTo("holiday spike");
        assertThat(status.get("deferred").asInt()).isEqualTo(1);
        assertThat(receiver.at("/ok")).isEmpty();

        JsonNode exit = NodeFixture.json(node.admin("POST", "/admin/safe-mode/exit", "{\"deferred\": \"deliver\"}").body());
        assertThat(exit.get("delivering").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/ok").size() == 1);
        assertThat(NodeFixture.json(receiver.at("/ok").get(0).body()).get("profileId").asText()).isEqualTo("user:u2");

        node.admin("POST", "/admin/safe-mode", "{\"enabled\": true, \"reason\": \"receiver outage\"}");
        track(identifyPro("u3", "m2", 50));
        await().atMost(Duration.ofSeconds(30)).until(() -> firings("deferred").size() == 1);
        exit = NodeFixture.json(node.admin("POST", "/admin/safe-mode/exit", "{\"deferred\": \"discard\"}").body());
        assertThat(exit.get("discarded").asInt()).isEqualTo(1);
        JsonNode discarded = firings("discarded").get(0);
        assertThat(discarded.get("profileId").asText()).isEqualTo("user:u3");
        assertThat(discarded.get("reason").asText()).contains("receiver outage");
        assertThat(NodeFixture.json(node.admin("GET", "/admin/safe-mode", null).body()).get("state").asText())
                .isEqualTo("off");
        track(identifyPro("u4", "m3", 40));
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/ok").size() == 2);
        assertThat(receiver.at("/ok")).extracting(r -> NodeFixture.json(r.body()).get("profileId").asText())
                .containsExactly("user:u2", "user:u4");
    }

    @Test
    void when_the_job_replays_the_whole_log_then_no_firing_is_decided_or_delivered_again() throws Exception {
        trigger("welcome", "{\"labelEntered\": \"pro\"}", "/ok", 5_000);
        track(identifyPro("u1", "m1", 60), identifyPro("u2", "m2", 50),
                "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Viewed\",\"messageId\":\"m3\",\"timestamp\":\""
                        + ago(40) + "\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/ok").size() == 2);

        // a job without its snapshot or stored positions reads the log from its start: every step is a repeat
        com.hazelcast.core.HazelcastInstance member = node.node().member();
        String jobName = com.profilegrid.model.Generation.active(member).jobName();
        node.node().stopProfileJob();
        await().atMost(Duration.ofSeconds(30)).until(() -> member.getJet().getJob(jobName).getStatus().isTerminal());
        try (java.sql.Connection connection = TestDatabases.connect(db);
             java.sql.Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM log_positions");
        }
        com.hazelcast.jet.Job fresh = com.profilegrid.node.ProfileJob.start(member,
                com.profilegrid.model.Generation.active(member), null, com.profilegrid.pipelines.fold.FoldSettings.DEFAULTS);
        track(identifyPro("u3", "m4", 30));
        await().atMost(Duration.ofSeconds(60)).until(() -> com.profilegrid.node.ProfileJob.eventsRead(fresh) >= 4
                && receiver.at("/ok").size() >= 3);
        Thread.sleep(2_000); // anything decided twice would be on its way by now

        assertThat(firings("delivered")).hasSize(3);
        assertThat(receiver.at("/ok")).extracting(r -> NodeFixture.json(r.body()).get("profileId").asText())
                .containsExactlyInAnyOrder("user:u1", "user:u2", "user:u3");
    }

    private String identifyPro(String userId, String messageId, int secondsAgo) {
        return "{\"type\":\"identify\",\"userId\":\"" + userId + "\",\"messageId\":\"" + messageId + "\",\"timestamp\":\""
                + ago(secondsAgo) + "\",\"traits\":{\"plan\":\"pro\"}}";
    }

    private static String signUp(String userId, String messageId, String source, int secondsAgo) {
        return "{\"type\":\"track\",\"userId\":\"" + userId + "\",\"event\":\"Signed Up\",\"messageId\":\"" + messageId
                + "\",\"timestamp\":\"" + ago(secondsAgo) + "\",\"properties\":{\"source\":\"" + source + "\"}}";
    }

    private static Instant ago(int seconds) {
        return Instant.now().minusSeconds(seconds);
    }

    private void created(String path, String body) {
        HttpResponse<String> response = node.admin("POST", "/admin/projects/" + project.projectId() + path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private void trigger(String name, String on, String path, int timeoutMs) {
        created("/triggers", "{\"name\": \"" + name + "\", \"on\": " + on + ", \"webhook\": {\"url\": \""
                + receiver.url(path) + "\", \"secret\": \"" + SECRET + "\", \"timeoutMs\": " + timeoutMs + "}}");
    }

    private void track(String... messages) throws Exception {
        node.postLogged("/v1/batch", project.writeKey(), "{\"batch\":[" + String.join(",", messages) + "]}");
    }

    private List<JsonNode> firings(String state) {
        HttpResponse<String> list = node.admin("GET", "/admin/projects/" + project.projectId() + "/firings?state=" + state,
                null);
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        List<JsonNode> rows = new java.util.ArrayList<>();
        NodeFixture.json(list.body()).forEach(rows::add);
        return rows;
    }

    /** The one firing of {@code trigger} ({@code null} when none yet). */
    private JsonNode firing(String trigger) {
        HttpResponse<String> list = node.admin("GET", "/admin/projects/" + project.projectId() + "/firings?trigger="
                + trigger, null);
        JsonNode rows = NodeFixture.json(list.body());
        assertThat(rows.size()).as(list.body()).isLessThanOrEqualTo(1);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private String state(String trigger) {
        JsonNode firing = firing(trigger);
        return firing == null ? "none" : firing.get("state").asText();
    }

    private void awaitEventCount(String userId, String event, int count) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> read = node.send(node.request("/v1/profiles/" + userId, project.readKey()).GET().build());
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(NodeFixture.json(read.body()).at("/eventCounts/" + event.replace(" ", " ")).asInt())
                    .as(read.body()).isEqualTo(count);
        });
    }
}
