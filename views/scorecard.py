"""The balanced scorecard: the twelve themes at a glance for a quarter, what to look at first,
and every indicator with its trend."""

from __future__ import annotations

import pandas as pd
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
def overview(period_label: str, priority: str, version: str, raw: bool) -> tuple[pd.DataFrame, ...]:
    """The quarter's rows for the priority, with the theme counts, what to look at first and
    the table of every indicator: worked out once per quarter, priority, data version and whether
    the viewer reads raw figures (else the published ones), not on every rerun."""
    card = for_priority(scorecard_for(period_label, version) if raw else published_figures(period_label, version).card,
                        priority)
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

raw = sees_raw_figures(acting_user())
card, summary, first, every_indicator = overview(quarter.label, priority, data_version(), raw)
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
# The files always hold the published figures, whoever downloads them.
download_buttons(for_priority(published_figures(quarter.label, data_version()).card, priority),
                 f"thinktank-scorecard-{quarter.label.replace(' ', '-')}", sheet="Scorecard", quarter=quarter,
                 title="Balanced scorecard" + (f" for {priority_names[priority]}" if priority else ""))
