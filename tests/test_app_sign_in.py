"""Who is acting, under AppTest: local mode's banner and picker (an uploader for each agency, by
name), the Users page for admins only, THINKTANK_DEPLOYED refusing local mode, and with sign-in
configured the signed-in user (mapped by verified email, audited once a session) whatever the
picker's state says."""

from __future__ import annotations

import pytest
from conftest import dashboard_app

from thinktank import accounts
from thinktank.settings import DEPLOYED_ENV
from thinktank.store import Store, utc_now
from thinktank.store.audit import audit_entries
from thinktank.users import LOCAL_ADMIN
from views.common import IDENTITY_KEY, store

ANALYST = "jo.analyst@durham.gov.uk"
# What Streamlit's own sign-in needs in secrets.toml; AppTest hands it to the app as st.secrets.
AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "think-tank", "client_secret": "secret",
                 "server_metadata_url": "https://login.example/.well-known/openid-configuration"}}


@pytest.fixture
def app(monkeypatch, settings):
    monkeypatch.delenv(DEPLOYED_ENV, raising=False)
    with Store.open(settings) as opened:
        accounts.add_user(opened.cursor(), LOCAL_ADMIN, ANALYST, "Jo Analyst", "analyst", None, utc_now())
    return dashboard_app(monkeypatch, settings)


def signed_in(app, **claims):
    app.secrets = AUTH
    app.user = {"is_logged_in": True, **claims}
    return app


def texts(app) -> list[str]:
    return [element.value for element in (*app.text, *app.sidebar.text)]


def test_local_mode_says_so_and_offers_every_agency_s_uploader_by_name(app):
    app.run()
    assert not app.exception
    (banner,) = app.sidebar.warning
    assert banner.value.startswith("**Local mode: there is no sign-in.**") and "127.0.0.1" in banner.value
    assert not app.main.warning
    (picker,) = app.sidebar.selectbox
    assert picker.label == "Acting as"
    assert picker.options[:3] == ["Think Tank analyst", "PLG member", "Admin"]
    uploaders = picker.options[3:]
    agencies = store().catalogue.agencies
    assert len(uploaders) == len(agencies) and uploaders == sorted(uploaders)
    assert "Uploader for Police" in uploaders and not any("police" in label for label in uploaders)
    app.session_state[IDENTITY_KEY] = "demo-police"
    app.run()
    assert app.sidebar.selectbox[0].value == "demo-police" and not app.exception


def test_the_users_page_is_an_admin_s_and_names_roles_and_agencies_in_words(app):
    app.session_state[IDENTITY_KEY] = "local-admin"
    app.run()
    app.switch_page("views/users.py").run()
    assert [title.value for title in app.title] == ["Users"] and not app.exception
    app.text_input(key="new-email").input("Sam@Police.uk")
    app.text_input(key="new-name").input("Sam Smith")
    app.selectbox(key="new-role").select("agency_uploader")
    app.selectbox(key="new-agency").select("police")
    next(button for button in app.button if button.label == "Add").click().run()
    assert [message.value for message in app.success] == ["Added Sam Smith (sam@police.uk) as Agency uploader."]
    table = app.dataframe[0].value
    sam = table[table["Email"] == "sam@police.uk"].iloc[0]
    assert (sam["Role"], sam["Agency"], sam["Can sign in"]) == ("Agency uploader", "Police", "Yes")
    assert app.text_input(key="new-email").value == ""


def test_an_admin_who_gets_a_user_wrong_is_told_how_to_put_it_right(app):
    app.session_state[IDENTITY_KEY] = "local-admin"
    app.run()
    app.switch_page("views/users.py").run()
    app.text_input(key="new-email").input("sam@police.uk")
    app.text_input(key="new-name").input("Sam")
    app.selectbox(key="new-role").select("agency_uploader")
    next(button for button in app.button if button.label == "Add").click().run()
    assert [error.value for error in app.error] == ["An agency uploader needs an agency"]


@pytest.mark.parametrize("identity", ["local-analyst", "local-plg-member", "demo-police"])
def test_the_users_page_is_not_there_for_anyone_else(app, identity):
    app.session_state[IDENTITY_KEY] = identity
    app.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/users.py")


def test_a_deployed_dashboard_refuses_local_mode_and_shows_nothing_else(app, monkeypatch):
    monkeypatch.setenv(DEPLOYED_ENV, "1")
    app.run()
    assert [error.value for error in app.error] == ["Sign-in is not configured, so this Think Tank does not open"]
    assert "docs/sign-in.md" in app.code[0].value
    assert not app.title and not app.sidebar.selectbox and not app.warning


