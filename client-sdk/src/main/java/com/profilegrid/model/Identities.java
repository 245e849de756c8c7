package com.profilegrid.model;

import java.util.HashSet;
import java.util.Set;

/**
 * The ids a profile is known by.
 *
 * @param userId       the known user id, or {@code null} while the visitor is anonymous
 * @param anonymousIds anonymous ids (cookies, device ids) joined to this profile; a profile folded by ProfileGrid
 *                     lists at most 100, the first in string order (every one still finds the profile)
 * @param emails       e-mail addresses joined to this profile; at most 100 likewise
 */
public record Identities(String userId, Set<String> anonymousIds, Set<String> emails) {

    public static final Identities NONE = new Identities(null, Set.of(), Set.of());

    public Identities {
        anonymousIds = Set.copyOf(anonymousIds);
        emails = Set.copyOf(emails);
    }

    public Identities withUserId(String newUserId) {
        return new Identities(newUserId, anonymousIds, emails);
    }

    public Identities withAnonymousId(String anonymousId) {
        return new Identities(userId, plus(anonymousIds, anonymousId), emails);
    }

    public Identities withEmail(String email) {
        return new Identities(userId, anonymousIds, plus(emails, email));
    }

    private static Set<String> plus(Set<String> set, String value) {
        if (set.contains(value)) {
            return set;
        }
        Set<String> copy = new HashSet<>(set);
        copy.add(value);
        return copy;
    }
}
