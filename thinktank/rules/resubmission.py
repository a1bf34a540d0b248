"""Rules that compare a new version of a return with the version in force it would replace.

A new version replaces the whole of the earlier one, so whatever it leaves out stops being in
force; that is said before it is stored, never found out later from a thinner report.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from thinktank.periods import Quarter
from thinktank.rules import Finding, rule
from thinktank.rules.context import ReturnContext
from thinktank.rules.example_inputs import POLICE_ROWS, ExampleReturn
from thinktank.rules.returns import FAMILY
from thinktank.store.returns import figures_in_force

NAMED_AT_MOST = 40  # rows named in the message; a longer list ends with how many more


@rule("R307", "warning", "Rows in force left out",
      "A new version of a quarter's return replaces the whole of the version in force. Rows "
      "in force that the new version does not repeat (an indicator, or a group of a "
      "breakdown) would no longer be reported, so they are listed before anything is stored.",
      # The version in force gave FD06 by locality; the new one gives only its overall figure.
      ExampleReturn(*POLICE_ROWS, stored=[*POLICE_ROWS, "FD06,2024-25 Q1,Locality,Durham,,,310,",
                                          "FD06,2024-25 Q1,Locality,Easington,,,295,"]),
      fields=("indicator_id", "breakdown", "breakdown_value"), family=FAMILY,
      what_to_do="Add the rows back with their figures, or confirm the warning if they should no longer "
                 "be reported.")
def rows_in_force_left_out(context: ReturnContext) -> Iterator[Finding]:
    frame = context.frame
    # A row whose cells could not be read is an error of its own, not a row left out.
    sent = frame[frame["has_figure"] | frame["cell_problem"]]
    periods = set(sent["period"].dropna()) | set(frame["chosen_period"].dropna())
    if not periods:
        return
    in_force = figures_in_force(context.cursor, context.agency_id, sorted(periods, key=Quarter.parse))
    if in_force.empty:
        return  # a first version replaces nothing
    given = set(zip(sent["indicator_id"], sent["period"], sent["breakdown"], sent["breakdown_value"], strict=True))
    for period, rows in in_force.groupby("period", sort=False):
        keys = zip(rows["indicator_id"], rows["period"], rows["breakdown"], rows["breakdown_value"], strict=True)
        dropped = rows[[key not in given for key in keys]]
        if dropped.empty:
            continue
        count = len(dropped)
        yield Finding(
            None, f"This version of {period} drops {count:,} row{'s' if count != 1 else ''} now in "
            f"force: {_named(dropped)}. Add them back (the template for {period} holds the figures "
            "in force), or confirm if they should no longer be reported.",
            column="indicator_id", value=f"{count:,} rows",
        )


def _named(dropped: pd.DataFrame) -> str:
    """'FD06 Locality: Durham, Easington; HO05 (overall figure)': by indicator, its overall
    figure first."""
    ordered = dropped.assign(_groups_after_all=dropped["breakdown"] != "All").sort_values(
        ["indicator_id", "_groups_after_all", "breakdown"], kind="stable"
    )
    shown = ordered.head(NAMED_AT_MOST)
    parts = []
    for (indicator_id, breakdown), groups in shown.groupby(["indicator_id", "breakdown"], sort=False):
        if breakdown == "All":
            parts.append(f"{indicator_id} (overall figure)")
        else:
            parts.append(f"{indicator_id} {breakdown}: {', '.join(groups['breakdown_value'])}")
    more = len(dropped) - len(shown)
    return "; ".join(parts) + (f"; and {more:,} more" if more else "")
