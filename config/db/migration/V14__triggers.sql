-- Triggers per project: the triggers map, written through, loaded whole when a node starts. definition is the
-- trigger's JSON (on, webhook, onBackfill) as the admin API accepted it.
CREATE TABLE triggers (
    project     VARCHAR(128)  NOT NULL,
    name        VARCHAR(64)   NOT NULL,
    definition  VARCHAR       NOT NULL,
    created_ms  BIGINT        NOT NULL,
    updated_ms  BIGINT        NOT NULL,
    CONSTRAINT triggers_pk PRIMARY KEY (project, name)
);

-- Every label a profile entered or exited, by an id derived from its cause: a replay meets the same id and adds
-- nothing.
CREATE TABLE label_changes (
    change_id   VARCHAR(64)   NOT NULL,
    project     VARCHAR(128)  NOT NULL,
    profile_id  VARCHAR(512)  NOT NULL,
    label       VARCHAR(64)   NOT NULL,
    kind        VARCHAR(8)    NOT NULL,
    cause       VARCHAR(600)  NOT NULL,
    at_ms       BIGINT        NOT NULL,
    CONSTRAINT label_changes_pk PRIMARY KEY (change_id)
);
CREATE INDEX label_changes_profile ON label_changes (project, profile_id, at_ms);

-- Firings: written before anything is delivered, by an id derived from the trigger and the cause. state is
-- pending (to deliver at next_attempt_ms), delivered, deferred (safe mode), dead (given up, last_error says why)
-- or discarded (reason says why). lease_ms: until when a node's delivery holds it.
CREATE TABLE firings (
    firing_id        VARCHAR(64)   NOT NULL,
    project          VARCHAR(128)  NOT NULL,
    trigger_name     VARCHAR(64)   NOT NULL,
    profile_id       VARCHAR(512)  NOT NULL,
    cause_type       VARCHAR(16)   NOT NULL,
    cause_name       VARCHAR(1000) NOT NULL,
    cause_id         VARCHAR(600)  NOT NULL,
    state            VARCHAR(16)   NOT NULL,
    fired_ms         BIGINT        NOT NULL,
    next_attempt_ms  BIGINT        NOT NULL,
    attempts         INT           NOT NULL,
    lease_ms         BIGINT,
    lease_owner      VARCHAR(36),
    finished_ms      BIGINT,
    last_error       VARCHAR(2000),
    body             VARCHAR       NOT NULL,
    CONSTRAINT firings_pk PRIMARY KEY (firing_id)
);
CREATE INDEX firings_due ON firings (state, next_attempt_ms);
CREATE INDEX firings_by_trigger ON firings (project, trigger_name, state, fired_ms);

-- The cluster's safe-mode switch: one row. Firings decided while it is on are deferred, and nothing is delivered.
CREATE TABLE safe_mode (
    id          INT           NOT NULL,
    enabled     BOOLEAN       NOT NULL,
    since_ms    BIGINT        NOT NULL,
    reason      VARCHAR(2000) NOT NULL,
    CONSTRAINT safe_mode_pk PRIMARY KEY (id)
);
INSERT INTO safe_mode (id, enabled, since_ms, reason) VALUES (1, FALSE, 0, '');

-- Each profile's label timer: when its labels could next change by time alone (a window's edge, an age reached).
-- Set by the profile job (never later than a timer already set), swept by the node that owns the profile.
CREATE TABLE label_due (
    project     VARCHAR(128)  NOT NULL,
    profile_id  VARCHAR(512)  NOT NULL,
    due_ms      BIGINT        NOT NULL,
    CONSTRAINT label_due_pk PRIMARY KEY (project, profile_id)
);
CREATE INDEX label_due_by_time ON label_due (due_ms);
