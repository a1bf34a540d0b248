"""The partnership's small-numbers rule, applied in one place to every figure that leaves the
tool in a board pack.

- **Primary suppression.** A count of 1 to 4 children is shown as ``c``: a count indicator's
  figure, the numerator of a percentage or a rate, and the denominator of a percentage (also a
  count of children). The row's figure, numerator and denominator are all emptied, so a ``c``
  never carries the counts behind it, and a rate or percentage built on a small count is
  suppressed with it. A figure the agency itself sent as ``c`` is treated the same way.
- **Secondary suppression.** The groups of a breakdown add up to the whole-area figure. If only
  one group of a breakdown were hidden, it could be worked out by taking the others from the
  total (as FD06's Derwentside once could: 1,720 - 1,718 = 2). So while a breakdown with a
  published total has exactly one hidden group, the smallest published group (then the first by
  name) is hidden too, or the total when there is no other group. Two or more hidden groups
  leave only their sum known. A hidden total is not left as the sum of a breakdown whose groups
  are all published: that breakdown's smallest group is hidden too.
- **History.** Earlier quarters' figures on a row (last quarter's, last year's, the recent
  values of a sparkline) are held back the same way when they are small counts themselves, and,
  given the series, when the point they come from is suppressed.
- **One page, one result.** Given the series (every group's, as `scorecard.series` gives with
  ``breakdown=None``), a row is also hidden where the series hides its own point, and the
  suppressed series comes back with the rows: a page draws its chart, its tables and every
  download from that one result, so no two of its files can be set against each other.

0 is shown: nothing can be learnt about a child from a count of none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import pandas as pd

from thinktank import scorecard
from thinktank.periods import Quarter

SMALL_COUNT_RANGE = (1, 4)
SUPPRESSED = "c"
# Whose counts can be small: a count indicator's figure; the numerator of a percentage or rate;
# the denominator of a percentage (a rate's denominator is the area's child population).
COUNT_UNITS = frozenset({"count"})
NUMERATOR_UNITS = frozenset({"percent", "rate_per_10k"})
DENOMINATOR_UNITS = frozenset({"percent"})
# The columns of a row that are worked out from its own figure.
DERIVED_FROM_FIGURE = ("change", "change_from_last_year")


@dataclass(frozen=True)
class Suppressed:
    frame: pd.DataFrame
    # Rows hidden because they carry a count of 1 to 4 (or the agency sent them as c).
    primary: int
    # Rows hidden so that a hidden one cannot be worked out from the total and the other groups.
    secondary: int
    # The series given, suppressed by the same rule (None when no series was given).
    series: pd.DataFrame | None = None


def is_small(count: float | None) -> bool:
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return False
    low, high = SMALL_COUNT_RANGE
    return low <= count <= high


def small_row(unit: str, value: float | None, numerator: float | None, denominator: float | None) -> bool:
    return ((unit in COUNT_UNITS and is_small(value))
            or (unit in NUMERATOR_UNITS and is_small(numerator))
            or (unit in DENOMINATOR_UNITS and is_small(denominator)))


def suppress(frame: pd.DataFrame, series: pd.DataFrame | None = None) -> Suppressed:
    """Apply the rule to rows shaped like the scorecard's (or the series', which carry one
    quarter a row; either needs a ``unit`` column). Published figures are never changed."""
    rows = frame.copy()
    points = suppress(series).frame if series is not None else None
    if rows.empty:
        return Suppressed(rows, 0, 0, points)
    sent_suppressed = rows["status"] == SUPPRESSED
    small = pd.Series([small_row(unit, value, numerator, denominator) for unit, value, numerator, denominator
                       in zip(rows["unit"], rows["value"], rows["numerator"], rows["denominator"], strict=True)],
                      index=rows.index)
    primary = small | sent_suppressed
    secondary = _secondary(rows, primary)
    if points is not None and "period" in rows.columns:
        secondary |= _keys(rows, rows["period"]).isin(_hidden_keys(points)) & ~primary
    hidden = primary | secondary
    _hide(rows, hidden)
    _hide_small_history(rows, points)
    return Suppressed(rows, int(primary.sum()), int(secondary.sum()), points)


def _keys(rows: pd.DataFrame, periods: pd.Series | list[str]) -> pd.Series:
    """Each row's series (indicator and group) at the given quarters, as one key a row."""
    return pd.Series(list(zip(rows["indicator_id"], rows["breakdown"], rows["breakdown_value"], periods,
                              strict=True)), index=rows.index, dtype=object)


def _hidden_keys(points: pd.DataFrame) -> set[tuple]:
    hidden = points[points["status"] == SUPPRESSED]
    return set(_keys(hidden, hidden["period"]))


def _count_behind(rows: pd.DataFrame) -> pd.Series:
    """The count a row's figure rests on: the figure of a count, the numerator of a ratio."""
    return rows["value"].where(rows["unit"].isin(COUNT_UNITS), rows["numerator"])


