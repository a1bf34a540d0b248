"""The Think Tank's commentary on one indicator for a quarter: "What does this tell us?", "So
what for children?" and "What does it mean for each agency?", the last answered once for each
agency that feeds the indicator.

An agency feeds an indicator when it sends the figure (the catalogue's owner), when the
indicator's denominator is a count it sends (AS05's percentage of assessments is over social
care's AS04), or when its returns in force up to the quarter carry a figure for it (an owner
before the catalogue moved the indicator to another agency).

Analysts (and admins) write; PLG members read. Nothing is overwritten: an edit is a new version
and a deletion is marked, each kept with who and when, and each audited.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from thinktank.errors import AccessDeniedError, ThinkTankError, UnknownIndicatorError
from thinktank.formatting import INDICATOR_QUESTION_LABELS
from thinktank.periods import Quarter
from thinktank.store.audit import AuditEntry, record
from thinktank.store.transactions import transaction
from thinktank.users import THINK_TANK_READERS, THINK_TANK_WRITERS, User

QUESTIONS = tuple(INDICATOR_QUESTION_LABELS)
FOR_AGENCY = "for_agency"
MAX_ANSWER_CHARACTERS = 1_500
WRITTEN, EDITED, DELETED = "written", "edited", "deleted"

# Every answer's rows, the latest of each answer first (`newest` = 1).
_ANSWERS = """
    SELECT c.id, c.question, c.agency_id, a.short_name AS agency, c.change, c.body, c.written_by, c.written_at,
        row_number() OVER (PARTITION BY c.question, c.agency_id ORDER BY c.id DESC) AS newest
    FROM indicator_commentary c
    LEFT JOIN agencies a ON a.id = c.agency_id
    WHERE c.indicator_id = $indicator AND c.period = $period
