"""The audit log: append-only, one row per attempt or change, never a cell value of a return,
a comment or anyone's personal data beyond the acting user's id.

It is tamper-evident: each event is linked in ``audit_chain`` to the one before it by hashes
(SHA-256 over the previous event's hash and the event's fields, worked out by the SQL macro
``audit_event_hash`` of the ``audit_chain`` migration), so `verify_chain` finds any event
changed, deleted, added outside this module or moved. Deleting the newest events with their links cannot be told
from their never having happened: a backup holds the chain as it was.

This module is the only writer of ``audit_log`` and ``audit_chain``, and it only inserts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import duckdb
import pandas as pd

from thinktank.store.transactions import in_transaction, transaction
from thinktank.users import User

_FIELDS = ("id, happened_at, actor, action, agency_id, period, file_name, file_sha256, rows_read, errors, "
           "warnings, outcome, detail")


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
    """Append an event, linked to the one before it. Inside the caller's transaction where
    there is one (so the event is kept only if the change is), else in its own."""
    if in_transaction():
        _append(cursor, actor, entry, at)
        return
    with transaction(cursor):
        _append(cursor, actor, entry, at)


def _append(cursor: duckdb.DuckDBPyConnection, actor: User, entry: AuditEntry, at: dt.datetime) -> None:
    fields = asdict(entry)
    (event_id,) = cursor.execute(
        "INSERT INTO audit_log (happened_at, actor, " + ", ".join(fields) + ") "
        "VALUES (?, ?, " + ", ".join("?" for _ in fields) + ") RETURNING id",
        [at, actor.id, *fields.values()],
    ).fetchone()
    # The previous hash is read inside the same transaction, which holds the one turn to write.
    cursor.execute(
        f"""
        WITH newest AS (
            SELECT coalesce((SELECT hash FROM audit_chain ORDER BY id DESC LIMIT 1), audit_chain_start()) AS hash
        )
        INSERT INTO audit_chain
        SELECT id, newest.hash, audit_event_hash(newest.hash, {_FIELDS})
        FROM audit_log, newest WHERE id = ?
        """,
        [event_id],
    )


def audit_entries(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return cursor.execute("SELECT * FROM audit_log ORDER BY id").df()


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    problem: str


@dataclass(frozen=True)
class ChainCheck:
    events: int
    broken: tuple[BrokenLink, ...]

    @property
    def intact(self) -> bool:
        return not self.broken

    @property
    def summary(self) -> str:
        if self.intact:
            return f"The audit log is intact: {self.events:,} event{'s' if self.events != 1 else ''}, each linked to the one before."
        return (
            f"The audit log has been tampered with: {len(self.broken):,} broken "
            f"link{'s' if len(self.broken) != 1 else ''} in {self.events:,} events, the first at event "
            f"{self.broken[0].event_id}. Keep the database as it is and compare it with a backup."
        )


def verify_chain(cursor: duckdb.DuckDBPyConnection) -> ChainCheck:
    """Every event checked against its link, and every link against the one before it."""
    rows = cursor.execute(
        f"""
        SELECT coalesce(event.id, link.id) AS id, event.id IS NULL, link.id IS NULL, link.previous_hash, link.hash,
               audit_event_hash(link.previous_hash, {', '.join('event.' + name for name in _FIELDS.split(', '))})
        FROM audit_log AS event FULL JOIN audit_chain AS link ON link.id = event.id
        ORDER BY 1
        """
    ).fetchall()
    broken = []
    (expected_previous,) = cursor.execute("SELECT audit_chain_start()").fetchone()
    events = 0
    for event_id, event_missing, link_missing, previous_hash, own_hash, recomputed in rows:
        events += not event_missing
        if link_missing:
            broken.append(BrokenLink(event_id, "it is not in the chain: it was added without being recorded, "
                                               "or its link was deleted"))
            continue
        if event_missing:
            broken.append(BrokenLink(event_id, "it was deleted: its link is still in the chain"))
        elif recomputed != own_hash:
            broken.append(BrokenLink(event_id, "its fields were changed after it was recorded"))
        if previous_hash != expected_previous:
            broken.append(BrokenLink(event_id, "its link to the event before it is broken: an event before it "
                                               "was deleted, added or moved"))
        expected_previous = own_hash
    return ChainCheck(events, tuple(broken))


EXPORT_FORMATS = {"text/csv": "CSV", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
                  "application/pdf": "PDF", "text/html": "HTML"}


def record_export(cursor: duckdb.DuckDBPyConnection, actor: User, *, page: str, file_name: str, mime: str,
                  period: str | None, at: dt.datetime) -> None:
    """A file made for download: from which page, in which format, of which quarter, under
    which name. What it holds is not recorded (no cell value leaves into the log)."""
    record(cursor, actor, AuditEntry(action="export", outcome="made", period=period, file_name=file_name,
                                     detail=f"{EXPORT_FORMATS.get(mime, mime)} from the {page} page"), at)
