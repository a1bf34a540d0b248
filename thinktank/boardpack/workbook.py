"""The board pack's workbook: every figure behind the pack, small numbers suppressed as in the
PDF, laid out as GSS's "Releasing statistics in spreadsheets" asks (`publication.release_xlsx`):
Cover, Contents, Notes, then one table a sheet: the scorecard, the quarterly series the charts
draw, the scaling, the statements and the actions."""

from __future__ import annotations

import pandas as pd

from thinktank.boardpack.build import PARTNERSHIP, BoardPack
from thinktank.disclosure import SMALL_COUNT_RANGE
from thinktank.formatting import (
    SIGN_OFF_IN_A_SENTENCE,
    SIGNS_OF_SAFETY_LABELS,
    STATUS_MEANINGS,
)
from thinktank.periods import format_date
from thinktank.publication import (
    Column,
    Figure,
    Publication,
    Release,
    release_xlsx,
    table_for_people,
)

FIGURE_COLUMNS = [
    "indicator_id", "name", "theme", "breakdown", "breakdown_value", "unit", "value", "status", "numerator",
    "denominator", "previous_value", "last_year_value", "change", "direction", "rag", "target_value",
    "target_low", "target_high", "england_value", "england_position", "north_east_value", "north_east_position",
    "neighbours_value", "neighbours_position", "spc_signal", "spc_mean", "spc_lower", "spc_upper", "owner",
]
SERIES_COLUMNS = ["indicator_id", "name", "period", "unit", "value", "status", "spc_mean", "spc_lower", "spc_upper",
                  "spc_signal"]


def pack_xlsx(pack: BoardPack) -> bytes:
    low, high = SMALL_COUNT_RANGE
    period, made = pack.period, pack.made
    names = pack.card.drop_duplicates("indicator_id").set_index("indicator_id")["name"]
    series = pack.series.assign(name=pack.series["indicator_id"].map(names))
    tables = [
        Publication("The scorecard: every indicator and group", period, "Figures",
                    table_for_people(pack.card[FIGURE_COLUMNS], period, pack.names), list(pack.returns), made),
        Publication("Each indicator's quarters, with its SPC mean and limits", period, "Series",
                    table_for_people(series[SERIES_COLUMNS], period, pack.names), list(pack.returns), made),
        Publication("The Think Tank's scaling (0 to 10)", period, "Scales", _scales(pack), [], made),
        Publication("The headline statements", period, "Statements", _statements(pack), [], made),
        Publication("Actions raised this quarter and due from earlier ones", period, "Actions", _actions(pack), [],
                    made),
    ]
    frozen = (f"The figures are as they stood when the PLG agreed the headlines, on "
              f"{format_date(pack.frozen_at.date())}." if pack.frozen_at is not None else
              f"The figures are those of the returns in force on {format_date(made.date())}; they can change until "
              "the PLG agrees the headlines.")
    return release_xlsx(Release(
        title="Think Tank quarterly headlines: the figures behind the board pack", quarter=period,
        about=[f"The headlines are {SIGN_OFF_IN_A_SENTENCE[pack.sign_off.state]}, version {pack.sign_off.version}.",
               frozen,
               (f"Small numbers are suppressed as in the board pack: a count of {low} to {high} children is shown "
               "as c, as is any figure from which one could be worked out.")],
        tables=tables,
        notes=[(status, meaning) for status, meaning in STATUS_MEANINGS.items()] + [
            ("c (small numbers)", (f"A count of {low} to {high} children, a figure built on one (a rate or "
                                  "percentage), or a figure that would let one be worked out from a total, is "
                                  "suppressed: its cell is empty and its status is c.")),
            ("Empty cell", "A figure with any status but u is left empty, never shown as zero; its status says why."),
            ("Units", ("Each row's unit is in its Unit column. A percentage is a number out of 100 (45.3 is 45.3%); "
                      "a change in one is in percentage points.")),
            ("Rounding", "Figures are rounded as the dashboard shows them."),
        ],
        returns=list(pack.returns), made=made,
    ))


def _scales(pack: BoardPack) -> list[Column]:
    history = pack.scale_history
    quarters = sorted(set(history["period"]), key=lambda label: history.loc[history["period"] == label,
                                                                           "period_index"].iloc[0])
    rows = [(PARTNERSHIP, None, pack.partnership_scale)] + [(theme.name, theme.theme_id, theme.scale)
                                                            for theme in pack.themes]
    columns = [Column("Theme", [name for name, _, _ in rows])]
    for label in quarters:
        in_quarter = history[history["period"] == label]
        scores = {(None if pd.isna(theme) else theme): score
                  for theme, score in zip(in_quarter["theme_id"], in_quarter["score"], strict=True)}
        columns.append(Column(f"Scale {label}", [None if theme_id not in scores else Figure(float(scores[theme_id]), 0)
                                                 for _, theme_id, _ in rows]))
    columns.append(Column(f"Reason in {pack.period.label}", [scale.reason if scale else None for _, _, scale in rows]))
    return columns


def _statements(pack: BoardPack) -> list[Column]:
    rows = [(theme.name, SIGNS_OF_SAFETY_LABELS[heading], statement.body)
            for theme in pack.themes for heading, listed in theme.statements.items() for statement in listed]
    return [Column("Theme", [row[0] for row in rows]), Column("Heading", [row[1] for row in rows]),
            Column("Statement", [row[2] for row in rows])]


def _actions(pack: BoardPack) -> list[Column]:
    rows = [(theme.name, action) for theme in pack.themes
            for action in dict.fromkeys(theme.actions_raised + theme.actions_due)]
    return [Column("Theme", [name for name, _ in rows]),
            Column("Action", [action.description for _, action in rows]),
            Column("Owner agency", [action.owner for _, action in rows]),
            Column("Raised in", [action.raised_in for _, action in rows]),
            Column("Due", [action.due for _, action in rows]),
            Column("Status", [action.status for _, action in rows])]
