"""What every page shares: the one store of this process, the demo banner, and how our
errors are shown.

Streamlit caches are shared by every user of the server, so anything cached here must not
depend on who is looking; per-user data takes the role and agency as cache arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import closing
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from thinktank import browse, disclosure, first_start, scorecard
from thinktank.disclosure import Published
from thinktank.docs import markdown_text
from thinktank.downloads import CSV_MIME, XLSX_MIME
from thinktank.errors import ThinkTankError
from thinktank.formatting import (
    DIRECTION_LABELS,
    HELD_BACK_SENTENCE,
    RAG_LABELS,
    SIGNAL_LABELS,
    format_change,
    format_figure,
    position_label,
)
from thinktank.periods import Quarter, format_date
from thinktank.publication import Publication, publication_csv, publication_xlsx, publish
from thinktank.settings import Settings
from thinktank.sparklines import sparkline_image
from thinktank.store import Store, utc_now
from thinktank.store.audit import record_export
from thinktank.users import LOCAL_ANALYST, LOCAL_IDENTITIES, Role, User, sees_raw_figures


@st.cache_resource(show_spinner=False)
def _started() -> first_start.Started:
    """The store of this process, and whether this process created its database."""
    return first_start.open_store(Settings.from_environment())


def _opened() -> first_start.Started:
    """Opened once per process; a problem the user can fix stops the page with a hint."""
    try:
        return _started()
    except ThinkTankError as error:
        show_error(error)
        st.stop()


def store() -> Store:
    """The store, opened once per process."""
    return _opened().store


def prepare_page() -> None:
    """Before any page: show the first start's progress while it builds the demo, and say when
    the data is a demo."""
    started = _opened()
    if started.demo_due:
        bar = st.progress(0.0, text="First start: building the demo partnership...")
        built = first_start.build_demo_if_due(
            started, utc_now().date(),
            progress=lambda done, total, label: bar.progress(
                done / total, text=f"First start: building the demo partnership ({label})"
            ),
        )
        bar.empty()
        if built is not None:
            st.cache_data.clear()
    choose_identity()
    if first_start.is_demo(started.store):
        st.info(
            "**Demo data.** Every figure here belongs to a made-up partnership built from "
            "published County Durham levels; no real child or return is shown.",
            icon=":material/science:",
        )


IDENTITY_KEY = "acting_as"
ROLE_NAMES = {Role.ANALYST: "Think Tank analyst", Role.PLG_MEMBER: "PLG member", Role.ADMIN: "Admin"}


def choose_identity() -> None:
    """Who this session acts as. There is no sign-in yet, so a person on this machine picks:
    a Think Tank analyst, or a PLG member who reads the headlines without changing them."""
    by_id = {user.id: user for user in LOCAL_IDENTITIES}
    st.sidebar.selectbox(
        "Acting as", list(by_id), key=IDENTITY_KEY,
        format_func=lambda user_id: ROLE_NAMES[by_id[user_id].role],
        help="There is no sign-in on a local dashboard: choose whose view to see. A Think Tank analyst "
             "uploads, writes the headlines and signs them off; a PLG member reads the headlines and the "
             "board pack.",
    )


def acting_user() -> User:
    by_id = {user.id: user for user in LOCAL_IDENTITIES}
    return by_id.get(st.session_state.get(IDENTITY_KEY, LOCAL_ANALYST.id), LOCAL_ANALYST)


def show_error(error: ThinkTankError) -> None:
    st.error(error.title, icon=":material/error:")
    if error.hint:
        # Hints name files, ids and YAML keys: shown verbatim so underscores stay underscores.
        st.code(error.hint, language=None, wrap_lines=True)


CATALOGUE_TABLES = {
    "themes": browse.themes, "agencies": browse.agencies, "priorities": browse.priorities,
    "indicators": browse.indicators,
}


@st.cache_data(show_spinner=False)
def catalogue_table(kind: str, version: str) -> pd.DataFrame:
    """The catalogue's themes, agencies, priorities or indicators, read once per data version
    (which changes when the catalogue does) rather than on every rerun of a page."""
    return CATALOGUE_TABLES[kind](store().cursor())


@st.cache_data(show_spinner=False)
def _reported_quarters(version: str) -> list[str]:
    return [quarter.label for quarter in scorecard.reported_quarters(store().cursor())]


@st.cache_data(show_spinner="Building the scorecard...")
def scorecard_for(period_label: str, version: str) -> pd.DataFrame:
    """The whole scorecard for a quarter; ``version`` (the data's) keeps the cache current."""
    return scorecard.scorecard(store().cursor(), Quarter.parse(period_label))


@st.cache_data(show_spinner="Holding back small numbers...")
def published_figures(period_label: str, version: str) -> Published:
    """The quarter's scorecard and every group's series up to it, with the small-numbers rule
    applied once (`disclosure.published`): what every download holds, and what a person without
    access to the raw figures sees on screen."""
    return disclosure.published(store().cursor(), scorecard_for(period_label, version), Quarter.parse(period_label))


def figures_for(user: User, period_label: str, version: str) -> Published:
    """The figures ``user`` sees on screen: as stored for those who read raw figures (analysts,
    admins), else the published ones. Downloads are always the published ones."""
    if sees_raw_figures(user):
        return Published(scorecard_for(period_label, version), None)
    return published_figures(period_label, version)


def say_if_held_back(shown: Published, container: Any = st) -> None:
    """The sentence saying why figures are c, where the figures shown on screen hold any back."""
    if shown.series is not None and shown.held_back:
        container.caption(HELD_BACK_SENTENCE)


def data_version() -> str:
    return scorecard.data_version(store().cursor())


def choose_from_link(container: Any, label: str, names: dict[str, str], parameter: str) -> str:
    """A choice that follows the address (?parameter=) and goes back into it, so that links open
    on it and a copied link shows the same thing. Falls back to the first when the link names
    nothing known."""
    options = list(names)
    wanted = st.query_params.get(parameter)
    if wanted is not None and wanted not in names:
        # The link's words are whoever wrote the link's: text, never markdown (an image in it is fetched).
        st.warning(f"The link asks for {label.lower()} '{markdown_text(wanted)}', which is not here: showing "
                   f"{markdown_text(names[options[0]])} instead. Choose another from the list above.",
                   icon=":material/link_off:")
    chosen = container.selectbox(label, options, index=options.index(wanted) if wanted in names else 0,
                                 format_func=names.get)
    st.query_params[parameter] = chosen
    return chosen


def choose_quarter(container: Any = st) -> Quarter:
    """The quarter the page shows: from the link (?period=), else the latest with returns. The
    choice goes back into the address, so a link copied from the page shows the same quarter."""
    labels = list(reversed(_reported_quarters(data_version())))
    if not labels:
        st.info("No returns are stored yet, so there is nothing to show. Agencies send them from "
                "the Upload page; `python -m thinktank demo` builds a demo partnership.")
        st.stop()
    wanted = st.query_params.get("period")
    if wanted is not None and wanted not in labels:
        st.warning(f"The link asks for the quarter '{markdown_text(wanted)}', which has no returns: showing {labels[0]}, "
                   "the latest, instead.", icon=":material/link_off:")
    chosen = container.selectbox(
        "Quarter", labels, index=labels.index(wanted) if wanted in labels else 0,
        format_func=lambda label: f"{label} (to {format_date(Quarter.parse(label).end)})",
    )
    st.query_params["period"] = chosen
    return Quarter.parse(chosen)


def download_button(container: Any, label: str, data: Callable[[], bytes | str], file_name: str, mime: str,
                    *, period: Quarter | None = None, **options: Any) -> None:
    """A download whose file is made only when clicked, and which leaves the page as it is. A rerun
    on click would give the page's other download buttons new files while the browser still held
    the old ones, so a second download straight after the first fetched nothing. Making the file
    records an export in the audit log: who, from which page, the format, the quarter."""
    actor, page = acting_user(), _page_name()
    opened = store()

    def recorded() -> bytes | str:
        made = data()
        with closing(opened.cursor()) as cursor:
            record_export(cursor, actor, page=page, file_name=file_name, mime=mime,
                          period=period.label if period is not None else None, at=utc_now())
        return made

    container.download_button(label, recorded, file_name, mime, on_click="ignore", icon=":material/download:",
                              **options)


def _page_name() -> str:
    """The page's address in the app (``indicator``), read as the page is drawn: the file is
    made later, when the browser asks for it."""
    address = st.context.url
    return (urlsplit(address).path.strip("/").rsplit("/", 1)[-1] if address else "") or "balanced-scorecard"


def download_buttons(frame: pd.DataFrame, name: str, *, title: str, quarter: Quarter, sheet: str,
                     unit: str | None = None, agencies: Sequence[str] | None = None, container: Any = st) -> None:
    """CSV and Excel downloads of a table for people (`thinktank.publication`): ``title`` says what
    the table is, for the cover and the sheet; figures are in the frame's unit column, else ``unit``.
    The frame is the page's published figures (`published_figures`), never the raw ones; where
    any is held back, a sentence says so and why. The file is made when clicked."""
    opened = store()
    if "status" in frame.columns and (frame["status"] == disclosure.SUPPRESSED).any():
        container.caption(HELD_BACK_SENTENCE)

    def publication() -> Publication:
        with closing(opened.cursor()) as cursor:
            return publish(cursor, frame, title=title, quarter=quarter, sheet=sheet, made=utc_now(), unit=unit,
                           agencies=agencies)

    csv_column, xlsx_column, _ = container.columns([1, 1, 3])
    download_button(csv_column, "CSV", lambda: publication_csv(publication()), f"{name}.csv", CSV_MIME,
                    period=quarter, width="stretch", key=f"{name}-csv")
    download_button(xlsx_column, "Excel", lambda: publication_xlsx(publication()), f"{name}.xlsx", XLSX_MIME,
                    period=quarter, width="stretch", key=f"{name}-xlsx")


def scorecard_table(card: pd.DataFrame) -> pd.DataFrame:
    """The scorecard as people read it: figures with units, statuses in words, never a zero
    for a suppressed figure, and each series' last eight quarters drawn with its gaps. The
    group column appears only when there are groups."""
    table = pd.DataFrame({
        "ID": card["indicator_id"],
        "Indicator": card["name"],
        "Group": [value if breakdown == "All" else f"{breakdown}: {value}"
                  for breakdown, value in zip(card["breakdown"], card["breakdown_value"], strict=True)],
        "Latest": [format_figure(value, unit, status)
                   for value, unit, status in zip(card["value"], card["unit"], card["status"], strict=True)],
        "Last quarter": [format_figure(value, unit, status) for value, unit, status
                         in zip(card["previous_value"], card["unit"], card["previous_status"], strict=True)],
        "Change": [format_change(change, unit) for change, unit in zip(card["change"], card["unit"], strict=True)],
        "Direction": card["direction"].map(DIRECTION_LABELS),
        "RAG": card["rag"].map(RAG_LABELS),
        "England": card["england_position"].map(position_label),
        "SPC": card["spc_signal"].map(SIGNAL_LABELS),
        "Last 8 quarters": card["recent_values"].map(sparkline_image),
    }, index=card.index)
    return table if (card["breakdown"] != "All").any() else table.drop(columns="Group")


def show_scorecard_table(table: pd.DataFrame, container: Any = st) -> None:
    """A table from `scorecard_table`, each column sized to be read at 1,440 px."""
    # A trend with no figure to draw is an empty cell: Streamlit's own placeholder reads "None".
    container.dataframe(table, hide_index=True, width="stretch", column_config=SCORECARD_COLUMNS,
                        row_height=SCORECARD_ROW_HEIGHT, placeholder="")


# Rows tall enough for Streamlit to wrap text (it does above 4rem, 64 px), so that a long
# indicator name or status takes two or three lines instead of being cut off at 1,440 px.
SCORECARD_ROW_HEIGHT = 66
# Widths that fit the Scorecard's ten columns in the 980 px a 1,440 px window leaves beside the
# navigation; a breakdown table's Group column scrolls sideways with the figures. No column is
# pinned: Streamlit greys a pinned column's text.
SCORECARD_COLUMNS = {
    "ID": st.column_config.TextColumn(width=64),
    "Indicator": st.column_config.TextColumn(width=172),
    "Group": st.column_config.TextColumn(width=120),
    "Latest": st.column_config.TextColumn(width=100),
    "Last quarter": st.column_config.TextColumn(width=100),
    "Change": st.column_config.TextColumn(width=96),
    "Direction": st.column_config.TextColumn(
        width=100, help="Against last quarter, read through the indicator's polarity",
    ),
    "RAG": st.column_config.TextColumn(width=64, help="Against the target: red, amber or green"),
    "England": st.column_config.TextColumn(
        width=80, help="Against the latest England figure, read through the polarity",
    ),
    "SPC": st.column_config.TextColumn(width=104, help="Making Data Count signal for the latest point"),
    "Last 8 quarters": st.column_config.ImageColumn(
        "Trend", width=92, help="The last 8 quarters, oldest on the left; a gap is a quarter with no figure",
    ),
}
