package com.profilegrid.pipelines.state;

import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.rules.Change;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A profile as the profile state keeps it (step 2 of {@code docs/profile-state.md}): the profile, and the version of
 * each raw id it has absorbed. A raw id's events reach its profile numbered by that id's version
 * ({@link RawIdEntry#version()}), so the profile can tell a new event (the next version: folded in), a repeat (a
 * version it has: ignored) and a gap (a version lost to a failure between the two steps: the caller rebuilds the
 * profile from its raw ids' folds, {@link #recomputed}). Joining two profiles joins their versions, so an event in
 * flight to the absorbed one still finds the version before it and is folded in once.
 *
 * <p><b>Listed and sealed raw ids.</b> Each event reads and writes the whole state, so a state that listed every raw id
 * of a shared device or a test user with 100,000 anonymous ids would make each of its events cost in proportion to
 * its ids. A state lists at most {@code maxListedRawIds} ids ({@link com.profilegrid.pipelines.fold.FoldSettings}); when
 * a step leaves more, the caller seals some of them ({@link #overListed}) in three idempotent steps, in this order:
 * it records them as members of the profile in a member chunk (an entry of the same map, {@link #membersKey}, read
 * only to make the profile again), records on each raw id's entry the version the profile holds of it
 * ({@link RawIdEntry#sealed}, {@link SealRawId}), and then stops listing those whose entry took it ({@link #unlisted}).
 * A step for an id the state does not list, in a profile that has sealed ids, answers {@link Step#UNLISTED}: the caller
 * reads the version sealed on the id's entry and takes the step again with it, so the profile still tells new from
 * repeated from missing; the step lists the id again. (The version must be read after the step found the id unlisted,
 * not carried from the raw id's step: a remake can take in an id's events before they arrive and then seal them, and
 * an event still on its way would then be folded in again.) A failure between the steps leaves an id listed, or
 * recorded twice: never unlisted without its version on its entry.
 *
 * @param profile      the profile
 * @param absorbed     the version of each listed raw id (typed id) folded into it
 * @param memberChunks how many member chunks hold the ids it no longer lists (0 for a profile that never sealed one)
 * @param recent       the changes of its last label-changing steps ({@link #RECENT_STEPS} at most), by step
 *                     ({@link #stepKey}): a repeat of such a step answers them again, so that changes whose answer was
 *                     lost (the member died after its backup took the step) are still recorded on the replay. Kept
 *                     in the entry and its backup, not in the table: a state loaded from the database starts without.
 */
public record ProfileState(Profile profile, Map<String, Long> absorbed, int memberChunks,
                           Map<String, List<Change>> recent) {

    /** How many label-changing steps a state remembers the changes of. */
    public static final int RECENT_STEPS = 16;

    /** Ids per member chunk: a round of sealing adds to the last one, which it reads and writes whole. */
    static final int CHUNK_SIZE = 2_048;
    /** The id of every member chunk starts with this (no profile's does: theirs are typed ids). */
    public static final String MEMBERS_PREFIX = "members:";

    /** What {@link #absorb} found. */
    public enum Step { APPLIED, ALREADY_APPLIED, GAP, UNLISTED }

    /** The sealed version of a raw id not read yet (see {@link Step#UNLISTED}). */
    public static final long UNREAD = -1;

    /** The step and the state after it. */
    public record Absorbed(Step step, ProfileState state) {
    }

    public ProfileState {
        absorbed = Map.copyOf(absorbed);
        recent = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(recent));
    }

    /** A state without remembered changes. */
    public ProfileState(Profile profile, Map<String, Long> absorbed, int memberChunks) {
        this(profile, absorbed, memberChunks, Map.of());
    }

    /** A state that lists every raw id it holds. */
    public ProfileState(Profile profile, Map<String, Long> absorbed) {
        this(profile, absorbed, 0);
    }

    /** This state with {@code newProfile} (the same events; its labels evaluated, say). */
    public ProfileState withProfile(Profile newProfile) {
        return newProfile == profile ? this : new ProfileState(newProfile, absorbed, memberChunks, recent);
    }

    /** The key a step is remembered by: the raw id and the version it brings ({@code add:} for an identity move). */
    public static String stepKey(String rawId, long version, boolean add) {
        return (add ? "add:" : "") + rawId + "@" + version;
    }

    /** This state remembering {@code changes} as those of {@code step}, forgetting the oldest beyond the bound. */
    public ProfileState remember(String step, List<Change> changes) {
        if (changes.isEmpty()) {
            return this;
        }
        LinkedHashMap<String, List<Change>> kept = new LinkedHashMap<>(recent);
        kept.remove(step);
        kept.put(step, List.copyOf(changes));
        while (kept.size() > RECENT_STEPS) {
            kept.remove(kept.keySet().iterator().next());
        }
        return new ProfileState(profile, absorbed, memberChunks, kept);
    }

    /** The changes remembered of {@code step} (none when it changed no label, or is no longer remembered). */
    public List<Change> recalled(String step) {
        return recent.getOrDefault(step, List.of());
    }

    /** Every change remembered, oldest step first. */
    public List<Change> allRecalled() {
        List<Change> all = new java.util.ArrayList<>();
        recent.values().forEach(all::addAll);
        return all;
    }

    /** This state remembering what {@code before} remembered (a profile made again keeps its recent changes). */
    public ProfileState rememberingAs(ProfileState before) {
        return before == null || before.recent.isEmpty() ? this
                : new ProfileState(profile, absorbed, memberChunks, before.recent);
    }

    /** The changes remembered of the step that {@code cause} names ({@code event:<messageId>}, say), if any. */
    public List<Change> recalledFor(String cause) {
        for (List<Change> changes : recent.values()) {
            if (!changes.isEmpty() && changes.get(0).cause().equals(cause)) {
                return changes;
            }
        }
        return List.of();
    }

    public static ProfileState empty(ProfileKey key) {
        return new ProfileState(Profile.empty(key), Map.of());
    }

    /**
     * Folds in {@code event}, the {@code version}-th event of {@code rawId}, unless it is a repeat or a gap;
     * {@code sealed} is the version sealed on the id's entry, as read once this state was found not to list it, or
     * {@link #UNREAD}.
     */
    public Absorbed absorb(String rawId, long version, long sealed, TrackingEvent event, ProfileFold fold) {
        long have = have(rawId, sealed);
        if (have == UNREAD) {
            return new Absorbed(Step.UNLISTED, this);
        }
        if (version <= have) {
            return new Absorbed(Step.ALREADY_APPLIED, this);
        }
        if (version > have + 1) {
            return new Absorbed(Step.GAP, this);
        }
        Map<String, Long> versions = new HashMap<>(absorbed);
        versions.put(rawId, version);
        return new Absorbed(Step.APPLIED, new ProfileState(fold.apply(profile, event), versions, memberChunks, recent));
    }

    /**
     * Takes in a raw id that an identity decision moved here, with the fold and version its entry holds: merged in when
     * the profile has none of that id's events; a repeat when it has that version or a later one; a gap when it holds
     * an older fold of the id (the caller makes the profile again from its raw ids).
     */
    public Absorbed add(String rawId, RawIdEntry entry, long sealed, ProfileFold fold) {
        long have = have(rawId, sealed);
        if (have == UNREAD) {
            return new Absorbed(Step.UNLISTED, this);
        }
        if (entry.version() <= have) {
            return new Absorbed(Step.ALREADY_APPLIED, this);
        }
        if (have > 0) {
            return new Absorbed(Step.GAP, this);
        }
        Map<String, Long> versions = new HashMap<>(absorbed);
        versions.put(rawId, entry.version());
        return new Absorbed(Step.APPLIED, new ProfileState(fold.merge(profile, entry.partial()), versions, memberChunks,
                recent));
    }

    /**
     * The version of {@code rawId} this profile holds: listed, or none when it has never sealed an id, or else the
     * version {@code sealed} on the id's entry ({@link #UNREAD} until read).
     */
    private long have(String rawId, long sealed) {
        Long listed = absorbed.get(rawId);
        if (listed != null) {
            return listed;
        }
        return memberChunks == 0 ? 0 : sealed;
    }

    /** This profile joined with {@code other}, a profile of events disjoint from this one's (an identity merge). */
    public ProfileState join(ProfileState other, ProfileFold fold) {
        Map<String, Long> versions = new HashMap<>(absorbed);
        other.absorbed.forEach((rawId, version) -> versions.merge(rawId, version, Math::max));
        return new ProfileState(fold.merge(profile, other.profile), versions, memberChunks, recent);
    }

    /**
     * The listed ids to seal when this state lists more than {@code max}: down to half of {@code max}. Empty when it
     * lists no more than {@code max}.
     */
    public Map<String, Long> overListed(int max) {
        if (absorbed.size() <= max) {
            return Map.of();
        }
        int excess = absorbed.size() - max / 2;
        Map<String, Long> seal = new LinkedHashMap<>();
        for (Map.Entry<String, Long> listed : absorbed.entrySet()) {
            if (seal.size() == excess) {
                break;
            }
            seal.put(listed.getKey(), listed.getValue());
        }
        return seal;
    }

    /**
     * This state without the ids of {@code sealed} it lists at the version given (those sealed on their entries at
     * that version; one an event has listed again since, at a later version, stays), with member chunks up to
     * {@code chunks}.
     */
    public ProfileState unlisted(Map<String, Long> sealed, int chunks) {
        Map<String, Long> versions = new HashMap<>(absorbed);
        sealed.forEach((rawId, version) -> versions.remove(rawId, version));
        return new ProfileState(profile, versions, Math.max(memberChunks, chunks), recent);
    }

    /** The key of member chunk {@code chunk} of the profile {@code key} (in the same map as the profile's state). */
    public static ProfileKey membersKey(ProfileKey key, int chunk) {
        String id = MEMBERS_PREFIX + chunk + ":" + key.profileId();
        if (id.length() > ProfileKey.MAX_PROFILE_ID_LENGTH) {
            id = MEMBERS_PREFIX + chunk + ":#" + sha256(key.profileId());
        }
        return new ProfileKey(key.project(), id);
    }

    /** Whether {@code key} names a member chunk rather than a profile. */
    public static boolean isMembers(ProfileKey key) {
        return key.profileId().startsWith(MEMBERS_PREFIX);
    }

    /** A member chunk with {@code members} added: each raw id with the version sealed. */
    ProfileState withMembers(Map<String, Long> members) {
        Map<String, Long> all = new HashMap<>(absorbed);
        all.putAll(members);
        return new ProfileState(profile, all, 0);
    }

    /**
     * The profile of {@code key} made again from the folds of its raw ids, each at the version it holds: those sealed
     * into it at that version stay unlisted (their entries say so) when it has member chunks, the others are listed;
     * its member chunks stay.
     */
    public static ProfileState recomputed(ProfileKey key, Map<String, RawIdEntry> rawIds, ProfileFold fold,
                                          int memberChunks) {
        Profile profile = Profile.empty(key);
        Map<String, Long> versions = new HashMap<>();
        for (Map.Entry<String, RawIdEntry> rawId : rawIds.entrySet()) {
            RawIdEntry entry = rawId.getValue();
            profile = fold.merge(profile, entry.partial());
            if (memberChunks == 0 || entry.sealedFor(key.profileId()) != entry.version()) {
                versions.put(rawId.getKey(), entry.version());
            }
        }
        return new ProfileState(profile, versions, memberChunks);
    }

    /** {@link #recomputed(ProfileKey, Map, ProfileFold, int)} for a profile without member chunks. */
    public static ProfileState recomputed(ProfileKey key, Map<String, RawIdEntry> rawIds, ProfileFold fold) {
        return recomputed(key, rawIds, fold, 0);
    }

    /** A digest of raw ids and their versions, the same whatever the map's order. */
    public static String digest(Map<String, Long> versions) {
        StringBuilder text = new StringBuilder();
        new java.util.TreeMap<>(versions).forEach((rawId, version) -> text.append(rawId).append('@').append(version)
                .append('\n'));
        return sha256(text.toString()).substring(0, 32);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
