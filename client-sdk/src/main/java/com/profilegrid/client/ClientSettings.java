package com.profilegrid.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link ProfileGridClient} reaches ProfileGrid.
 *
 * @param clusterName    the cluster name of the grid
 * @param members        member addresses ({@code host:port}) to connect to; one is enough
 * @param ingestUrl      base URL of a node's HTTP API, for {@code track}/{@code identify} (may be null for read-only use)
 * @param writeKey       the project's write key, for {@code track}/{@code identify} (may be null for read-only use)
 * @param connectTimeout how long connecting may take before the client gives up with a clear exception
 * @param readKey        the project's read key, for the label queries (may be null when unused)
 * @param queryUrl       base URL of a node that serves profiles, for the label queries ({@code /v1/labels}); null: the
 *                       {@code ingestUrl}, right for nodes of role {@code all}. With nodes of separate roles,
 *                       {@code ingestUrl} names the tracking nodes and this the profiles nodes.
 */
public record ClientSettings(String clusterName, List<String> members, URI ingestUrl, String writeKey,
                             Duration connectTimeout, String readKey, URI queryUrl) {

    public ClientSettings {
        Objects.requireNonNull(clusterName, "clusterName");
        members = List.copyOf(members);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("at least one member address is needed");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
    }

    /** Settings whose label queries go to {@code ingestUrl}. */
    public ClientSettings(String clusterName, List<String> members, URI ingestUrl, String writeKey,
                          Duration connectTimeout, String readKey) {
        this(clusterName, members, ingestUrl, writeKey, connectTimeout, readKey, null);
    }

    /** Settings without a read key (no label queries). */
    public ClientSettings(String clusterName, List<String> members, URI ingestUrl, String writeKey,
                          Duration connectTimeout) {
        this(clusterName, members, ingestUrl, writeKey, connectTimeout, null);
    }

    /** These settings with the project's read key, for {@link ProfileGridClient#labelCounts} and its kin. */
    public ClientSettings withReadKey(String key) {
        return new ClientSettings(clusterName, members, ingestUrl, writeKey, connectTimeout, key, queryUrl);
    }

    /** These settings with label queries sent to {@code url} (a profiles node), not to the {@code ingestUrl}. */
    public ClientSettings withQueryUrl(URI url) {
        return new ClientSettings(clusterName, members, ingestUrl, writeKey, connectTimeout, readKey, url);
    }

    /** Where label queries go: the {@code queryUrl}, else the {@code ingestUrl}; null when neither is set. */
    public URI labelQueryUrl() {
        return queryUrl != null ? queryUrl : ingestUrl;
    }

    /** Settings for a local cluster: {@code profilegrid} at 127.0.0.1:5701, HTTP at 127.0.0.1:8080. */
    public static ClientSettings local(String writeKey) {
        return new ClientSettings("profilegrid", List.of("127.0.0.1:5701"), URI.create("http://127.0.0.1:8080"), writeKey,
                Duration.ofSeconds(10));
    }
}
