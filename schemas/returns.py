"""The Pandera model of a quarterly return's rows, built from the catalogue.

It checks what can be judged one row at a time: required fields, types, known indicators and
breakdowns, periods, and the ranges each unit allows. Each check is named by its rule code,
so a failure becomes an issue in the one issue table. Rules that need several rows or the
stored history live in ``thinktank/rules``.

The frame it validates is indexed by the row number as Excel shows it and carries, beside
what the agency typed, the catalogue facts about each row's indicator (``unit``,
``applies_from_key``...), joined in before validation so every check is vectorised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from thinktank.rules import register
from thinktank.rules.example_inputs import POLICE_ROWS, Example, ExampleReturn

FD06, AS06, HO01 = POLICE_ROWS  # the example police return's rows, to change one of
# The example children's social care return for 2024-25 Q1, and the domestic abuse service's indicator.
CSC_ROWS = ("AS07,2024-25 Q1,All,All,,,24,", "CP02,2024-25 Q1,All,All,,,45.1,")
CSC = "childrens_social_care"

FIGURE_COLUMNS = ("numerator", "denominator", "value")


@dataclass(frozen=True)
class RowCheck:
    code: str
    column: str  # the column the issue points at
    describe: Callable[[pd.Series], str]  # the message for one failing row


ROW_CHECKS: list[tuple[RowCheck, pa.Check]] = []


def _check(
    code: str, severity: str, title: str, explanation: str, example: Example, column: str,
    describe: Callable[[pd.Series], str], fields: tuple[str, ...] = (), what_to_do: str = "",
) -> Callable[[Callable[[pd.DataFrame], pd.Series]], Callable[[pd.DataFrame], pd.Series]]:
    register(code, severity, title, explanation, example, fields or (column,), what_to_do)

    def decorate(function: Callable[[pd.DataFrame], pd.Series]) -> Callable[[pd.DataFrame], pd.Series]:
        ROW_CHECKS.append((RowCheck(code, column, describe), pa.Check(function, name=code, ignore_na=False)))
        return function

    return decorate


def _figure(value: float) -> str:
    return f"{value:,.10g}"


@_check("R201", "error", "No indicator id",
        "Every row with figures needs the id of its indicator from the catalogue.",
        ExampleReturn(*POLICE_ROWS, ",2024-25 Q1,All,All,,,1180,"), "indicator_id",
        what_to_do="Write the indicator's id, as in the template, in the indicator_id column.",
        describe=lambda row: "This row has figures but no indicator_id. Fill in the id of its indicator, for example CP02.",
)
def _has_indicator(frame: pd.DataFrame) -> pd.Series:
    return frame["indicator_id"].notna()


@_check("R202", "error", "Unknown indicator",
        "The indicator_id is not in the catalogue. The message suggests the closest ids.",
        ExampleReturn(*POLICE_ROWS, "CP20,2024-25 Q1,All,All,,,4,"), "indicator_id",
        what_to_do="Correct the id (the message suggests the closest), or delete the row.",
        describe=lambda row: f"'{row.indicator_id}' is not an indicator in the catalogue.{row.suggestion}",
)
def _known_indicator(frame: pd.DataFrame) -> pd.Series:
    return frame["indicator_id"].isna() | frame["unit"].notna()


@_check("R217", "error", "Indicator not collected in that quarter",
        "The indicator was retired before, or introduced after, the quarter of this row.",
        ExampleReturn(*CSC_ROWS, "VO06,2024-25 Q1,All,All,,,8.1,", agency=CSC), "indicator_id",
        what_to_do="Delete the row, or correct its period if the figure is for another quarter.",
        describe=lambda row: (f"{row.indicator_id} was retired from {row.retired_from}, so it has no figure for {row.period}. Delete the row." if isinstance(row.retired_from, str) and row.period_key >= row.retired_from_key else f"{row.indicator_id} is collected from {row.applies_from}, so it has no figure for {row.period}. Delete the row."),
)
def _in_use(frame: pd.DataFrame) -> pd.Series:
    known = frame["period_key"].notna() & frame["unit"].notna()
    too_early = frame["period_key"] < frame["applies_from_key"]
    too_late = frame["retired_from_key"].notna() & (frame["period_key"] >= frame["retired_from_key"])
    return ~(known & (too_early | too_late))


@_check("R203", "error", "No period",
        "Every row needs the quarter it is for, unless the upload form fixes the quarter.",
        ExampleReturn(*POLICE_ROWS, "FD06,,Locality,Durham,,,160,", period=None), "period",
        what_to_do="Write the quarter, such as 2024-25 Q1, or choose the quarter in the upload form.",
        describe=lambda row: "This row has no period. Write the quarter, such as 2024-25 Q1, or choose it in the upload form.",
)
def _has_period(frame: pd.DataFrame) -> pd.Series:
    return frame["period"].notna() | frame["period_problem"].notna()


@_check("R205", "error", "Future period",
        "A quarter that has not ended yet cannot be reported.",
        ExampleReturn(*(row.replace("2024-25 Q1", "2026-27 Q4") for row in POLICE_ROWS), period=None),
        "period", what_to_do="Correct the period; send the quarter's figures once it has ended.",
        describe=lambda row: f"{row.period} has not ended yet (it ends on {row.period_end}). Check the period.",
)
def _not_future(frame: pd.DataFrame) -> pd.Series:
    return ~frame["period_is_future"].fillna(False).astype(bool)


@_check("R206", "error", "Period differs from the quarter chosen",
        "When the upload form fixes the quarter, every row must be for that quarter.",
        ExampleReturn(*POLICE_ROWS, "FD06,2023-24 Q4,All,All,,,1180,"), "period",
        what_to_do="Correct the row's period, or choose its quarter in the upload form.",
        describe=lambda row: f"This row is for {row.period} but the quarter chosen in the upload form is {row.chosen_period}. Correct the period, or choose {row.period} in the form.",
)
def _chosen_period(frame: pd.DataFrame) -> pd.Series:
    chosen = frame["chosen_period"]
    return chosen.isna() | frame["period"].isna() | (frame["period"] == chosen)


@_check("R215", "error", "Breakdown not used for this indicator",
        "Each indicator lists the breakdowns it may be split by; others are refused.",
        ExampleReturn(*POLICE_ROWS, "AS06,2024-25 Q1,Ethnicity,White,40,42,,"), "breakdown",
        what_to_do="Use one of the breakdowns the message lists, or delete the row.",
        describe=lambda row: f"{row.indicator_id} is not broken down by {row.breakdown}. {row.allowed_breakdowns}",
)
def _allowed_breakdown(frame: pd.DataFrame) -> pd.Series:
    return frame["breakdown_allowed"].fillna(True).astype(bool)


@_check("R216", "error", "Unknown breakdown group",
        "The group is not one of the breakdown's groups, which would split the figures "
        "in two. The message suggests the closest.",
        ExampleReturn(*CSC_ROWS, "CP02,2024-25 Q1,Locality,Easingon,,,52.3,", agency=CSC),
        "breakdown_value", what_to_do="Write the group as the breakdown names it (the message suggests the closest).",
        describe=lambda row: f"'{row.breakdown_value}' is not a group of {row.breakdown}.{row.group_suggestion}",
)
def _known_group(frame: pd.DataFrame) -> pd.Series:
    return frame["group_known"].fillna(True).astype(bool)


@_check("R214", "error", "No usable figure",
        "A percentage or rate needs its value, or its numerator and denominator (a rate may give "
        "just the numerator). Other units need the value. A symbol such as c or x also counts.",
        ExampleReturn(FD06, "AS06,2024-25 Q1,All,All,88,,,", HO01), "value",
        what_to_do="Fill in the missing figure, or a symbol such as x if it is not available.",
        describe=lambda row: ({"percent": f"{row.indicator_id} is a percentage: give the value, or both the numerator and the denominator.", "rate_per_10k": f"{row.indicator_id} is a rate per 10,000: give the value, or the numerator."}.get(row.unit, f"{row.indicator_id} is measured as {row.unit}: give the figure in value (numerator and denominator are not used).")),
)
def _usable_figure(frame: pd.DataFrame) -> pd.Series:
    has_value = frame["value"].notna()
    has_numerator, has_denominator = frame["numerator"].notna(), frame["denominator"].notna()
    symbol_only = frame["status"].notna() & ~has_value & ~has_numerator & ~has_denominator
    unit = frame["unit"]
    percent_ok = has_value | (has_numerator & has_denominator)
    rate_ok = has_value | has_numerator
    figure_ok = (
        ((unit == "percent") & percent_ok)
        | ((unit == "rate_per_10k") & rate_ok)
        | (~unit.isin(["percent", "rate_per_10k"]) & has_value)
    )
    # A row with no figure at all is "not provided"; the missing-indicator rule covers it.
    nothing_given = ~(has_value | has_numerator | has_denominator | frame["status"].notna())
    return unit.isna() | nothing_given | symbol_only | figure_ok


@_check("R208", "error", "Percentage outside 0-100",
        "A percentage must lie between 0 and 100. A fraction such as 0.45 must be formatted as a "
        "percentage in Excel or written as 45.",
        ExampleReturn(FD06, "AS06,2024-25 Q1,All,All,,,145,", HO01), "value",
        what_to_do="Write the percentage between 0 and 100: 45% as 45, or 0.45 in a cell formatted as a percentage.",
        describe=lambda row: f"'{_figure(row.value)}' is not a percentage between 0 and 100. Write 45% as 45 (or 0.45 in a cell formatted as a percentage).",
)
def _percent_range(frame: pd.DataFrame) -> pd.Series:
    return ~((frame["unit"] == "percent") & ~frame["value"].between(0, 100) & frame["value"].notna())


@_check("R209", "error", "Not a whole number",
        "Counts and days must be whole numbers.",
        ExampleReturn("FD06,2024-25 Q1,All,All,,,1180.5,", AS06, HO01), "value",
        what_to_do="Correct the figure to a whole number.",
        describe=lambda row: f"'{_figure(row.value)}' is not a whole number; {row.indicator_id} is measured in {row.unit}, which are whole.",
)
def _whole(frame: pd.DataFrame) -> pd.Series:
    value = frame["value"]
    return ~(frame["unit"].isin(["count", "days"]) & value.notna() & (value != value.round()))


@_check("R210", "error", "Negative number",
        "No figure in a return may be negative.",
        ExampleReturn(FD06, AS06, "HO01,2024-25 Q1,All,All,,,-3,"), "value",
        what_to_do="Correct the figure; a fall is shown by a smaller figure, never a negative one.",
        describe=lambda row: "A figure in this row is negative; counts, numerators and denominators cannot be.",
        fields=FIGURE_COLUMNS)
def _not_negative(frame: pd.DataFrame) -> pd.Series:
    return ~(frame[list(FIGURE_COLUMNS)] < 0).any(axis=1)


@_check("R211", "error", "Score outside 0-10",
        "A score is on the 0 to 10 scale.",
        ExampleReturn(*(row.replace("2024-25 Q1", "2025-26 Q1") for row in CSC_ROWS),
                      "VO06,2025-26 Q1,All,All,,,12,", agency=CSC, period="2025-26 Q1"), "value",
        what_to_do="Give the score on the 0 to 10 scale.",
        describe=lambda row: f"'{_figure(row.value)}' is not a score between 0 and 10.",
)
def _score_range(frame: pd.DataFrame) -> pd.Series:
    return ~((frame["unit"] == "score") & frame["value"].notna() & ~frame["value"].between(0, 10))


@_check("R212", "error", "Numerator larger than denominator",
        "The count on top of a percentage cannot be larger than the count underneath.",
        ExampleReturn(FD06, "AS06,2024-25 Q1,All,All,120,100,,", HO01), "numerator",
        what_to_do="Check which way round the numerator and denominator are, and correct them.",
        describe=lambda row: f"The numerator ({_figure(row.numerator)}) is larger than the denominator ({_figure(row.denominator)}). Check which way round they are.",
        fields=("numerator", "denominator"))
def _numerator_fits(frame: pd.DataFrame) -> pd.Series:
    return ~((frame["unit"] == "percent") & (frame["numerator"] > frame["denominator"]))


@_check("R219", "error", "Denominator of zero",
        "A percentage or rate cannot be worked out with a denominator of 0. Give the value, or "
        "the symbol z if it does not apply.",
        ExampleReturn(FD06, "AS06,2024-25 Q1,All,All,0,0,,", HO01), "denominator",
        what_to_do="Give the value itself, or the symbol z if the figure does not apply this quarter.",
        describe=lambda row: "The denominator is 0, so the figure cannot be worked out. Give the value, or z if it does not apply.",
)
def _denominator_not_zero(frame: pd.DataFrame) -> pd.Series:
    return ~(frame["unit"].isin(["percent", "rate_per_10k"]) & (frame["denominator"] == 0))


def _worked_out(row: pd.Series) -> str:
    """How the figure a value is compared with was worked out: from the denominator, or (a rate's
    All row given as its numerator) from the population held."""
    scale = "100" if row.unit == "percent" else "10,000"
    if pd.notna(row.denominator):
        return f"{_figure(row.numerator)} / {_figure(row.denominator)} × {scale}"  # noqa: RUF001 (the multiplication sign a person reads)
    return (f"{_figure(row.numerator)} / {_figure(row.population_value)} ({row.population_name}, "
            f"{row.population_year}) × {scale}")  # noqa: RUF001 (the multiplication sign a person reads)


@_check("R213", "error", "Value disagrees with numerator and denominator",
        "When value, numerator and denominator are all given they must agree to within half of "
        "the value's last shown decimal place.",
        ExampleReturn(FD06, "AS06,2024-25 Q1,All,All,46,100,45.0,", HO01), "value",
        what_to_do="Correct the value, the numerator or the denominator, or leave the value empty.",
        describe=lambda row: f"The value {_figure(row.value)} does not match {_worked_out(row)} = {row.computed_value:,.{int(row.value_decimals) + 1}f}. Correct one of them, or leave the value empty.",
        fields=FIGURE_COLUMNS)
def _figures_agree(frame: pd.DataFrame) -> pd.Series:
    computed = frame["computed_value"]
    tolerance = 0.5 * 10.0 ** (-frame["value_decimals"].fillna(0)) + 1e-9
    disagree = frame["value"].notna() & computed.notna() & ((frame["value"] - computed).abs() > tolerance)
    return ~disagree


@_check("R218", "error", "No population for a rate given as a count",
        "A rate given only as its numerator is worked out per 10,000 of the indicator's "
        "population, and no population figure is held for it. Give the rate itself in value.",
        ExampleReturn("DA02,2024-25 Q1,All,All,350,,,", "DA03,2024-25 Q1,All,All,112,350,,",
                      agency="domestic_abuse_service"), "numerator",
        what_to_do="Give the rate per 10,000 in the value column.",
        describe=lambda row: f"{row.indicator_id} is per 10,000 {row.population_name} and no population figure is held for {row.financial_year}: give the rate itself in value.",
)
def _population_known(frame: pd.DataFrame) -> pd.Series:
    numerator_only = (
        (frame["unit"] == "rate_per_10k") & frame["numerator"].notna()
        & frame["denominator"].isna() & frame["value"].isna()
    )
    # Only the whole area has a population: a group's numerator alone is shown as a count.
    whole_area = frame["breakdown"] == "All"
    return ~(numerator_only & whole_area & frame["population_value"].isna())


def return_rows_schema() -> pa.DataFrameSchema:
    """Types and presence of every column, plus the row checks, each named by its code."""
    text = {"dtype": object, "nullable": True}
    number = {"dtype": float, "nullable": True}
    return pa.DataFrameSchema(
        columns={
            "indicator_id": pa.Column(**text),
            "period": pa.Column(**text),
            "breakdown": pa.Column(str, nullable=False),
            "breakdown_value": pa.Column(str, nullable=False),
            "numerator": pa.Column(**number),
            "denominator": pa.Column(**number),
            "value": pa.Column(**number),
            "status": pa.Column(object, pa.Check.isin(["c", "x", "z", "low", "u"]), nullable=True),
            "comment": pa.Column(**text),
        },
        checks=[check for _, check in ROW_CHECKS],
        index=pa.Index(int, unique=True, name="row"),
    )


def load_row_checks() -> None:
    """Load what Pandera loads on a process's first validation (its pandas backends, and with
    them hypothesis for its data strategies: about 0.2 s), for a server to do before its first
    visitor uploads (scripts/serve.py), as it warms the rest of the engine."""
    pa.DataFrameSchema.get_backend(check_type=pd.DataFrame)


def failed_rows(frame: pd.DataFrame) -> list[tuple[RowCheck, int]]:
    """Each (check, Excel row) that failed. Type and presence failures of the schema itself
    are bugs in the normaliser, so they are allowed to surface."""
    try:
        # In place: nothing is coerced, so a copy of a backfill's frame would only cost memory.
        return_rows_schema().validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        by_code = {spec.code: spec for spec, _ in ROW_CHECKS}
        coded = cases[cases["check"].isin(list(by_code))]
        if len(coded) != len(cases):
            raise
        pairs = coded[["check", "index"]].drop_duplicates()
        return [(by_code[code], int(row)) for code, row in pairs.itertuples(index=False)]
    return []
