"""The qualitative side of a theme for a quarter: evidence (audits, surveys, the voice of
children, families and practitioners, reviews, inspections) under its Signs of Safety heading,
whether an agency sent it on its return's Evidence sheet or an analyst entered it in the app,
and the links from the Think Tank's headline statements to the evidence behind them. The
statements themselves are the headlines' (`thinktank.headlines`).

Each piece of evidence has a key that names it for good: ``return-12`` (row 12 of the returns'
evidence) or ``entered-3`` (the third entered in the app). Analysts (and admins) enter, delete
and link evidence; a deletion or an unlinking is marked, never removed, and every write is
audited."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from thinktank.errors import AccessDeniedError, ThinkTankError
from thinktank.formatting import EVIDENCE_SOURCE_LABELS, SIGNS_OF_SAFETY_LABELS

# A module, not its names: the headlines module reads evidence from here when it freezes them.
from thinktank.headlines import record as headlines
from thinktank.periods import Quarter
from thinktank.rules.evidence import SIGNS_OF_SAFETY, SOURCES
from thinktank.store.audit import AuditEntry, record
from thinktank.store.transactions import transaction
from thinktank.users import THINK_TANK_READERS, THINK_TANK_WRITERS, User, check_reads_returns

RETURN, ENTERED = "return", "entered in the app"
RETURN_KEY_PREFIX, ENTERED_KEY_PREFIX = "return-", "entered-"
MAX_TITLE_CHARACTERS = 200
MAX_DETAIL_CHARACTERS = 2_000
COLUMNS = ["evidence_key", "signs_of_safety", "source", "title", "detail", "agency", "origin", "entered_by"]

# Every piece of evidence of both origins, with its theme and quarter, and whether it is in force
# (`current`): evidence from a return replaced by a later version, or entered evidence that was
# deleted, is not.
_ALL_EVIDENCE = f"""
    SELECT '{RETURN_KEY_PREFIX}' || e.id AS evidence_key, e.id AS number, e.theme_id, e.period,
        e.signs_of_safety, e.source, e.title, e.detail, a.short_name AS agency, '{RETURN}' AS origin,
        s.submitted_by AS entered_by, s.id IN (SELECT id FROM submissions_in_force) AS current,
        s.agency_id
    FROM evidence e
    JOIN submissions s ON s.id = e.submission_id
    LEFT JOIN agencies a ON a.id = s.agency_id
    UNION ALL
    SELECT '{ENTERED_KEY_PREFIX}' || x.id, x.id, x.theme_id, x.period, x.signs_of_safety, x.source, x.title,
        x.detail, a.short_name, '{ENTERED}', x.entered_by, x.deleted_at IS NULL, x.agency_id
    FROM evidence_entries x
    LEFT JOIN agencies a ON a.id = x.agency_id
