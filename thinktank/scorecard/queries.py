"""The scorecard's SQL: common table expressions composed into two queries, SCORECARD (a
quarter's rows) and SERIES (one indicator's chart). Every figure is worked out in DuckDB,
never row by row in Python: values and each series' running XmR state in the store's
`series_points` table, the rest here.

Parameters: ``$period_index`` is the chosen quarter as `quarter_index` numbers it;
``$theme`` and ``$indicator`` narrow the work when they are not NULL.
"""

from itertools import pairwise

# How small a movement is "no significant change": percentages and 0-10 scores within half a
# point, every other unit within 2% of last quarter's figure.
DIRECTION_POINTS = 0.5
DIRECTION_SHARE = 0.02
# How close to a benchmark is "similar": within one point for percentages and scores, within
# 5% of the benchmark otherwise.
BENCHMARK_POINTS = 1.0
BENCHMARK_SHARE = 0.05
# Making Data Count's XmR constants: process limits at 2.66 average moving ranges from the
# mean (three sigma), and "near a limit" beyond two sigma, two-thirds of the way out.
PROCESS_LIMIT = 2.66
NEAR_LIMIT = PROCESS_LIMIT * 2 / 3
RUN_LENGTH = 7
TREND_LENGTH = 6
# A point this close to the mean (relative to it) is on the mean, on neither side: a figure that
# equals the mean must not count for a run because of the last bit of a floating-point sum.
ON_THE_MEAN = 1e-9
# Fewer points than this (in a segment: see `series_points`) give limits too unsteady to read
# signals from: such a segment has no mean, no limits and no signals.
SPC_MINIMUM_POINTS = 6


def _signal_sql(prefix: str) -> tuple[str, str]:
    """The rules met, in words, and the signal they make by polarity: shared by the per-point
    and latest-point SPC so that both read a series alike."""
    high = f"{prefix}above_limit OR {prefix}run_above OR {prefix}trend_up OR {prefix}two_of_three_upper"
    low = f"{prefix}below_limit OR {prefix}run_below OR {prefix}trend_down OR {prefix}two_of_three_lower"
    rules = f"""CASE WHEN {prefix}spc_assessed THEN concat_ws('; ',
            CASE WHEN {prefix}above_limit THEN 'above the upper limit' END,
            CASE WHEN {prefix}below_limit THEN 'below the lower limit' END,
            CASE WHEN {prefix}run_above THEN 'run of {RUN_LENGTH} or more above the mean' END,
            CASE WHEN {prefix}run_below THEN 'run of {RUN_LENGTH} or more below the mean' END,
            CASE WHEN {prefix}trend_up THEN 'trend of {TREND_LENGTH} or more rising' END,
            CASE WHEN {prefix}trend_down THEN 'trend of {TREND_LENGTH} or more falling' END,
            CASE WHEN {prefix}two_of_three_upper THEN '2 of 3 near the upper limit' END,
            CASE WHEN {prefix}two_of_three_lower THEN '2 of 3 near the lower limit' END
        ) ELSE '' END AS spc_rules"""
    signal = f"""CASE
            WHEN NOT {prefix}spc_assessed THEN 'not enough data'
            WHEN NOT ({high} OR {low}) THEN 'common cause'
            WHEN a.polarity = 'neutral' THEN 'neither'
            WHEN (a.polarity = 'higher_is_better' AND ({low}))
              OR (a.polarity = 'lower_is_better' AND ({high})) THEN 'concern'
            ELSE 'improvement'
        END AS spc_signal"""
    return rules, signal


RULES, CLASSIFICATION = _signal_sql("m.")
# The mean and limits shown: none where there are too few points to read them.
SHOWN_LIMITS = ", ".join(f"CASE WHEN m.spc_assessed THEN m.{column} END AS {column}"
                         for column in ("spc_mean", "spc_upper", "spc_lower"))


