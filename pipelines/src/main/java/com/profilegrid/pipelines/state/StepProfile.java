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
import com.profilegrid.pipelines.rules.Change;
import com.profilegrid.pipelines.rules.RuleBook;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
     * empty arrays otherwise), the state's member chunks then, and the changes the step made (its labels entered and
     * exited, the event triggers its event fired: {@link Change#text()}), or those it made when it first ran, for a
     * repeat of a step the state remembers; and the instant at which the profile's labels could next change by time
     * alone, to record as its timer (epoch ms; -1: none to record, {@link RuleBook#dueToRecord}).
     */
    public record Stepped(String step, Profile profile, String[] sealIds, long[] sealVersions, int memberChunks,
                          String[] changes, long due) implements KeySteps.Halt {

        Stepped(String step, Profile profile, String[] changes, long due) {
            this(step, profile, new String[0], new long[0], 0, changes, due);
        }

        /** The changes the step made (or, repeated, made when it first ran). */
        public List<Change> changeList() {
            List<Change> list = new ArrayList<>(changes.length);
            for (String change : changes) {
                list.add(Change.parse(change));
            }
            return list;
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
            return new Stepped(step, null, changes, due);
        }
    }

    private String rawId;
    private long version;
    private long sealed;
    private TrackingEvent event;
    private RawIdEntry added;
    private ProfileFold fold;
    /** The member's labels and triggers, to evaluate the profile a step changed ({@code null}: none). */
    private transient RuleBook rules;

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
        rules = RuleBook.of(member);
    }

    @Override
    public Stepped process(Map.Entry<ProfileKey, ProfileState> entry) {
        ProfileState current = entry.getValue() != null ? entry.getValue() : ProfileState.empty(entry.getKey());
        ProfileState.Absorbed absorbed = added != null ? current.add(rawId, added, sealed, fold)
                : current.absorb(rawId, version, sealed, event, fold);
        String stepKey = ProfileState.stepKey(rawId, added != null ? added.version() : version, added != null);
        List<Change> changes = List.of();
        long due = -1;
        if (absorbed.step() == ProfileState.Step.APPLIED && rules != null) {
            // the labels are part of the profile, evaluated in the step that changed it; the changes are remembered so
            // that a repeat of this step (its answer lost) answers them again
            Profile after = rules.evaluate(absorbed.state().profile());
            String cause = added != null ? "merge:" + stepKey.substring("add:".length()) : eventCause(event);
            changes = rules.changes(current.profile(), after, added != null ? null : event, cause);
            due = rules.dueToRecord(current.profile(), after);
            absorbed = new ProfileState.Absorbed(absorbed.step(),
                    absorbed.state().withProfile(after).remember(stepKey, changes));
        } else if (absorbed.step() == ProfileState.Step.ALREADY_APPLIED) {
            changes = replayed(rules, current, current.profile(), event);
        }
        String[] changed = changes.stream().map(Change::text).toArray(String[]::new);
        if (absorbed.step() == ProfileState.Step.APPLIED) {
            entry.setValue(absorbed.state());
        }
        if (entry.getValue() == null) {
            return new Stepped(absorbed.step().name(), null, changed, due);
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
                absorbed.state().memberChunks(), changed, due);
    }

    /** The cause of the changes an event's step makes: derived from the event alone, the same on every replay. */
    static String eventCause(TrackingEvent event) {
        return "event:" + event.messageId();
    }

    /**
     * The event triggers that {@code event}, met again, fires on {@code profile} (which already holds it), for a repeat
     * whose own changes are not remembered: it changed no label, or a remake folded it in without deciding its
     * triggers. An event trigger's {@code where} is decided on the event alone, as the first time; its {@code profile}
     * condition on the profile as it is now. The firing's id is the same either way, so no cause fires twice.
     */
    static List<Change> replayedEventChanges(RuleBook rules, Profile profile, TrackingEvent event) {
        return rules == null || profile == null ? List.of() : rules.changes(profile, profile, event, eventCause(event));
    }

    /**
     * What a replayed step of {@code event} ({@code null}: an identity move) answers on {@code state}: every change
     * the state remembers, of this step and of the others (a replay after a member loss or a job restart meets steps
     * whose records were lost with the run that decided them, and remakes, which no replayed step names), then the
     * event's triggers when its own step is not remembered ({@link #replayedEventChanges}). The ids of the changes
     * and firings are derived from their causes, so answering one again records nothing twice.
     */
    static List<Change> replayed(RuleBook rules, ProfileState state, Profile profile, TrackingEvent event) {
        java.util.LinkedHashSet<Change> all = new java.util.LinkedHashSet<>();
        if (state != null) {
            all.addAll(state.allRecalled());
        }
        if (event != null && (state == null || state.recalledFor(eventCause(event)).isEmpty())) {
            all.addAll(replayedEventChanges(rules, profile, event));
        }
        return List.copyOf(all);
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
