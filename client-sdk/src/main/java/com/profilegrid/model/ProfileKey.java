package com.profilegrid.model;

import java.util.Objects;

/**
 * The key of a profile: the project it belongs to and its profile id.
 *
 * <p>Its partition is the hash of its Compact form, as for any key (it is not {@code PartitionAware}): the same bytes
 * in every client language, so a client without ProfileGrid's Java classes finds a profile on its partition by a
 * Compact record of type {@value ProfileKeySerializer#TYPE_NAME} with the string fields {@code project} and
 * {@code profileId}. (A partition-aware key put a non-Java client's read on another partition, where the readers'
 * map loaded a copy that no later change of the profile deleted: it answered the profile as first read, for good.)
 * Every map keyed by it (the profile state and the readers' profiles of each generation) places a profile on the
 * same partition.
 *
 * @param project   the project (tenant) id, 1 to {@value #MAX_PROJECT_LENGTH} characters
 * @param profileId the profile id, 1 to {@value #MAX_PROFILE_ID_LENGTH} characters
 */
public record ProfileKey(String project, String profileId) {

    public static final int MAX_PROJECT_LENGTH = 128;
    public static final int MAX_PROFILE_ID_LENGTH = 256;

    public ProfileKey {
        requireId("project", project, MAX_PROJECT_LENGTH);
        requireId("profileId", profileId, MAX_PROFILE_ID_LENGTH);
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
