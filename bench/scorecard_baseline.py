"""Two pandas baselines for `bench/scorecard.py`, each doing the same work as the engine's side
it is timed against, from frames already in memory (the store's tables read out beforehand, not
timed), which flatters pandas:

- **The read path** (`pandas_scorecard`): a quarter's scorecard (value, previous value, direction,
  RAG and SPC signal) computed from the figures in force. The engine reads its precomputed
  `series_points` for this, so the ratio is the worth of keeping those points, not a like-for-like
  race.
- **The full recomputation** (`pandas_series_points`): what `refresh_series_points(cursor, None)`
  works out, from the same inputs: the figures in force, each figure's value by the figure
  definition (migration 006), and each series' XmR state within its segment (points, mean, mean
  moving range, the six prior values). It writes nothing, where the engine writes the table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from thinktank.scorecard import queries

KEY = ["indicator_id", "breakdown", "breakdown_value"]


def load_inputs(cursor) -> dict[str, pd.DataFrame]:
    return {
        "observations": cursor.execute(
            "SELECT indicator_id, breakdown, breakdown_value, period_index, "
            "numerator, denominator, value AS given_value, status FROM observations_in_force").df(),
        "indicators": cursor.execute(
            "SELECT id AS indicator_id, unit, polarity, population_id, target_value, target_low, target_high, "
            "target_amber_tolerance, quarter_index(applies_from) AS applies_from_index, "
            "quarter_index(retired_from) AS retired_from_index FROM indicators").df(),
        "population": cursor.execute("SELECT population_id, fy_start, value AS population FROM population").df(),
    }


def figure_values(observed: pd.DataFrame) -> np.ndarray:
    """The figure definition of migration 006, column-wise: `given_value`, `numerator`,
    `denominator`, `status`, `unit`, `breakdown` and the year's `population`."""
    return np.select(
        [
            observed["status"].isin(["c", "x", "z", "low"]),
            observed["given_value"].notna(),
            (observed["unit"] == "percent") & (observed["denominator"] > 0),
            (observed["unit"] == "rate_per_10k") & (observed["denominator"] > 0),
            (observed["unit"] == "rate_per_10k") & observed["denominator"].isna()
            & (observed["breakdown"] == "All") & (observed["population"] > 0),
        ],
        [
            np.nan,
            observed["given_value"],
            observed["numerator"] / observed["denominator"] * 100,
            observed["numerator"] / observed["denominator"] * 10000,
            observed["numerator"] / observed["population"] * 10000,
        ],
        default=np.nan,
    )


def pandas_scorecard(inputs: dict[str, pd.DataFrame], period_index: int) -> pd.DataFrame:
    indicators = inputs["indicators"]
    active = indicators[(indicators["applies_from_index"] <= period_index)
                        & (indicators["retired_from_index"].isna() | (period_index < indicators["retired_from_index"]))]
    observed = inputs["observations"]
    observed = observed[observed["period_index"] <= period_index].merge(active, on="indicator_id")
    observed["fy_start"] = observed["period_index"] // 4
    observed = observed.sort_values("fy_start")
    population = inputs["population"].sort_values("fy_start")
    observed = pd.merge_asof(observed, population, on="fy_start", by="population_id", direction="backward")
    observed["value"] = figure_values(observed)
    spc = _spc(observed[observed["value"].notna()])

    rows = pd.concat([
        active[["indicator_id"]].assign(breakdown="All", breakdown_value="All"),
        observed.loc[observed["period_index"] == period_index, KEY],
    ]).drop_duplicates()
    rows = rows.merge(active, on="indicator_id")
    for name, offset in (("", 0), ("previous_", 1), ("last_year_", 4)):
        at = observed.loc[observed["period_index"] == period_index - offset, [*KEY, "value", "status"]]
        rows = rows.merge(at.rename(columns={"value": f"{name}value", "status": f"{name}observed_status"}),
                          on=KEY, how="left")
    rows = rows.merge(spc[spc["period_index"] == period_index][[*KEY, "spc_signal"]], on=KEY, how="left")

    change = rows["value"] - rows["previous_value"]
    threshold = np.where(rows["unit"].isin(["percent", "score"]), queries.DIRECTION_POINTS,
                         queries.DIRECTION_SHARE * rows["previous_value"].abs())
    comparable = rows["value"].notna() & rows["previous_value"].notna()
    better = (change > 0) == (rows["polarity"] == "higher_is_better")
    rows["direction"] = np.select(
        [~comparable, change.abs() <= threshold, rows["polarity"] == "neutral", better],
        ["not assessed", "no significant change", "not assessed", "improving"], default="declining")
    tolerance = rows["target_amber_tolerance"]
    value, target, low, high = rows["value"], rows["target_value"], rows["target_low"], rows["target_high"]
    higher, lower = rows["polarity"] == "higher_is_better", rows["polarity"] == "lower_is_better"
    rows["rag"] = np.select(
        [
            value.isna(), target.isna() & low.isna(),
            higher & (value >= target), higher & (value >= target - tolerance), higher,
            lower & (value <= target), lower & (value <= target + tolerance), lower,
            (value >= low) & (value <= high), (value >= low - tolerance) & (value <= high + tolerance),
        ],
        ["no data", "no target", "green", "amber", "red", "green", "amber", "red", "green", "amber"],
        default="red")
    rows["spc_signal"] = rows["spc_signal"].fillna("no points")
    return rows[[*KEY, "value", "previous_value", "direction", "rag", "spc_signal"]]


