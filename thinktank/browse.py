"""Reading the catalogue back out of the store: themes, agencies, indicators, benchmarks and
the population a rate is per. Every function takes a cursor and returns plain data."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from thinktank.formatting import (
    CATALOGUE_FIELD_LABELS,
    INDICATOR_STATUS_LABELS,
    PERIOD_BASIS_LABELS,
    POLARITY_LABELS,
    UNIT_LABELS,
    describe_target,
    field_value_in_words,
)
from thinktank.periods import Quarter, format_date
from thinktank.store.catalogue import stored_spans
from thinktank.users import person_name

_INDICATOR_COLUMNS = """
    i.id, i.theme_id AS theme, t.name AS theme_name, t.number AS theme_number, i.name,
    i.definition, i.numerator, i.denominator, i.unit, i.polarity, i.population_id AS population,
    i.owner_id AS owner, a.short_name AS owner_name, i.source, i.period_basis, i.breakdowns,
    i.priorities, i.target_value, i.target_low, i.target_high, i.target_amber_tolerance,
    i.change_tolerance_percent, i.applies_from, i.status, i.retired_from, i.notes,
    i.definition_version, i.challenge_questions, pop.name AS population_name,
    coalesce((SELECT list(b.name ORDER BY list_position(i.breakdowns, b.id))
       FROM breakdowns b WHERE list_contains(i.breakdowns, b.id)), []::VARCHAR[]) AS breakdown_names,
    coalesce((SELECT list(p.name ORDER BY list_position(i.priorities, p.id))
       FROM priorities p WHERE list_contains(i.priorities, p.id)), []::VARCHAR[]) AS priority_names,
    (SELECT count(*) FROM benchmarks b WHERE b.indicator_id = i.id) AS benchmarks
"""
_SEARCHED_TEXT = (
    "lower(concat_ws(' ', i.id, i.name, i.definition, i.numerator, i.denominator, i.source, "
    "i.notes, t.name, a.name, a.short_name, array_to_string(i.priorities, ' ')))"
)


def themes(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Themes in scorecard order, with how many active and retired indicators each has."""
    return cursor.execute(
        """
        SELECT t.id, t.number, t.name, t.description,
               count(i.id) FILTER (WHERE i.status = 'active') AS active_indicators,
               count(i.id) FILTER (WHERE i.status = 'retired') AS retired_indicators
        FROM themes t LEFT JOIN indicators i ON i.theme_id = t.id
        GROUP BY ALL ORDER BY t.number
        """
    ).df()