def _secondary(rows: pd.DataFrame, primary: pd.Series) -> pd.Series:
    """The rows to hide as well, worked out until nothing changes: within each indicator and
    quarter, a breakdown with a published total and one hidden group gets its smallest published
    group hidden too (or, with no other group, the total); a hidden total whose breakdown is
    all published (so that it would be their sum) gets that breakdown's smallest group hidden."""
    hidden = primary.to_numpy().copy()
    if "breakdown" not in rows.columns:
        return pd.Series(False, index=rows.index)
    counts = _count_behind(rows).fillna(math.inf).to_numpy()
    names = rows["breakdown_value"].to_numpy()
    breakdown_of = rows["breakdown"].to_numpy()
    is_total = ((rows["breakdown"] == "All") & (rows["breakdown_value"] == "All")).to_numpy()
    periods = rows["period"].to_numpy() if "period" in rows.columns else [None] * len(rows)
    # Row positions by indicator and quarter: the total's, and each breakdown's groups'.
    totals: dict[tuple, list[int]] = {}
    groups: dict[tuple, dict[str, list[int]]] = {}
    for position, key in enumerate(zip(rows["indicator_id"].to_numpy(), periods, strict=True)):
        if is_total[position]:
            totals.setdefault(key, []).append(position)
        elif breakdown_of[position] != "All":
            groups.setdefault(key, {}).setdefault(breakdown_of[position], []).append(position)
    for key, breakdowns in groups.items():
        total = totals.get(key, [])
        changed = True
        while changed:
            changed = False
            total_hidden = bool(total) and all(hidden[position] for position in total)
            for members in breakdowns.values():
                hidden_here = sum(hidden[position] for position in members)
                if (total_hidden and hidden_here) or (not total_hidden and hidden_here != 1):
                    continue
                shown = [position for position in members if not hidden[position]]
                if shown:
                    hidden[min(shown, key=lambda position: (counts[position], names[position]))] = True
                elif total:
                    hidden[total] = True
                changed = True
                break
    return pd.Series(hidden & ~primary.to_numpy(), index=rows.index)


def _hide(rows: pd.DataFrame, hidden: pd.Series) -> None:
    columns = ["value", "numerator", "denominator"] + [column for column in DERIVED_FROM_FIGURE if column in rows]
    for column in columns:
        rows[column] = rows[column].astype(float).where(~hidden, math.nan)
    status = rows["status"].astype(object)
    rows["status"] = status.where(status.notna(), None).where(~hidden, SUPPRESSED)
    if "spc_signal" in rows.columns:
        rows["spc_signal"] = rows["spc_signal"].where(~hidden, "not assessed")
    for column in ("rag", "direction"):
        if column in rows.columns:
            rows[column] = rows[column].where(~hidden, "no data" if column == "rag" else "not assessed")


def _hide_small_history(rows: pd.DataFrame, points: pd.DataFrame | None) -> None:
    """Last quarter's and last year's figures, and the recent values, where they are small
    counts, or where the suppressed series says the point they come from is hidden."""
    counts = rows["unit"].isin(COUNT_UNITS)
    for column, derived in (("previous_value", "change"), ("last_year_value", "change_from_last_year")):
        if column not in rows.columns:
            continue
        small = counts & rows[column].map(is_small)
        rows[column] = rows[column].astype(float).where(~small, math.nan)
        if derived in rows.columns:
            rows[derived] = rows[derived].astype(float).where(~small, math.nan)
    if "recent_values" in rows.columns:
        rows["recent_values"] = [
            [None if unit in COUNT_UNITS and is_small(value) else value for value in values]
            if values is not None else values
            for unit, values in zip(rows["unit"], rows["recent_values"], strict=True)
        ]
    if points is not None and "period" in rows.columns:
        _hide_suppressed_points(rows, points)


def _hide_suppressed_points(rows: pd.DataFrame, points: pd.DataFrame) -> None:
    """Last quarter's and last year's figures of each row (its own group's) where the suppressed
    series hides that point."""
    hidden = _hidden_keys(points)
    for column, derived, back in (("previous_value", "change", 1), ("last_year_value", "change_from_last_year", 4)):
        if column not in rows.columns:
            continue
        earlier = [Quarter.from_index(Quarter.parse(period).index - back).label for period in rows["period"]]
        gone = _keys(rows, earlier).isin(hidden)
        rows[column] = rows[column].where(~gone, math.nan)
        if derived in rows.columns:
            rows[derived] = rows[derived].where(~gone, math.nan)


@dataclass(frozen=True)
class Published:
    """A quarter's figures as they may leave the tool: the scorecard's rows and every group's
    series up to the quarter (None where a caller holds the raw figures and drew no series)."""

    card: pd.DataFrame
    series: pd.DataFrame | None

    def indicator_series(self, indicator_id: str) -> pd.DataFrame | None:
        """One indicator's whole-area quarters, as `scorecard.series` gives them."""
        if self.series is None:
            return None
        chosen = self.series[(self.series["indicator_id"] == indicator_id) & (self.series["breakdown"] == "All")
                             & (self.series["breakdown_value"] == "All")]
        return chosen.drop(columns="unit").reset_index(drop=True)

    @property
    def held_back(self) -> bool:
        return bool((self.card["status"] == SUPPRESSED).any())


def published(cursor: duckdb.DuckDBPyConnection, card: pd.DataFrame, period: Quarter) -> Published:
    """The rule applied once to a quarter's scorecard (``card``) and every group's series of its
    indicators up to the quarter, so that every table, chart and download of a page comes from
    one result."""
    units = card.drop_duplicates("indicator_id").set_index("indicator_id")["unit"]
    series = scorecard.series(cursor, None, period, breakdown=None)
    series = series[series["indicator_id"].isin(units.index)]
    result = suppress(card, series.assign(unit=series["indicator_id"].map(units)))
    return Published(result.frame, result.series)
