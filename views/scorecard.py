"""The balanced scorecard: the twelve themes at a glance for a quarter, what to look at first,
and every indicator with its trend."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from thinktank import scorecard
from thinktank.overview_html import look_at_first_list, theme_tiles
from views.common import (
    catalogue_table,
    choose_quarter,
    data_version,
    download_buttons,
    scorecard_for,
    scorecard_table,
    show_scorecard_table,
    store,
)

ALL_PRIORITIES = ""


@st.cache_data(show_spinner=False)
def overview(period_label: str, priority: str, version: str) -> tuple[pd.DataFrame, ...]:
    """The quarter's rows for the priority, with the theme counts, what to look at first and
    the table of every indicator: worked out once per quarter, priority and data version, not
    on every rerun."""
    card = scorecard_for(period_label, version)
    if priority:
        card = card[card["priorities"].map(lambda values: priority in values)]
    return (card, scorecard.theme_summary(store().cursor(), card), scorecard.look_at_first(card, limit=8),
            scorecard_table(scorecard.whole_area(card)))


st.title("Balanced scorecard")
quarter_column, priority_column = st.columns([1, 2])
quarter = choose_quarter(quarter_column)
priority_frame = catalogue_table("priorities", data_version())
priority_names = dict(zip(priority_frame["id"], priority_frame["name"], strict=True))
priority = priority_column.selectbox(
    "Partnership priority", [ALL_PRIORITIES, *priority_names],
    format_func=lambda value: priority_names.get(value, "All priorities"),
)

card, summary, first, every_indicator = overview(quarter.label, priority, data_version())
st.caption(
    f"{len(every_indicator):,} indicators{' for ' + priority_names[priority] if priority else ''}, "
    f"{int(summary['with_data'].sum()):,} with a figure for {quarter.label}. Direction compares "
    "with last quarter, read through each indicator's polarity; SPC signals follow NHS England's "
    "Making Data Count."
)

st.header("Themes", divider="gray")
st.html(theme_tiles(summary, quarter.label))

st.header("Look at first", divider="gray")
if first.empty:
    st.success("Nothing stands out this quarter: no SPC concerns, nothing red, nothing declining.")
else:
    st.caption("Concerning SPC signals first, then red against target, then the most often worse "
               "than benchmarks, then declining.")
    st.html(look_at_first_list(first, quarter.label))

st.header("Every indicator", divider="gray")
show_scorecard_table(every_indicator)
st.caption("Breakdown groups are on each theme's and indicator's page, and in the downloads.")
download_buttons(card, f"thinktank-scorecard-{quarter.label.replace(' ', '-')}", sheet="Scorecard", quarter=quarter,
                 title="Balanced scorecard" + (f" for {priority_names[priority]}" if priority else ""))
