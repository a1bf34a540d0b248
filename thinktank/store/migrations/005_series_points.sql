-- Every series: an indicator and one breakdown group ('All', 'All' for the whole area), numbered
-- so that millions of figures are grouped and ordered by a number rather than three texts. A
-- number once given stays with its series.
CREATE SEQUENCE series_ids START 1;
CREATE TABLE series (
    id INTEGER PRIMARY KEY DEFAULT nextval('series_ids'),
    indicator_id VARCHAR NOT NULL,
    breakdown VARCHAR NOT NULL,
    breakdown_value VARCHAR NOT NULL,
    UNIQUE (indicator_id, breakdown, breakdown_value)
);

-- Every figure in force, one row per series and quarter, with its value worked out and its
-- series' XmR state up to and including it. Kept by the store whenever returns, the catalogue
-- or the population change (series_points.py), so that the scorecard reads a quarter's rows
-- instead of every series' whole history.
CREATE TABLE series_points (
    series_id INTEGER NOT NULL,
    indicator_id VARCHAR NOT NULL,
    period_index INTEGER NOT NULL,
    numerator DOUBLE,
    denominator DOUBLE,
    status VARCHAR,
    comment VARCHAR,
    -- The figure given, or worked out from counts; NULL when suppressed or not worked out.
    value DOUBLE,
    -- The rest are NULL unless value is set. Points with a value up to and including this one:
    spc_points INTEGER,
    spc_mean DOUBLE,
    -- The mean moving range between consecutive points (NULL for a series' first point).
    moving_range DOUBLE,
    -- The series' previous six values (skipping quarters without one), latest first: all that
    -- the run, trend and two-of-three rules read back from a series' latest point.
    prior_1 DOUBLE,
    prior_2 DOUBLE,
    prior_3 DOUBLE,
    prior_4 DOUBLE,
    prior_5 DOUBLE,
    prior_6 DOUBLE
);
