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


def format_value(value: float | None, unit: str) -> str:
    """A figure with its unit: ``1,234``, ``45.0%``, ``50.2 per 10,000``, ``£1,200``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no figure"
    decimals = _DECIMALS[unit]
    if unit == "count" and value != round(value):
        decimals = 1
    number = format_number(value, decimals)
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
