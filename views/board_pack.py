"""The board pack for the Performance and Learning Group: the quarter's headlines as a report to
print (PDF or HTML) and a workbook of every figure behind it, previewed here. Small numbers are
suppressed in all three; a pack that is not agreed says DRAFT on every page."""

from __future__ import annotations

from contextlib import closing

import streamlit as st

from thinktank.boardpack import (
    BoardPack,
    build_pack,
    headlines_version,
    pack_html,
    pack_pdf,
    pack_xlsx,
)
from thinktank.downloads import HTML_MIME, PDF_MIME, XLSX_MIME
from thinktank.errors import ThinkTankError
from thinktank.formatting import SIGN_OFF_LABELS, SIGN_OFF_MEANINGS
from thinktank.headlines import record
from thinktank.periods import Quarter, format_date
from thinktank.store import utc_now
from thinktank.users import User
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
def pack_for(period_label: str, actor: User, data: str, headlines: str) -> BoardPack:
    """The pack's content, gathered once per quarter, reader and version of the data and the
    headlines."""
    with closing(store().cursor()) as cursor:
        return build_pack(cursor, actor, Quarter.parse(period_label), utc_now())


@st.cache_data(show_spinner=False, max_entries=8)
def pack_file(kind: str, period_label: str, actor: User, data: str, headlines: str) -> bytes:
    """One of the pack's files, made when it is first asked for: the HTML for the preview at
    once, the PDF (seconds to typeset) and the workbook only when downloaded."""
    pack = pack_for(period_label, actor, data, headlines)
    return {"html": lambda: pack_html(pack).encode("utf-8"), "pdf": lambda: pack_pdf(pack),
            "xlsx": lambda: pack_xlsx(pack)}[kind]()


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

versions = (quarter.label, actor, data_version(), headlines_version(cursor))
try:
    with st.spinner("Gathering the board pack..."):
        preview = pack_file("html", *versions)
except ThinkTankError as error:
    show_error(error)
    st.stop()

name = f"board-pack-{quarter.label.replace(' ', '-')}"
pdf_column, html_column, xlsx_column, _ = st.columns([1, 1, 1, 2])
download_button(pdf_column, "PDF", lambda: pack_file("pdf", *versions), f"{name}.pdf", PDF_MIME, period=quarter,
                width="stretch", key="pack-pdf",
                help="The report to print or send: A4 landscape, a page per theme.")
download_button(html_column, "HTML", lambda: preview, f"{name}.html", HTML_MIME, period=quarter,
                width="stretch", key="pack-html",
                help="The same report as a web page, which prints from a browser as the PDF does.")
download_button(xlsx_column, "Excel", lambda: pack_file("xlsx", *versions), f"{name}.xlsx", XLSX_MIME, period=quarter,
                width="stretch", key="pack-xlsx",
                help="Every figure behind the pack: the scorecard, the series, the scaling, the statements and "
                     "the actions, one table a sheet, with a Cover, Contents and Notes.")

st.subheader("Preview")
st.caption("The report as it prints; scroll within it. The PDF has the same pages, numbered.")
# The pack's own HTML: made here from the Jinja2 template, which escapes every word a person wrote.
st.iframe(preview.decode("utf-8"), height=PREVIEW_HEIGHT)
