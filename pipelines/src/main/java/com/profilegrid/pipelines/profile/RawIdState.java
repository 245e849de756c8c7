package com.profilegrid.pipelines.profile;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;

/**
 * What the pipeline keeps per raw id (one user, e-mail or anonymous id): the fold of the events that id
 * sent, and the profile that id currently belongs to. Snapshotted with the job.
 */
public final class RawIdState implements DataSerializable {

    /** The fold of this id's own events, with its serialized form once snapshotted (see {@link EncodedProfile}). */
    EncodedProfile partial;
    String profileId;
    /** Counts what this raw id sent downstream, so the profile stage can drop an update that overtook a newer one. */
    long version;
    /** Revision of the identity decision that set {@link #profileId}; an older decision arriving late is ignored. */
    long profileIdRevision;

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeBoolean(partial != null);
        if (partial != null) {
            partial.writeData(out);
        }
        out.writeString(profileId);
        out.writeLong(version);
        out.writeLong(profileIdRevision);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        if (in.readBoolean()) {
            partial = new EncodedProfile();
            partial.readData(in);
        }
        profileId = in.readString();
        version = in.readLong();
        profileIdRevision = in.readLong();
    }
}
