"""A quarter's headlines as the store keeps them: statements under the Signs of Safety headings
of each theme, the Think Tank's scaling, and the sign-off from draft to agreed.

Analysts write (and admins, who can do what analysts do); PLG members read. Headlines can be
changed only while they are a draft. Agreeing them takes a snapshot of the figures behind them,
so that neither the statements nor the board pack of an agreed quarter change when a later
return arrives; changing agreed headlines opens a new version, with a reason, carrying the
statements and scaling over. Every write is audited and every statement change is kept.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from thinktank import narrative, scorecard
from thinktank.errors import AccessDeniedError, ThinkTankError
from thinktank.formatting import (
    SIGN_OFF_IN_A_SENTENCE,
    SIGN_OFF_LABELS,
    SIGNS_OF_SAFETY_LABELS,
    format_figure,
)
from thinktank.headlines.drafting import propose, return_versions
from thinktank.periods import Quarter
from thinktank.publication import returns_in_force
from thinktank.store.audit import AuditEntry, record
from thinktank.store.transactions import transaction
from thinktank.users import THINK_TANK_READERS, THINK_TANK_WRITERS, User

DRAFT, READY, AGREED = "draft", "ready", "agreed"
MAX_STATEMENT_CHARACTERS = 1_500
MAX_REASON_CHARACTERS = 500
SCALE_RANGE = range(0, 11)


class HeadlineError(ThinkTankError):
    """A change to the headlines that cannot be made as asked."""


@dataclass(frozen=True)
class SignOff:
    period: Quarter
    version: int
    state: str
    reason: str | None = None
    changed_by: str | None = None
    changed_at: dt.datetime | None = None

    @property
    def label(self) -> str:
        return SIGN_OFF_LABELS[self.state]


def sign_off(cursor: duckdb.DuckDBPyConnection, period: Quarter) -> SignOff:
    """Where the quarter's headlines stand: a quarter nobody has touched is version 1, a draft."""
    row = cursor.execute(
        "SELECT version, state, reason, changed_by, changed_at FROM headline_sign_off "
        "WHERE period = ? ORDER BY id DESC LIMIT 1",
        [period.label],
    ).fetchone()
    return SignOff(period, 1, DRAFT) if row is None else SignOff(period, *row)


def sign_off_history(cursor: duckdb.DuckDBPyConnection, period: Quarter) -> pd.DataFrame:
    return cursor.execute(
        "SELECT version, state, reason, changed_by, changed_at FROM headline_sign_off WHERE period = ? ORDER BY id",
        [period.label],
    ).df()


def statements(
    cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter, version: int | None = None,
) -> pd.DataFrame:
    """The statements of the quarter's headlines (its current version unless told), in order:
    theme, heading, position. ``figures`` is the list of figures each quotes."""
    _check_reader(actor)
    version = version or sign_off(cursor, period).version
    frame = cursor.execute(
        """
        SELECT s.id, s.theme_id, t.number AS theme_number, t.name AS theme_name, s.signs_of_safety,
            s.position, s.body, s.indicator_id, s.drafting_rule, s.figures, s.written_by, s.written_at
        FROM headline_statements s
        LEFT JOIN themes t ON t.id = s.theme_id
        WHERE s.period = $period AND s.version = $version AND s.deleted_at IS NULL
        ORDER BY t.number, list_position($headings, s.signs_of_safety), s.position, s.id
        """,
        {"period": period.label, "version": version, "headings": list(SIGNS_OF_SAFETY_LABELS)},
    ).df()
    frame["figures"] = [json.loads(figures) for figures in frame["figures"]]
    return frame


def statement_history(cursor: duckdb.DuckDBPyConnection, actor: User, statement_id: int) -> pd.DataFrame:
    _check_reader(actor)
    return cursor.execute(
        "SELECT change, body, position, changed_by, changed_at FROM headline_statement_changes "
        "WHERE statement_id = ? ORDER BY changed_at, rowid",
        [statement_id],
    ).df()


