"""A theme for a quarter: every indicator with its latest figure and trend, and the evidence
and the Think Tank's headlines beside them under the Signs of Safety headings."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from thinktank import narrative, scorecard
from thinktank.docs import markdown_text
from thinktank.errors import ThinkTankError
from thinktank.formatting import (
    EVIDENCE_ORIGIN_LABELS,
    EVIDENCE_SOURCE_LABELS,
    SIGNS_OF_SAFETY_LABELS,
    agency_names,
)
from thinktank.headlines import record as headline_record
from thinktank.store import utc_now
from thinktank.users import THINK_TANK_READERS, THINK_TANK_WRITERS, person_name
from views.common import (
    acting_user,
    catalogue_table,
    choose_from_link,
    choose_quarter,
    data_version,
    download_buttons,
    figures_for,
    page_link,
    published_figures,
    scorecard_table,
    show_error,
    show_scorecard_table,
    store,
)

themes = catalogue_table("themes", data_version())
theme_names = dict(zip(themes["id"], themes["name"], strict=True))
theme_column, quarter_column = st.columns([2, 1])
theme = choose_from_link(theme_column, "Theme", theme_names, "theme")
quarter = choose_quarter(quarter_column)
details = themes.set_index("id").loc[theme]
st.title(f"{details['number']}. {details['name']}")
st.caption(details["description"])

actor = acting_user()
shown = figures_for(actor, quarter.label, data_version())
card = shown.card[shown.card["theme"] == theme]
whole = scorecard.whole_area(card)
summary = scorecard.theme_summary(store().cursor(), card).set_index("theme").loc[theme]
counts = st.columns(5)
counts[0].metric("Indicators with a figure", f"{summary['with_data']} of {summary['indicators']}")
counts[1].metric("Red against target", f"{summary['red']:,}")
counts[2].metric("Declining", f"{summary['declining']:,}")
counts[3].metric("SPC concerns", f"{summary['concerns']:,}")
counts[4].metric("SPC improvements", f"{summary['improvements']:,}")

st.header("Indicators", divider="gray")
show_scorecard_table(scorecard_table(whole))
st.markdown("**Open an indicator** for its SPC chart, breakdowns and definition:")
link_columns = st.columns(3)
for position, row in enumerate(whole.itertuples()):
    link_columns[position % 3].page_link(
        "views/indicator.py", label=f"{row.indicator_id} {row.name}", icon=":material/query_stats:",
        query_params={"indicator": row.indicator_id, "period": quarter.label},
    )
groups = card[card["breakdown"] != "All"]
if not groups.empty:
    with st.expander(f"Breakdown groups ({len(groups):,})"):
        show_scorecard_table(scorecard_table(groups))
published = published_figures(quarter.label, data_version()).card
# The files always hold the published figures, whoever downloads them.
download_buttons(published[published["theme"] == theme], f"thinktank-{theme}-{quarter.label.replace(' ', '-')}", sheet="Theme", quarter=quarter,
                 title=f"Theme {details['number']}: {details['name']}")

st.header("Evidence and headlines", divider="gray")
st.caption("Audits, surveys, reviews, inspections and the voice of children, families and practitioners, "
           "sent with the returns or entered here by the Think Tank, and the Think Tank's headlines, for this "
           "theme and quarter.")
may_enter = actor.role in THINK_TANK_WRITERS
agency_table = catalogue_table("agencies", data_version())
agency_short_names = agency_names(agency_table.itertuples())
evidence = narrative.theme_evidence(store().cursor(), actor, theme, quarter)
problem = st.session_state.pop("evidence_problem", None)
if problem is not None:
    show_error(problem)


def change_evidence(change, *args) -> None:
    """Make a change to the evidence as the acting user; one the rules refuse is shown with its hint."""
    try:
        change(store().cursor(), actor, *args, utc_now())
    except ThinkTankError as error:
        st.session_state["evidence_problem"] = error
    st.rerun()


def evidence_about(item) -> str:
    """Where a piece of evidence is from and what it is about: words from the vocabulary and the
    catalogue, and for entered evidence who entered it."""
    about = [EVIDENCE_SOURCE_LABELS[item.source]] + ([item.agency] if item.agency else [])
    origin = EVIDENCE_ORIGIN_LABELS[item.origin]
    if item.origin == narrative.ENTERED:
        origin += f" by {person_name(item.entered_by, agency_short_names)}"
    return " · ".join([*about, origin])


# The Think Tank's headlines are for the Think Tank and the PLG; an agency's uploader sees its own
# agency's evidence (the core gives it no other).
reads_headlines = actor.role in THINK_TANK_READERS
if reads_headlines:
    written = headline_record.statements(store().cursor(), actor, quarter)
    written = written[written["theme_id"] == theme]
else:
    st.caption("You see the evidence your own agency sent with its returns; the Think Tank and the PLG also see "
               "every other agency's, the Think Tank's own and its headlines.")
    written = pd.DataFrame(columns=["signs_of_safety", "body"])
for heading, title in SIGNS_OF_SAFETY_LABELS.items():
    st.subheader(title)
    items = evidence[evidence["signs_of_safety"] == heading]
    notes = written[written["signs_of_safety"] == heading]
    if items.empty and notes.empty:
        st.caption("Nothing yet for this quarter.")
    for item in items.itertuples():
        with st.container(border=True):
            # Evidence is people's own words: shown as text, so that no link or image in it renders.
            st.text(item.title)
            if item.detail:
                st.text(item.detail)
            about, removing = st.columns([5, 1], vertical_alignment="center")
            about.caption(markdown_text(evidence_about(item)))
            if may_enter and item.origin == narrative.ENTERED and removing.button(
                    "Delete", key=f"delete-{item.evidence_key}", icon=":material/delete:",
                    help="Take it off the theme; it is kept, with who deleted it"):
                change_evidence(narrative.delete_evidence, item.evidence_key)
    for note in notes.itertuples():
        st.markdown(markdown_text(note.body) + "  \n*The Think Tank's headline*")

if may_enter:
    with st.expander("Add evidence", icon=":material/add:"), st.form("add-evidence", clear_on_submit=True):
        st.caption(f"For {details['name']} in {quarter.label}: an audit, a survey, the voice of a child, "
                   "feedback from families or practitioners, a review or an inspection.")
        heading_column, source_column, agency_column = st.columns(3)
        heading = heading_column.selectbox("Signs of Safety heading", list(SIGNS_OF_SAFETY_LABELS),
                                           format_func=SIGNS_OF_SAFETY_LABELS.get)
        source = source_column.selectbox("Source", list(EVIDENCE_SOURCE_LABELS), format_func=EVIDENCE_SOURCE_LABELS.get)
        agency = agency_column.selectbox(
            "About an agency", [None, *sorted(agency_short_names, key=agency_short_names.get)],
            format_func=lambda agency_id: "Not about one agency" if agency_id is None else agency_short_names[agency_id])
        title = st.text_input("Title", max_chars=narrative.MAX_TITLE_CHARACTERS,
                              placeholder="For example: Audit of 20 child protection plans")
        detail = st.text_area("What it found", max_chars=narrative.MAX_DETAIL_CHARACTERS,
                              help="The findings that matter for children, and where the full report is kept.")
        if st.form_submit_button("Add the evidence", icon=":material/save:"):
            change_evidence(lambda cursor, user, now: narrative.add_evidence(
                cursor, user, theme, quarter, source, heading, title, detail, agency, now))
deleted = narrative.deleted_evidence(store().cursor(), actor, theme, quarter) if reads_headlines else pd.DataFrame()
if not deleted.empty:
    with st.expander(f"Evidence deleted from this theme and quarter ({len(deleted):,})"):
        st.dataframe(pd.DataFrame({
            "Heading": deleted["signs_of_safety"].map(SIGNS_OF_SAFETY_LABELS),
            "Title": deleted["title"],
            "What it found": [detail or "" for detail in deleted["detail"]],
            "Source": deleted["source"].map(EVIDENCE_SOURCE_LABELS),
            "Entered by": [person_name(user, agency_short_names) for user in deleted["entered_by"]],
            "Deleted by": [person_name(user, agency_short_names) for user in deleted["deleted_by"]],
            "Deleted on": [moment.strftime("%-d %B %Y %H:%M") for moment in deleted["deleted_at"]],
        }), hide_index=True, width="stretch")
if reads_headlines:
    page_link(st, "views/headlines.py", label="Write and sign off this quarter's headlines" if may_enter
                 else "Read this quarter's headlines", icon=":material/edit_note:", query_params={"period": quarter.label})
