"""`python -m thinktank users`: how the first admin is made on a deployed server."""

import json

import pytest

from thinktank.cli import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, main
from thinktank.settings import CATALOGUE_ENV, DATABASE_ENV, REFERENCE_ENV
from thinktank.users import command_line_user


@pytest.fixture
def env(monkeypatch, settings):
    monkeypatch.setenv(DATABASE_ENV, str(settings.database_path))
    monkeypatch.setenv(CATALOGUE_ENV, str(settings.catalogue_dir))
    monkeypatch.setenv(REFERENCE_ENV, str(settings.reference_dir))
    return settings


def run(capsys, *arguments):
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_first_admin_is_added_and_listed(env, capsys):
    code, out, _ = run(capsys, "users", "add", "Jo.Bloggs@Durham.gov.uk", "--name", "Jo Bloggs", "--role", "admin")
    assert code == EXIT_OK and out.strip() == "Jo Bloggs (jo.bloggs@durham.gov.uk) can now sign in as Admin."
    code, out, _ = run(capsys, "users", "add", "sam@police.uk", "--name", "Sam", "--role", "agency_uploader",
                       "--agency", "police")
    assert code == EXIT_OK and out.strip().endswith("as Agency uploader for Police.")
    code, out, _ = run(capsys, "users", "list", "--json")
    listed = json.loads(out)
    assert [(user["email"], user["role"], user["agency_id"], user["active"]) for user in listed] == [
        ("jo.bloggs@durham.gov.uk", "admin", None, True), ("sam@police.uk", "agency_uploader", "police", True),
    ]
    assert listed[0]["added_by"] == command_line_user().id and listed[0]["added_at"].startswith("20")


def test_a_user_the_store_refuses_is_a_problem_with_a_hint_and_an_unknown_role_a_usage_error(env, capsys):
    code, _, err = run(capsys, "users", "add", "sam@police.uk", "--name", "Sam", "--role", "agency_uploader")
    assert code == EXIT_PROBLEM and "An agency uploader needs an agency" in err
    code, _, err = run(capsys, "users", "add", "sam@police.uk", "--name", "Sam", "--role", "agency_uploader",
                       "--agency", "constabulary")
    assert code == EXIT_USAGE and "not an agency" in err
    with pytest.raises(SystemExit) as usage:
        main(["users", "add", "sam@police.uk", "--name", "Sam", "--role", "superuser"])
    assert usage.value.code == EXIT_USAGE
