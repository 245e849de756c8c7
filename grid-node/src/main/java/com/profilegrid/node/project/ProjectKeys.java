package com.profilegrid.node.project;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;

/**
 * Authenticates project keys against the store, with a cache so that ingest does not query the database
 * per request. Cached keys are refreshed in the background once they are {@link #REFRESH_AFTER} old, so a
 * revocation takes effect on every node within seconds (at once on the node that made it); while the
 * database is down the last known keys stay in force, so ingest keeps accepting into the spool.
 */
public final class ProjectKeys {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectKeys.class);
    public static final Duration REFRESH_AFTER = Duration.ofSeconds(2);
    private static final Duration EXPIRE_AFTER = Duration.ofHours(12);

    private final LoadingCache<String, Optional<ProjectStore.StoredKey>> cache;

    public ProjectKeys(ProjectStore store) {
        this.cache = Caffeine.newBuilder()
                .refreshAfterWrite(REFRESH_AFTER)
                .expireAfterWrite(EXPIRE_AFTER)
                .maximumSize(100_000)
                .build(new CacheLoader<>() {
                    @Override
                    public Optional<ProjectStore.StoredKey> load(String keyId) {
                        return store.findKey(keyId);
                    }

                    /** Keeps the known key while the store is unreachable; the next refresh tries again. */
                    @Override
                    public Optional<ProjectStore.StoredKey> reload(String keyId, Optional<ProjectStore.StoredKey> old) {
                        try {
                            return store.findKey(keyId);
                        } catch (ProjectStoreException e) {
                            LOG.debug("Cannot refresh key {}; keeping the known one", keyId, e);
                            return old;
                        }
                    }
                });
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

    /** Forgets cached keys, e.g. after a revocation on this node. */
    public void invalidateAll() {
        cache.invalidateAll();
    }
}
