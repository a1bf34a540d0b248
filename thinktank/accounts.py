"""The people who may sign in: each known by the email address their identity provider has
verified, with one role and, for an agency uploader, the agency they send returns for; and the
access requests of people who signed in but are not users yet.

Only admins read or change users (every function here takes the acting user and checks it),
except the two a person needs before they are a user: `user_for_email` (signing in) and
`request_access`. There is always an active admin once there has been one: the last cannot be
deactivated or given another role. Every change, and every sign-in, is audited without the
changed person's address (see `email_reference`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import duckdb
import pandas as pd

from thinktank.errors import AccessDeniedError, ThinkTankError, UnknownAgencyError
from thinktank.store.audit import AuditEntry, record
from thinktank.store.transactions import transaction
from thinktank.users import SYSTEM, Role, User

SIGN_IN, USER_CHANGE, ACCESS_REQUEST = "sign-in", "user change", "access request"
SIGNED_IN, REFUSED_UNKNOWN, REFUSED_UNVERIFIED = "signed in", "refused (unknown)", "refused (email not verified)"
MAX_NAME_CHARACTERS = 100
MAX_REASON_CHARACTERS = 500
# One @, something either side and a dot in the domain: what every organisation's address has.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
USER_COLUMNS = ["email", "name", "role", "agency_id", "active", "added_by", "added_at", "changed_by", "changed_at"]


class AccountError(ThinkTankError):
    """A user that cannot be added, changed or deactivated as asked."""


def normalised_email(email: str) -> str:
    """The address as users are keyed: trimmed and lower-cased (providers and admins differ in
    case, and the part before the @ is case-insensitive at every provider councils use)."""
    return email.strip().lower()


def email_reference(email: str) -> str:
    """A short, non-reversible reference to an address for the audit log. The log holds no
    personal data beyond the acting user's id (issue 13), and the person an admin added or
    changed is not the actor: their address is kept in the users table (which a deactivation
    leaves in place), and an admin who needs to know which user an entry is about works out this
    reference from the address."""
    return "user-" + hashlib.sha256(normalised_email(email).encode("utf-8")).hexdigest()[:12]


def user_for_email(cursor: duckdb.DuckDBPyConnection, email: str) -> User | None:
    """The active user with this (verified) address, or None: how a sign-in becomes a user. The
    user's id is their address, so the audit log and every record name the real person."""
    found = cursor.execute(
        "SELECT email, name, role, agency_id FROM users WHERE email = ? AND active",
        [normalised_email(email)],
    ).fetchone()
    if found is None:
        return None
    address, name, role, agency_id = found
    return User(id=address, name=name, role=Role(role), agency_id=agency_id)


def record_sign_in(
    cursor: duckdb.DuckDBPyConnection, email: str, verified: bool, user: User | None, now: dt.datetime
) -> None:
    """Audit a sign-in: as the user when they are one; otherwise as refused, by Think Tank itself,
    with only a reference to the address (the person is not a user, so has no id to name)."""
    with transaction(cursor):
        if user is not None:
            record(cursor, user, AuditEntry(action=SIGN_IN, outcome=SIGNED_IN), now)
        else:
            record(cursor, SYSTEM, AuditEntry(action=SIGN_IN,
                                              outcome=REFUSED_UNKNOWN if verified else REFUSED_UNVERIFIED,
                                              detail=email_reference(email)), now)


def users(cursor: duckdb.DuckDBPyConnection, actor: User) -> pd.DataFrame:
    """Every user, active first, then by name (`USER_COLUMNS`)."""
    _check_admin(actor)
    return cursor.execute(
        f"SELECT {', '.join(USER_COLUMNS)} FROM users ORDER BY active DESC, lower(name), email"
    ).df()


def add_user(
    cursor: duckdb.DuckDBPyConnection, actor: User, email: str, name: str, role: str,
    agency_id: str | None, now: dt.datetime,
) -> User:
    """Add a user, or bring back a deactivated one with this role; the user as they now are."""
    _check_admin(actor)
    address, text, role, agency_id = _checked(cursor, email, name, role, agency_id)
    with transaction(cursor):
        held = cursor.execute("SELECT active FROM users WHERE email = ?", [address]).fetchone()
        if held is not None and held[0]:
            raise AccountError(f"{address} is already a user",
                               "Change their role or agency in the list of users instead.")
        if held is None:
            cursor.execute(
                f"INSERT INTO users ({', '.join(USER_COLUMNS)}) VALUES (?, ?, ?, ?, true, ?, ?, ?, ?)",
                [address, text, str(role), agency_id, actor.id, now, actor.id, now],
            )
        else:
            _update(cursor, actor, address, text, role, agency_id, True, now)
        _audit(cursor, actor, "added" if held is None else "reactivated", address, role, agency_id, now)
    return User(id=address, name=text, role=Role(role), agency_id=agency_id)


def change_user(
    cursor: duckdb.DuckDBPyConnection, actor: User, email: str, role: str, agency_id: str | None,
    now: dt.datetime, name: str | None = None,
) -> User:
    """Give an active user another role or agency (and, if given, name)."""
    _check_admin(actor)
    with transaction(cursor):
        address, held_name, held_role = _active(cursor, email)
        address, text, role, agency_id = _checked(cursor, address, held_name if name is None else name, role,
                                                  agency_id)
        if held_role == Role.ADMIN and role != Role.ADMIN:
            _check_not_last_admin(cursor, address, "given another role")
        _update(cursor, actor, address, text, role, agency_id, True, now)
        _audit(cursor, actor, "changed", address, role, agency_id, now)
    return User(id=address, name=text, role=Role(role), agency_id=agency_id)