# Each indicator by the definition in force for the quarter (its target, polarity, theme...):
# a quarter three years ago reads as it did then.
ACTIVE_INDICATORS = """
active AS (
    SELECT i.* EXCLUDE (effective_from, from_index, to_index)
    FROM indicator_spans i
    WHERE i.from_index <= $period_index AND $period_index < i.to_index
      AND quarter_index(i.applies_from) <= $period_index
      AND (i.retired_from IS NULL OR $period_index < quarter_index(i.retired_from))
      AND ($theme IS NULL OR i.theme_id = $theme)
      AND ($indicator IS NULL OR i.id = $indicator)
)"""


# XmR chart of every series (an indicator and one breakdown group) up to the chosen quarter,
# with Making Data Count's four signals marked on each point. A series re-based at a quarter is
# read segment by segment: each point against its own segment's limits, and runs, trends and
# two of three only within a segment.
SPC = f"""
points AS (
    -- The active indicators' figures in force up to the quarter, from `series_points`: each
    -- with its value worked out and its series' XmR state so far.
    SELECT s.indicator_id, s.breakdown, s.breakdown_value, p.* EXCLUDE (indicator_id)
    FROM series_points p
    JOIN series s ON s.id = p.series_id
    SEMI JOIN active a ON a.id = p.indicator_id
    WHERE p.period_index <= $period_index AND ($breakdown IS NULL OR s.breakdown = $breakdown)
),
limits AS (
    -- The limits are those each segment's last point carries, drawn from every point of the
    -- segment up to it: the very numbers the scorecard reads, so that the two never disagree.
    SELECT series_id, segment,
        max_by(spc_points, period_index) AS spc_points,
        max_by(spc_mean, period_index) AS spc_mean,
        max_by(moving_range, period_index) AS moving_range
    FROM points
    WHERE value IS NOT NULL
    GROUP BY ALL
),
zoned AS (
    -- Each point against the limits, as 1 or 0, so that the windows below count them.
    SELECT p.indicator_id, p.period_index, p.value, l.*,
        spc_mean + {PROCESS_LIMIT} * moving_range AS spc_upper,
        spc_mean - {PROCESS_LIMIT} * moving_range AS spc_lower,
        (moving_range > 0 AND value - spc_mean > {ON_THE_MEAN} * greatest(1, abs(spc_mean)))::INTEGER AS above,
        (moving_range > 0 AND spc_mean - value > {ON_THE_MEAN} * greatest(1, abs(spc_mean)))::INTEGER AS below,
        coalesce(value > lag(value) OVER in_order, false)::INTEGER AS rose,
        coalesce(value < lag(value) OVER in_order, false)::INTEGER AS fell,
        (moving_range > 0 AND value > spc_mean + {NEAR_LIMIT} * moving_range)::INTEGER AS near_upper,
        (moving_range > 0 AND value < spc_mean - {NEAR_LIMIT} * moving_range)::INTEGER AS near_lower
    FROM (SELECT series_id, segment, indicator_id, period_index, value FROM points WHERE value IS NOT NULL) p
    JOIN limits l USING (series_id, segment)
    WINDOW in_order AS (PARTITION BY series_id, segment ORDER BY period_index)
),
ending_here AS (
    -- Whether the stretch ending at each point makes a run, a trend or two of three.
    SELECT *,
        sum(above) OVER run = {RUN_LENGTH} AS run_above_ends,
        sum(below) OVER run = {RUN_LENGTH} AS run_below_ends,
        -- A trend of six points is five steps the same way.
        sum(rose) OVER trend = {TREND_LENGTH - 1} AS trend_up_ends,
        sum(fell) OVER trend = {TREND_LENGTH - 1} AS trend_down_ends,
        sum(near_upper) OVER three >= 2 AS two_upper_ends,
        sum(near_lower) OVER three >= 2 AS two_lower_ends
    FROM zoned
    WINDOW run AS (PARTITION BY series_id, segment ORDER BY period_index ROWS {RUN_LENGTH - 1} PRECEDING),
           trend AS (PARTITION BY series_id, segment ORDER BY period_index ROWS {TREND_LENGTH - 2} PRECEDING),
           three AS (PARTITION BY series_id, segment ORDER BY period_index ROWS 2 PRECEDING)
),
marked AS (
    -- A point belongs to a stretch that ends at it or within the points after it.
    SELECT *,
        spc_points >= {SPC_MINIMUM_POINTS} AS spc_assessed,
        moving_range > 0 AND value > spc_upper AS above_limit,
        moving_range > 0 AND value < spc_lower AS below_limit,
        bool_or(run_above_ends) OVER run AS run_above,
        bool_or(run_below_ends) OVER run AS run_below,
        bool_or(trend_up_ends) OVER trend AS trend_up,
        bool_or(trend_down_ends) OVER trend AS trend_down,
        near_upper = 1 AND bool_or(two_upper_ends) OVER three AS two_of_three_upper,
        near_lower = 1 AND bool_or(two_lower_ends) OVER three AS two_of_three_lower
    FROM ending_here
    WINDOW run AS (PARTITION BY series_id, segment ORDER BY period_index ROWS BETWEEN CURRENT ROW AND {RUN_LENGTH - 1} FOLLOWING),
           trend AS (PARTITION BY series_id, segment ORDER BY period_index ROWS BETWEEN CURRENT ROW AND {TREND_LENGTH - 1} FOLLOWING),
           three AS (PARTITION BY series_id, segment ORDER BY period_index ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING)
),
classified AS (
    SELECT m.series_id, m.period_index, m.spc_points, {SHOWN_LIMITS},
        {RULES},
        {CLASSIFICATION}
    FROM marked m JOIN active a ON a.id = m.indicator_id
)"""


