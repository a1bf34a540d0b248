"""Roles, enforced in the core and simulated through every page: an agency's uploader sees and
sends its own agency's returns only, and the published scorecard; a PLG member reads the
scorecard, headlines and board pack, never a return; an analyst sees everything.

The core is tested first (a page only hides what the core refuses), then each role walks the
pages under Streamlit's AppTest on the demo partnership, by the page, by a link and by widget
state set by hand."""

from __future__ import annotations

import shutil

import pytest
import streamlit as st
from conftest import CATALOGUE, REFERENCE, dashboard_app
from navigation_support import app_pages
from returns_support import TODAY, police, send

from thinktank import narrative
from thinktank.errors import AccessDeniedError
from thinktank.headlines import actions, record
from thinktank.periods import latest_complete_quarter
from thinktank.settings import Settings
from thinktank.store import Store
from thinktank.store.returns import completeness, stored_figures, submission_history
from thinktank.templates import template_rows, version_in_force
from thinktank.users import LOCAL_ANALYST, LOCAL_PLG_MEMBER, demo_agency_user
from views.common import offered

OWN, OTHER = "childrens_social_care", "icb"
UPLOADER = demo_agency_user(OWN)
LATEST = latest_complete_quarter(TODAY)
IDENTITY_KEY = "acting_as"


@pytest.fixture(scope="module")
def demo_settings(demo_copy) -> Settings:
    return Settings(database_path=demo_copy, catalogue_dir=CATALOGUE, reference_dir=REFERENCE)


@pytest.fixture(scope="module")
def demo(demo_settings):
    with Store.open(demo_settings) as opened:
        yield opened


def refused(read) -> bool:
    try:
        read()
    except AccessDeniedError:
        return True
    return False


# The core. ---------------------------------------------------------------------------------

def test_an_uploader_reads_its_own_agencys_returns_and_no_other(demo):
    cursor = demo.cursor()
    history = submission_history(cursor, UPLOADER)
    assert not history.empty and set(history["agency_id"]) == {OWN}
    assert not stored_figures(cursor, UPLOADER, OWN, LATEST.label).empty
    assert not template_rows(cursor, UPLOADER, demo.catalogue, OWN, LATEST).empty
    for read in (lambda: submission_history(cursor, UPLOADER, OTHER),
                 lambda: stored_figures(cursor, UPLOADER, OTHER, LATEST.label),
                 lambda: template_rows(cursor, UPLOADER, demo.catalogue, OTHER, LATEST),
                 lambda: version_in_force(cursor, UPLOADER, OTHER, LATEST)):
        assert refused(read)


def test_an_uploader_sees_its_own_completeness_actions_and_evidence_only(demo):
    cursor = demo.cursor()
    quarters = [LATEST.previous(), LATEST]
    assert set(completeness(cursor, UPLOADER, demo.catalogue, quarters, 42, TODAY)["agency_id"]) == {OWN}
    assert len(set(completeness(cursor, LOCAL_ANALYST, demo.catalogue, quarters, 42, TODAY)["agency_id"])) > 5
    every_action = actions.actions(cursor, LOCAL_ANALYST, LATEST)
    assert {OWN, OTHER} <= set(every_action["owner_agency_id"])
    assert set(actions.actions(cursor, UPLOADER, LATEST)["owner_agency_id"]) == {OWN}
    assert refused(lambda: actions.actions(cursor, UPLOADER, LATEST, agency_id=OTHER))
    police_name = demo.catalogue.agency_by_id[OWN].short_name
    every_piece = narrative.quarter_evidence(cursor, LOCAL_ANALYST, LATEST)
    assert set(every_piece["agency"]) - {police_name, None}, "the demo has other agencies' evidence"
    own = narrative.quarter_evidence(cursor, UPLOADER, LATEST)
    assert set(own["agency"]) <= {police_name} and set(own["origin"]) <= {narrative.RETURN}
    assert refused(lambda: narrative.deleted_evidence(cursor, UPLOADER, "front_door", LATEST))


def test_an_uploader_reads_no_headlines_board_pack_figures_or_commentary(demo):
    cursor = demo.cursor()
    assert refused(lambda: record.statements(cursor, UPLOADER, LATEST))
    assert refused(lambda: record.pack_figures(cursor, UPLOADER, LATEST))


