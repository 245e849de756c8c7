package com.profilegrid.model;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import java.util.Map;
import java.util.TreeMap;

/**
 * A generation of the profile view. Generation 0 lives in {@code profiles} and {@code profile-ids}; a rebuild
 * builds generation n in {@code profiles-g<n>} and {@code profile-ids-g<n>} beside the live ones, then makes it
 * the active one, which readers find in the {@value #META_MAP} map.
 *
 * <p>A rebuild of every project makes its generation the <em>shared</em> one, read for every project. A rebuild
 * of one project makes its generation that project's own: readers of that project use it, readers of the
 * others keep the shared one, until the next rebuild of every project takes them all back to one generation.
 *
 * <p>This is the readers' side; only the server reserves and switches generations.
 *
 * @param number the generation number, 0 for the first
 */
public record Generation(int number) {

    public static final String META_MAP = "profilegrid-meta";
    /** The meta map's key of the shared generation's number. */
    public static final String ACTIVE_KEY = "generation";
    /** The meta map's keys of projects' own generations: this prefix and the project id. */
    public static final String PROJECT_KEY_PREFIX = "generation:";
    private static final String JOB_PREFIX = "profilegrid-profiles";

    public String profilesMap() {
        return number == 0 ? GridMaps.PROFILES : GridMaps.PROFILES + "-g" + number;
    }

    public String idsMap() {
        return number == 0 ? GridMaps.PROFILE_IDS : GridMaps.PROFILE_IDS + "-g" + number;
    }

    public String jobName() {
        return number == 0 ? JOB_PREFIX : JOB_PREFIX + "-g" + number;
    }

    /** The generation whose profile job has this name, or {@code null} if it is not a profile job's name. */
    public static Generation ofJobName(String jobName) {
        if (jobName == null) {
            return null;
        }
        if (jobName.equals(JOB_PREFIX)) {
            return new Generation(0);
        }
        if (jobName.startsWith(JOB_PREFIX + "-g")) {
            try {
                return new Generation(Integer.parseInt(jobName.substring(JOB_PREFIX.length() + 2)));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** The shared generation: the one readers use for every project that has none of its own. */
    public static Generation active(HazelcastInstance hazelcast) {
        Integer number = meta(hazelcast).get(ACTIVE_KEY);
        return new Generation(number == null ? 0 : number);
    }

    /** The generation readers of {@code project} use: its own if a rebuild of it alone made one, else the shared one. */
    public static Generation active(HazelcastInstance hazelcast, String project) {
        Integer own = meta(hazelcast).get(PROJECT_KEY_PREFIX + project);
        return own != null ? new Generation(own) : active(hazelcast);
    }

    /** The projects that have a generation of their own, and that generation, by project. */
    public static Map<String, Generation> ownGenerations(HazelcastInstance hazelcast) {
        Map<String, Generation> own = new TreeMap<>();
        meta(hazelcast).forEach((key, number) -> {
            String project = projectOfKey(key);
            if (project != null) {
                own.put(project, new Generation(number));
            }
        });
        return own;
    }

    /** The project a meta map key names the own generation of, or {@code null} for any other key. */
    public static String projectOfKey(String metaKey) {
        return metaKey.startsWith(PROJECT_KEY_PREFIX) ? metaKey.substring(PROJECT_KEY_PREFIX.length()) : null;
    }

    public static IMap<String, Integer> meta(HazelcastInstance hazelcast) {
        return hazelcast.getMap(META_MAP);
    }
}
