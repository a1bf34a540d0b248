"""The scorecard's SQL: common table expressions composed into two queries, SCORECARD (a
quarter's rows) and SERIES (one indicator's chart). Every figure is worked out in DuckDB,
never row by row in Python.

Parameters: ``$period_index`` is the chosen quarter as `quarter_index` numbers it;
``$theme`` and ``$indicator`` narrow the work when they are not NULL.
"""

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
# Fewer points than this give limits too unsteady to read signals from.
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


ACTIVE_INDICATORS = """
active AS (
    SELECT i.*
    FROM indicators i
    WHERE quarter_index(i.applies_from) <= $period_index
      AND (i.retired_from IS NULL OR $period_index < quarter_index(i.retired_from))
      AND ($theme IS NULL OR i.theme_id = $theme)
      AND ($indicator IS NULL OR i.id = $indicator)
)"""

# The population each rate needs, for every financial year up to the chosen quarter's: that
# year's figure, or the latest before it. A handful of rows, worked out once per query.
POPULATION_YEARS = """
population_years AS (
    SELECT years.population_id, years.fy_start, population.value
    FROM (
        SELECT DISTINCT a.population_id, year.fy_start
        FROM active a,
             range((SELECT min(fy_start) FROM population), $period_index // 4 + 1) AS year(fy_start)
        WHERE a.population_id IS NOT NULL
    ) AS years
    ASOF LEFT JOIN population
      ON population.population_id = years.population_id AND years.fy_start >= population.fy_start
)"""


def figures_from(condition: str = "true") -> str:
    """Every figure in force up to the chosen quarter (and meeting ``condition``), its value
    worked out where the return gave counts. A suppressed or unavailable figure has no value:
    its status says why. A query, not a shared table, so that DuckDB streams millions of
    figures into whatever uses them rather than storing them in between."""
    return f"""
    SELECT o.indicator_id, o.breakdown, o.breakdown_value, o.period_index, o.numerator,
        o.denominator, o.status, o.comment,
        CASE
            WHEN o.status IN ('c', 'x', 'z', 'low') THEN NULL
            WHEN o.value IS NOT NULL THEN o.value
            WHEN a.unit = 'percent' AND o.denominator > 0 THEN o.numerator / o.denominator * 100
            WHEN a.unit = 'rate_per_10k' AND o.denominator > 0 THEN o.numerator / o.denominator * 10000
            -- The population is the whole area's, so only the whole-area figure is a rate of it.
            WHEN a.unit = 'rate_per_10k' AND o.denominator IS NULL AND o.breakdown = 'All'
                 AND p.value > 0 THEN o.numerator / p.value * 10000
        END AS value
    FROM observations_in_force o
    JOIN active a ON a.id = o.indicator_id
    LEFT JOIN population_years p ON p.population_id = a.population_id AND p.fy_start = o.period_index // 4
    WHERE o.period_index <= $period_index AND {condition}"""


FIGURES = f"""
{POPULATION_YEARS},
figures AS ({figures_from()}
)"""

