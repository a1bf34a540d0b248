"""The multi-agency lens: for each agency, what it feeds into the scorecard, how its
indicators are moving, and how complete and timely its returns are."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from thinktank import scorecard
from thinktank.formatting import RETURN_STATE_LABELS, agency_names
from thinktank.periods import format_date, quarters_between
from thinktank.settings import RETURN_DUE_DAYS
from thinktank.store import utc_now
from thinktank.store.returns import completeness
from views.common import (
    catalogue_table,
    choose_from_link,
    choose_quarter,
    data_version,
    download_buttons,
    scorecard_for,
    scorecard_table,
    show_scorecard_table,
    store,
)

QUARTERS_SHOWN = 8

agencies = catalogue_table("agencies", data_version())
agencies = agencies[agencies["active_indicators"] > 0]
names = agency_names(agencies.itertuples())
agency_column, quarter_column = st.columns([2, 1])
agency = choose_from_link(agency_column, "Agency", dict(sorted(names.items(), key=lambda item: item[1])), "agency")
quarter = choose_quarter(quarter_column)
st.title(names[agency])
about = agencies.set_index("id").loc[agency]
st.caption(about["name"] + (f": {about['description']}" if isinstance(about["description"], str) else ""))

card = scorecard_for(quarter.label, data_version())
owned = card[card["owner"] == agency]
whole = scorecard.whole_area(owned)
themes = catalogue_table("themes", data_version()).set_index("id")
fed = scorecard.agency_summary(card, agency)
counts = st.columns(4)
counts[0].metric("Indicators it supplies", f"{int(fed['indicators'].sum()):,}")
counts[1].metric("Themes it feeds", f"{len(fed):,}")
counts[2].metric("Improving", f"{int(fed['improving'].sum()):,}")
counts[3].metric("Declining", f"{int(fed['declining'].sum()):,}")
st.dataframe(
    pd.DataFrame({
        "Theme": [f"{themes.loc[theme, 'number']}. {themes.loc[theme, 'name']}" for theme in fed["theme"]],
        "Indicators": fed["indicators"], "With a figure": fed["with_figure"], "Improving": fed["improving"],
        "Declining": fed["declining"], "Red": fed["red"], "SPC concerns": fed["concerns"],
    }),
    hide_index=True,
)

st.header(f"How its indicators are moving ({quarter.label})", divider="gray")
show_scorecard_table(scorecard_table(whole))
download_buttons(owned, f"thinktank-{agency}-{quarter.label.replace(' ', '-')}", sheet="Indicators", quarter=quarter,
                 title=f"{names[agency]}: its indicators")

st.header("Completeness and timeliness", divider="gray")
first = quarter
for _ in range(QUARTERS_SHOWN - 1):
    first = first.previous()
matrix = completeness(store().cursor(), store().catalogue, quarters_between(first, quarter), RETURN_DUE_DAYS,
                      utc_now().date())
mine = matrix[matrix["agency_id"] == agency]
st.caption(f"A return is due {RETURN_DUE_DAYS} days after its quarter ends; late means its first "
           "accepted version arrived after that.")
returns = pd.DataFrame({
    "Quarter": mine["period"],
    "Due": mine["due"].map(format_date),
    "First accepted": mine["received"].map(lambda day: format_date(day) if isinstance(day, dt.date) else "not received"),
    "Return": mine["state"].map(RETURN_STATE_LABELS),
})
st.dataframe(returns, hide_index=True)
states = mine["state"].value_counts()
st.markdown(" · ".join(f"**{states.get(state, 0):,}** {label}" for state, label in RETURN_STATE_LABELS.items()))
download_buttons(returns, f"thinktank-{agency}-returns-to-{quarter.label.replace(' ', '-')}", sheet="Returns",
                 quarter=quarter, agencies=[agency],
                 title=f"{names[agency]}: returns for the {QUARTERS_SHOWN} quarters to {quarter.label}")
