"""The qualitative side of a theme for a quarter: evidence agencies sent with their returns
(audits, surveys, the voice of children, families and practitioners) and the Think Tank's own
commentary, each under a Signs of Safety heading."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from thinktank.errors import AccessDeniedError, ThinkTankError
from thinktank.formatting import SIGNS_OF_SAFETY_LABELS
from thinktank.periods import Quarter
from thinktank.rules.evidence import SIGNS_OF_SAFETY
from thinktank.store.audit import AuditEntry, record
from thinktank.store.transactions import transaction
from thinktank.users import Role, User

COMMENTARY_WRITERS = {Role.ANALYST, Role.ADMIN}
MAX_COMMENTARY_CHARACTERS = 4_000


class CommentaryError(ThinkTankError):
    """Commentary that cannot be saved as written."""


def theme_evidence(cursor: duckdb.DuckDBPyConnection, theme: str, period: Quarter) -> pd.DataFrame:
    """Evidence for the theme and quarter from the returns in force, by Signs of Safety heading."""
    return cursor.execute(
        """
        SELECT e.signs_of_safety, e.source, e.title, e.detail, a.short_name AS agency
        FROM evidence e
        JOIN submissions_in_force s ON s.id = e.submission_id
        JOIN agencies a ON a.id = s.agency_id
        WHERE e.theme_id = $theme AND e.period = $period
        ORDER BY list_position($headings, e.signs_of_safety), a.short_name, e.title
        """,
        {"theme": theme, "period": period.label, "headings": list(SIGNS_OF_SAFETY)},
    ).df()


def theme_commentary(cursor: duckdb.DuckDBPyConnection, theme: str, period: Quarter) -> pd.DataFrame:
    return cursor.execute(
        """
        SELECT id, signs_of_safety, body, written_by, written_at
        FROM commentary
        WHERE theme_id = $theme AND period = $period
        ORDER BY list_position($headings, signs_of_safety), written_at
        """,
        {"theme": theme, "period": period.label, "headings": list(SIGNS_OF_SAFETY)},
    ).df()


def add_commentary(
    cursor: duckdb.DuckDBPyConnection, actor: User, theme: str, period: Quarter, heading: str,
    body: str, now: dt.datetime,
) -> int:
    """Save an analyst's commentary on a theme for a quarter; return its id."""
    if actor.role not in COMMENTARY_WRITERS:
        raise AccessDeniedError(
            "Only Think Tank analysts write commentary",
            "Ask an analyst to add it; agencies send evidence on the Evidence sheet of their return.",
        )
    if heading not in SIGNS_OF_SAFETY_LABELS:
        raise CommentaryError(
            f"'{heading}' is not a Signs of Safety heading",
            "Choose one of: " + "; ".join(SIGNS_OF_SAFETY_LABELS.values()),
        )
    text = body.strip()
    if not text:
        raise CommentaryError("The commentary is empty", "Write what the figures mean before saving.")
    if len(text) > MAX_COMMENTARY_CHARACTERS:
        raise CommentaryError(
            f"The commentary is {len(text):,} characters long",
            f"Keep it under {MAX_COMMENTARY_CHARACTERS:,} characters: link to a longer paper instead.",
        )
    with transaction(cursor):
        (commentary_id,) = cursor.execute(
            "INSERT INTO commentary (theme_id, period, signs_of_safety, body, written_by, written_at) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [theme, period.label, heading, text, actor.name, now],
        ).fetchone()
        record(cursor, actor, AuditEntry(action="commentary", outcome="saved", period=period.label,
                                         detail=f"theme {theme}, {heading}"), now)
    return commentary_id
