-- A firing's webhook body in a table of its own, written once with the firing and read when a delivery claims it.
-- The firings row is updated at every claim and outcome, and an update writes the whole row again: with the body
-- (the profile's JSON, a kilobyte or more) inline, each delivery wrote it twice more.
CREATE TABLE firing_bodies (
    firing_id  VARCHAR(64)  NOT NULL,
    body       VARCHAR      NOT NULL,
    CONSTRAINT firing_bodies_pk PRIMARY KEY (firing_id)
);
INSERT INTO firing_bodies (firing_id, body) SELECT firing_id, body FROM firings;
ALTER TABLE firings DROP COLUMN body;
