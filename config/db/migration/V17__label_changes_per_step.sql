-- One row per profile step's label changes instead of one per label: a step that enters three labels and exits one
-- writes one row (entered 'a b c', exited 'd': label names, which hold no spaces, separated by single spaces, sorted;
-- NULL when none). The id is derived from the profile, the cause and the changes, so a replay meets the same id.
-- (A rules benchmark step wrote six rows per event here, the largest share of the database's log writes.)
ALTER TABLE label_changes ADD COLUMN entered VARCHAR;
ALTER TABLE label_changes ADD COLUMN exited VARCHAR;
UPDATE label_changes SET entered = label WHERE kind = 'entered';
UPDATE label_changes SET exited = label WHERE kind <> 'entered';
ALTER TABLE label_changes DROP COLUMN label;
ALTER TABLE label_changes DROP COLUMN kind;
