package com.profilegrid.client;

import com.profilegrid.client.internal.HazelcastProfileGridClient;
import com.profilegrid.model.Profile;
import com.profilegrid.model.RecentEvent;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

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
     * The labels (segments) the profile {@code id} belongs to is in, as the grid holds it (evaluated in the step that
     * last changed the profile, or by time); empty when there is no such profile.
     */
    Set<String> labels(String project, String id);

    /**
     * The project's labels with their member counts, by name ({@code GET /v1/labels}). Needs
     * {@link ClientSettings#labelQueryUrl} and {@link ClientSettings#readKey}; the counts come from the persisted
     * profiles, about a second behind the grid.
     *
     * @throws ProfileGridException when the node refuses or cannot be reached
     */
    Map<String, Long> labelCounts();

    /**
     * A page of {@code label}'s member profile ids ({@code GET /v1/labels/{label}/members}), {@code limit} from 1 to
     * 1,000, from {@code cursor} ({@code null} for the first page; then the page's {@link LabelPage#nextCursor}).
     *
     * @throws ProfileGridException when the label does not exist, the node refuses or cannot be reached
     */
    LabelPage labelMembers(String label, int limit, String cursor);

    /**
     * Calls {@code listener} with each firing of {@code project}'s triggers from now on, at least once, with the same
     * firing id as the webhook's (a firing is handed over when it is first attempted: a firing deferred by safe mode
     * comes when it is delivered). The listener runs on a client thread, one firing at a time; closing the returned
     * handle stops it. A listener that falls further behind than the cluster keeps (10,000 firings per project, an
     * hour at most) misses the oldest: the firings API keeps every firing.
     */
    AutoCloseable onFiring(String project, Consumer<Firing> listener);

    /**
     * Tracks an event for a known user (Segment {@code track}) under a message id of the SDK's own; returns once it is
     * durable. The SDK retries a failed attempt under the same message id; calling again after an exception sends a
     * new event, so a caller that retries on its own gives its message id ({@link #track(String, String, Map, String)}).
     *
     * @param properties event properties (may be null), as JSON values: strings, numbers, booleans, maps, lists, and
     *                   dates and times ({@code Instant}, {@code Date}, {@code LocalDate}, ...) written as ISO-8601
     * @throws ProfileGridException when no node acknowledges it
     */
    default void track(String userId, String event, Map<String, ?> properties) {
        track(userId, event, properties, null);
    }

    /**
     * As {@link #track(String, String, Map)}, under {@code messageId}: the event changes its profile once however many
     * times it is sent (a retry after an exception, say), as long as it is sent with the same message id.
     *
     * @param messageId the event's id within the project, or null for one of the SDK's own
     */
    void track(String userId, String event, Map<String, ?> properties, String messageId);

    /**
     * Identifies a user and sets traits (Segment {@code identify}); {@code anonymousId} and {@code traits} may be null.
     * Retries as {@link #track(String, String, Map)} does.
     */
    default void identify(String userId, String anonymousId, Map<String, ?> traits) {
        identify(userId, anonymousId, traits, null);
    }

    /** As {@link #identify(String, String, Map)}, under {@code messageId} (null for one of the SDK's own). */
    void identify(String userId, String anonymousId, Map<String, ?> traits, String messageId);

    @Override
    void close();
}
