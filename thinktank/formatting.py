"""Everything a person reads for a value the engine works with: the one home of the display
vocabularies (statuses, units, directions, movements, RAG, SPC signals, benchmark positions,
polarities, period bases, return states, roles) and of the rule for an agency's name, and the
functions that write figures with them, the way UK public-sector readers expect: thousands
separators, units always shown.

The words and the functions that write figures live together because they change together: a
status is shown in words exactly where a figure would be. Pages, charts, templates, downloads
and the command line all import from here; no other module keeps a dict of these words
(`tests/test_vocabulary.py` checks both that and that every value the engine can produce has
its words here).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Protocol

POLARITY_LABELS = {
    "higher_is_better": "Higher is better",
    "lower_is_better": "Lower is better",
    "neutral": "Neutral: read against benchmarks",
}

PERIOD_BASIS_LABELS = {
    "in_quarter": "During the quarter",
    "at_quarter_end": "On the last day of the quarter",
    "rolling_12_months": "12 months to the end of the quarter",
    "year_to_date": "Financial year to date",
}

# A problem found in a return: an error stops it being stored, a warning asks for a check.
SEVERITY_LABELS = {"error": "Error", "warning": "Warning"}

# An indicator in the catalogue: collected now, or no longer.
INDICATOR_STATUS_LABELS = {"active": "Active", "retired": "Retired"}

# A unit's name, as a table's Unit column and a chart's axis title give it.
UNIT_LABELS = {
    "count": "Count",
    "percent": "Per cent (%)",
    "rate_per_10k": "Rate per 10,000",
    "days": "Days",
    "score": "Score (0 to 10)",
    "gbp": "Pounds (£)",
}
# A figure written in its unit: the number goes where the braces are.
UNIT_FORMATS = {
    "count": "{}",
    "percent": "{}%",
    "rate_per_10k": "{} per 10,000",
    "days": "{} days",
    "score": "{} out of 10",
    "gbp": "£{}",
}
_DECIMALS = {"count": 0, "days": 1, "gbp": 0, "percent": 1, "rate_per_10k": 1, "score": 1}

# What each status means. c, x, z, low and u are the Government statistical symbols a return
# may carry (`ingest.cells.SYMBOLS`); the scorecard adds the rest.
STATUS_MEANINGS = {
    "c": "suppressed",
    "x": "not available",
    "z": "not applicable",
    "low": "rounds to zero",
    "u": "low reliability",
    "missing": "no return",
    "count only": "no rate for the group",
    "no earlier quarter": "the data starts here",
}
# A status where a figure would be: the symbol or word and what it means, e.g. ``c (suppressed)``.
STATUS_LABELS = {status: f"{status} ({meaning})" for status, meaning in STATUS_MEANINGS.items()}
# Said wherever figures are held back under the small-numbers rule (docs/disclosure.md): on
# screen for those who see the published figures, and beside every download, which always holds them back.
HELD_BACK_SENTENCE = ("Small numbers are held back to protect children: a count of 1 to 4 is shown as c, and so is "
                      "any figure it could be worked out from (its rate, its numerator and denominator, or another "
                      "group).")

DIRECTION_LABELS = {
    "improving": "✓ Improving",
    "declining": "✗ Declining",
    "no significant change": "= No significant change",
    "not assessed": "○ Not assessed",
}
# How a headline says a figure moved since last quarter (no significant change: "stood at").
MOVEMENT_VERBS = {"up": "rose to", "down": "fell to"}
MOVEMENT_LABELS = {"up": "↑ Up", "down": "↓ Down", "no significant change": "= No significant change"}
# Words, not coloured dots: the RAG rating must read without colour (and without emoji fonts).
# The Signs of Safety columns of a headline, commentary or piece of evidence.
SIGNS_OF_SAFETY_LABELS = {
    "worried": "What are we worried about?",
    "working_well": "What's working well?",
    "needs_to_happen": "What needs to happen?",
}
# Where a piece of qualitative evidence comes from.
EVIDENCE_SOURCE_LABELS = {
    "audit": "Audit", "survey": "Survey", "voice_of_child": "Voice of the child",
    "family_feedback": "Family feedback", "practitioner_feedback": "Practitioner feedback",
    "review": "Review", "inspection": "Inspection", "other": "Other",
}
# Where a piece of evidence came from (`narrative.theme_evidence`'s origin).
EVIDENCE_ORIGIN_LABELS = {"return": "Sent with a return", "entered in the app": "Entered in the app"}
# The questions the Think Tank answers about an indicator each quarter; the last is answered
# once for each agency that feeds the indicator.
INDICATOR_QUESTION_LABELS = {
    "tells_us": "What does this tell us?",
    "so_what_for_children": "So what for children?",
    "for_agency": "What does it mean for each agency?",
}
COMMENTARY_CHANGE_LABELS = {"written": "Written", "edited": "Edited", "deleted": "Deleted"}
# A quarter's headlines on their way to the Performance and Learning Group.
SIGN_OFF_LABELS = {"draft": "Draft", "ready": "Ready for PLG", "agreed": "Agreed by PLG"}
# The same, inside a sentence: "The 2026-27 Q2 headlines are ready for the PLG".
SIGN_OFF_IN_A_SENTENCE = {"draft": "a draft", "ready": "ready for the PLG", "agreed": "agreed by the PLG"}
SIGN_OFF_MEANINGS = {
    "draft": "The Think Tank is still writing these headlines: they may change.",
    "ready": "The Think Tank has finished these headlines for the PLG to read before its meeting.",
    "agreed": "The PLG agreed these headlines; they are frozen, and a change needs a new version with a reason.",
}
STATEMENT_CHANGE_LABELS = {"added": "Added", "edited": "Edited", "moved": "Moved", "deleted": "Deleted",
                           "carried over": "Carried over to a new version"}
# An action's progress as read in a quarter: `overdue` is an open action past its due quarter.
ACTION_STATUS_LABELS = {"in progress": "In progress", "done": "Done", "overdue": "Overdue"}
# The Signs of Safety scale's two ends, as the Think Tank uses it for a theme.
SCALE_ENDS = {
    0: "we are very worried about children here",
    10: "we are confident children are safe and partnership working is effective",
}
# The engine's SPC rules as a headline says them, in a sentence about the latest quarter.
SPC_RULE_PHRASES = {
    "above the upper limit": "above the upper process limit",
    "below the lower limit": "below the lower process limit",
    "run of 7 or more above the mean": "above its average for seven quarters or more in a row",
    "run of 7 or more below the mean": "below its average for seven quarters or more in a row",
    "trend of 6 or more rising": "rising for six quarters or more in a row",
    "trend of 6 or more falling": "falling for six quarters or more in a row",
    "2 of 3 near the upper limit": "near the upper process limit in two of the last three quarters",
    "2 of 3 near the lower limit": "near the lower process limit in two of the last three quarters",
}
RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "no target": "No target", "no data": "No data"}
SIGNAL_LABELS = {
    "concern": "⚠ Concern",
    "improvement": "★ Improvement",
    "neither": "◆ Special cause",
    "common cause": "Common cause",
    "not enough data": "Too few points",
    "not assessed": "Not assessed",
}
# Against a benchmark; a row with no figure or no benchmark has no position (None).
POSITION_LABELS = {"better": "Better", "similar": "Similar", "worse": "Worse", "not assessed": "Not assessed"}
NO_POSITION = "Not compared"
# An indicator definition's fields, as the Catalogue page, a change's summary and an import's
# difference name them.
CATALOGUE_FIELD_LABELS = {
    "id": "ID", "theme": "Theme", "name": "Name", "definition": "Definition", "numerator": "Numerator",
    "denominator": "Denominator", "denominator_is": "Denominator counted by", "unit": "Unit",
    "polarity": "Polarity", "population": "Population", "owner": "Owner", "source": "Source",
    "period_basis": "Counted", "breakdowns": "Breakdowns", "target": "Target",
    "change_tolerance_percent": "Warn on a change of more than (%)", "priorities": "Partnership priorities",
    "applies_from": "Collected from", "status": "Status", "retired_from": "Retired from", "notes": "Notes",
    "challenge_questions": "Questions to ask when it moves", "number": "Number", "description": "Description",
    "short_name": "Short name", "sector": "Sector", "values": "Groups",
}
# Where a change to the catalogue came from.
CATALOGUE_SOURCE_LABELS = {"files": "The catalogue files", "import": "An import", "app": "The Catalogue page"}

# A user's role (`users.Role`), as the identity picker, the sidebar and the Users page name it.
ROLE_LABELS = {
    "analyst": "Think Tank analyst",
    "plg_member": "PLG member",
    "admin": "Admin",
    "agency_uploader": "Agency uploader",
}

# A return for an agency and quarter (`store.returns.completeness`).
RETURN_STATE_LABELS = {
    "on_time": "✓ On time", "late": "◷ Late", "refused": "✗ Refused", "missing": "○ Missing",
    "not_due": "Not yet due",
}


# What each word means, as the Help page explains it.
RAG_MEANINGS = {
    "green": "on the right side of the indicator's target.",
    "amber": "on the wrong side of the target, but within its tolerance.",
    "red": "on the wrong side of the target, beyond its tolerance.",
    "no target": "the partnership has set no target for this indicator.",
    "no data": "there is no figure for the quarter.",
}
DIRECTION_MEANINGS = {
    "improving": "better than last quarter, by more than a small amount.",
    "declining": "worse than last quarter, by more than a small amount.",
    "no significant change": "within half a point (percentages and scores) or 2% (other figures) of last quarter.",
    "not assessed": "there is no better direction for this indicator (it is read against benchmarks), "
                    "or no figure last quarter to compare with.",
}
SIGNAL_MEANINGS = {
    "concern": "the chart shows a real change for the worse (a special cause), not the usual ups and downs.",
    "improvement": "the chart shows a real change for the better (a special cause).",
    "neither": "a real change, for an indicator with no better direction.",
    "common cause": "the figure is moving within its usual range: nothing to act on from the chart alone.",
    "not enough data": "fewer than 6 quarters with a figure, too few to tell a real change from the usual ones.",
    "not assessed": "there is no figure for the quarter.",
}
POSITION_MEANINGS = {
    "better": "better than England, the North East or similar areas (statistical neighbours).",
    "similar": "within a point (percentages and scores) or 5% of the benchmark.",
    "worse": "worse than the benchmark.",
}


def field_value_in_words(value: object) -> str:
    """A catalogue field's value in words, for a difference: lists joined, a target's parts named."""
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{key.replace('_', ' ')} {field_value_in_words(item)}"
                         for key, item in value.items() if item is not None)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)


def statuses_in_words(statuses: Iterable[str]) -> str:
    """Statuses each with what it means, once each and in the order given:
    ``c (suppressed), x (not available)``."""
    return ", ".join(STATUS_LABELS[status] for status in dict.fromkeys(statuses))


def position_label(position: str | None) -> str:
    return NO_POSITION if position is None or position != position else POSITION_LABELS[position]


class NamedAgency(Protocol):
    id: str
    short_name: str


def agency_name(agency: NamedAgency) -> str:
    """An agency is shown by its short name wherever a person reads it (tables, choices, titles,
    files), so that it is the same on every page: the full name belongs to its description."""
    return agency.short_name


def agency_names(agencies: Iterable[NamedAgency]) -> dict[str, str]:
    """Each agency's id to its name as shown, from the catalogue's agencies or the rows of
    `browse.agencies` (``itertuples()``)."""
    return {agency.id: agency_name(agency) for agency in agencies}


def format_number(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}"


def figure_decimals(value: float, unit: str) -> int:
    """The decimal places a figure is shown to, on screen and in downloads alike: a count is
    whole unless it is not (a mean of counts keeps one place)."""
    if unit == "count" and value != round(value):
        return 1
    return _DECIMALS[unit]


def format_value(value: float | None, unit: str) -> str:
    """A figure with its unit: ``1,234``, ``45.0%``, ``50.2 per 10,000``, ``£1,200``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no figure"
    return UNIT_FORMATS[unit].format(format_number(value, figure_decimals(value, unit)))


