-- What lets a full-cluster restart go on instead of folding the whole tracking log again (see docs/profile-state.md,
-- "Restarts resume").

-- Per profile job (one per generation) and log shard: every event up to seq has its effects in the raw_ids and
-- profiles tables. Only grows.
CREATE TABLE log_positions (
    job   VARCHAR(128) NOT NULL,
    shard BIGINT       NOT NULL,
    seq   BIGINT       NOT NULL,
    CONSTRAINT log_positions_pk PRIMARY KEY (job, shard)
);

-- The identity links the identity graphs followed: per pair of ids, the earliest link (by event time, then message
-- id). A link's first id is the event's primary id (user, else anonymous) and its second the other, so a pair has one
-- orientation.
CREATE TABLE identity_links (
    project    VARCHAR(128) NOT NULL,
    id_a       VARCHAR(256) NOT NULL,
    id_b       VARCHAR(256) NOT NULL,
    at_ms      BIGINT       NOT NULL,
    message_id VARCHAR(256) NOT NULL,
    CONSTRAINT identity_links_pk PRIMARY KEY (project, id_a, id_b)
);

-- The generations readers use (the shared one, each project's own) and the newest number reserved: a copy of the
-- cluster's meta map, written before the map changes, read back when a cluster starts.
CREATE TABLE grid_meta (
    name  VARCHAR(256) NOT NULL,
    num   INTEGER      NOT NULL,
    CONSTRAINT grid_meta_pk PRIMARY KEY (name)
);
