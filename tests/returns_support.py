"""Helpers every returns test uses: one way to send a return, one way to look at issues."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from thinktank.ingest.limits import Limits
from thinktank.ingest.submit import IngestResult, ingest_return
from thinktank.periods import Quarter
from thinktank.users import LOCAL_ANALYST, User

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
TODAY = dt.date(2026, 11, 23)
Q1 = Quarter(2024, 1)
HEADER = "indicator_id,period,breakdown,breakdown_value,numerator,denominator,value,comment"


def csv_return(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def send(
    store,
    content: bytes,
    file_name: str = "return.csv",
    agency: str = "police",
    period: Quarter | None = Q1,
    confirm: bool = False,
    actor: User = LOCAL_ANALYST,
    now: dt.datetime | None = None,
    limits: Limits | None = None,
) -> IngestResult:
    return ingest_return(
        store, content, file_name, agency, period, actor, confirm_warnings=confirm,
        today=TODAY, now=now or dt.datetime(2026, 11, 23, 9, 0), limits=limits,
    )


def located(result: IngestResult) -> list[tuple]:
    """Each issue as (code, sheet, row, column letter): how a person finds it in the file."""
    table = result.report.issue_table()
    return [
        (row.code, row.sheet, None if pd.isna(row.row) else int(row.row), row.column_letter)
        for row in table.itertuples()
    ]


def codes(result: IngestResult) -> list[str]:
    return [item.code for item in result.report.issues]


# Seven police rows for 2024-25 Q1 that pass every check.
POLICE_Q1 = [
    "FD06,2024-25 Q1,All,All,,,1180,",
    "AS06,2024-25 Q1,All,All,88,92,,",
    "DA01,2024-25 Q1,All,All,,,1540,",
    "DA05,2024-25 Q1,All,All,,,97.5,",
    "HO01,2024-25 Q1,All,All,,,410,",
    "HO04,2024-25 Q1,All,All,,,23,",
    "HO05,2024-25 Q1,All,All,,,9,",
]


def police(*changes: tuple[int, str], extra: tuple[str, ...] = ()) -> bytes:
    """The clean police return with some rows replaced (by index) and others added."""
    rows = list(POLICE_Q1)
    for index, row in changes:
        rows[index] = row
    return csv_return(*rows, *extra)
