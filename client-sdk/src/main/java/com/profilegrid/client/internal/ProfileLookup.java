package com.profilegrid.client.internal;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Finds a profile by any of its ids, on a member or through a client. An id may be typed
 * ({@code user:42}, {@code anon:abc}, {@code email:a@example.com}) or bare; a bare id is tried as a user id,
 * then (when it looks like one) an e-mail address, then an anonymous id.
 */
public final class ProfileLookup {

    private final HazelcastInstance hazelcast;

    public ProfileLookup(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    /** Looks in the active generation of the profile view (a rebuild switches it without a pause). */
    public Optional<Profile> find(String project, String id) {
        return find(project, id, null);
    }

    /**
     * As {@link #find(String, String)}, answering within {@code within} (null: as long as Hazelcast's own call timeout
     * lets it): a member that holds the profile's partition but does not answer (a long pause, a partition thread
     * held) makes it throw rather than wait.
     *
     * @throws OperationTimeoutException when the grid has not answered within {@code within}
     */
    public Optional<Profile> find(String project, String id, Duration within) {
        long deadline = within == null ? 0 : System.nanoTime() + within.toNanos();
        Generation generation = Generation.active(hazelcast, project);
        IMap<ProfileKey, Profile> profiles = hazelcast.getMap(generation.profilesMap());
        IMap<String, String> ids = hazelcast.getMap(generation.idsMap());
        for (String candidate : candidates(id)) {
            String profileId = read(ids, GridMaps.projectKey(project, candidate), deadline, within);
            Profile profile = read(profiles, new ProfileKey(project, profileId != null ? profileId : candidate),
                    deadline, within);
            if (profile != null) {
                return Optional.of(profile);
            }
        }
        return Optional.empty();
    }

    /** {@code map.get(key)}; with a bound, through {@code getAsync}, waiting no later than {@code deadline}. */
    private static <K, V> V read(IMap<K, V> map, K key, long deadline, Duration within) {
        if (within == null) {
            return map.get(key);
        }
        try {
            return map.getAsync(key).toCompletableFuture()
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new OperationTimeoutException("the grid did not answer a profile read within " + within.toMillis()
                    + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure : new HazelcastException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HazelcastException("interrupted while reading a profile", e);
        }
    }

    static List<String> candidates(String id) {
        if (id.startsWith("user:") || id.startsWith("anon:") || id.startsWith("email:")) {
            return List.of(id);
        }
        List<String> candidates = new ArrayList<>(3);
        candidates.add("user:" + id);
        if (id.contains("@")) {
            candidates.add("email:" + id.trim().toLowerCase(Locale.ROOT));
        }
        candidates.add("anon:" + id);
        return candidates;
    }
}
