package com.profilegrid.node;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.YamlClientConfigBuilder;
import com.hazelcast.client.test.TestHazelcastFactory;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import com.hazelcast.test.Accessors;
import com.profilegrid.model.Identities;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.ProfileKeySerializer;
import com.profilegrid.model.PropertyValue;
import com.profilegrid.node.rebuild.EventCount;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.RawIdEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import untrusted.UntrustedTask;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Serialization as configured by the packaged member and client YAML. */
class SerializationTest {

    private final TestHazelcastFactory factory = new TestHazelcastFactory();
    private HazelcastInstance member;
    private HazelcastInstance client;

    @BeforeEach
    void given_a_member_and_a_client_from_the_packaged_yaml() throws IOException {
        String cluster = TestClusters.uniqueClusterName();
        member = factory.newHazelcastInstance(TestClusters.withoutStore(cluster));
        client = factory.newHazelcastClient(clientConfig(cluster));
    }

    @AfterEach
    void tearDown() {
        factory.terminateAll();
    }

    @Test
    void when_a_profile_is_serialized_then_it_is_compact_and_reads_back_unchanged() {
        InternalSerializationService serialization = Accessors.getSerializationService(member);
        for (Profile profile : variedProfiles()) {
            Data data = serialization.toData(profile);
            assertThat(data.isCompact()).isTrue();
            assertThat((Profile) serialization.toObject(data)).isEqualTo(profile);
            Data key = serialization.toData(profile.key());
            assertThat(key.isCompact()).isTrue();
            assertThat((ProfileKey) serialization.toObject(key)).isEqualTo(profile.key());
        }
    }

    @Test
    void when_a_client_without_our_classes_builds_a_profile_key_then_it_is_the_same_key_on_the_same_partition() {
        // what a Node.js, Python or Java client without ProfileGrid's classes sends: a Compact generic record
        InternalSerializationService serialization = Accessors.getSerializationService(member);
        for (ProfileKey key : new ProfileKey[]{new ProfileKey("prj_1", "user:u1"), new ProfileKey("acme", "anon:ä-€")}) {
            GenericRecord generic = GenericRecordBuilder.compact(ProfileKeySerializer.TYPE_NAME)
                    .setString("project", key.project()).setString("profileId", key.profileId()).build();
            Data ours = serialization.toData(key);
            Data theirs = serialization.toData(generic);
            assertThat(theirs.toByteArray()).isEqualTo(ours.toByteArray());
            assertThat(member.getPartitionService().getPartition(generic).getPartitionId())
                    .isEqualTo(member.getPartitionService().getPartition(key).getPartitionId());
            assertThat((ProfileKey) serialization.toObject(theirs)).isEqualTo(key);
        }
    }

    @Test
    void when_profile_state_is_serialized_then_it_is_packed_compact_and_reads_back_unchanged() {
        InternalSerializationService serialization = Accessors.getSerializationService(member);
        for (Profile profile : variedProfiles()) {
            ProfileState state = new ProfileState(profile, Map.of("user:u-1", 3L, "anon:a", 1L), 2);
            Data data = serialization.toData(state);
            assertThat(data.isCompact()).isTrue();
            assertThat((ProfileState) serialization.toObject(data)).isEqualTo(state);
            RawIdEntry entry = new RawIdEntry(profile, Map.of(1L, 42L, 7L, Long.MAX_VALUE), 3, profile.profileId(),
                    1L << 60, 2);
            Data raw = serialization.toData(entry);
            assertThat(raw.isCompact()).isTrue();
            assertThat((RawIdEntry) serialization.toObject(raw)).isEqualTo(entry);
        }
        // the member sums a state's event total in place (EventCount): the packed form keeps it as a field
        IMap<ProfileKey, ProfileState> states = member.getMap("profile-state");
        Profile sample = SampleProfiles.profile("acme", 12);
        states.set(sample.key(), new ProfileState(sample, Map.of(), 0));
        assertThat(EventCount.in(states, "acme"))
                .isEqualTo(sample.eventCounts().values().stream().mapToLong(Long::longValue).sum()).isPositive();
        assertThat(EventCount.in(states, "other")).isZero();
    }

    @Test
    void when_a_client_writes_profiles_then_members_and_clients_read_them_unchanged() {
        IMap<ProfileKey, Profile> fromClient = client.getMap(MemberConfig.PROFILES_MAP);
        IMap<ProfileKey, Profile> onMember = member.getMap(MemberConfig.PROFILES_MAP);
        // a map without a near cache on the client, so its reads cross the wire
        IMap<ProfileKey, Profile> fromMember = member.getMap("round-trip");
        IMap<ProfileKey, Profile> toClient = client.getMap("round-trip");
        for (Profile profile : variedProfiles()) {
            fromClient.set(profile.key(), profile);
            assertThat(onMember.get(profile.key())).isEqualTo(profile);
            fromMember.set(profile.key(), profile);
            assertThat(toClient.get(profile.key())).isEqualTo(profile);
        }
    }

    @Test
    void when_a_class_outside_the_allow_list_is_sent_then_the_member_refuses_to_deserialize_it() throws Exception {
        IExecutorService executor = client.getExecutorService("default");

        assertThat(executor.submit(new TrustedTask()).get(30, TimeUnit.SECONDS)).isEqualTo("ran");
        assertThatThrownBy(() -> executor.submit(new UntrustedTask()).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasStackTraceContaining("untrusted.UntrustedTask")
                .hasStackTraceContaining("SecurityException");
    }

    /** Allow-listed by the {@code com.profilegrid.} prefix. */
    static final class TrustedTask implements Callable<String>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String call() {
            return "ran";
        }
    }

    private static Iterable<Profile> variedProfiles() {
        Instant t = Instant.parse("2026-11-01T10:00:00.001Z");
        Map<String, PropertyValue> many = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            many.put("p" + i, new PropertyValue("{\"n\":" + i + ",\"s\":\"ü\\u0000\"}", t.plusMillis(i), "m" + i));
        }
        return java.util.List.of(
                Profile.empty(new ProfileKey("acme", "empty")),
                SampleProfiles.profile("acme", 12),
                new Profile("acme", "ünïcødé 👋", new Identities("u-1", Set.of("a", "b"), Set.of("x@example.com")),
                        many, Map.of("Page Viewed", Long.MAX_VALUE, "", 0L), t, t.plusSeconds(1),
                        java.util.List.of(new com.profilegrid.model.Visit(t, t.plusSeconds(1))),
                        java.util.List.of(new com.profilegrid.model.RecentEvent("m", com.profilegrid.model.EventType.ALIAS, null, t)),
                        Set.of("vip"), Map.of("20393:Page Viewed", 3L, "20393:", 0L)));
    }

    private static ClientConfig clientConfig(String cluster) throws IOException {
        Properties values = new Properties();
        values.setProperty("profilegrid.cluster-name", cluster);
        values.setProperty("profilegrid.client-name", "test-client");
        values.setProperty("profilegrid.members", "127.0.0.1:5701");
        values.setProperty("profilegrid.connect-timeout-millis", "30000");
        try (InputStream yaml = SerializationTest.class.getClassLoader().getResourceAsStream("profilegrid/hazelcast-client.yaml")) {
            return new YamlClientConfigBuilder(yaml).setProperties(values).build().setInstanceName(null);
        }
    }
}
