package com.profilegrid.pipelines.state;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.profilegrid.model.EventType;
import com.profilegrid.model.Identities;
import com.profilegrid.model.Profile;
import com.profilegrid.model.PropertyValue;
import com.profilegrid.model.RecentEvent;
import com.profilegrid.model.Visit;
import com.profilegrid.pipelines.rules.Change;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dense form in which the state maps ({@code raw-ids}, {@code profile-state}) hold their values: every entry of
 * them is in memory once or twice (backup) for as long as it is held, and they are what the profile heap budget is
 * spent on. Written as Compact fields, a state of a visitor with five events took about 800 bytes and its raw id's
 * entry 500, mostly per-field offsets, 4-byte lengths, 8-byte times and the same strings again (an event name in the
 * counts, the recent events and the daily counts; a message id in the recent events and the properties). Packed, the
 * same take about a third: numbers are varints, times are deltas from the time written before them, and a string that
 * comes again in one value is written as a back reference to its first occurrence. This is internal to the members
 * (and to the {@code raw_ids} table's {@code packed} column, which holds a raw id's entry in the same layout); the
 * readers' maps keep the public Compact {@code Profile} that clients, SQL and Management Center read.
 *
 * <p>The layout begins with a format number, so that a later layout can still read this one. Format 2 (states only)
 * writes each remembered label change as its kind, its label and its cause apart, so that a label name comes back as
 * a reference to the profile's own labels and a step's cause is written once for all its changes (format 1 wrote
 * each change as one line of text, unique by its cause: with labels in use, those lines were most of a state's bytes
 * and of the time spent packing and unpacking it). Raw ids' entries, which the {@code raw_ids} table keeps, are
 * still written in format 1; both are read.
 */
public final class PackedState {

    /** The layout of raw ids' entries (also kept in the {@code raw_ids} table). */
    static final int FORMAT = 1;
    /** The layout of profile states: format 1 but for the remembered changes. */
    static final int STATE_FORMAT = 2;

    private static final Change.Kind[] KINDS = Change.Kind.values();

    private PackedState() {
    }

    public static byte[] pack(ProfileState state) {
        Writer out = new Writer(STATE_FORMAT);
        out.profile(state.profile());
        out.count(state.absorbed().size());
        state.absorbed().forEach((rawId, version) -> {
            out.string(rawId);
            out.int64(version);
        });
        out.int64(state.memberChunks());
        out.count(state.recent().size());
        state.recent().forEach((step, changes) -> {
            out.string(step);
            out.count(changes.size());
            changes.forEach(change -> {
                out.count(change.kind().ordinal());
                out.string(change.name());
                out.string(change.cause());
            });
        });
        return out.bytes();
    }

