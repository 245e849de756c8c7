-- Event counts by day (UTC), kept for the visit retention before a profile's last event: what label rules with a
-- window ({"event": "Purchase", "count": {"gte": 2}, "within": "P30D"}) count. JSON: {"<epoch day>:<event name>": n}.
ALTER TABLE profiles ADD COLUMN daily_counts VARCHAR DEFAULT '{}' NOT NULL;
ALTER TABLE raw_ids ADD COLUMN daily_counts VARCHAR DEFAULT '{}' NOT NULL;

DROP VIEW current_profiles;
CREATE VIEW current_profiles AS
SELECT p.* FROM profiles p
WHERE p.profile_id NOT LIKE 'members:%'
  AND p.generation = COALESCE(
    (SELECT m.num FROM grid_meta m WHERE m.name = CONCAT('generation:', p.project)),
    (SELECT m.num FROM grid_meta m WHERE m.name = 'generation'), 0);
