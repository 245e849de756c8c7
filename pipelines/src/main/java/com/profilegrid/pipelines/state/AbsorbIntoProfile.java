package com.profilegrid.pipelines.state;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;

import java.io.IOException;
import java.util.Map;

/**
 * Folds the {@code version}-th event of a raw id into its profile's {@link ProfileState}, on the partition that owns
 * the profile: once, in version order. Answers the step taken; on a gap the entry is left as it was and the caller
 * makes the profile again from its raw ids. The backup runs the same deterministic step.
 */
public final class AbsorbIntoProfile implements EntryProcessor<ProfileKey, ProfileState, String>, DataSerializable {

    private String rawId;
    private long version;
    private TrackingEvent event;
    private FoldSettings settings;

    /** For deserialization. */
    public AbsorbIntoProfile() {
    }

    public AbsorbIntoProfile(String rawId, long version, TrackingEvent event, FoldSettings settings) {
        this.rawId = rawId;
        this.version = version;
        this.event = event;
        this.settings = settings;
    }

    /** @return the name of the {@link ProfileState.Step} taken */
    @Override
    public String process(Map.Entry<ProfileKey, ProfileState> entry) {
        ProfileState current = entry.getValue() != null ? entry.getValue() : ProfileState.empty(entry.getKey());
        ProfileState.Absorbed absorbed = current.absorb(rawId, version, event, new ProfileFold(settings));
        if (absorbed.step() == ProfileState.Step.APPLIED) {
            entry.setValue(absorbed.state());
        }
        return absorbed.step().name();
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(rawId);
        out.writeLong(version);
        out.writeObject(event);
        FoldSettingsData.write(out, settings);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        rawId = in.readString();
        version = in.readLong();
        event = in.readObject();
        settings = FoldSettingsData.read(in);
    }
}
