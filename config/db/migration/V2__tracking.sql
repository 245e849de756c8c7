-- Projects (tenants) and their API keys. Keys are stored as SHA-256 hashes of high-entropy secrets;
-- the key id (the part before the dot) finds the row, the hash is compared in constant time.
CREATE TABLE projects (
    project_id   VARCHAR(128) NOT NULL,
    name         VARCHAR(256) NOT NULL,
    created_ms   BIGINT       NOT NULL,
    revoked_ms   BIGINT,
    CONSTRAINT projects_pk PRIMARY KEY (project_id)
);

CREATE TABLE project_keys (
    key_id       VARCHAR(32)  NOT NULL,
    project_id   VARCHAR(128) NOT NULL,
    kind         VARCHAR(8)   NOT NULL,
    key_hash     VARCHAR(64)  NOT NULL,
    created_ms   BIGINT       NOT NULL,
    revoked_ms   BIGINT,
    CONSTRAINT project_keys_pk PRIMARY KEY (key_id),
    CONSTRAINT project_keys_project_fk FOREIGN KEY (project_id) REFERENCES projects (project_id),
    CONSTRAINT project_keys_kind CHECK (kind IN ('write', 'read'))
);

-- The tracking log: the source of truth. Each writer (one per running node) owns a shard and numbers its
-- rows itself, committing them in order from one thread, so a reader that follows (shard, seq) never
-- skips a row that commits late. (project, message_id) is unique for good: retries and duplicates
-- never enter twice.
CREATE TABLE log_shards (
    shard        BIGINT       NOT NULL,
    writer       VARCHAR(256) NOT NULL,
    opened_ms    BIGINT       NOT NULL,
    closed_ms    BIGINT,
    CONSTRAINT log_shards_pk PRIMARY KEY (shard)
);

CREATE TABLE tracking_log (
    shard          BIGINT       NOT NULL,
    seq            BIGINT       NOT NULL,
    project        VARCHAR(128) NOT NULL,
    message_id     VARCHAR(256) NOT NULL,
    type           VARCHAR(16)  NOT NULL,
    event_name     VARCHAR(512),
    anonymous_id   VARCHAR(256),
    user_id        VARCHAR(256),
    previous_id    VARCHAR(256),
    group_id       VARCHAR(256),
    event_time_ms  BIGINT       NOT NULL,
    received_ms    BIGINT       NOT NULL,
    properties     VARCHAR      NOT NULL,
    traits         VARCHAR      NOT NULL,
    context        VARCHAR      NOT NULL,
    raw            VARCHAR      NOT NULL,
    CONSTRAINT tracking_log_pk PRIMARY KEY (shard, seq),
    CONSTRAINT tracking_log_message UNIQUE (project, message_id),
    CONSTRAINT tracking_log_shard_fk FOREIGN KEY (shard) REFERENCES log_shards (shard)
);
