"""Who is acting. Core functions that read or write returns take the acting user, so that
roles can be enforced in the core once sign-in arrives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


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


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: Role
    agency_id: str | None = None


def sees_raw_figures(user: User) -> bool:
    return user.role in RAW_FIGURE_READERS


def may_read_returns(user: User, agency_id: str) -> bool:
    """A Think Tank analyst or admin reads every agency's returns; an agency uploader its own
    agency's only; a PLG member none (the scorecard and headlines are what the PLG reads)."""
    return sees_raw_figures(user) or (user.role == Role.AGENCY_UPLOADER and user.agency_id == agency_id)


def may_send_returns(user: User, agency_id: str) -> bool:
    """A Think Tank analyst or admin sends a return on any agency's behalf; an uploader for its own."""
    return may_read_returns(user, agency_id)


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
