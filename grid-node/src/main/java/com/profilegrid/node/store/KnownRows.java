package com.profilegrid.node.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a state map's store just read from its table, kept for a moment so that the loads that follow answer without
 * asking the database again: the rows a map step read ahead for its batch ({@link KeyedTableStore#prefetch}), and
 * the keys a load found no row for. Hazelcast loads a batch's missing keys once per partition, and then loads again
 * the keys its entry processor finds missing (for a new raw id or profile: every key, to learn again that there is no
 * row); both are answered from here.
 *
 * <p>Why an answer kept here is still true when it is used. Hazelcast asks the store only for a key that is neither in
 * memory nor waiting in its write-behind queue, so the row in the table is the key's latest value, and it changes only
 * through this map's store: a write forgets the keys it writes when it starts, and a query's answer about a key is kept
 * only if no write of that key ran while the query did (a write in flight could commit a row the query did not see).
 * A partition moving between members forgets all (the key may be written elsewhere meanwhile); Hazelcast tells its
 * migration listeners asynchronously, but for a key to be written elsewhere and come back it must move away, be
 * created there, wait out the write-behind delay (a second by default), be stored, move back and be evicted, which the
 * one-second life of an answer does not leave time for. A row is handed out once, "no row" holds until the key is
 * written, each for at most a second; a map step forgets what it read ahead when its batch is done. Only a map's own
 * (writing) store keeps answers: a loader that only reads a table another map writes does not see those writes.
 * (A rebuild writes its new generation's rows straight to the tables after readers switched to it; until then its
 * maps are meant to hold every entry, so nothing of them is loaded; a rebuild larger than the budget is a known
 * limit, see {@code docs/profile-state.md}.)
 *
 * @param <K> the map's key
 * @param <V> the map's value
 */
final class KnownRows<K, V> {

    private static final long KEEP_NANOS = 1_000_000_000L;
    /** At most this many answers are kept (a few batches' worth); beyond it they are all forgotten. */
    private static final int MAX_KEPT = 8_192;
    /** Writes are remembered key by key; past this many keys, those that ended longer ago than an answer lives go. */
    private static final int MAX_WRITTEN = 20_000;

    /** An answer: the row's value, or {@code null} for no row. */
    private record Known<V>(V value, long since) {
    }

    private final ConcurrentHashMap<K, Known<V>> known = new ConcurrentHashMap<>();
    /** Orders writes and queries: a query is stamped with it as it starts, a write of a key as it ends. */
    private final AtomicLong clock = new AtomicLong();
    /** Keys answered from here, counted (how much a read-ahead was worth). */
    private final AtomicLong answered = new AtomicLong();
    /** Per key written lately: when its last write ended ({@link Long#MAX_VALUE} while one runs), and at what time. */
    private final ConcurrentHashMap<K, Written> written = new ConcurrentHashMap<>();
    /** The clock when partitions last moved: a query that started before keeps nothing. */
    private volatile long moved = -1;

    /** A query's start. */
    record Ticket(long clock, long nanos) {
    }

    private record Written(long clock, long nanos) {
    }

    /**
     * Answers what it can of {@code keys} into {@code found}; the keys left to load.
     */
    List<K> answer(List<K> keys, Map<K, V> found) {
        if (known.isEmpty()) {
            return keys;
        }
        long now = System.nanoTime();
        List<K> unknown = new ArrayList<>(keys.size());
        for (K key : keys) {
            Known<V> answer = known.get(key);
            if (answer == null || now - answer.since() > KEEP_NANOS) {
                unknown.add(key);
                continue;
            }
            if (answer.value() != null) {
                // a row is handed out once (Hazelcast keeps it in memory now); "no row" holds until a write
                known.remove(key, answer);
                found.put(key, answer.value());
            }
            answered.incrementAndGet();
        }
        return unknown;
    }

    /** How many keys were answered from here so far. */
    long answered() {
        return answered.get();
    }

    /** Taken as a query starts: what {@link #keep} needs to tell which keys a write overlapped. */
    Ticket ticket() {
        return new Ticket(clock.get(), System.nanoTime());
    }

    /**
     * After a query that started with {@code ticket}: what it answered for {@code asked} ({@code found}, and no row for
     * the rest) is kept, rows too when {@code rows}, else only the keys without one. A key a write overlapped (running
     * as the query started, or ended since) is not kept, nor anything when partitions moved meanwhile or the query took
     * longer than the writes are remembered.
     */
    synchronized void keep(Ticket ticket, Collection<K> asked, Map<K, V> found, boolean rows) {
        if (moved > ticket.clock() || System.nanoTime() - ticket.nanos() > KEEP_NANOS
                || (!rows && asked.size() == found.size())) {
            return;
        }
        if (known.size() + asked.size() > MAX_KEPT) {
            known.clear();
        }
        long now = System.nanoTime();
        for (K key : asked) {
            Written write = written.get(key);
            if (write != null && write.clock() > ticket.clock()) {
                continue;
            }
            V value = found.get(key);
            if (value == null) {
                known.put(key, new Known<>(null, now));
            } else if (rows) {
                known.put(key, new Known<>(value, now));
            }
        }
    }

    /**
     * Whether this store wrote {@code key} less than {@code nanos} ago (or writes it now): its entry was in memory
     * then and most likely still is, so reading its row ahead would only cost the parsing. A guess, never an answer:
     * a key left out of a read-ahead that does need loading is loaded as usual.
     */
    boolean writtenWithin(K key, long nanos) {
        Written write = written.get(key);
        return write != null && (write.clock() == Long.MAX_VALUE || System.nanoTime() - write.nanos() < nanos);
    }

    /** Forgets the answers about {@code keys} (those not used). */
    void forget(Collection<K> keys) {
        keys.forEach(known::remove);
    }

    /** A write of {@code keys} starts: they are forgotten, and a query running now keeps nothing of them. */
    synchronized void writeStarts(Collection<K> keys) {
        Written running = new Written(Long.MAX_VALUE, System.nanoTime());
        for (K key : keys) {
            known.remove(key);
            written.put(key, running);
        }
    }

    /** The write of {@code keys} has ended (committed or not). */
    void writeEnds(Collection<K> keys) {
        long now = System.nanoTime();
        Written ended = new Written(clock.incrementAndGet(), now);
        keys.forEach(key -> written.put(key, ended));
        if (written.size() > MAX_WRITTEN) {
            // a query older than this is not kept anyway
            written.values().removeIf(write -> write.clock() != Long.MAX_VALUE && now - write.nanos() > KEEP_NANOS);
        }
    }

    /** Partitions move: every answer is forgotten, and no query running now keeps its answers. */
    synchronized void forgetAll() {
        moved = clock.incrementAndGet();
        known.clear();
    }
}