def _spc(points: pd.DataFrame) -> pd.DataFrame:
    points = points.sort_values([*KEY, "period_index"]).reset_index(drop=True)
    groups = points.groupby(KEY, sort=False)
    points["step"] = groups["value"].diff()
    points["abs_step"] = points["step"].abs()
    points["spc_points"] = groups["value"].transform("size")
    points["mean"] = groups["value"].transform("mean")
    points["moving_range"] = groups["abs_step"].transform("mean")
    spread = points["moving_range"]
    upper = points["mean"] + queries.PROCESS_LIMIT * spread
    lower = points["mean"] - queries.PROCESS_LIMIT * spread
    off_mean = (points["value"] - points["mean"]).abs() > queries.ON_THE_MEAN * points["mean"].abs().clip(lower=1)
    points["side"] = np.where((spread > 0) & off_mean, np.sign(points["value"] - points["mean"]), 0)
    points["step_direction"] = np.sign(points["step"]).fillna(0)
    near_upper = (spread > 0) & (points["value"] > points["mean"] + queries.NEAR_LIMIT * spread)
    near_lower = (spread > 0) & (points["value"] < points["mean"] - queries.NEAR_LIMIT * spread)
    new_key = groups.cumcount() == 0
    run_id = ((points["side"] != points["side"].shift()) | new_key).cumsum()
    run_length = points.groupby(run_id)["side"].transform("size").where(points["side"] != 0, 0)
    trend_id = ((points["step_direction"] != points["step_direction"].shift()) | new_key).cumsum()
    trend_steps = points.groupby(trend_id)["step_direction"].transform("size").where(points["step_direction"] != 0, 0)
    next_steps = trend_steps.groupby([points[column] for column in KEY]).shift(-1).fillna(0)
    next_direction = points["step_direction"].groupby([points[column] for column in KEY]).shift(-1).fillna(0)
    trend_up = ((trend_steps >= queries.TREND_LENGTH - 1) & (points["step_direction"] > 0)) | (
        (next_steps >= queries.TREND_LENGTH - 1) & (next_direction > 0))
    trend_down = ((trend_steps >= queries.TREND_LENGTH - 1) & (points["step_direction"] < 0)) | (
        (next_steps >= queries.TREND_LENGTH - 1) & (next_direction < 0))

    def two_of_three(near: pd.Series) -> pd.Series:
        # A point near the limit is in a run of three with another near it within two places.
        by_key = near.groupby([points[column] for column in KEY])
        return near & (by_key.shift(2, fill_value=False) | by_key.shift(1, fill_value=False)
                       | by_key.shift(-1, fill_value=False) | by_key.shift(-2, fill_value=False))

    high = (spread > 0) & (points["value"] > upper) | (run_length >= queries.RUN_LENGTH) & (points["side"] > 0) \
        | trend_up | two_of_three(near_upper)
    low = (spread > 0) & (points["value"] < lower) | (run_length >= queries.RUN_LENGTH) & (points["side"] < 0) \
        | trend_down | two_of_three(near_lower)
    polarity = points["polarity"]
    assessed = points["spc_points"] >= queries.SPC_MINIMUM_POINTS
    points["spc_signal"] = np.select(
        [~assessed, ~(high | low), polarity == "neutral",
         ((polarity == "higher_is_better") & low) | ((polarity == "lower_is_better") & high)],
        ["not enough data", "common cause", "neither", "concern"], default="improvement")
    return points


