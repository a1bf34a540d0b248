"""In Chromium: signing in through a local OpenID Connect provider (oidc-provider-mock, on
127.0.0.1) lands a known analyst on the dashboard with their name and role, and an unknown address
on the request access page and nothing else."""

import secrets
import threading
import warnings
from collections.abc import Iterator

import pytest
import werkzeug.serving
from conftest import ARTIFACTS, CATALOGUE, REFERENCE, _serve
from playwright.sync_api import Page, expect

from thinktank import accounts
from thinktank.settings import Settings
from thinktank.store import Store, utc_now
from thinktank.users import LOCAL_ADMIN

pytestmark = [
    pytest.mark.browser,
    # The mock provider is written against an older Authlib, which says so on every sign-in.
    pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning"),
]

ANALYST = "jo.analyst@durham.gov.uk"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The identity provider, with the analyst as a user it vouches for (a verified address)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ...and on its import
        import oidc_provider_mock

    analyst = oidc_provider_mock.User(sub=ANALYST, claims={"email": ANALYST, "email_verified": True,
                                                           "name": "Jo from the provider"})
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(user_claims=[analyst]),
                                          threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="module")
def signed_in_app(provider, tmp_path_factory) -> Iterator[str]:
    """The dashboard with sign-in configured against the provider, and the analyst a user."""
    folder = tmp_path_factory.mktemp("sign-in")
    database = folder / "thinktank.duckdb"
    with Store.open(Settings(database, CATALOGUE, REFERENCE)) as opened:
        accounts.add_user(opened.cursor(), LOCAL_ADMIN, ANALYST, "Jo Analyst", "analyst", None, utc_now())
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "think-tank"\n'
        'client_secret = "not-a-secret-in-this-test"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    with _serve(database, folder, settings={"STREAMLIT_SECRETS_FILES": str(secrets_file)}) as url:
        yield url


def sign_in(page: Page, app: str, email: str) -> None:
    page.goto(app)
    expect(page.get_by_role("heading", name="Think Tank")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "sign-in-start-1440.png")
    page.get_by_role("button", name="Sign in").click()
    page.locator('input[name="sub"]').fill(email, timeout=30_000)
    page.get_by_role("button", name="Authorize").click()


def test_a_known_analyst_signs_in_and_lands_with_their_name_and_role(signed_in_app, page):
    sign_in(page, signed_in_app, ANALYST)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Jo Analyst")).to_be_visible(timeout=60_000)
    expect(sidebar.get_by_text("Think Tank analyst")).to_be_visible()
    expect(sidebar.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("heading", name="Balanced scorecard")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Local mode")).to_have_count(0)
    expect(sidebar.get_by_text("Acting as")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "sign-in-analyst-1440.png", full_page=True)
    # Signing out ends the session at the provider too, which asks to confirm.
    sidebar.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click(timeout=30_000)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Jo Analyst")).to_have_count(0)


def test_an_unknown_address_lands_on_request_access_and_nothing_else(signed_in_app, page):
    sign_in(page, signed_in_app, "stranger@example.com")
    expect(page.get_by_role("heading", name="Request access to Think Tank")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("You are signed in as stranger@example.com")).to_be_visible()
    expect(page.get_by_role("heading", name="Balanced scorecard")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    page.get_by_label("Your name").fill("Sam Stranger")
    page.get_by_label("Why you need access").fill("I send the police's quarterly return")
    page.get_by_role("button", name="Request access").click()
    expect(page.get_by_text("Your request is with the admins")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "sign-in-request-access-1440.png", full_page=True)
