package com.profilegrid.pipelines.state;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;

import java.io.IOException;
import java.time.Duration;

/**
 * How the entry processors ship the {@link ProfileFold} to a member (the fold package has no Hazelcast in it): the
 * ordinary fold as its settings; a subclass (a test's fold that fails on purpose) by Java serialization.
 */
final class FoldData {

    private FoldData() {
    }

    static void write(ObjectDataOutput out, ProfileFold fold) throws IOException {
        boolean ordinary = fold.getClass() == ProfileFold.class;
        out.writeBoolean(ordinary);
        if (ordinary) {
            out.writeLong(fold.settings().inactivityGap().toMillis());
            out.writeInt(fold.settings().recentEvents());
            out.writeInt(fold.settings().maxListedRawIds());
            out.writeLong(fold.settings().visitRetention().toMillis());
        } else {
            out.writeObject(fold);
        }
    }

    static ProfileFold read(ObjectDataInput in) throws IOException {
        if (in.readBoolean()) {
            return new ProfileFold(new FoldSettings(Duration.ofMillis(in.readLong()), in.readInt(), in.readInt(),
                    Duration.ofMillis(in.readLong())));
        }
        return in.readObject();
    }
}
