-- Re-bases, as NHS England's Making Data Count has them: an analyst's mark that an indicator's
-- process changed from a quarter (a restructure, a new definition, a new system), with the
-- reason. From that quarter on, every series of the indicator starts a new segment with a mean
-- and moving range of its own, and signals are read within a segment, never across the change.
-- Adding or removing one is audited; a removed re-base is deleted (the audit log keeps it).
CREATE SEQUENCE spc_rebase_ids START 1;
CREATE TABLE spc_rebases (
    id INTEGER PRIMARY KEY DEFAULT nextval('spc_rebase_ids'),
    indicator_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    recorded_by VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (indicator_id, period)
);

-- Each re-base numbered within its indicator, in quarter order: a figure's segment is the number
-- of the latest re-base at or before its quarter, 0 before the first.
CREATE VIEW spc_segments AS
SELECT indicator_id, quarter_index(period) AS starts_at, period, reason,
    row_number() OVER (PARTITION BY indicator_id ORDER BY quarter_index(period)) AS segment
FROM spc_rebases;

-- The segment a point's XmR state is worked out within (NULL, as the rest of that state is,
-- when the point has no value). Rewritten with the points whenever a re-base is added or removed.
ALTER TABLE series_points ADD COLUMN segment INTEGER;
