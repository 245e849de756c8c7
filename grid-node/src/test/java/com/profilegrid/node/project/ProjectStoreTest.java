package com.profilegrid.node.project;

import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** Projects as listed: a project is revoked once it was revoked, and only then. */
class ProjectStoreTest {

    @TempDir
    Path dir;

    @Test
    void when_one_of_two_projects_is_revoked_then_the_list_shows_that_one_revoked_and_the_other_active() {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        try (Database database = Database.open(TestDatabases.H2.fresh(dir))) {
            ProjectStore store = new ProjectStore(database.dataSource(), Clock.fixed(now, ZoneOffset.UTC));
            ProjectStore.Created kept = store.create("kept");
            ProjectStore.Created revoked = store.create("revoked");
            assertThat(store.revoke(revoked.projectId())).isTrue();

            assertThat(store.list()).containsExactlyInAnyOrder(
                    new ProjectStore.Project(kept.projectId(), "kept", now, null),
                    new ProjectStore.Project(revoked.projectId(), "revoked", now, now));
            assertThat(store.list()).filteredOn(ProjectStore.Project::active)
                    .extracting(ProjectStore.Project::projectId).containsExactly(kept.projectId());
        }
    }
}
