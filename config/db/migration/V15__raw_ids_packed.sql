-- A raw id's row holds its entry packed (column packed: the layout the raw-ids map holds it in, PackedState), with
-- version, belongs_to, belongs_revision and sealed beside it as before. Nothing queries a raw id's fold by column (the
-- id index reads belongs_to), and rendering and binding a profile's JSON columns for every raw id written was a large
-- share of the write-behind's CPU. Rows written before this keep their columns and are read from them until they
-- are written again.
ALTER TABLE raw_ids ADD COLUMN packed BYTEA;
ALTER TABLE raw_ids ALTER COLUMN anonymous_ids DROP NOT NULL;
ALTER TABLE raw_ids ALTER COLUMN emails DROP NOT NULL;
ALTER TABLE raw_ids ALTER COLUMN properties DROP NOT NULL;
ALTER TABLE raw_ids ALTER COLUMN event_counts DROP NOT NULL;
ALTER TABLE raw_ids ALTER COLUMN labels DROP NOT NULL;
ALTER TABLE raw_ids ALTER COLUMN visits DROP NOT NULL;
ALTER TABLE raw_ids ALTER COLUMN visit_spans DROP NOT NULL;
ALTER TABLE raw_ids ALTER COLUMN recent_events DROP NOT NULL;
ALTER TABLE raw_ids ALTER COLUMN applied DROP NOT NULL;