def _latest_and_prior(count: int) -> list[str]:
    """A series' latest value and the ones before it (`series_points`' `prior_1`, `prior_2`...),
    latest first: ``count`` in all."""
    return ["value", *(f"prior_{back}" for back in range(1, count))]


def _every(values: list[str], condition: str) -> str:
    # A stretch reaching back past the series' first point has a NULL in it: it is no stretch.
    return "coalesce(" + " AND ".join(condition.format(value=value) for value in values) + ", false)"


_OFF_THE_MEAN = f"{ON_THE_MEAN} * greatest(1, abs(spc_mean))"
_NEAR_UPPER = "{value} > spc_mean + " + f"{NEAR_LIMIT} * moving_range"
_NEAR_LOWER = "{value} < spc_mean - " + f"{NEAR_LIMIT} * moving_range"
_TREND_STEPS = list(pairwise(_latest_and_prior(TREND_LENGTH)))

# The same signals for the chosen quarter's point alone, which is all the scorecard needs, read
# from the point's own row in `series_points`, which carries the values of the six points
# before it in its segment: a run of 7 that includes the latest point is its last 7, a trend of
# 6 its last 6, and 2 of 3 is it and one of the two before, none reaching back past a re-base. The tests hold this to the point-by-point `SPC`
# above for every series they draw.
LATEST_SPC = f"""
latest_marked AS (
    SELECT series_id, indicator_id, spc_points, spc_mean,
        spc_mean + {PROCESS_LIMIT} * moving_range AS spc_upper,
        spc_mean - {PROCESS_LIMIT} * moving_range AS spc_lower,
        spc_points >= {SPC_MINIMUM_POINTS} AS spc_assessed,
        moving_range > 0 AND value > spc_mean + {PROCESS_LIMIT} * moving_range AS above_limit,
        moving_range > 0 AND value < spc_mean - {PROCESS_LIMIT} * moving_range AS below_limit,
        moving_range > 0
            AND {_every(_latest_and_prior(RUN_LENGTH), "{value} - spc_mean > " + _OFF_THE_MEAN)} AS run_above,
        moving_range > 0
            AND {_every(_latest_and_prior(RUN_LENGTH), "spc_mean - {value} > " + _OFF_THE_MEAN)} AS run_below,
        {_every([f"{later} > {earlier}" for later, earlier in _TREND_STEPS], "{value}")} AS trend_up,
        {_every([f"{later} < {earlier}" for later, earlier in _TREND_STEPS], "{value}")} AS trend_down,
        moving_range > 0 AND {_NEAR_UPPER.format(value="value")} AND coalesce(
            {_NEAR_UPPER.format(value="prior_1")} OR {_NEAR_UPPER.format(value="prior_2")}, false)
            AS two_of_three_upper,
        moving_range > 0 AND {_NEAR_LOWER.format(value="value")} AND coalesce(
            {_NEAR_LOWER.format(value="prior_1")} OR {_NEAR_LOWER.format(value="prior_2")}, false)
            AS two_of_three_lower
    FROM recent_points
    WHERE period_index = $period_index AND value IS NOT NULL
),
latest_spc AS (
    SELECT m.series_id, m.spc_points, {SHOWN_LIMITS},
        {RULES},
        {CLASSIFICATION}
    FROM latest_marked m JOIN active a ON a.id = m.indicator_id
)"""

