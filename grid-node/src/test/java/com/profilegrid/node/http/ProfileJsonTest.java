package com.profilegrid.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.profilegrid.model.EventType;
import com.profilegrid.model.Identities;
import com.profilegrid.model.Profile;
import com.profilegrid.model.PropertyValue;
import com.profilegrid.model.RecentEvent;
import com.profilegrid.model.Visit;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The profile's JSON ({@code GET /v1/profiles/{id}} and every webhook's {@code profile}) is written straight to text;
 * it must say exactly what the tree it replaced said, field for field and in the same order.
 */
class ProfileJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void a_full_profile_reads_as_the_tree_made_it() throws Exception {
        Instant t = Instant.parse("2026-11-01T10:00:00.123Z");
        long day = LocalDate.parse("2026-11-01").toEpochDay();
        long oldDay = LocalDate.parse("1990-01-01").toEpochDay(); // four digits: sorts after five as text
        Profile profile = new Profile("shop", "user:u-1",
                new Identities("u-1", Set.of("anon-b", "anon-a"), Set.of("b@example.com", "a@example.com")),
                Map.of("plan", new PropertyValue("\"pro\"", t, "m1"),
                        "address", new PropertyValue("{\"city\":\"Oslo\",\"zip\":[1,2.5,null]}", t, "m2"),
                        "seats", new PropertyValue("12", t, "m3"),
                        "broken", new PropertyValue("not json {", t, "m4"),
                        "quote\"d", new PropertyValue("\"\\u00e9\\n\"", t, "m5")),
                Map.of("Purchase", 2L, "Signed Up", 1L, "Ünïcode", 3L),
                t.minusSeconds(86_400), t,
                List.of(new Visit(t.minusSeconds(86_400), t.minusSeconds(86_000)), new Visit(t.minusSeconds(60), t)),
                List.of(new RecentEvent("m9", EventType.TRACK, "Purchase", t),
                        new RecentEvent("m8", EventType.IDENTIFY, null, t.minusSeconds(5))),
                Set.of("vip", "trial-users", "a-label"),
                Map.of(day + ":Purchase", 2L, day + ":Signed Up", 1L, (day - 1) + ":Purchase", 4L,
                        oldDay + ":Old", 7L, (day * 10) + ":Far", 1L));
        String written = ProfileRoutes.render(profile);
        assertThat(written).isEqualTo(tree(profile).toString());
        assertThat(JSON.readTree(written).get("properties").get("address").get("zip").get(1).asDouble()).isEqualTo(2.5);
        assertThat(JSON.readTree(written).get("eventCountsByDay").get("1990-01-01").get("Old").asLong()).isEqualTo(7);
    }

    @Test
    void an_empty_profile_reads_as_the_tree_made_it() {
        Profile profile = Profile.empty(new com.profilegrid.model.ProfileKey("shop", "anon:x"));
        assertThat(ProfileRoutes.render(profile)).isEqualTo(tree(profile).toString());
    }

    /** The tree the profile's JSON was made as before it was written straight to text: the oracle. */
    private static ObjectNode tree(Profile profile) {
        ObjectNode out = JSON.createObjectNode().put("projectId", profile.project()).put("profileId", profile.profileId());
        ObjectNode ids = out.putObject("identities").put("userId", profile.identities().userId());
        new TreeSet<>(profile.identities().anonymousIds()).forEach(ids.putArray("anonymousIds")::add);
        new TreeSet<>(profile.identities().emails()).forEach(ids.putArray("emails")::add);
        ObjectNode properties = out.putObject("properties");
        new TreeMap<>(profile.properties()).forEach((name, value) -> properties.set(name, parse(value.json())));
        ObjectNode counts = out.putObject("eventCounts");
        new TreeMap<>(profile.eventCounts()).forEach(counts::put);
        ObjectNode byDay = out.putObject("eventCountsByDay");
        new TreeMap<>(profile.dailyCounts()).forEach((key, count) -> {
            int colon = key.indexOf(':');
            String day = LocalDate.ofEpochDay(Long.parseLong(key.substring(0, colon))).toString();
            ObjectNode ofDay = byDay.has(day) ? (ObjectNode) byDay.get(day) : byDay.putObject(day);
            ofDay.put(key.substring(colon + 1), count);
        });
        out.put("firstSeen", profile.firstSeen() == null ? null : profile.firstSeen().toString());
        out.put("lastSeen", profile.lastSeen() == null ? null : profile.lastSeen().toString());
        out.put("visitCount", profile.visitCount());
        var visits = out.putArray("visits");
        for (Visit visit : profile.visits()) {
            visits.addObject().put("start", visit.start().toString()).put("end", visit.end().toString());
        }
        var recent = out.putArray("recentEvents");
        for (RecentEvent event : profile.recentEvents()) {
            recent.addObject().put("messageId", event.messageId()).put("type", event.type().wireName())
                    .put("name", event.name()).put("timestamp", event.timestamp().toString());
        }
        new TreeSet<>(profile.labels()).forEach(out.putArray("labels")::add);
        return out;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }
}
