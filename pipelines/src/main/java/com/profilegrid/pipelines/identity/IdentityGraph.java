package com.profilegrid.pipelines.identity;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which ids of one project belong to one visitor, decided from the set of links alone, so that a rebuild
 * makes the same merges as the live pipeline whatever order the links arrive in.
 *
 * <p>Links are decided in {@link Link#DECISION_ORDER} (event time first). A link that would put two
 * different user ids in one visitor is refused and recorded with its reason, never merged. The visitor's
 * profile id is its user id, else its smallest e-mail id, else its smallest anonymous id.
 *
 * <p>Only the earliest link of each pair of ids is kept, so the graph grows with the ids, not the events. A
 * link is joined in at once unless a refusal is involved and it arrives older than links already decided:
 * then the graph decides again from the start, since it may change which later links are refused.
 */
public final class IdentityGraph implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A link that was not followed, and why. */
    public record Refusal(Link link, String reason) implements Serializable {
    }

    /**
     * An id whose profile changed: the profile it belonged to ({@code from}; the id itself when it was new to the graph)
     * and the one it belongs to now.
     */
    public record Move(String from, String to) implements Serializable {
    }

    /** The earliest link of each pair of ids (the pair as a sorted list of two). */
    private final HashMap<List<String>, Link> earliest = new HashMap<>();
    private Link latest;
    private final Map<String, String> parent = new HashMap<>();
    private final Map<String, Set<String>> members = new HashMap<>();
    private final Map<String, String> users = new HashMap<>();
    /** Per root: the best id that is not a user id (smallest e-mail, else smallest anonymous id). */
    private final Map<String, String> best = new HashMap<>();
    private final List<Refusal> refusals = new ArrayList<>();
    private long revision;

    /**
     * Adds a link; returns the ids whose profile id changed, with their new profile id (an id seen for the
     * first time is reported too). Empty when the link was known or changed nothing.
     *
     * <p>Only the earliest link of each pair of ids counts. Without any refused link, the groups do not depend
     * on the order links are decided in, so a link is joined in at once; only where a refusal is involved does
     * an out-of-order link make the graph decide again from the start, in decision order.
     */
    public Map<String, String> add(Link link) {
        Map<String, String> changed = new HashMap<>();
        moves(link).forEach((id, move) -> changed.put(id, move.to()));
        return changed;
    }

    /** As {@link #add}, reporting for each id the profile it left as well as the one it joined. */
    public Map<String, Move> moves(Link link) {
        List<String> pair = pair(link);
        Link known = earliest.get(pair);
        if (known != null && Link.DECISION_ORDER.compare(link, known) >= 0) {
            return Map.of();
        }
        revision++;
        earliest.put(pair, link);
        boolean inOrder = latest == null || Link.DECISION_ORDER.compare(link, latest) > 0;
        if (latest == null || inOrder) {
            latest = link;
        }
        if (known != null && refusals.isEmpty()) {
            return Map.of(); // the same pair, decided earlier: the groups stay as they are
        }
        if (known == null && (inOrder || refusals.isEmpty())) {
            Map<String, String> old = profileIds(Set.of(link.a(), link.b()));
            Set<String> touched = new HashSet<>(members(find(link.a())));
            touched.addAll(members(find(link.b())));
            for (String id : touched) {
                if (!old.containsKey(id)) {
                    old.put(id, profileId(id));
                }
            }
            int refusalsBefore = refusals.size();
            decide(link);
            if (inOrder || refusals.size() == refusalsBefore) {
                return changes(old);
            }
            refusals.remove(refusals.size() - 1);
            return recompute(old);
        }
        return recompute(profileIds(Set.of(link.a(), link.b())));
    }

    /** Whether {@link #add} would change anything: the link's pair is new, or this link is earlier than the known one. */
    public boolean isNew(Link link) {
        Link known = earliest.get(pair(link));
        return known == null || Link.DECISION_ORDER.compare(link, known) < 0;
    }

    private static List<String> pair(Link link) {
        return link.a().compareTo(link.b()) <= 0 ? List.of(link.a(), link.b()) : List.of(link.b(), link.a());
    }

    /** Decides every link again, in decision order; reports the ids whose profile id changed from {@code old}. */
    private Map<String, Move> recompute(Map<String, String> old) {
        for (String id : parent.keySet()) {
            if (!old.containsKey(id)) {
                old.put(id, profileId(id));
            }
        }
        parent.clear();
        members.clear();
        users.clear();
        best.clear();
        refusals.clear();
        List<Link> ordered = new ArrayList<>(earliest.values());
        ordered.sort(Link.DECISION_ORDER);
        ordered.forEach(this::decide);
        return changes(old);
    }

    /**
     * The links that count (the earliest of each pair), in no particular order: enough to rebuild the graph. A
     * snapshot writes them as they are (sorting a large graph at every snapshot cost more than the rest of it);
     * {@link #restore} puts them in order.
     */
    public Collection<Link> links() {
        return Collections.unmodifiableCollection(earliest.values());
    }

    /** A graph rebuilt from its links (in any order), with its revision: what a snapshot restores. */
    public static IdentityGraph restore(Collection<Link> links, long revision) {
        IdentityGraph graph = new IdentityGraph();
        List<Link> ordered = new ArrayList<>(links);
        ordered.sort(Link.DECISION_ORDER);
        ordered.forEach(graph::add);
        graph.revision = revision;
        return graph;
    }

    /** Grows with every link added: tells a newer decision from an older one downstream. */
    public long revision() {
        return revision;
    }

    /** The profile id of {@code id}: the id itself while it is linked to nothing. */
    public String profileId(String id) {
        if (!parent.containsKey(id)) {
            return id;
        }
        String root = find(id);
        String user = users.get(root);
        if (user != null) {
            return user;
        }
        return best.get(root);
    }

    private static String better(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (Ids.rank(a) != Ids.rank(b)) {
            return Ids.rank(a) < Ids.rank(b) ? a : b;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Every id the graph knows (every id of a link). */
    public Set<String> ids() {
        return Collections.unmodifiableSet(parent.keySet());
    }

    /** Every id joined to {@code id}, itself included. */
    public Set<String> idsOf(String id) {
        return parent.containsKey(id) ? Set.copyOf(members.get(find(id))) : Set.of(id);
    }

    public List<Refusal> refusals() {
        return List.copyOf(refusals);
    }

    private void decide(Link link) {
        String rootA = find(link.a());
        String rootB = find(link.b());
        if (rootA.equals(rootB)) {
            return;
        }
        String userA = users.get(rootA);
        String userB = users.get(rootB);
        if (userA != null && userB != null && !userA.equals(userB)) {
            refusals.add(new Refusal(link, "would merge two known users, " + userA + " and " + userB));
            return;
        }
        Set<String> big = members.get(rootA).size() >= members.get(rootB).size() ? members.get(rootA) : members.get(rootB);
        String keep = big == members.get(rootA) ? rootA : rootB;
        String gone = keep.equals(rootA) ? rootB : rootA;
        parent.put(gone, keep);
        members.get(keep).addAll(members.remove(gone));
        String user = userA != null ? userA : userB;
        users.remove(gone);
        if (user != null) {
            users.put(keep, user);
        }
        best.put(keep, better(best.get(keep), best.remove(gone)));
    }

    private String find(String id) {
        if (!parent.containsKey(id)) {
            parent.put(id, id);
            Set<String> own = new HashSet<>();
            own.add(id);
            members.put(id, own);
            if (Ids.isUser(id)) {
                users.put(id, id);
            } else {
                best.put(id, id);
            }
            return id;
        }
        String root = id;
        while (!parent.get(root).equals(root)) {
            root = parent.get(root);
        }
        String at = id;
        while (!parent.get(at).equals(root)) {
            String next = parent.get(at);
            parent.put(at, root);
            at = next;
        }
        return root;
    }

    private Set<String> members(String root) {
        return members.get(root);
    }

    private Map<String, String> profileIds(Set<String> ids) {
        Map<String, String> result = new HashMap<>();
        ids.forEach(id -> result.put(id, parent.containsKey(id) ? profileId(id) : null));
        return result;
    }

    private Map<String, Move> changes(Map<String, String> old) {
        Map<String, Move> changed = new HashMap<>();
        for (Map.Entry<String, String> id : old.entrySet()) {
            String now = profileId(id.getKey());
            if (!now.equals(id.getValue())) {
                changed.put(id.getKey(), new Move(id.getValue() != null ? id.getValue() : id.getKey(), now));
            }
        }
        return changed;
    }
}