def changes(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter) -> pd.DataFrame:
    """Every change to the quarter's statements, in every version, newest first: who, when, what."""
    _check_reader(actor)
    return cursor.execute(
        """
        SELECT c.changed_at, c.changed_by, c.change, s.version, t.name AS theme_name, s.signs_of_safety, c.body
        FROM headline_statement_changes c
        JOIN headline_statements s ON s.id = c.statement_id
        LEFT JOIN themes t ON t.id = s.theme_id
        WHERE s.period = ?
        ORDER BY c.changed_at DESC, c.rowid DESC
        """,
        [period.label],
    ).df()


# Writing statements. ------------------------------------------------------------------------

def draft_from_data(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter, now: dt.datetime) -> int:
    """Add the drafting rules' statements for the quarter that the draft does not hold yet (an
    analyst's deletion counts as holding it: a deleted proposal is not proposed again). Return
    how many were added."""
    with transaction(cursor):
        state = _editable(cursor, actor, period)
        held = set(cursor.execute(
            "SELECT signs_of_safety, indicator_id FROM headline_statements "
            "WHERE period = ? AND version = ? AND drafting_rule IS NOT NULL",
            [period.label, state.version],
        ).fetchall())
        added = 0
        for proposal in propose(cursor, period):
            if (proposal.signs_of_safety, proposal.indicator_id) in held:
                continue
            _insert(cursor, actor, state, proposal.theme_id, proposal.signs_of_safety, proposal.body, now,
                    indicator_id=proposal.indicator_id, drafting_rule=proposal.drafting_rule,
                    figures=[figure.as_json() for figure in proposal.figures])
            added += 1
        record(cursor, actor, AuditEntry(action="headlines", outcome="drafted from the data", period=period.label,
                                         detail=f"version {state.version}, {added} statements added"), now)
    return added


def add_statement(
    cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter, theme: str, heading: str, body: str,
    now: dt.datetime,
) -> int:
    """An analyst's own statement, at the end of its heading; return its id."""
    text = _checked_text(body)
    if heading not in SIGNS_OF_SAFETY_LABELS:
        raise HeadlineError(f"'{heading}' is not a Signs of Safety heading",
                            "Choose one of: " + "; ".join(SIGNS_OF_SAFETY_LABELS.values()))
    with transaction(cursor):
        state = _editable(cursor, actor, period)
        if cursor.execute("SELECT count(*) FROM themes WHERE id = ?", [theme]).fetchone()[0] == 0:
            raise HeadlineError(f"There is no theme '{theme}'", "Choose a theme from the catalogue.")
        statement_id = _insert(cursor, actor, state, theme, heading, text, now)
        _audit(cursor, actor, period, "statement added", statement_id, now)
    return statement_id


def edit_statement(cursor: duckdb.DuckDBPyConnection, actor: User, statement_id: int, body: str,
                   now: dt.datetime) -> None:
    text = _checked_text(body)
    with transaction(cursor):
        period, position = statement_for_change(cursor, actor, statement_id)
        cursor.execute("UPDATE headline_statements SET body = ? WHERE id = ?", [text, statement_id])
        _change(cursor, actor, statement_id, "edited", text, position, now)
        _audit(cursor, actor, period, "statement edited", statement_id, now)


def move_statement(cursor: duckdb.DuckDBPyConnection, actor: User, statement_id: int, steps: int,
                   now: dt.datetime) -> None:
    """Move a statement up (negative steps) or down its heading's list."""
    with transaction(cursor):
        period, _ = statement_for_change(cursor, actor, statement_id)
        theme, heading, version = cursor.execute(
            "SELECT theme_id, signs_of_safety, version FROM headline_statements WHERE id = ?", [statement_id]
        ).fetchone()
        order = [row[0] for row in cursor.execute(
            "SELECT id FROM headline_statements WHERE period = ? AND version = ? AND theme_id = ? "
            "AND signs_of_safety = ? AND deleted_at IS NULL ORDER BY position, id",
            [period.label, version, theme, heading],
        ).fetchall()]
        start = order.index(statement_id)
        order.insert(max(0, min(len(order) - 1, start + steps)), order.pop(start))
        for position, moved_id in enumerate(order, start=1):
            cursor.execute("UPDATE headline_statements SET position = ? WHERE id = ?", [position, moved_id])
        body = cursor.execute("SELECT body FROM headline_statements WHERE id = ?", [statement_id]).fetchone()[0]
        _change(cursor, actor, statement_id, "moved", body, order.index(statement_id) + 1, now)
        _audit(cursor, actor, period, "statement moved", statement_id, now)