def agencies(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Agencies by name, with how many active indicators each owns."""
    return cursor.execute(
        """
        SELECT a.id, a.name, a.short_name, a.sector, a.description,
               count(i.id) FILTER (WHERE i.status = 'active') AS active_indicators
        FROM agencies a LEFT JOIN indicators i ON i.owner_id = a.id
        GROUP BY ALL ORDER BY a.name
        """
    ).df()


def priorities(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return cursor.execute("SELECT id, name, description FROM priorities ORDER BY name").df()


def indicators(
    cursor: duckdb.DuckDBPyConnection,
    search: str = "",
    theme: str | None = None,
    owner: str | None = None,
    status: str | None = None,
    priority: str | None = None,
    quarter: Quarter | None = None,
) -> pd.DataFrame:
    """Indicators in theme order, filtered; ``search`` matches every word anywhere in the text.
    Each by its latest definition, or by the one in force in ``quarter`` where given."""
    conditions, parameters = [], []
    source = "indicators"
    if quarter is not None:
        source = ("(SELECT * EXCLUDE (effective_from, from_index, to_index) FROM indicator_spans "
                  "WHERE from_index <= ? AND ? < to_index)")
        parameters += [quarter.index, quarter.index]
    for word in search.lower().split():
        conditions.append(f"{_SEARCHED_TEXT} LIKE ?")
        parameters.append(f"%{word}%")
    for column, value in (("i.theme_id", theme), ("i.owner_id", owner), ("i.status", status)):
        if value:
            conditions.append(f"{column} = ?")
            parameters.append(value)
    if priority:
        conditions.append("list_contains(i.priorities, ?)")
        parameters.append(priority)
    where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    frame = cursor.execute(
        f"""
        SELECT {_INDICATOR_COLUMNS}
        FROM {source} i
        JOIN themes t ON t.id = i.theme_id
        JOIN agencies a ON a.id = i.owner_id
        LEFT JOIN populations pop ON pop.id = i.population_id
        {where}
        ORDER BY t.number, i.id
        """,
        parameters,
    ).df()
    frame["polarity_label"] = frame["polarity"].map(POLARITY_LABELS)
    frame["target"] = [
        describe_target(row.unit, row.polarity, row.target_value, row.target_low,
                        row.target_high, row.target_amber_tolerance)
        for row in frame.itertuples()
    ]
    return frame


def catalogue_for_people(found: pd.DataFrame) -> pd.DataFrame:
    """Indicators from `indicators` as a download gives them: one row each, headers and values in
    words (no ids but the indicator's own, no codes), lists as comma-separated names."""
    def listed(names) -> str:
        return ", ".join(names)

    return pd.DataFrame({
        "Indicator ID": found["id"],
        "Theme": found["theme_name"],
        "Indicator": found["name"],
        "Definition": found["definition"],
        "Numerator": found["numerator"],
        "Denominator": found["denominator"],
        "Unit": found["unit"].map(UNIT_LABELS),
        "Polarity": found["polarity"].map(POLARITY_LABELS),
        "Population": found["population_name"],
        "Owner": found["owner_name"],
        "Source": found["source"],
        "Counted": found["period_basis"].map(PERIOD_BASIS_LABELS),
        "Breakdowns": found["breakdown_names"].map(listed),
        "Partnership priorities": found["priority_names"].map(listed),
        "Target": found["target"],
        "Change treated as no change (%)": found["change_tolerance_percent"],
        "Applies from": found["applies_from"],
        "Status": found["status"].map(INDICATOR_STATUS_LABELS),
        "Retired from": found["retired_from"],
        "Notes": found["notes"],
        "Questions to ask when it moves": found["challenge_questions"].map(" ".join),
        "Benchmarks held": found["benchmarks"],
    })


def challenge_questions(cursor: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Each indicator's questions for the PLG to ask when it moves (indicators without any left out)."""
    return {indicator_id: list(questions) for indicator_id, questions in cursor.execute(
        "SELECT id, challenge_questions FROM indicators WHERE len(challenge_questions) > 0"
    ).fetchall()}


def benchmarks_for_people(comparators: pd.DataFrame, unit: str) -> pd.DataFrame:
    """An indicator's benchmarks from `benchmarks` as a download gives them: the figure a number,
    with its unit beside it."""
    return pd.DataFrame({
        "Area": comparators["area"],
        "Group": comparators["breakdown_value"],
        "Period": comparators["period"],
        "Period ends": comparators["period_end"].dt.date,
        "Figure": comparators["value"],
        "Unit": UNIT_LABELS[unit],
        "Source": comparators["source"],
        "Licence": comparators["licence"],
        "Note": comparators["note"],
    })


def benchmarks(cursor: duckdb.DuckDBPyConnection, indicator_id: str) -> pd.DataFrame:
    """Published comparators for one indicator, newest first."""
    return cursor.execute(
        """
        SELECT area, period, period_type, period_end, breakdown, breakdown_value, value,
               published_value, published_unit, source, licence, note
        FROM benchmarks WHERE indicator_id = ?
        ORDER BY period_end DESC, area, breakdown_value
        """,
        [indicator_id],
    ).df()


def definition_history(cursor: duckdb.DuckDBPyConnection, indicator_id: str) -> pd.DataFrame:
    """The indicator's definitions in force over time, oldest first: from which quarter, until
    which, what changed from the one before (in words, and the fields alone), who recorded it,
    when and why."""
    spans = stored_spans(cursor).get(indicator_id, [])
    rows = []
    for span in spans:
        document = span.indicator.model_dump(mode="json", exclude={"challenge_questions"})
        if rows and document == rows[-1]["document"]:
            continue  # the same definition, recorded again: one stretch
        before = rows[-1]["document"] if rows else None
        fields = [] if before is None else [key for key, value in document.items() if value != before.get(key)]
        changed = ("First definition" if before is None else "; ".join(
            f"{CATALOGUE_FIELD_LABELS.get(key, key)}: {field_value_in_words(before.get(key))} → "
            f"{field_value_in_words(document[key])}" for key in fields))
        rows.append({"starts": span.starts, "version": span.version, "changed": changed,
                     "fields": ", ".join(CATALOGUE_FIELD_LABELS.get(key, key).lower() for key in fields),
                     "recorded_by": span.recorded_by, "recorded_at": span.recorded_at, "reason": span.reason,
                     "document": document})
    for position, row in enumerate(rows):
        row["until"] = rows[position + 1]["starts"].previous().label if position + 1 < len(rows) else ""
        row["starts"] = row["starts"].label
    columns = ["starts", "until", "version", "changed", "fields", "recorded_by", "recorded_at", "reason"]
    return pd.DataFrame(rows, columns=[*columns, "document"])[columns]


def definition_history_for_people(history: pd.DataFrame, agency_names: dict[str, str]) -> pd.DataFrame:
    """`definition_history` as the Catalogue and Indicator pages show it: in words, with names."""
    return pd.DataFrame({
        "From": history["starts"],
        "Until": history["until"].replace("", "now"),
        "What changed": history["changed"],
        "By": [person_name(by, agency_names) for by in history["recorded_by"]],
        "Recorded": [format_date(at.date()) for at in history["recorded_at"]],
        "Why": history["reason"],
    })


@dataclass(frozen=True)
class PopulationFigure:
    population_id: str
    financial_year: str
    value: int
    figure_year: str
    source: str

    @property
    def carried_forward(self) -> bool:
        return self.figure_year != self.financial_year

    @property
    def caveat(self) -> str:
        if not self.carried_forward:
            return ""
        return (
            f"No published population for {self.financial_year}: the {self.figure_year} "
            f"figure ({self.value:,}) is used."
        )


def population_note(
    cursor: duckdb.DuckDBPyConnection, population_id: str, population_name: str, quarter: Quarter
) -> str:
    """What a rate for ``quarter`` is per, in words, with any carried-forward caveat."""
    figure = population_for(cursor, population_id, quarter)
    if figure is None:
        return (
            f"Per 10,000 {population_name.lower()}. No published population figure is held, "
            "so returns give the rate itself."
        )
    note = (
        f"Per 10,000 {population_name.lower()}: {figure.value:,} in {figure.figure_year} "
        f"({figure.source})."
    )
    return f"{note} {figure.caveat}" if figure.carried_forward else note


def population_for(
    cursor: duckdb.DuckDBPyConnection, population_id: str, quarter: Quarter
) -> PopulationFigure | None:
    """The population for the quarter's financial year, or the latest earlier figure."""
    row = cursor.execute(
        """
        SELECT financial_year, value, source FROM population
        WHERE population_id = ? AND fy_start <= ?
        ORDER BY fy_start DESC LIMIT 1
        """,
        [population_id, quarter.fy_start],
    ).fetchone()
    if row is None:
        return None
    figure_year, value, source = row
    return PopulationFigure(population_id, quarter.financial_year, value, figure_year, source)
