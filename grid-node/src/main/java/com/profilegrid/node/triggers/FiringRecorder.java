package com.profilegrid.node.triggers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.model.Generation;
import com.profilegrid.node.http.ProfileRoutes;
import com.profilegrid.node.support.JsonText;
import com.profilegrid.pipelines.rules.Change;
import com.profilegrid.pipelines.rules.ChangeLog;
import com.profilegrid.pipelines.rules.RuleBook;
import com.profilegrid.pipelines.rules.Trigger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The node's {@link ChangeLog}: records the label changes the profile job found, decides the firings they cause (the
 * member's triggers, {@link RuleBook}), and writes both before anything is delivered ({@link Firings}), then hands the
 * new firings to the node's delivery (leased to it as they were written) or wakes it to claim them. Only the job of
 * the generation readers use records: a rebuild's job, replaying the log into a new generation, fires nothing for
 * causes it meets before it becomes the readers' (the live job records those).
 */
public final class FiringRecorder implements ChangeLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Firings firings;
    private final RuleBook rules;
    private final Function<String, Generation> activeGeneration;
    private final Clock clock;
    private final Delivery delivery;
    private final io.micrometer.core.instrument.Counter entered;
    private final io.micrometer.core.instrument.Counter exited;

    /** The node's delivery, as the recorder meets it. */
    public interface Delivery {
        /** The lease new firings take, to be handed over as recorded ({@code null}: none; they wait for a claim). */
        Firings.Lease lease();

        /** Firings recorded with {@link #lease()}, committed: to attempt. */
        void leased(List<Firings.Claimed> firings);

        /** Firings are pending in the table that no lease took: claim them now. */
        void wake();
    }

    /**
     * @param activeGeneration the generation readers of a project use ({@code null}: not known yet, record)
     * @param wake             called once new firings are pending
     */
    public FiringRecorder(Firings firings, RuleBook rules, Function<String, Generation> activeGeneration, Clock clock,
                          Runnable wake, io.micrometer.core.instrument.MeterRegistry metrics) {
        this(firings, rules, activeGeneration, clock, new Delivery() {
            @Override
            public Firings.Lease lease() {
                return null;
            }

            @Override
            public void leased(List<Firings.Claimed> firings) {
                throw new IllegalStateException("no lease was given");
            }

            @Override
            public void wake() {
                wake.run();
            }
        }, metrics);
    }

    /**
     * @param activeGeneration the generation readers of a project use ({@code null}: not known yet, record)
     * @param delivery         given the firings recorded with its lease, woken for those recorded without
     */
    public FiringRecorder(Firings firings, RuleBook rules, Function<String, Generation> activeGeneration, Clock clock,
                          Delivery delivery, io.micrometer.core.instrument.MeterRegistry metrics) {
        this.entered = labelChanges(metrics, "entered");
        this.exited = labelChanges(metrics, "exited");
        this.firings = firings;
        this.rules = rules;
        this.activeGeneration = activeGeneration;
        this.clock = clock;
        this.delivery = delivery;
    }

    /**
     * Label entries or exits this node recorded (a change a replay meets again after a failure may be counted again;
     * the {@code label_changes} table holds each once).
     */
    private static io.micrometer.core.instrument.Counter labelChanges(io.micrometer.core.instrument.MeterRegistry metrics,
                                                                      String kind) {
        return io.micrometer.core.instrument.Counter.builder("profilegrid.label.changes")
                .description("Label entries and exits recorded by this node, by kind")
                .tag("kind", kind).register(metrics);
    }

    @Override
    public void record(int generation, List<ProfileChanges> batch) {
        Instant now = clock.instant();
        List<Firings.NewChanges> changes = new ArrayList<>();
        int enteredCount = 0;
        int exitedCount = 0;
        List<Firings.NewFiring> fired = new ArrayList<>();
        List<Firings.Due> dues = new ArrayList<>();
        for (ProfileChanges profile : batch) {
            String project = profile.key().project();
            Generation active = activeGeneration.apply(project);
            if (active != null && active.number() != generation) {
                continue;
            }
            String profileId = profile.key().profileId();
            if (profile.due() >= 0) {
                dues.add(new Firings.Due(project, profileId, profile.due()));
            }
            // a profile's label changes, one row per cause
            Map<String, Labels> byCause = new LinkedHashMap<>();
            // the profile as every webhook body of this step shows it, made once however many triggers fire
            String shown = null;
            for (Change change : profile.changes()) {
                if (change.kind() != Change.Kind.EVENT) {
                    Labels labels = byCause.computeIfAbsent(change.cause(), cause -> new Labels());
                    if (change.kind() == Change.Kind.ENTERED) {
                        labels.entered.add(change.name());
                        enteredCount++;
                    } else {
                        labels.exited.add(change.name());
                        exitedCount++;
                    }
                }
                for (Trigger trigger : rules.fired(project, change)) {
                    String firingId = change.firingId(trigger.name(), project, profileId);
                    if (shown == null) {
                        shown = profile.profile() == null ? "null" : ProfileRoutes.render(profile.profile());
                    }
                    fired.add(new Firings.NewFiring(firingId, project, trigger.name(), profileId, causeType(change),
                            causeName(trigger, change), change.cause(), WebhookDelivery.destination(trigger.webhook().url()),
                            body(firingId, trigger, profile, shown, change, now)));
                }
            }
            byCause.forEach((cause, labels) -> {
                String in = names(labels.entered);
                String out = names(labels.exited);
                changes.add(new Firings.NewChanges(Change.changesId(project, profileId, cause, in, out), project,
                        profileId, cause, in, out));
            });
        }
        if (changes.isEmpty() && fired.isEmpty() && dues.isEmpty()) {
            return;
        }
        Firings.Recorded recorded = firings.record(changes, fired, dues, now, fired.isEmpty() ? null : delivery.lease());
        if (!recorded.leased().isEmpty()) {
            delivery.leased(recorded.leased());
        }
        if (recorded.pending() > recorded.leased().size()) {
            delivery.wake();
        }
        entered.increment(enteredCount);
        exited.increment(exitedCount);
    }

    /** The labels one cause made a profile enter and exit, sorted. */
    private record Labels(TreeSet<String> entered, TreeSet<String> exited) {
        Labels() {
            this(new TreeSet<>(), new TreeSet<>());
        }
    }

    /** Label names as a row holds them: sorted, space-separated ({@code null}: none). */
    private static String names(TreeSet<String> names) {
        return names.isEmpty() ? null : String.join(" ", names);
    }

    private static String causeType(Change change) {
        return switch (change.kind()) {
            case ENTERED -> "labelEntered";
            case EXITED -> "labelExited";
            case EVENT -> "event";
        };
    }

    /** The label entered or exited, or the event's name. */
    private static String causeName(Trigger trigger, Change change) {
        return trigger.on() instanceof Trigger.OnEvent on ? on.event() : change.name();
    }

    /**
     * The JSON a webhook receives, the same at every attempt: the firing, its cause, and the profile as {@code shown}
     * (JSON text, written as it is).
     */
    private static String body(String firingId, Trigger trigger, ProfileChanges profile, String shown, Change change,
                               Instant now) {
        return JsonText.of(JSON, shown.length() + 512, body -> {
            body.writeStartObject();
            body.writeStringField("firingId", firingId);
            body.writeStringField("trigger", trigger.name());
            body.writeStringField("project", profile.key().project());
            body.writeStringField("profileId", profile.key().profileId());
            body.writeObjectFieldStart("cause");
            body.writeStringField("type", causeType(change));
            body.writeStringField(change.kind() == Change.Kind.EVENT ? "event" : "label", causeName(trigger, change));
            if (change.cause().startsWith("event:")) {
                body.writeStringField("messageId", change.cause().substring("event:".length()));
            } else {
                body.writeStringField("reason", change.cause());
            }
            body.writeEndObject();
            body.writeStringField("firedAt", now.toString());
            body.writeFieldName("profile");
            body.writeRawValue(shown);
            body.writeEndObject();
        });
    }
}
