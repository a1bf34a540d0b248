"""The store's DuckDB memory cap (`thinktank.store.MEMORY`) never refuses a large return: what an
insert or a recomputation holds past it spills, and an insert's index leaves memory when it
commits, so the index of every figure stored since start-up never fills the cap."""

import datetime as dt

import duckdb
import pandas as pd

from thinktank.store import MEMORY
from thinktank.store.returns import save_return
from thinktank.store.series_points import refresh_series_points
from thinktank.store.transactions import transaction

# Well above the 200,000 rows a return may have (`thinktank.ingest.limits`).
LARGE_RETURN_ROWS = 500_000


def _large_return(cursor, rows: int) -> tuple[str, pd.DataFrame]:
    """An agency's return for one quarter: every one of its count indicators for as many groups of
    a synthetic breakdown as make ``rows`` figures (the store takes them as validated)."""
    agency_id, indicators = cursor.execute(
        "SELECT owner_id, list(id ORDER BY id) FROM indicators WHERE unit = 'count' "
        "GROUP BY owner_id ORDER BY count(*) DESC LIMIT 1").fetchone()
    groups = rows // len(indicators)
    figures = pd.DataFrame({
        "indicator_id": [indicator for indicator in indicators for _ in range(groups)],
        "period": "2026-27 Q1",
        "breakdown": "Ward",
        "breakdown_value": [f"Ward {group:06d}" for _ in indicators for group in range(groups)],
        "numerator": None, "denominator": None,
        "value": [float(group % 97) for _ in indicators for group in range(groups)],
        "status": None, "comment": None,
    })
    figures.index = pd.RangeIndex(2, len(figures) + 2, name="row")
    return agency_id, figures


def _index_memory(cursor) -> int:
    (held,) = cursor.execute(
        "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() WHERE tag = 'ART_INDEX'").fetchone()
    return held


def test_the_store_runs_under_its_memory_cap(store):
    settings = "SELECT current_setting('memory_limit'), current_setting('checkpoint_threshold')"
    with duckdb.connect(config=MEMORY) as configured:
        assert store.cursor().execute(settings).fetchone() == configured.execute(settings).fetchone()


def _store(cursor, agency_id: str, figures: pd.DataFrame, refresh_series: bool = True) -> None:
    with transaction(cursor):
        save_return(cursor, agency_id, "large.xlsx", "0" * 64, len(figures), figures, pd.DataFrame(),
                    "analyst@example.org", dt.datetime(2026, 12, 4, 9), False, refresh_series=refresh_series)


def test_a_large_return_stores_under_the_cap(store):
    cursor = store.cursor()
    agency_id, figures = _large_return(cursor, LARGE_RETURN_ROWS)
    _store(cursor, agency_id, figures)
    (stored, points) = cursor.execute(
        "SELECT (SELECT count(*) FROM observations), "
        "(SELECT count(*) FROM series_points WHERE period_index = quarter_index('2026-27 Q1'))").fetchone()
    assert stored == points == len(figures)
    with transaction(cursor):
        refresh_series_points(cursor)
    (rewritten,) = cursor.execute("SELECT count(*) FROM series_points").fetchone()
    assert rewritten == len(figures)


def test_the_index_of_a_stored_return_leaves_memory_at_its_commit(store):
    # A return this size is written to the file rather than the log, and DuckDB checkpoints (which
    # writes an index out and frees it) only once the log is past `checkpoint_threshold`: at its
    # default of 16 MiB, the index of each such return stayed in memory (about 12 MiB for these)
    # until the cap refused the next insert.
    cursor = store.cursor()
    agency_id, figures = _large_return(cursor, 125_000)
    _store(cursor, agency_id, figures, refresh_series=False)
    assert _index_memory(cursor) < 2**20