def test_a_plg_member_reads_no_return_and_sends_none(demo):
    cursor = demo.cursor()
    for read in (lambda: submission_history(cursor, LOCAL_PLG_MEMBER),
                 lambda: submission_history(cursor, LOCAL_PLG_MEMBER, OWN),
                 lambda: stored_figures(cursor, LOCAL_PLG_MEMBER, OWN, LATEST.label),
                 lambda: template_rows(cursor, LOCAL_PLG_MEMBER, demo.catalogue, OWN, LATEST)):
        assert refused(read)
    # Whether a return arrived is no figure of it: the PLG holds agencies to their timetable.
    assert len(set(completeness(cursor, LOCAL_PLG_MEMBER, demo.catalogue, [LATEST], 42, TODAY)["agency_id"])) > 5
    assert not record.pack_figures(cursor, LOCAL_PLG_MEMBER, LATEST).card.empty


def test_an_uploader_sends_its_own(store):
    assert send(store, police(), actor=demo_agency_user("police")).outcome == "stored"
    with pytest.raises(AccessDeniedError, match="only for your own agency"):
        send(store, police(), actor=UPLOADER)
    with pytest.raises(AccessDeniedError, match="PLG members"):
        send(store, police(), actor=LOCAL_PLG_MEMBER)


# The pages, as each role. ---------------------------------------------------------------------

@pytest.fixture
def as_role(monkeypatch, demo_settings, tmp_path):
    """The dashboard on a copy of the demo, as the given identity (the local sign-in's choice)."""
    copy = tmp_path / "thinktank.duckdb"
    shutil.copy(demo_settings.database_path, copy)

    def opened(user_id: str, page: str | None = None, **links: str):
        app_test = dashboard_app(monkeypatch, Settings(copy, CATALOGUE, REFERENCE), timeout=90)
        app_test.session_state[IDENTITY_KEY] = user_id
        for name, value in links.items():
            app_test.query_params[name] = value
        if page:
            app_test.switch_page(page)
        return app_test

    yield opened
    st.cache_resource.clear()


def page_text(app_test) -> str:
    elements = [*app_test.markdown, *app_test.caption, *app_test.title, *app_test.header, *app_test.subheader,
                *app_test.info, *app_test.warning, *app_test.error, *app_test.text]
    tables = " ".join(frame.value.to_csv() for frame in app_test.dataframe)
    return " ".join(str(element.value) for element in elements) + tables


def names_of(demo, *agency_ids: str) -> list[str]:
    return [demo.catalogue.agency_by_id[agency].short_name for agency in agency_ids]


def test_an_uploaders_submissions_page_lists_its_own_returns_only(as_role, demo):
    app_test = as_role(UPLOADER.id, "views/submissions.py").run()
    assert not app_test.exception
    (own,), (other,) = names_of(demo, OWN), names_of(demo, OTHER)
    versions = app_test.dataframe[-1].value
    assert set(versions["agency"]) == {own}
    assert other not in page_text(app_test)


def test_an_uploader_is_offered_its_own_agency_on_the_upload_page(as_role, demo):
    app_test = as_role(UPLOADER.id, "views/upload.py").run()
    assert not app_test.exception
    assert app_test.selectbox(key="upload_agency").options == names_of(demo, OWN)


def test_an_uploader_who_sets_another_agency_by_hand_is_refused_by_the_core(as_role, demo):
    app_test = as_role(UPLOADER.id, "views/upload.py")
    app_test.session_state["upload_agency"] = OTHER
    app_test.run()
    (other,) = names_of(demo, OTHER)
    shown = page_text(app_test)
    # Either the page falls back to the uploader's own agency or the core refuses: never the other's template.
    assert f"{other} has a return in force" not in shown and f"indicators** {other}" not in shown
    assert not app_test.exception
    if app_test.selectbox(key="upload_agency").value != OWN:
        assert any("only your own agency" in error.value for error in app_test.error)


