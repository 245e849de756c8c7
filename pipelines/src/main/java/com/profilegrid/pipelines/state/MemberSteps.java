package com.profilegrid.pipelines.state;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The first and the last of the three steps that seal raw ids of a profile that lists too many ({@link ProfileState}),
 * on the profile-state map; both idempotent, and the backup runs the same step.
 */
public final class MemberSteps {

    private MemberSteps() {
    }

    /** Adds raw ids to a member chunk ({@link ProfileState#membersKey}); answers how many the chunk holds after. */
    public static final class AddMembers implements EntryProcessor<ProfileKey, ProfileState, Integer>, DataSerializable {
        private Map<String, Long> members;

        /** For deserialization. */
        public AddMembers() {
        }

        public AddMembers(Map<String, Long> members) {
            this.members = members;
        }

        @Override
        public Integer process(Map.Entry<ProfileKey, ProfileState> entry) {
            ProfileState chunk = entry.getValue() != null ? entry.getValue()
                    : new ProfileState(Profile.empty(entry.getKey()), Map.of());
            ProfileState next = chunk.withMembers(members);
            if (!next.equals(chunk) || entry.getValue() == null) {
                entry.setValue(next);
            }
            return next.absorbed().size();
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            writeVersions(out, members);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            members = readVersions(in);
        }
    }

    /** Stops listing the raw ids sealed on their entries ({@link ProfileState#unlisted}). */
    public static final class Unlist implements EntryProcessor<ProfileKey, ProfileState, Boolean>, DataSerializable {
        private Map<String, Long> sealed;
        private int chunks;

        /** For deserialization. */
        public Unlist() {
        }

        public Unlist(Map<String, Long> sealed, int chunks) {
            this.sealed = sealed;
            this.chunks = chunks;
        }

        @Override
        public Boolean process(Map.Entry<ProfileKey, ProfileState> entry) {
            ProfileState state = entry.getValue();
            if (state == null) {
                return false;
            }
            ProfileState next = state.unlisted(sealed, chunks);
            if (!next.equals(state)) {
                entry.setValue(next);
            }
            return true;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            writeVersions(out, sealed);
            out.writeInt(chunks);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            sealed = readVersions(in);
            chunks = in.readInt();
        }
    }

    static void writeVersions(ObjectDataOutput out, Map<String, Long> versions) throws IOException {
        out.writeInt(versions.size());
        for (Map.Entry<String, Long> version : versions.entrySet()) {
            out.writeString(version.getKey());
            out.writeLong(version.getValue());
        }
    }

    static Map<String, Long> readVersions(ObjectDataInput in) throws IOException {
        int size = in.readInt();
        Map<String, Long> versions = new HashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            versions.put(in.readString(), in.readLong());
        }
        return versions;
    }
}
