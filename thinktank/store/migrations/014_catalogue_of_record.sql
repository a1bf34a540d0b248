-- The database is the catalogue of record (thinktank/store/catalogue.py). A definition changes
-- from a chosen quarter and keeps its history: the quarters before it keep the definition they
-- had. The files in indicators/ seed a new database.

-- Each version of a definition is in force from `effective_from`: for any quarter, the highest
-- version among those in force from that quarter or earlier. Versions loaded before this
-- migration were each in force from the indicator's first quarter, as the files said.
ALTER TABLE indicator_definitions ADD COLUMN effective_from VARCHAR;
UPDATE indicator_definitions SET effective_from = applies_from;
-- Who made the version and why: the files, a command-line import or a change in the app.
ALTER TABLE indicator_definitions ADD COLUMN recorded_by VARCHAR;
UPDATE indicator_definitions SET recorded_by = 'The catalogue files';
ALTER TABLE indicator_definitions ADD COLUMN reason VARCHAR;
UPDATE indicator_definitions SET reason = '';

-- Each stretch of quarters over which one version of an indicator is in force, with the
-- version's fields as `indicators` holds them: what the scorecard, the series and the returns
-- read a quarter's figures by. Derived from indicator_definitions, rewritten with every change.
-- The first stretch starts at 0 (before every quarter) and the last ends at 2147483647.
CREATE TABLE indicator_spans AS
SELECT i.*, i.applies_from AS effective_from, 0 AS from_index, 2147483647 AS to_index
FROM indicators i;

-- Every change to the catalogue, numbered: from the files (a new database, or the files changed
-- while the catalogue had not been changed otherwise), an import or the app.
CREATE TABLE catalogue_revisions (
    revision INTEGER PRIMARY KEY,
    source VARCHAR NOT NULL CHECK (source IN ('files', 'import', 'app')),
    recorded_at TIMESTAMP NOT NULL,
    recorded_by VARCHAR NOT NULL,
    summary VARCHAR NOT NULL
);
INSERT INTO catalogue_revisions
SELECT 1, 'files', synced_at, 'The catalogue files', 'The catalogue as the files in indicators/ held it.'
FROM synced_sources WHERE source = 'catalogue';