def describe_target(
    unit: str,
    polarity: str,
    value: float | None,
    low: float | None,
    high: float | None,
    amber_tolerance: float | None,
) -> str:
    """The target in words, e.g. ``at least 90.0% (amber down to 85.0%)``."""
    tolerance = amber_tolerance or 0
    if value is not None and not math.isnan(value):
        if polarity == "higher_is_better":
            text = f"at least {format_value(value, unit)}"
            return text + (f" (amber down to {format_value(value - tolerance, unit)})" if tolerance else "")
        text = f"at most {format_value(value, unit)}"
        return text + (f" (amber up to {format_value(value + tolerance, unit)})" if tolerance else "")
    if low is not None and high is not None and not (math.isnan(low) or math.isnan(high)):
        text = f"between {format_value(low, unit)} and {format_value(high, unit)}"
        return text + (f" (amber within {format_number(tolerance, 1)} either side)" if tolerance else "")
    return "no target set"


def format_figure(value: float | None, unit: str, status: str | None) -> str:
    """A scorecard figure: the value with its unit, or the status that says why there is none.
    A suppressed figure is never shown as a number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return STATUS_LABELS.get(status or "", "no figure")
    shown = format_value(value, unit)
    return f"{shown} (u: {STATUS_MEANINGS['u']})" if status == "u" else shown


def format_figures(values: Iterable[float | None], statuses: Iterable[str | None], unit: str) -> list[str]:
    """`format_figure` for a column of figures and the column of their statuses."""
    return [format_figure(value, unit, status) for value, status in zip(values, statuses, strict=True)]


def format_change(change: float | None, unit: str) -> str:
    """A change with its sign and unit; percentages change by percentage points."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return "no comparison"
    # A true minus sign (U+2212): screen readers say "minus", where a hyphen is read as a dash.
    sign = "+" if change > 0 else "\u2212" if change < 0 else "±"
    if unit == "percent":
        return f"{sign}{format_number(abs(change), 1)} points"
    return f"{sign}{format_value(abs(change), unit)}"
