"""What the catalogue knows about each row of a return, joined in before any check runs so that
every check is vectorised: the indicator's unit, owner, population and the quarters it is
collected in; the breakdown and group in their catalogue spelling; and the figure worked out."""

from __future__ import annotations

import difflib
import math

import duckdb
import numpy as np
import pandas as pd

from thinktank.catalogue import Catalogue
from thinktank.ingest.normalise import (
    ALL,
    DistinctValues,
    by_lookup,
    distinct_positions,
    quarter_key,
    quarter_of,
)


def with_catalogue_facts(frame: pd.DataFrame, catalogue: Catalogue, cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    indicators = catalogue.indicator_by_id
    breakdown_by_key = {}
    for breakdown in catalogue.breakdowns:
        for key in (breakdown.id, breakdown.name):
            breakdown_by_key[key.lower().replace("_", " ")] = breakdown

    # Facts are looked up once per indicator named, not once per row.
    distinct_ids = [i for i in pd.unique(frame["indicator_id"].to_numpy(dtype=object)) if isinstance(i, str)]
    ids = DistinctValues(frame["indicator_id"])
    named = [i for i in distinct_ids if i in indicators]
    for name in ("unit", "owner", "population", "applies_from", "retired_from"):
        frame[name] = ids.lookup({i: getattr(indicators[i], name) for i in named})
    for name in ("applies_from", "retired_from"):
        frame[f"{name}_key"] = ids.lookup({i: quarter_key(getattr(indicators[i], name)) for i in named},
                                          float, math.nan)
    unknown = [i for i in distinct_ids if i not in indicators]
    frame["suggestion"] = ids.lookup({i: suggest_close(i, list(indicators)) for i in unknown}, object, "")

    group_lookup = {b.id: {value.lower(): value for value in b.values} for b in catalogue.breakdowns}

    def breakdown_facts(indicator_id: object, breakdown_text: str, group_text: str) -> tuple:
        """(breakdown, group, allowed, group known, group suggestion, breakdowns listed)."""
        indicator = indicators.get(indicator_id) if isinstance(indicator_id, str) else None
        if breakdown_text.lower() == "all":
            return (ALL, ALL if group_text.lower() == "all" else group_text, group_text.lower() == "all", True, "",
                    "With breakdown All the group must be All too.")
        breakdown = breakdown_by_key.get(breakdown_text.lower().replace("_", " "))
        names = [catalogue_breakdown.name for catalogue_breakdown in catalogue.breakdowns
                 if indicator and catalogue_breakdown.id in indicator.breakdowns]
        listing = f"It allows: {', '.join(names)}." if names else "It has no breakdowns: use All."
        canonical = breakdown.name if breakdown else breakdown_text
        allowed = indicator is None or (breakdown is not None and breakdown.id in indicator.breakdowns)
        if breakdown is None or not breakdown.values:
            return canonical, group_text, allowed, True, "", listing
        match = group_lookup[breakdown.id].get(group_text.lower())
        suggestion = "" if match else suggest_close(group_text, list(breakdown.values)) + \
            f" The groups are: {', '.join(breakdown.values)}."
        return canonical, match or group_text, allowed, match is not None, suggestion, listing

    # Worked out once per distinct indicator, breakdown and group: a backfill repeats each on
    # every quarter.
    texts = [frame[name].to_numpy(dtype=object) for name in ("indicator_id", "breakdown", "breakdown_value")]
    first, which = distinct_positions(frame["indicator_id"], frame["breakdown"], frame["breakdown_value"])
    facts = [breakdown_facts(*(column[position] for column in texts)) for position in first]
    for position, name in enumerate(("breakdown", "breakdown_value", "breakdown_allowed", "group_known",
                                     "group_suggestion", "allowed_breakdowns")):
        found = np.array([fact[position] for fact in facts], dtype=object)
        # The breakdown and group in their catalogue spelling are the text the row schema says
        # they are (pandas' string type), even in a slice of no rows.
        dtype = "str" if name in ("breakdown", "breakdown_value") else object
        frame[name] = pd.Series(found[which] if len(frame) else [], index=frame.index, dtype=dtype)
    for name in ("breakdown_allowed", "group_known"):
        frame[name] = frame[name].astype(bool)

    population_names = {population.id: population.name.lower() for population in catalogue.populations}
    frame["population_name"] = by_lookup(frame["population"], population_names)
    worked = _figures(frame, cursor)
    for name in worked.columns:
        frame[name] = worked[name]
    return frame


def _figures(frame: pd.DataFrame, cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each row's population (for its quarter's financial year, or the latest earlier one), its
    figure (what is compared over time) and the figure its parts alone give (what a value given
    beside them must match), by the store's one definition of a figure, in one statement."""
    periods = frame["period"]
    fy_start = {label: quarter_of(label).fy_start for label in pd.unique(periods.to_numpy(dtype=object))
                if isinstance(label, str)}
    rows = pd.DataFrame({
        "position": range(len(frame)),
        "unit": frame["unit"].astype(object), "status": frame["status"].astype(object),
        "breakdown": frame["breakdown"].astype(object), "population_id": frame["population"].astype(object),
        "fy_start": by_lookup(periods, fy_start, "Int64"),
        **{name: frame[name].astype(float) for name in ("value", "numerator", "denominator")},
    })
    cursor.register("return_rows", rows)
    try:
        worked = cursor.execute(
            """
            SELECT CAST(p.value AS DOUBLE) AS population_value, p.financial_year AS population_year,
                   figure_value(r.unit, NULL, r.numerator, r.denominator, r.status, r.breakdown, p.value)
                       AS computed_value,
                   figure_value(r.unit, r.value, r.numerator, r.denominator, r.status, r.breakdown, p.value)
                       AS figure
            FROM return_rows r
            ASOF LEFT JOIN population p ON p.population_id = r.population_id AND r.fy_start >= p.fy_start
            ORDER BY r.position
            """
        ).df()
    finally:
        cursor.unregister("return_rows")
    worked.index = frame.index
    return worked.astype({"population_value": float, "population_year": object, "computed_value": float, "figure": float})


def suggest_close(value: object, choices: list[str]) -> str:
    if not isinstance(value, str):
        return ""
    # Two characters swapped (CP20 for CP02) is the commonest slip, so such ids come first.
    swapped = [choice for choice in choices if sorted(choice.upper()) == sorted(value.upper())]
    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.5)
    ranked = list(dict.fromkeys([*swapped, *close]))[:3]
    return f" Did you mean {' or '.join(ranked)}?" if ranked else ""
