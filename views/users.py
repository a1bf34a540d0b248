"""Users (admins only): who may sign in, with their role and agency; adding, changing and
deactivating them; and the access requests of people who signed in but are not users yet.

Every change goes through `thinktank.accounts`, which refuses anyone but an admin and keeps
the last admin, in a callback, so that the page drawn afterwards shows the change.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing

import duckdb
import pandas as pd
import streamlit as st

from thinktank import accounts
from thinktank.errors import ThinkTankError
from thinktank.formatting import ROLE_LABELS, agency_names
from thinktank.periods import format_date
from thinktank.store import utc_now
from thinktank.users import Role, person_name
from views.common import acting_user, show_error, sign_in_configured, store

NOTICE_KEY = "users-notice"
NO_AGENCY = "No agency (not an uploader)"
# The agency choice's option for none: not None, which to a selectbox means nothing is chosen yet.
NONE = ""

actor = acting_user()
cursor = store().cursor()
agencies = dict(sorted(agency_names(store().catalogue.agencies).items(), key=lambda item: item[1]))


def agency_label(agency_id: str) -> str:
    return agencies.get(agency_id, NO_AGENCY)


def chosen_agency(prefix: str) -> str | None:
    """The agency chosen under the keys ``prefix``, for an agency uploader only."""
    state = st.session_state
    return (state[f"{prefix}-agency"] or None) if state[f"{prefix}-role"] == Role.AGENCY_UPLOADER else None


def when_by(at: pd.Timestamp, by: str) -> str:
    return f"{format_date(at.date())}, {person_name(by, agencies)}"


Change = Callable[[duckdb.DuckDBPyConnection], str]


def run_change(change: Change) -> None:
    """Make a change in a callback, before the page is drawn, and keep what to say about it."""
    try:
        with closing(store().cursor()) as writer:
            st.session_state[NOTICE_KEY] = change(writer)
    except ThinkTankError as error:
        st.session_state[NOTICE_KEY] = error


def add_from(prefix: str, clear: bool = False) -> Change:
    """Add the person whose details are under the keys ``prefix``; ``clear`` empties the form after."""
    def add(writer: duckdb.DuckDBPyConnection) -> str:
        state = st.session_state
        role = state[f"{prefix}-role"]
        user = accounts.add_user(writer, actor, state[f"{prefix}-email"], state[f"{prefix}-name"], role,
                                 chosen_agency(prefix), utc_now())
        if clear:
            state[f"{prefix}-email"], state[f"{prefix}-name"] = "", ""
        return f"Added {user.name} ({user.id}) as {ROLE_LABELS[user.role]}."
    return add


def change_selected(writer: duckdb.DuckDBPyConnection) -> str:
    state = st.session_state
    role = state["change-role"]
    user = accounts.change_user(writer, actor, state["change-email"], role, chosen_agency("change"), utc_now())
    return f"{user.name} is now {ROLE_LABELS[user.role]}" + (f" for {agencies[user.agency_id]}." if user.agency_id
                                                              else ".")


def deactivate_selected(writer: duckdb.DuckDBPyConnection) -> str:
    email = st.session_state["change-email"]
    accounts.deactivate_user(writer, actor, email, utc_now())
    return f"{email} can no longer sign in."


def role_and_agency(prefix: str, role: str = Role.ANALYST, agency_id: str | None = None) -> None:
    """The role and agency widgets under the keys ``prefix``, first showing ``role`` and ``agency_id``."""
    st.session_state.setdefault(f"{prefix}-role", str(role))
    st.session_state.setdefault(f"{prefix}-agency", agency_id or NONE)
    st.selectbox("Role", list(ROLE_LABELS), format_func=ROLE_LABELS.get, key=f"{prefix}-role")
    st.selectbox("Agency (for an agency uploader)", [NONE, *agencies], format_func=agency_label,
                 key=f"{prefix}-agency")


st.title("Users")
listed = accounts.users(cursor, actor)
requests = accounts.access_requests(cursor, actor)
st.caption("Who may sign in and what they may do: an agency uploader sends and sees its own agency's returns; a "
           "Think Tank analyst sees everything and writes the headlines; a PLG member reads the scorecard, "
           "headlines and board pack; an admin also manages the users. Every change is recorded in the audit log.")
if not sign_in_configured():
    st.info("Sign-in is not configured, so this dashboard is in local mode: the people here can sign in once it "
            "is (docs/sign-in.md says how).", icon=":material/info:")

notice = st.session_state.pop(NOTICE_KEY, None)
if isinstance(notice, ThinkTankError):
    show_error(notice)
elif notice:
    st.success(notice, icon=":material/check_circle:")

st.subheader(f"Access requests ({len(requests):,})")
if requests.empty:
    st.caption("No one is waiting: someone who signs in but is not a user can ask for access, and it shows here.")
for request in requests.itertuples():
    # Keyed by the person, so that a choice stays with them when the list above them changes.
    prefix = f"request-{accounts.email_reference(request.email)}"
    asked_agency = request.agency_id if isinstance(request.agency_id, str) else None
    with st.container(border=True):
        details, choice = st.columns([3, 2])
        with details:
            st.text(f"{request.name}, {request.email}")
            st.caption(f"Asked on {format_date(request.requested_at.date())} for "
                       + ("the Think Tank or the PLG" if asked_agency is None else agencies[asked_agency]))
            st.text(request.reason)
        with choice:
            st.session_state[f"{prefix}-email"], st.session_state[f"{prefix}-name"] = request.email, request.name
            role_and_agency(prefix, Role.AGENCY_UPLOADER if asked_agency else Role.ANALYST, asked_agency)
            st.button("Add this person", key=f"{prefix}-add", on_click=run_change, args=[add_from(prefix)],
                      icon=":material/person_add:")

st.subheader(f"Users ({int(listed['active'].sum()):,} active)")
if listed.empty:
    st.caption("No users yet. Add the first below, or with python -m thinktank users add on the server.")
else:
    st.dataframe(pd.DataFrame({
        "Name": listed["name"],
        "Email": listed["email"],
        "Role": listed["role"].map(ROLE_LABELS),
        "Agency": [agencies.get(agency_id, "") if isinstance(agency_id, str) else "" for agency_id in listed["agency_id"]],
        "Can sign in": listed["active"].map({True: "Yes", False: "No, deactivated"}),
        "Added": [when_by(at, by) for at, by in zip(listed["added_at"], listed["added_by"], strict=True)],
        "Last changed": [when_by(at, by) for at, by in zip(listed["changed_at"], listed["changed_by"], strict=True)],
    }), hide_index=True, width="stretch")

add_column, change_column = st.columns(2)
with add_column, st.container(border=True):
    st.subheader("Add a user")
    st.text_input("Email address", key="new-email", placeholder="jo.bloggs@durham.gov.uk",
                  help="The address the person signs in with, as their organisation's sign-in gives it.")
    st.text_input("Name", key="new-name", max_chars=accounts.MAX_NAME_CHARACTERS)
    role_and_agency("new")
    st.button("Add", type="primary", on_click=run_change, args=[add_from("new", clear=True)],
              icon=":material/person_add:")

with change_column, st.container(border=True):
    st.subheader("Change or deactivate a user")
    active = listed[listed["active"]]
    if active.empty:
        st.caption("There is no active user to change.")
    else:
        names = dict(zip(active["email"], active["name"], strict=True))
        st.selectbox("User", list(names), format_func=lambda email: f"{names[email]} ({email})", key="change-email")
        chosen = active.set_index("email").loc[st.session_state["change-email"]]
        held_agency = chosen["agency_id"] if isinstance(chosen["agency_id"], str) else None
        # A new choice of user shows that user's role and agency, not the last one's.
        if st.session_state.get("change-shown") != st.session_state["change-email"]:
            st.session_state["change-shown"] = st.session_state["change-email"]
            st.session_state["change-role"], st.session_state["change-agency"] = chosen["role"], held_agency or NONE
        role_and_agency("change")
        save, deactivate = st.columns(2)
        save.button("Save the change", on_click=run_change, args=[change_selected], icon=":material/save:")
        deactivate.button("Deactivate", on_click=run_change, args=[deactivate_selected],
                          icon=":material/person_off:", help="They can no longer sign in; the record of them stays.")
