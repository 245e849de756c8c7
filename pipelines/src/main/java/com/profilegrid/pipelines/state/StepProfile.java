package com.profilegrid.pipelines.state;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.ProfileFold;

import java.io.IOException;
import java.util.Map;

/**
 * Takes one raw id's step into its profile's {@link ProfileState}, on the partition that owns the profile: the raw id's
 * next event ({@link ProfileState#absorb}) or the raw id itself, moved here by an identity decision
 * ({@link ProfileState#add}). Once, in version order: a repeat changes nothing; on a gap the entry is left as it was and
 * the caller makes the profile again from its raw ids. The backup runs the same deterministic step.
 */
public final class StepProfile implements EntryProcessor<ProfileKey, ProfileState, StepProfile.Stepped>, DataSerializable {

    /** The step taken ({@link ProfileState.Step}'s name) and the profile after it ({@code null} when there is none). */
    public record Stepped(String step, Profile profile) implements KeySteps.Halt {

        public boolean gap() {
            return step.equals(ProfileState.Step.GAP.name());
        }

        /** A gap ends a batch's run of the profile's steps: the caller makes the profile again first. */
        @Override
        public boolean halts() {
            return gap();
        }

        @Override
        public Object superseded() {
            return new Stepped(step, null);
        }
    }

    private String rawId;
    private long version;
    private TrackingEvent event;
    private RawIdEntry added;
    private ProfileFold fold;

    /** For deserialization. */
    public StepProfile() {
    }

    /** Folds in the raw id's {@code version}-th event. */
    public static StepProfile absorb(String rawId, long version, TrackingEvent event, ProfileFold fold) {
        StepProfile step = new StepProfile();
        step.rawId = rawId;
        step.version = version;
        step.event = event;
        step.fold = fold;
        return step;
    }

    /** Takes in the raw id with what its entry holds. */
    public static StepProfile add(String rawId, RawIdEntry entry, ProfileFold fold) {
        StepProfile step = new StepProfile();
        step.rawId = rawId;
        step.added = entry;
        step.fold = fold;
        return step;
    }

    @Override
    public Stepped process(Map.Entry<ProfileKey, ProfileState> entry) {
        ProfileState current = entry.getValue() != null ? entry.getValue() : ProfileState.empty(entry.getKey());
        ProfileState.Absorbed absorbed = added != null ? current.add(rawId, added, fold)
                : current.absorb(rawId, version, event, fold);
        if (absorbed.step() == ProfileState.Step.APPLIED) {
            entry.setValue(absorbed.state());
        }
        return new Stepped(absorbed.step().name(), entry.getValue() != null ? absorbed.state().profile() : null);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(rawId);
        out.writeBoolean(added != null);
        if (added != null) {
            out.writeObject(added);
        } else {
            out.writeLong(version);
            out.writeObject(event);
        }
        FoldData.write(out, fold);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        rawId = in.readString();
        if (in.readBoolean()) {
            added = in.readObject();
        } else {
            version = in.readLong();
            event = in.readObject();
        }
        fold = FoldData.read(in);
    }
}