def delete_statement(cursor: duckdb.DuckDBPyConnection, actor: User, statement_id: int, now: dt.datetime) -> None:
    """Take a statement out of the headlines; it and its history are kept."""
    with transaction(cursor):
        period, position = statement_for_change(cursor, actor, statement_id)
        body = cursor.execute("SELECT body FROM headline_statements WHERE id = ?", [statement_id]).fetchone()[0]
        cursor.execute("UPDATE headline_statements SET deleted_at = ? WHERE id = ?", [now, statement_id])
        _change(cursor, actor, statement_id, "deleted", body, position, now)
        _audit(cursor, actor, period, "statement deleted", statement_id, now)


# Scaling. ---------------------------------------------------------------------------------

def set_scale(
    cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter, theme: str | None, score: int, reason: str,
    now: dt.datetime,
) -> None:
    """The Think Tank's judgement of a theme (``None``: the partnership as a whole), 0 to 10."""
    if score not in SCALE_RANGE:
        raise HeadlineError(f"{score} is not on the scale", "Give a whole number from 0 to 10.")
    text = _checked_reason(reason, "A scale needs its reason", "Say in a sentence or two why this number, not one higher.")
    with transaction(cursor):
        state = _editable(cursor, actor, period)
        cursor.execute("INSERT INTO headline_scaling VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [period.label, state.version, theme, score, text, actor.id, now])
        record(cursor, actor, AuditEntry(action="headlines", outcome="scaled", period=period.label,
                                         detail=f"version {state.version}, {theme or 'partnership'}: {score}"), now)


def scales(cursor: duckdb.DuckDBPyConnection, period: Quarter, version: int | None = None) -> pd.DataFrame:
    """Each theme's current scale for the quarter (theme_id None: the partnership's)."""
    version = version or sign_off(cursor, period).version
    return cursor.execute(
        """
        SELECT theme_id, score, reason, scaled_by, scaled_at
        FROM headline_scaling
        WHERE period = $period AND version = $version
        QUALIFY row_number() OVER (PARTITION BY theme_id ORDER BY scaled_at DESC, rowid DESC) = 1
        """,
        {"period": period.label, "version": version},
    ).df()


def scale_history(cursor: duckdb.DuckDBPyConnection, up_to: Quarter) -> pd.DataFrame:
    """Every quarter's scale of every theme and of the partnership, up to ``up_to``, from each
    quarter's current version: what the quarter-on-quarter chart draws."""
    return cursor.execute(
        """
        WITH current_version AS (
            SELECT period, version FROM headline_sign_off
            QUALIFY row_number() OVER (PARTITION BY period ORDER BY id DESC) = 1
        )
        SELECT s.period, quarter_index(s.period) AS period_index, s.theme_id, s.score
        FROM headline_scaling s
        LEFT JOIN current_version v ON v.period = s.period
        WHERE s.version = coalesce(v.version, 1) AND quarter_index(s.period) <= $up_to
        QUALIFY row_number() OVER (PARTITION BY s.period, s.theme_id ORDER BY s.scaled_at DESC, s.rowid DESC) = 1
        ORDER BY period_index, s.theme_id
        """,
        {"up_to": up_to.index},
    ).df()


# Sign-off. --------------------------------------------------------------------------------

def mark_ready(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter, now: dt.datetime) -> None:
    """The Think Tank has finished the draft: the PLG can read it before its meeting."""
    _move(cursor, actor, period, {DRAFT}, READY, now)


def back_to_draft(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter, now: dt.datetime) -> None:
    _move(cursor, actor, period, {READY}, DRAFT, now)


def agree(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter, now: dt.datetime) -> None:
    """Record that the PLG agreed the headlines, and freeze the figures behind them."""
    def snapshot(state: SignOff) -> None:
        card = scorecard.scorecard(cursor, period)
        points = scorecard.series(cursor, None, period)
        cursor.execute(
            "INSERT INTO headline_snapshots (period, version, scorecard, series, taken_at, evidence, returns) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [period.label, state.version, _parquet(card), _parquet(points), now,
             _parquet(narrative.quarter_evidence(cursor, actor, period)), json.dumps(returns_in_force(cursor, period))])
    _move(cursor, actor, period, {READY}, AGREED, now, also=snapshot)


