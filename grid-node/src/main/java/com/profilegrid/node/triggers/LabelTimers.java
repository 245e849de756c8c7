package com.profilegrid.node.triggers;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.store.ActiveGenerations;
import com.profilegrid.node.store.StorePrefetch;
import com.profilegrid.pipelines.rules.ChangeLog;
import com.profilegrid.pipelines.state.NearCacheInvalidation;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.Reevaluate;
import com.profilegrid.pipelines.state.StatePipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Labels that change with time alone ({@code within}, {@code olderThan}): each profile whose labels could change by
 * time has a timer in the {@code label_due} table, set by the profile job. Every sweep interval, each node reads the
 * timers due and takes those of the profiles its member owns: the profile's labels are evaluated again on its
 * partition ({@link Reevaluate}, cause {@code due:<ms>}), what changed is recorded with its firings like a step's
 * changes, the readers' profile is updated, and the timer is set to the profile's next instant (or removed). Timers
 * per due profile, not a scan of every profile; a label changes at most one sweep interval after it becomes true or
 * false.
 */
public final class LabelTimers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LabelTimers.class);
    private static final int PAGE = 500;

    private final HazelcastInstance member;
    private final Firings firings;
    private final ChangeLog recorder;
    private final Clock clock;
    private final ScheduledExecutorService sweeper = com.profilegrid.node.support.Daemons.scheduler("profilegrid-label-timers");

    public LabelTimers(HazelcastInstance member, Firings firings, ChangeLog recorder, Clock clock, Duration interval) {
        this.member = member;
        this.firings = firings;
        this.recorder = recorder;
        this.clock = clock;
        sweeper.scheduleWithFixedDelay(this::sweepLogged, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sweepLogged() {
        try {
            sweep();
        } catch (RuntimeException e) {
            if (member.getLifecycleService().isRunning()) {
                LOG.warn("Label timers could not be swept (trying again at the next sweep): {}", e.toString());
            }
        }
    }

    /** One sweep: the due timers of the profiles this member owns, page by page. */
    void sweep() {
        ActiveGenerations generations = ActiveGenerations.of(member);
        StorePrefetch prefetch = StorePrefetch.of(member);
        List<Firings.Due> due;
        int pages = 0;
        do {
            due = firings.due(clock.instant(), PAGE);
            int taken = 0;
            for (Firings.Due timer : due) {
                ProfileKey key = new ProfileKey(timer.project(), timer.profileId());
                if (!member.getPartitionService().getPartition(key).getOwner().localMember()) {
                    continue;
                }
                taken++;
                Generation generation = generations == null ? null : generations.active(timer.project());
                generation = generation != null ? generation : Generation.active(member, timer.project());
                IMap<ProfileKey, ProfileState> states = member.getMap(StatePipeline.Maps.statesMap(generation));
                Reevaluate.Result result;
                // a due profile is often only on the database: its row is read here, not on a partition thread
                Runnable forget = prefetch == null ? () -> { }
                        : prefetch.readAheadCold(states, List.of(key), new HashMap<>());
                try {
                    result = states.executeOnKey(key, new Reevaluate(timer.dueMs()));
                } finally {
                    forget.run();
                }
                if (!result.changeList().isEmpty()) {
                    recorder.record(generation.number(), List.of(new ChangeLog.ProfileChanges(key, result.profile(),
                            result.changeList(), -1)));
                    // the readers' copy is a cache of the state: dropped, the next read loads the new labels
                    NearCacheInvalidation.delete(member.getMap(generation.profilesMap()), key);
                }
                firings.rescheduled(timer, result.next());
            }
            // a page of other members' timers only is left to them
            if (taken == 0) {
                return;
            }
        } while (due.size() == PAGE && ++pages < 100);
    }

    @Override
    public void close() {
        com.profilegrid.node.support.Daemons.stop(sweeper);
    }
}
