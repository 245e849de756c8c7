package com.profilegrid.client.internal;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.YamlClientConfigBuilder;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import com.profilegrid.client.ClientSettings;
import com.profilegrid.client.Firing;
import com.profilegrid.client.LabelPage;
import com.profilegrid.client.ProfileGridClient;
import com.profilegrid.client.ProfileGridException;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.RecentEvent;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/** {@link ProfileGridClient} on a Hazelcast client (reads) and the HTTP tracking API (writes). */
public final class HazelcastProfileGridClient implements ProfileGridClient {

    static final String CLIENT_YAML = "profilegrid/hazelcast-client.yaml";

    private final HazelcastInstance client;
    private final ProfileLookup lookup;
    private final TrackingHttp tracking;
    private final LabelQueries labelQueries;

    private HazelcastProfileGridClient(HazelcastInstance client, TrackingHttp tracking, LabelQueries labelQueries) {
        this.client = client;
        this.lookup = new ProfileLookup(client);
        this.tracking = tracking;
        this.labelQueries = labelQueries;
    }

    public static ProfileGridClient connect(ClientSettings settings) {
        ClientConfig config = config(settings);
        try {
            HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
            return new HazelcastProfileGridClient(client, settings.ingestUrl() == null ? null
                    : new TrackingHttp(settings.ingestUrl(), settings.writeKey()),
                    settings.labelQueryUrl() == null || settings.readKey() == null ? null
                            : new LabelQueries(settings.labelQueryUrl(), settings.readKey()));
        } catch (IllegalStateException e) {
            throw new ProfileGridException("cannot reach the ProfileGrid cluster '" + settings.clusterName() + "' at "
                    + settings.members() + " within " + settings.connectTimeout(), e);
        }
    }

    static ClientConfig config(ClientSettings settings) {
        Properties values = new Properties();
        values.setProperty("profilegrid.cluster-name", settings.clusterName());
        values.setProperty("profilegrid.client-name", "profilegrid-client-" + UUID.randomUUID());
        values.setProperty("profilegrid.members", settings.members().get(0));
        values.setProperty("profilegrid.connect-timeout-millis", Long.toString(settings.connectTimeout().toMillis()));
        try (InputStream yaml = HazelcastProfileGridClient.class.getClassLoader().getResourceAsStream(CLIENT_YAML)) {
            if (yaml == null) {
                throw new ProfileGridException(CLIENT_YAML + " is missing from the classpath (profilegrid-config)");
            }
            ClientConfig config = new YamlClientConfigBuilder(yaml).setProperties(values).build();
            config.getNetworkConfig().setAddresses(new java.util.ArrayList<>(settings.members()));
            return config;
        } catch (IOException e) {
            throw new ProfileGridException("cannot read " + CLIENT_YAML, e);
        }
    }

    @Override
    public Optional<Profile> profile(String project, String id) {
        try {
            return lookup.find(project, id);
        } catch (IllegalStateException e) { // HazelcastClientOfflineException, or the client shut down
            throw new ProfileGridException("the ProfileGrid cluster is not reachable", e);
        }
    }

    @Override
    public List<RecentEvent> recentEvents(String project, String id) {
        return profile(project, id).map(Profile::recentEvents).orElse(List.of());
    }

    @Override
    public Set<String> labels(String project, String id) {
        return profile(project, id).map(Profile::labels).orElse(Set.of());
    }

    @Override
    public Map<String, Long> labelCounts() {
        return requireLabelQueries().counts();
    }

    @Override
    public LabelPage labelMembers(String label, int limit, String cursor) {
        if (limit < 1 || limit > 1_000) {
            throw new IllegalArgumentException("limit: from 1 to 1000, not " + limit);
        }
        return requireLabelQueries().members(label, limit, cursor);
    }

    @Override
    public AutoCloseable onFiring(String project, Consumer<Firing> listener) {
        try {
            ITopic<String> topic = client.getReliableTopic(GridMaps.firingsTopic(project));
            UUID registration = topic.addMessageListener(new FiringListener(listener));
            return () -> topic.removeMessageListener(registration);
        } catch (IllegalStateException e) {
            throw new ProfileGridException("the ProfileGrid cluster is not reachable", e);
        }
    }

    private LabelQueries requireLabelQueries() {
        if (labelQueries == null) {
            throw new ProfileGridException("label queries need ClientSettings.readKey and a URL (queryUrl or ingestUrl)");
        }
        return labelQueries;
    }

    @Override
    public void track(String userId, String event, Map<String, ?> properties, String messageId) {
        Map<String, Object> message = new java.util.HashMap<>();
        message.put("userId", userId);
        message.put("event", event);
        message.put("properties", properties == null ? Map.of() : properties);
        requireTracking().send("track", message, messageId);
    }

    @Override
    public void identify(String userId, String anonymousId, Map<String, ?> traits, String messageId) {
        Map<String, Object> message = new java.util.HashMap<>();
        message.put("userId", userId);
        if (anonymousId != null) {
            message.put("anonymousId", anonymousId);
        }
        message.put("traits", traits == null ? Map.of() : traits);
        requireTracking().send("identify", message, messageId);
    }

    private TrackingHttp requireTracking() {
        if (tracking == null) {
            throw new ProfileGridException("tracking needs ClientSettings.ingestUrl and writeKey");
        }
        return tracking;
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
