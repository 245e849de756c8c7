package com.profilegrid.pipelines.rules;

import com.profilegrid.model.Profile;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * A trigger of a project, read ({@link TriggerParser}): when it fires and where its firings go. Pure: whether a
 * change fires it is a function of the change (and, for an event trigger, of the event and the profile after it).
 *
 * @param project    the project
 * @param name       its name (as a label's: {@link LabelDefinition#NAME})
 * @param on         what fires it
 * @param webhook    where a firing is delivered
 * @param onBackfill whether changes a label's backfill finds fire it (default: no)
 */
public record Trigger(String project, String name, On on, Webhook webhook, boolean onBackfill) {

    public Trigger {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(on, "on");
        Objects.requireNonNull(webhook, "webhook");
    }

    /** What fires a trigger. */
    public sealed interface On permits LabelEntered, LabelExited, OnEvent {
    }

    /** A profile entered the label. */
    public record LabelEntered(String label) implements On {
    }

    /** A profile exited the label. */
    public record LabelExited(String label) implements On {
    }

    /**
     * A track event of that name whose properties match {@code where} (all, when {@code null}) was folded into a
     * profile that then matches {@code profile} (any, when {@code null}).
     */
    public record OnEvent(String event, Rule where, Rule profile) implements On {

        /** Whether {@code event} (its properties as a profile's) and the profile after it fire the trigger. */
        public boolean matches(String eventName, Profile properties, Profile after, Instant now) {
            return event.equals(eventName) && (where == null || where.matches(properties, now))
                    && (profile == null || profile.matches(after, now));
        }
    }

    /**
     * A webhook: firings are POSTed to {@code url}, signed with {@code secret}, each attempt given {@code timeoutMs}.
     */
    public record Webhook(URI url, String secret, int timeoutMs) {
        public Webhook {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(secret, "secret");
        }
    }

    /** Whether {@code change} of a profile fires this trigger (an event's match names the trigger itself). */
    public boolean firedBy(Change change) {
        if (change.backfill() && !onBackfill) {
            return false;
        }
        return switch (change.kind()) {
            case ENTERED -> on instanceof LabelEntered entered && entered.label().equals(change.name());
            case EXITED -> on instanceof LabelExited exited && exited.label().equals(change.name());
            case EVENT -> on instanceof OnEvent && name.equals(change.name());
        };
    }
}
