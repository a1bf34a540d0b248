-- The catalogue mirror: rebuilt from indicators/*.yaml at start-up whenever the files change.
-- No primary keys here: the loader guarantees unique ids, and DuckDB checks keys eagerly
-- inside a transaction that deletes and re-inserts the same rows.
CREATE TABLE themes (
    id VARCHAR NOT NULL,
    number INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    description VARCHAR NOT NULL
);
CREATE TABLE agencies (
    id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    short_name VARCHAR NOT NULL,
    sector VARCHAR NOT NULL,
    description VARCHAR NOT NULL
);
CREATE TABLE priorities (
    id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    description VARCHAR NOT NULL
);
CREATE TABLE populations (
    id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    description VARCHAR NOT NULL
);
CREATE TABLE breakdowns (
    id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    allowed_values VARCHAR[] NOT NULL
);
CREATE TABLE indicators (
    id VARCHAR NOT NULL,
    theme_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    definition VARCHAR NOT NULL,
    numerator VARCHAR,
    denominator VARCHAR,
    unit VARCHAR NOT NULL,
    polarity VARCHAR NOT NULL,
    population_id VARCHAR,
    owner_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    period_basis VARCHAR NOT NULL,
    breakdowns VARCHAR[] NOT NULL,
    priorities VARCHAR[] NOT NULL,
    target_value DOUBLE,
    target_low DOUBLE,
    target_high DOUBLE,
    target_amber_tolerance DOUBLE,
    change_tolerance_percent DOUBLE NOT NULL,
    applies_from VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    retired_from VARCHAR,
    notes VARCHAR NOT NULL,
    definition_version INTEGER NOT NULL
);
-- Every version of every indicator definition ever loaded: nothing is deleted from here.
CREATE TABLE indicator_definitions (
    indicator_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    applies_from VARCHAR NOT NULL,
    content_sha256 VARCHAR NOT NULL,
    definition JSON NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (indicator_id, version)
);
CREATE TABLE population (
    population_id VARCHAR NOT NULL,
    financial_year VARCHAR NOT NULL,
    fy_start INTEGER NOT NULL,
    value BIGINT NOT NULL,
    as_at VARCHAR NOT NULL,
    derivation VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    licence VARCHAR NOT NULL
);
CREATE TABLE benchmarks (
    indicator_id VARCHAR NOT NULL,
    area VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    period_type VARCHAR NOT NULL,
    period_end DATE NOT NULL,
    value DOUBLE NOT NULL,
    published_value DOUBLE NOT NULL,
    published_unit VARCHAR NOT NULL,
    breakdown VARCHAR NOT NULL,
    breakdown_value VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    licence VARCHAR NOT NULL,
    note VARCHAR NOT NULL
);
-- What the catalogue and reference files held when last synced, so an unchanged start-up
-- writes nothing.
CREATE TABLE synced_sources (
    source VARCHAR PRIMARY KEY,
    content_sha256 VARCHAR NOT NULL,
    synced_at TIMESTAMP NOT NULL
);

-- Returns. Each accepted upload is a new version for its agency and quarter; the highest
-- version is the one in force for reporting.
CREATE SEQUENCE submission_ids START 1;
CREATE TABLE submissions (
    id BIGINT PRIMARY KEY DEFAULT nextval('submission_ids'),
    agency_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    rows_read INTEGER NOT NULL,
    submitted_by VARCHAR NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    warnings_confirmed BOOLEAN NOT NULL,
    UNIQUE (agency_id, period, version)
);
CREATE TABLE observations (
    submission_id BIGINT NOT NULL,
    indicator_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    breakdown VARCHAR NOT NULL DEFAULT 'All',
    breakdown_value VARCHAR NOT NULL DEFAULT 'All',
    numerator DOUBLE,
    denominator DOUBLE,
    value DOUBLE,
    -- NULL for a plain figure; otherwise the statistical symbol (c, x, z, low, u) or 'missing'.
    status VARCHAR,
    comment VARCHAR,
    source_row INTEGER NOT NULL,
    PRIMARY KEY (submission_id, indicator_id, period, breakdown, breakdown_value)
);
CREATE SEQUENCE evidence_ids START 1;
CREATE TABLE evidence (
    id BIGINT PRIMARY KEY DEFAULT nextval('evidence_ids'),
    submission_id BIGINT NOT NULL,
    theme_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    signs_of_safety VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    detail VARCHAR,
    period VARCHAR NOT NULL,
    source_row INTEGER NOT NULL
);
-- Analysts' narrative about a theme (and optionally one indicator) for a quarter.
CREATE SEQUENCE commentary_ids START 1;
CREATE TABLE commentary (
    id BIGINT PRIMARY KEY DEFAULT nextval('commentary_ids'),
    theme_id VARCHAR NOT NULL,
    indicator_id VARCHAR,
    period VARCHAR NOT NULL,
    signs_of_safety VARCHAR,
    body VARCHAR NOT NULL,
    written_by VARCHAR NOT NULL,
    written_at TIMESTAMP NOT NULL
);

-- Append-only: the store only ever inserts here. Never a cell value of a return.
CREATE SEQUENCE audit_ids START 1;
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
    happened_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    agency_id VARCHAR,
    period VARCHAR,
    file_name VARCHAR,
    file_sha256 VARCHAR,
    rows_read INTEGER,
    errors INTEGER,
    warnings INTEGER,
    outcome VARCHAR NOT NULL,
    detail VARCHAR
);
