package com.profilegrid.pipelines.state;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.profilegrid.pipelines.fold.FoldSettings;

import java.io.IOException;
import java.time.Duration;

/** How the entry processors ship {@link FoldSettings} to a member (the fold package has no Hazelcast in it). */
final class FoldSettingsData {

    private FoldSettingsData() {
    }

    static void write(ObjectDataOutput out, FoldSettings settings) throws IOException {
        out.writeLong(settings.inactivityGap().toMillis());
        out.writeInt(settings.recentEvents());
    }

    static FoldSettings read(ObjectDataInput in) throws IOException {
        return new FoldSettings(Duration.ofMillis(in.readLong()), in.readInt());
    }
}
