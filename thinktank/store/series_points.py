"""The `series_points` table: every figure in force with its value worked out and its
series' XmR state up to it within its segment (see migrations 005 and 007).

It is derived data, rewritten in the same transaction as whatever it derives from: a stored
return or a re-base added or removed rewrites the series of the indicators it touches, and a
change to the catalogue or the population, or a new schema, rewrites them all. The scorecard
then reads one quarter's rows rather than the whole history of every series.
"""

from __future__ import annotations

import duckdb

# Counts are made percentages or rates by the one definition of a figure (migration 006).
_POINTS = """
-- Each quarter's figure is worked out by the definition in force then (its unit, its population).
WITH chosen AS (
    SELECT id, unit, population_id, from_index, to_index FROM indicator_spans
    WHERE $indicator_ids IS NULL OR list_contains($indicator_ids, id)
),
-- Each financial year's population for every population an indicator uses: that year's
-- figure, or the latest before it.
population_years AS (
    SELECT years.population_id, years.fy_start, population.value
    FROM (
        SELECT DISTINCT c.population_id, year.fy_start
        FROM chosen c,
             range((SELECT min(fy_start) FROM population),
                   (SELECT coalesce(max(period_index), 0) // 4 + 1 FROM observations)) AS year(fy_start)
        WHERE c.population_id IS NOT NULL
    ) AS years
    ASOF LEFT JOIN population
      ON population.population_id = years.population_id AND years.fy_start >= population.fy_start
),
figures AS (
    SELECT s.id AS series_id, o.indicator_id, o.period_index, o.numerator, o.denominator, o.status, o.comment,
        figure_value(c.unit, o.value, o.numerator, o.denominator, o.status, o.breakdown, p.value) AS value
    FROM observations_in_force o
    JOIN chosen c ON c.id = o.indicator_id AND c.from_index <= o.period_index AND o.period_index < c.to_index
    JOIN series s ON s.indicator_id = o.indicator_id AND s.breakdown = o.breakdown
         AND s.breakdown_value = o.breakdown_value
    LEFT JOIN population_years p ON p.population_id = c.population_id AND p.fy_start = o.period_index // 4
),
-- Each value's segment: the number of its indicator's latest re-base at or before its quarter
-- (0 before the first). The windows restart at a re-base, so that the mean, the moving range
-- (which never spans the change) and the prior values are the segment's own. Worked out once per
-- indicator and quarter (a few thousand rows) and joined to the figures by equality: an ASOF join
-- of every figure against the re-bases sorted every figure (5 million at 100x) for it.
segment_of AS (
    SELECT q.indicator_id, q.period_index, coalesce(r.segment, 0) AS segment
    FROM (
        SELECT c.id AS indicator_id, quarter.period_index
        FROM (SELECT DISTINCT id FROM chosen) c,
             range((SELECT min(period_index) FROM observations),
                   (SELECT max(period_index) + 1 FROM observations)) AS quarter(period_index)
    ) AS q
    ASOF LEFT JOIN spc_segments r ON r.indicator_id = q.indicator_id AND q.period_index >= r.starts_at
),
segmented AS (
    SELECT f.series_id, f.period_index, f.value, r.segment
    FROM figures f
    JOIN segment_of r ON r.indicator_id = f.indicator_id AND r.period_index = f.period_index
    WHERE f.value IS NOT NULL
),
-- Only the values go through the window passes: the figures' other columns are joined back
-- after, which is quicker than sorting them with the windows.
stepped AS (
    SELECT series_id, period_index, segment,
        value - lag(value) OVER in_order AS step,
        count(*) OVER in_order AS spc_points,
        avg(value) OVER in_order AS spc_mean,
        lag(value, 1) OVER in_order AS prior_1,
        lag(value, 2) OVER in_order AS prior_2,
        lag(value, 3) OVER in_order AS prior_3,
        lag(value, 4) OVER in_order AS prior_4,
        lag(value, 5) OVER in_order AS prior_5,
        lag(value, 6) OVER in_order AS prior_6
    FROM segmented
    WINDOW in_order AS (PARTITION BY series_id, segment ORDER BY period_index)
),
state AS (
    SELECT * EXCLUDE (step),
        avg(abs(step)) OVER (PARTITION BY series_id, segment ORDER BY period_index) AS moving_range
    FROM stepped
)
SELECT f.series_id, f.indicator_id, f.period_index, f.numerator, f.denominator, f.status, f.comment,
    f.value, s.spc_points, s.spc_mean, s.moving_range,
    s.prior_1, s.prior_2, s.prior_3, s.prior_4, s.prior_5, s.prior_6, s.segment
FROM figures f
LEFT JOIN state s USING (series_id, period_index)
-- In no particular order: sorting the rows into quarter order cost a sixth of the work, and the
-- scorecard and the charts read as fast from the table unsorted (bench/RESULTS.md, 4 December 2026).
"""

