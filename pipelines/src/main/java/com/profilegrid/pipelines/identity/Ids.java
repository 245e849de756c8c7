package com.profilegrid.pipelines.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * The ids a visitor is known by, as typed strings: {@code user:<userId>}, {@code email:<address>},
 * {@code anon:<anonymousId>}. A profile's id is the typed id that names it.
 */
public final class Ids {

    public static final String USER = "user:";
    public static final String EMAIL = "email:";
    public static final String ANON = "anon:";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Ids() {
    }

    public static String user(String userId) {
        return USER + userId;
    }

    public static String anon(String anonymousId) {
        return ANON + anonymousId;
    }

    public static String email(String address) {
        return EMAIL + address(address);
    }

    /** An e-mail address as an identity: trimmed, in lower case (one address, however it was typed). */
    public static String address(String address) {
        return address.trim().toLowerCase(java.util.Locale.ROOT);
    }

    public static boolean isUser(String id) {
        return id.startsWith(USER);
    }

    /** Strength of an id when naming a profile: a user beats an e-mail address beats an anonymous id. */
    static int rank(String id) {
        return id.startsWith(USER) ? 0 : id.startsWith(EMAIL) ? 1 : 2;
    }

    /**
     * The id an event belongs to before any identity merge: its user id, else its anonymous id, else its e-mail
     * trait (a Woopra hit may name its visitor by {@code cv_email} alone; Segment calls always carry one of the two).
     */
    public static String primary(TrackingEvent event) {
        if (event.userId() != null) {
            return user(event.userId());
        }
        if (event.anonymousId() != null) {
            return anon(event.anonymousId());
        }
        String address = emailTrait(event);
        if (address == null) {
            throw new IllegalArgumentException("event " + event.messageId() + " names no visitor: no user id, "
                    + "anonymous id or e-mail address");
        }
        return email(address);
    }

    /**
     * The identity links an event states: an event with both a user and an anonymous id joins them; an alias
     * joins its previous id (taken as an anonymous id) to the user; an e-mail trait (Segment identify, Woopra
     * {@code cv_email}) joins the address to the event's primary id.
     */
    public static List<Link> links(TrackingEvent event) {
        List<Link> links = new ArrayList<>(2);
        String primary = primary(event);
        if (event.userId() != null && event.anonymousId() != null) {
            links.add(new Link(primary, anon(event.anonymousId()), event.timestamp(), event.messageId()));
        }
        if (event.type() == EventType.ALIAS && event.previousId() != null && event.userId() != null) {
            links.add(new Link(primary, anon(event.previousId()), event.timestamp(), event.messageId()));
        }
        String address = emailTrait(event);
        if (address != null && !email(address).equals(primary)) {
            links.add(new Link(primary, email(address), event.timestamp(), event.messageId()));
        }
        return links;
    }

    /** The e-mail address an event's traits link to its visitor (not a group's traits), or {@code null}. */
    public static String emailTrait(TrackingEvent event) {
        return event.type() == EventType.GROUP ? null : emailTrait(event.traits());
    }

    private static String emailTrait(String traits) {
        if (traits == null || !traits.contains("\"email\"")) {
            return null;
        }
        try {
            JsonNode email = JSON.readTree(traits).get("email");
            return email != null && email.isTextual() && !email.asText().isBlank() ? email.asText() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
