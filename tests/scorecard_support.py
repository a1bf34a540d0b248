"""Putting figures straight into a store for scorecard tests, without writing return files."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import pandas as pd

from thinktank.periods import Quarter
from thinktank.store.returns import save_return
from thinktank.store.transactions import transaction

FIRST = Quarter(2022, 1)


def figure(indicator_id: str, period: Quarter, value: float | None = None, status: str | None = None,
           numerator: float | None = None, denominator: float | None = None,
           breakdown: str = "All", group: str = "All") -> dict:
    return {
        "indicator_id": indicator_id, "period": period.label, "breakdown": breakdown,
        "breakdown_value": group, "numerator": numerator, "denominator": denominator,
        "value": value, "status": status, "comment": None,
    }


def quarterly(indicator_id: str, values: list, first: Quarter = FIRST) -> list[dict]:
    """One whole-area figure a quarter from ``first``; a string is a status such as "c"."""
    rows, quarter = [], first
    for value in values:
        if isinstance(value, str):
            rows.append(figure(indicator_id, quarter, status=value))
        else:
            rows.append(figure(indicator_id, quarter, value=value))
        quarter = quarter.next()
    return rows


def put(store, rows: list[dict]) -> None:
    """Store the figures as one accepted return per agency and quarter."""
    catalogue = store.catalogue
    by_return: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        by_return[(catalogue.indicator_by_id[row["indicator_id"]].owner, row["period"])].append(row)
    cursor = store.cursor()
    for (agency, period), figures in by_return.items():
        frame = pd.DataFrame(figures)
        frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
        for column in ("numerator", "denominator", "value"):
            frame[column] = frame[column].astype(float)
        with transaction(cursor):
            save_return(cursor, agency, f"{agency}-{period}.csv", f"sha-{agency}-{period}", len(frame), frame,
                        pd.DataFrame(), "test", dt.datetime(2026, 11, 23, 9), warnings_confirmed=False)


def rounded(value: float | None, places: int = 6) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(value, places)