"""


class EvidenceError(ThinkTankError):
    """Evidence that cannot be entered, deleted or linked as asked."""


def theme_evidence(cursor: duckdb.DuckDBPyConnection, actor: User, theme: str, period: Quarter) -> pd.DataFrame:
    """The theme's evidence in force for the quarter, from the returns and entered in the app, by
    Signs of Safety heading: what the Theme page, the headlines and the board pack all show."""
    evidence = quarter_evidence(cursor, actor, period)
    return evidence[evidence["theme_id"] == theme].drop(columns="theme_id").reset_index(drop=True)


def quarter_evidence(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter) -> pd.DataFrame:
    """Every theme's evidence in force for the quarter, with its theme, in `theme_evidence`'s
    order within each theme (what agreeing the headlines freezes). The Think Tank and the PLG
    read all of it; an agency's uploader the evidence its own agency's returns sent, which is
    part of its returns."""
    if actor.role not in THINK_TANK_READERS:
        check_reads_returns(actor, actor.agency_id)
    return _with_none(cursor.execute(
        f"""
        SELECT theme_id, {", ".join(COLUMNS)}
        FROM ({_ALL_EVIDENCE})
        WHERE period = $period AND current
          AND ($agency IS NULL OR (origin = '{RETURN}' AND agency_id = $agency))
        ORDER BY theme_id, list_position($headings, signs_of_safety), origin = '{ENTERED}', agency NULLS LAST,
            title, number
        """,
        {"period": period.label, "headings": list(SIGNS_OF_SAFETY),
         "agency": None if actor.role in THINK_TANK_READERS else actor.agency_id},
    ).df())


def add_evidence(
    cursor: duckdb.DuckDBPyConnection, actor: User, theme: str, period: Quarter, source: str, heading: str,
    title: str, detail: str | None, agency_id: str | None, now: dt.datetime,
) -> str:
    """Enter a piece of evidence for the theme and quarter; return its key."""
    _check_writer(actor)
    title_text = " ".join(title.split())
    detail_text = (detail or "").strip() or None
    if not title_text:
        raise EvidenceError("The evidence needs a title",
                            "Say in a few words what it is, for example 'Audit of 20 child protection plans'.")
    if len(title_text) > MAX_TITLE_CHARACTERS:
        raise EvidenceError(f"The title is {len(title_text):,} characters long",
                            f"Keep it under {MAX_TITLE_CHARACTERS:,} characters; say the rest in the detail.")
    if detail_text and len(detail_text) > MAX_DETAIL_CHARACTERS:
        raise EvidenceError(f"The detail is {len(detail_text):,} characters long",
                            f"Keep it under {MAX_DETAIL_CHARACTERS:,} characters: give the findings that matter "
                            "and where the full report is kept.")
    if source not in SOURCES:
        raise EvidenceError(f"'{source}' is not a source of evidence",
                            "Choose one of: " + ", ".join(EVIDENCE_SOURCE_LABELS[code] for code in SOURCES) + ".")
    if heading not in SIGNS_OF_SAFETY:
        raise EvidenceError(f"'{heading}' is not a Signs of Safety heading",
                            "Choose one of: " + "; ".join(SIGNS_OF_SAFETY_LABELS.values()))
    with transaction(cursor):
        if cursor.execute("SELECT count(*) FROM themes WHERE id = ?", [theme]).fetchone()[0] == 0:
            raise EvidenceError(f"There is no theme '{theme}'", "Choose a theme from the catalogue.")
        if agency_id is not None and cursor.execute(
                "SELECT count(*) FROM agencies WHERE id = ?", [agency_id]).fetchone()[0] == 0:
            raise EvidenceError(f"There is no agency '{agency_id}'",
                                "Choose an agency from the catalogue, or none if the evidence is not about one.")
        (number,) = cursor.execute(
            "INSERT INTO evidence_entries (theme_id, period, source, signs_of_safety, title, detail, agency_id, "
            "entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [theme, period.label, source, heading, title_text, detail_text, agency_id, actor.id, now],
        ).fetchone()
        key = f"{ENTERED_KEY_PREFIX}{number}"
        record(cursor, actor, AuditEntry(action="evidence", outcome="entered", agency_id=agency_id,
                                         period=period.label, detail=f"{key}, {theme}: {title_text}"), now)
    return key


def delete_evidence(cursor: duckdb.DuckDBPyConnection, actor: User, evidence_key: str, now: dt.datetime) -> None:
    """Take entered evidence off the theme; it is kept, marked deleted, and stays behind any
    statement it was linked to."""
    _check_writer(actor)
    if evidence_key.startswith(RETURN_KEY_PREFIX):
        raise EvidenceError("Evidence sent with a return cannot be deleted here",
                            "It belongs to the agency's return: ask the agency to send a corrected return.")
    with transaction(cursor):
        found = _evidence(cursor, evidence_key)
        if found is None or not found["current"]:
            raise EvidenceError("That evidence is no longer on the theme", "Reload the page to see it as it is.")
        cursor.execute("UPDATE evidence_entries SET deleted_by = ?, deleted_at = ? WHERE id = ?",
                       [actor.id, now, found["number"]])
        record(cursor, actor, AuditEntry(action="evidence", outcome="deleted", period=found["period"],
                                         detail=f"{evidence_key}: {found['title']}"), now)


def deleted_evidence(cursor: duckdb.DuckDBPyConnection, actor: User, theme: str, period: Quarter) -> pd.DataFrame:
    """Evidence entered for the theme and quarter and since deleted, with who deleted it and when:
    the Think Tank's own record, read by the Think Tank and the PLG."""
    if actor.role not in THINK_TANK_READERS:
        raise AccessDeniedError("Evidence entered in the app is read by the Think Tank and the PLG",
                                "Your agency's own evidence, sent with its returns, is shown on each theme.")
    return _with_none(cursor.execute(
        f"""
        SELECT '{ENTERED_KEY_PREFIX}' || x.id AS evidence_key, x.signs_of_safety, x.source, x.title, x.detail,
            a.short_name AS agency, x.entered_by, x.entered_at, x.deleted_by, x.deleted_at
        FROM evidence_entries x
        LEFT JOIN agencies a ON a.id = x.agency_id
        WHERE x.theme_id = $theme AND x.period = $period AND x.deleted_at IS NOT NULL
        ORDER BY x.deleted_at DESC, x.id DESC
        """,
        {"theme": theme, "period": period.label},
    ).df())


