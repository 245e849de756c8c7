package com.profilegrid.node.triggers;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.profilegrid.model.Generation;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.labels.LabelBackfills;
import com.profilegrid.node.store.Database;
import com.profilegrid.pipelines.rules.RuleBook;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * What {@link TriggerFaultTest} prints when its firings do not all arrive: each member's rules and job, the label
 * changes and firings the database holds by kind and state, and the threads, so that a failure seen once in CI says
 * at which step the firings stopped.
 */
final class TriggerFaultDiagnosis {

    private TriggerFaultDiagnosis() {
    }

    static void print(Database.Settings db, String project, List<NodeFixture> nodes) {
        StringBuilder out = new StringBuilder("TriggerFaultTest diagnosis\n");
        for (NodeFixture node : nodes) {
            HazelcastInstance member = node.node().member();
            RuleBook book = RuleBook.of(member);
            Job job = member.getJet().getJob(new Generation(0).jobName());
            out.append("member ").append(member.getCluster().getLocalMember()).append(": triggers ")
                    .append(book == null ? "no rule book" : book.triggersOf(project).keySet())
                    .append(", job ").append(job == null ? "missing" : job.getStatus()).append('\n');
        }
        if (!nodes.isEmpty()) {
            out.append("backfills: ").append(nodes.get(0).node().member().getMap(LabelBackfills.MAP).entrySet())
                    .append('\n');
        }
        try (Connection connection = TestDatabases.connect(db); Statement statement = connection.createStatement()) {
            query(statement, out, "SELECT entered, exited, split_part(cause, ':', 1) AS cause, count(*) FROM label_changes "
                    + "GROUP BY entered, exited, split_part(cause, ':', 1)");
            query(statement, out, "SELECT trigger_name, state, count(*), max(attempts), min(last_error) FROM firings "
                    + "GROUP BY trigger_name, state");
            query(statement, out, "SELECT name, rule, created_ms FROM labels");
            query(statement, out, "SELECT name, created_ms FROM triggers");
        } catch (SQLException e) {
            out.append("database: ").append(e).append('\n');
        }
        for (ThreadInfo thread : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            if (thread.getThreadName().contains("profilegrid") || thread.getThreadName().contains("jet")) {
                out.append(thread);
            }
        }
        System.err.println(out);
    }

    private static void query(Statement statement, StringBuilder out, String sql) throws SQLException {
        out.append(sql).append('\n');
        try (ResultSet rows = statement.executeQuery(sql)) {
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                out.append("  ");
                for (int i = 1; i <= columns; i++) {
                    out.append(i == 1 ? "" : " | ").append(rows.getString(i));
                }
                out.append('\n');
            }
        }
    }
}
