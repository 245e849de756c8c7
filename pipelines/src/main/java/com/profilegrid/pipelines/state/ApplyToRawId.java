package com.profilegrid.pipelines.state;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.profilegrid.model.GridMaps;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.LogRecord;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Applies one logged event to its raw id's entry ({@link RawIdEntry}, keyed by {@link GridMaps#projectKey}), on the
 * partition that owns it, at most once: a replay of an applied position changes nothing and answers what the entry
 * holds. An event the fold throws on leaves the entry as it was and answers why (the pipeline dead-letters it). The
 * backup runs the same deterministic step.
 */
public final class ApplyToRawId implements EntryProcessor<String, RawIdEntry, ApplyToRawId.Outcome>, DataSerializable {

    /**
     * What the step did: whether the event was new, the entry's version after it, the profile the id's events go to,
     * and, when the fold failed on the event, why ({@code null} otherwise).
     */
    public record Outcome(boolean applied, long version, String profileId, String failure) {
    }

    private LogRecord record;
    private ProfileFold fold;

    /** For deserialization. */
    public ApplyToRawId() {
    }

    public ApplyToRawId(LogRecord record, ProfileFold fold) {
        this.record = record;
        this.fold = fold;
    }

    @Override
    public Outcome process(Map.Entry<String, RawIdEntry> entry) {
        RawIdEntry current = entry.getValue() != null ? entry.getValue()
                : RawIdEntry.empty(GridMaps.projectOf(entry.getKey()), GridMaps.idOf(entry.getKey()));
        Optional<RawIdEntry> next;
        try {
            next = current.apply(record, fold);
        } catch (RuntimeException e) {
            return new Outcome(false, current.version(), current.currentProfileId(), "fold failed: " + e);
        }
        next.ifPresent(entry::setValue);
        RawIdEntry now = next.orElse(current);
        return new Outcome(next.isPresent(), now.version(), now.currentProfileId(), null);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeObject(record);
        FoldData.write(out, fold);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        record = in.readObject();
        fold = FoldData.read(in);
    }
}
