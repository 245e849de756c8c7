package com.profilegrid.model;

/** Names of the cluster's maps that clients read. */
public final class GridMaps {

    /** {@link ProfileKey} to {@link Profile}. */
    public static final String PROFILES = "profiles";
    /** {@code project␟typed id} (e.g. {@code acme␟anon:abc}) to the profile id it belongs to. */
    public static final String PROFILE_IDS = "profile-ids";
    /** {@code project␟messageId} of a refused identity link to the reason. */
    public static final String IDENTITY_REFUSALS = "identity-refusals";

    private GridMaps() {
    }

    /** The key of the {@link #PROFILE_IDS} and {@link #IDENTITY_REFUSALS} maps. */
    public static String projectKey(String project, String id) {
        return project + '\u001f' + id;
    }
}
