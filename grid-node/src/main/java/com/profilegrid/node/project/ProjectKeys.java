package com.profilegrid.node.project;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Authenticates project keys against the store, with a cache so that ingest does not query the database per request.
 * Cached keys are refreshed in the background once they are {@link #REFRESH_AFTER} old, so a revocation takes effect
 * on every node within seconds (at once on the node that made it).
 *
 * <p>Keys must be checkable while the database is down, or tracking (which the spool takes then) would be refused.
 * So the key records (hashes, never the keys) are also held in a copy: on a member, the grid's {@link #MAP}, shared by
 * every node; on a tracking node, which is no member, a map of its own. The node copies all of them there at start and
 * every {@link #PUBLISH_EVERY}, and each key it reads from the database that is new to it or changed. A key the
 * database cannot be asked about is looked up there, so a member can check any key, including one it has never seen,
 * and a tracking node any key that existed at its last copy.
 */
public final class ProjectKeys implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectKeys.class);
    /** The grid's copy of the key records: key id to {@link ProjectStore.StoredKey}. */
    public static final String MAP = "project-keys";
    public static final Duration REFRESH_AFTER = Duration.ofSeconds(2);
    private static final Duration EXPIRE_AFTER = Duration.ofHours(12);
    private static final Duration PUBLISH_EVERY = Duration.ofSeconds(30);

    private final ProjectStore store;
    private final ConcurrentMap<String, ProjectStore.StoredKey> grid;
    private final LoadingCache<String, Optional<ProjectStore.StoredKey>> cache;
    private final ScheduledExecutorService publisher;

    /**
     * @param grid the copy of the key records (the grid's {@link #MAP}, or a map of the node's own), or {@code null}
     *             for a cache over the store alone
     */
    public ProjectKeys(ProjectStore store, ConcurrentMap<String, ProjectStore.StoredKey> grid) {
        this.store = store;
        this.grid = grid;
        this.cache = Caffeine.newBuilder()
                .refreshAfterWrite(REFRESH_AFTER)
                .expireAfterWrite(EXPIRE_AFTER)
                .maximumSize(100_000)
                .build(new CacheLoader<>() {
                    @Override
                    public Optional<ProjectStore.StoredKey> load(String keyId) {
                        return lookUp(keyId, null);
                    }

                    /** Keeps the known key while no one can tell; the next refresh tries again. */
                    @Override
                    public Optional<ProjectStore.StoredKey> reload(String keyId, Optional<ProjectStore.StoredKey> old) {
                        return lookUp(keyId, old);
                    }
                });
        this.publisher = grid == null ? null : com.profilegrid.node.support.Daemons.scheduler("profilegrid-key-publisher");
        if (publisher != null) {
            // the first copy before the node takes requests: a key the database cannot be asked about right after a
            // start is found there
            publish();
            publisher.scheduleWithFixedDelay(this::publish, PUBLISH_EVERY.toSeconds(), PUBLISH_EVERY.toSeconds(),
                    TimeUnit.SECONDS);
        }
    }

    private Optional<ProjectStore.StoredKey> lookUp(String keyId, Optional<ProjectStore.StoredKey> known) {
        try {
            Optional<ProjectStore.StoredKey> stored = store.findKey(keyId);
            if (grid != null && !stored.equals(known)) {
                // new to this node, or changed (revoked): the grid gets it now rather than at the next publish; an
                // unchanged key is not written again at every refresh
                stored.ifPresent(key -> grid.put(keyId, key));
            }
            return stored;
        } catch (ProjectStoreException e) {
            ProjectStore.StoredKey held = grid == null ? null : grid.get(keyId);
            if (held != null) {
                return Optional.of(held);
            }
            if (known != null) {
                LOG.debug("Cannot refresh key {}; keeping the known one", keyId, e);
                return known;
            }
            throw e;
        }
    }

    /** Copies every key record onto the grid (while the database answers; else the grid keeps what it holds). */
    private void publish() {
        try {
            Map<String, ProjectStore.StoredKey> all = store.allKeys().stream()
                    .collect(Collectors.toMap(ProjectStore.StoredKey::keyId, Function.identity()));
            grid.putAll(all);
        } catch (RuntimeException e) {
            LOG.debug("Cannot copy the project keys onto the grid now; trying again in {}", PUBLISH_EVERY, e);
        }
    }

    /** The project the token may act for with {@code kind}, or empty when the token is unknown, wrong or revoked. */
    public Optional<String> projectFor(String token, KeyKind kind) {
        Optional<ApiKeys.Presented> presented = ApiKeys.parse(token);
        if (presented.isEmpty() || presented.get().kind() != kind) {
            return Optional.empty();
        }
        Optional<ProjectStore.StoredKey> stored = cache.get(presented.get().keyId());
        return stored
                .filter(key -> key.kind() == kind && !key.revoked())
                .filter(key -> ApiKeys.matches(token, key.hash()))
                .map(ProjectStore.StoredKey::projectId);
    }

    /**
     * Why {@code token} does not let a caller act with {@code wanted}, in words that say what to send instead: a key of
     * the other kind, something that is no ProfileGrid key at all (a Woopra snippet's domain, say), or a key this
     * cluster does not know or has revoked.
     */
    public static String refusal(String token, KeyKind wanted) {
        String need = wanted == KeyKind.WRITE ? "sending events needs the project's write key (" + KeyKind.WRITE.prefix()
                + "...)" : "reading profiles needs the project's read key (" + KeyKind.READ.prefix() + "...)";
        if (token == null || token.isEmpty()) {
            return "no key given: " + need;
        }
        Optional<ApiKeys.Presented> presented = ApiKeys.parse(token);
        if (presented.isEmpty()) {
            return "not a ProfileGrid key: " + need + "; 'bin/profilegrid project create' prints a project's keys";
        }
        if (presented.get().kind() != wanted) {
            return "this is the project's " + presented.get().kind().column() + " key: " + need;
        }
        return "unknown or revoked " + wanted.column() + " key " + presented.get().keyId()
                + ": 'bin/profilegrid project list' shows the projects and whether they are revoked";
    }

    /** Forgets cached keys and copies the store's onto the grid again, e.g. after a creation or revocation here. */
    public void invalidateAll() {
        cache.invalidateAll();
        if (grid != null) {
            publish();
        }
    }

    @Override
    public void close() {
        if (publisher != null) {
            com.profilegrid.node.support.Daemons.stop(publisher);
        }
    }
}
