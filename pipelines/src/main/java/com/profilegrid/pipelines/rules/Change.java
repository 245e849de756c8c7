package com.profilegrid.pipelines.rules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a profile step found that triggers may act on: the profile entered or exited a label, or an event matched an
 * event trigger. Its {@code cause} is what made it, stable across replays: {@code event:<message id>} for the event
 * the step applied, {@code merge:<raw id>@<version>} for an identity merge, {@code remake:<digest>} for a profile made again,
 * {@code due:<epoch ms>} for a change with time alone, {@code backfill:<label>@<updated ms>} for a backfill.
 *
 * @param kind  entered, exited, or an event trigger's match
 * @param name  the label, or for {@link Kind#EVENT} the trigger
 * @param cause what made it (above)
 */
public record Change(Kind kind, String name, String cause) {

    /** The kinds of change. */
    public enum Kind { ENTERED, EXITED, EVENT }

    public Change {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cause, "cause");
    }

    /** Whether a backfill found it: triggers act on it only when they ask to ({@code "onBackfill": true}). */
    public boolean backfill() {
        return cause.startsWith("backfill:");
    }

    /** The change's id: derived from the profile and the change alone, so a replay meets the same id. */
    public String id(String project, String profileId) {
        return sha256(project + '\u241F' + profileId + '\u241F' + kind + '\u241F' + name + '\u241F' + cause);
    }

    /**
     * The id of the label changes one {@code cause} made to a profile, recorded together ({@code entered} and
     * {@code exited} as recorded, {@code null} for none): derived from them alone, so a replay meets the same id.
     */
    public static String changesId(String project, String profileId, String cause, String entered, String exited) {
        return sha256(project + '\u241F' + profileId + '\u241F' + cause + '\u241F' + entered + '\u241F' + exited);
    }

    /** The id of the firing of {@code trigger} for this change of the profile: one per trigger and change. */
    public String firingId(String trigger, String project, String profileId) {
        return sha256(trigger + '\u241F' + id(project, profileId));
    }

    /** One line of text, as the profile state keeps it ({@link #parse} reads it back). */
    public String text() {
        return kind.name() + '\u241F' + name + '\u241F' + cause;
    }

    /** The change {@link #text()} wrote. */
    public static Change parse(String text) {
        String[] parts = text.split("\u241F", 3);
        return new Change(Kind.valueOf(parts[0]), parts[1], parts[2]);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
