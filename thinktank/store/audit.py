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
