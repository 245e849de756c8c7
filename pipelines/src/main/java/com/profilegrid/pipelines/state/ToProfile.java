package com.profilegrid.pipelines.state;

import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;

/**
 * What the profile step of {@link StatePipeline} takes, keyed and ordered by profile. Each names one raw id; the items
 * of one raw id reach a profile in the order its raw-id step sent them.
 */
public sealed interface ToProfile permits ToProfile.Absorb, ToProfile.CatchUp, ToProfile.Retract, ToProfile.Add {

    ProfileKey key();

    /** The typed raw id the item is about. */
    String rawId();

    /** The raw id's {@code version}-th event, to fold in. */
    record Absorb(ProfileKey key, String rawId, long version, TrackingEvent event) implements ToProfile {
    }

    /**
     * An event the raw id had applied before (a replay): the profile catches up from the raw id's entry if it is
     * behind it (the step before stopped between the raw id and the profile), and the changes the event caused are
     * answered again (their record may have been lost with the run that decided them).
     */
    record CatchUp(ProfileKey key, String rawId, TrackingEvent event) implements ToProfile {
    }

    /** The raw id left this profile: the profile is made again from the raw ids it keeps. */
    record Retract(ProfileKey key, String rawId) implements ToProfile {
    }

    /** The raw id joined this profile with the fold and version its entry holds. */
    record Add(ProfileKey key, String rawId, RawIdEntry entry) implements ToProfile {
    }
}
