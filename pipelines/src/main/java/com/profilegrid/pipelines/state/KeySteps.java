package com.profilegrid.pipelines.state;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps of a batch for a key, as one entry processor: the key's steps (themselves entry processors, such as
 * {@link ApplyToRawId} or {@link StepProfile}) run in order on the key's entry, each seeing what the one before left,
 * and the entry is written once at the end. Sent to the keys of one partition at once ({@link BackedUpWrites#submitByPartition}): one
 * operation per partition and batch instead of one per step; what the entries held comes with it (see the
 * constructor), read by one {@code getAll} that loads a batch's evicted entries with one query per partition. The
 * backup sets the values the steps left ({@link WriteValues}) rather than running them again. A step whose result {@linkplain Halt halts} ends its key's run: the steps after it do not
 * run here, and the caller takes them on (see {@link Results#ran}). Results but the last of a key are
 * {@linkplain Halt#superseded() trimmed}: every result is serialized, and the caller needs only the last state. An
 * operation of a run of the job that has stopped is refused where a newer run has begun ({@link Run}).
 *
 * @param <K> the map's key
 * @param <V> the map's value
 */
public final class KeySteps<K, V> implements EntryProcessor<K, V, KeySteps.Results>, DataSerializable,
        HandsOverLocally<K, KeySteps.Results>, HazelcastInstanceAware {

    /** A step result that can end its key's run, or be trimmed when a later step of the key follows. */
    public interface Halt {
        /** Whether the key's later steps must not run in this batch. */
        boolean halts();

        /** This result without what a later step's result supersedes. */
        Object superseded();
    }

    private Map<K, List<EntryProcessor<K, V, ?>>> steps;
    private Map<K, V> found;
    /** The run that sent it: refused where a newer run of the job has begun ({@link Run}). */
    private Run run = Run.NONE;
    /** The map it runs on ({@code null}: not told), whose recent seals a missing entry's read takes in. */
    private String map;
    private transient HazelcastInstance member;
    /** Whether the member runs a newer run than {@link #run} (asked at the first key). */
    private transient Boolean late;
    /** Where the results go on the caller's own member (not serialized: a copy answers its results instead). */
    private transient Map<K, Results> handOver;
    /** What the run left in the entries it changed, for the backup ({@link WriteValues}); null: nothing changed. */
    private transient Map<K, V> written;

    /** For deserialization. */
    public KeySteps() {
    }

    /**
     * @param steps each key's steps
     * @param found what each key's entry held just before ({@code getAll}, which loads evicted ones; a key without an
     *              entry is absent): the operation uses it for a key whose entry it finds missing, since a multi-key
     *              operation can see an entry evicted by its own writes and loads before it reaches it. No one else
     *              writes these keys in between (the pipeline's batches of a key run one at a time), so it is still
     *              the entry's value.
     */
    public KeySteps(Map<K, List<EntryProcessor<K, V, ?>>> steps, Map<K, V> found) {
        this(steps, found, Run.NONE, null);
    }

    /**
     * As {@link #KeySteps(Map, Map)}, sent by {@code run} to {@code map}: where it finds an entry missing and takes
     * what was read, it first replays onto that the seals the member ran on the entry since ({@link RecentSeals}).
     */
    public KeySteps(Map<K, List<EntryProcessor<K, V, ?>>> steps, Map<K, V> found, Run run, String map) {
        this.steps = steps;
        this.found = found;
        this.run = run;
        this.map = map;
    }

    /** The member the operation runs on (Hazelcast hands it over before running): passed on to the steps that ask. */
    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
        steps.values().forEach(own -> own.forEach(step -> {
            if (step instanceof HazelcastInstanceAware aware) {
                aware.setHazelcastInstance(member);
            }
        }));
    }

    @Override
    public Results process(Map.Entry<K, V> entry) {
        if (late == null) {
            late = run.stoppedOn(member);
        }
        if (late) {
            throw new Run.Stopped(run);
        }
        V before = entry.getValue() != null ? entry.getValue() : read(entry.getKey());
        Map.Entry<K, V> local = new AbstractMap.SimpleEntry<>(entry.getKey(), before);
        List<EntryProcessor<K, V, ?>> own = steps.get(entry.getKey());
        List<Object> results = new ArrayList<>(own.size());
        for (EntryProcessor<K, V, ?> step : own) {
            Object result = step.process(local);
            if (!results.isEmpty() && results.get(results.size() - 1) instanceof Halt earlier) {
                results.set(results.size() - 1, earlier.superseded());
            }
            results.add(result);
            if (result instanceof Halt halt && halt.halts()) {
                break;
            }
        }
        if (local.getValue() != before) {
            entry.setValue(local.getValue());
            if (written == null) {
                written = new HashMap<>();
            }
            written.put(entry.getKey(), local.getValue());
        }
        if (handOver != null) {
            handOver.put(entry.getKey(), new Results(results));
            return null;
        }
        return new Results(results);
    }

    /** What the batch read of a key whose entry is missing now, with the seals run on it since (raw ids only). */
    @SuppressWarnings("unchecked")
    private V read(K key) {
        V value = found.get(key);
        if (map != null && member != null && key instanceof String rawKey
                && (value == null || value instanceof RawIdEntry)) {
            return (V) RecentSeals.of(member).replay(map, rawKey, (RawIdEntry) value);
        }
        return value;
    }

    /**
     * The values this run wrote, to set on the backup (Hazelcast asks once the operation has run on the primary);
     * none when the run changed no entry, and then no backup is sent.
     */
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public EntryProcessor<K, V, Results> getBackupProcessor() {
        return written == null ? null : (EntryProcessor) new WriteValues<>(written);
    }

    @Override
    public void handOverTo(Map<K, Results> results) {
        this.handOver = results;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeLong(run.job());
        out.writeLong(run.execution());
        out.writeString(map);
        out.writeInt(steps.size());
        for (Map.Entry<K, List<EntryProcessor<K, V, ?>>> key : steps.entrySet()) {
            out.writeObject(key.getKey());
            out.writeInt(key.getValue().size());
            for (EntryProcessor<K, V, ?> step : key.getValue()) {
                out.writeObject(step);
            }
            out.writeObject(found.get(key.getKey()));
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        long job = in.readLong();
        long execution = in.readLong();
        run = job == 0 ? Run.NONE : new Run(job, execution);
        map = in.readString();
        int keys = in.readInt();
        steps = new HashMap<>(keys * 2);
        found = new HashMap<>(keys * 2);
        for (int k = 0; k < keys; k++) {
            K key = in.readObject();
            int count = in.readInt();
            List<EntryProcessor<K, V, ?>> own = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                own.add(in.readObject());
            }
            steps.put(key, own);
            V value = in.readObject();
            if (value != null) {
                found.put(key, value);
            }
        }
    }

    /** The results of one key's steps, in order; fewer than its steps when one halted the run. */
    public static final class Results implements DataSerializable {
        private List<Object> results;

        /** For deserialization. */
        public Results() {
        }

        Results(List<Object> results) {
            this.results = results;
        }

        /** How many of the key's steps ran. */
        public int ran() {
            return results.size();
        }

        @SuppressWarnings("unchecked")
        public <R> R get(int step) {
            return (R) results.get(step);
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeInt(results.size());
            for (Object result : results) {
                out.writeObject(result);
            }
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            int size = in.readInt();
            results = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                results.add(in.readObject());
            }
        }
    }
}
