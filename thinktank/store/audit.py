"""The audit log: append-only, one row per attempt or change, never a cell value of a return.

This module is the only writer of ``audit_log`` and it only inserts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import duckdb
import pandas as pd

from thinktank.users import User


@dataclass(frozen=True)
class AuditEntry:
    action: str
    outcome: str
    agency_id: str | None = None
    period: str | None = None
    file_name: str | None = None
    file_sha256: str | None = None
    rows_read: int | None = None
    errors: int | None = None
    warnings: int | None = None
    detail: str | None = None


def record(
    cursor: duckdb.DuckDBPyConnection, actor: User, entry: AuditEntry, at: dt.datetime
) -> None:
    fields = asdict(entry)
    cursor.execute(
        "INSERT INTO audit_log (happened_at, actor, " + ", ".join(fields) + ") "
        "VALUES (?, ?, " + ", ".join("?" for _ in fields) + ")",
        [at, actor.id, *fields.values()],
    )


def audit_entries(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return cursor.execute("SELECT * FROM audit_log ORDER BY id").df()


EXPORT_FORMATS = {"text/csv": "CSV", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
                  "application/pdf": "PDF", "text/html": "HTML"}


def record_export(cursor: duckdb.DuckDBPyConnection, actor: User, *, page: str, file_name: str, mime: str,
                  period: str | None, at: dt.datetime) -> None:
    """A file made for download: from which page, in which format, of which quarter, under
    which name. What it holds is not recorded (no cell value leaves into the log)."""
    record(cursor, actor, AuditEntry(action="export", outcome="made", period=period, file_name=file_name,
                                     detail=f"{EXPORT_FORMATS.get(mime, mime)} from the {page} page"), at)
