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
from thinktank.periods import format_date, quarters_between
from thinktank.settings import RETURN_DUE_DAYS
from thinktank.store import utc_now
from thinktank.store.returns import completeness
from thinktank.users import only_agency, person_name
from views.common import (
    acting_user,
    catalogue_table,
    choose_from_link,
    choose_quarter,
    data_version,
    download_buttons,
    figures_for,
    published_figures,
    scorecard_table,
    show_error,
    show_scorecard_table,
    store,
)

QUARTERS_SHOWN = 8
# How an action's status stands out on its card: its colour and icon (its words are ACTION_STATUS_LABELS).
STATUS_BADGES = {
    "done": ("green", ":material/check_circle:"),
    "in progress": ("blue", ":material/pending:"),
    "overdue": ("red", ":material/schedule:"),
}


def record_progress(action_id: int, description: str, status: str, note: str) -> None:
    """Record progress as the acting user and say so on the rerun; a refusal is shown with its hint."""
    try:
        headline_actions.update_action(store().cursor(), acting_user(), action_id, status, note, utc_now())
        st.session_state["action_recorded"] = (f"Progress recorded ({ACTION_STATUS_LABELS[status]}): "
                                               f"{markdown_text(description)}")
    except ThinkTankError as error:
        st.session_state["action_problem"] = error
    st.rerun()


agencies = catalogue_table("agencies", data_version())
agencies = agencies[agencies["active_indicators"] > 0]
names = agency_names(agencies.itertuples())
agency_column, quarter_column = st.columns([2, 1])
agency = choose_from_link(agency_column, "Agency", dict(sorted(names.items(), key=lambda item: item[1])), "agency")
quarter = choose_quarter(quarter_column)
st.title(names[agency])
about = agencies.set_index("id").loc[agency]
st.caption(about["name"] + (f": {about['description']}" if isinstance(about["description"], str) else ""))

card = figures_for(acting_user(), quarter.label, data_version()).card
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

actor = acting_user()
# An uploader sees every agency's published figures, but only its own agency's actions and returns.
sees_its_own = only_agency(actor, None) in (None, agency)
KEPT_TO_ITSELF = (f"{names[agency]}'s actions and returns are seen by {names[agency]} itself, the Think Tank "
                  "and the Performance and Learning Group.")

st.header("Its actions from the headlines", divider="gray")
st.caption(f"What the quarterly headlines asked of {names[agency]}: each action comes from a “What needs to "
           f"happen?” statement, with the quarter it is due by. Its status is as it stood in {quarter.label}.")
problem = st.session_state.pop("action_problem", None)
if problem is not None:
    show_error(problem)
recorded = st.session_state.pop("action_recorded", None)
if recorded is not None:
    st.success(recorded, icon=":material/check_circle:")
owned_actions = (headline_actions.actions(store().cursor(), actor, quarter, raised_by=quarter, agency_id=agency)
                 if sees_its_own else None)
if owned_actions is None:
    st.caption(KEPT_TO_ITSELF)
elif owned_actions.empty:
    st.caption(f"The headlines to {quarter.label} raised no action for {names[agency]}.")
else:
    st.markdown(" · ".join(f"**{(owned_actions['status'] == status).sum():,}** {label}"
                           for status, label in ACTION_STATUS_LABELS.items()))
    may_update = headline_actions.may_update(actor, agency)
    for action in owned_actions.itertuples():
        box = st.container(border=True)
        text_column, status_column = box.columns([3, 1])
        text_column.markdown(markdown_text(action.description))
        text_column.caption(f"{action.theme_name} · raised in {action.raised_in} · due by {action.due}")
        text_column.markdown(f"**Latest note** ({format_date(action.updated_at.date())}, "
                             f"{markdown_text(person_name(action.updated_by, names))}): "
                             f"{markdown_text(action.latest_note)}")
        colour, icon = STATUS_BADGES[action.status]
        status_column.badge(ACTION_STATUS_LABELS[action.status], color=colour, icon=icon)
        if may_update:
            with status_column.popover("Record progress", icon=":material/task_alt:"), \
                    st.form(f"progress-{action.id}", clear_on_submit=True, border=False):
                progress = st.radio(
                    "Status", headline_actions.PROGRESS, format_func=ACTION_STATUS_LABELS.get, horizontal=True,
                    index=headline_actions.PROGRESS.index(action.status) if action.status in headline_actions.PROGRESS
                    else 0, key=f"progress-status-{action.id}",
                    help="An action still open after the quarter it was due by reads as overdue.")
                note = st.text_area("Note", key=f"progress-note-{action.id}",
                                    max_chars=headline_actions.MAX_ACTION_CHARACTERS,
                                    placeholder="What has been done since the last note, and what is still to do")
                if st.form_submit_button("Save the progress"):
                    record_progress(action.id, action.description, progress, note)
    if not may_update:
        st.caption(f"The Think Tank's analysts and people from {names[agency]} record progress on these actions.")

st.header(f"How its indicators are moving ({quarter.label})", divider="gray")
show_scorecard_table(scorecard_table(whole))
published = published_figures(quarter.label, data_version()).card
# The files always hold the published figures, whoever downloads them.
download_buttons(published[published["owner"] == agency], f"thinktank-{agency}-{quarter.label.replace(' ', '-')}", sheet="Indicators", quarter=quarter,
                 title=f"{names[agency]}: its indicators")

st.header("Completeness and timeliness", divider="gray")
if not sees_its_own:
    st.caption(KEPT_TO_ITSELF)
    st.stop()
first = quarter
for _ in range(QUARTERS_SHOWN - 1):
    first = first.previous()
matrix = completeness(store().cursor(), actor, store().catalogue, quarters_between(first, quarter), RETURN_DUE_DAYS,
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