"""


class CommentaryError(ThinkTankError):
    """Commentary that cannot be saved or deleted as asked."""


def feeding_agencies(cursor: duckdb.DuckDBPyConnection, indicator_id: str, period: Quarter) -> pd.DataFrame:
    """The agencies that feed the indicator up to the quarter (see the module's docstring), the
    owner first: agency_id, agency (its short name)."""
    return cursor.execute(
        """
        WITH denominator AS (
            SELECT json_extract_string(definition, '$.denominator_is') AS indicator_id
            FROM indicator_definitions WHERE indicator_id = $indicator
            QUALIFY row_number() OVER (ORDER BY version DESC) = 1
        ),
        feeding AS (
            SELECT owner_id AS agency_id, 0 AS rank FROM indicators WHERE id = $indicator
            UNION ALL
            SELECT i.owner_id, 1 FROM indicators i JOIN denominator d ON d.indicator_id = i.id
            UNION ALL
            SELECT DISTINCT agency_id, 1 FROM observations_in_force
            WHERE indicator_id = $indicator AND quarter_index(period) <= $up_to
        )
        SELECT f.agency_id, a.short_name AS agency
        FROM feeding f
        JOIN agencies a ON a.id = f.agency_id
        GROUP BY f.agency_id, a.short_name
        ORDER BY min(f.rank), a.short_name
        """,
        {"indicator": indicator_id, "up_to": period.index},
    ).df()


def current(cursor: duckdb.DuckDBPyConnection, actor: User, indicator_id: str, period: Quarter) -> pd.DataFrame:
    """What the commentary on the indicator says now for the quarter, question by question (the
    agencies' answers by agency): question, agency_id, agency, body, written_by, written_at."""
    _check_reader(actor)
    return _with_none(cursor.execute(
        f"""
        SELECT question, agency_id, agency, body, written_by, written_at
        FROM ({_ANSWERS})
        WHERE newest = 1 AND change <> '{DELETED}'
        ORDER BY list_position($questions, question), agency NULLS FIRST
        """,
        {"indicator": indicator_id, "period": period.label, "questions": list(QUESTIONS)},
    ).df())


def history(cursor: duckdb.DuckDBPyConnection, actor: User, indicator_id: str, period: Quarter) -> pd.DataFrame:
    """Every version of every answer for the indicator and quarter, newest first: question,
    agency_id, agency, change (written, edited, deleted), body (for a deletion, the words it
    took away), written_by, written_at."""
    _check_reader(actor)
    return _with_none(cursor.execute(
        f"""
        SELECT question, agency_id, agency, change, body, written_by, written_at
        FROM ({_ANSWERS})
        ORDER BY written_at DESC, id DESC
        """,
        {"indicator": indicator_id, "period": period.label},
    ).df())


def save(
    cursor: duckdb.DuckDBPyConnection, actor: User, indicator_id: str, period: Quarter, question: str, body: str,
    now: dt.datetime, agency_id: str | None = None,
) -> bool:
    """Write or edit an answer; return whether anything changed (the same words again change nothing)."""
    _check_writer(actor)
    text = body.strip()
    if not text:
        raise CommentaryError("The answer is empty", "Write what the figures say, or delete the answer instead.")
    if len(text) > MAX_ANSWER_CHARACTERS:
        raise CommentaryError(f"The answer is {len(text):,} characters long",
                              f"Keep it under {MAX_ANSWER_CHARACTERS:,} characters: link to a paper for the rest.")
    with transaction(cursor):
        _check_answer(cursor, indicator_id, period, question, agency_id)
        held = _latest(cursor, indicator_id, period, question, agency_id)
        if held is not None and held[0] != DELETED and held[1] == text:
            return False
        change = EDITED if held is not None and held[0] != DELETED else WRITTEN
        _insert(cursor, actor, indicator_id, period, question, agency_id, change, text, now)
    return True


def delete(
    cursor: duckdb.DuckDBPyConnection, actor: User, indicator_id: str, period: Quarter, question: str,
    now: dt.datetime, agency_id: str | None = None,
) -> None:
    """Take an answer away; its words and every earlier version stay in the history."""
    _check_writer(actor)
    with transaction(cursor):
        _check_answer(cursor, indicator_id, period, question, agency_id)
        held = _latest(cursor, indicator_id, period, question, agency_id)
        if held is None or held[0] == DELETED:
            raise CommentaryError("There is no answer to delete", "Reload the page to see the commentary as it is.")
        _insert(cursor, actor, indicator_id, period, question, agency_id, DELETED, held[1], now)


def _with_none(frame: pd.DataFrame) -> pd.DataFrame:
    """An answer that is not about an agency has None for its agency, not a float NaN."""
    for column in ("agency_id", "agency"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _check_answer(cursor: duckdb.DuckDBPyConnection, indicator_id: str, period: Quarter, question: str,
                  agency_id: str | None) -> None:
    if question not in QUESTIONS:
        raise CommentaryError(f"'{question}' is not one of the questions",
                              "Answer one of: " + "; ".join(INDICATOR_QUESTION_LABELS.values()))
    if cursor.execute("SELECT count(*) FROM indicators WHERE id = ?", [indicator_id]).fetchone()[0] == 0:
        raise UnknownIndicatorError(f"'{indicator_id}' is not an indicator in the catalogue",
                                    "python -m thinktank indicators lists them.")
    if question != FOR_AGENCY:
        if agency_id is not None:
            raise CommentaryError(f"'{INDICATOR_QUESTION_LABELS[question]}' is answered once, not per agency",
                                  f"Write about each agency under '{INDICATOR_QUESTION_LABELS[FOR_AGENCY]}'.")
        return
    feeding = feeding_agencies(cursor, indicator_id, period)
    if agency_id not in set(feeding["agency_id"]):
        raise CommentaryError(f"'{agency_id}' does not feed {indicator_id}",
                              f"Write about an agency that feeds it: {', '.join(feeding['agency'])}.")


def _latest(cursor: duckdb.DuckDBPyConnection, indicator_id: str, period: Quarter, question: str,
            agency_id: str | None) -> tuple[str, str] | None:
    return cursor.execute(
        "SELECT change, body FROM indicator_commentary WHERE indicator_id = ? AND period = ? AND question = ? "
        "AND agency_id IS NOT DISTINCT FROM ? ORDER BY id DESC LIMIT 1",
        [indicator_id, period.label, question, agency_id],
    ).fetchone()


def _insert(cursor: duckdb.DuckDBPyConnection, actor: User, indicator_id: str, period: Quarter, question: str,
            agency_id: str | None, change: str, body: str, now: dt.datetime) -> None:
    cursor.execute(
        "INSERT INTO indicator_commentary (indicator_id, period, question, agency_id, change, body, written_by, "
        "written_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [indicator_id, period.label, question, agency_id, change, body, actor.id, now],
    )
    record(cursor, actor, AuditEntry(action="indicator_commentary", outcome=change, agency_id=agency_id,
                                     period=period.label, detail=f"{indicator_id}: {question}"), now)


def _check_writer(actor: User) -> None:
    if actor.role not in THINK_TANK_WRITERS:
        raise AccessDeniedError("Only Think Tank analysts write commentary on an indicator",
                                "PLG members and agencies read it; ask an analyst to make the change.")


def _check_reader(actor: User) -> None:
    if actor.role not in THINK_TANK_READERS:
        raise AccessDeniedError("The commentary on an indicator is for the Think Tank and the PLG",
                                "Ask the Think Tank for the agreed board pack.")