# Evidence behind a headline statement. -----------------------------------------------------

def link_evidence(
    cursor: duckdb.DuckDBPyConnection, actor: User, statement_id: int, evidence_key: str, now: dt.datetime
) -> None:
    """Record that the statement rests on this evidence: the statement must be one the actor
    may change now (the headlines' rule: a draft's), and the evidence must be in force."""
    _check_writer(actor)
    with transaction(cursor):
        headlines.statement_for_change(cursor, actor, statement_id)
        found = _evidence(cursor, evidence_key)
        if found is None or not found["current"]:
            raise EvidenceError(f"There is no evidence '{evidence_key}' in force",
                                "Choose evidence listed for the theme and quarter.")
        if _linked(cursor, statement_id, evidence_key):
            raise EvidenceError("That evidence is already linked to the statement", "Nothing needs doing.")
        cursor.execute("INSERT INTO statement_evidence VALUES (?, ?, ?, ?, NULL)",
                       [statement_id, evidence_key, actor.id, now])
        record(cursor, actor, AuditEntry(action="evidence", outcome="linked", period=found["period"],
                                         detail=f"{evidence_key} to statement {statement_id}"), now)


def unlink_evidence(
    cursor: duckdb.DuckDBPyConnection, actor: User, statement_id: int, evidence_key: str, now: dt.datetime
) -> None:
    _check_writer(actor)
    with transaction(cursor):
        headlines.statement_for_change(cursor, actor, statement_id)
        if not _linked(cursor, statement_id, evidence_key):
            raise EvidenceError("That evidence is not linked to the statement", "Reload the page to see the links.")
        cursor.execute("UPDATE statement_evidence SET unlinked_at = ? "
                       "WHERE statement_id = ? AND evidence_key = ? AND unlinked_at IS NULL",
                       [now, statement_id, evidence_key])
        record(cursor, actor, AuditEntry(action="evidence", outcome="unlinked",
                                         detail=f"{evidence_key} from statement {statement_id}"), now)


def linked_evidence(cursor: duckdb.DuckDBPyConnection, statement_ids: list[int]) -> pd.DataFrame:
    """The evidence linked to each of the statements, as theme_evidence gives it, with who linked
    it and when. Evidence deleted or replaced since it was linked is still listed (it is what the
    statement rested on), with ``current`` false."""
    return _with_none(cursor.execute(
        f"""
        SELECT l.statement_id, {", ".join(f"e.{column}" for column in COLUMNS)}, e.current, l.linked_by, l.linked_at
        FROM statement_evidence l
        JOIN ({_ALL_EVIDENCE}) e ON e.evidence_key = l.evidence_key
        WHERE l.unlinked_at IS NULL AND list_contains($statements, l.statement_id)
        ORDER BY l.statement_id, l.linked_at, l.rowid
        """,
        {"statements": [int(statement) for statement in statement_ids]},
    ).df())


def _with_none(frame: pd.DataFrame) -> pd.DataFrame:
    """No detail, or no agency, is None, not a float NaN."""
    for column in ("detail", "agency"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _evidence(cursor: duckdb.DuckDBPyConnection, evidence_key: str) -> dict | None:
    frame = cursor.execute(f"SELECT * FROM ({_ALL_EVIDENCE}) WHERE evidence_key = ?", [evidence_key]).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def _linked(cursor: duckdb.DuckDBPyConnection, statement_id: int, evidence_key: str) -> bool:
    return cursor.execute(
        "SELECT count(*) FROM statement_evidence WHERE statement_id = ? AND evidence_key = ? AND unlinked_at IS NULL",
        [statement_id, evidence_key],
    ).fetchone()[0] > 0


def _check_writer(actor: User) -> None:
    if actor.role not in THINK_TANK_WRITERS:
        raise AccessDeniedError("Only Think Tank analysts enter and link evidence in the app",
                                "Agencies send theirs on their return's Evidence sheet; others can ask an analyst.")
