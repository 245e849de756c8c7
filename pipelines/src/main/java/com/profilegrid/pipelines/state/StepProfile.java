package com.profilegrid.pipelines.state;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.rules.LabelBook;

import java.io.IOException;
import java.util.Map;

/**
 * Takes one raw id's step into its profile's {@link ProfileState}, on the partition that owns the profile: the raw id's
 * next event ({@link ProfileState#absorb}) or the raw id itself, moved here by an identity decision
 * ({@link ProfileState#add}). Once, in version order: a repeat changes nothing; on a gap the entry is left as it was and
 * the caller makes the profile again from its raw ids. The backup runs the same deterministic step.
 */
public final class StepProfile implements EntryProcessor<ProfileKey, ProfileState, StepProfile.Stepped>, DataSerializable,
        HazelcastInstanceAware {

    /**
     * The step taken ({@link ProfileState.Step}'s name), the profile after it ({@code null} when there is none), and
     * the listed raw ids to seal with their versions when the state lists too many ({@link ProfileState#overListed};
     * empty arrays otherwise), and the state's member chunks then.
     */
    public record Stepped(String step, Profile profile, String[] sealIds, long[] sealVersions, int memberChunks)
            implements KeySteps.Halt {

        Stepped(String step, Profile profile) {
            this(step, profile, new String[0], new long[0], 0);
        }

        /** The raw ids to seal, each with the version the profile holds. */
        public Map<String, Long> toSeal() {
            Map<String, Long> seal = new java.util.LinkedHashMap<>();
            for (int i = 0; i < sealIds.length; i++) {
                seal.put(sealIds[i], sealVersions[i]);
            }
            return seal;
        }

        public boolean gap() {
            return step.equals(ProfileState.Step.GAP.name());
        }

        /** The state does not list the raw id: the caller reads its sealed version and steps again. */
        public boolean unlisted() {
            return step.equals(ProfileState.Step.UNLISTED.name());
        }

        /**
         * A gap ends a batch's run of the profile's steps (the caller makes the profile again first), and so does an
         * unlisted id (the caller reads its entry first).
         */
        @Override
        public boolean halts() {
            return gap() || unlisted();
        }

        @Override
        public Object superseded() {
            return new Stepped(step, null);
        }
    }

    private String rawId;
    private long version;
    private long sealed;
    private TrackingEvent event;
    private RawIdEntry added;
    private ProfileFold fold;
    /** The member's labels, to evaluate the profile a step changed ({@code null}: none). */
    private transient LabelBook labels;

    /** For deserialization. */
    public StepProfile() {
    }

    /**
     * Folds in the raw id's {@code version}-th event; {@code sealed}: the version sealed on its entry, read after the
     * profile was found not to list it, or {@link ProfileState#UNREAD}.
     */
    public static StepProfile absorb(String rawId, long version, long sealed, TrackingEvent event, ProfileFold fold) {
        StepProfile step = new StepProfile();
        step.rawId = rawId;
        step.version = version;
        step.sealed = sealed;
        step.event = event;
        step.fold = fold;
        return step;
    }

    /**
     * Takes in the raw id with what its entry holds; {@code sealed}: the version sealed on its entry, read after the
     * profile was found not to list it, or {@link ProfileState#UNREAD}.
     */
    public static StepProfile add(String rawId, RawIdEntry entry, long sealed, ProfileFold fold) {
        StepProfile step = new StepProfile();
        step.rawId = rawId;
        step.added = entry;
        step.sealed = sealed;
        step.fold = fold;
        return step;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        labels = LabelBook.of(member);
    }

    @Override
    public Stepped process(Map.Entry<ProfileKey, ProfileState> entry) {
        ProfileState current = entry.getValue() != null ? entry.getValue() : ProfileState.empty(entry.getKey());
        ProfileState.Absorbed absorbed = added != null ? current.add(rawId, added, sealed, fold)
                : current.absorb(rawId, version, sealed, event, fold);
        if (absorbed.step() == ProfileState.Step.APPLIED && labels != null) {
            // the labels are part of the profile, evaluated in the step that changed it (a repeat changes nothing)
            absorbed = new ProfileState.Absorbed(absorbed.step(), absorbed.state().withProfile(
                    labels.evaluate(absorbed.state().profile())));
        }
        if (absorbed.step() == ProfileState.Step.APPLIED) {
            entry.setValue(absorbed.state());
        }
        if (entry.getValue() == null) {
            return new Stepped(absorbed.step().name(), null);
        }
        // whatever the step, a state over the bound is trimmed: a remake, or ids sealing could not take (their events
        // were on their way), can leave it over
        Map<String, Long> seal = absorbed.state().overListed(fold.settings().maxListedRawIds());
        String[] ids = new String[seal.size()];
        long[] versions = new long[ids.length];
        int i = 0;
        for (Map.Entry<String, Long> listed : seal.entrySet()) {
            ids[i] = listed.getKey();
            versions[i++] = listed.getValue();
        }
        return new Stepped(absorbed.step().name(), absorbed.state().profile(), ids, versions,
                absorbed.state().memberChunks());
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(rawId);
        out.writeLong(sealed);
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
        sealed = in.readLong();
        if (in.readBoolean()) {
            added = in.readObject();
        } else {
            version = in.readLong();
            event = in.readObject();
        }
        fold = FoldData.read(in);
    }
}
