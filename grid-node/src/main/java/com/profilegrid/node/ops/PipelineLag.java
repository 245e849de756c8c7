package com.profilegrid.node.ops;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.profilegrid.model.Generation;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.node.rebuild.AppliedPositions;
import com.profilegrid.node.support.CostBoundedFigure;
import com.profilegrid.pipelines.profile.DurableProgress;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How far each live generation's profile job is behind the tracking log: the events in the log it has not applied yet,
 * and how long ago the oldest of them arrived. Applied means what the job's source processors on every member report
 * applied, or, for a shard none has read since it started, the job's stored position.
 *
 * <p>The log's end per shard is one index lookup ({@code MAX(seq)} of the shard); a closed shard's end never moves
 * and is kept. For the shared generation the lag is counted in positions (each shard's positions are dense); for a
 * project's own generation, whose job reads that project's events only, the events are counted, as often as that
 * count's cost allows ({@link CostBoundedFigure}: a count that takes a second is made again a minute later).
 */
public final class PipelineLag {

    static final String EXECUTOR = "profilegrid-ops";
    private static final long ASK_TIMEOUT_SECONDS = 2;

    /** One generation's lag. */
    public record Lag(long events, double oldestAgeSeconds) {
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final Map<Long, Long> closedEnds = new ConcurrentHashMap<>();
    /** Per job of a project's own generation, its count of events behind ({@link CostBoundedFigure}). */
    private final Map<String, CostBoundedFigure<Long>> projectCounts = new ConcurrentHashMap<>();

    public PipelineLag(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** The lag of every live generation, by job name. */
    public Map<String, Lag> measure(HazelcastInstance member) throws SQLException {
        Map<String, Lag> lags = new LinkedHashMap<>();
        Map<Generation, String> live = ProfileJob.live(member);
        projectCounts.keySet().retainAll(live.keySet().stream().map(Generation::jobName).toList());
        try (Connection connection = dataSource.getConnection()) {
            Map<Long, Long> ends = ends(connection);
            for (Map.Entry<Generation, String> generation : live.entrySet()) {
                String job = generation.getKey().jobName();
                lags.put(job, lag(connection, job, ends, applied(member, job), generation.getValue()));
            }
        }
        return lags;
    }

    private Lag lag(Connection connection, String job, Map<Long, Long> ends, Map<Long, Long> applied, String project)
            throws SQLException {
        long events = 0;
        long oldestMs = Long.MAX_VALUE;
        if (project != null) {
            // a count of the project's rows past the job's positions reads every row behind it: while a project's
            // rebuild starts from the log's beginning, all of its rows, so it is measured only as often as it costs
            events = projectCounts.computeIfAbsent(job, name -> new CostBoundedFigure<Long>())
                    .get(() -> count(connection, ends, applied, project));
        }
        for (Map.Entry<Long, Long> end : ends.entrySet()) {
            long shard = end.getKey();
            long from = applied.getOrDefault(shard, 0L);
            if (end.getValue() <= from) {
                continue;
            }
            if (project == null) {
                events += end.getValue() - from;
            }
            try (PreparedStatement first = connection.prepareStatement("SELECT received_ms FROM tracking_log "
                    + "WHERE shard = ? AND seq > ?" + (project == null ? "" : " AND project = ?") + " ORDER BY seq LIMIT 1")) {
                first.setLong(1, shard);
                first.setLong(2, from);
                if (project != null) {
                    first.setString(3, project);
                }
                try (ResultSet row = first.executeQuery()) {
                    if (row.next()) {
                        oldestMs = Math.min(oldestMs, row.getLong(1));
                    }
                }
            }
        }
        double age = oldestMs == Long.MAX_VALUE ? 0 : Math.max(0, clock.millis() - oldestMs) / 1000.0;
        return new Lag(events, age);
    }

    /** The project's events past the job's positions, every shard. */
    private static long count(Connection connection, Map<Long, Long> ends, Map<Long, Long> applied, String project)
            throws SQLException {
        long events = 0;
        for (Map.Entry<Long, Long> end : ends.entrySet()) {
            long from = applied.getOrDefault(end.getKey(), 0L);
            if (end.getValue() > from) {
                events += count(connection, end.getKey(), from, project);
            }
        }
        return events;
    }

    private static long count(Connection connection, long shard, long from, String project) throws SQLException {
        try (PreparedStatement count = connection.prepareStatement(
                "SELECT COUNT(*) FROM tracking_log WHERE shard = ? AND seq > ? AND project = ?")) {
            count.setLong(1, shard);
            count.setLong(2, from);
            count.setString(3, project);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** The last position of every shard that holds events. */
    private Map<Long, Long> ends(Connection connection) throws SQLException {
        Map<Long, Boolean> shards = new LinkedHashMap<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT shard, closed_ms FROM log_shards");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                long shard = rows.getLong(1);
                rows.getLong(2);
                shards.put(shard, !rows.wasNull());
            }
        }
        Map<Long, Long> ends = new HashMap<>();
        try (PreparedStatement max = connection.prepareStatement("SELECT MAX(seq) FROM tracking_log WHERE shard = ?")) {
            for (Map.Entry<Long, Boolean> shard : shards.entrySet()) {
                Long known = closedEnds.get(shard.getKey());
                if (known == null) {
                    max.setLong(1, shard.getKey());
                    try (ResultSet row = max.executeQuery()) {
                        row.next();
                        known = row.getLong(1);
                    }
                    if (shard.getValue()) {
                        closedEnds.put(shard.getKey(), known);
                    }
                }
                if (known > 0) {
                    ends.put(shard.getKey(), known);
                }
            }
        }
        return ends;
    }

    /** The highest applied position per shard: every member's processors' reports, then the stored positions. */
    private static Map<Long, Long> applied(HazelcastInstance member, String job) {
        Map<Long, Long> applied = new HashMap<>(DurableProgress.of(member).positions(job));
        Map<Member, Future<Map<Long, Long>>> answers = member.getExecutorService(EXECUTOR)
                .submitToAllMembers(new AppliedPositions(job));
        for (Future<Map<Long, Long>> answer : answers.values()) {
            try {
                answer.get(ASK_TIMEOUT_SECONDS, TimeUnit.SECONDS).forEach((shard, seq) -> applied.merge(shard, seq, Math::max));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // a member that does not answer counts with its stored positions: the lag shown is at most too high
            }
        }
        return applied;
    }
}
