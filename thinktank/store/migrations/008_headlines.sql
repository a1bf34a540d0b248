-- The Performance and Learning Group's quarterly headlines, in the Signs of Safety format.
--
-- A quarter's headlines are numbered versions. Version 1 starts as a draft; it moves to ready
-- for PLG, then agreed. Agreed headlines are frozen: a change opens version 2 with a reason,
-- and version 1 stays as it was agreed. Nothing here is ever updated in place except a
-- statement's text and position while its version is a draft, and every such change is also
-- written to headline_statement_changes.

-- Each move of a quarter's headlines: the latest row of a quarter is its state and version.
CREATE SEQUENCE headline_sign_off_ids START 1;
CREATE TABLE headline_sign_off (
    id BIGINT PRIMARY KEY DEFAULT nextval('headline_sign_off_ids'),
    period VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    state VARCHAR NOT NULL CHECK (state IN ('draft', 'ready', 'agreed')),
    -- Why a new version of agreed headlines was opened; NULL otherwise.
    reason VARCHAR,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL
);

-- A statement under one Signs of Safety heading of one theme. `figures` lists what it quotes,
-- each figure with the quarter and the return version it came from, so that a statement can
-- be traced and flagged when a later return changes what it says.
CREATE SEQUENCE headline_statement_ids START 1;
CREATE TABLE headline_statements (
    id BIGINT PRIMARY KEY DEFAULT nextval('headline_statement_ids'),
    period VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    theme_id VARCHAR NOT NULL,
    signs_of_safety VARCHAR NOT NULL CHECK (signs_of_safety IN ('worried', 'working_well', 'needs_to_happen')),
    position INTEGER NOT NULL,
    body VARCHAR NOT NULL,
    indicator_id VARCHAR,
    -- The drafting rule that proposed it; NULL when an analyst wrote it.
    drafting_rule VARCHAR,
    figures JSON NOT NULL,
    written_by VARCHAR NOT NULL,
    written_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP,
    -- The statement of the earlier version this one was carried over from.
    carried_from BIGINT
);
CREATE TABLE headline_statement_changes (
    statement_id BIGINT NOT NULL,
    change VARCHAR NOT NULL CHECK (change IN ('added', 'edited', 'moved', 'deleted', 'carried over')),
    body VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL
);

-- The Think Tank's judgement of a theme (theme_id NULL: the partnership as a whole) on the
-- Signs of Safety scale. Only ever inserted: the latest row of a quarter, version and theme is
-- the scale, the earlier ones its history.
CREATE TABLE headline_scaling (
    period VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    theme_id VARCHAR,
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    reason VARCHAR NOT NULL,
    scaled_by VARCHAR NOT NULL,
    scaled_at TIMESTAMP NOT NULL
);

-- What needs to happen, made an action for an agency by a quarter. Its progress is a list of
-- updates; the latest says whether it is done.
CREATE SEQUENCE headline_action_ids START 1;
CREATE TABLE headline_actions (
    id BIGINT PRIMARY KEY DEFAULT nextval('headline_action_ids'),
    statement_id BIGINT,
    theme_id VARCHAR NOT NULL,
    raised_in VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    owner_agency_id VARCHAR NOT NULL,
    due VARCHAR NOT NULL,
    raised_by VARCHAR NOT NULL,
    raised_at TIMESTAMP NOT NULL
);
CREATE TABLE headline_action_updates (
    action_id BIGINT NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('in progress', 'done')),
    note VARCHAR NOT NULL,
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The figures behind agreed headlines as they stood when agreed (the quarter's scorecard and
-- every whole-area series, as Parquet), so that the board pack of an agreed quarter never
-- changes when a later return arrives.
CREATE TABLE headline_snapshots (
    period VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    scorecard BLOB NOT NULL,
    series BLOB NOT NULL,
    taken_at TIMESTAMP NOT NULL,
    PRIMARY KEY (period, version)
);

-- Theme commentary written before headlines existed becomes the first version's statements,
-- in the order it was written.
INSERT INTO headline_statements (period, version, theme_id, signs_of_safety, position, body, indicator_id,
                                 figures, written_by, written_at)
SELECT period, 1, theme_id, signs_of_safety,
    row_number() OVER (PARTITION BY period, theme_id, signs_of_safety ORDER BY written_at, id),
    body, indicator_id, '[]',
    -- Commentary kept the writer's name; statements keep the id that names them.
    CASE written_by WHEN 'Local analyst' THEN 'local-analyst' WHEN 'Demo analyst' THEN 'demo-analyst'
                    ELSE written_by END,
    written_at
FROM commentary;
INSERT INTO headline_statement_changes (statement_id, change, body, position, changed_by, changed_at)
SELECT id, 'added', body, position, written_by, written_at FROM headline_statements;
DROP TABLE commentary;
DROP SEQUENCE commentary_ids;
