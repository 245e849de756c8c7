-- The identity graphs hold only the clusters of ids in use and read the links of any other id back from
-- identity_links, from either end. Both lookups get an index led by the id: with the project first, a planner whose
-- statistics date from a nearly empty table took the other end's index, matched the project alone and filtered every
-- link of the project per id (seconds per batch of lookups once the table had grown).
ALTER TABLE identity_links DROP CONSTRAINT identity_links_pk;
ALTER TABLE identity_links ADD CONSTRAINT identity_links_pk PRIMARY KEY (id_a, id_b, project);
CREATE INDEX identity_links_b ON identity_links (id_b, project);
