package com.profilegrid.bench;

import com.profilegrid.model.EventType;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.rules.LabelDefinition;
import com.profilegrid.pipelines.rules.RuleBook;
import com.profilegrid.pipelines.rules.TriggerDefinition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code profilegrid-bench rule-steps}: the CPU the rules add to one profile step, on one thread, without a cluster:
 * what the profile step asks the member's rule book (the labels the profile is in, the changes and event triggers of
 * the step, the next timer), with the rules benchmark's labels and triggers, for a profile seen on one visit and on
 * many. The rules benchmark measures the same cost inside the whole node, beside everything else it does.
 */
@Command(name = "rule-steps", mixinStandardHelpOptions = true,
        description = "Microseconds of CPU the labels and triggers add to a profile step, on one thread.")
public final class RuleStepsBenchmark implements Callable<Integer> {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    @Option(names = "--labels", defaultValue = "100", description = "Labels of the project (default: ${DEFAULT-VALUE}).")
    int labels;

    @Option(names = "--triggers", defaultValue = "20", description = "Webhook triggers (default: ${DEFAULT-VALUE}).")
    int triggers;

    @Option(names = "--visits", split = ",", defaultValue = "1,20",
            description = "Visits of the profile stepped, one run each (default: ${DEFAULT-VALUE}).")
    List<Integer> visits;

    @Option(names = "--seconds", defaultValue = "5", description = "Seconds per run, after as long a warm-up (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Override
    public Integer call() {
        RuleBook book = book();
        for (int visitCount : visits) {
            List<TrackingEvent> events = events(visitCount);
            ProfileFold fold = new ProfileFold(FoldSettings.DEFAULTS);
            Profile profile = Profile.empty(new ProfileKey("acme", "user:u1"));
            for (TrackingEvent event : events) {
                profile = book.evaluate(fold.apply(profile, event));
            }
            // the step of a visitor's next event: its fold is done; the rules are asked what the profile step asks
            Profile before = profile;
            TrackingEvent next = event("next", NOW);
            Profile folded = fold.apply(before, next);
            step(book, before, folded, next, Duration.ofSeconds(seconds));
            double micros = step(book, before, folded, next, Duration.ofSeconds(seconds));
            System.out.printf("rules of %d labels and %d triggers, profile of %d visit(s) in %d label(s): %.2f us per "
                    + "profile step%n", labels, triggers, visitCount, before.labels().size(), micros);
        }
        return 0;
    }

    /** Steps for {@code duration}: the microseconds of one step. */
    private static double step(RuleBook book, Profile before, Profile folded, TrackingEvent event, Duration duration) {
        long steps = 0;
        long sink = 0;
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        do {
            for (int i = 0; i < 1_000; i++) {
                Profile after = book.evaluate(folded);
                sink += book.changes(before, after, event, "event:next").size() + book.dueToRecord(before, after);
            }
            steps += 1_000;
        } while (System.nanoTime() < end);
        if (sink == Long.MIN_VALUE) {
            System.out.println(); // keeps the work from being optimized away
        }
        return (System.nanoTime() - start) / 1e3 / steps;
    }

    private RuleBook book() {
        RuleBook book = new RuleBook(Duration.ofDays(90), Clock.fixed(NOW, ZoneOffset.UTC));
        for (int i = 0; i < labels; i++) {
            book.accept(new LabelDefinition("acme", "label-" + i, BenchmarkRules.labelRule(i), NOW, NOW));
        }
        for (int t = 0; t < triggers; t++) {
            book.accept(new TriggerDefinition("acme", BenchmarkRules.triggerName(t), "{\"on\": "
                    + BenchmarkRules.triggerOn(t) + ", " + BenchmarkRules.webhook("http://127.0.0.1:9/hook") + "}", NOW,
                    NOW));
        }
        return book;
    }

    /** The load's events of one visitor, one an hour back from now: one visit each (the visit gap is 30 minutes). */
    private static List<TrackingEvent> events(int visits) {
        return java.util.stream.IntStream.range(0, visits).mapToObj(i -> event("m" + i, NOW.minusSeconds(3_600L * i)))
                .toList();
    }

    private static TrackingEvent event(String messageId, Instant at) {
        return new TrackingEvent("acme", messageId, EventType.TRACK, "Product Viewed", "anon-1", "user-1", null, null, at,
                NOW, SegmentLoad.PROPERTIES, "{}", "{}", "{}");
    }
}
