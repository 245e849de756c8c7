package com.profilegrid.client;

import java.time.Instant;

/**
 * A trigger's firing as an {@link ProfileGridClient#onFiring} listener receives it: the same firing (and id) as the
 * webhook's.
 *
 * @param firingId  the firing's id, derived from its cause (the webhook's {@code Idempotency-Key})
 * @param trigger   the trigger that fired
 * @param project   the project
 * @param profileId the profile it fired for
 * @param causeType what caused it: {@code labelEntered}, {@code labelExited} or {@code event}
 * @param cause     the label entered or exited, or the event's name
 * @param messageId the message id of the event that caused it ({@code null} when time or a merge did)
 * @param firedAt   when it was decided
 * @param body      the webhook body as delivered (JSON), with the profile as it was then
 */
public record Firing(String firingId, String trigger, String project, String profileId, String causeType, String cause,
                     String messageId, Instant firedAt, String body) {
}
