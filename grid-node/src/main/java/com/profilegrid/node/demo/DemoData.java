package com.profilegrid.node.demo;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.EventType;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.ingest.Ingestor;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small demo data set for a first look: {@value #VISITORS} visitors of a {@code demo} project browse for
 * {@value #UPDATES} steps (two a second); some sign up and become known users. Their events take the real
 * path (durable tracking log, profile pipeline), and the node logs profiles as they fill in, then how many
 * reached the database. Bounded: it stops by itself.
 */
public final class DemoData implements AutoCloseable {

    static final int VISITORS = 40;
    static final int UPDATES = 120;

    private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);
    private static final List<String> EVENTS = List.of("Page Viewed", "Page Viewed", "Product Viewed", "Added To Cart", "Signed Up");
    private static final List<String> PLANS = List.of("free", "pro", "team");

    private final HazelcastInstance member;
    private final Ingestor ingestor;
    private final Database database;
    private final String project;
    private final Clock clock;
    private final Random random = new Random(42);
    private final AtomicInteger step = new AtomicInteger();
    private final ScheduledExecutorService scheduler = com.profilegrid.node.support.Daemons.scheduler("profilegrid-demo");

    private DemoData(HazelcastInstance member, Ingestor ingestor, Database database, String project, Clock clock) {
        this.member = member;
        this.ingestor = ingestor;
        this.database = database;
        this.project = project;
        this.clock = clock;
    }

    public static DemoData start(HazelcastInstance member, Ingestor ingestor, ProjectStore projects, Database database) {
        ProjectStore.Created created = projects.create("demo");
        DemoData demo = new DemoData(member, ingestor, database, created.projectId(), Clock.systemUTC());
        LOG.info("demo: project {} created (write key {}, read key {}); {} visitors start browsing", created.projectId(),
                created.writeKey(), created.readKey(), VISITORS);
        demo.scheduler.scheduleAtFixedRate(demo::step, 0, 500, TimeUnit.MILLISECONDS);
        return demo;
    }

    private void step() {
        try {
            int n = step.incrementAndGet();
            if (n > UPDATES) {
                report();
                scheduler.shutdown();
                return;
            }
            int visitor = random.nextInt(VISITORS);
            // simulated time runs 10 minutes per step, so visits (30-minute inactivity gap) come and go; it ends at the
            // present, so no demo event lies in the future
            ingestor.ingest(List.of(event(visitor, simulatedTime(clock.instant(), n))));
            if (n % 10 == 0) {
                Profile profile = profiles().get(new ProfileKey(project, visitor % 3 == 0
                        ? "user:user-" + visitor : "anon:visitor-" + visitor));
                if (profile != null) {
                    LOG.info("demo: {} visits={} events={} plan={} ids={}", profile.key(), profile.visitCount(),
                            profile.eventCounts(), profile.properties().containsKey("plan")
                                    ? profile.properties().get("plan").json() : "-", profile.identities());
                }
            }
        } catch (RuntimeException e) {
            if (scheduler.isShutdown()) { // the node is stopping: the step was interrupted, nothing failed
                LOG.debug("demo: step ended by the node stopping", e);
                return;
            }
            LOG.warn("demo: step failed", e);
        }
    }

    /** A browsing event of the visitor; a third of them sign up, which identifies them with a plan. */
    /** The event time of step {@code n}: 10 minutes per step, the last step at {@code now}. */
    static Instant simulatedTime(Instant now, int n) {
        return now.minus(Duration.ofMinutes(10L * (UPDATES - n)));
    }

    private TrackingEvent event(int visitor, Instant at) {
        String name = EVENTS.get(random.nextInt(EVENTS.size()));
        boolean signUp = name.equals("Signed Up") && visitor % 3 == 0;
        return new TrackingEvent(project, UUID.randomUUID().toString(), signUp ? EventType.IDENTIFY : EventType.TRACK,
                signUp ? null : name, "visitor-" + visitor, signUp ? "user-" + visitor : null, null, null, at, clock.instant(),
                "{}", signUp ? "{\"plan\":\"" + PLANS.get(random.nextInt(PLANS.size())) + "\"}" : "{}", "{}", "{}");
    }

    /** The profiles map of the demo project's active generation (a rebuild may switch it while the demo runs). */
    private IMap<ProfileKey, Profile> profiles() {
        return member.getMap(Generation.active(member, project).profilesMap());
    }

    private void report() {
        profiles().flush();
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM current_profiles WHERE project = ?")) {
            count.setString(1, project);
            try (ResultSet result = count.executeQuery()) {
                result.next();
                LOG.info("demo: done. {} profiles of project {} persisted in the database", result.getLong(1), project);
            }
        } catch (SQLException e) {
            LOG.warn("demo: cannot count persisted profiles", e);
        }
    }

    @Override
    public void close() {
        com.profilegrid.node.support.Daemons.stop(scheduler);
    }
}
