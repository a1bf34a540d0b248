"""The balanced scorecard: every active indicator's figure for a quarter, read against last
quarter, last year, its target, its benchmarks and its own history (an XmR chart with Making
Data Count's signals). The figures are worked out in DuckDB (`queries.py`); these functions
run the queries and hand back DataFrames.

Status is carried through, never turned into a number: ``c``, ``x``, ``z``, ``low`` and ``u``
as the return gave them, ``missing`` where nothing is in force, and ``count only`` where a
breakdown group of a rate has a count but no population to make a rate of it.
"""

from __future__ import annotations

import warnings

import duckdb
import pandas as pd
import pyarrow as pa

from thinktank.periods import Quarter
from thinktank.scorecard import queries

RAG_ORDER = ["red", "amber", "green", "no target", "no data"]
DIRECTION_ORDER = ["improving", "no significant change", "declining", "not assessed"]
SIGNAL_ORDER = ["concern", "improvement", "neither", "common cause", "not enough data", "not assessed"]
# The columns holding a list a row: kept in Arrow (see `scorecard`).
LIST_COLUMNS = ["recent_values", "priorities"]
POSITION_COLUMNS = {
    "England": "england_position",
    "North East": "north_east_position",
    "Statistical neighbours": "neighbours_position",
}


def scorecard(
    cursor: duckdb.DuckDBPyConnection,
    period: Quarter,
    theme: str | None = None,
    indicator_id: str | None = None,
    within_transaction: bool = False,
) -> pd.DataFrame:
    """One row per active indicator and breakdown group for the quarter (a whole-area row for
    every indicator, even when nothing is in force). ``within_transaction`` reads on the
    caller's cursor, so as to see what its open transaction has written (a preview)."""
    parameters = {"period_index": period.index, "theme": theme, "indicator": indicator_id}
    if within_transaction:
        # The relation API would refuse a cursor with a result still open; the extra copy DuckDB
        # warns of is of one preview's rows.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)
            rows = cursor.execute(queries.SCORECARD, parameters).to_arrow_table()
        return frame_from_arrow(rows)
    # A cursor of its own: DuckDB's relation API refuses a connection with a result still open.
    reader = cursor.cursor()
    try:
        rows = reader.sql(queries.SCORECARD, params=parameters).to_arrow_table()
    finally:
        reader.close()
    return frame_from_arrow(rows)


def frame_from_arrow(rows: pa.Table) -> pd.DataFrame:
    """Scorecard rows from Arrow, as `scorecard` hands them back (also a snapshot's rows)."""
    # The list columns stay in Arrow, where a row's list reads as a plain Python list (a gap
    # is None): turning a hundred thousand of them into Python objects up front costs more than
    # the whole query.
    card = rows.to_pandas(types_mapper=_lists_in_arrow)
    return _text_gaps_as_none(card, [column for column in ("status", "previous_status", "comment")
                                     if column in card.columns])


def series(
    cursor: duckdb.DuckDBPyConnection,
    indicator_id: str | None,
    up_to: Quarter,
    breakdown: str | None = "All",
) -> pd.DataFrame:
    """The indicator's quarters up to ``up_to``, with the XmR mean and limits drawn from them
    and each point's signal. ``breakdown=None`` gives every breakdown's groups;
    ``indicator_id=None`` every indicator's series (what a board pack's charts are drawn from)."""
    chart = cursor.execute(
        queries.SERIES,
        {"period_index": up_to.index, "theme": None, "indicator": indicator_id,
         "breakdown": breakdown},
    ).df()
    return _text_gaps_as_none(chart, ["status", "comment", "rebase_reason"])


def _lists_in_arrow(arrow_type: pa.DataType) -> pd.ArrowDtype | None:
    return pd.ArrowDtype(arrow_type) if pa.types.is_list(arrow_type) else None


