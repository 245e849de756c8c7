package com.profilegrid.pipelines.state;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.util.Map;

/**
 * Records on a raw id's entry that its profile holds it up to a version without listing it
 * ({@link RawIdEntry#sealedInto}), the second of the three steps by which a profile of very many ids stops listing
 * some (see {@link ProfileState}). Sent to all the ids of a round at once ({@link BackedUpWrites#submitToKeys}), each with its version.
 * Answers whether the entry is now sealed into the profile at that version: only then may the profile stop listing the
 * id. An entry the operation finds missing (evicted while it ran) is left alone and answers no. The backup runs the
 * same deterministic step.
 */
public final class SealRawId implements EntryProcessor<String, RawIdEntry, Boolean>, DataSerializable,
        com.hazelcast.core.HazelcastInstanceAware {

    /** In place of a version: clear the seal of the id into the profile ({@link RawIdEntry#unsealedFrom}). */
    static final long UNSEAL = 0;

    private String profileId;
    private Map<String, Long> held;
    /** The map it runs on, under which the member notes the seals it ran ({@link RecentSeals}); null: not noted. */
    private String map;
    private transient com.hazelcast.core.HazelcastInstance member;

    /** For deserialization. */
    public SealRawId() {
    }

    /** Clears the seal of each of {@code rawKeys} into the profile, where there is one (answers true then too). */
    public static SealRawId unseal(String map, String profileId, java.util.Collection<String> rawKeys) {
        Map<String, Long> none = new java.util.HashMap<>();
        rawKeys.forEach(key -> none.put(key, UNSEAL));
        return new SealRawId(map, profileId, none);
    }

    /** @param held the version the profile holds of each raw id, by raw-ids map key */
    public SealRawId(String profileId, Map<String, Long> held) {
        this(null, profileId, held);
    }

    /** As {@link #SealRawId(String, Map)}, run on {@code map}: the member notes it ({@link RecentSeals}). */
    public SealRawId(String map, String profileId, Map<String, Long> held) {
        this.map = map;
        this.profileId = profileId;
        this.held = held;
    }

    @Override
    public void setHazelcastInstance(com.hazelcast.core.HazelcastInstance hazelcastInstance) {
        this.member = hazelcastInstance;
    }

    @Override
    public Boolean process(Map.Entry<String, RawIdEntry> entry) {
        RawIdEntry current = entry.getValue();
        if (current == null) {
            return false;
        }
        long version = held.get(entry.getKey());
        RawIdEntry next = apply(entry.getKey(), current);
        if (next != current) {
            entry.setValue(next);
            if (map != null && member != null) {
                RecentSeals.of(member).record(map, entry.getKey(), this);
            }
        }
        return next.sealedFor(profileId) == version;
    }

    /** What this seal makes of {@code key}'s entry {@code current} ({@code null} stays null). */
    RawIdEntry apply(String key, RawIdEntry current) {
        Long version = held.get(key);
        if (current == null || version == null) {
            return current;
        }
        return version == UNSEAL ? current.unsealedFrom(profileId) : current.sealedInto(profileId, version);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(map);
        out.writeString(profileId);
        MemberSteps.writeVersions(out, held);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        map = in.readString();
        profileId = in.readString();
        held = MemberSteps.readVersions(in);
    }
}
