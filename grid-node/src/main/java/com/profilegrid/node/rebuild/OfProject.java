package com.profilegrid.node.rebuild;

import com.hazelcast.query.Predicate;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.ProfileKey;

import java.util.Map;

/** Entries of one project, in a profiles map ({@link ProfileKey} keys) or an ids map ({@code project␟id} keys). */
final class OfProject implements Predicate<Object, Object> {

    private static final long serialVersionUID = 1L;
    private final String project;

    OfProject(String project) {
        this.project = project;
    }

    @Override
    public boolean apply(Map.Entry<Object, Object> entry) {
        Object key = entry.getKey();
        if (key instanceof ProfileKey profileKey) {
            return profileKey.project().equals(project);
        }
        return key instanceof String id && id.startsWith(GridMaps.projectKey(project, ""));
    }
}