# The most figures one statement works out. Every series at 100x (5 million figures) in one
# statement held them all in its sorts and joins at once, a peak of 1.7 GiB, and under the store's
# memory cap (`thinktank.store.MEMORY`) spilled to disk; in batches of whole indicators of about a
# million figures each it fits under the cap, in the same time.
BATCH_FIGURES = 1_000_000

_FIGURES_BY_INDICATOR = """
SELECT indicator_id, count(*) FROM observations
WHERE $indicator_ids IS NULL OR list_contains($indicator_ids, indicator_id)
GROUP BY indicator_id ORDER BY indicator_id
"""

_NEW_SERIES = """
INSERT INTO series (indicator_id, breakdown, breakdown_value)
SELECT DISTINCT indicator_id, breakdown, breakdown_value
FROM observations
WHERE $indicator_ids IS NULL OR list_contains($indicator_ids, indicator_id)
EXCEPT
SELECT indicator_id, breakdown, breakdown_value FROM series
"""


def refresh_series_points(cursor: duckdb.DuckDBPyConnection, indicator_ids: list[str] | None = None) -> None:
    """Rewrite the rows of these indicators' series (every indicator's when None) from the
    figures in force. The caller holds the transaction, so that the table never disagrees
    with the data it is made from."""
    parameters = {"indicator_ids": indicator_ids}
    cursor.execute(_NEW_SERIES, parameters)
    cursor.execute(
        "DELETE FROM series_points WHERE $indicator_ids IS NULL OR list_contains($indicator_ids, indicator_id)",
        parameters,
    )
    for batch in _batches(cursor, indicator_ids):
        # By name: the columns later migrations add sit at the table's end.
        cursor.execute(f"INSERT INTO series_points BY NAME {_POINTS}", {"indicator_ids": batch})


def _batches(cursor: duckdb.DuckDBPyConnection, indicator_ids: list[str] | None) -> list[list[str]]:
    """The indicators with figures, in runs of whole indicators of at most `BATCH_FIGURES`
    figures each (counting every version), except an indicator that has more on its own."""
    batches: list[list[str]] = []
    size = BATCH_FIGURES
    for indicator_id, figures in cursor.execute(_FIGURES_BY_INDICATOR, {"indicator_ids": indicator_ids}).fetchall():
        if size + figures > BATCH_FIGURES:
            batches.append([])
            size = 0
        batches[-1].append(indicator_id)
        size += figures
    return batches


def indicators_in_returns(cursor: duckdb.DuckDBPyConnection, agency_id: str, periods: list[str]) -> list[str]:
    """Every indicator that any version of the agency's returns for these quarters gives: the
    series a new version may change, by adding, altering or dropping a figure."""
    return [
        indicator_id for (indicator_id,) in cursor.execute(
            """
            SELECT DISTINCT o.indicator_id
            FROM observations o JOIN submissions s ON s.id = o.submission_id
            WHERE s.agency_id = ? AND list_contains(?, s.period)
            ORDER BY 1
            """,
            [agency_id, periods],
        ).fetchall()
    ]