# Benchmarks: for each indicator, group and area, the latest published at or before the
# quarter's end, one column per area.
BENCHMARKS = """
benchmark_values AS (
    SELECT indicator_id, breakdown, breakdown_value,
        arg_max(value, period_end) FILTER (WHERE area = 'England') AS england_value,
        arg_max(value, period_end) FILTER (WHERE area = 'North East') AS north_east_value,
        arg_max(value, period_end) FILTER (WHERE area = 'Statistical neighbours') AS neighbours_value
    FROM benchmarks
    WHERE period_end <= quarter_end($period_index)
    GROUP BY ALL
)"""


def _position(area_column: str) -> str:
    """Better, similar or worse than a benchmark, read through the polarity."""
    return f"""CASE
            WHEN c.value IS NULL OR {area_column} IS NULL THEN NULL
            WHEN abs(c.value - {area_column}) <= CASE WHEN c.unit IN ('percent', 'score')
                 THEN {BENCHMARK_POINTS} ELSE {BENCHMARK_SHARE} * abs({area_column}) END THEN 'similar'
            WHEN c.polarity = 'neutral' THEN 'not assessed'
            WHEN (c.value > {area_column}) = (c.polarity = 'higher_is_better') THEN 'better'
            ELSE 'worse'
        END"""


def _value_in(quarters_back: int) -> str:
    return f"max(value) FILTER (WHERE period_index = $period_index - {quarters_back})"


