"""Users in the store: admin-only management, the last admin kept, sign-in by verified email,
access requests, and an audit log that names no changed person's address."""

from __future__ import annotations

import datetime as dt

import pytest

from thinktank import accounts
from thinktank.accounts import AccountError
from thinktank.errors import AccessDeniedError, UnknownAgencyError
from thinktank.store.audit import audit_entries
from thinktank.users import (
    LOCAL_ADMIN,
    LOCAL_ANALYST,
    LOCAL_PLG_MEMBER,
    Role,
    User,
    demo_agency_user,
)

NOW = dt.datetime(2026, 11, 23, 9, 30)


@pytest.fixture
def cursor(store):
    return store.cursor()


def test_a_user_is_found_by_their_address_in_any_case_and_their_id_is_the_address(cursor):
    accounts.add_user(cursor, LOCAL_ADMIN, " Jo.Bloggs@Durham.gov.uk ", "Jo Bloggs", "analyst", None, NOW)
    found = accounts.user_for_email(cursor, "JO.BLOGGS@durham.gov.uk")
    assert found == User(id="jo.bloggs@durham.gov.uk", name="Jo Bloggs", role=Role.ANALYST, agency_id=None)


def test_an_unknown_or_deactivated_address_is_no_user(cursor):
    assert accounts.user_for_email(cursor, "nobody@durham.gov.uk") is None
    accounts.add_user(cursor, LOCAL_ADMIN, "sam@police.uk", "Sam", "agency_uploader", "police", NOW)
    accounts.add_user(cursor, LOCAL_ADMIN, "ali@durham.gov.uk", "Ali", "admin", None, NOW)
    accounts.deactivate_user(cursor, LOCAL_ADMIN, "sam@police.uk", NOW)
    assert accounts.user_for_email(cursor, "sam@police.uk") is None


@pytest.mark.parametrize("actor", [LOCAL_ANALYST, LOCAL_PLG_MEMBER, demo_agency_user("police")])
def test_only_an_admin_reads_or_changes_users(cursor, actor):
    accounts.add_user(cursor, LOCAL_ADMIN, "jo@durham.gov.uk", "Jo", "analyst", None, NOW)
    attempts = [
        lambda: accounts.users(cursor, actor),
        lambda: accounts.access_requests(cursor, actor),
        lambda: accounts.add_user(cursor, actor, "me@durham.gov.uk", "Me", "admin", None, NOW),
        lambda: accounts.change_user(cursor, actor, "jo@durham.gov.uk", "admin", None, NOW),
        lambda: accounts.deactivate_user(cursor, actor, "jo@durham.gov.uk", NOW),
    ]
    for attempt in attempts:
        with pytest.raises(AccessDeniedError) as refused:
            attempt()
        assert refused.value.title == "Only admins see and manage the users" and refused.value.hint
    assert accounts.users(cursor, LOCAL_ADMIN)["email"].tolist() == ["jo@durham.gov.uk"]


def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(cursor):
    accounts.add_user(cursor, LOCAL_ADMIN, "ali@durham.gov.uk", "Ali", "admin", None, NOW)
    with pytest.raises(AccountError, match="last admin"):
        accounts.change_user(cursor, LOCAL_ADMIN, "ali@durham.gov.uk", "analyst", None, NOW)
    with pytest.raises(AccountError, match="last admin"):
        accounts.deactivate_user(cursor, LOCAL_ADMIN, "ali@durham.gov.uk", NOW)
    accounts.add_user(cursor, LOCAL_ADMIN, "bo@durham.gov.uk", "Bo", "admin", None, NOW)
    accounts.change_user(cursor, LOCAL_ADMIN, "ali@durham.gov.uk", "analyst", None, NOW)
    with pytest.raises(AccountError, match="last admin"):
        accounts.deactivate_user(cursor, LOCAL_ADMIN, "bo@durham.gov.uk", NOW)
    assert accounts.user_for_email(cursor, "ali@durham.gov.uk").role == Role.ANALYST


def test_an_agency_uploader_needs_a_known_agency_and_no_one_else_has_one(cursor):
    with pytest.raises(AccountError, match="needs an agency"):
        accounts.add_user(cursor, LOCAL_ADMIN, "sam@police.uk", "Sam", "agency_uploader", None, NOW)
    with pytest.raises(UnknownAgencyError):
        accounts.add_user(cursor, LOCAL_ADMIN, "sam@police.uk", "Sam", "agency_uploader", "constabulary", NOW)
    with pytest.raises(AccountError, match="Only an agency uploader"):
        accounts.add_user(cursor, LOCAL_ADMIN, "jo@durham.gov.uk", "Jo", "analyst", "police", NOW)
    with pytest.raises(AccountError, match="not a role"):
        accounts.add_user(cursor, LOCAL_ADMIN, "jo@durham.gov.uk", "Jo", "superuser", None, NOW)
    with pytest.raises(AccountError, match="not an email address"):
        accounts.add_user(cursor, LOCAL_ADMIN, "jo", "Jo", "analyst", None, NOW)
    accounts.add_user(cursor, LOCAL_ADMIN, "sam@police.uk", "Sam", "agency_uploader", "police", NOW)
    moved = accounts.change_user(cursor, LOCAL_ADMIN, "sam@police.uk", "plg_member", None, NOW)
    assert moved == accounts.user_for_email(cursor, "sam@police.uk")
    assert moved.agency_id is None and moved.name == "Sam"


