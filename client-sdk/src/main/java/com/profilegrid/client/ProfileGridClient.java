package com.profilegrid.client;

import com.profilegrid.client.internal.HazelcastProfileGridClient;
import com.profilegrid.model.Profile;
import com.profilegrid.model.RecentEvent;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Java client of ProfileGrid: reads profiles from the grid through a near cache (repeated reads of hot
 * profiles do not leave the process; changes invalidate within milliseconds), and tracks events with the same
 * durability as the HTTP API (a call returns once the event is in the tracking log or a node's fsync'd spool).
 *
 * <p>It connects to the members directly, so it is meant for trusted services on the grid's private network.
 * Thread-safe; create one per process and close it when done.
 *
 * <pre>{@code
 * try (ProfileGridClient grid = ProfileGridClient.connect(ClientSettings.local(writeKey))) {
 *     grid.track("user-42", "Signed Up", Map.of("plan", "pro"));
 *     Optional<Profile> profile = grid.profile(projectId, "user-42");
 * }
 * }</pre>
 */
public interface ProfileGridClient extends AutoCloseable {

    /**
     * Connects, using {@code config/hazelcast-client.yaml} (packaged) with the settings filled in.
     *
     * @throws ProfileGridException when no member answers within the connect timeout
     */
    static ProfileGridClient connect(ClientSettings settings) {
        return HazelcastProfileGridClient.connect(settings);
    }

    /**
     * The profile of {@code project} that {@code id} belongs to. The id may be a user id, an anonymous id, an
     * e-mail address, or typed ({@code user:42}, {@code anon:abc}, {@code email:a@example.com}).
     *
     * @return the profile, or empty when no profile has that id
     * @throws ProfileGridException when the cluster cannot be reached
     */
    Optional<Profile> profile(String project, String id);

    /** The most recent events of the profile {@code id} belongs to, newest first; empty when there is none. */
    List<RecentEvent> recentEvents(String project, String id);

    /**
     * Tracks an event for a known user (Segment {@code track}); returns once it is durable.
     *
     * @param properties event properties, as JSON-compatible values (strings, numbers, booleans, maps, lists)
     * @throws ProfileGridException when no node acknowledges it (the call may be retried: it carries a message id)
     */
    void track(String userId, String event, Map<String, ?> properties);

    /** Identifies a user and sets traits (Segment {@code identify}); {@code anonymousId} may be null. */
    void identify(String userId, String anonymousId, Map<String, ?> traits);

    @Override
    void close();
}