def deactivate_user(cursor: duckdb.DuckDBPyConnection, actor: User, email: str, now: dt.datetime) -> None:
    """Stop a user signing in. The row stays, with who added and changed them."""
    _check_admin(actor)
    with transaction(cursor):
        address, name, role = _active(cursor, email)
        if role == Role.ADMIN:
            _check_not_last_admin(cursor, address, "deactivated")
        agency_id = cursor.execute("SELECT agency_id FROM users WHERE email = ?", [address]).fetchone()[0]
        _update(cursor, actor, address, name, role, agency_id, False, now)
        _audit(cursor, actor, "deactivated", address, role, agency_id, now)


def request_access(
    cursor: duckdb.DuckDBPyConnection, email: str, name: str, agency_id: str | None, reason: str,
    now: dt.datetime,
) -> None:
    """Ask the admins for access, as someone who signed in with this verified address but is not
    a user. A second request replaces the first in the admins' list."""
    address = normalised_email(email)
    text = _name(name)
    words = " ".join(reason.split())
    if not words:
        raise AccountError("Say why you need access",
                           "For example: 'I send the police's quarterly return' or 'I sit on the PLG'.")
    if len(words) > MAX_REASON_CHARACTERS:
        raise AccountError(f"The reason is {len(words):,} characters long",
                           f"Keep it under {MAX_REASON_CHARACTERS:,} characters.")
    if agency_id is not None:
        _check_agency(cursor, agency_id)
    with transaction(cursor):
        cursor.execute(
            "INSERT INTO access_requests (email, name, agency_id, reason, requested_at) VALUES (?, ?, ?, ?, ?)",
            [address, text, agency_id, words, now],
        )
        record(cursor, SYSTEM, AuditEntry(action=ACCESS_REQUEST, outcome="requested", agency_id=agency_id,
                                          detail=email_reference(address)), now)


def access_requests(cursor: duckdb.DuckDBPyConnection, actor: User) -> pd.DataFrame:
    """The latest request of each person who is not an active user yet, newest first."""
    _check_admin(actor)
    return cursor.execute(
        """
        SELECT email, name, agency_id, reason, requested_at
        FROM access_requests
        WHERE email NOT IN (SELECT email FROM users WHERE active)
        QUALIFY row_number() OVER (PARTITION BY email ORDER BY requested_at DESC, id DESC) = 1
        ORDER BY requested_at DESC, email
        """
    ).df()


def _check_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise AccessDeniedError("Only admins see and manage the users",
                                "Ask an admin of the Think Tank to add, change or remove a user.")


def _checked(
    cursor: duckdb.DuckDBPyConnection, email: str, name: str, role: str, agency_id: str | None
) -> tuple[str, str, Role, str | None]:
    address = normalised_email(email)
    if not _EMAIL.fullmatch(address):
        raise AccountError(f"'{email.strip()}' is not an email address",
                           "Give the address the person signs in with, such as jo.bloggs@durham.gov.uk.")
    try:
        known = Role(role)
    except ValueError:
        raise AccountError(f"'{role}' is not a role",
                           "The roles are " + ", ".join(Role) + ".") from None
    agency = agency_id or None
    if known == Role.AGENCY_UPLOADER:
        if agency is None:
            raise AccountError("An agency uploader needs an agency", "Choose the agency they send returns for.")
        _check_agency(cursor, agency)
    elif agency is not None:
        raise AccountError("Only an agency uploader has an agency",
                           "Leave the agency empty: Think Tank analysts, PLG members and admins see every agency.")
    return address, _name(name), known, agency


def _name(name: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise AccountError("A user needs a name", "Give the person's name as colleagues know it.")
    if len(text) > MAX_NAME_CHARACTERS:
        raise AccountError(f"The name is {len(text):,} characters long",
                           f"Keep it under {MAX_NAME_CHARACTERS:,} characters.")
    return text


def _check_agency(cursor: duckdb.DuckDBPyConnection, agency_id: str) -> None:
    if cursor.execute("SELECT 1 FROM agencies WHERE id = ?", [agency_id]).fetchone() is None:
        raise UnknownAgencyError(f"'{agency_id}' is not an agency in the catalogue",
                                 "python -m thinktank agencies lists them.")


def _active(cursor: duckdb.DuckDBPyConnection, email: str) -> tuple[str, str, Role]:
    address = normalised_email(email)
    found = cursor.execute("SELECT name, role FROM users WHERE email = ? AND active", [address]).fetchone()
    if found is None:
        raise AccountError(f"{address} is not an active user", "The list of users shows who is.")
    return address, found[0], Role(found[1])


def _check_not_last_admin(cursor: duckdb.DuckDBPyConnection, address: str, change: str) -> None:
    (others,) = cursor.execute(
        "SELECT count(*) FROM users WHERE active AND role = 'admin' AND email <> ?", [address]
    ).fetchone()
    if others == 0:
        raise AccountError(f"{address} is the last admin and cannot be {change}",
                           "Make someone else an admin first, so that someone can still manage the users.")


def _update(
    cursor: duckdb.DuckDBPyConnection, actor: User, address: str, name: str, role: Role, agency_id: str | None,
    active: bool, now: dt.datetime,
) -> None:
    cursor.execute(
        "UPDATE users SET name = ?, role = ?, agency_id = ?, active = ?, changed_by = ?, changed_at = ? "
        "WHERE email = ?",
        [name, str(role), agency_id, active, actor.id, now, address],
    )


def _audit(
    cursor: duckdb.DuckDBPyConnection, actor: User, outcome: str, address: str, role: Role, agency_id: str | None,
    now: dt.datetime,
) -> None:
    # The role is not personal data; the address is, so the entry carries its reference.
    record(cursor, actor, AuditEntry(action=USER_CHANGE, outcome=outcome, agency_id=agency_id,
                                     detail=f"{email_reference(address)}: {role}"), now)
