"""The demo partnership's quarterly headlines, written through the same functions an analyst's
clicks call: drafted from the data, then given an analyst's hand (the "so what" for children
and for agencies, the qualitative side, a deletion and a reordering), scaled, turned into
actions and signed off.

The six quarters before the latest are agreed, so the scaling chart has a history; the latest
is a draft, as it is the week before the PLG meets. Everything here is made up, like every
figure of the demo; the wording reads the demo's own series.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from thinktank.headlines import actions, drafting, record
from thinktank.periods import Quarter
from thinktank.users import DEMO_ANALYST, demo_agency_user

AGREED_QUARTERS = 6
# Actions raised, by quarters before the latest: the one from two quarters back was due last
# quarter and is still open (overdue); last quarter's fall due in the latest.
ACTIONS_RAISED = {2: 1, 1: 3}
# When, after a quarter ends, the Think Tank drafts (the returns are due after 42 days), marks
# ready and the PLG meets.
DRAFTED_AFTER, READY_AFTER, AGREED_AFTER = dt.timedelta(days=50), dt.timedelta(days=57), dt.timedelta(days=64)

# The analyst's "so what", added to the drafted statement about an indicator when it is drafted.
SO_WHAT = {
    ("FD04", "worried"): (" For children this can mean needs that were not met the first time; the MASH "
                          "audit will look at whether step-down plans were in place."),
    ("HW03", "worried"): (" Children and young people waiting longer for CAMHS are more likely to reach "
                          "crisis; schools report more requests for help from pastoral staff while they wait."),
    ("AS01", "working_well"): (" Families hear sooner what help they will get; the duty teams' changes "
                               "look to be holding."),
    ("CP03", "worried"): (" Late conferences leave children without a plan for longer: health and police "
                          "attendance at the conference is part of the fix."),
    ("WF08", "worried"): (" Learning from serious incidents reaches practitioners later than it should."),
}
# What the analyst writes from the qualitative evidence: (theme, heading, text), per quarter from
# the latest back.
OWN_STATEMENTS = {
    0: (
        ("front_door", "working_well",
         ("The MASH audit of 40 contacts found threshold decisions were right in 37, and parents "
         "were told the outcome in all but two.")),
        ("child_protection", "worried",
         ("Practitioners in the conference survey said reports from partner agencies often arrive "
         "on the day, so families cannot read them beforehand.")),
        ("voice", "working_well",
         ("Young people on the Children in Care Council said they now meet their new social worker "
         "before a change of worker, as they asked last year.")),
        ("health_wellbeing", "needs_to_happen",
         ("CAMHS waits need a joint plan between the ICB and TEWV, with schools told what support "
         "children can have while they wait.")),
        ("neglect", "working_well",
         ("Health visitors and early help workers say the Graded Care Profile gives them a shared "
         "language with families; the multi-agency audit found it used in 9 of 12 cases.")),
    ),
    1: (
        ("front_door", "worried",
         ("Re-referrals have stayed high since the MASH restructure; the Think Tank asked for an "
         "audit of cases re-referred within three months.")),
        ("domestic_abuse", "working_well",
         ("Survivors' feedback to the domestic abuse service praised joint safety planning with "
         "schools after Operation Encompass notifications.")),
        ("workforce_learning", "needs_to_happen",
         ("The partnership business unit to set out how learning from rapid reviews reaches "
         "frontline practitioners within a month.")),
    ),
}
# Each theme's scale reason: the analyst's words, with the quarter's figures counted in.
THEME_REASONS = {
    "early_help": "early help is reaching more families, but step-up to social care needs watching",
    "front_door": "decisions are timely, but re-referrals remain the partnership's main worry",
    "assessment_cin": "assessments are timelier; health at strategy discussions is still short of target",
    "child_protection": "plans are mostly well run, but conferences and partner reports are late",
    "children_in_care": "placements are stable and health assessments improving",
    "domestic_abuse": "MARAC and Operation Encompass are working as intended",
    "harm_outside_home": "the picture is steady, with return interviews still to improve",
    "neglect": "the Graded Care Profile is used more widely across partners",
    "education_send": "suspensions are down; EHCP timeliness still varies by locality",
    "health_wellbeing": "CAMHS waits are below the lower process limit and red against target",
    "voice": "children's views are recorded more often and families feel listened to",
    "workforce_learning": "the workforce is more stable; rapid reviews have slipped",
}


def write_demo_headlines(cursor: duckdb.DuckDBPyConnection, quarters: list[Quarter], today: dt.date) -> None:
    """The headlines of the demo's latest quarters (the latest a draft, the earlier ones agreed)."""
    latest = quarters[-1]
    themes = [row[0] for row in cursor.execute("SELECT id FROM themes ORDER BY number").fetchall()]
    for quarter in quarters[-(AGREED_QUARTERS + 1):]:
        back = latest.index - quarter.index
        drafted_at = _moment(quarter, DRAFTED_AFTER, today)
        record.draft_from_data(cursor, DEMO_ANALYST, quarter, drafted_at)
        statements = record.statements(cursor, DEMO_ANALYST, quarter)
        _edit(cursor, statements, drafted_at)
        own = [record.add_statement(cursor, DEMO_ANALYST, quarter, theme, heading, text, drafted_at)
               for theme, heading, text in OWN_STATEMENTS.get(back, ())]
        if back == 0:
            _tidy(cursor, statements, own, drafted_at)
        _scale(cursor, quarter, themes, statements, drafted_at)
        if back in ACTIONS_RAISED:
            _raise_actions(cursor, quarter, ACTIONS_RAISED[back], drafted_at)
        if back > 0:
            record.mark_ready(cursor, DEMO_ANALYST, quarter, _moment(quarter, READY_AFTER, today))
            record.agree(cursor, DEMO_ANALYST, quarter, _moment(quarter, AGREED_AFTER, today))
    _report_progress(cursor, latest, _moment(latest, DRAFTED_AFTER, today))


