package com.profilegrid.node.demo;

import com.hazelcast.map.IMap;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
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
 * A small demo data set for a first look: {@value #VISITORS} visitors of project {@value #PROJECT} browse
 * for about {@value #UPDATES} steps (two a second), and the node logs profiles as they fill in, then
 * how many reached the database. Bounded: it stops by itself. The events are folded straight into the
 * profiles map with the profile fold (they do not enter the tracking log).
 */
public final class DemoData implements AutoCloseable {

    public static final String PROJECT = "demo";
    static final int VISITORS = 40;
    static final int UPDATES = 120;

    private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);
    private static final List<String> EVENTS = List.of("Page Viewed", "Page Viewed", "Product Viewed", "Added To Cart", "Signed Up");
    private static final List<String> PLANS = List.of("\"free\"", "\"pro\"", "\"team\"");

    private final IMap<ProfileKey, Profile> profiles;
    private final Database database;
    private final Clock clock;
    private final Random random = new Random(42);
    private final ProfileFold fold = new ProfileFold(FoldSettings.DEFAULTS);
    private final AtomicInteger step = new AtomicInteger();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "profilegrid-demo");
        thread.setDaemon(true);
        return thread;
    });

    private DemoData(IMap<ProfileKey, Profile> profiles, Database database, Clock clock) {
        this.profiles = profiles;
        this.database = database;
        this.clock = clock;
    }

    public static DemoData start(IMap<ProfileKey, Profile> profiles, Database database) {
        DemoData demo = new DemoData(profiles, database, Clock.systemUTC());
        LOG.info("demo: {} visitors of project '{}' start browsing", VISITORS, PROJECT);
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
            ProfileKey key = new ProfileKey(PROJECT, String.format("visitor-%02d", random.nextInt(VISITORS)));
            Profile current = profiles.get(key);
            // simulated time runs 10 minutes per step, so visits (30-minute inactivity gap) come and go
            Profile updated = fold.apply(current == null ? Profile.empty(key) : current,
                    event(key, clock.instant().plus(Duration.ofMinutes(10L * n))));
            profiles.set(key, updated);
            if (n % 10 == 0) {
                LOG.info("demo: {} visits={} events={} plan={} seen {}..{}", key, updated.visitCount(),
                        updated.eventCounts(), updated.properties().containsKey("plan")
                                ? updated.properties().get("plan").json() : "-",
                        updated.firstSeen(), updated.lastSeen());
            }
        } catch (RuntimeException e) {
            LOG.warn("demo: step failed", e);
        }
    }

    /** A browsing event of the visitor; signing up identifies them with a plan. */
    private TrackingEvent event(ProfileKey key, Instant at) {
        String name = EVENTS.get(random.nextInt(EVENTS.size()));
        boolean signUp = name.equals("Signed Up");
        return new TrackingEvent(PROJECT, UUID.randomUUID().toString(), signUp ? EventType.IDENTIFY : EventType.TRACK,
                signUp ? null : name, "anon-" + key.profileId(), null, null, null, at, at, "{}",
                signUp ? "{\"plan\":" + PLANS.get(random.nextInt(PLANS.size())) + "}" : "{}", "{}", "{}");
    }

    private void report() {
        profiles.flush();
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM profiles WHERE project = ?")) {
            count.setString(1, PROJECT);
            try (ResultSet result = count.executeQuery()) {
                result.next();
                LOG.info("demo: done. {} profiles in the grid, {} demo profiles persisted in the database",
                        profiles.size(), result.getLong(1));
            }
        } catch (SQLException e) {
            LOG.warn("demo: cannot count persisted profiles", e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
