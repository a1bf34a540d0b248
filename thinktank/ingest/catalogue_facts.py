"""What the catalogue knows about each row of a return, joined in before any check runs so that
every check is vectorised: the indicator's unit, owner, population and the quarters it is
collected in; the breakdown and group in their catalogue spelling; and the figure worked out."""

from __future__ import annotations

import difflib
import math

import duckdb
import pandas as pd

from thinktank import browse
from thinktank.catalogue import Catalogue
from thinktank.ingest.normalise import ALL, quarter_of
from thinktank.periods import Quarter


def with_catalogue_facts(frame: pd.DataFrame, catalogue: Catalogue, cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    indicators = catalogue.indicator_by_id
    breakdown_by_key = {}
    for breakdown in catalogue.breakdowns:
        for key in (breakdown.id, breakdown.name):
            breakdown_by_key[key.lower().replace("_", " ")] = breakdown

    # Facts are looked up once per indicator named, not once per row.
    ids = frame["indicator_id"]
    named = [i for i in ids.dropna().unique() if i in indicators]
    for name in ("unit", "owner", "population", "applies_from", "retired_from"):
        frame[name] = ids.map({i: getattr(indicators[i], name) for i in named}).astype(object)
        frame[name] = frame[name].where(frame[name].notna(), None)
    for name in ("applies_from", "retired_from"):
        frame[f"{name}_key"] = ids.map({i: quarter_key(getattr(indicators[i], name)) for i in named}).astype(float)
    unknown = [i for i in ids.dropna().unique() if i not in indicators]
    frame["suggestion"] = ids.map({i: suggest_close(i, list(indicators)) for i in unknown}).astype(object).fillna("")

    group_lookup = {b.id: {value.lower(): value for value in b.values} for b in catalogue.breakdowns}
    allowed, known, suggestions, listings, canonical_breakdowns, canonical_groups = [], [], [], [], [], []
    for indicator_id, breakdown_text, group_text in zip(
        frame["indicator_id"], frame["breakdown"], frame["breakdown_value"], strict=True
    ):
        indicator = indicators.get(indicator_id) if isinstance(indicator_id, str) else None
        if breakdown_text.lower() == "all":
            canonical_breakdowns.append(ALL)
            canonical_groups.append(ALL if group_text.lower() == "all" else group_text)
            allowed.append(group_text.lower() == "all")
            known.append(True)
            suggestions.append("")
            listings.append("With breakdown All the group must be All too.")
            continue
        breakdown = breakdown_by_key.get(breakdown_text.lower().replace("_", " "))
        names = [catalogue_breakdown.name for catalogue_breakdown in catalogue.breakdowns
                 if indicator and catalogue_breakdown.id in indicator.breakdowns]
        listings.append(f"It allows: {', '.join(names)}." if names else "It has no breakdowns: use All.")
        canonical_breakdowns.append(breakdown.name if breakdown else breakdown_text)
        allowed.append(indicator is None or (breakdown is not None and breakdown.id in indicator.breakdowns))
        if breakdown is None or not breakdown.values:
            canonical_groups.append(group_text)
            known.append(True)
            suggestions.append("")
            continue
        match = group_lookup[breakdown.id].get(group_text.lower())
        canonical_groups.append(match or group_text)
        known.append(match is not None)
        suggestions.append("" if match else suggest_close(group_text, list(breakdown.values)) + f" The groups are: {', '.join(breakdown.values)}.")
    frame["breakdown"] = canonical_breakdowns
    frame["breakdown_value"] = canonical_groups
    frame["breakdown_allowed"] = allowed
    frame["allowed_breakdowns"] = listings
    frame["group_known"] = known
    frame["group_suggestion"] = suggestions

    population_names = {population.id: population.name.lower() for population in catalogue.populations}
    frame["population_name"] = frame["population"].map(lambda p: population_names.get(p) if p else None)
    figures: dict[tuple[str, str], float | None] = {}
    for population_id, label in set(zip(frame["population"], frame["period"], strict=True)):
        if isinstance(population_id, str) and isinstance(label, str):
            figure = browse.population_for(cursor, population_id, Quarter.parse(label))
            figures[(population_id, label)] = float(figure.value) if figure else None
    frame["population_value"] = [
        figures.get((p, label)) if isinstance(p, str) and isinstance(label, str) else None
        for p, label in zip(frame["population"], frame["period"], strict=True)
    ]
    frame["population_value"] = frame["population_value"].astype(float)
    scale = frame["unit"].map({"percent": 100.0, "rate_per_10k": 10_000.0})
    denominator = frame["denominator"].where(frame["denominator"] != 0)
    frame["computed_value"] = frame["numerator"] / denominator * scale
    rate_from_population = (frame["unit"] == "rate_per_10k") & frame["denominator"].isna()
    frame.loc[rate_from_population, "computed_value"] = (
        frame["numerator"] / frame["population_value"] * 10_000
    )[rate_from_population]
    # The figure used for comparisons over time: as given, else worked out.
    frame["figure"] = frame["value"].where(frame["value"].notna(), frame["computed_value"])
    return frame


def quarter_key(label: object) -> float:
    if not isinstance(label, str):
        return math.nan
    quarter = quarter_of(label)
    return quarter.fy_start * 10 + quarter.number


def suggest_close(value: object, choices: list[str]) -> str:
    if not isinstance(value, str):
        return ""
    # Two characters swapped (CP20 for CP02) is the commonest slip, so such ids come first.
    swapped = [choice for choice in choices if sorted(choice.upper()) == sorted(value.upper())]
    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.5)
    ranked = list(dict.fromkeys([*swapped, *close]))[:3]
    return f" Did you mean {' or '.join(ranked)}?" if ranked else ""