# XmR chart of every series (an indicator and one breakdown group) up to the chosen quarter,
# with Making Data Count's four signals marked on each point.
SPC = f"""
series AS (
    SELECT indicator_id, breakdown, breakdown_value, period_index, value,
           row_number() OVER key_in_order AS point,
           value - lag(value) OVER key_in_order AS step
    FROM figures
    WHERE value IS NOT NULL
    WINDOW key_in_order AS (PARTITION BY indicator_id, breakdown, breakdown_value ORDER BY period_index)
),
limits AS (
    SELECT *,
        count(*) OVER whole AS spc_points,
        avg(value) OVER whole AS spc_mean,
        avg(abs(step)) OVER whole AS moving_range
    FROM series
    WINDOW whole AS (PARTITION BY indicator_id, breakdown, breakdown_value)
),
zoned AS (
    SELECT *,
        spc_mean + {PROCESS_LIMIT} * moving_range AS spc_upper,
        spc_mean - {PROCESS_LIMIT} * moving_range AS spc_lower,
        CASE WHEN moving_range > 0 AND abs(value - spc_mean) > {ON_THE_MEAN} * greatest(1, abs(spc_mean))
             THEN sign(value - spc_mean) ELSE 0 END AS side,
        sign(step) AS step_direction,
        moving_range > 0 AND value > spc_mean + {NEAR_LIMIT} * moving_range AS near_upper,
        moving_range > 0 AND value < spc_mean - {NEAR_LIMIT} * moving_range AS near_lower
    FROM limits
),
islands AS (
    SELECT *,
        point - row_number() OVER (PARTITION BY indicator_id, breakdown, breakdown_value, side
                                   ORDER BY period_index) AS run_island,
        point - row_number() OVER (PARTITION BY indicator_id, breakdown, breakdown_value, step_direction
                                   ORDER BY period_index) AS trend_island,
        sum(near_upper::INTEGER) OVER last_three AS near_upper_in_three,
        sum(near_lower::INTEGER) OVER last_three AS near_lower_in_three
    FROM zoned
    WINDOW last_three AS (PARTITION BY indicator_id, breakdown, breakdown_value ORDER BY period_index
                          ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
),
stretches AS (
    SELECT *,
        CASE WHEN side <> 0
             THEN count(*) OVER (PARTITION BY indicator_id, breakdown, breakdown_value, side, run_island)
             ELSE 0 END AS run_length,
        CASE WHEN step_direction <> 0
             THEN count(*) OVER (PARTITION BY indicator_id, breakdown, breakdown_value, step_direction, trend_island)
             ELSE 0 END AS trend_steps
    FROM islands
),
marked AS (
    SELECT *,
        spc_points >= {SPC_MINIMUM_POINTS} AS spc_assessed,
        moving_range > 0 AND value > spc_upper AS above_limit,
        moving_range > 0 AND value < spc_lower AS below_limit,
        run_length >= {RUN_LENGTH} AND side > 0 AS run_above,
        run_length >= {RUN_LENGTH} AND side < 0 AS run_below,
        -- A trend of six points is five steps the same way; a point belongs to it if the step
        -- into it or the step out of it is one of them.
        (trend_steps >= {TREND_LENGTH - 1} AND step_direction > 0)
            OR coalesce(lead(trend_steps) OVER key_in_order >= {TREND_LENGTH - 1}
                        AND lead(step_direction) OVER key_in_order > 0, false) AS trend_up,
        (trend_steps >= {TREND_LENGTH - 1} AND step_direction < 0)
            OR coalesce(lead(trend_steps) OVER key_in_order >= {TREND_LENGTH - 1}
                        AND lead(step_direction) OVER key_in_order < 0, false) AS trend_down,
        -- Two of three: this point is near the limit, and so is another within a run of three.
        near_upper AND max(near_upper_in_three) OVER next_three >= 2 AS two_of_three_upper,
        near_lower AND max(near_lower_in_three) OVER next_three >= 2 AS two_of_three_lower
    FROM stretches
    WINDOW key_in_order AS (PARTITION BY indicator_id, breakdown, breakdown_value ORDER BY period_index),
           next_three AS (PARTITION BY indicator_id, breakdown, breakdown_value ORDER BY period_index
                          ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING)
),
classified AS (
    SELECT m.indicator_id, m.breakdown, m.breakdown_value, m.period_index,
        m.spc_points, m.spc_mean, m.spc_upper, m.spc_lower,
        {RULES},
        {CLASSIFICATION}
    FROM marked m JOIN active a ON a.id = m.indicator_id
)"""

