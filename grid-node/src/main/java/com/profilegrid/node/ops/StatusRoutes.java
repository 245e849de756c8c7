package com.profilegrid.node.ops;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code GET /metrics}: the node's metrics in Prometheus' text format, unauthenticated like {@code /health} (the node
 * binds to its chosen interface; put it behind the same network rules as the Hazelcast port).
 * {@code GET /admin/status} (admin token): the cluster at a glance, for {@code bin/profilegrid status}: members with
 * each one's spool, write-behind backlog and heap, partition safety and migrations in flight, the cluster state, the
 * jobs, the pipeline lag per generation, dead letters, firings and safe mode.
 * {@code POST /admin/reconcile} ({@code ?project=}: one project's): see {@link Reconcile}.
 */
public final class StatusRoutes {

    private static final long MEMBER_TIMEOUT_SECONDS = 3;

    private final HazelcastInstance member;
    private final ClusterFigures figures;
    private final NodeMetrics metrics;
    private final Reconcile reconcile;

    public StatusRoutes(HazelcastInstance member, ClusterFigures figures, NodeMetrics metrics, Reconcile reconcile) {
        this.reconcile = reconcile;
        this.member = member;
        this.figures = figures;
        this.metrics = metrics;
    }

    public void register(RoutesConfig routes) {
        registerMetrics(routes, metrics);
        routes.get("/admin/status", this::status);
        routes.post("/admin/reconcile", ctx -> ctx.json(reconcile.run(ctx.queryParam("project"))));
    }

    /** {@code GET /metrics} alone, as a tracking node (which has no cluster to report on) serves it. */
    public static void registerMetrics(RoutesConfig routes, NodeMetrics metrics) {
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    }

    private void status(Context ctx) {
        ctx.json(report());
    }

    /** The status report (see the class comment); {@code clusterSafe} false makes the CLI exit non-zero. */
    public Map<String, Object> report() {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("cluster", member.getConfig().getClusterName());
        report.put("clusterState", member.getCluster().getClusterState().name());
        report.put("clusterSafe", member.getPartitionService().isClusterSafe());
        report.put("migrationsInFlight", figures.migrationsInFlight());
        List<Map<String, Object>> members = new ArrayList<>();
        Map<String, Object> spool = new LinkedHashMap<>();
        long writeBehind = 0;
        Map<Member, Future<Map<String, Object>>> answers = member.getExecutorService(PipelineLag.EXECUTOR)
                .submitToAllMembers(new LocalFigures());
        for (Member each : member.getCluster().getMembers()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("address", each.getAddress().toString());
            row.put("uuid", each.getUuid().toString());
            row.put("local", each.localMember());
            Future<Map<String, Object>> answer = answers.get(each);
            try {
                Map<String, Object> node = answer.get(MEMBER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                node.remove("member");
                row.putAll(node);
                row.put("answering", true);
                spool.put(each.getAddress().toString(), node.get("spoolBytes"));
                writeBehind += ((Number) node.getOrDefault("writeBehindQueued", 0L)).longValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                row.put("answering", false);
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                row.put("answering", false);
                row.put("error", "no answer within " + MEMBER_TIMEOUT_SECONDS + " s");
            }
            members.add(row);
        }
        report.put("members", members);
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (Job job : member.getJet().getJobs()) {
            if (job.getName() == null || job.getStatus().isTerminal()) {
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", job.getName());
            row.put("status", job.getStatus().name());
            row.put("submitted", Instant.ofEpochMilli(job.getSubmissionTime()).toString());
            jobs.add(row);
        }
        report.put("jobs", jobs);
        ClusterFigures.Snapshot snapshot;
        try {
            snapshot = figures.refresh();
        } catch (SQLException | RuntimeException e) {
            snapshot = figures.last();
            report.put("figuresError", "could not measure now (" + e.getMessage() + "); figures from "
                    + (snapshot.measuredMs() == 0 ? "never" : Instant.ofEpochMilli(snapshot.measuredMs()).toString()));
        }
        Map<String, Object> lag = new LinkedHashMap<>();
        snapshot.lag().forEach((job, value) -> lag.put(job, Map.of("events", value.events(),
                "oldestAgeSeconds", value.oldestAgeSeconds())));
        report.put("lag", lag);
        report.put("spool", spool);
        report.put("writeBehind", writeBehind);
        report.put("deadLetters", snapshot.deadLetters());
        report.put("profiles", Map.of("inMemory", snapshot.profilesInMemory(),
                "onDatabaseOnly", snapshot.profilesOnDatabaseOnly()));
        report.put("firings", snapshot.firings());
        Map<String, Object> safeMode = new LinkedHashMap<>();
        safeMode.put("enabled", snapshot.safeMode().enabled());
        safeMode.put("since", snapshot.safeMode().enabled() ? snapshot.safeMode().since().toString() : null);
        safeMode.put("reason", snapshot.safeMode().enabled() ? snapshot.safeMode().reason() : null);
        safeMode.put("deferred", snapshot.safeMode().deferred());
        report.put("safeMode", safeMode);
        return report;
    }

}
