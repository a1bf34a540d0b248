"""The quarter's headlines for the Performance and Learning Group, in the Signs of Safety format:
per theme, what we are worried about, what is working well and what needs to happen, with the
Think Tank's scale from 0 to 10. Analysts draft them from the data, edit and sign them off; PLG
members read them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from thinktank import browse, charts, narrative
from thinktank.docs import markdown_text
from thinktank.errors import ThinkTankError
from thinktank.formatting import (
    ACTION_STATUS_LABELS,
    EVIDENCE_ORIGIN_LABELS,
    EVIDENCE_SOURCE_LABELS,
    SCALE_ENDS,
    SIGN_OFF_LABELS,
    SIGN_OFF_MEANINGS,
    SIGNS_OF_SAFETY_LABELS,
    STATEMENT_CHANGE_LABELS,
    agency_names,
)
from thinktank.headlines import actions as headline_actions
from thinktank.headlines import record
from thinktank.periods import format_date
from thinktank.store import utc_now
from thinktank.users import THINK_TANK_WRITERS, person_name
from views.common import (
    acting_user,
    catalogue_table,
    choose_quarter,
    data_version,
    show_error,
    store,
)

STATE_ICONS = {"draft": ":material/edit_note:", "ready": ":material/outgoing_mail:", "agreed": ":material/verified:"}


def run(change, *args) -> None:
    """Make a change as the acting user; a change the rules refuse is shown with its hint."""
    try:
        change(store().cursor(), acting_user(), *args, utc_now())
    except ThinkTankError as error:
        st.session_state["headline_problem"] = error
    st.rerun()


def who(user_id: str) -> str:
    return person_name(user_id, agencies)


quarter_column, state_column = st.columns([1, 2])
quarter = choose_quarter(quarter_column)
actor = acting_user()
cursor = store().cursor()
try:
    written = record.statements(cursor, actor, quarter)
except ThinkTankError as error:
    show_error(error)
    st.stop()
state = record.sign_off(cursor, quarter)
can_write = actor.role in THINK_TANK_WRITERS
editable = can_write and state.state == record.DRAFT
themes = catalogue_table("themes", data_version())
theme_names = dict(zip(themes["id"], themes["name"], strict=True))
agency_table = catalogue_table("agencies", data_version())
agencies = agency_names(agency_table.itertuples())

st.title(f"Quarterly headlines: {quarter.label}")
st.caption(f"For the Performance and Learning Group: the quarter to {format_date(quarter.end)}, in the Signs of "
           "Safety format. Each statement quotes the figures it rests on; the scale runs from 0 "
           f"({SCALE_ENDS[0]}) to 10 ({SCALE_ENDS[10]}).")
with state_column:
    st.markdown(f"**{SIGN_OFF_LABELS[state.state]}**, version {state.version}"
                + (f" (since {format_date(state.changed_at.date())}, {who(state.changed_by)})" if state.changed_by else ""))
    st.caption(SIGN_OFF_MEANINGS[state.state]
               + (f" Version {state.version} was opened because: {markdown_text(state.reason)}" if state.reason else ""))

problem = st.session_state.pop("headline_problem", None)
if problem is not None:
    show_error(problem)

# Sign-off. ---------------------------------------------------------------------------------
if can_write:
    buttons = st.columns(4)
    if state.state == record.DRAFT:
        if buttons[0].button("Draft from the data", icon=":material/auto_awesome:",
                             help="Add the statements the drafting rules propose for this quarter that the draft "
                                  "does not hold yet. A statement you deleted is not proposed again."):
            run(record.draft_from_data, quarter)
        if buttons[1].button("Mark ready for PLG", icon=":material/outgoing_mail:", type="primary"):
            run(record.mark_ready, quarter)
    elif state.state == record.READY:
        if buttons[0].button("Back to draft", icon=":material/undo:"):
            run(record.back_to_draft, quarter)
        if buttons[1].button("Record the PLG's agreement", icon=":material/verified:", type="primary",
                             help="Freezes the headlines and the figures behind them as they are now."):
            run(record.agree, quarter)
    else:
        with buttons[0].popover("Open a new version", icon=":material/history_edu:"), \
                st.form("new_version", clear_on_submit=True):
            reason = st.text_input("Why the agreed headlines must change",
                                   placeholder="For example: Police return for the quarter corrected")
            if st.form_submit_button("Open version " + str(state.version + 1)):
                run(lambda cursor, user, now: record.new_version(cursor, user, quarter, reason, now))

history = record.sign_off_history(cursor, quarter)
if not history.empty:
    with st.expander("Sign-off history"):
        st.dataframe(pd.DataFrame({
            "Version": history["version"],
            "Became": history["state"].map(SIGN_OFF_LABELS),
            "Reason": [reason if isinstance(reason, str) else "" for reason in history["reason"]],
            "By": history["changed_by"].map(who),
            "When": [moment.strftime("%-d %B %Y %H:%M") for moment in history["changed_at"]],
        }), hide_index=True, width="stretch")

every_change = record.changes(cursor, actor, quarter)
if not every_change.empty:
    with st.expander(f"Every change to these headlines ({len(every_change):,})"):
        st.dataframe(pd.DataFrame({
            "When": [moment.strftime("%-d %B %Y %H:%M") for moment in every_change["changed_at"]],
            "By": every_change["changed_by"].map(who),
            "Change": every_change["change"].map(STATEMENT_CHANGE_LABELS),
            "Version": every_change["version"],
            "Theme": every_change["theme_name"],
            "Heading": every_change["signs_of_safety"].map(SIGNS_OF_SAFETY_LABELS),
            "Statement": every_change["body"],
        }), hide_index=True, width="stretch")

# What moved since the statements were written. ------------------------------------------------
moved = record.moved_figures(cursor, actor, quarter)
out_of_date = set(moved["statement_id"])
if not moved.empty:
    with st.container(border=True):
        st.warning(f"{len(out_of_date):,} statement{'s' if len(out_of_date) != 1 else ''} quote figures that a later "
                   "return changed. " + ("They stay as agreed; open a new version to bring them up to date."
                                         if state.state == record.AGREED else "Check and edit them below."),
                   icon=":material/update:")
        st.dataframe(pd.DataFrame({
            "Indicator": moved["indicator_id"], "Quarter": moved["period"],
            "Quoted": moved["shown_then"], "Now": moved["shown_now"],
            "Return version quoted": [f"{version:.0f}" if pd.notna(version) else "" for version in moved["version_then"]],
            "Return version now": [f"{version:.0f}" if pd.notna(version) else "" for version in moved["version_now"]],
        }), hide_index=True)

# The partnership's scale, and every theme's quarter on quarter. ------------------------------
scales = record.scales(cursor, quarter)
scale_by_theme = {(theme if isinstance(theme, str) else None): row for theme, row
                  in zip(scales["theme_id"], scales.itertuples(), strict=True)}


def scale_form(theme: str | None, key: str) -> None:
    current = scale_by_theme.get(theme)
    with st.form(f"scale-{key}", border=False):
        score = st.slider("Scale", 0, 10, int(current.score) if current is not None else 5, key=f"score-{key}",
                          help=f"0: {SCALE_ENDS[0]}; 10: {SCALE_ENDS[10]}.")
        reason = st.text_area("Why this number", value=current.reason if current is not None else "",
                              key=f"reason-{key}", max_chars=record.MAX_REASON_CHARACTERS)
        if st.form_submit_button("Save the scale"):
            run(lambda cursor, user, now: record.set_scale(cursor, user, quarter, theme, score, reason, now))


overall = scale_by_theme.get(None)
with st.container(border=True):
    left, right = st.columns([1, 3])
    left.metric("The partnership overall", f"{overall.score} out of 10" if overall is not None else "Not set")
    if overall is not None:
        right.markdown(markdown_text(overall.reason))
    if editable:
        with right.popover("Scale the partnership", icon=":material/tune:"):
            scale_form(None, "partnership")
scale_history = record.scale_history(cursor, quarter)
if not scale_history.empty:
    with st.expander("Scaling quarter on quarter", expanded=False):
        st.plotly_chart(charts.scaling_chart(scale_history, theme_names),
                        alt=charts.scaling_alt_text(scale_history, theme_names), key="scaling-chart")
        table = scale_history.assign(theme=scale_history["theme_id"].map(theme_names).fillna("The partnership overall"))
        st.dataframe(table.pivot_table(index="theme", columns="period", values="score", sort=False)
                     .rename_axis(index="Theme", columns=None), width="stretch")

# Actions due back this quarter. ---------------------------------------------------------------
due = headline_actions.actions_due(cursor, actor, quarter)
st.header("Actions due", divider="gray")
if due.empty:
    st.caption(f"No action from an earlier quarter falls due in {quarter.label}.")
else:
    for action in due.itertuples():
        with st.container(border=True):
            status_column, text_column = st.columns([1, 5])
            status_column.markdown(f"**{ACTION_STATUS_LABELS[action.status]}**  \n{action.owner}  \n"
                                   f"Due {action.due}")
            text_column.markdown(markdown_text(action.description))
            text_column.caption(f"{action.theme_name}; raised in {action.raised_in}. Latest: "
                                + markdown_text(action.latest_note))

# Theme by theme. ------------------------------------------------------------------------------
raised = headline_actions.actions(cursor, actor, quarter, raised_in=quarter)
challenge_questions = browse.challenge_questions(cursor)
links = narrative.linked_evidence(cursor, written["id"].tolist())
agency_choices = dict(zip(agency_table["id"], agency_table["short_name"], strict=True))
later_quarters = [quarter.next(), quarter.next().next(), quarter.next().next().next()]
shown_themes = st.multiselect("Themes", list(theme_names), format_func=theme_names.get,
                              placeholder="Every theme", help="Leave empty to see every theme.")
for theme in themes.itertuples():
    if shown_themes and theme.id not in shown_themes:
        continue
    st.header(f"{theme.number}. {theme.name}", divider="gray")
    evidence = narrative.theme_evidence(cursor, actor, theme.id, quarter)
    evidence_names = {row.evidence_key: f"{row.title} ({EVIDENCE_SOURCE_LABELS[row.source]}"
                      + (f", {row.agency})" if row.agency else ")") for row in evidence.itertuples()}
    scale = scale_by_theme.get(theme.id)
    scale_column, reason_column = st.columns([1, 4])
    scale_column.metric("Scale", f"{scale.score} out of 10" if scale is not None else "Not set")
    if scale is not None:
        reason_column.markdown(markdown_text(scale.reason))
    if editable:
        with reason_column.popover("Scale this theme", icon=":material/tune:"):
            scale_form(theme.id, theme.id)
    columns = st.columns(3)
    for column, (heading, title) in zip(columns, SIGNS_OF_SAFETY_LABELS.items(), strict=True):
        column.subheader(title)
        here = written[(written["theme_id"] == theme.id) & (written["signs_of_safety"] == heading)]
        if here.empty:
            column.caption("Nothing yet.")
        for statement in here.itertuples():
            box = column.container(border=True)
            box.markdown(markdown_text(statement.body))
            source = (f"Drafted from the data: {statement.drafting_rule}" if isinstance(statement.drafting_rule, str)
                      else f"Written by {who(statement.written_by)}")
            box.caption(source)
            questions = challenge_questions.get(statement.indicator_id, []) if heading == "worried" else []
            if questions:
                box.caption("**Questions to ask:** " + " ".join(markdown_text(question) for question in questions))
            if statement.id in out_of_date:
                box.caption(":material/update: A figure it quotes has changed since.")
            resting_on = links[links["statement_id"] == statement.id]
            for link in resting_on.itertuples():
                box.caption(":material/attach_file: Evidence: " + markdown_text(
                    evidence_names.get(link.evidence_key, f"{link.title} (no longer in force)")))
            for action in raised[raised["statement_id"] == statement.id].itertuples():
                box.caption(f"Action for {action.owner}, due {action.due}: {ACTION_STATUS_LABELS[action.status]}")
            if not editable:
                continue
            tools = box.container(horizontal=True)
            with tools.popover("Edit", icon=":material/edit:"), \
                    st.form(f"edit-{statement.id}", border=False):
                text = st.text_area("Statement", value=statement.body, key=f"text-{statement.id}",
                                    max_chars=record.MAX_STATEMENT_CHARACTERS, height=160)
                if st.form_submit_button("Save"):
                    run(record.edit_statement, statement.id, text)
            with tools.popover("Move or delete", icon=":material/swap_vert:"):
                if st.button("Move up", key=f"up-{statement.id}", icon=":material/arrow_upward:"):
                    run(record.move_statement, statement.id, -1)
                if st.button("Move down", key=f"down-{statement.id}", icon=":material/arrow_downward:"):
                    run(record.move_statement, statement.id, 1)
                if st.button("Delete", key=f"delete-{statement.id}", icon=":material/delete:",
                             help="Take it out of the headlines; its history is kept"):
                    run(record.delete_statement, statement.id)
            if evidence_names:
                with tools.popover("Evidence", icon=":material/attach_file:"):
                    unlinked = [key for key in evidence_names if key not in set(resting_on["evidence_key"])]
                    if unlinked:
                        with st.form(f"link-{statement.id}", border=False):
                            chosen = st.selectbox("Evidence it rests on", unlinked, format_func=evidence_names.get,
                                                  key=f"evidence-{statement.id}")
                            if st.form_submit_button("Link the evidence"):
                                run(narrative.link_evidence, statement.id, chosen)
                    for link in resting_on.itertuples():
                        if st.button("Unlink " + markdown_text(evidence_names.get(link.evidence_key, link.title)),
                                     key=f"unlink-{statement.id}-{link.evidence_key}", icon=":material/link_off:"):
                            run(narrative.unlink_evidence, statement.id, link.evidence_key)
            if heading == "needs_to_happen":
                with tools.popover("Make it an action", icon=":material/assignment_add:"), \
                        st.form(f"action-{statement.id}", border=False):
                    description = st.text_area("What is to be done", value=statement.body,
                                               key=f"action-text-{statement.id}")
                    owner = st.selectbox("Owner agency", list(agency_choices), format_func=agency_choices.get,
                                         key=f"owner-{statement.id}")
                    due_by = st.selectbox("Due by", later_quarters, format_func=str, key=f"due-{statement.id}")
                    if st.form_submit_button("Raise the action"):
                        run(headline_actions.raise_action, statement.id, description, owner, due_by)
        if editable:
            with column.popover("Add a statement", icon=":material/add:"), \
                    st.form(f"add-{theme.id}-{heading}", clear_on_submit=True, border=False):
                text = st.text_area(title, key=f"new-{theme.id}-{heading}",
                                    max_chars=record.MAX_STATEMENT_CHARACTERS,
                                    help="What the figures and the evidence say, and the “so what” for "
                                         "children and for each agency.")
                if st.form_submit_button("Add"):
                    run(lambda cursor, user, now, theme_id=theme.id, heading=heading, text=text:
                        record.add_statement(cursor, user, quarter, theme_id, heading, text, now))
    if not evidence.empty:
        with st.expander(f"Evidence for this theme ({len(evidence):,})"):
            st.dataframe(pd.DataFrame({
                "Heading": evidence["signs_of_safety"].map(SIGNS_OF_SAFETY_LABELS),
                "Evidence": evidence["title"],
                "Detail": [detail or "" for detail in evidence["detail"]],
                "Source": evidence["source"].map(EVIDENCE_SOURCE_LABELS),
                "Agency": [agency or "" for agency in evidence["agency"]],
                "From": evidence["origin"].map(EVIDENCE_ORIGIN_LABELS),
            }), hide_index=True, width="stretch")