def _moment(quarter: Quarter, after: dt.timedelta, today: dt.date) -> dt.datetime:
    return dt.datetime.combine(min(quarter.end + after, today), dt.time(10, 0))


def _edit(cursor: duckdb.DuckDBPyConnection, statements, now: dt.datetime) -> None:
    for statement in statements.itertuples():
        addition = SO_WHAT.get((statement.indicator_id, statement.signs_of_safety))
        if addition:
            record.edit_statement(cursor, DEMO_ANALYST, statement.id, statement.body + addition, now)


def _tidy(cursor: duckdb.DuckDBPyConnection, statements, own: list[int], now: dt.datetime) -> None:
    """The analyst's reading of the latest draft: FD02, within target as usual, needs no
    headline this quarter, and what practitioners said about conference reports leads its
    theme's worries."""
    drop = statements[(statements["indicator_id"] == "FD02") & (statements["signs_of_safety"] == "working_well")]
    for statement in drop.itertuples():
        record.delete_statement(cursor, DEMO_ANALYST, statement.id, now)
    record.move_statement(cursor, DEMO_ANALYST, own[1], -5, now)


def _scale(cursor: duckdb.DuckDBPyConnection, quarter: Quarter, themes: list[str], drafted, now: dt.datetime) -> None:
    """A theme with worries in the figures scales lower and one with strengths higher; the
    partnership's scale is the themes' middle, said with the theme most worried about."""
    scores = {}
    for theme in themes:
        here = drafted[drafted["theme_id"] == theme]
        worries = int((here["signs_of_safety"] == drafting.WORRIED).sum())
        strengths = int((here["signs_of_safety"] == drafting.WORKING_WELL).sum())
        scores[theme] = max(2, min(9, 7 + min(strengths, 4) // 2 - 2 * worries))
        record.set_scale(cursor, DEMO_ANALYST, quarter, theme, scores[theme],
                         f"{_counted(worries, strengths)}: {THEME_REASONS[theme]}.", now)
    ordered = sorted(scores.values())
    overall = ordered[len(ordered) // 2]
    lowest = min(scores, key=lambda theme: (scores[theme], theme))
    themes_named = dict(cursor.execute("SELECT id, name FROM themes").fetchall())
    record.set_scale(cursor, DEMO_ANALYST, quarter, None, overall,
                     f"Most themes are steady or improving; {themes_named[lowest]} is where we are most worried, "
                     f"at {scores[lowest]} out of 10.", now)


def _counted(worries: int, strengths: int) -> str:
    """``2 worries and 1 strength in the figures``; ``Nothing stands out in the figures``."""
    said = [f"{count} {word if count == 1 else plural}" for count, word, plural
            in ((worries, "worry", "worries"), (strengths, "strength", "strengths")) if count]
    return (" and ".join(said) + " in the figures") if said else "Nothing stands out in the figures"


def _raise_actions(cursor: duckdb.DuckDBPyConnection, quarter: Quarter, count: int, now: dt.datetime) -> None:
    """Actions from the quarter's first "What needs to happen?" statements, each due in the
    quarter the statement asks the agency to report back in: the next one."""
    needs = record.statements(cursor, DEMO_ANALYST, quarter)
    needs = needs[needs["signs_of_safety"] == "needs_to_happen"].head(count)
    owners = dict(cursor.execute("SELECT id, owner_id FROM indicators").fetchall())
    for statement in needs.itertuples():
        owner = owners.get(statement.indicator_id, "partnership")
        actions.raise_action(cursor, DEMO_ANALYST, statement.id, statement.body, owner, quarter.next(), now)


def _report_progress(cursor: duckdb.DuckDBPyConnection, latest: Quarter, now: dt.datetime) -> None:
    """By the latest quarter's draft: one action due then is done (recorded by its agency), one
    still in progress with a note; the overdue one and the last have no progress recorded."""
    raised = actions.actions(cursor, DEMO_ANALYST, latest).sort_values("id")
    due_now = raised[raised["due"] == latest.label]
    if len(due_now) >= 1:
        first = due_now.iloc[0]
        actions.update_action(cursor, demo_agency_user(first["owner_agency_id"]), int(first["id"]), "done",
                              "Reported to the PLG with the audit's findings and a plan.", now)
    if len(due_now) >= 2:
        second = due_now.iloc[1]
        actions.update_action(cursor, DEMO_ANALYST, int(second["id"]), "in progress",
                              "Agency has started the review; findings due at the next PLG.", now)
