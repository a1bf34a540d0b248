"""What every page shares: the one store of this process, who is acting (signed in, or in local
mode chosen), the demo and local mode banners, and how our errors are shown.

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

from thinktank import accounts, browse, disclosure, first_start, scorecard
from thinktank.disclosure import Published
from thinktank.docs import markdown_text
from thinktank.downloads import CSV_MIME, XLSX_MIME, csv_bytes, xlsx_bytes
from thinktank.errors import AccessDeniedError, ThinkTankError
from thinktank.formatting import (
    DIRECTION_LABELS,
    HELD_BACK_SENTENCE,
    RAG_LABELS,
    ROLE_LABELS,
    SIGNAL_LABELS,
    agency_names,
    format_change,
    format_figure,
    position_label,
)
from thinktank.periods import Quarter, format_date
from thinktank.publication import Publication, publication_csv, publication_xlsx, publish
from thinktank.settings import DEPLOYED_ENV, Settings, deployed
from thinktank.sparklines import sparkline_image
from thinktank.store import Store, utc_now
from thinktank.store.audit import record_export
from thinktank.users import (
    CATALOGUE_EDITORS,
    LOCAL_ANALYST,
    LOCAL_IDENTITIES,
    THINK_TANK_READERS,
    Role,
    User,
    demo_agency_user,
    sees_raw_figures,
)


@st.cache_resource(show_spinner=False)
def _started() -> first_start.Started:
    """The store of this process, and whether this process created its database."""
    return first_start.open_store(Settings.from_environment(), serve_control=True)


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


def warm_for_first_visitor() -> None:
    """Before the server takes its first visitor (`make run`, scripts/serve.py): open the store
    and fill the caches the Scorecard page, the first page, reads (the quarters, the priorities,
    the latest quarter's scorecard and its published figures), so that the first visitor's page
    runs as every later one does. Streamlit's caches belong to the process, not to a session, so
    what is cached here before the server starts is what the pages find. A problem raises as it
    is: the page shows it, with its hint, when it opens the store."""
    _started()  # outside a session a problem cannot be shown and stopped at, as `store` does
    version = data_version()
    catalogue_table("priorities", version)
    quarters = _reported_quarters(version)
    if quarters:
        published_figures(quarters[-1], version)


def prepare_page() -> User:
    """Before any page: who is acting (the signed-in user, or in local mode the identity chosen),
    the first start's progress while it builds the demo, and whether the data is a demo. Someone
    who may not see the dashboard (local mode on a server, not signed in, not a user) sees why
    and nothing else: the page stops here."""
    signing_in = sign_in_configured()
    if not signing_in and deployed():
        show_error(ThinkTankError(
            "Sign-in is not configured, so this Think Tank does not open",
            f"It is set up as a server that others reach ({DEPLOYED_ENV}=1), where everyone must sign in. "
            "Whoever runs it: add the [auth] section to .streamlit/secrets.toml as docs/sign-in.md says, then "
            "restart Think Tank.",
        ))
        st.stop()
    started = _opened()
    if signing_in:
        user = _signed_in_user(started.store)
    else:
        choose_identity()
        _show_local_mode()
        user = acting_user()
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
    if started.store.read_only:
        st.warning(
            "**Read-only: nothing can be stored.** The database file or its folder cannot be written to, so "
            "Think Tank opened it for reading only: every figure reads as stored, and uploads and changes are "
            "refused. Ask whoever runs Think Tank to make both writable, then restart it.",
            icon=":material/lock:",
        )
    if not started.audit.intact and sees_raw_figures(user):
        st.error(f"{started.audit.summary} Run python -m thinktank audit verify for every broken link.",
                 icon=":material/gpp_bad:")
    if first_start.is_demo(started.store):
        st.info(
            "**Demo data.** Every figure here belongs to a made-up partnership built from "
            "published County Durham levels; no real child or return is shown.",
            icon=":material/science:",
        )
    return user


def sign_in_configured() -> bool:
    """Whether Streamlit's sign-in (OpenID Connect) is configured: an [auth] section in
    .streamlit/secrets.toml. Without one the dashboard runs in local mode."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


IDENTITY_KEY = "acting_as"
# The signed-in user, looked up afresh on every run (so that a deactivation takes effect at once),
# and the sign-in this session has audited (address and whether it was let in), so that a sign-in
# is recorded once per session rather than on every rerun.
_SIGNED_IN_KEY = "signed_in_user"
_SIGN_IN_AUDITED_KEY = "sign_in_audited"
# Claims with which a provider says an address is not verified: OpenID Connect's email_verified,
# and Microsoft Entra ID's xms_edov (whether the address's domain is verified as the tenant's).
_VERIFICATION_CLAIMS = ("email_verified", "xms_edov")


def _signed_in_user(opened: Store) -> User:
    """The user the identity provider signed in; anyone else sees the sign-in, the request access
    or the unverified address page, and the page stops."""
    st.session_state.pop(_SIGNED_IN_KEY, None)
    if not st.user.is_logged_in:
        _show_sign_in()
        st.stop()
    email = str(st.user.get("email") or "")
    verified = bool(email) and not any(str(st.user.get(claim, True)).lower() in {"false", "0"}
                                       for claim in _VERIFICATION_CLAIMS)
    with closing(opened.cursor()) as cursor:
        user = accounts.user_for_email(cursor, email) if verified else None
        audited = (email, user is not None)
        if st.session_state.get(_SIGN_IN_AUDITED_KEY) != audited:
            accounts.record_sign_in(cursor, email, verified, user, utc_now())
            st.session_state[_SIGN_IN_AUDITED_KEY] = audited
    if user is None:
        if verified:
            _show_request_access(opened, email)
        else:
            _show_unverified(email)
        st.stop()
    st.session_state[_SIGNED_IN_KEY] = user
    with st.sidebar:
        st.caption("Signed in as")
        st.text(user.name)
        st.caption(identity_label(user, agency_names(opened.catalogue.agencies)))
        st.button("Sign out", on_click=st.logout, icon=":material/logout:")
    return user


def _show_sign_in() -> None:
    st.title("Think Tank")
    st.write("The performance dashboard of the safeguarding children partnership. Sign in with your "
             "organisation's account to see it.")
    st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")


def _show_unverified(email: str) -> None:
    st.title("Think Tank cannot tell who you are")
    if email:
        st.text(f"Your organisation's sign-in did not confirm that {email} is your address.")
    else:
        st.text("Your organisation's sign-in did not give Think Tank an email address.")
    st.write("Think Tank knows its users by their verified email address. Ask your IT team to send a verified "
             "address with the sign-in, or sign in with another account.")
    st.button("Sign out", on_click=st.logout, icon=":material/logout:")


def _show_request_access(opened: Store, email: str) -> None:
    st.title("Request access to Think Tank")
    st.text(f"You are signed in as {email}, which is not a Think Tank user yet.")
    st.write("Tell the Think Tank's admins who you are and what you need: they add you with the role that fits "
             "(an agency's uploader, a Think Tank analyst or a PLG member) and you can then sign in.")
    names = dict(sorted(agency_names(opened.catalogue.agencies).items(), key=lambda item: item[1]))
    with st.form("request-access"):
        name = st.text_input("Your name", value=str(st.user.get("name") or ""), max_chars=accounts.MAX_NAME_CHARACTERS)
        agency = st.selectbox("The agency you send returns for", [None, *names],
                              format_func=lambda agency_id: NO_AGENCY if agency_id is None else names[agency_id])
        reason = st.text_area("Why you need access", max_chars=accounts.MAX_REASON_CHARACTERS,
                              placeholder="For example: I send the police's quarterly return.")
        asked = st.form_submit_button("Request access", type="primary")
    if asked:
        try:
            with closing(opened.cursor()) as cursor:
                accounts.request_access(cursor, email, name, agency, reason, utc_now())
        except ThinkTankError as error:
            show_error(error)
        else:
            st.success("Your request is with the admins. Sign in again once they tell you it is done.",
                       icon=":material/check_circle:")
    st.button("Sign out", on_click=st.logout, icon=":material/logout:")


NO_AGENCY = "None: I am in the Think Tank or on the PLG"


def _show_local_mode() -> None:
    """Local mode's banner, in the sidebar under the Acting as choice it explains, on every page: the
    choice first, so that it shows without scrolling on a laptop's screen."""
    address, port = st.get_option("server.address"), st.get_option("server.port")
    if address in {"127.0.0.1", "localhost", "::1"}:
        reach = f"Only this computer opens it ({address}:{port})."
    else:
        reach = f"Any computer reaching port {port} opens it."
    st.sidebar.warning(
        f"**Local mode: there is no sign-in.** You act as whoever you choose above, recorded as them. {reach} "
        "For others, set up sign-in (docs/sign-in.md).",
        icon=":material/lock_open:",
    )


def local_identities() -> dict[str, User]:
    """Whom a person may act as in local mode: the local analyst, PLG member and admin, then an
    uploader for each agency in the catalogue, by the agency's name."""
    names = agency_names(store().catalogue.agencies)
    uploaders = sorted((demo_agency_user(agency_id) for agency_id in names), key=lambda user: names[user.agency_id])
    return {user.id: user for user in (*LOCAL_IDENTITIES, *uploaders)}


def identity_label(user: User, names: dict[str, str]) -> str:
    """A user's role as a person reads it: ``Think Tank analyst``, ``Uploader for Police``."""
    if user.role == Role.AGENCY_UPLOADER and user.agency_id in names:
        return f"Uploader for {names[user.agency_id]}"
    return ROLE_LABELS[user.role]


def choose_identity() -> None:
    """Who this session acts as in local mode, where there is no sign-in: a person on this
    machine picks a role, or an agency whose uploader they act as."""
    identities = local_identities()
    if st.session_state.get(IDENTITY_KEY, LOCAL_ANALYST.id) not in identities:
        st.session_state[IDENTITY_KEY] = LOCAL_ANALYST.id
    names = agency_names(store().catalogue.agencies)
    st.sidebar.selectbox(
        "Acting as", list(identities), key=IDENTITY_KEY,
        format_func=lambda user_id: identity_label(identities[user_id], names),
        help="There is no sign-in on a local dashboard: choose whose view to see. A Think Tank analyst "
             "uploads, writes the headlines and signs them off; a PLG member reads the headlines and the "
             "board pack; an admin also manages the users; an agency's uploader sends its returns.",
    )


def acting_user() -> User:
    """Who is acting: the signed-in user, or in local mode the identity chosen under Acting as. The
    choice is never read when sign-in is configured, so no widget state can pick another user."""
    if sign_in_configured():
        user = st.session_state.get(_SIGNED_IN_KEY)
        if user is None:
            raise AccessDeniedError("You are not signed in", "Open Think Tank's start page and sign in.")
        return user
    return local_identities().get(st.session_state.get(IDENTITY_KEY, LOCAL_ANALYST.id), LOCAL_ANALYST)


# The pages a role is offered, where not every role is: the core refuses what these pages would
# show anyone else, so this only keeps people from pages that would show them nothing.
PAGE_ROLES = {
    "views/upload.py": frozenset(Role) - {Role.PLG_MEMBER},
    "views/headlines.py": THINK_TANK_READERS,
    "views/board_pack.py": THINK_TANK_READERS,
    "views/users.py": frozenset({Role.ADMIN}),
    "views/catalogue_edit.py": CATALOGUE_EDITORS,
}


def offered(page: str, user: User) -> bool:
    return user.role in PAGE_ROLES.get(page, frozenset(Role))


def page_link(container: Any, page: str, **link: Any) -> None:
    """A link to a page, shown only to people the page is offered to."""
    if offered(page, acting_user()):
        container.page_link(page, **link)


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


def table_downloads(frame: pd.DataFrame, name: str, *, sheet: str, container: Any = st) -> None:
    """CSV and Excel downloads of a table that holds no figures (the catalogue, a definition's
    history): the table as shown, its text neutralised against formulas. Tables of figures go
    through `download_buttons`, which applies the small-numbers rule."""
    csv_column, xlsx_column, _ = container.columns([1, 1, 4])
    download_button(csv_column, "Download CSV", lambda: csv_bytes(frame), f"{name}.csv", CSV_MIME,
                    width="stretch", key=f"{name}-csv")
    download_button(xlsx_column, "Download Excel", lambda: xlsx_bytes({sheet: frame}), f"{name}.xlsx", XLSX_MIME,
                    width="stretch", key=f"{name}-xlsx")


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