# The columns of `series_points`, in the order the comparison reads them.
POINT_COLUMNS = ["series_id", "indicator_id", "period_index", "numerator", "denominator", "status", "comment",
                 "value", "spc_points", "spc_mean", "moving_range",
                 "prior_1", "prior_2", "prior_3", "prior_4", "prior_5", "prior_6", "segment"]
PRIORS = 6
TEXT_COLUMNS = ("indicator_id", "status", "comment")


def load_recompute_inputs(cursor) -> dict[str, pd.DataFrame]:
    """What `refresh_series_points` reads: the figures in force, the spans of each definition,
    the series' numbers, the population and the re-bases."""
    return {
        "observations": cursor.execute(
            "SELECT indicator_id, breakdown, breakdown_value, period_index, numerator, denominator, "
            "value AS given_value, status, comment FROM observations_in_force").df(),
        "spans": cursor.execute(
            "SELECT id AS indicator_id, unit, population_id, from_index, to_index FROM indicator_spans").df(),
        "series": cursor.execute(
            "SELECT id AS series_id, indicator_id, breakdown, breakdown_value FROM series").df(),
        "population": cursor.execute("SELECT population_id, fy_start, value AS population FROM population").df(),
        "segments": cursor.execute("SELECT indicator_id, starts_at, segment FROM spc_segments").df(),
    }


def pandas_series_points(inputs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every series' points worked out afresh, as `refresh_series_points(cursor, None)` does."""
    observed = inputs["observations"].merge(inputs["spans"], on="indicator_id")
    observed = observed[(observed["from_index"] <= observed["period_index"])
                        & (observed["period_index"] < observed["to_index"])]
    observed = observed.merge(inputs["series"], on=KEY)
    observed["fy_start"] = observed["period_index"] // 4
    observed = pd.merge_asof(observed.sort_values("fy_start"), inputs["population"].sort_values("fy_start"),
                             on="fy_start", by="population_id", direction="backward")
    observed["value"] = figure_values(observed)
    # Each figure's segment: the number of its indicator's latest re-base at or before its quarter.
    segments = inputs["segments"].astype(
        {"starts_at": "int64", "indicator_id": observed["indicator_id"].dtype}).sort_values("starts_at")
    observed = pd.merge_asof(observed.astype({"period_index": "int64"}).sort_values("period_index"), segments,
                             left_on="period_index", right_on="starts_at", by="indicator_id", direction="backward")
    observed["segment"] = observed["segment"].fillna(0)

    points = observed[observed["value"].notna()].sort_values(["series_id", "segment", "period_index"])
    by_segment = points.groupby(["series_id", "segment"], sort=False)["value"]
    state = pd.DataFrame(index=points.index)
    state["spc_points"] = by_segment.cumcount() + 1
    state["spc_mean"] = by_segment.cumsum() / state["spc_points"]
    steps = by_segment.diff().abs()
    state["moving_range"] = (steps.groupby([points["series_id"], points["segment"]], sort=False).cumsum()
                             / (state["spc_points"] - 1)).where(state["spc_points"] > 1)
    for lag in range(1, PRIORS + 1):
        state[f"prior_{lag}"] = by_segment.shift(lag)
    # A figure without a value has no XmR state and no segment, as in the store.
    observed = observed.drop(columns="segment").join(state).join(points["segment"])
    return observed.sort_values(["period_index", "series_id"])[POINT_COLUMNS].reset_index(drop=True)


def point_mismatches(engine: pd.DataFrame, baseline: pd.DataFrame) -> int:
    """Rows of `series_points` where the engine and the baseline disagree, matched by series and
    quarter: numbers within 1e-9, texts and missing values exactly."""
    joined = engine.merge(baseline, on=["series_id", "period_index"], how="outer", suffixes=("", "_pandas"),
                          indicator=True)
    wrong = joined["_merge"] != "both"
    for column in (column for column in POINT_COLUMNS if column not in ("series_id", "period_index")):
        left, right = joined[column], joined[f"{column}_pandas"]
        same = left.isna() & right.isna()
        if column in TEXT_COLUMNS:
            same |= (left == right).fillna(False)
        else:
            same |= (left.astype(float) - right.astype(float)).abs() < 1e-9
        wrong |= ~same
    return int(wrong.sum())
