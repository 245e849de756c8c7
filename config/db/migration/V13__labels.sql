-- Label (segment) definitions per project: the labels map, written through, loaded whole when a node starts.
-- rule is the rule's JSON as the admin API accepted it.
CREATE TABLE labels (
    project     VARCHAR(128)  NOT NULL,
    name        VARCHAR(64)   NOT NULL,
    rule        VARCHAR       NOT NULL,
    created_ms  BIGINT        NOT NULL,
    updated_ms  BIGINT        NOT NULL,
    CONSTRAINT labels_pk PRIMARY KEY (project, name)
);