SCORECARD = f"""
WITH {ACTIVE_INDICATORS},
-- The last eight quarters are all the scorecard reads: each series' XmR state so far is on its
-- latest point's row.
-- Read afresh by each part that needs it, not stored in between: the quarter's own rows are a
-- small part of the table.
recent_points AS NOT MATERIALIZED (
    SELECT p.*
    FROM series_points p
    SEMI JOIN active a ON a.id = p.indicator_id
    WHERE p.period_index > $period_index - 8 AND p.period_index <= $period_index
),
history AS (
    SELECT series_id,
        -- The sparkline: the last eight quarters, oldest first, a gap (NULL) where there is no value.
        [{", ".join(_value_in(back) for back in range(7, -1, -1))}] AS recent_values,
        bool_or(period_index = $period_index) AS in_force,
        bool_or(period_index = $period_index - 1) AS previous_in_force,
        {_value_in(1)} AS previous_value,
        max(status) FILTER (WHERE period_index = $period_index - 1) AS previous_given_status,
        {_value_in(4)} AS last_year_value
    FROM recent_points
    GROUP BY ALL
),
{LATEST_SPC},
{BENCHMARKS},
rows_shown AS (
    -- Every active indicator has a whole-area row, missing or not, and each breakdown group
    -- reported for the quarter has its own.
    SELECT a.id AS indicator_id, 'All' AS breakdown, 'All' AS breakdown_value, s.id AS series_id
    FROM active a
    LEFT JOIN series s ON s.indicator_id = a.id AND s.breakdown = 'All' AND s.breakdown_value = 'All'
    UNION ALL
    SELECT s.indicator_id, s.breakdown, s.breakdown_value, s.id
    FROM history h
    JOIN series s ON s.id = h.series_id
    WHERE h.in_force AND NOT (s.breakdown = 'All' AND s.breakdown_value = 'All')
),
current AS (
    SELECT r.indicator_id, r.breakdown, r.breakdown_value, r.series_id,
        a.theme_id AS theme, a.name, a.unit, a.polarity, a.owner_id AS owner, a.priorities,
        a.target_value, a.target_low, a.target_high, a.target_amber_tolerance,
        now.value,
        coalesce(now.status, CASE WHEN now.indicator_id IS NULL THEN 'missing'
                                  WHEN now.value IS NULL THEN 'count only' END) AS status,
        now.numerator, now.denominator, now.comment,
        h.previous_value,
        -- Nothing in force last quarter is a missing return, unless the data or the indicator
        -- starts this quarter: then there is no earlier quarter to have sent.
        coalesce(h.previous_given_status, CASE WHEN h.previous_in_force IS NOT TRUE THEN
            CASE WHEN $period_index <= greatest(quarter_index(a.applies_from),
                    (SELECT min(quarter_index(period)) FROM submissions_in_force))
                 THEN 'no earlier quarter' ELSE 'missing' END END) AS previous_status,
        h.last_year_value,
        coalesce(h.recent_values, list_transform(range(8), lambda quarter: NULL::DOUBLE)) AS recent_values,
        b.england_value, b.north_east_value, b.neighbours_value
    FROM rows_shown r
    JOIN active a ON a.id = r.indicator_id
    LEFT JOIN recent_points now ON now.series_id = r.series_id AND now.period_index = $period_index
    LEFT JOIN history h ON h.series_id = r.series_id
    LEFT JOIN benchmark_values b ON b.indicator_id = r.indicator_id AND b.breakdown = r.breakdown
         AND b.breakdown_value = r.breakdown_value
)
SELECT
    c.indicator_id, c.name, c.theme, quarter_label($period_index) AS period,
    c.breakdown, c.breakdown_value, c.unit, c.polarity, c.owner, c.priorities,
    c.value, c.status, c.numerator, c.denominator, c.comment,
    c.previous_value, c.previous_status, c.last_year_value,
    c.value - c.previous_value AS change,
    c.value - c.last_year_value AS change_from_last_year,
    CASE
        WHEN c.value IS NULL OR c.previous_value IS NULL THEN NULL
        WHEN abs(c.value - c.previous_value) <= CASE WHEN c.unit IN ('percent', 'score')
             THEN {DIRECTION_POINTS} ELSE {DIRECTION_SHARE} * abs(c.previous_value) END
             THEN 'no significant change'
        WHEN c.value > c.previous_value THEN 'up'
        ELSE 'down'
    END AS movement,
    CASE
        WHEN c.value IS NULL OR c.previous_value IS NULL THEN 'not assessed'
        WHEN abs(c.value - c.previous_value) <= CASE WHEN c.unit IN ('percent', 'score')
             THEN {DIRECTION_POINTS} ELSE {DIRECTION_SHARE} * abs(c.previous_value) END
             THEN 'no significant change'
        WHEN c.polarity = 'neutral' THEN 'not assessed'
        WHEN (c.value > c.previous_value) = (c.polarity = 'higher_is_better') THEN 'improving'
        ELSE 'declining'
    END AS direction,
    c.target_value, c.target_low, c.target_high, c.target_amber_tolerance,
    CASE
        WHEN c.value IS NULL THEN 'no data'
        WHEN c.target_value IS NULL AND c.target_low IS NULL THEN 'no target'
        WHEN c.polarity = 'higher_is_better' THEN CASE
            WHEN c.value >= c.target_value THEN 'green'
            WHEN c.value >= c.target_value - c.target_amber_tolerance THEN 'amber' ELSE 'red' END
        WHEN c.polarity = 'lower_is_better' THEN CASE
            WHEN c.value <= c.target_value THEN 'green'
            WHEN c.value <= c.target_value + c.target_amber_tolerance THEN 'amber' ELSE 'red' END
        ELSE CASE
            WHEN c.value BETWEEN c.target_low AND c.target_high THEN 'green'
            WHEN c.value BETWEEN c.target_low - c.target_amber_tolerance
                             AND c.target_high + c.target_amber_tolerance THEN 'amber'
            ELSE 'red' END
    END AS rag,
    c.england_value, {_position("c.england_value")} AS england_position,
    c.north_east_value, {_position("c.north_east_value")} AS north_east_position,
    c.neighbours_value, {_position("c.neighbours_value")} AS neighbours_position,
    coalesce(s.spc_signal, CASE WHEN c.value IS NULL THEN 'not assessed' ELSE 'not enough data' END) AS spc_signal,
    coalesce(s.spc_rules, '') AS spc_rules,
    s.spc_mean, s.spc_lower, s.spc_upper, coalesce(s.spc_points, 0) AS spc_points,
    c.recent_values
FROM current c
LEFT JOIN latest_spc s ON s.series_id = c.series_id
JOIN themes t ON t.id = c.theme
LEFT JOIN breakdowns b ON b.name = c.breakdown
ORDER BY t.number, c.indicator_id, c.breakdown <> 'All', c.breakdown,
    list_position(b.allowed_values, c.breakdown_value), c.breakdown_value
"""