def test_an_uploader_following_a_link_to_another_agency_sees_its_published_figures_only(as_role, demo):
    app_test = as_role(UPLOADER.id, "views/agencies.py", agency=OTHER, period=LATEST.label).run()
    assert not app_test.exception
    (other,) = names_of(demo, OTHER)
    assert app_test.title[0].value == other
    assert sum("actions and returns are seen by" in caption.value for caption in app_test.caption) == 2
    assert not any(frame.value.columns.tolist()[:2] == ["Quarter", "Due"] for frame in app_test.dataframe)


def test_an_uploader_sees_its_own_agencys_actions(as_role, demo):
    app_test = as_role(UPLOADER.id, "views/agencies.py", agency=OWN, period=LATEST.label).run()
    assert not app_test.exception
    assert not any("actions and returns are seen by" in caption.value for caption in app_test.caption)


def test_an_uploader_is_not_offered_the_headlines_and_a_link_to_them_shows_none(as_role, demo):
    app_test = as_role(UPLOADER.id).run()
    assert not app_test.exception
    statements = record.statements(demo.cursor(), LOCAL_ANALYST, LATEST)["body"].tolist()
    for page in ("views/headlines.py", "views/board_pack.py"):
        linked = as_role(UPLOADER.id)
        try:
            linked.switch_page(page)
            linked.run()
        except Exception as error:  # AppTest itself refuses a page the navigation does not hold
            assert "not" in str(error).lower()
            continue
        shown = page_text(linked)
        assert not any(body in shown for body in statements)


def test_an_uploaders_theme_page_shows_its_own_agencys_evidence_only(as_role, demo):
    own_evidence = narrative.quarter_evidence(demo.cursor(), UPLOADER, LATEST)
    theme = own_evidence["theme_id"].iloc[0] if not own_evidence.empty else "front_door"
    everyone = narrative.theme_evidence(demo.cursor(), LOCAL_ANALYST, theme, LATEST)
    others = everyone[everyone["agency"] != names_of(demo, OWN)[0]]
    assert not others.empty, "the theme carries another agency's evidence to hide"
    app_test = as_role(UPLOADER.id, "views/theme.py", theme=theme, period=LATEST.label).run()
    assert not app_test.exception
    shown = [element.value for element in app_test.text]
    assert not set(others["title"]) & set(shown)


def test_a_plg_member_sees_completeness_but_no_version_and_is_not_offered_upload(as_role, demo):
    app_test = as_role(LOCAL_PLG_MEMBER.id, "views/submissions.py").run()
    assert not app_test.exception
    assert len(app_test.dataframe) == 1  # completeness, not the versions with their files
    assert any("Each agency sees the versions it sent" in caption.value for caption in app_test.caption)
    upload = as_role(LOCAL_PLG_MEMBER.id)
    try:
        upload.switch_page("views/upload.py")
        upload.run()
    except Exception as error:
        assert "not" in str(error).lower()
    else:
        assert not upload.get("file_uploader")


def test_an_analyst_sees_every_agencys_returns(as_role, demo):
    app_test = as_role(LOCAL_ANALYST.id, "views/submissions.py").run()
    assert not app_test.exception
    assert len(set(app_test.dataframe[-1].value["agency"])) > 5
    upload = as_role(LOCAL_ANALYST.id, "views/upload.py").run()
    assert len(upload.selectbox(key="upload_agency").options) > 5


@pytest.mark.parametrize("user_id", [UPLOADER.id, LOCAL_PLG_MEMBER.id])
def test_every_page_offered_to_a_role_opens_for_it(as_role, user_id):
    """Every page in the navigation a role is offered runs for it without a problem: no page links
    to one the role is not offered, and none asks the core for what the role may not read."""
    user = {UPLOADER.id: UPLOADER, LOCAL_PLG_MEMBER.id: LOCAL_PLG_MEMBER}[user_id]
    scripts = sorted({script for script in app_pages().values() if offered(script, user)})
    assert ("views/headlines.py" in scripts) == (user is LOCAL_PLG_MEMBER)
    assert ("views/upload.py" in scripts) == (user is UPLOADER)
    for script in scripts:
        app_test = as_role(user_id, script, period=LATEST.label).run()
        assert not app_test.exception, script
        assert not [error.value for error in app_test.error], script
