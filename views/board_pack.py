"""The board pack for the Performance and Learning Group: the quarter's headlines as a report to
print (PDF or HTML) and a workbook of every figure behind it, previewed here. Small numbers are
suppressed in all three; a pack that is not agreed says DRAFT on every page."""

from __future__ import annotations

from contextlib import closing

import streamlit as st
import streamlit.components.v1 as components

from thinktank.boardpack import build_pack, headlines_version, pack_html, pack_pdf, pack_xlsx
from thinktank.downloads import HTML_MIME, PDF_MIME, XLSX_MIME
from thinktank.errors import ThinkTankError
from thinktank.formatting import SIGN_OFF_LABELS, SIGN_OFF_MEANINGS
from thinktank.headlines import record
from thinktank.periods import Quarter, format_date
from thinktank.store import utc_now
from thinktank.users import LOCAL_IDENTITIES
from views.common import (
    acting_user,
    choose_quarter,
    data_version,
    download_button,
    show_error,
    store,
)

PREVIEW_HEIGHT = 900


@st.cache_data(show_spinner=False, max_entries=8)
def pack_files(period_label: str, actor_id: str, data: str, headlines: str) -> dict[str, bytes]:
    """The pack's three files, made once per quarter, reader and version of the data and the
    headlines (a PDF takes seconds to typeset)."""
    actor = {user.id: user for user in LOCAL_IDENTITIES}[actor_id]
    with closing(store().cursor()) as cursor:
        pack = build_pack(cursor, actor, Quarter.parse(period_label), utc_now())
    return {"html": pack_html(pack).encode("utf-8"), "pdf": pack_pdf(pack), "xlsx": pack_xlsx(pack)}


quarter_column, state_column = st.columns([1, 2])
quarter = choose_quarter(quarter_column)
actor = acting_user()
cursor = store().cursor()
state = record.sign_off(cursor, quarter)

st.title(f"Board pack: {quarter.label}")
st.caption(f"The quarter to {format_date(quarter.end)}: the Think Tank's headlines for the PLG as a report to "
           "print and a workbook of every figure behind it. Counts of 1 to 4 children are shown as c in both.")
with state_column:
    st.markdown(f"**{SIGN_OFF_LABELS[state.state]}**, version {state.version}")
    st.caption(SIGN_OFF_MEANINGS[state.state]
               + ("" if state.state == record.AGREED else " Until the PLG agrees it, every page says DRAFT."))

try:
    with st.spinner("Building the board pack (a few seconds)..."):
        files = pack_files(quarter.label, actor.id, data_version(), headlines_version(cursor))
except ThinkTankError as error:
    show_error(error)
    st.stop()

name = f"board-pack-{quarter.label.replace(' ', '-')}"
pdf_column, html_column, xlsx_column, _ = st.columns([1, 1, 1, 2])
download_button(pdf_column, "PDF", lambda: files["pdf"], f"{name}.pdf", PDF_MIME, width="stretch", key="pack-pdf",
                help="The report to print or send: A4 landscape, a page per theme.")
download_button(html_column, "HTML", lambda: files["html"], f"{name}.html", HTML_MIME, width="stretch", key="pack-html",
                help="The same report as a web page, which prints from a browser as the PDF does.")
download_button(xlsx_column, "Excel", lambda: files["xlsx"], f"{name}.xlsx", XLSX_MIME, width="stretch", key="pack-xlsx",
                help="Every figure behind the pack: the scorecard, the series, the scaling, the statements and "
                     "the actions, one table a sheet, with a Cover, Contents and Notes.")

st.subheader("Preview")
st.caption("The report as it prints; scroll within it. The PDF has the same pages, numbered.")
components.html(files["html"].decode("utf-8"), height=PREVIEW_HEIGHT, scrolling=True)