def new_version(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter, reason: str,
                now: dt.datetime) -> int:
    """Open agreed headlines for change: a new draft version carrying the statements and scaling
    over, the agreed one kept as it was. Return the new version's number."""
    text = _checked_reason(reason, "A new version needs its reason",
                           "Say why agreed headlines must change, for example 'Police return corrected'.")
    _check_writer(actor)
    with transaction(cursor):
        state = sign_off(cursor, period)
        if state.state != AGREED:
            raise HeadlineError(f"The {period} headlines are not agreed",
                                "Only agreed headlines need a new version; a draft can be changed as it is.")
        version = state.version + 1
        carried = cursor.execute(
            "SELECT id, theme_id, signs_of_safety, position, body, indicator_id, drafting_rule, figures "
            "FROM headline_statements WHERE period = ? AND version = ? AND deleted_at IS NULL ORDER BY id",
            [period.label, state.version],
        ).fetchall()
        for old_id, theme, heading, position, body, indicator, rule, figures in carried:
            (new_id,) = cursor.execute(
                "INSERT INTO headline_statements (period, version, theme_id, signs_of_safety, position, body, "
                "indicator_id, drafting_rule, figures, written_by, written_at, carried_from) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [period.label, version, theme, heading, position, body, indicator, rule, figures, actor.id, now,
                 old_id],
            ).fetchone()
            _change(cursor, actor, new_id, "carried over", body, position, now)
            cursor.execute("INSERT INTO statement_evidence SELECT ?, evidence_key, linked_by, linked_at, NULL "
                           "FROM statement_evidence WHERE statement_id = ? AND unlinked_at IS NULL", [new_id, old_id])
        cursor.execute(
            "INSERT INTO headline_scaling SELECT period, $version, theme_id, score, reason, scaled_by, scaled_at "
            "FROM headline_scaling WHERE period = $period AND version = $old "
            "QUALIFY row_number() OVER (PARTITION BY theme_id ORDER BY scaled_at DESC, rowid DESC) = 1",
            {"period": period.label, "version": version, "old": state.version},
        )
        cursor.execute("INSERT INTO headline_sign_off (period, version, state, reason, changed_by, changed_at) "
                       "VALUES (?, ?, 'draft', ?, ?, ?)", [period.label, version, text, actor.id, now])
        record(cursor, actor, AuditEntry(action="headlines", outcome="new version", period=period.label,
                                         detail=f"version {version}"), now)
    return version


# What moved since a statement was written. ------------------------------------------------

def moved_figures(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter,
                  version: int | None = None) -> pd.DataFrame:
    """Every figure a statement quotes that reads differently now (a later return changed it):
    statement_id, indicator_id, period, shown_then, shown_now, version_then, version_now."""
    quoted = statements(cursor, actor, period, version)
    rows = [dict(statement_id=statement.id, **figure)
            for statement in quoted.itertuples() for figure in statement.figures]
    if not rows:
        return pd.DataFrame(columns=["statement_id", "indicator_id", "period", "shown_then", "shown_now",
                                     "version_then", "version_now"])
    figures = pd.DataFrame(rows)
    quarters = sorted({Quarter.parse(label) for label in figures["period"]}, key=lambda quarter: quarter.index)
    now_shown = _figures_shown_now(cursor, quarters[-1])
    versions = return_versions(cursor, quarters)
    figures["shown_now"] = [now_shown.get((indicator, label), "no figure")
                            for indicator, label in zip(figures["indicator_id"], figures["period"], strict=True)]
    figures["version_now"] = [versions.get((agency, label))
                              for agency, label in zip(figures["agency_id"], figures["period"], strict=True)]
    moved = figures[figures["shown"] != figures["shown_now"]]
    return moved.rename(columns={"shown": "shown_then", "return_version": "version_then"})[
        ["statement_id", "indicator_id", "period", "shown_then", "shown_now", "version_then", "version_now"]
    ].reset_index(drop=True)