    public static ProfileState unpackState(byte[] packed) {
        Reader in = new Reader(packed);
        Profile profile = in.profile();
        int n = in.count();
        Map<String, Long> absorbed = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            absorbed.put(in.string(), in.int64());
        }
        int memberChunks = (int) in.int64();
        int steps = in.count();
        Map<String, List<Change>> recent = new LinkedHashMap<>(steps * 2);
        for (int i = 0; i < steps; i++) {
            String step = in.string();
            int m = in.count();
            List<Change> changes = new ArrayList<>(m);
            for (int j = 0; j < m; j++) {
                changes.add(in.format == FORMAT ? Change.parse(in.string())
                        : new Change(KINDS[in.count()], in.string(), in.string()));
            }
            recent.put(step, changes);
        }
        return new ProfileState(profile, absorbed, memberChunks, recent);
    }

    public static byte[] pack(RawIdEntry entry) {
        Writer out = new Writer(FORMAT);
        out.profile(entry.partial());
        out.count(entry.applied().size());
        entry.applied().forEach((shard, seq) -> {
            out.int64(shard);
            out.int64(seq);
        });
        out.int64(entry.version());
        out.string(entry.profileId());
        out.int64(entry.profileRevision());
        out.int64(entry.sealed());
        return out.bytes();
    }

    public static RawIdEntry unpackRawId(byte[] packed) {
        Reader in = new Reader(packed);
        Profile partial = in.profile();
        int n = in.count();
        Map<Long, Long> applied = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            applied.put(in.int64(), in.int64());
        }
        return new RawIdEntry(partial, applied, in.int64(), in.string(), in.int64(), in.int64());
    }

    /** Writes one value: varints, time deltas, strings once per value. */
    private static final class Writer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(384);
        private final CodedOutputStream out = CodedOutputStream.newInstance(bytes, 384);
        private final Map<String, Integer> written = new HashMap<>();
        private long lastTime;

        Writer(int format) {
            count(format);
        }

        byte[] bytes() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        void count(int n) {
            try {
                out.writeUInt32NoTag(n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void int64(long n) {
            try {
                out.writeSInt64NoTag(n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** 0: null; 1: a string first met here, written out; 2 + i: the i-th string written out before. */
        void string(String s) {
            try {
                if (s == null) {
                    out.writeUInt32NoTag(0);
                    return;
                }
                Integer before = written.get(s);
                if (before != null) {
                    out.writeUInt32NoTag(2 + before);
                    return;
                }
                written.put(s, written.size());
                out.writeUInt32NoTag(1);
                out.writeStringNoTag(s);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void strings(Set<String> set) {
            String[] sorted = set.toArray(new String[0]);
            Arrays.sort(sorted);
            count(sorted.length);
            for (String s : sorted) {
                string(s);
            }
        }

        /** A time as the difference from the one written before it in this value (close times cost a byte or two). */
        void time(Instant at) {
            long millis = at.toEpochMilli();
            int64(millis - lastTime);
            lastTime = millis;
        }

        void nullableTime(Instant at) {
            count(at == null ? 0 : 1);
            if (at != null) {
                time(at);
            }
        }

        void profile(Profile p) {
            string(p.project());
            string(p.profileId());
            string(p.identities().userId());
            strings(p.identities().anonymousIds());
            strings(p.identities().emails());
            count(p.properties().size());
            p.properties().forEach((name, value) -> {
                string(name);
                string(value.json());
                time(value.setAt());
                string(value.messageId());
            });
            count(p.eventCounts().size());
            p.eventCounts().forEach((name, n) -> {
                string(name);
                int64(n);
            });
            nullableTime(p.firstSeen());
            nullableTime(p.lastSeen());
            count(p.visits().size());
            for (Visit visit : p.visits()) {
                time(visit.start());
                time(visit.end());
            }
            count(p.recentEvents().size());
            for (RecentEvent event : p.recentEvents()) {
                string(event.messageId());
                string(event.type().name());
                string(event.name());
                time(event.timestamp());
            }
            strings(p.labels());
            count(p.dailyCounts().size());
            p.dailyCounts().forEach((key, n) -> {
                dailyKey(key);
                int64(n);
            });
        }

        /**
         * {@code <epoch day>:<counter>} as 1 + the day and the counter (a string met before, often); 0 and the key
         * whole for any other key (none the fold makes).
         */
        private void dailyKey(String key) {
            int colon = key.indexOf(':');
            Long day = colon > 0 ? canonicalLong(key.substring(0, colon)) : null;
            if (day == null || day < 0 || day == Long.MAX_VALUE) {
                int64(0);
                string(key);
            } else {
                int64(day + 1);
                string(key.substring(colon + 1));
            }
        }

        private static Long canonicalLong(String text) {
            try {
                long n = Long.parseLong(text);
                return Long.toString(n).equals(text) ? n : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /** Reads what {@link Writer} wrote, in the same order. */
    private static final class Reader {
        private final CodedInputStream in;
        private final List<String> read = new ArrayList<>();
        private final int format;
        private long lastTime;

        Reader(byte[] packed) {
            in = CodedInputStream.newInstance(packed);
            format = count();
            if (format != FORMAT && format != STATE_FORMAT) {
                throw new IllegalStateException("packed state of format " + format + ", this member reads " + FORMAT
                        + " and " + STATE_FORMAT);
            }
        }

        int count() {
            try {
                return in.readUInt32();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        long int64() {
            try {
                return in.readSInt64();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String string() {
            int ref = count();
            if (ref == 0) {
                return null;
            }
            if (ref > 1) {
                return read.get(ref - 2);
            }
            try {
                String s = in.readString();
                read.add(s);
                return s;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String[] strings() {
            String[] all = new String[count()];
            for (int i = 0; i < all.length; i++) {
                all[i] = string();
            }
            return all;
        }

        Instant time() {
            lastTime += int64();
            return Instant.ofEpochMilli(lastTime);
        }

        Instant nullableTime() {
            return count() == 0 ? null : time();
        }

        Profile profile() {
            String project = string();
            String profileId = string();
            Identities identities = new Identities(string(), Set.of(strings()), Set.of(strings()));
            int n = count();
            Map<String, PropertyValue> properties = new HashMap<>(n * 2);
            for (int i = 0; i < n; i++) {
                String name = string();
                String json = string();
                Instant setAt = time();
                properties.put(name, new PropertyValue(json, setAt, string()));
            }
            int m = count();
            Map<String, Long> eventCounts = new HashMap<>(m * 2);
            for (int i = 0; i < m; i++) {
                eventCounts.put(string(), int64());
            }
            Instant firstSeen = nullableTime();
            Instant lastSeen = nullableTime();
            int v = count();
            List<Visit> visits = new ArrayList<>(v);
            for (int i = 0; i < v; i++) {
                Instant start = time();
                visits.add(new Visit(start, time()));
            }
            int r = count();
            List<RecentEvent> recent = new ArrayList<>(r);
            for (int i = 0; i < r; i++) {
                String messageId = string();
                EventType type = EventType.valueOf(string());
                String name = string();
                recent.add(new RecentEvent(messageId, type, name, time()));
            }
            Set<String> labels = Set.of(strings());
            int d = count();
            Map<String, Long> daily = new HashMap<>(d * 2);
            for (int i = 0; i < d; i++) {
                long day = int64();
                String rest = string();
                String key = day == 0 ? rest : (day - 1) + ":" + rest;
                daily.put(key, int64());
            }
            return new Profile(project, profileId, identities, properties, eventCounts, firstSeen, lastSeen, visits,
                    recent, labels, daily);
        }
    }
}