# One indicator's whole series (every breakdown group, or one), each quarter from its first
# figure to the chosen one, with its chart's SPC lines: each quarter carries its segment's mean
# and limits (none where the segment has too few points), and a re-base quarter its reason. A
# quarter with nothing in force is a row with status "missing", so that a chart shows it as a gap.
SERIES = f"""
WITH {ACTIVE_INDICATORS},
{SPC},
firsts AS (
    SELECT indicator_id, breakdown, breakdown_value, min(period_index) AS first_index
    FROM points
    GROUP BY ALL
),
spans AS (
    SELECT indicator_id, breakdown, breakdown_value,
           unnest(range(first_index, $period_index + 1)) AS period_index
    FROM firsts
),
segmented_spans AS (
    -- Each quarter's segment, as `series_points` numbers them, gaps included.
    SELECT q.*, coalesce(r.segment, 0) AS segment,
        CASE WHEN r.starts_at = q.period_index THEN r.reason END AS rebase_reason
    FROM spans q
    ASOF LEFT JOIN spc_segments r ON r.indicator_id = q.indicator_id AND q.period_index >= r.starts_at
)
SELECT q.indicator_id, quarter_label(q.period_index) AS period, q.period_index,
    q.breakdown, q.breakdown_value, f.value,
    CASE
        WHEN f.indicator_id IS NULL THEN 'missing'
        WHEN f.value IS NULL AND f.status IS NULL THEN 'count only'
        ELSE f.status
    END AS status,
    f.numerator, f.denominator, f.comment,
    q.segment, q.rebase_reason,
    max(s.spc_mean) OVER segment AS spc_mean, max(s.spc_lower) OVER segment AS spc_lower,
    max(s.spc_upper) OVER segment AS spc_upper, coalesce(max(s.spc_points) OVER segment, 0) AS spc_points,
    CASE WHEN f.value IS NULL THEN 'not assessed' ELSE s.spc_signal END AS spc_signal,
    coalesce(s.spc_rules, '') AS spc_rules
FROM segmented_spans q
LEFT JOIN points f USING (indicator_id, breakdown, breakdown_value, period_index)
LEFT JOIN classified s ON s.series_id = f.series_id AND s.period_index = q.period_index
LEFT JOIN breakdowns b ON b.name = q.breakdown
WINDOW segment AS (PARTITION BY q.indicator_id, q.breakdown, q.breakdown_value, q.segment)
ORDER BY q.breakdown <> 'All', q.breakdown, list_position(b.allowed_values, q.breakdown_value),
    q.breakdown_value, q.period_index
"""
