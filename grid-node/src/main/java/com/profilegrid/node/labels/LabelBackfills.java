package com.profilegrid.node.labels;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.store.ProfileStoreException;
import com.profilegrid.node.store.StorePrefetch;
import com.profilegrid.node.store.Transactions;
import com.profilegrid.pipelines.rules.ChangeLog;
import com.profilegrid.pipelines.rules.LabelDefinition;
import com.profilegrid.pipelines.state.NearCacheInvalidation;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.Reevaluate;
import com.profilegrid.pipelines.state.StatePipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A new or changed label evaluated over every existing profile of its project, those only in the database included,
 * while ingest goes on: the node that accepted the label flushes the profile state's write-behind (so the table holds
 * every profile made so far; later ones are evaluated by their own steps), then pages through the project's profiles
 * in the table, 500 at a time, and evaluates the label alone on each one's partition ({@link Reevaluate#backfill},
 * which loads a profile not in memory). What changes is recorded like a step's changes, caused by
 * {@code backfill:<label>@<updated>}: triggers act on it only with {@code "onBackfill": true}. Progress (state, done,
 * total) is kept per label in the {@link #MAP} map and shown by {@code GET .../labels/{name}}; a backfill whose node
 * left the cluster shows as interrupted, and a {@code PUT} of the label runs it again.
 */
public final class LabelBackfills implements AutoCloseable {

    /** The progress of each label's last backfill, by {@code project␟name}, as JSON. */
    public static final String MAP = "label-backfills";
    private static final Logger LOG = LoggerFactory.getLogger(LabelBackfills.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 500;

    private final HazelcastInstance member;
    private final DataSource dataSource;
    private final ChangeLog recorder;
    private final Clock clock;
    private final IMap<String, String> progress;
    private final ExecutorService runs = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "profilegrid-label-backfill");
        thread.setDaemon(true);
        return thread;
    });

    public LabelBackfills(HazelcastInstance member, DataSource dataSource, ChangeLog recorder, Clock clock) {
        this.member = member;
        this.dataSource = dataSource;
        this.recorder = recorder;
        this.clock = clock;
        this.progress = member.getMap(MAP);
    }

    /** Starts evaluating {@code label} over its project's profiles (in the background; one backfill at a time). */
    public void start(LabelDefinition label) {
        String key = com.profilegrid.model.GridMaps.projectKey(label.project(), label.name());
        progress.set(key, view("queued", 0, -1, label, null));
        runs.submit(() -> {
            try {
                run(key, label);
            } catch (RuntimeException e) {
                LOG.warn("The backfill of label {} of project {} failed: {}", label.name(), label.project(), e.toString());
                progress.set(key, view("failed", 0, -1, label, e.toString()));
            }
        });
    }

    /**
     * The progress of {@code label}'s last backfill: state ({@code queued}, {@code backfilling}, {@code done},
     * {@code failed}, {@code interrupted}), profiles done and total; {@code null} when it never had one.
     */
    public ObjectNode progressOf(LabelDefinition label) {
        String stored = progress.get(com.profilegrid.model.GridMaps.projectKey(label.project(), label.name()));
        if (stored == null) {
            return null;
        }
        try {
            ObjectNode view = (ObjectNode) JSON.readTree(stored);
            if (view.path("updated").asLong() != label.updated().toEpochMilli()) {
                return null; // a backfill of an earlier rule
            }
            boolean running = view.path("state").asText().equals("backfilling") || view.path("state").asText().equals("queued");
            if (running && member.getCluster().getMembers().stream().map(Member::getUuid).map(Object::toString)
                    .noneMatch(view.path("member").asText()::equals)) {
                view.put("state", "interrupted");
            }
            view.remove("member");
            view.remove("updated");
            return view;
        } catch (Exception e) {
            return null;
        }
    }

    private void run(String key, LabelDefinition label) {
        Generation generation = Generation.active(member, label.project());
        StatePipeline.Maps.flushState(member, generation);
        long total = count(label.project());
        IMap<ProfileKey, ProfileState> states = member.getMap(StatePipeline.Maps.statesMap(generation));
        IMap<ProfileKey, Profile> profiles = member.getMap(generation.profilesMap());
        Reevaluate step = Reevaluate.backfill(label.name(), label.rule(), label.updated().toEpochMilli());
        long done = 0;
        String after = "";
        progress.set(key, view("backfilling", 0, total, label, null));
        while (true) {
            List<String> ids = page(label.project(), after);
            if (ids.isEmpty()) {
                break;
            }
            Set<ProfileKey> keys = new LinkedHashSet<>();
            ids.forEach(id -> keys.add(new ProfileKey(label.project(), id)));
            // most of a page is usually only on the database: this member's rows of it are read here in one query,
            // not by the state map's loads on the partition threads
            StorePrefetch prefetch = StorePrefetch.of(member);
            Runnable forget = prefetch == null ? () -> { } : prefetch.readAhead(states.getName(), keys);
            Map<ProfileKey, Reevaluate.Result> results;
            try {
                results = states.executeOnKeys(keys, step);
            } finally {
                forget.run();
            }
            List<ChangeLog.ProfileChanges> changed = new ArrayList<>();
            results.forEach((profileKey, result) -> {
                if (result != null && result.profile() != null && (result.changes().length > 0 || result.next() >= 0)) {
                    changed.add(new ChangeLog.ProfileChanges(profileKey, result.profile(), result.changeList(),
                            result.next()));
                    if (result.changes().length > 0) {
                        // a read loads the new labels from the state
                        NearCacheInvalidation.delete(profiles, profileKey);
                    }
                }
            });
            if (!changed.isEmpty()) {
                recorder.record(generation.number(), changed);
            }
            done += ids.size();
            after = ids.get(ids.size() - 1);
            progress.set(key, view("backfilling", done, Math.max(total, done), label, null));
        }
        progress.set(key, view("done", done, done, label, null));
        LOG.info("Label {} of project {} evaluated over {} profile(s)", label.name(), label.project(), done);
    }

    private String view(String state, long done, long total, LabelDefinition label, String error) {
        ObjectNode view = JSON.createObjectNode().put("state", state).put("done", done);
        if (total >= 0) {
            view.put("total", total);
        }
        view.put("at", clock.instant().toString()).put("updated", label.updated().toEpochMilli())
                .put("member", member.getCluster().getLocalMember().getUuid().toString());
        if (error != null) {
            view.put("error", error);
        }
        return view.toString();
    }

    private long count(String project) {
        try {
            return Transactions.autoCommit(dataSource, connection -> {
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT COUNT(*) FROM current_profiles WHERE project = ?")) {
                    select.setString(1, project);
                    try (ResultSet row = select.executeQuery()) {
                        return row.next() ? row.getLong(1) : 0L;
                    }
                }
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot count the profiles of project " + project, e);
        }
    }

    private List<String> page(String project, String after) {
        try {
            return Transactions.autoCommit(dataSource, connection -> {
                try (PreparedStatement select = connection.prepareStatement("SELECT profile_id FROM current_profiles "
                        + "WHERE project = ? AND profile_id > ? ORDER BY profile_id LIMIT " + PAGE)) {
                    select.setString(1, project);
                    select.setString(2, after);
                    List<String> ids = new ArrayList<>(PAGE);
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            ids.add(rows.getString(1));
                        }
                    }
                    return ids;
                }
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot read the profiles of project " + project, e);
        }
    }

    @Override
    public void close() {
        com.profilegrid.node.support.Daemons.stop(runs);
    }
}
