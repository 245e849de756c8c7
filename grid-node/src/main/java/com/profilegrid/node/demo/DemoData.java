package com.profilegrid.node.demo;

import com.hazelcast.map.IMap;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.PropertyValue;
import com.profilegrid.node.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
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
 * how many reached the database. Bounded: it stops by itself.
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
            Profile updated = visit(current == null ? Profile.empty(key) : current, clock.instant());
            profiles.set(key, updated);
            if (n % 10 == 0) {
                LOG.info("demo: {} visits={} events={} plan={} seen {}..{}", key, updated.visits(),
                        updated.eventCounts(), updated.properties().containsKey("plan")
                                ? updated.properties().get("plan").json() : "-",
                        updated.firstSeen(), updated.lastSeen());
            }
        } catch (RuntimeException e) {
            LOG.warn("demo: step failed", e);
        }
    }

    private Profile visit(Profile profile, Instant now) {
        String event = EVENTS.get(random.nextInt(EVENTS.size()));
        String messageId = UUID.randomUUID().toString();
        Profile updated = profile
                .withIdentities(profile.identities().withAnonymousId("anon-" + profile.profileId()))
                .withEventCounted(event, 1)
                .withSeenAt(now)
                .withVisits(profile.visits() + (random.nextInt(4) == 0 || profile.visits() == 0 ? 1 : 0));
        if (event.equals("Signed Up")) {
            updated = updated.withProperty("plan", new PropertyValue(PLANS.get(random.nextInt(PLANS.size())), now, messageId))
                    .withLabel("signed-up");
        }
        return updated;
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
