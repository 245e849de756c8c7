-- A profile of very many raw ids lists only some of them in its state (see docs/profile-state.md, "Hot profiles"):
-- each raw id it no longer lists keeps, on its own row, the version of it the profile holds (0: listed), and the
-- profile's state counts the member chunks that record those ids. Member chunks are rows of the profiles table
-- whose profile id starts with 'members:' (no profile's id does: theirs are typed ids), so that they are stored,
-- evicted, loaded and retired with the state they belong to; readers never see them.
ALTER TABLE raw_ids ADD COLUMN sealed BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE profiles ADD COLUMN member_chunks INTEGER DEFAULT 0 NOT NULL;

DROP VIEW current_profiles;
CREATE VIEW current_profiles AS
SELECT p.* FROM profiles p
WHERE p.profile_id NOT LIKE 'members:%'
  AND p.generation = COALESCE(
    (SELECT m.num FROM grid_meta m WHERE m.name = CONCAT('generation:', p.project)),
    (SELECT m.num FROM grid_meta m WHERE m.name = 'generation'), 0);
