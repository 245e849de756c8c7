package com.profilegrid.model;

/** Names of the cluster's maps that clients read. */
public final class GridMaps {

    /** {@link ProfileKey} to {@link Profile}. */
    public static final String PROFILES = "profiles";
    /** {@code project␟typed id} (e.g. {@code acme␟anon:abc}) to the profile id it belongs to. */
    public static final String PROFILE_IDS = "profile-ids";
    /** {@code project␟messageId} of a refused identity link to the reason. */
    public static final String IDENTITY_REFUSALS = "identity-refusals";

    /** Prefix of the reliable topic a project's firings are published on as they are first delivered. */
    public static final String FIRINGS_TOPIC_PREFIX = "profilegrid-firings-";

    private GridMaps() {
    }

    /**
     * The reliable topic of {@code project}'s firings: each message is a firing's webhook body (JSON), published when
     * the firing is first attempted (after safe mode, for one deferred), at least once.
     */
    public static String firingsTopic(String project) {
        return FIRINGS_TOPIC_PREFIX + project;
    }

    private static final char SEPARATOR = '\u001f';

    /**
     * The one form of a key scoped to a project, {@code project␟id}: the keys of {@link #PROFILE_IDS} (typed ids),
     * {@link #IDENTITY_REFUSALS} and the dead letters (message ids), the pipeline's keys, and the partition key of a
     * {@link ProfileKey}. Project ids never hold the separator (U+001F), so the first one splits the key.
     */
    public static String projectKey(String project, String id) {
        return project + SEPARATOR + id;
    }

    /** The project of a {@link #projectKey}. */
    public static String projectOf(String projectKey) {
        return projectKey.substring(0, projectKey.indexOf(SEPARATOR));
    }

    /** The id of a {@link #projectKey}. */
    public static String idOf(String projectKey) {
        return projectKey.substring(projectKey.indexOf(SEPARATOR) + 1);
    }
}
