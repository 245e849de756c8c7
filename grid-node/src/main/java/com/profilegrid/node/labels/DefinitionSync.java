package com.profilegrid.node.labels;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.MemberLeftException;
import com.profilegrid.pipelines.rules.RuleBook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Brings a label or trigger definition just written to every member's {@link RuleBook} before the admin API answers:
 * each member reads the definition from its map ({@link RuleBook#refresh}), so that an answered {@code POST}, {@code
 * PUT} or {@code DELETE} is in force on every member from the next profile step on. The maps' listeners alone can
 * miss an event (a member seen in a fault test, just joined, fired nothing for a trigger its peers held until its
 * book's next read of the maps, 5 s later). A member that leaves meanwhile is not waited for (one that joins later
 * loads every definition as it starts); one that does not answer within {@link #WAIT} is logged and left to its
 * book's next read of the maps.
 */
public final class DefinitionSync {

    private static final Logger LOG = LoggerFactory.getLogger(DefinitionSync.class);
    private static final String EXECUTOR = "profilegrid-definitions";
    static final Duration WAIT = Duration.ofSeconds(10);

    private final HazelcastInstance member;

    public DefinitionSync(HazelcastInstance member) {
        this.member = member;
    }

    /**
     * Asks every member to hold what {@code mapName} holds under {@code key} and waits for their answers: returns the
     * number of members that answered they hold it.
     */
    public int toAllMembers(String mapName, String key) {
        Map<Member, Future<Boolean>> answers = member.getExecutorService(EXECUTOR)
                .submitToAllMembers(new Refresh(mapName, key));
        long deadline = System.nanoTime() + WAIT.toNanos();
        int holding = 0;
        for (Map.Entry<Member, Future<Boolean>> answer : answers.entrySet()) {
            try {
                if (answer.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    holding++;
                } else {
                    LOG.warn("Member {} cannot read the definition {} of {}: it evaluates none of that name",
                            answer.getKey(), key, mapName);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return holding;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof MemberLeftException)) {
                    LOG.warn("Member {} did not take in the definition {} of {}; its next read of the maps will",
                            answer.getKey(), key, mapName, e.getCause());
                }
            } catch (TimeoutException e) {
                LOG.warn("Member {} did not say within {} s that it holds the definition {} of {}; its next read of "
                        + "the maps will take it in", answer.getKey(), WAIT.toSeconds(), key, mapName);
            }
        }
        return holding;
    }

    /** What a member runs: its rule book reads the definition. */
    static final class Refresh implements Callable<Boolean>, HazelcastInstanceAware, Serializable {

        private static final long serialVersionUID = 1L;
        private final String mapName;
        private final String key;
        private transient HazelcastInstance member;

        Refresh(String mapName, String key) {
            this.mapName = mapName;
            this.key = key;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
            this.member = hazelcastInstance;
        }

        @Override
        public Boolean call() {
            RuleBook book = RuleBook.of(member);
            // a member without a book evaluates no rules: nothing there to bring up to date
            return book == null || book.refresh(member, mapName, key);
        }
    }
}
