"""Who is acting. Core functions that read or write returns take the acting user, so that
roles can be enforced in the core once sign-in arrives."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from thinktank.errors import AccessDeniedError


class Role(StrEnum):
    AGENCY_UPLOADER = "agency_uploader"
    ANALYST = "analyst"
    PLG_MEMBER = "plg_member"
    ADMIN = "admin"


# Who writes the Think Tank's own words (headlines, commentary, evidence entered in the app,
# re-bases), and who reads them: one definition, so the modules cannot disagree.
THINK_TANK_WRITERS = frozenset({Role.ANALYST, Role.ADMIN})
THINK_TANK_READERS = THINK_TANK_WRITERS | {Role.PLG_MEMBER}
# Who sees figures as stored, small numbers included, and every agency's returns. Everyone else
# (PLG members, agency uploaders) sees the published figures, with the small-numbers rule applied.
RAW_FIGURE_READERS = THINK_TANK_WRITERS
# Who changes the catalogue (indicators, themes, targets), in the app or by an import.
CATALOGUE_EDITORS = THINK_TANK_WRITERS


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: Role
    agency_id: str | None = None


def sees_raw_figures(user: User) -> bool:
    return user.role in RAW_FIGURE_READERS


def may_read_returns(user: User, agency_id: str | None) -> bool:
    """A Think Tank analyst or admin reads every agency's returns (``agency_id`` None); an agency
    uploader its own agency's only; a PLG member none (the PLG reads the scorecard and headlines)."""
    return sees_raw_figures(user) or (user.role == Role.AGENCY_UPLOADER and user.agency_id == agency_id)


def may_send_returns(user: User, agency_id: str) -> bool:
    """A Think Tank analyst or admin sends a return on any agency's behalf; an uploader for its own."""
    return agency_id is not None and may_read_returns(user, agency_id)


def check_reads_returns(user: User, agency_id: str | None) -> None:
    """Refuse, in the core, anyone who may not read this agency's returns: pages only hide what
    this already refuses."""
    if may_read_returns(user, agency_id):
        return
    if user.role == Role.AGENCY_UPLOADER:
        raise AccessDeniedError(
            "You can see only your own agency's returns",
            "Each agency sees the returns it sent; the Think Tank's analysts see every agency's. "
            "The scorecard shows every agency's published figures.",
        )
    raise AccessDeniedError(
        "Returns are seen by the agency that sent them and by the Think Tank's analysts",
        "The scorecard, the quarterly headlines and the board pack show the published figures.",
    )


def check_changes_catalogue(user: User) -> None:
    """Refuse, in the core, anyone but the Think Tank's analysts and admins a change to the
    catalogue: the Think Tank owns its indicators."""
    if user.role in CATALOGUE_EDITORS:
        return
    raise AccessDeniedError(
        "The catalogue is changed by the Think Tank's analysts and admins",
        "Everyone can read every indicator's definition on the Catalogue page. To ask for a change, "
        "write to the Think Tank.",
    )


def only_agency(user: User, agency_id: str | None) -> str | None:
    """The one agency whose returns and actions a reading is limited to: an uploader's own
    (asking for another is refused), else the agency asked for, or None for every agency. A
    PLG member and an analyst read every agency's actions; returns are checked apart."""
    if user.role != Role.AGENCY_UPLOADER:
        return agency_id
    if agency_id is not None and agency_id != user.agency_id:
        check_reads_returns(user, agency_id)
    return user.agency_id


SYSTEM = User(id="system", name="Think Tank start-up", role=Role.ADMIN)
# Until sign-in arrives, whoever runs the dashboard on their machine acts as an analyst.
LOCAL_ANALYST = User(id="local-analyst", name="Local analyst", role=Role.ANALYST)
# Until sign-in arrives, the local dashboard can also be read as a member of the Performance
# and Learning Group sees it: headlines and the board pack, read-only.
LOCAL_PLG_MEMBER = User(id="local-plg-member", name="Local PLG member", role=Role.PLG_MEMBER)
# ...and as the admin who manages users, the catalogue and settings.
LOCAL_ADMIN = User(id="local-admin", name="Local admin", role=Role.ADMIN)
LOCAL_IDENTITIES = (LOCAL_ANALYST, LOCAL_PLG_MEMBER, LOCAL_ADMIN)
# The demo partnership's people: an analyst who writes its commentary, and one uploader for
# each agency, whose id names the agency.
DEMO_ANALYST = User(id="demo-analyst", name="Demo analyst", role=Role.ANALYST)
DEMO_UPLOADER_PREFIX = "demo-"
KNOWN_USERS = {user.id: user for user in (SYSTEM, *LOCAL_IDENTITIES, DEMO_ANALYST)}


def command_line_user() -> User:
    """Whoever runs a command on the server. They hold the database file itself, so they act as
    an admin; the audit log names them by their account on the machine."""
    try:
        account = getpass.getuser()
    except (KeyError, OSError):  # no name for the account (a container's bare uid)
        account = f"uid {os.getuid()}"
    return User(id=f"{account} (command line)", name=f"{account} at the command line", role=Role.ADMIN)


def demo_agency_user(agency_id: str) -> User:
    return User(id=f"{DEMO_UPLOADER_PREFIX}{agency_id}", name="Demo uploader", role=Role.AGENCY_UPLOADER,
                agency_id=agency_id)


def person_name(user_id: str, agency_names: Mapping[str, str]) -> str:
    """Who a stored user id is, as a person reads it: ``Local analyst``, ``Demo uploader for
    Police``. An id we hold no name for (one from a sign-in) is shown as it is: it is then the
    person's own login, which is how they are known."""
    if user_id in KNOWN_USERS:
        return KNOWN_USERS[user_id].name
    agency = user_id.removeprefix(DEMO_UPLOADER_PREFIX)
    if user_id.startswith(DEMO_UPLOADER_PREFIX) and agency in agency_names:
        return f"Demo uploader for {agency_names[agency]}"
    return user_id
