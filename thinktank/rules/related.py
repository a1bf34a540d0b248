"""Rules between related indicators: where the catalogue says a percentage's denominator is
another indicator's count (`denominator_is`: FD04's referrals in the quarter are FD03's), the
two figures should be the same number for the same quarter and group.

The count may be another agency's, so each side is taken from the return when it holds it, and
otherwise as stored. The agency's own stored figures for the return's quarters are left out:
the return replaces them."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from thinktank.catalogue import RATIO_UNITS, Catalogue
from thinktank.rules import Finding, rule
from thinktank.rules.context import ReturnContext
from thinktank.rules.example_inputs import ExampleReturn
from thinktank.rules.returns import FAMILY, KEY

GROUP = ["period", "breakdown", "breakdown_value"]


@rule("R306", "warning", "Denominator differs from the count it is",
      "Where the catalogue says that a percentage's denominator is another indicator's count, the "
      "two should be the same number for the same quarter and group. The count is read from the "
      "same return, or as stored when the return does not hold it (it may be another agency's).",
      # DA03's repeats are out of 398 MARAC cases, but DA02, the count of them, says 412.
      ExampleReturn("DA02,2024-25 Q1,All,All,412,,18.7,", "DA03,2024-25 Q1,All,All,131,398,,",
                    agency="domestic_abuse_service"),
      fields=("denominator",), family=FAMILY,
      what_to_do="Correct whichever of the two figures is wrong (it may be in another agency's return); "
                 "if both are right, confirm the warning.")
def denominator_differs_from_its_count(context: ReturnContext) -> Iterator[Finding]:
    catalogue = context.catalogue
    counted_by = {i.id: i.denominator_is for i in catalogue.indicators if i.denominator_is}
    if not counted_by:
        return
    rows = context.known_rows
    rows = rows[rows["indicator_id"].isin(list(counted_by) + list(counted_by.values()))]
    if rows.empty:
        return
    ours = rows.reset_index()[["row", *KEY, "numerator", "denominator", "value"]].assign(agency_id=None)
    stored = context.cursor.execute(
        """
        SELECT agency_id, indicator_id, period, breakdown, breakdown_value, numerator, denominator, value
        FROM observations_in_force
        WHERE agency_id <> ? AND list_contains(?, indicator_id) AND list_contains(?, period)
        """,
        [context.agency_id, sorted(set(counted_by) | set(counted_by.values())), sorted(set(rows["period"]))],
    ).df().assign(row=None)
    # The return's own figure for a key wins over one stored from another agency.
    figures = pd.concat([ours, stored[ours.columns]], ignore_index=True).drop_duplicates(KEY, keep="first")
    denominators = figures[figures["indicator_id"].isin(list(counted_by)) & figures["denominator"].notna()]
    counts = _counts(figures, catalogue, set(counted_by.values()))
    paired = denominators.assign(counted_id=denominators["indicator_id"].map(counted_by)).merge(
        counts, left_on=["counted_id", *GROUP], right_on=["indicator_id", *GROUP], suffixes=("", "_count"),
    )
    disagree = paired[
        (paired["row"].notna() | paired["row_count"].notna()) & (paired["denominator"] != paired["count"])
    ]
    agencies = catalogue.agency_by_id
    # A backfill can disagree on thousands of rows: what each indicator's message says of its
    # denominator is worked out once, and the rows are read as columns of Python objects rather
    # than one pandas row at a time.
    phrases = {indicator_id: _phrase(catalogue.indicator_by_id[indicator_id].denominator) for indicator_id in counted_by}
    count_columns = {counted_id: _count_column(catalogue, counted_id) for counted_id in set(counted_by.values())}
    columns = ("row", "row_count", "indicator_id", "counted_id", "period", "breakdown", "breakdown_value",
               "denominator", "count", "agency_id", "agency_id_count")
    for (ours, count_ours, row, row_count, indicator_id, counted_id, period, breakdown, group, denominator, count,
         agency_id, agency_id_count) in zip(disagree["row"].notna().to_numpy(), disagree["row_count"].notna().to_numpy(),
                                            *(disagree[column].to_numpy(dtype=object) for column in columns),
                                            strict=True):
        where = "" if breakdown == "All" else f", {breakdown}: {group}"
        percent_from = "" if ours else f" as stored from {agencies[agency_id].short_name}"
        count_from = "" if count_ours else f" as stored from {agencies[agency_id_count].short_name}"
        yield Finding(
            row if ours else row_count,
            f"{indicator_id}'s denominator is {denominator:,.0f} ({phrases[indicator_id]})"
            f"{percent_from} but {counted_id} counts {count:,.0f}{count_from} for "
            f"{period}{where}. They are the same count: correct one of them, then confirm.",
            column="denominator" if ours else count_columns[counted_id],
            value=f"{denominator if ours else count:,.10g}",
        )


def _counts(figures: pd.DataFrame, catalogue: Catalogue, counted_ids: set[str]) -> pd.DataFrame:
    """Each counting indicator's count: a count's value, a percentage's or rate's numerator."""
    counted = figures[figures["indicator_id"].isin(list(counted_ids))]
    in_numerator = counted["indicator_id"].map({i: _count_column(catalogue, i) == "numerator" for i in counted_ids})
    counted = counted.assign(count=counted["numerator"].where(in_numerator.astype(bool), counted["value"]))
    return counted[counted["count"].notna()][["row", "agency_id", "indicator_id", *GROUP, "count"]]


def _count_column(catalogue: Catalogue, indicator_id: str) -> str:
    return "numerator" if catalogue.indicator_by_id[indicator_id].unit in RATIO_UNITS else "value"


def _phrase(text: str | None) -> str:
    """A catalogue sentence read inside another: "Referrals in the quarter." as "referrals in the
    quarter", but "MARAC cases in the 12 months." keeps its capitals."""
    phrase = (text or "").rstrip(".")
    if len(phrase) > 1 and phrase[1].islower():
        phrase = phrase[0].lower() + phrase[1:]
    return phrase
