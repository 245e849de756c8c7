package com.profilegrid.pipelines.state;

import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.ProfileFold;

import java.util.HashMap;
import java.util.Map;

/**
 * A profile as the profile state keeps it (step 2 of {@code docs/profile-state.md}): the profile, and the version of
 * each raw id it has absorbed. A raw id's events reach its profile numbered by that id's version
 * ({@link RawIdEntry#version()}), so the profile can tell a new event (the next version: folded in), a repeat (a
 * version it has: ignored) and a gap (a version lost to a failure between the two steps: the caller rebuilds the
 * profile from its raw ids' folds, {@link #recomputed}). Joining two profiles joins their versions, so an event in
 * flight to the absorbed one still finds the version before it and is folded in once.
 *
 * @param profile  the profile
 * @param absorbed the version of each raw id (typed id) folded into it
 */
public record ProfileState(Profile profile, Map<String, Long> absorbed) {

    /** What {@link #absorb} found. */
    public enum Step { APPLIED, ALREADY_APPLIED, GAP }

    /** The step and the state after it. */
    public record Absorbed(Step step, ProfileState state) {
    }

    public ProfileState {
        absorbed = Map.copyOf(absorbed);
    }

    public static ProfileState empty(ProfileKey key) {
        return new ProfileState(Profile.empty(key), Map.of());
    }

    /** Folds in {@code event}, the {@code version}-th event of {@code rawId}, unless it is a repeat or a gap. */
    public Absorbed absorb(String rawId, long version, TrackingEvent event, ProfileFold fold) {
        long have = absorbed.getOrDefault(rawId, 0L);
        if (version <= have) {
            return new Absorbed(Step.ALREADY_APPLIED, this);
        }
        if (version > have + 1) {
            return new Absorbed(Step.GAP, this);
        }
        Map<String, Long> versions = new HashMap<>(absorbed);
        versions.put(rawId, version);
        return new Absorbed(Step.APPLIED, new ProfileState(fold.apply(profile, event), versions));
    }

    /**
     * Takes in a raw id that an identity decision moved here, with the fold and version its entry holds: merged in when
     * the profile has none of that id's events; a repeat when it has that version or a later one; a gap when it holds
     * an older fold of the id (the caller makes the profile again from its raw ids).
     */
    public Absorbed add(String rawId, RawIdEntry entry, ProfileFold fold) {
        long have = absorbed.getOrDefault(rawId, 0L);
        if (entry.version() <= have) {
            return new Absorbed(Step.ALREADY_APPLIED, this);
        }
        if (have > 0) {
            return new Absorbed(Step.GAP, this);
        }
        Map<String, Long> versions = new HashMap<>(absorbed);
        versions.put(rawId, entry.version());
        return new Absorbed(Step.APPLIED, new ProfileState(fold.merge(profile, entry.partial()), versions));
    }

    /** This profile joined with {@code other}, a profile of events disjoint from this one's (an identity merge). */
    public ProfileState join(ProfileState other, ProfileFold fold) {
        Map<String, Long> versions = new HashMap<>(absorbed);
        other.absorbed.forEach((rawId, version) -> versions.merge(rawId, version, Math::max));
        return new ProfileState(fold.merge(profile, other.profile), versions);
    }

    /** The profile of {@code key} made again from the folds of its raw ids, each at the version it holds. */
    public static ProfileState recomputed(ProfileKey key, Map<String, RawIdEntry> rawIds, ProfileFold fold) {
        Profile profile = Profile.empty(key);
        Map<String, Long> versions = new HashMap<>();
        for (Map.Entry<String, RawIdEntry> rawId : rawIds.entrySet()) {
            profile = fold.merge(profile, rawId.getValue().partial());
            versions.put(rawId.getKey(), rawId.getValue().version());
        }
        return new ProfileState(profile, versions);
    }
}