# The same signals for the chosen quarter's point alone, which is all the scorecard needs:
# one pass that gathers each series into an ordered list, instead of a window pass per rule.
# A run of 7 that includes the last point is its last 7 points; a trend of 6 ending there is
# its last 5 steps; 2 of 3 is the last point and one of the two before it. The tests hold this
# to the point-by-point `SPC` above for every series they draw.
LATEST_SPC = f"""
series_lists AS (
    SELECT indicator_id, breakdown, breakdown_value,
           list(value ORDER BY period_index) AS points,
           list(period_index ORDER BY period_index) AS point_quarters,
           max(period_index) AS last_index
    FROM ({figures_from()}
    ) AS history
    WHERE value IS NOT NULL
    GROUP BY ALL
),
list_limits AS (
    SELECT *, len(points) AS spc_points, list_avg(points) AS spc_mean,
        list_avg(list_transform(list_zip(list_slice(points, 1, -2), list_slice(points, 2, -1)),
                                lambda pair: abs(pair[2] - pair[1]))) AS moving_range,
        points[-1] AS latest
    FROM series_lists
    WHERE last_index = $period_index
),
latest_marked AS (
    SELECT *,
        spc_mean + {PROCESS_LIMIT} * moving_range AS spc_upper,
        spc_mean - {PROCESS_LIMIT} * moving_range AS spc_lower,
        spc_points >= {SPC_MINIMUM_POINTS} AS spc_assessed,
        moving_range > 0 AND latest > spc_mean + {PROCESS_LIMIT} * moving_range AS above_limit,
        moving_range > 0 AND latest < spc_mean - {PROCESS_LIMIT} * moving_range AS below_limit,
        moving_range > 0 AND spc_points >= {RUN_LENGTH}
            AND list_bool_and(list_transform(points[-{RUN_LENGTH}:],
                lambda point: point - spc_mean > {ON_THE_MEAN} * greatest(1, abs(spc_mean)))) AS run_above,
        moving_range > 0 AND spc_points >= {RUN_LENGTH}
            AND list_bool_and(list_transform(points[-{RUN_LENGTH}:],
                lambda point: spc_mean - point > {ON_THE_MEAN} * greatest(1, abs(spc_mean)))) AS run_below,
        spc_points >= {TREND_LENGTH} AND list_bool_and(list_transform(
            list_zip(list_slice(points[-{TREND_LENGTH}:], 1, -2), list_slice(points[-{TREND_LENGTH}:], 2, -1)),
            lambda pair: pair[2] > pair[1])) AS trend_up,
        spc_points >= {TREND_LENGTH} AND list_bool_and(list_transform(
            list_zip(list_slice(points[-{TREND_LENGTH}:], 1, -2), list_slice(points[-{TREND_LENGTH}:], 2, -1)),
            lambda pair: pair[2] < pair[1])) AS trend_down,
        moving_range > 0 AND latest > spc_mean + {NEAR_LIMIT} * moving_range
            AND len(list_filter(points[-3:-2], lambda point: point > spc_mean + {NEAR_LIMIT} * moving_range)) >= 1
            AS two_of_three_upper,
        moving_range > 0 AND latest < spc_mean - {NEAR_LIMIT} * moving_range
            AND len(list_filter(points[-3:-2], lambda point: point < spc_mean - {NEAR_LIMIT} * moving_range)) >= 1
            AS two_of_three_lower
    FROM list_limits
),
latest_spc AS (
    SELECT m.indicator_id, m.breakdown, m.breakdown_value, m.spc_points, m.spc_mean, m.spc_upper, m.spc_lower,
        {RULES},
        {CLASSIFICATION}
    FROM latest_marked m JOIN active a ON a.id = m.indicator_id
)"""

