package com.profilegrid.pipelines.profile;

import com.hazelcast.jet.datamodel.Tuple3;
import com.hazelcast.jet.pipeline.Sink;
import com.hazelcast.jet.pipeline.SinkBuilder;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes whole profiles (or deletes them) in batches: the last value of each key in a batch wins, and a
 * batch is written before the next one starts, so one profile's writes never overtake each other.
 */
final class ProfileMapSink {

    private ProfileMapSink() {
    }

    static Sink<Tuple3<String, String, Object>> build(String mapName) {
        return SinkBuilder.sinkBuilder("profiles-map-sink",
                        context -> new Writer(context.hazelcastInstance().getMap(mapName)))
                .<Tuple3<String, String, Object>>receiveFn(Writer::add)
                .flushFn(Writer::flush)
                .preferredLocalParallelism(2)
                .build();
    }

    static final class Writer {
        private final IMap<ProfileKey, Profile> map;
        private final Map<ProfileKey, Profile> puts = new LinkedHashMap<>();
        private final Set<ProfileKey> deletes = new HashSet<>();

        Writer(IMap<ProfileKey, Profile> map) {
            this.map = map;
        }

        void add(Tuple3<String, String, Object> item) {
            String key = item.f1();
            int split = key.indexOf('\u001f');
            ProfileKey profileKey = new ProfileKey(key.substring(0, split), key.substring(split + 1));
            if (item.f2() instanceof Profile profile) {
                puts.put(profileKey, profile);
                deletes.remove(profileKey);
            } else {
                puts.remove(profileKey);
                deletes.add(profileKey);
            }
        }

        void flush() {
            if (!puts.isEmpty()) {
                map.putAll(puts);
                puts.clear();
            }
            for (ProfileKey key : deletes) {
                map.delete(key);
            }
            deletes.clear();
        }
    }
}
