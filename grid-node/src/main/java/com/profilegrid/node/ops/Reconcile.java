package com.profilegrid.node.ops;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.StatePipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reconciliation ({@code POST /admin/reconcile}, {@code bin/profilegrid reconcile}): compares the persisted profiles
 * with the grid and the grid with the tracking log, and repairs what lags or was lost.
 * <ul>
 *   <li>Grid and table: every member compares each profile state it holds in memory with its row, by the versions of
 *       the raw ids it was folded from ({@code absorbed}). A row that is missing or behind, with no write queued for
 *       it (write-behind would store it anyway), was lost: for instance write-behind dropped when a member stopped
 *       with the database down. The state is written again (an entry processor marks it changed on its partition,
 *       in order with the pipeline's own writes, so a newer state is never overwritten by an older one), and the
 *       maps are flushed before the answer.</li>
 *   <li>Grid and log: each live generation's lag; a job that is missing or failed is started again from its stored
 *       positions.</li>
 * </ul>
 * What is only on the database is not compared here: the table is what the grid loads from.
 */
public final class Reconcile {

    private static final Logger LOG = LoggerFactory.getLogger(Reconcile.class);
    /** The key of the member's database access in its user context, for {@link MemberPart}. */
    public static final String USER_CONTEXT_KEY = "profilegrid.reconcile";
    private static final int BATCH = 500;
    private static final long MEMBER_TIMEOUT_MINUTES = 10;

    /** What a member needs to compare: the database. */
    public record Access(DataSource dataSource) {
    }

    private final HazelcastInstance member;
    private final DataSource dataSource;
    private final java.time.Clock clock;
    private final FoldSettings fold;

    public Reconcile(HazelcastInstance member, DataSource dataSource, java.time.Clock clock, FoldSettings fold) {
        this.member = member;
        this.dataSource = dataSource;
        this.clock = clock;
        this.fold = fold;
    }

    /** Reconciles every project's profiles ({@code project} null) or one project's, and tells what it found and did. */
    public Map<String, Object> run(String project) throws SQLException, InterruptedException {
        long started = System.nanoTime();
        Map<String, Long> totals = new LinkedHashMap<>();
        List<String> unanswered = new ArrayList<>();
        Map<Member, Future<Map<String, Long>>> answers = member.getExecutorService(PipelineLag.EXECUTOR)
                .submitToAllMembers(new MemberPart(project));
        for (Map.Entry<Member, Future<Map<String, Long>>> answer : answers.entrySet()) {
            try {
                answer.getValue().get(MEMBER_TIMEOUT_MINUTES, TimeUnit.MINUTES)
                        .forEach((name, value) -> totals.merge(name, value, Long::sum));
            } catch (ExecutionException | TimeoutException e) {
                unanswered.add(answer.getKey().getAddress() + ": " + (e.getCause() == null ? e : e.getCause()).toString());
            }
        }
        for (Generation generation : ProfileJob.live(member).keySet()) {
            StatePipeline.Maps.flushState(member, generation);
        }
        List<String> started0 = new ArrayList<>();
        ProfileJob.live(member).forEach((generation, owner) -> {
            com.hazelcast.jet.Job job = member.getJet().getJob(generation.jobName());
            if (job == null || job.getStatus() == com.hazelcast.jet.core.JobStatus.FAILED) {
                started0.add(generation.jobName());
            }
        });
        if (!started0.isEmpty()) {
            ProfileJob.ensureRunning(member, fold);
        }
        Map<String, Object> lag = new LinkedHashMap<>();
        new PipelineLag(dataSource, clock).measure(member).forEach((job, value) -> lag.put(job,
                Map.of("events", value.events(), "oldestAgeSeconds", value.oldestAgeSeconds())));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("project", project);
        report.put("checked", totals.getOrDefault("checked", 0L));
        report.put("missing", totals.getOrDefault("missing", 0L));
        report.put("behind", totals.getOrDefault("behind", 0L));
        // rows that differed only because their write was still queued (stored by the flush before a second look)
        report.put("pendingWrites", totals.getOrDefault("pendingWrites", 0L));
        report.put("repaired", totals.getOrDefault("missing", 0L) + totals.getOrDefault("behind", 0L));
        report.put("jobsStarted", started0);
        report.put("lag", lag);
        report.put("membersNotAnswering", unanswered);
        report.put("seconds", (System.nanoTime() - started) / 1e9);
        LOG.info("Reconciled {}: {} profile state(s) compared, {} row(s) missing and {} behind written again, jobs "
                        + "started again: {}", project == null ? "every project" : "project " + project,
                report.get("checked"), report.get("missing"), report.get("behind"), started0);
        return report;
    }

    /** On each member: compares the profile states it owns in memory with their rows, and writes again what lags. */
    static final class MemberPart implements Callable<Map<String, Long>>, HazelcastInstanceAware, Serializable {

        private static final long serialVersionUID = 1L;
        private static final ObjectMapper JSON = new ObjectMapper();
        private static final TypeReference<Map<String, Long>> VERSIONS = new TypeReference<>() { };
        private final String project;
        private transient HazelcastInstance member;

        MemberPart(String project) {
            this.project = project;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
            this.member = hazelcastInstance;
        }

        @Override
        public Map<String, Long> call() throws SQLException, IOException {
            Access access = (Access) member.getUserContext().get(USER_CONTEXT_KEY);
            Map<String, Long> counts = new HashMap<>();
            for (Generation generation : ProfileJob.live(member).keySet()) {
                IMap<ProfileKey, ProfileState> states = member.getMap(StatePipeline.Maps.statesMap(generation));
                List<ProfileKey> batch = new ArrayList<>();
                for (ProfileKey key : states.localKeySet()) {
                    if (project != null && !project.equals(key.project())) {
                        continue;
                    }
                    batch.add(key);
                    if (batch.size() == BATCH) {
                        compare(access.dataSource(), generation, states, batch, counts);
                        batch.clear();
                    }
                }
                compare(access.dataSource(), generation, states, batch, counts);
            }
            return counts;
        }

        /**
         * Compares {@code keys}' states with their rows; those that differ are looked at again after a flush (a write
         * that was only queued is stored by then), and those that still differ are written again.
         */
        private void compare(DataSource dataSource, Generation generation, IMap<ProfileKey, ProfileState> states,
                             List<ProfileKey> keys, Map<String, Long> counts) throws SQLException, IOException {
            if (keys.isEmpty()) {
                return;
            }
            Map<ProfileKey, String> kinds = differing(dataSource, generation, states, keys);
            counts.merge("checked", (long) keys.size(), Long::sum);
            if (kinds.isEmpty()) {
                return;
            }
            states.flush();
            Map<ProfileKey, String> still = differing(dataSource, generation, states, new ArrayList<>(kinds.keySet()));
            counts.merge("pendingWrites", (long) (kinds.size() - still.size()), Long::sum);
            for (Map.Entry<ProfileKey, String> lost : still.entrySet()) {
                states.executeOnKey(lost.getKey(), new WriteAgain());
                counts.merge(lost.getValue(), 1L, Long::sum);
            }
        }

        /** Those of {@code keys} whose row is {@code missing} or {@code behind} their state in memory. */
        private Map<ProfileKey, String> differing(DataSource dataSource, Generation generation,
                                                  IMap<ProfileKey, ProfileState> states, List<ProfileKey> keys)
                throws SQLException, IOException {
            Map<ProfileKey, String> rows = absorbed(dataSource, generation, keys);
            Map<ProfileKey, String> kinds = new HashMap<>();
            for (ProfileKey key : keys) {
                ProfileState state = states.get(key);
                if (state == null) {
                    continue; // removed meanwhile
                }
                String row = rows.get(key);
                if (row == null) {
                    kinds.put(key, "missing");
                } else if (!JSON.readValue(row, VERSIONS).equals(state.absorbed())) {
                    kinds.put(key, "behind");
                }
            }
            return kinds;
        }

        /** The {@code absorbed} column of the rows of {@code keys} in {@code generation} (absent: no row). */
        private static Map<ProfileKey, String> absorbed(DataSource dataSource, Generation generation,
                                                        List<ProfileKey> keys) throws SQLException {
            Map<ProfileKey, String> found = new HashMap<>();
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement select = connection.prepareStatement("SELECT t.project, t.profile_id, t.absorbed "
                         + "FROM UNNEST(?, ?) AS k(project, profile_id) JOIN profiles t ON t.project = k.project "
                         + "AND t.profile_id = k.profile_id AND t.generation = ?")) {
                select.setArray(1, connection.createArrayOf("VARCHAR", keys.stream().map(ProfileKey::project).toArray()));
                select.setArray(2, connection.createArrayOf("VARCHAR", keys.stream().map(ProfileKey::profileId).toArray()));
                select.setInt(3, generation.number());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        String absorbed = rows.getString(3);
                        found.put(new ProfileKey(rows.getString(1), rows.getString(2)), absorbed == null ? "{}" : absorbed);
                    }
                }
            }
            return found;
        }
    }

    /** Marks a profile state changed, as it is, so that write-behind stores it again (and its backup with it). */
    static final class WriteAgain implements EntryProcessor<ProfileKey, ProfileState, Boolean> {
        private static final long serialVersionUID = 1L;

        @Override
        public Boolean process(java.util.Map.Entry<ProfileKey, ProfileState> entry) {
            ProfileState state = entry.getValue();
            if (state == null) {
                return false;
            }
            entry.setValue(state);
            return true;
        }
    }
}
