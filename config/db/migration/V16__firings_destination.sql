-- A firing names the receiver its webhook goes to (destination: scheme://host:port of the trigger's URL when it
-- fired), so that a delivery claims only firings for receivers with attempts free: a slow receiver's backlog is left
-- in the table, not claimed and given back again and again. Firings recorded before this have none and are claimed
-- whatever their receiver.
ALTER TABLE firings ADD COLUMN destination VARCHAR(300);
