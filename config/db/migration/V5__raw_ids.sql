-- The profile state per raw id (see docs/profile-state.md, step 1): the fold of one typed id's own events, in the
-- columns of a profile row (profile_id is the typed raw id, as its partial names itself), with the highest log
-- position applied per shard, the count of events applied, and the profile the id belongs to.
CREATE TABLE raw_ids (
    project          VARCHAR(128) NOT NULL,
    profile_id       VARCHAR(256) NOT NULL,
    user_id          VARCHAR(256),
    anonymous_ids    VARCHAR      NOT NULL,
    emails           VARCHAR      NOT NULL,
    properties       VARCHAR      NOT NULL,
    event_counts     VARCHAR      NOT NULL,
    labels           VARCHAR      NOT NULL,
    first_seen_ms    BIGINT,
    last_seen_ms     BIGINT,
    visits           INTEGER      NOT NULL,
    visit_spans      VARCHAR      NOT NULL,
    recent_events    VARCHAR      NOT NULL,
    applied          VARCHAR      NOT NULL,
    version          BIGINT       NOT NULL,
    belongs_to       VARCHAR(256),
    belongs_revision BIGINT       NOT NULL,
    CONSTRAINT raw_ids_pk PRIMARY KEY (project, profile_id)
);
