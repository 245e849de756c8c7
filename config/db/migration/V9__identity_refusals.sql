-- Links the identity graph refused to follow (two known users over one id), with the reason: the identity-refusals
-- map, written through, so that the record outlives a full-cluster restart. A row is deleted when a late, older
-- link makes the graph follow the link after all.
CREATE TABLE identity_refusals (
    project     VARCHAR(128)  NOT NULL,
    message_id  VARCHAR(256)  NOT NULL,
    reason      VARCHAR(2000) NOT NULL,
    CONSTRAINT identity_refusals_pk PRIMARY KEY (project, message_id)
);
