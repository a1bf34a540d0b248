"""Who is acting. Core functions that read or write returns take the acting user, so that
roles can be enforced in the core once sign-in arrives."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    AGENCY_UPLOADER = "agency_uploader"
    ANALYST = "analyst"
    PLG_MEMBER = "plg_member"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: Role
    agency_id: str | None = None


SYSTEM = User(id="system", name="Think Tank start-up", role=Role.ADMIN)
# Until sign-in arrives, whoever runs the dashboard on their machine acts as an analyst.
LOCAL_ANALYST = User(id="local-analyst", name="Local analyst", role=Role.ANALYST)
