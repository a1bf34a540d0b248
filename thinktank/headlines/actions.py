"""Actions: a "What needs to happen?" statement made a task for one agency, due by a quarter.

Analysts raise them; the analysts and the owner agency's own people record progress. Read in a
quarter, an action is done, in progress, or overdue (open past its due quarter), so that the
next quarter's headlines list what was due and what came of it.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from thinktank.errors import AccessDeniedError, ThinkTankError
from thinktank.formatting import ACTION_STATUS_LABELS
from thinktank.periods import Quarter
from thinktank.store.audit import AuditEntry, record
from thinktank.store.transactions import transaction
from thinktank.users import THINK_TANK_READERS, THINK_TANK_WRITERS, Role, User, only_agency

MAX_ACTION_CHARACTERS = 500
PROGRESS = ("in progress", "done")
FIRST_NOTE = "Raised at the PLG; no progress recorded yet."


class ActionError(ThinkTankError):
    """An action that cannot be raised or updated as asked."""


def raise_action(
    cursor: duckdb.DuckDBPyConnection, actor: User, statement_id: int, description: str, owner_agency_id: str,
    due: Quarter, now: dt.datetime,
) -> int:
    """Make a "What needs to happen?" statement an action for an agency; return its id."""
    if actor.role not in THINK_TANK_WRITERS:
        raise AccessDeniedError("Only Think Tank analysts raise actions",
                                "Ask an analyst to record what the PLG agreed.")
    text = _checked(description)
    with transaction(cursor):
        statement = cursor.execute(
            "SELECT theme_id, period, signs_of_safety FROM headline_statements WHERE id = ? AND deleted_at IS NULL",
            [statement_id],
        ).fetchone()
        if statement is None:
            raise ActionError("That statement is no longer in the headlines", "Reload the page and try again.")
        theme, raised_in, heading = statement
        if heading != "needs_to_happen":
            raise ActionError("Only a “What needs to happen?” statement becomes an action",
                              "Add what needs to happen under that heading first.")
        if due.index < Quarter.parse(raised_in).index:
            raise ActionError(f"{due} is before {raised_in}, when the action is raised",
                              "Choose this quarter or a later one.")
        if cursor.execute("SELECT count(*) FROM agencies WHERE id = ?", [owner_agency_id]).fetchone()[0] == 0:
            raise ActionError(f"There is no agency '{owner_agency_id}'", "Choose the agency from the list.")
        (action_id,) = cursor.execute(
            "INSERT INTO headline_actions (statement_id, theme_id, raised_in, description, owner_agency_id, due, "
            "raised_by, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [statement_id, theme, raised_in, text, owner_agency_id, due.label, actor.id, now],
        ).fetchone()
        cursor.execute("INSERT INTO headline_action_updates VALUES (?, 'in progress', ?, ?, ?)",
                       [action_id, FIRST_NOTE, actor.id, now])
        record(cursor, actor, AuditEntry(action="headline action", outcome="raised", agency_id=owner_agency_id,
                                         period=raised_in, detail=f"action {action_id}"), now)
    return action_id


def update_action(
    cursor: duckdb.DuckDBPyConnection, actor: User, action_id: int, status: str, note: str, now: dt.datetime,
) -> None:
    """Record progress on an action: by an analyst, or by someone from the agency that owns it."""
    if status not in PROGRESS:
        raise ActionError(f"'{status}' is not an action's progress",
                          "Choose one of: " + ", ".join(ACTION_STATUS_LABELS[name] for name in PROGRESS))
    text = _checked(note)
    with transaction(cursor):
        row = cursor.execute("SELECT owner_agency_id, raised_in FROM headline_actions WHERE id = ?",
                             [action_id]).fetchone()
        if row is None:
            raise ActionError(f"There is no action {action_id}", "Reload the page to see the actions as they are.")
        owner, raised_in = row
        if not may_update(actor, owner):
            raise AccessDeniedError("Only the Think Tank and the agency that owns an action update it",
                                    "Ask the owner agency or an analyst to record its progress.")
        cursor.execute("INSERT INTO headline_action_updates VALUES (?, ?, ?, ?, ?)",
                       [action_id, status, text, actor.id, now])
        record(cursor, actor, AuditEntry(action="headline action", outcome=status, agency_id=owner,
                                         period=raised_in, detail=f"action {action_id}"), now)


def may_update(actor: User, owner_agency_id: str) -> bool:
    """Whether the actor records progress on an agency's actions: a Think Tank analyst, or
    someone from the agency that owns them."""
    return actor.role in THINK_TANK_WRITERS or (actor.role == Role.AGENCY_UPLOADER and actor.agency_id == owner_agency_id)


def actions(
    cursor: duckdb.DuckDBPyConnection, actor: User, read_in: Quarter, *, raised_in: Quarter | None = None,
    raised_by: Quarter | None = None, due_by: Quarter | None = None, agency_id: str | None = None,
) -> pd.DataFrame:
    """Actions with their latest progress as read in ``read_in`` (``status`` is done, in
    progress or overdue), optionally those raised in a quarter or by one, due by one, or one
    agency's. The Think Tank and the PLG read every agency's; an agency's uploader its own
    agency's, which it records progress on."""
    agency_id = only_agency(actor, agency_id)
    if actor.role not in THINK_TANK_READERS and agency_id is None:
        raise AccessDeniedError("The actions from the headlines are for the Think Tank, the PLG and each agency",
                                "Ask the Think Tank for the agreed board pack.")
    return cursor.execute(
        """
        WITH latest AS (
            SELECT action_id, status, note, updated_by, updated_at FROM headline_action_updates
            QUALIFY row_number() OVER (PARTITION BY action_id ORDER BY updated_at DESC, rowid DESC) = 1
        )
        SELECT a.id, a.statement_id, a.theme_id, t.name AS theme_name, a.raised_in, a.description,
            a.owner_agency_id, g.short_name AS owner, a.due,
            CASE WHEN l.status = 'done' THEN 'done'
                 WHEN quarter_index(a.due) < $read_in THEN 'overdue'
                 ELSE 'in progress' END AS status,
            l.note AS latest_note, l.updated_by, l.updated_at
        FROM headline_actions a
        JOIN latest l ON l.action_id = a.id
        LEFT JOIN themes t ON t.id = a.theme_id
        LEFT JOIN agencies g ON g.id = a.owner_agency_id
        WHERE ($raised_in IS NULL OR a.raised_in = $raised_in)
          AND ($raised_by IS NULL OR quarter_index(a.raised_in) <= $raised_by)
          AND ($due_by IS NULL OR quarter_index(a.due) <= $due_by)
          AND ($agency IS NULL OR a.owner_agency_id = $agency)
        ORDER BY quarter_index(a.due), t.number, a.id
        """,
        {"read_in": read_in.index, "raised_in": raised_in.label if raised_in else None,
         "raised_by": raised_by.index if raised_by else None,
         "due_by": due_by.index if due_by else None, "agency": agency_id},
    ).df()


def actions_due(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter) -> pd.DataFrame:
    """What the quarter's headlines report back on: the actions raised in an earlier quarter
    that fall due in this one, and any older ones still open, with their status as read now."""
    due = actions(cursor, actor, period, due_by=period)
    earlier = due["raised_in"].map(lambda label: Quarter.parse(label).index) < period.index
    reported = (due["due"] == period.label) | (due["status"] != "done")
    return due[earlier & reported].reset_index(drop=True)


def _checked(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ActionError("The text is empty", "Say in a sentence what is to be done, or what was done.")
    if len(cleaned) > MAX_ACTION_CHARACTERS:
        raise ActionError(f"The text is {len(cleaned):,} characters long",
                          f"Keep it under {MAX_ACTION_CHARACTERS:,} characters.")
    return cleaned
