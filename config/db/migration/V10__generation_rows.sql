-- Each generation of the profile view keeps rows of its own (see docs/profile-state.md, "Generations on the
-- database"): a rebuild's new generation writes and loads its own rows from its start, so it may hold more profiles
-- than fit in memory, and the rows readers use stay as they are until the switch. A row's generation is the one whose
-- maps wrote it; the rows of a generation readers no longer use are deleted after a rebuild's switch.
ALTER TABLE profiles ADD COLUMN generation INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE raw_ids ADD COLUMN generation INTEGER DEFAULT 0 NOT NULL;

-- Rows written before this migration belong to the generation their project's readers use.
UPDATE profiles SET generation = COALESCE(
    (SELECT m.num FROM grid_meta m WHERE m.name = CONCAT('generation:', profiles.project)),
    (SELECT m.num FROM grid_meta m WHERE m.name = 'generation'), 0);
UPDATE raw_ids SET generation = COALESCE(
    (SELECT m.num FROM grid_meta m WHERE m.name = CONCAT('generation:', raw_ids.project)),
    (SELECT m.num FROM grid_meta m WHERE m.name = 'generation'), 0);

ALTER TABLE profiles DROP CONSTRAINT profiles_pk;
ALTER TABLE profiles ADD CONSTRAINT profiles_pk PRIMARY KEY (project, profile_id, generation);
ALTER TABLE raw_ids DROP CONSTRAINT raw_ids_pk;
ALTER TABLE raw_ids ADD CONSTRAINT raw_ids_pk PRIMARY KEY (project, profile_id, generation);

-- The profiles readers see now: each project's rows of the generation it uses. Query this rather than the table.
CREATE VIEW current_profiles AS
SELECT p.* FROM profiles p
WHERE p.generation = COALESCE(
    (SELECT m.num FROM grid_meta m WHERE m.name = CONCAT('generation:', p.project)),
    (SELECT m.num FROM grid_meta m WHERE m.name = 'generation'), 0);
