package com.profilegrid.pipelines.state;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.profilegrid.model.ProfileKey;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a profile state made again from its raw ids, only if the entry still holds what the remake read (compare and
 * set on the deserialized value, so it does not depend on how the value's bytes are laid out): answers whether it did.
 * A remake reads the state, then the raw ids, then writes; a step that landed in between (from this run, or a late
 * operation of a run of the job that was stopped and whose operations were still on their way) would otherwise be
 * overwritten by a state made from older versions, and the profile would lose events that nothing replays again.
 * {@code next == null} deletes the entry. The backup runs the same step.
 */
public final class ReplaceState implements EntryProcessor<ProfileKey, ProfileState, Boolean>, DataSerializable {

    private ProfileState expected;
    private ProfileState next;

    /** For deserialization. */
    public ReplaceState() {
    }

    /**
     * @param expected what the remake read ({@code null}: no entry)
     * @param next     the state to write ({@code null}: delete)
     */
    public ReplaceState(ProfileState expected, ProfileState next) {
        this.expected = expected;
        this.next = next;
    }

    @Override
    public Boolean process(Map.Entry<ProfileKey, ProfileState> entry) {
        if (!Objects.equals(entry.getValue(), expected)) {
            return false;
        }
        if (!Objects.equals(entry.getValue(), next)) {
            entry.setValue(next);
        }
        return true;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeObject(expected);
        out.writeObject(next);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        expected = in.readObject();
        next = in.readObject();
    }
}
