package com.profilegrid.pipelines.rules;

import com.hazelcast.core.HazelcastInstance;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;

import java.util.List;

/**
 * Where the profile job's changes go: the node records each label change and decides each firing from them, durably,
 * by ids derived from their causes, so a change met again (a replay) records nothing new. Blocking; called from a
 * non-cooperative sink. Held in the member's user context ({@link #USER_CONTEXT_KEY}).
 */
public interface ChangeLog {

    String USER_CONTEXT_KEY = "profilegrid.change-log";

    /**
     * The changes one profile's steps found, with the profile as they left it.
     *
     * @param profile the profile after them ({@code null}: the profile was deleted)
     * @param due     when its labels could next change by time alone, to set its timer to unless one is set
     *                earlier (epoch ms; -1: no timer to set)
     */
    record ProfileChanges(ProfileKey key, Profile profile, List<Change> changes, long due) {
    }

    /** Records {@code changes}, found by the job of generation {@code generation}; returns once they are durable. */
    void record(int generation, List<ProfileChanges> changes);

    /** The log the member holds in its user context, or {@code null}. */
    static ChangeLog of(HazelcastInstance member) {
        Object held = member.getUserContext().get(USER_CONTEXT_KEY);
        return held instanceof ChangeLog log ? log : null;
    }
}
