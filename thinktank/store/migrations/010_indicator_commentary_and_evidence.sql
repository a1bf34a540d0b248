-- The Think Tank's commentary on one indicator for a quarter, and evidence entered in the app.

-- Commentary on an indicator for a quarter, one answer per question (and, for "What does it
-- mean for each agency?", per agency). Only ever inserted: each save or deletion is a new row,
-- so the latest row of an answer is what it says now (nothing, if that row is a deletion) and
-- the earlier rows are its history. A deletion keeps the words it took away.
CREATE SEQUENCE indicator_commentary_ids START 1;
CREATE TABLE indicator_commentary (
    id BIGINT PRIMARY KEY DEFAULT nextval('indicator_commentary_ids'),
    indicator_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    question VARCHAR NOT NULL CHECK (question IN ('tells_us', 'so_what_for_children', 'for_agency')),
    -- The agency an answer to "What does it mean for each agency?" is about; NULL otherwise.
    agency_id VARCHAR,
    change VARCHAR NOT NULL CHECK (change IN ('written', 'edited', 'deleted')),
    body VARCHAR NOT NULL,
    written_by VARCHAR NOT NULL,
    written_at TIMESTAMP NOT NULL,
    CHECK ((question = 'for_agency') = (agency_id IS NOT NULL))
);

-- Evidence an analyst enters in the app (audits, surveys, the voice of the child, feedback,
-- reviews, inspections), beside what agencies send on their returns' Evidence sheets. A
-- deletion marks the row, which is kept.
CREATE SEQUENCE evidence_entry_ids START 1;
CREATE TABLE evidence_entries (
    id BIGINT PRIMARY KEY DEFAULT nextval('evidence_entry_ids'),
    theme_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    signs_of_safety VARCHAR NOT NULL CHECK (signs_of_safety IN ('worried', 'working_well', 'needs_to_happen')),
    title VARCHAR NOT NULL,
    detail VARCHAR,
    -- The agency the evidence is about, if it is about one.
    agency_id VARCHAR,
    entered_by VARCHAR NOT NULL,
    entered_at TIMESTAMP NOT NULL,
    deleted_by VARCHAR,
    deleted_at TIMESTAMP
);

-- Evidence behind a headline statement. The key names evidence of either origin
-- (`return-12`, `entered-3`); an unlinked row is kept with when it was unlinked.
CREATE TABLE statement_evidence (
    statement_id BIGINT NOT NULL,
    evidence_key VARCHAR NOT NULL,
    linked_by VARCHAR NOT NULL,
    linked_at TIMESTAMP NOT NULL,
    unlinked_at TIMESTAMP
);
