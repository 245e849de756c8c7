package com.profilegrid.pipelines.profile;

import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.identity.IdentityGraph;
import com.profilegrid.pipelines.identity.Ids;
import com.profilegrid.pipelines.identity.Link;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The profiles of a set of logged events, computed in one pass in memory with the same fold and identity
 * rules as the pipeline: the reference that live profiles must equal once the system is quiet
 * (invariant 3), and a rebuild for one project small enough to fit in memory.
 */
public final class LogRebuild {

    private LogRebuild() {
    }

    public static Map<ProfileKey, Profile> profiles(Iterable<TrackingEvent> events, ProfileFold fold) {
        Map<String, IdentityGraph> graphs = new HashMap<>();
        Map<String, Profile> partials = new TreeMap<>();
        for (TrackingEvent event : events) {
            IdentityGraph graph = graphs.computeIfAbsent(event.project(), project -> new IdentityGraph());
            for (Link link : Ids.links(event)) {
                graph.add(link);
            }
            String rawId = Ids.primary(event);
            partials.compute(GridMaps.projectKey(event.project(), rawId), (key, partial) -> fold.apply(
                    partial != null ? partial : Profile.empty(new ProfileKey(event.project(), rawId)), event));
        }
        Map<ProfileKey, Profile> profiles = new HashMap<>();
        partials.forEach((key, partial) -> {
            String project = partial.project();
            String profileId = graphs.get(project).profileId(partial.profileId());
            ProfileKey profileKey = new ProfileKey(project, profileId);
            Profile merged = profiles.getOrDefault(profileKey, Profile.empty(profileKey));
            profiles.put(profileKey, fold.merge(merged, partial));
        });
        return profiles;
    }
}
