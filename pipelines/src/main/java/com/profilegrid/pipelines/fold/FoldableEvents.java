package com.profilegrid.pipelines.fold;

import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.identity.Ids;

import java.util.Optional;

/**
 * What the profile pipeline can fold, as one pure check shared by ingest (which refuses the rest with a 400 naming
 * the field) and the pipeline (which dead-letters whatever still reaches it, e.g. an old log row). Every id the
 * identity graph keeps becomes a profile key once typed ({@code user:}, {@code email:}, {@code anon:}), so it must
 * fit {@link ProfileKey#MAX_PROFILE_ID_LENGTH} with its prefix; and no text column of the log can hold a NUL
 * character (PostgreSQL refuses it, which would fail every event committed with it).
 */
public final class FoldableEvents {

    /** The longest raw id (user, anonymous, previous id, e-mail address) whose typed form fits a profile key. */
    public static final int MAX_RAW_ID_LENGTH = ProfileKey.MAX_PROFILE_ID_LENGTH
            - Math.max(Ids.USER.length(), Math.max(Ids.EMAIL.length(), Ids.ANON.length()));

    /** What cannot be folded: the event's field (as Segment names it) and why. */
    public record Problem(String field, String reason) {
        @Override
        public String toString() {
            return field + " " + reason;
        }
    }

    private FoldableEvents() {
    }

    /** The first thing in {@code event} the pipeline cannot fold, or empty when it folds. */
    public static Optional<Problem> problem(TrackingEvent event) {
        if (event.userId() == null && event.anonymousId() == null && Ids.emailTrait(event) == null) {
            return Optional.of(new Problem("userId", "is missing, and so are anonymousId and traits.email: the event "
                    + "names no visitor"));
        }
        return noNul("messageId", event.messageId())
                .or(() -> noNul("event", event.eventName()))
                .or(() -> noNul("groupId", event.groupId()))
                .or(() -> rawId("userId", event.userId()))
                .or(() -> rawId("anonymousId", event.anonymousId()))
                .or(() -> rawId("previousId", event.previousId()))
                .or(() -> Optional.ofNullable(Ids.emailTrait(event)).flatMap(address -> rawId("traits.email", address)
                        .or(() -> Ids.email(address).length() > ProfileKey.MAX_PROFILE_ID_LENGTH
                                ? Optional.of(new Problem("traits.email", "is too long once normalized"))
                                : Optional.empty())));
    }

    private static Optional<Problem> rawId(String field, String id) {
        if (id == null) {
            return Optional.empty();
        }
        if (id.length() > MAX_RAW_ID_LENGTH) {
            return Optional.of(new Problem(field, "is longer than " + MAX_RAW_ID_LENGTH + " characters"));
        }
        return noNul(field, id);
    }

    private static Optional<Problem> noNul(String field, String value) {
        return value != null && value.indexOf('\u0000') >= 0
                ? Optional.of(new Problem(field, "contains a NUL character, which the database cannot store"))
                : Optional.empty();
    }
}
