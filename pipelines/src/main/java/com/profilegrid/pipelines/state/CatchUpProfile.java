package com.profilegrid.pipelines.state;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Makes a profile again from its raw ids' entries when one of them is ahead of what the profile absorbed: after a gap,
 * or when a replayed event finds its raw id already applied but the profile never got it (the job stopped between the
 * two steps). Leaves the profile as it is when it is not behind, so a repeat changes nothing.
 */
public final class CatchUpProfile implements EntryProcessor<ProfileKey, ProfileState, Boolean>, DataSerializable {

    private Map<String, RawIdEntry> rawIds;
    private FoldSettings settings;

    /** For deserialization. */
    public CatchUpProfile() {
    }

    public CatchUpProfile(Map<String, RawIdEntry> rawIds, FoldSettings settings) {
        this.rawIds = rawIds;
        this.settings = settings;
    }

    /** @return whether the profile was made again */
    @Override
    public Boolean process(Map.Entry<ProfileKey, ProfileState> entry) {
        ProfileState current = entry.getValue() != null ? entry.getValue() : ProfileState.empty(entry.getKey());
        boolean behind = rawIds.entrySet().stream()
                .anyMatch(rawId -> rawId.getValue().version() > current.absorbed().getOrDefault(rawId.getKey(), 0L));
        if (!behind) {
            return false;
        }
        entry.setValue(ProfileState.recomputed(entry.getKey(), rawIds, new ProfileFold(settings)));
        return true;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeInt(rawIds.size());
        for (Map.Entry<String, RawIdEntry> rawId : rawIds.entrySet()) {
            out.writeString(rawId.getKey());
            out.writeObject(rawId.getValue());
        }
        FoldSettingsData.write(out, settings);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        int size = in.readInt();
        rawIds = new HashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            rawIds.put(in.readString(), in.readObject());
        }
        settings = FoldSettingsData.read(in);
    }
}