# Benchmarks: for each indicator and area, the latest published at or before the quarter's end.
BENCHMARKS = """
latest_benchmarks AS (
    SELECT indicator_id, breakdown, breakdown_value, area, arg_max(value, period_end) AS value,
           arg_max(period, period_end) AS benchmark_period
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


SCORECARD = f"""
WITH {ACTIVE_INDICATORS},
{POPULATION_YEARS},
-- The last eight quarters are all the scorecard reads figure by figure; the whole history
-- goes only into each series' SPC list.
figures AS ({figures_from("o.period_index > $period_index - 8")}
),
{LATEST_SPC},
{BENCHMARKS},
rows_shown AS (
    -- Every active indicator has a whole-area row, missing or not, and each breakdown group
    -- reported for the quarter has its own.
    SELECT id AS indicator_id, 'All' AS breakdown, 'All' AS breakdown_value FROM active
    UNION
    SELECT indicator_id, breakdown, breakdown_value FROM figures WHERE period_index = $period_index
),
current AS (
    SELECT r.indicator_id, r.breakdown, r.breakdown_value,
        a.theme_id AS theme, a.name, a.unit, a.polarity, a.owner_id AS owner, a.priorities,
        a.target_value, a.target_low, a.target_high, a.target_amber_tolerance,
        now.value,
        coalesce(now.status, CASE WHEN now.indicator_id IS NULL THEN 'missing'
                                  WHEN now.value IS NULL THEN 'count only' END) AS status,
        now.numerator, now.denominator, now.comment,
        before.value AS previous_value,
        coalesce(before.status, CASE WHEN before.indicator_id IS NULL THEN 'missing' END) AS previous_status,
        last_year.value AS last_year_value
    FROM rows_shown r
    JOIN active a ON a.id = r.indicator_id
    LEFT JOIN figures now ON now.indicator_id = r.indicator_id AND now.breakdown = r.breakdown
         AND now.breakdown_value = r.breakdown_value AND now.period_index = $period_index
    LEFT JOIN figures before ON before.indicator_id = r.indicator_id AND before.breakdown = r.breakdown
         AND before.breakdown_value = r.breakdown_value AND before.period_index = $period_index - 1
    LEFT JOIN figures last_year ON last_year.indicator_id = r.indicator_id AND last_year.breakdown = r.breakdown
         AND last_year.breakdown_value = r.breakdown_value AND last_year.period_index = $period_index - 4
),
recent AS (
    -- The last eight quarters, oldest first, a gap (NULL) where there is no value: the
    -- sparkline, read from each series' list of points.
    SELECT r.indicator_id, r.breakdown, r.breakdown_value,
        list_transform(range($period_index - 7, $period_index + 1),
                       lambda quarter: l.points[list_position(l.point_quarters, quarter)]) AS recent_values
    FROM rows_shown r
    LEFT JOIN series_lists l ON l.indicator_id = r.indicator_id AND l.breakdown = r.breakdown
         AND l.breakdown_value = r.breakdown_value
),
benchmarked AS (
    SELECT c.*,
        max(b.value) FILTER (WHERE b.area = 'England') AS england_value,
        max(b.value) FILTER (WHERE b.area = 'North East') AS north_east_value,
        max(b.value) FILTER (WHERE b.area = 'Statistical neighbours') AS neighbours_value
    FROM current c
    LEFT JOIN latest_benchmarks b ON b.indicator_id = c.indicator_id AND b.breakdown = c.breakdown
         AND b.breakdown_value = c.breakdown_value
    GROUP BY ALL
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
    recent.recent_values
FROM benchmarked c
LEFT JOIN latest_spc s ON s.indicator_id = c.indicator_id AND s.breakdown = c.breakdown
     AND s.breakdown_value = c.breakdown_value
JOIN recent ON recent.indicator_id = c.indicator_id AND recent.breakdown = c.breakdown
     AND recent.breakdown_value = c.breakdown_value
JOIN themes t ON t.id = c.theme
LEFT JOIN breakdowns b ON b.name = c.breakdown
ORDER BY t.number, c.indicator_id, c.breakdown <> 'All', c.breakdown,
    list_position(b.allowed_values, c.breakdown_value), c.breakdown_value
"""

# One indicator's whole series (every breakdown group, or one), each quarter from its first
# figure to the chosen one, with its chart's SPC lines. A quarter with nothing in force is a
# row with status "missing", so that a chart shows it as a gap.
SERIES = f"""
WITH {ACTIVE_INDICATORS},
{FIGURES},
{SPC},
firsts AS (
    SELECT indicator_id, breakdown, breakdown_value, min(period_index) AS first_index
    FROM figures
    WHERE $breakdown IS NULL OR breakdown = $breakdown
    GROUP BY ALL
),
spans AS (
    SELECT indicator_id, breakdown, breakdown_value,
           unnest(range(first_index, $period_index + 1)) AS period_index
    FROM firsts
)
SELECT q.indicator_id, quarter_label(q.period_index) AS period, q.period_index,
    q.breakdown, q.breakdown_value, f.value,
    CASE
        WHEN f.indicator_id IS NULL THEN 'missing'
        WHEN f.value IS NULL AND f.status IS NULL THEN 'count only'
        ELSE f.status
    END AS status,
    f.numerator, f.denominator, f.comment,
    max(s.spc_mean) OVER key AS spc_mean, max(s.spc_lower) OVER key AS spc_lower,
    max(s.spc_upper) OVER key AS spc_upper, max(s.spc_points) OVER key AS spc_points,
    CASE WHEN f.value IS NULL THEN 'not assessed' ELSE s.spc_signal END AS spc_signal,
    coalesce(s.spc_rules, '') AS spc_rules
FROM spans q
LEFT JOIN figures f USING (indicator_id, breakdown, breakdown_value, period_index)
LEFT JOIN classified s USING (indicator_id, breakdown, breakdown_value, period_index)
LEFT JOIN breakdowns b ON b.name = q.breakdown
WINDOW key AS (PARTITION BY q.indicator_id, q.breakdown, q.breakdown_value)
ORDER BY q.breakdown <> 'All', q.breakdown, list_position(b.allowed_values, q.breakdown_value),
    q.breakdown_value, q.period_index
"""
