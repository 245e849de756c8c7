package com.profilegrid.pipelines.state;

import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.LogRecord;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the profile state keeps per raw id (one user, e-mail or anonymous id of a project), the unit of exactly-once
 * (see {@code docs/profile-state.md}): the fold of the events this id sent, the highest log position applied per log
 * shard, a version that counts the events applied, and the profile the id belongs to. An event whose position is not
 * above its shard's applied position was applied before (events of one raw id keep their per-shard order from the
 * source), so a replay changes nothing. Immutable: {@link #apply} returns a copy.
 *
 * @param partial         the fold of this id's own events
 * @param applied         the highest seq applied, per log shard
 * @param version         how many events this id has applied
 * @param profileId       the profile this id belongs to, or {@code null} while it names its own
 * @param profileRevision the revision of the identity decision that set {@code profileId}
 * @param sealed          the version of this id that its profile holds without listing the id (see
 *                        {@link ProfileState}), or 0: a profile of very many ids lists only some, and each id it no
 *                        longer lists keeps here how much of it the profile has. An identity decision that moves the
 *                        id to another profile clears it.
 */
public record RawIdEntry(Profile partial, Map<Long, Long> applied, long version, String profileId, long profileRevision,
                         long sealed) {

    public RawIdEntry {
        applied = Map.copyOf(applied);
    }

    /** An entry whose profile lists it (nothing sealed). */
    public RawIdEntry(Profile partial, Map<Long, Long> applied, long version, String profileId, long profileRevision) {
        this(partial, applied, version, profileId, profileRevision, 0);
    }

    /** A raw id that has applied nothing yet. */
    public static RawIdEntry empty(String project, String rawId) {
        return new RawIdEntry(Profile.empty(new ProfileKey(project, rawId)), Map.of(), 0, null, 0);
    }

    /** True when the event at this position was applied before. */
    public boolean hasApplied(long shard, long seq) {
        return seq <= applied.getOrDefault(shard, 0L);
    }

    /** This id with the record's event folded in, or empty when the record was applied before. */
    public Optional<RawIdEntry> apply(LogRecord record, ProfileFold fold) {
        if (hasApplied(record.shard(), record.seq())) {
            return Optional.empty();
        }
        Map<Long, Long> positions = new HashMap<>(applied);
        positions.put(record.shard(), record.seq());
        return Optional.of(new RawIdEntry(fold.apply(partial, record.event()), positions, version + 1, profileId,
                profileRevision, sealed));
    }

    /**
     * This id pointed at the profile an identity decision gives it, or empty when the decision is not newer than the one
     * it follows (decisions can arrive late and repeat; the newest revision wins). The caller moves the id's fold from
     * {@link #currentProfileId()} to the new profile when the two differ.
     */
    public Optional<RawIdEntry> decided(String newProfileId, long revision) {
        if (revision <= profileRevision) {
            return Optional.empty();
        }
        String moved = newProfileId != null ? newProfileId : partial.profileId();
        return Optional.of(new RawIdEntry(partial, applied, version, newProfileId, revision,
                moved.equals(currentProfileId()) ? sealed : 0));
    }

    /**
     * This id sealed into {@code profile} at {@code held}, the version the profile holds of it; unchanged when the id no
     * longer belongs to that profile or has applied events since (they are on their way to the profile, which keeps
     * listing the id until a later round), or when it is sealed there at that version already.
     */
    public RawIdEntry sealedInto(String profile, long held) {
        if (!profile.equals(currentProfileId()) || held != version || held == sealed) {
            return this;
        }
        return new RawIdEntry(partial, applied, version, profileId, profileRevision, held);
    }

    /**
     * This id no longer sealed into {@code profile}: the profile was made again without it (a retract), so a seal that
     * landed after the id left the profile and came back, at the same version, must not make the add that follows take
     * itself for a repeat (docs/profile-state.md, "A retract clears the id's seal").
     */
    public RawIdEntry unsealedFrom(String profile) {
        if (sealedFor(profile) == 0) {
            return this;
        }
        return new RawIdEntry(partial, applied, version, profileId, profileRevision, 0);
    }

    /** The version of this id that {@code profile} holds without listing it, or 0. */
    public long sealedFor(String profile) {
        return profile.equals(currentProfileId()) ? sealed : 0;
    }

    /** The profile this id's events go to: the one an identity decision gave it, else its own. */
    public String currentProfileId() {
        return profileId != null ? profileId : partial.profileId();
    }
}
