package com.profilegrid.pipelines.state;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.profilegrid.model.GridMaps;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.LogRecord;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Applies one logged event to its raw id's entry ({@link RawIdEntry}, keyed by {@link GridMaps#projectKey}), on the
 * partition that owns it, at most once: a replay of an applied position changes nothing and answers what the entry
 * holds. The backup runs the same deterministic step.
 */
public final class ApplyToRawId implements EntryProcessor<String, RawIdEntry, ApplyToRawId.Outcome>, DataSerializable {

    /**
     * What the step did: whether the event was new, the entry's version after it, and the profile the id's events go
     * to.
     */
    public record Outcome(boolean applied, long version, String profileId) {
    }

    private LogRecord record;
    private FoldSettings settings;

    /** For deserialization. */
    public ApplyToRawId() {
    }

    public ApplyToRawId(LogRecord record, FoldSettings settings) {
        this.record = record;
        this.settings = settings;
    }

    @Override
    public Outcome process(Map.Entry<String, RawIdEntry> entry) {
        RawIdEntry current = entry.getValue() != null ? entry.getValue()
                : RawIdEntry.empty(GridMaps.projectOf(entry.getKey()), GridMaps.idOf(entry.getKey()));
        Optional<RawIdEntry> next = current.apply(record, new ProfileFold(settings));
        next.ifPresent(entry::setValue);
        RawIdEntry now = next.orElse(current);
        return new Outcome(next.isPresent(), now.version(), now.currentProfileId());
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeObject(record);
        FoldSettingsData.write(out, settings);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        record = in.readObject();
        settings = FoldSettingsData.read(in);
    }
}
