"""Re-bases of an indicator's SPC, as NHS England's Making Data Count has them: an analyst marks
that the process behind an indicator changed from a quarter (a restructure, a new definition, a
new recording system) and says why. From that quarter on, every series of the indicator has a
fresh mean and moving range, and its signals are read within the new segment alone, so that a
step change is not read as months of special cause.

Adding or removing a re-base is for analysts; each is audited and rewrites the indicator's
derived series (`series_points`) in the same transaction."""

from __future__ import annotations

import datetime as dt
import difflib

import duckdb
import pandas as pd

from thinktank.errors import AccessDeniedError, ThinkTankError, UnknownIndicatorError
from thinktank.periods import Quarter
from thinktank.store.audit import AuditEntry, record
from thinktank.store.series_points import refresh_series_points
from thinktank.store.transactions import transaction
from thinktank.users import THINK_TANK_WRITERS, User

MAX_REASON_CHARACTERS = 200
ADDED, REMOVED = "spc_rebase_added", "spc_rebase_removed"


class RebaseError(ThinkTankError):
    """A re-base that cannot be added or removed as asked."""


def rebases(cursor: duckdb.DuckDBPyConnection, indicator_id: str | None = None) -> pd.DataFrame:
    """The re-bases held (one indicator's, or every one), by indicator then quarter."""
    return cursor.execute(
        """
        SELECT indicator_id, period, reason, recorded_by, recorded_at
        FROM spc_rebases
        WHERE $indicator IS NULL OR indicator_id = $indicator
        ORDER BY indicator_id, quarter_index(period)
        """,
        {"indicator": indicator_id},
    ).df()


def add_rebase(
    cursor: duckdb.DuckDBPyConnection, actor: User, indicator_id: str, period: Quarter, reason: str,
    now: dt.datetime,
) -> None:
    """Mark that the indicator's process changed from ``period``, for ``reason``."""
    _check_writer(actor)
    _check_indicator(cursor, indicator_id)
    text = " ".join(reason.split())
    if not text:
        raise RebaseError("A re-base needs a reason",
                          "Say what changed in the process, for example 'MASH restructure'.")
    if len(text) > MAX_REASON_CHARACTERS:
        raise RebaseError(f"The reason is {len(text):,} characters long",
                          f"Keep it under {MAX_REASON_CHARACTERS:,} characters: it is shown on the chart.")
    with transaction(cursor):
        if _held(cursor, indicator_id, period):
            raise RebaseError(f"{indicator_id} is already re-based from {period.label}",
                              "Remove that re-base first to record another reason.")
        cursor.execute(
            "INSERT INTO spc_rebases (indicator_id, period, reason, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?)",
            [indicator_id, period.label, text, actor.name, now],
        )
        record(cursor, actor, AuditEntry(action=ADDED, outcome="saved", period=period.label,
                                         detail=f"{indicator_id}: {text}"), now)
        refresh_series_points(cursor, [indicator_id])


def remove_rebase(
    cursor: duckdb.DuckDBPyConnection, actor: User, indicator_id: str, period: Quarter, now: dt.datetime
) -> None:
    """Take away the indicator's re-base at ``period``: its series read as one segment across it again."""
    _check_writer(actor)
    with transaction(cursor):
        reason = _held(cursor, indicator_id, period)
        if reason is None:
            held = rebases(cursor, indicator_id)["period"].tolist()
            raise RebaseError(
                f"{indicator_id} has no re-base from {period.label}",
                ("Its re-bases are from " + ", ".join(held) + "." if held else f"{indicator_id} has no re-bases."),
            )
        cursor.execute("DELETE FROM spc_rebases WHERE indicator_id = ? AND period = ?", [indicator_id, period.label])
        record(cursor, actor, AuditEntry(action=REMOVED, outcome="removed", period=period.label,
                                         detail=f"{indicator_id}: {reason}"), now)
        refresh_series_points(cursor, [indicator_id])


def _check_writer(actor: User) -> None:
    if actor.role not in THINK_TANK_WRITERS:
        raise AccessDeniedError(
            "Only Think Tank analysts re-base an indicator's SPC",
            "Ask an analyst: tell them from which quarter the process changed, and why.",
        )


def _check_indicator(cursor: duckdb.DuckDBPyConnection, indicator_id: str) -> None:
    known = [identifier for (identifier,) in cursor.execute("SELECT id FROM indicators ORDER BY id").fetchall()]
    if indicator_id not in known:
        close = difflib.get_close_matches(indicator_id.upper(), known, n=2)
        raise UnknownIndicatorError(
            f"'{indicator_id}' is not an indicator in the catalogue",
            ("Did you mean " + " or ".join(close) + "? " if close else "")
            + "python -m thinktank indicators lists them.",
        )


def _held(cursor: duckdb.DuckDBPyConnection, indicator_id: str, period: Quarter) -> str | None:
    """The reason of the indicator's re-base at ``period``, or None when there is none."""
    found = cursor.execute(
        "SELECT reason FROM spc_rebases WHERE indicator_id = ? AND period = ?", [indicator_id, period.label]
    ).fetchone()
    return found[0] if found else None
