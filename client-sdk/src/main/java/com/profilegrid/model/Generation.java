package com.profilegrid.model;

import com.hazelcast.core.HazelcastInstance;

/**
 * A generation of the profile view. Generation 0 lives in {@code profiles} and {@code profile-ids}; a rebuild
 * builds generation n+1 in {@code profiles-g<n+1>} and {@code profile-ids-g<n+1>} beside it, then makes it
 * the active one, which readers find in the {@value #META_MAP} map.
 *
 * @param number the generation number, 0 for the first
 */
public record Generation(int number) {

    public static final String META_MAP = "profilegrid-meta";
    static final String ACTIVE_KEY = "generation";

    public String profilesMap() {
        return number == 0 ? GridMaps.PROFILES : GridMaps.PROFILES + "-g" + number;
    }

    public String idsMap() {
        return number == 0 ? GridMaps.PROFILE_IDS : GridMaps.PROFILE_IDS + "-g" + number;
    }

    public String jobName() {
        return number == 0 ? "profilegrid-profiles" : "profilegrid-profiles-g" + number;
    }

    public Generation next() {
        return new Generation(number + 1);
    }

    /** The generation readers use now. */
    public static Generation active(HazelcastInstance hazelcast) {
        Integer number = hazelcast.<String, Integer>getMap(META_MAP).get(ACTIVE_KEY);
        return new Generation(number == null ? 0 : number);
    }

    /** Makes this generation the one readers use. */
    public void activate(HazelcastInstance hazelcast) {
        hazelcast.<String, Integer>getMap(META_MAP).set(ACTIVE_KEY, number);
    }
}