def _text_gaps_as_none(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A text column's gaps as None, never NaN, so that a status is a string or nothing."""
    for column in columns:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def reported_quarters(cursor: duckdb.DuckDBPyConnection) -> list[Quarter]:
    """Every quarter from the first with a return in force to the latest, oldest first."""
    first, last = cursor.execute(
        "SELECT min(quarter_index(period)), max(quarter_index(period)) FROM submissions_in_force"
    ).fetchone()
    if first is None:
        return []
    return [Quarter.from_index(index) for index in range(first, last + 1)]


def data_version(cursor: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a return is stored, the catalogue (from the files, an import or the app)
    or reference data change, or a re-base
    is added or removed: a cache key, so that a cached scorecard is never older than the data."""
    (version,) = cursor.execute(
        """
        SELECT concat_ws('/', (SELECT coalesce(max(id), 0) FROM submissions),
                         (SELECT string_agg(content_sha256, ',' ORDER BY source) FROM synced_sources),
                         (SELECT coalesce(max(revision), 0) FROM catalogue_revisions),
                         -- A re-base's number is never given again, so the numbers held say which are.
                         (SELECT coalesce(string_agg(id::VARCHAR, ',' ORDER BY id), '') FROM spc_rebases))
        """
    ).fetchone()
    return version


def whole_area(card: pd.DataFrame) -> pd.DataFrame:
    """The scorecard's whole-area rows: one per indicator."""
    return card[(card["breakdown"] == "All") & (card["breakdown_value"] == "All")]


def look_at_first(card: pd.DataFrame, limit: int = 5) -> pd.DataFrame:
    """The indicators to look at first: concerning signals, then red against target, then the
    most often worse than their benchmarks, then declining."""
    rows = whole_area(card).copy()
    rows["worse_than_benchmarks"] = (rows[list(POSITION_COLUMNS.values())] == "worse").sum(axis=1)
    rows["reason"] = rows.apply(_reason, axis=1)
    rows = rows[rows["reason"] != ""]
    rows["_rank"] = list(zip(
        rows["spc_signal"] != "concern", rows["rag"] != "red", -rows["worse_than_benchmarks"],
        rows["direction"] != "declining", strict=True,
    ))
    return rows.sort_values(["_rank", "indicator_id"]).drop(columns="_rank").head(limit)


def _reason(row: pd.Series) -> str:
    reasons = []
    if row["spc_signal"] == "concern":
        reasons.append(f"SPC concern ({row['spc_rules']})")
    if row["rag"] == "red":
        reasons.append("red against target")
    if row["worse_than_benchmarks"]:
        areas = [area for area, column in POSITION_COLUMNS.items() if row[column] == "worse"]
        reasons.append("worse than " + " and ".join(areas))
    if row["direction"] == "declining":
        reasons.append("declining since last quarter")
    return "; ".join(reasons)


def theme_summary(cursor: duckdb.DuckDBPyConnection, card: pd.DataFrame) -> pd.DataFrame:
    """Per theme: indicators by RAG and by direction, signals, and the share with data."""
    # A cursor of its own, as in `scorecard`: the caller's may hold a result not yet read to the end.
    reader = cursor.cursor()
    reader.register("scorecard_rows", whole_area(card).drop(columns=LIST_COLUMNS))
    try:
        return reader.execute(
            """
            SELECT t.id AS theme, t.number, t.name,
                count(s.indicator_id) AS indicators,
                count(s.indicator_id) FILTER (WHERE s.value IS NOT NULL) AS with_data,
                coalesce(round(100.0 * count(s.indicator_id) FILTER (WHERE s.value IS NOT NULL)
                      / nullif(count(s.indicator_id), 0), 1), 0) AS with_data_percent,
                count(*) FILTER (WHERE s.rag = 'red') AS red,
                count(*) FILTER (WHERE s.rag = 'amber') AS amber,
                count(*) FILTER (WHERE s.rag = 'green') AS green,
                count(*) FILTER (WHERE s.direction = 'improving') AS improving,
                count(*) FILTER (WHERE s.direction = 'declining') AS declining,
                count(*) FILTER (WHERE s.direction = 'no significant change') AS no_significant_change,
                count(*) FILTER (WHERE s.spc_signal = 'concern') AS concerns,
                count(*) FILTER (WHERE s.spc_signal = 'improvement') AS improvements
            FROM themes t
            LEFT JOIN scorecard_rows s ON s.theme = t.id
            GROUP BY ALL
            ORDER BY t.number
            """
        ).df()
    finally:
        reader.close()


def agency_summary(card: pd.DataFrame, agency_id: str) -> pd.DataFrame:
    """The multi-agency lens for one agency: each theme it feeds, with its indicators there,
    how many have a figure, and how they are moving."""
    rows = whole_area(card)
    rows = rows[rows["owner"] == agency_id]
    return (
        rows.assign(
            with_figure=rows["value"].notna(),
            improving=rows["direction"] == "improving",
            declining=rows["direction"] == "declining",
            concerns=rows["spc_signal"] == "concern",
            red=rows["rag"] == "red",
        )
        .groupby("theme", sort=False)
        .agg(indicators=("indicator_id", "count"), with_figure=("with_figure", "sum"),
             improving=("improving", "sum"), declining=("declining", "sum"),
             concerns=("concerns", "sum"), red=("red", "sum"))
        .reset_index()
    )
