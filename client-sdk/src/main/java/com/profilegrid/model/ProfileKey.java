package com.profilegrid.model;

import com.hazelcast.partition.PartitionAware;

import java.util.Objects;

/**
 * The key of a profile: the project it belongs to and its profile id.
 *
 * <p>It is partition-aware by (project, profile id), so every entry that belongs to one profile,
 * in any map, lands on the same partition when keyed with the same partition key.
 *
 * @param project   the project (tenant) id, 1 to {@value #MAX_PROJECT_LENGTH} characters
 * @param profileId the profile id, 1 to {@value #MAX_PROFILE_ID_LENGTH} characters
 */
public record ProfileKey(String project, String profileId) implements PartitionAware<String> {

    public static final int MAX_PROJECT_LENGTH = 128;
    public static final int MAX_PROFILE_ID_LENGTH = 256;

    public ProfileKey {
        requireId("project", project, MAX_PROJECT_LENGTH);
        requireId("profileId", profileId, MAX_PROFILE_ID_LENGTH);
    }

    /** Same value for every key of this profile, whatever map it is used in. */
    @Override
    public String getPartitionKey() {
        return partitionKey(project, profileId);
    }

    /** The partition key of the profile (project, profileId), for keys of other maps to co-locate with it. */
    public static String partitionKey(String project, String profileId) {
        return GridMaps.projectKey(project, profileId);
    }

    @Override
    public String toString() {
        return project + '/' + profileId;
    }

    static void requireId(String name, String value, int maxLength) {
        Objects.requireNonNull(value, () -> name + " must not be null");
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(name + " is longer than " + maxLength + " characters");
        }
    }
}
