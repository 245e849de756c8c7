-- ProfileGrid persisted profiles: the write-behind target of the `profiles` IMap.
-- Portable SQL: runs unchanged on H2 (the embedded default) and PostgreSQL.
-- Set-valued and map-valued fields are JSON text with sorted keys; times are epoch milliseconds.
CREATE TABLE profiles (
    project        VARCHAR(128) NOT NULL,
    profile_id     VARCHAR(256) NOT NULL,
    user_id        VARCHAR(256),
    anonymous_ids  VARCHAR      NOT NULL,
    emails         VARCHAR      NOT NULL,
    properties     VARCHAR      NOT NULL,
    event_counts   VARCHAR      NOT NULL,
    labels         VARCHAR      NOT NULL,
    first_seen_ms  BIGINT,
    last_seen_ms   BIGINT,
    visits         INTEGER      NOT NULL,
    CONSTRAINT profiles_pk PRIMARY KEY (project, profile_id)
);

CREATE INDEX profiles_user_id ON profiles (project, user_id);
