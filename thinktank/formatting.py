"""Figures and labels written the way UK public-sector readers expect: thousands
separators, units always shown, plain-English polarity."""

from __future__ import annotations

import math

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

_DECIMALS = {"count": 0, "days": 1, "gbp": 0, "percent": 1, "rate_per_10k": 1, "score": 1}


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
    number = format_number(value, figure_decimals(value, unit))
    return {
        "count": number,
        "percent": f"{number}%",
        "rate_per_10k": f"{number} per 10,000",
        "days": f"{number} days",
        "score": f"{number} out of 10",
        "gbp": f"£{number}",
    }[unit]


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


STATUS_LABELS = {
    "c": "c (suppressed)",
    "x": "x (not available)",
    "z": "z (not applicable)",
    "low": "low (rounds to zero)",
    "u": "u (low reliability)",
    "missing": "missing (no return in force)",
    "count only": "count only (no rate for the group)",
}
DIRECTION_LABELS = {
    "improving": "✓ Improving",
    "declining": "✗ Declining",
    "no significant change": "= No significant change",
    "not assessed": "○ Not assessed",
}
MOVEMENT_LABELS = {"up": "↑ up", "down": "↓ down", "no significant change": "= level"}
# Short enough for a headline figure.
DIRECTION_SHORT = {"improving": "Improving", "declining": "Declining",
                   "no significant change": "No change", "not assessed": "Not assessed"}
# Words, not coloured dots: the RAG rating must read without colour (and without emoji fonts).
RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "no target": "No target", "no data": "No data"}
SIGNAL_LABELS = {
    "concern": "⚠ Concern",
    "improvement": "★ Improvement",
    "neither": "◆ Special cause",
    "common cause": "Common cause",
    "not enough data": "Too few points",
    "not assessed": "Not assessed",
}
POSITION_LABELS = {"better": "Better", "similar": "Similar", "worse": "Worse", "not assessed": "Not compared"}


def format_figure(value: float | None, unit: str, status: str | None) -> str:
    """A scorecard figure: the value with its unit, or the status that says why there is none.
    A suppressed figure is never shown as a number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return STATUS_LABELS.get(status or "", "no figure")
    shown = format_value(value, unit)
    return f"{shown} (u: low reliability)" if status == "u" else shown


def format_change(change: float | None, unit: str) -> str:
    """A change with its sign and unit; percentages change by percentage points."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return "no comparison"
    # A true minus sign (U+2212): screen readers say "minus", where a hyphen is read as a dash.
    sign = "+" if change > 0 else "\u2212" if change < 0 else "±"
    if unit == "percent":
        return f"{sign}{format_number(abs(change), 1)} points"
    return f"{sign}{format_value(abs(change), unit)}"
