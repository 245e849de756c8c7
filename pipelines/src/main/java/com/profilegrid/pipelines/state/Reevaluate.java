package com.profilegrid.pipelines.state;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.rules.Change;
import com.profilegrid.pipelines.rules.RuleBook;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A profile's labels evaluated again with no new event: when its timer is due (every label; the labels a window's edge
 * or an age reached changed enter or exit, caused by {@code due:<epoch ms>}), or by a backfill of one label (caused by
 * {@code backfill:<label>@<updated ms>}). Remembered like a step's changes, so the same timer
 * met again answers them again. The backup takes the value the primary computed (its clock may differ).
 */
public final class Reevaluate implements EntryProcessor<ProfileKey, ProfileState, Reevaluate.Result>, DataSerializable,
        HazelcastInstanceAware {

    /**
     * What the evaluation found: the profile after it ({@code null}: there is no profile), its changes
     * ({@link Change#text()}), and its next timer (epoch ms; -1: none).
     */
    public record Result(Profile profile, String[] changes, long next) {

        public List<Change> changeList() {
            return java.util.Arrays.stream(changes).map(Change::parse).toList();
        }
    }

    private String cause;
    private String onlyLabel;
    /** The backfilled label's rule, as JSON: evaluated as given, not as the member's copy has it (it may lag). */
    private String rule;
    private transient RuleBook rules;
    private transient ProfileKey writtenKey;
    private transient ProfileState written;

    /** For deserialization. */
    public Reevaluate() {
    }

    /** The evaluation a timer due at {@code due} (epoch ms) asks for: every label of the project. */
    public Reevaluate(long due) {
        this.cause = "due:" + due;
    }

    /** A backfill's evaluation of {@code label} alone, changed at {@code updatedMs}. */
    public static Reevaluate backfill(String label, String rule, long updatedMs) {
        Reevaluate step = new Reevaluate();
        step.cause = "backfill:" + label + "@" + updatedMs;
        step.onlyLabel = label;
        step.rule = rule;
        return step;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        rules = RuleBook.of(member);
    }

    @Override
    public Result process(Map.Entry<ProfileKey, ProfileState> entry) {
        ProfileState state = entry.getValue();
        if (state == null || rules == null || ProfileState.isMembers(entry.getKey())) {
            return new Result(null, new String[0], -1);
        }
        String step = cause;
        Profile after = onlyLabel == null ? rules.evaluate(state.profile()) : rules.evaluateOnly(state.profile(), onlyLabel, rule);
        List<Change> changes = rules.changes(state.profile(), after, null, step);
        if (!changes.isEmpty()) {
            written = state.withProfile(after).remember(step, changes);
            writtenKey = entry.getKey();
            entry.setValue(written);
        } else {
            changes = state.recalled(step);
        }
        Instant next = rules.nextDue(after);
        return new Result(after, changes.stream().map(Change::text).toArray(String[]::new),
                next == null ? -1 : next.toEpochMilli());
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public EntryProcessor<ProfileKey, ProfileState, Result> getBackupProcessor() {
        return written == null ? null : (EntryProcessor) new WriteValues<>(Map.of(writtenKey, written));
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(cause);
        out.writeString(onlyLabel);
        out.writeString(rule);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        cause = in.readString();
        onlyLabel = in.readString();
        rule = in.readString();
    }
}