def test_adding_an_active_user_again_is_refused_and_a_deactivated_one_comes_back(cursor):
    accounts.add_user(cursor, LOCAL_ADMIN, "jo@durham.gov.uk", "Jo", "analyst", None, NOW)
    with pytest.raises(AccountError, match="already a user"):
        accounts.add_user(cursor, LOCAL_ADMIN, "JO@durham.gov.uk", "Jo", "analyst", None, NOW)
    accounts.deactivate_user(cursor, LOCAL_ADMIN, "jo@durham.gov.uk", NOW)
    accounts.add_user(cursor, LOCAL_ADMIN, "jo@durham.gov.uk", "Jo B", "plg_member", None, NOW)
    assert accounts.user_for_email(cursor, "jo@durham.gov.uk").role == Role.PLG_MEMBER
    assert len(accounts.users(cursor, LOCAL_ADMIN)) == 1


def test_the_audit_names_the_admin_and_only_a_reference_to_the_person_changed(cursor):
    accounts.add_user(cursor, LOCAL_ADMIN, "jo@durham.gov.uk", "Jo Bloggs", "analyst", None, NOW)
    accounts.change_user(cursor, LOCAL_ADMIN, "jo@durham.gov.uk", "admin", None, NOW)
    accounts.add_user(cursor, LOCAL_ADMIN, "bo@durham.gov.uk", "Bo", "admin", None, NOW)
    accounts.deactivate_user(cursor, LOCAL_ADMIN, "jo@durham.gov.uk", NOW)
    changes = audit_entries(cursor).query("action == 'user change'")
    assert changes["outcome"].tolist() == ["added", "changed", "added", "deactivated"]
    assert set(changes["actor"]) == {LOCAL_ADMIN.id}
    reference = accounts.email_reference("jo@durham.gov.uk")
    assert changes["detail"].iloc[0] == f"{reference}: analyst"
    logged = audit_entries(cursor).astype(str).to_csv()
    assert "jo@" not in logged and "Bloggs" not in logged and reference in logged


def test_a_sign_in_is_audited_as_the_user_or_refused_without_the_address(cursor):
    jo = accounts.add_user(cursor, LOCAL_ADMIN, "jo@durham.gov.uk", "Jo", "analyst", None, NOW)
    accounts.record_sign_in(cursor, "jo@durham.gov.uk", True, jo, NOW)
    accounts.record_sign_in(cursor, "stranger@example.com", True, None, NOW)
    accounts.record_sign_in(cursor, "jo@durham.gov.uk", False, None, NOW)
    signs = audit_entries(cursor).query("action == 'sign-in'")
    assert signs[["actor", "outcome"]].values.tolist() == [
        ["jo@durham.gov.uk", "signed in"], ["system", "refused (unknown)"],
        ["system", "refused (email not verified)"],
    ]
    assert "stranger" not in signs.astype(str).to_csv()


def test_an_access_request_is_listed_for_admins_until_the_person_is_a_user(cursor):
    accounts.request_access(cursor, "Sam@Police.uk", "Sam", "police", "I send the police return", NOW)
    accounts.request_access(cursor, "sam@police.uk", "Sam Smith", "police", "I send   it", NOW + dt.timedelta(1))
    accounts.request_access(cursor, "pat@durham.gov.uk", "Pat", None, "I sit on the PLG", NOW)
    requests = accounts.access_requests(cursor, LOCAL_ADMIN)
    assert requests[["email", "name", "reason"]].values.tolist() == [
        ["sam@police.uk", "Sam Smith", "I send it"], ["pat@durham.gov.uk", "Pat", "I sit on the PLG"],
    ]
    assert requests["agency_id"].iloc[0] == "police" and requests["agency_id"].isna().iloc[1]
    accounts.add_user(cursor, LOCAL_ADMIN, "sam@police.uk", "Sam Smith", "agency_uploader", "police", NOW)
    assert accounts.access_requests(cursor, LOCAL_ADMIN)["email"].tolist() == ["pat@durham.gov.uk"]


def test_an_access_request_needs_a_reason_and_a_known_agency(cursor):
    with pytest.raises(AccountError, match="Say why"):
        accounts.request_access(cursor, "sam@police.uk", "Sam", None, "  ", NOW)
    with pytest.raises(UnknownAgencyError):
        accounts.request_access(cursor, "sam@police.uk", "Sam", "constabulary", "I upload", NOW)
    with pytest.raises(AccountError, match="characters long"):
        accounts.request_access(cursor, "sam@police.uk", "Sam", None, "x" * 501, NOW)
