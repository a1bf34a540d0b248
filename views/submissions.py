"""Submissions: who sent what and when, every version, and which returns are missing or late."""

from __future__ import annotations

from functools import partial

import streamlit as st

from thinktank.downloads import CSV_MIME, csv_bytes
from thinktank.periods import format_date, latest_complete_quarter, quarters_between
from thinktank.settings import RETURN_DUE_DAYS
from thinktank.store import utc_now
from thinktank.store.returns import COMPLETENESS_LABELS, completeness, submission_history
from views.common import download_button, store

QUARTERS_SHOWN = 8
SYMBOLS = {"on_time": "✓ On time", "late": "◷ Late", "refused": "✗ Refused", "missing": "○ Missing",
           "not_due": "Not yet due"}

st.title("Submissions")
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
matrix = completeness(store().cursor(), store().catalogue, quarters, RETURN_DUE_DAYS, today)
table = matrix.pivot(index="agency", columns="period", values="state")[[q.label for q in quarters]]
table.index.name = "Agency"
st.dataframe(table.map(lambda state: SYMBOLS.get(state, "")), width="stretch")
counts = matrix["state"].value_counts()
st.markdown(" · ".join(f"**{counts.get(state, 0):,}** {label.lower()}" for state, label in COMPLETENESS_LABELS.items()))
download_button(st, "Completeness (csv)", partial(csv_bytes, matrix.assign(due=matrix["due"].map(format_date))),
                "completeness.csv", CSV_MIME)

st.subheader("Every version received")
history = submission_history(store().cursor())
if history.empty:
    st.info("No returns have been stored yet. Agencies send them from the Upload page.")
else:
    shown = history[["period", "agency", "version", "in_force", "file_name", "figures",
                     "evidence_items", "submitted_by", "submitted_at"]]
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_config={
            "period": "Quarter", "agency": "Agency", "version": "Version", "file_name": "File",
            "figures": "Figures", "evidence_items": "Evidence", "submitted_by": "Sent by",
            "in_force": st.column_config.CheckboxColumn("In force", help="The latest version is the one reported"),
            "submitted_at": st.column_config.DatetimeColumn("Sent (UTC)", format="D MMMM YYYY, HH:mm"),
        },
    )
    download_button(st, "Versions (csv)", partial(csv_bytes, history), "submissions.csv", CSV_MIME)
