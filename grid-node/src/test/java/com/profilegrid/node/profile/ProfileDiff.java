package com.profilegrid.node.profile;

import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;

import java.util.Map;
import java.util.TreeSet;

/**
 * What differs between the profiles rebuilt from the log and the live ones, key by key, so that a failing
 * live == rebuild comparison names the profiles and what they lack instead of printing two whole maps.
 */
final class ProfileDiff {

    private ProfileDiff() {
    }

    static String describe(Map<ProfileKey, Profile> expected, Map<ProfileKey, Profile> actual) {
        TreeSet<String> lines = new TreeSet<>();
        for (Map.Entry<ProfileKey, Profile> entry : expected.entrySet()) {
            Profile live = actual.get(entry.getKey());
            if (live == null) {
                lines.add("missing " + entry.getKey() + " (" + events(entry.getValue()) + " events)");
            } else if (!live.equals(entry.getValue())) {
                lines.add("differs " + entry.getKey() + ": rebuilt " + summary(entry.getValue()) + ", live " + summary(live));
            }
        }
        for (Map.Entry<ProfileKey, Profile> entry : actual.entrySet()) {
            if (!expected.containsKey(entry.getKey())) {
                lines.add("extra " + entry.getKey() + ": " + summary(entry.getValue()));
            }
        }
        return lines.size() + " of " + expected.size() + " profiles differ:\n" + String.join("\n", lines);
    }

    private static long events(Profile profile) {
        return profile.eventCounts().values().stream().mapToLong(Long::longValue).sum();
    }

    private static String summary(Profile profile) {
        return "counts " + profile.eventCounts() + " ids " + profile.identities() + " properties " + profile.properties();
    }
}
