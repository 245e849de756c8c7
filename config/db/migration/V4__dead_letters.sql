-- Events of the tracking log the profile pipeline could not fold (see the README's "Dead letters").
CREATE TABLE dead_letters (
    project        VARCHAR(128)  NOT NULL,
    message_id     VARCHAR(256)  NOT NULL,
    shard          BIGINT        NOT NULL,
    seq            BIGINT        NOT NULL,
    reason         VARCHAR(2000) NOT NULL,
    first_seen_ms  BIGINT        NOT NULL,
    CONSTRAINT dead_letters_pk PRIMARY KEY (project, message_id)
);
