"""Rules that need more than one row of the return, or the figures already stored.

Each rule is a small function registered with its code; it yields a `Finding` per problem.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from thinktank.periods import Quarter
from thinktank.rules import Finding, rule
from thinktank.rules.context import ReturnContext
from thinktank.rules.example_inputs import POLICE_ROWS, ExampleReturn
from thinktank.store.returns import figures_in_force

KEY = ["indicator_id", "period", "breakdown", "breakdown_value"]
FAMILY = "returns"


@rule("R301", "error", "Another agency's indicator",
      "An agency sends only the indicators it owns in the catalogue. (An analyst uploading on an "
      "agency's behalf chooses that agency.)",
      ExampleReturn(*POLICE_ROWS, "CP02,2024-25 Q1,All,All,,,45.1,"), fields=("indicator_id",),
      what_to_do="Delete the row, and send it in its own agency's return.")
def another_agencys_indicator(context: ReturnContext) -> Iterator[Finding]:
    frame = context.frame
    agencies = context.catalogue.agency_by_id
    ours = agencies[context.agency_id].short_name
    foreign = frame[frame["owner"].notna() & (frame["owner"] != context.agency_id)]
    for row, line in foreign.iterrows():
        yield Finding(
            row, f"{line.indicator_id} belongs to {agencies[line.owner].short_name}, not to {ours}. "
            "Remove the row, or send it in that agency's return.",
            column="indicator_id", value=line.indicator_id,
        )


@rule("R302", "error", "Duplicate row",
      "Only one row may give the figure for an indicator, period, breakdown and group.",
      ExampleReturn(*POLICE_ROWS, "HO01,2024-25 Q1,All,All,,,410,"), fields=tuple(KEY),
      what_to_do="Delete one of the two rows, keeping the right figure.")
def duplicate_rows(context: ReturnContext) -> Iterator[Finding]:
    frame = context.frame[context.frame["indicator_id"].notna() & context.frame["period"].notna()]
    # As Python objects: the breakdown and group are pandas' strings, read back one by one slowly.
    keys = list(zip(*(frame[column].to_numpy(dtype=object) for column in KEY), strict=True))
    if len(set(keys)) == len(keys):  # as nearly every return is: nothing to group and report
        return
    repeated = frame[frame.duplicated(KEY, keep=False)]
    for _, group in repeated.groupby(KEY, sort=False):
        first = group.index[0]
        for row, line in group.iloc[1:].iterrows():
            where = "" if line.breakdown == "All" else f", {line.breakdown}: {line.breakdown_value}"
            yield Finding(
                row, f"This row repeats row {first} ({line.indicator_id}, {line.period}{where}). "
                "Delete one of them.", column="indicator_id", value=line.indicator_id,
            )


@rule("R303", "warning", "Expected indicator missing",
      "Each quarter, an agency is expected to send every active indicator it owns (as a figure, "
      "or a symbol such as x if it is not available).",
      ExampleReturn(*POLICE_ROWS[:2]), fields=("indicator_id",),
      what_to_do="Add the indicator's row, with x if the figure is not available; or confirm to send the return without it.")
def expected_indicator_missing(context: ReturnContext) -> Iterator[Finding]:
    frame = context.frame
    # A row whose cells could not be read is reported as such, not as a missing indicator.
    attempted = frame[frame["has_figure"] | frame["cell_problem"]]
    given = set(zip(attempted["indicator_id"], attempted["period"], strict=True))
    chosen = set(frame["chosen_period"].dropna())
    # With the quarter fixed by the form, rows for other quarters are errors (R206), not returns.
    for label in sorted(chosen or set(frame["period"].dropna()), key=Quarter.parse):
        quarter = Quarter.parse(label)
        for indicator in context.catalogue.indicators:
            if indicator.owner == context.agency_id and indicator.is_active_in(quarter) \
                    and (indicator.id, label) not in given:
                yield Finding(
                    None, f"{indicator.id} ({indicator.name}) has no figure for {label}. Add it, "
                    "or write x if it is not available.", column="indicator_id", value=indicator.id,
                )


@rule("R304", "warning", "Big change from the previous quarter",
      "A figure that moved more than the indicator's tolerance (50 % unless the catalogue says "
      "otherwise) from the previous quarter is flagged so that it can be checked before it is "
      "accepted.",
      ExampleReturn(*POLICE_ROWS[:2], "HO01,2024-25 Q1,All,All,,,900,", stored_period="2023-24 Q4",
                    stored=[row.replace("2024-25 Q1", "2023-24 Q4") for row in POLICE_ROWS]),
      fields=("value",), what_to_do="Check the figure; if it is right, confirm the warning to store the return.")
def movement_beyond_tolerance(context: ReturnContext) -> Iterator[Finding]:
    rows = context.known_rows
    rows = rows[rows["figure"].notna()]
    if rows.empty:
        return
    periods = rows["period"].to_numpy(dtype=object)
    previous_of = {label: Quarter.parse(label).previous().label for label in set(periods)}
    # Plain lookups rather than joins of frames, which cost a return of tens of rows more than
    # looking up every row does; the arithmetic on whole columns, for a backfill of thousands.
    ids, breakdowns, groups = (rows[column].to_numpy(dtype=object) for column in ("indicator_id", "breakdown",
                                                                                   "breakdown_value"))
    figures = rows["figure"].to_numpy(dtype=float)
    stored = figures_in_force(context.cursor, context.agency_id, sorted(set(previous_of.values())))
    # The previous quarter's figure: from this file if it holds that quarter (its last row of
    # the key), else as stored.
    before = dict(zip(zip(*(stored[column].to_numpy(dtype=object) for column in KEY), strict=True),
                      stored["figure"].to_numpy(dtype=float), strict=True))
    before.update(zip(zip(ids, periods, breakdowns, groups, strict=True), figures, strict=True))
    previous = [previous_of[period] for period in periods]
    earlier = np.array([before.get(key, np.nan) for key in zip(ids, previous, breakdowns, groups, strict=True)],
                       dtype=float)
    tolerance_of = {indicator.id: indicator.change_tolerance_percent for indicator in context.catalogue.indicators}
    tolerances = np.array([tolerance_of.get(indicator_id, np.nan) for indicator_id in ids], dtype=float)
    comparable = ~np.isnan(earlier) & (earlier != 0) & ~np.isnan(tolerances)
    change = np.divide(figures - earlier, np.abs(earlier), out=np.zeros_like(figures), where=comparable) * 100
    flagged = np.flatnonzero(comparable & (np.abs(change) > tolerances))
    row_numbers = rows.index.tolist()
    for position in sorted(flagged.tolist(), key=row_numbers.__getitem__):
        figure, was = float(figures[position]), float(earlier[position])
        yield Finding(
            row_numbers[position], f"{ids[position]} went from {was:,.4g} to {figure:,.4g} "
            f"({float(change[position]):+.0f}%) since {previous[position]}; the tolerance is "
            f"{float(tolerances[position]):g}%. Check the figure, then confirm.", column="value", value=figure,
        )


@rule("R305", "warning", "Breakdown does not add up",
      "For a count, the groups of a breakdown should add up to the All figure. Groups with a "
      "symbol such as c are skipped, since their figure is not known.",
      ExampleReturn(*POLICE_ROWS, "HO01,2024-25 Q1,Locality,Durham,,,200,",
                    "HO01,2024-25 Q1,Locality,Easington,,,150,"),
      fields=("value",), what_to_do="Check the groups and the All figure; if they are right, confirm the warning.")
def breakdown_does_not_add_up(context: ReturnContext) -> Iterator[Finding]:
    rows = context.known_rows
    counts = rows[(rows["unit"] == "count")]
    totals = counts[counts["breakdown"] == "All"]
    groups = counts[counts["breakdown"] != "All"]
    if groups.empty:
        return
    # Every group added up in one pass and set beside its All row (the last, should there be two).
    members = groups.reset_index()
    added = members.assign(gap=members["value"].isna()).groupby(
        ["indicator_id", "period", "breakdown"], sort=False,
    ).agg(first_row=("row", "first"), added=("value", "sum"), gap=("gap", "any")).reset_index()
    whole = totals.reset_index()[["row", "indicator_id", "period", "value"]].drop_duplicates(
        ["indicator_id", "period"], keep="last",
    ).rename(columns={"row": "total_row", "value": "total"})
    paired = added.merge(whole, on=["indicator_id", "period"], how="left")
    flagged = paired[paired["total"].notna() & ~paired["gap"] & (paired["added"] != paired["total"])]
    for line in flagged.itertuples():
        yield Finding(
            line.first_row, f"The {line.breakdown} groups of {line.indicator_id} for {line.period} add up to "
            f"{line.added:,.0f} but All (row {int(line.total_row)}) is {line.total:,.0f}. Check the groups.",
            column="value", value=line.added,
        )