def _figures_shown_now(cursor: duckdb.DuckDBPyConnection, up_to: Quarter) -> dict[tuple[str, str], str]:
    points = scorecard.series(cursor, None, up_to)
    units = dict(cursor.execute("SELECT id, unit FROM indicators").fetchall())
    return {
        (point.indicator_id, point.period): format_figure(point.value, units.get(point.indicator_id, "count"),
                                                          point.status)
        for point in points.itertuples()
    }


# The figures behind a board pack. ----------------------------------------------------------

@dataclass(frozen=True)
class PackFigures:
    """The quarter's scorecard, whole-area series, evidence and the returns in force (a line
    each), and when they were frozen (None: they are as they are now)."""

    card: pd.DataFrame
    series: pd.DataFrame
    evidence: pd.DataFrame
    returns: list[str]
    frozen_at: dt.datetime | None


def pack_figures(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter) -> PackFigures:
    """For agreed headlines, the figures as they stood when agreed; otherwise as they are now."""
    _check_reader(actor)
    state = sign_off(cursor, period)
    if state.state == AGREED:
        card, points, evidence, returns, taken_at = cursor.execute(
            "SELECT scorecard, series, evidence, returns, taken_at FROM headline_snapshots "
            "WHERE period = ? AND version = ?",
            [period.label, state.version],
        ).fetchone()
        # A snapshot from before migration 011 froze the figures only.
        return PackFigures(
            _from_parquet(card), _from_parquet(points),
            narrative.quarter_evidence(cursor, actor, period) if evidence is None else _frame_from_parquet(evidence),
            returns_in_force(cursor, period) if returns is None else json.loads(returns), taken_at)
    return PackFigures(scorecard.scorecard(cursor, period), scorecard.series(cursor, None, period),
                       narrative.quarter_evidence(cursor, actor, period), returns_in_force(cursor, period), None)


# The rules every write keeps. ---------------------------------------------------------------

def _check_writer(actor: User) -> None:
    if actor.role not in THINK_TANK_WRITERS:
        raise AccessDeniedError("Only Think Tank analysts write the headlines",
                                "PLG members read them; ask an analyst to make the change.")


def _check_reader(actor: User) -> None:
    if actor.role not in THINK_TANK_READERS:
        raise AccessDeniedError("The quarterly headlines are for the Think Tank and the PLG",
                                "Ask the Think Tank for the agreed board pack.")


def _editable(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter) -> SignOff:
    _check_writer(actor)
    state = sign_off(cursor, period)
    if state.state == READY:
        raise HeadlineError(f"The {period} headlines are ready for the PLG",
                            "Move them back to draft to change them.")
    if state.state == AGREED:
        raise HeadlineError(f"The {period} headlines were agreed by the PLG and are frozen",
                            "Open a new version, with the reason, to change them.")
    return state


def statement_for_change(cursor: duckdb.DuckDBPyConnection, actor: User, statement_id: int) -> tuple[Quarter, int]:
    """The quarter and position of a statement the actor may change now (it is in the current
    version of a draft); raises otherwise. Also what linking evidence to it checks."""
    row = cursor.execute(
        "SELECT period, version, position FROM headline_statements WHERE id = ? AND deleted_at IS NULL",
        [statement_id],
    ).fetchone()
    if row is None:
        raise HeadlineError("That statement is no longer in the headlines", "Reload the page to see them as they are.")
    period = Quarter.parse(row[0])
    state = _editable(cursor, actor, period)
    if row[1] != state.version:
        raise HeadlineError("That statement belongs to an earlier version", "Change the current version instead.")
    return period, row[2]


