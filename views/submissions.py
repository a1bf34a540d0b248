"""Submissions: who sent what and when, every version, and which returns are missing or late."""

from __future__ import annotations

from functools import partial

import streamlit as st

from thinktank.downloads import CSV_MIME, csv_bytes
from thinktank.formatting import RETURN_STATE_LABELS, agency_names
from thinktank.periods import format_date, latest_complete_quarter, quarters_between
from thinktank.settings import RETURN_DUE_DAYS
from thinktank.store import utc_now
from thinktank.store.returns import completeness, submission_history
from thinktank.text import without_direction_controls
from thinktank.users import may_read_returns, only_agency, person_name
from views.common import SCORECARD_ROW_HEIGHT, acting_user, download_button, store

QUARTERS_SHOWN = 8

actor = acting_user()
own_agency = only_agency(actor, None)  # an uploader's own agency; None for every agency
names = agency_names(store().catalogue.agencies)
st.title("Submissions" if own_agency is None else f"Submissions: {names[own_agency]}")
if own_agency is not None:
    st.caption("You see your own agency's returns. The Think Tank's analysts see every agency's.")
today = utc_now().date()
latest = latest_complete_quarter(today)
first = latest
for _ in range(QUARTERS_SHOWN - 1):
    first = first.previous()
quarters = quarters_between(first, latest)

st.subheader("Completeness")
st.caption(
    f"A return is due {RETURN_DUE_DAYS} days after its quarter ends. Late means its first "
    "accepted version arrived after that; refused means every attempt had errors."
)
matrix = completeness(store().cursor(), actor, store().catalogue, quarters, RETURN_DUE_DAYS, today)
table = matrix.pivot(index="agency", columns="period", values="state")[[q.label for q in quarters]]
# The agency as a column, not the index: Streamlit greys an index's text.
table = table.map(lambda state: RETURN_STATE_LABELS.get(state, "")).rename_axis(index="Agency").reset_index()
st.dataframe(table, hide_index=True, width="stretch",
             column_config={"Agency": st.column_config.TextColumn(width=190)})
counts = matrix["state"].value_counts()
st.markdown(" · ".join(f"**{counts.get(state, 0):,}** {label}" for state, label in RETURN_STATE_LABELS.items()))
download_button(st, "Completeness (csv)", partial(csv_bytes, matrix.assign(due=matrix["due"].map(format_date))),
                "completeness.csv", CSV_MIME)

st.subheader("Every version received")
if not may_read_returns(actor, own_agency):
    st.caption("Each agency sees the versions it sent, with their files and who sent them; the Think Tank's "
               "analysts see every agency's.")
    st.stop()
history = submission_history(store().cursor(), actor)
if history.empty:
    st.info("No returns have been stored yet. Agencies send them from the Upload page.")
else:
    shown = history[["period", "agency", "version", "in_force", "file_name", "figures",
                     "evidence_items", "submitted_at"]].assign(
        submitted_by=history["submitted_by"].map(lambda user_id: person_name(user_id, names)),
        # A file's name as the sender typed it, with nothing in it to reorder what is shown.
        file_name=history["file_name"].map(lambda name: without_direction_controls(name) if isinstance(name, str)
                                           else name))
    st.dataframe(
        shown, hide_index=True, width="stretch", row_height=SCORECARD_ROW_HEIGHT,
        column_order=["period", "agency", "version", "in_force", "file_name", "figures", "evidence_items",
                      "submitted_by", "submitted_at"],
        # Sized to fit beside the navigation at 1,440 px, long names and dates wrapping in their rows.
        column_config={
            "period": st.column_config.TextColumn("Quarter", width=84),
            "agency": st.column_config.TextColumn("Agency", width=124),
            "version": st.column_config.NumberColumn("Version", width=66),
            "in_force": st.column_config.CheckboxColumn("In force", width=66,
                                                        help="The latest version is the one reported"),
            "file_name": st.column_config.TextColumn("File", width=160),
            "figures": st.column_config.NumberColumn("Figures", width=66),
            "evidence_items": st.column_config.NumberColumn("Evidence", width=74),
            "submitted_by": st.column_config.TextColumn("Sent by", width=144),
            "submitted_at": st.column_config.DatetimeColumn("Sent (UTC)", format="D MMMM YYYY, HH:mm", width=172),
        },
    )
    download_button(st, "Versions (csv)", partial(csv_bytes, history), "submissions.csv", CSV_MIME)
