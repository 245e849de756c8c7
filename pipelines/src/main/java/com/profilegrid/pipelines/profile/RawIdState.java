package com.profilegrid.pipelines.profile;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.profilegrid.model.Profile;

import java.io.IOException;

/**
 * What the pipeline keeps per raw id (one user, e-mail or anonymous id): the fold of the events that id
 * sent, and the profile that id currently belongs to. Snapshotted with the job.
 */
public final class RawIdState implements DataSerializable {

    Profile partial;
    String profileId;

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeObject(partial);
        out.writeString(profileId);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        partial = in.readObject();
        profileId = in.readString();
    }
}
