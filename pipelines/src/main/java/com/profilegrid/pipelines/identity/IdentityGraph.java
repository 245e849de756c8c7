package com.profilegrid.pipelines.identity;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
 *
 * <p>The graph may hold only part of a project's ids, in whole clusters (ids joined by links, followed or refused): no
 * link joins two clusters, so each is decided on its own, and the graph can forget a cluster it has not used for a
 * while ({@link #forgetEldest}) and take it back later from where its links were recorded ({@link #load}).
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
    /** The cluster of each id the graph holds. */
    private final Map<String, Cluster> clusters = new HashMap<>();
    /** The clusters, least recently used first. */
    private final LinkedHashMap<Cluster, Boolean> recency = new LinkedHashMap<>(16, 0.75f, true);

    /** Ids joined by links, followed or refused, with the pairs of their links: what the graph loads and forgets. */
    private static final class Cluster implements Serializable {
        private static final long serialVersionUID = 1L;
        final Set<String> ids = new HashSet<>();
        final List<List<String>> pairs = new ArrayList<>();
        boolean announced;
    }

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
        if (known == null) {
            join(pair);
        } else {
            recency.get(clusters.get(link.a()));
        }
        boolean inOrder = latest == null || Link.DECISION_ORDER.compare(link, latest) > 0;
        if (latest == null || inOrder) {
            latest = link;
        }
        if (known != null && refusals.isEmpty()) {
            return Map.of(); // the same pair, decided earlier: the groups stay as they are
        }
        if (known == null && (inOrder || refusals.isEmpty())) {
            return decideNew(link, inOrder);
        }
        return recompute(profileIds(Set.of(link.a(), link.b())));
    }

    /**
     * Decides a new pair's link at once. Costs what the smaller of its two groups holds, not the larger: a link that
     * joins one more id to a profile of 100,000 ids reports that id alone, since the others keep their profile id.
     * Only when the larger group's profile id changes (an anonymous group identified as a user) does every one of its
     * ids move, and that happens once per group.
     */
    private Map<String, Move> decideNew(Link link, boolean inOrder) {
        String a = link.a();
        String b = link.b();
        String beforeA = parent.containsKey(a) ? profileId(a) : null;
        String beforeB = parent.containsKey(b) ? profileId(b) : null;
        String rootA = beforeA == null ? a : find(a);
        String rootB = beforeB == null ? b : find(b);
        if (beforeA != null && beforeB != null && rootA.equals(rootB)) {
            return Map.of(); // already one group: nothing moves
        }
        // the groups as they are now; decide() grows the larger one's set and leaves the smaller one's as it was
        Set<String> idsA = beforeA == null ? Set.of(a) : members(rootA);
        Set<String> idsB = beforeB == null ? Set.of(b) : members(rootB);
        int refusalsBefore = refusals.size();
        decide(link);
        boolean refused = refusals.size() > refusalsBefore;
        if (refused && !inOrder) {
            refusals.remove(refusals.size() - 1);
            Map<String, String> old = new HashMap<>();
            old.put(a, beforeA);
            old.put(b, beforeB);
            return recompute(old); // a refusal out of order: nothing was joined, so the rest stand as they were
        }
        Map<String, Move> changed = new HashMap<>();
        boolean keptA = !refused && beforeA != null && members.get(rootA) == idsA;
        boolean keptB = !refused && beforeB != null && members.get(rootB) == idsB;
        report(changed, a, beforeA, idsA, keptA ? idsB : null);
        report(changed, b, beforeB, idsB, keptB ? idsA : null);
        return changed;
    }

    /**
     * Reports the ids of {@code id}'s group as it was ({@code ids}, less {@code joined} when its set took them in)
     * that changed profile id from {@code before}; an id new to the graph is reported whatever its profile id.
     */
    private void report(Map<String, Move> changed, String id, String before, Set<String> ids, Set<String> joined) {
        String now = profileId(id);
        if (before == null) {
            changed.put(id, new Move(id, now));
            return;
        }
        if (now.equals(before)) {
            return;
        }
        for (String member : ids) {
            if (joined == null || !joined.contains(member)) {
                changed.put(member, new Move(before, now));
            }
        }
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
     * Adds the links of whole clusters the graph does not hold (read back from where they were recorded), decided in
     * decision order as a decision from the start would decide them; reports nothing (the raw ids follow them already).
     * None of their ids may be in the graph: {@link #forget} their clusters first.
     */
    public void load(Collection<Link> links) {
        List<Link> ordered = new ArrayList<>(links);
        ordered.sort(Link.DECISION_ORDER);
        for (Link link : ordered) {
            List<String> pair = pair(link);
            if (earliest.containsKey(pair)) {
                moves(link); // a link given twice: the earlier of the two counts
                continue;
            }
            revision++;
            earliest.put(pair, link);
            join(pair);
            if (latest == null || Link.DECISION_ORDER.compare(link, latest) > 0) {
                latest = link;
            }
            decide(link);
        }
    }

    /** Whether the graph holds {@code id} (with its whole cluster). */
    public boolean holds(String id) {
        return clusters.containsKey(id);
    }

    /** How many ids the graph holds. */
    public int size() {
        return clusters.size();
    }

    /** Every id of the cluster of {@code id} (itself alone when the graph does not hold it); marks the cluster used. */
    public Set<String> clusterOf(String id) {
        Cluster cluster = clusters.get(id);
        if (cluster == null) {
            return Set.of(id);
        }
        recency.get(cluster);
        return Collections.unmodifiableSet(cluster.ids);
    }

    /** The refusals among the links of the cluster of {@code id}. */
    public List<Refusal> refusalsOf(String id) {
        Cluster cluster = clusters.get(id);
        if (cluster == null) {
            return List.of();
        }
        return refusals.stream().filter(refusal -> cluster.ids.contains(refusal.link().a())).toList();
    }

    /**
     * Marks the cluster of {@code id} announced; true if it was not (a cluster joined with one not announced, or
     * forgotten and loaded again, is not).
     */
    public boolean markAnnounced(String id) {
        Cluster cluster = clusters.get(id);
        if (cluster == null || cluster.announced) {
            return false;
        }
        cluster.announced = true;
        return true;
    }

    /** Forgets the cluster of {@code id}: its ids, links and refusals (the links stay where they were recorded). */
    public void forget(String id) {
        Cluster cluster = clusters.get(id);
        if (cluster != null) {
            forget(cluster);
        }
    }

    /** Forgets the least recently used clusters until the graph holds at most {@code maxIds} ids; answers how many. */
    public int forgetEldest(int maxIds) {
        int forgotten = 0;
        Iterator<Cluster> eldest = recency.keySet().iterator();
        while (clusters.size() > maxIds && eldest.hasNext()) {
            Cluster cluster = eldest.next();
            eldest.remove();
            forgotten += cluster.ids.size();
            forget(cluster);
        }
        return forgotten;
    }

    private void forget(Cluster cluster) {
        for (String id : cluster.ids) {
            parent.remove(id);
            members.remove(id);
            users.remove(id);
            best.remove(id);
            clusters.remove(id);
        }
        cluster.pairs.forEach(earliest::remove);
        refusals.removeIf(refusal -> cluster.ids.contains(refusal.link().a()));
        recency.remove(cluster);
    }

    private void join(List<String> pair) {
        Cluster one = cluster(pair.get(0));
        Cluster two = cluster(pair.get(1));
        Cluster big = one;
        if (one != two) {
            big = one.ids.size() >= two.ids.size() ? one : two;
            Cluster small = big == one ? two : one;
            big.ids.addAll(small.ids);
            for (String id : small.ids) {
                clusters.put(id, big);
            }
            big.pairs.addAll(small.pairs);
            big.announced &= small.announced;
            recency.remove(small);
        }
        big.pairs.add(pair);
        recency.put(big, Boolean.TRUE);
    }

    private Cluster cluster(String id) {
        return clusters.computeIfAbsent(id, key -> {
            Cluster cluster = new Cluster();
            cluster.ids.add(key);
            recency.put(cluster, Boolean.TRUE);
            return cluster;
        });
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
