-- Visits become spans (so they can be merged and rebuilt independently of arrival order), and profiles
-- keep their most recent events. Both are JSON text like the other collection columns.
ALTER TABLE profiles ADD COLUMN visit_spans VARCHAR DEFAULT '[]' NOT NULL;
ALTER TABLE profiles ADD COLUMN recent_events VARCHAR DEFAULT '[]' NOT NULL;
