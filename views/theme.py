"""A theme for a quarter: every indicator with its latest figure and trend, and the evidence
and the Think Tank's headlines beside them under the Signs of Safety headings."""

from __future__ import annotations

import streamlit as st

from thinktank import narrative, scorecard
from thinktank.docs import markdown_text
from thinktank.formatting import EVIDENCE_SOURCE_LABELS, SIGNS_OF_SAFETY_LABELS
from thinktank.headlines import record as headline_record
from views.common import (
    acting_user,
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

themes = catalogue_table("themes", data_version())
theme_names = dict(zip(themes["id"], themes["name"], strict=True))
theme_column, quarter_column = st.columns([2, 1])
theme = choose_from_link(theme_column, "Theme", theme_names, "theme")
quarter = choose_quarter(quarter_column)
details = themes.set_index("id").loc[theme]
st.title(f"{details['number']}. {details['name']}")
st.caption(details["description"])

card = scorecard_for(quarter.label, data_version())
card = card[card["theme"] == theme]
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
download_buttons(card, f"thinktank-{theme}-{quarter.label.replace(' ', '-')}", sheet="Theme", quarter=quarter,
                 title=f"Theme {details['number']}: {details['name']}")

st.header("Evidence and headlines", divider="gray")
st.caption("Audits, surveys and the voice of children, families and practitioners sent with the "
           "returns, and the Think Tank's headlines, for this theme and quarter.")
evidence = narrative.theme_evidence(store().cursor(), theme, quarter)
written = headline_record.statements(store().cursor(), acting_user(), quarter)
written = written[written["theme_id"] == theme]
for heading, title in SIGNS_OF_SAFETY_LABELS.items():
    st.subheader(title)
    items = evidence[evidence["signs_of_safety"] == heading]
    notes = written[written["signs_of_safety"] == heading]
    if items.empty and notes.empty:
        st.caption("Nothing yet for this quarter.")
    for item in items.itertuples():
        source = EVIDENCE_SOURCE_LABELS.get(item.source, item.source)
        st.markdown(f"**{markdown_text(item.title)}** ({source}, {item.agency})"
                    + (f"  \n{markdown_text(item.detail)}" if item.detail else ""))
    for note in notes.itertuples():
        st.markdown(markdown_text(note.body) + "  \n*The Think Tank's headline*")
st.page_link("views/headlines.py", label="Write and sign off this quarter's headlines",
             icon=":material/edit_note:", query_params={"period": quarter.label})