def test_a_deployed_dashboard_with_sign_in_opens(app, monkeypatch):
    monkeypatch.setenv(DEPLOYED_ENV, "1")
    signed_in(app, email=ANALYST, email_verified=True).run()
    assert not app.error and [title.value for title in app.title] == ["Balanced scorecard"]


def test_someone_not_signed_in_sees_only_the_sign_in(app):
    app.secrets = AUTH
    app.user = {"is_logged_in": False}
    app.run()
    assert [title.value for title in app.title] == ["Think Tank"]
    assert [button.label for button in app.button] == ["Sign in"]
    assert not app.sidebar.selectbox and not app.warning


def test_a_signed_in_user_is_the_actor_whatever_the_picker_s_state_says(app):
    signed_in(app, email="JO.Analyst@durham.gov.uk", email_verified=True)
    app.session_state[IDENTITY_KEY] = "local-admin"
    app.run()
    assert not app.exception and [title.value for title in app.title] == ["Balanced scorecard"]
    assert "Jo Analyst" in texts(app)
    assert "Think Tank analyst" in [caption.value for caption in app.sidebar.caption]
    assert [button.label for button in app.sidebar.button] == ["Sign out"]
    assert not app.sidebar.selectbox and not app.sidebar.warning
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/users.py")
    app.run()
    signs = audit_entries(store().cursor()).query("action == 'sign-in'")
    assert signs[["actor", "outcome"]].values.tolist() == [[ANALYST, "signed in"]]


def test_an_unknown_address_may_ask_for_access_and_sees_nothing_else(app):
    signed_in(app, email="sam@police.uk", email_verified=True, name="Sam Smith")
    app.run()
    assert [title.value for title in app.title] == ["Request access to Think Tank"]
    assert app.text_input[0].value == "Sam Smith"
    app.selectbox[0].select("police")
    app.text_area[0].input("I send the police's quarterly return")
    app.button[0].click().run()
    (success,) = app.success
    assert success.value.startswith("Your request is with the admins")
    (request,) = accounts.access_requests(store().cursor(), LOCAL_ADMIN).itertuples()
    assert (request.email, request.agency_id) == ("sam@police.uk", "police")
    signs = audit_entries(store().cursor()).query("action == 'sign-in'")
    assert signs["outcome"].tolist() == ["refused (unknown)"] and not app.sidebar.selectbox


@pytest.mark.parametrize("claims", [{"email_verified": False}, {"xms_edov": False}, {"email_verified": "false"}])
def test_an_address_the_provider_has_not_verified_is_not_a_user(app, claims):
    signed_in(app, email=ANALYST, **claims).run()
    assert [title.value for title in app.title] == ["Think Tank cannot tell who you are"]
    assert not app.text_area
    signs = audit_entries(store().cursor()).query("action == 'sign-in'")
    assert signs["outcome"].tolist() == ["refused (email not verified)"]


def test_an_admin_changes_a_user_s_role_and_cannot_deactivate_the_last_admin(app):
    app.session_state[IDENTITY_KEY] = "local-admin"
    app.run()
    cursor = store().cursor()
    accounts.add_user(cursor, LOCAL_ADMIN, "ali@durham.gov.uk", "Ali Khan", "admin", None, utc_now())
    accounts.add_user(cursor, LOCAL_ADMIN, "sam@police.uk", "Sam Smith", "agency_uploader", "police", utc_now())
    app.switch_page("views/users.py").run()
    assert app.selectbox(key="new-agency").value == "" and app.selectbox(key="new-agency").format_func("") == (
        "No agency (not an uploader)")
    app.selectbox(key="change-email").select("sam@police.uk").run()
    assert (app.selectbox(key="change-role").value, app.selectbox(key="change-agency").value) == (
        "agency_uploader", "police")
    app.selectbox(key="change-role").select("analyst")
    next(button for button in app.button if button.label == "Save the change").click().run()
    assert [message.value for message in app.success] == ["Sam Smith is now Think Tank analyst."]
    assert accounts.user_for_email(cursor, "sam@police.uk").agency_id is None
    app.selectbox(key="change-email").select("ali@durham.gov.uk").run()
    next(button for button in app.button if button.label == "Deactivate").click().run()
    assert [error.value for error in app.error] == ["ali@durham.gov.uk is the last admin and cannot be deactivated"]
