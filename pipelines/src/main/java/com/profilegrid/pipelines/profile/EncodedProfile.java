package com.profilegrid.pipelines.profile;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.HeapData;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import com.profilegrid.model.Profile;

import java.io.IOException;

/**
 * A partial profile as the pipeline keeps it: the profile and, once it was first written, its serialized form.
 *
 * <p>A snapshot writes every raw id's and every profile's state, changed or not, and serializing the profiles in
 * them was nearly all of a snapshot's cost. A profile never changes (a fold makes a new one, and with it a new
 * holder), so its bytes stay valid for as long as the state keeps this holder: later snapshots copy them. The raw id
 * stage and the profile stage share one holder for the same partial. The price is the bytes held beside the profile
 * until the partial changes. Items that cross members between the two stages travel as the same bytes.
 */
public final class EncodedProfile implements DataSerializable {

    private Profile profile;
    /** The profile's serialized form, made on first write; written by either stage's thread, hence volatile. */
    private volatile byte[] encoded;

    /** For deserialization only. */
    public EncodedProfile() {
    }

    EncodedProfile(Profile profile) {
        this.profile = profile;
    }

    Profile profile() {
        return profile;
    }

    /** Whether the serialized form is held (after the first write, or when read from bytes). */
    boolean isEncoded() {
        return encoded != null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        byte[] bytes = encoded;
        if (bytes == null) {
            bytes = serialization(out).toData(profile).toByteArray();
            encoded = bytes;
        }
        out.writeByteArray(bytes);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        byte[] bytes = in.readByteArray();
        Data data = new HeapData(bytes);
        profile = serialization(in).toObject(data);
        encoded = bytes;
    }

    private static SerializationService serialization(Object stream) {
        if (stream instanceof SerializationServiceSupport support) {
            return support.getSerializationService();
        }
        throw new IllegalStateException("EncodedProfile needs a Hazelcast stream, got " + stream.getClass().getName());
    }

    @Override
    public String toString() {
        return "EncodedProfile" + profile;
    }
}
