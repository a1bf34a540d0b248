-- The questions the PLG should ask when an indicator moves (the catalogue's
-- `challenge_questions`), mirrored with the rest of the indicator; filled at the next sync.
ALTER TABLE indicators ADD COLUMN challenge_questions VARCHAR[] NOT NULL DEFAULT [];
