package com.profilegrid.pipelines.state;

import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.profilegrid.model.Profile;
import com.profilegrid.pipelines.rules.Change;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Explicit Compact serializer of {@link ProfileState}; versions as two parallel arrays.
 * Registered in the member YAML. A field added later reads as 0 from an entry written before it (by a member of the
 * earlier version in a rolling upgrade).
 */
public final class ProfileStateSerializer implements CompactSerializer<ProfileState> {

    @Override
    public ProfileState read(CompactReader in) {
        String[] rawIds = in.readArrayOfString("rawIds");
        long[] versions = in.readArrayOfInt64("versions");
        Map<String, Long> absorbed = new HashMap<>(rawIds.length * 2);
        for (int i = 0; i < rawIds.length; i++) {
            absorbed.put(rawIds[i], versions[i]);
        }
        int memberChunks = in.getFieldKind("memberChunks") == FieldKind.INT32 ? in.readInt32("memberChunks") : 0;
        Map<String, List<Change>> recent = new LinkedHashMap<>();
        if (in.getFieldKind("recentSteps") == FieldKind.ARRAY_OF_STRING) {
            String[] steps = in.readArrayOfString("recentSteps");
            String[] changes = in.readArrayOfString("recentChanges");
            for (int i = 0; i < steps.length; i++) {
                recent.computeIfAbsent(steps[i], step -> new ArrayList<>()).add(Change.parse(changes[i]));
            }
        }
        return new ProfileState(in.readCompact("profile"), absorbed, memberChunks, recent);
    }

    @Override
    public void write(CompactWriter out, ProfileState state) {
        String[] rawIds = new String[state.absorbed().size()];
        long[] versions = new long[rawIds.length];
        int i = 0;
        for (Map.Entry<String, Long> version : state.absorbed().entrySet()) {
            rawIds[i] = version.getKey();
            versions[i++] = version.getValue();
        }
        out.<Profile>writeCompact("profile", state.profile());
        out.writeArrayOfString("rawIds", rawIds);
        out.writeArrayOfInt64("versions", versions);
        out.writeInt32("memberChunks", state.memberChunks());
        // one row per change, its step beside it
        List<String> steps = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        state.recent().forEach((step, own) -> own.forEach(change -> {
            steps.add(step);
            changes.add(change.text());
        }));
        out.writeArrayOfString("recentSteps", steps.toArray(String[]::new));
        out.writeArrayOfString("recentChanges", changes.toArray(String[]::new));
    }

    @Override
    public String getTypeName() {
        return "profilegrid.ProfileState";
    }

    @Override
    public Class<ProfileState> getCompactClass() {
        return ProfileState.class;
    }
}
