-- Agreed headlines freeze the evidence beside them and the list of returns they rest on too, as
-- they stood when agreed, so that a later return (which can carry evidence) changes neither.
-- A snapshot taken before this migration has neither: its pack reads them as they are now.
ALTER TABLE headline_snapshots ADD COLUMN evidence BLOB;
ALTER TABLE headline_snapshots ADD COLUMN returns JSON;
