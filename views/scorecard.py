"""The balanced scorecard: the twelve themes at a glance for a quarter, what to look at first,
and every indicator with its trend."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import streamlit as st

from thinktank import scorecard
from thinktank.overview_html import look_at_first_list, theme_tiles
from thinktank.users import sees_raw_figures
from views.common import (
    acting_user,
    catalogue_table,
    choose_quarter,
    data_version,
    download_buttons,
    published_figures,
    scorecard_for,
    scorecard_table,
    show_scorecard_table,
    store,
)

ALL_PRIORITIES = ""


def for_priority(card: pd.DataFrame, priority: str) -> pd.DataFrame:
    return card[card["priorities"].map(lambda values: priority in values)] if priority else card


@st.cache_data(show_spinner=False)
def overview(period_label: str, priority: str, version: str,
             raw: bool) -> tuple[int, int, str, str | None, pa.Table]:
    """For the priority: how many indicators and how many with a figure, the theme tiles, what to
    look at first (None when nothing stands out) and the table of every indicator. Worked out once
    per quarter, priority, data version and whether the viewer reads raw figures (else the
    published ones), not on every rerun, and kept as it is sent (the HTML made, the table in
    Arrow), so that a view only unpickles a few strings and buffers. A tuple: a class defined in
    a page script could not be unpickled from the cache."""
    card = for_priority(scorecard_for(period_label, version) if raw else published_figures(period_label, version).card,
                        priority)
    summary = scorecard.theme_summary(store().cursor(), card)
    first = scorecard.look_at_first(card, limit=8)
    table = scorecard_table(scorecard.whole_area(card))
    return (len(table), int(summary["with_data"].sum()), theme_tiles(summary, period_label),
            None if first.empty else look_at_first_list(first, period_label),
            pa.Table.from_pandas(table, preserve_index=False))


st.title("Balanced scorecard")
quarter_column, priority_column = st.columns([1, 2])
quarter = choose_quarter(quarter_column)
# Read once for the page: the same version throughout, and one query rather than one a table.
version = data_version()
priority_frame = catalogue_table("priorities", version)
priority_names = dict(zip(priority_frame["id"], priority_frame["name"], strict=True))
priority = priority_column.selectbox(
    "Partnership priority", [ALL_PRIORITIES, *priority_names],
    format_func=lambda value: priority_names.get(value, "All priorities"),
)

indicators, with_data, tiles, first, every_indicator = overview(quarter.label, priority, version,
                                                                 sees_raw_figures(acting_user()))
st.caption(
    f"{indicators:,} indicators{' for ' + priority_names[priority] if priority else ''}, "
    f"{with_data:,} with a figure for {quarter.label}. Direction compares "
    "with last quarter, read through each indicator's polarity; SPC signals follow NHS England's "
    "Making Data Count."
)

st.header("Themes", divider="gray")
st.html(tiles)

st.header("Look at first", divider="gray")
if first is None:
    st.success("Nothing stands out this quarter: no SPC concerns, nothing red, nothing declining.")
else:
    st.caption("Concerning SPC signals first, then red against target, then the most often worse "
               "than benchmarks, then declining.")
    st.html(first)

st.header("Every indicator", divider="gray")
show_scorecard_table(every_indicator)
st.caption("Breakdown groups are on each theme's and indicator's page, and in the downloads.")
# The files always hold the published figures, whoever downloads them.
download_buttons(for_priority(published_figures(quarter.label, version).card, priority),
                 f"thinktank-scorecard-{quarter.label.replace(' ', '-')}", sheet="Scorecard", quarter=quarter,
                 title="Balanced scorecard" + (f" for {priority_names[priority]}" if priority else ""))