def _checked_reason(reason: str, missing: str, hint: str) -> str:
    """A reason on one line, present and not too long; ``missing`` and ``hint`` say what one
    is for when it is left empty."""
    text = " ".join(reason.split())
    if not text:
        raise HeadlineError(missing, hint)
    if len(text) > MAX_REASON_CHARACTERS:
        raise HeadlineError(f"The reason is {len(text):,} characters long",
                            f"Keep it under {MAX_REASON_CHARACTERS:,} characters.")
    return text


def _checked_text(body: str) -> str:
    text = body.strip()
    if not text:
        raise HeadlineError("The statement is empty", "Write what the figures and evidence say, or delete it.")
    if len(text) > MAX_STATEMENT_CHARACTERS:
        raise HeadlineError(f"The statement is {len(text):,} characters long",
                            f"Keep a headline under {MAX_STATEMENT_CHARACTERS:,} characters: link to a paper instead.")
    return text


def _insert(
    cursor: duckdb.DuckDBPyConnection, actor: User, state: SignOff, theme: str, heading: str, body: str,
    now: dt.datetime, indicator_id: str | None = None, drafting_rule: str | None = None,
    figures: list[dict] | None = None,
) -> int:
    (position,) = cursor.execute(
        "SELECT coalesce(max(position), 0) + 1 FROM headline_statements "
        "WHERE period = ? AND version = ? AND theme_id = ? AND signs_of_safety = ?",
        [state.period.label, state.version, theme, heading],
    ).fetchone()
    (statement_id,) = cursor.execute(
        "INSERT INTO headline_statements (period, version, theme_id, signs_of_safety, position, body, indicator_id, "
        "drafting_rule, figures, written_by, written_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [state.period.label, state.version, theme, heading, position, body, indicator_id, drafting_rule,
         json.dumps(figures or []), actor.id, now],
    ).fetchone()
    _change(cursor, actor, statement_id, "added", body, position, now)
    return statement_id


def _change(cursor: duckdb.DuckDBPyConnection, actor: User, statement_id: int, change: str, body: str,
            position: int, now: dt.datetime) -> None:
    cursor.execute("INSERT INTO headline_statement_changes VALUES (?, ?, ?, ?, ?, ?)",
                   [statement_id, change, body, position, actor.id, now])


def _audit(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter, outcome: str, statement_id: int,
           now: dt.datetime) -> None:
    record(cursor, actor, AuditEntry(action="headlines", outcome=outcome, period=period.label,
                                     detail=f"statement {statement_id}"), now)


def _move(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter, allowed_from: set[str], to: str,
          now: dt.datetime, also: Callable[[SignOff], None] | None = None) -> None:
    _check_writer(actor)
    with transaction(cursor):
        state = sign_off(cursor, period)
        if state.state not in allowed_from:
            raise HeadlineError(f"The {period} headlines are {SIGN_OFF_IN_A_SENTENCE[state.state]}",
                                f"They can become {SIGN_OFF_IN_A_SENTENCE[to]} only from "
                                + " or ".join(SIGN_OFF_IN_A_SENTENCE[name] for name in sorted(allowed_from)) + ".")
        if also is not None:
            also(state)
        cursor.execute("INSERT INTO headline_sign_off (period, version, state, changed_by, changed_at) "
                       "VALUES (?, ?, ?, ?, ?)", [period.label, state.version, to, actor.id, now])
        record(cursor, actor, AuditEntry(action="headlines", outcome=SIGN_OFF_IN_A_SENTENCE[to],
                                         period=period.label, detail=f"version {state.version}"), now)


def _parquet(frame: pd.DataFrame) -> bytes:
    # Without pandas' own metadata, which names the list columns' Arrow types in a form pandas
    # cannot read back; the lists are read back into Arrow as the scorecard keeps them.
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _from_parquet(data: bytes) -> pd.DataFrame:
    return scorecard.frame_from_arrow(pq.read_table(io.BytesIO(data)))


def _frame_from_parquet(data: bytes) -> pd.DataFrame:
    frame = pq.read_table(io.BytesIO(data)).to_pandas()
    return frame.astype(object).where(frame.notna(), None)
