"""The multi-agency lens: for each agency, what it feeds into the scorecard, the actions the
headlines gave it, how its indicators are moving, and how complete and timely its returns are."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from thinktank import scorecard
from thinktank.docs import markdown_text
from thinktank.errors import ThinkTankError
from thinktank.formatting import ACTION_STATUS_LABELS, RETURN_STATE_LABELS, agency_names
from thinktank.headlines import actions as headline_actions
from thinktank.headlines.record import HEADLINE_WRITERS
from thinktank.periods import Quarter, format_date, quarters_between
from thinktank.settings import RETURN_DUE_DAYS
from thinktank.store import utc_now
from thinktank.store.returns import completeness
from thinktank.users import Role, person_name
from views.common import (
    acting_user,
    catalogue_table,
    choose_from_link,
    choose_quarter,
    data_version,
    download_buttons,
    scorecard_for,
    scorecard_table,
    show_error,
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

st.header("Its actions from the headlines", divider="gray")
st.caption(f"What the quarterly headlines asked of {names[agency]}: each action comes from a “What needs to "
           f"happen?” statement, with the quarter it is due by. Its status is as it stood in {quarter.label}.")
problem = st.session_state.pop("action_problem", None)
if problem is not None:
    show_error(problem)
recorded = st.session_state.pop("action_recorded", None)
if recorded is not None:
    st.success(recorded, icon=":material/check_circle:")
owned_actions = headline_actions.actions(store().cursor(), quarter, agency_id=agency)
owned_actions = owned_actions[owned_actions["raised_in"].map(lambda label: Quarter.parse(label).index) <= quarter.index]
if owned_actions.empty:
    st.caption(f"The headlines to {quarter.label} raised no action for {names[agency]}.")
else:
    st.markdown(" · ".join(f"**{(owned_actions['status'] == status).sum():,}** {label}"
                           for status, label in ACTION_STATUS_LABELS.items()))
    st.dataframe(pd.DataFrame({
        "Action": owned_actions["description"], "Theme": owned_actions["theme_name"],
        "Raised": owned_actions["raised_in"], "Due by": owned_actions["due"],
        "Status": owned_actions["status"].map(ACTION_STATUS_LABELS), "Latest note": owned_actions["latest_note"],
        "Updated": [f"{format_date(when.date())}, {person_name(who, names)}"
                    for when, who in zip(owned_actions["updated_at"], owned_actions["updated_by"], strict=True)],
    }), hide_index=True, width="stretch")
    actor = acting_user()
    # The same people update_action lets record progress: the Think Tank's analysts and the owner agency's own.
    if actor.role in HEADLINE_WRITERS or (actor.role == Role.AGENCY_UPLOADER and actor.agency_id == agency):
        descriptions = dict(zip(owned_actions["id"], owned_actions["description"], strict=True))
        open_first = owned_actions.sort_values("status", key=lambda status: status == "done", kind="stable")
        with st.form("action-progress", clear_on_submit=True):
            st.subheader("Record progress")
            chosen = st.selectbox("Action", list(open_first["id"]), format_func=descriptions.get,
                                  key="progress-action")
            status = st.radio("Status", headline_actions.PROGRESS, format_func=ACTION_STATUS_LABELS.get,
                              horizontal=True, key="progress-status",
                              help="An action still open after the quarter it was due by reads as overdue.")
            note = st.text_area("Note", key="progress-note", max_chars=headline_actions.MAX_ACTION_CHARACTERS,
                                placeholder="What has been done since the last note, and what is still to do")
            if st.form_submit_button("Record progress", icon=":material/task_alt:"):
                try:
                    headline_actions.update_action(store().cursor(), actor, int(chosen), status, note, utc_now())
                    st.session_state["action_recorded"] = (f"Progress recorded ({ACTION_STATUS_LABELS[status]}): "
                                                           f"{markdown_text(descriptions[chosen])}")
                except ThinkTankError as error:
                    st.session_state["action_problem"] = error
                st.rerun()
    else:
        st.caption(f"The Think Tank's analysts and people from {names[agency]} record progress on these actions.")

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
