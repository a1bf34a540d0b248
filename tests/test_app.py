"""The app as a person uses it, through Streamlit's AppTest (no browser)."""

import pytest
import streamlit as st
from conftest import dashboard_app, replace_in

THEME_NAMES = [
    "Early Help & Prevention", "Front Door & MASH", "Assessment & Children in Need",
    "Child Protection", "Children in Care & Care Leavers", "Domestic Abuse",
    "Harm Outside the Home", "Neglect & Cumulative Harm", "Education, Inclusion & SEND",
    "Health & Wellbeing", "Voice & Lived Experience", "Workforce & Learning",
]


@pytest.fixture
def app(monkeypatch, editable_settings):
    # These tests are about the catalogue; the scorecard, the default page, has its own.
    yield dashboard_app(monkeypatch, editable_settings).switch_page("views/catalogue.py")
    st.cache_resource.clear()


def texts(app_test) -> str:
    return "\n".join(element.value for element in app_test.markdown) + "\n".join(
        element.value for element in app_test.info
    )


def test_first_start_builds_the_database_and_shows_all_twelve_themes(app, editable_settings):
    assert not editable_settings.database_path.exists()
    app.run()
    assert not app.exception
    assert editable_settings.database_path.exists()
    shown = texts(app)
    for number, name in enumerate(THEME_NAMES, start=1):
        assert f"**{number}. {name}**" in shown
    assert "**91 indicators** match." in shown


def test_search_narrows_the_indicators_and_shows_the_definition(app):
    app.run()
    app.text_input(key="catalogue_search").input("re-referrals").run()
    assert "**1 indicator** match." in texts(app)
    assert app.subheader[0].value == "FD04: Re-referrals within 12 months of a previous referral"
    assert "at most 20.0% (amber up to 23.0%)" in texts(app)


def test_a_theme_card_filters_to_its_indicators(app):
    app.run()
    app.button(key="theme_button_front_door").click().run()
    assert app.selectbox(key="catalogue_theme").value == "front_door"
    assert "**7 indicators** match." in texts(app)


def test_retired_indicators_are_shown_as_retired(app):
    app.run()
    app.selectbox(key="catalogue_status").select("retired").run()
    assert "**1 indicator** match." in texts(app)
    assert app.warning[0].value == "Retired from 2025-26 Q1: no longer collected."


def test_a_rate_says_what_population_it_is_per_and_any_carried_forward_year(app):
    app.run()
    app.text_input(key="catalogue_search").input("CP02").run()
    info = app.info[0].value
    assert "Per 10,000 children aged 0-17: 98,957 in 2023-24" in info
    assert "the 2023-24 figure (98,957) is used" in info


def test_nothing_matching_says_how_to_widen_the_search(app):
    app.run()
    app.text_input(key="catalogue_search").input("zzzz nothing").run()
    assert not app.exception
    assert "Nothing matches" in app.info[0].value


def test_a_broken_catalogue_is_shown_as_an_error_with_the_file_and_line(app, editable_settings):
    replace_in(editable_settings.catalogue_dir / "05-children-in-care.yaml", "owner: hdft", "owner: hdtf")
    app.run()
    assert not app.exception
    assert app.error[0].value == "The indicator catalogue has 1 problem"
    assert "indicators/05-children-in-care.yaml, line " in app.code[0].value
    assert "owner 'hdtf' is not in partnership/agencies.yaml (did you mean 'hdft'?)" in app.code[0].value


def test_the_upload_page_offers_the_agencys_template(app):
    app.switch_page("views/upload.py").run()
    assert not app.exception
    app.selectbox(key="upload_agency").select("police").run()
    assert any("**7 indicators** Police sends" in element.value for element in app.markdown)
    labels = [button.label for button in app.get("download_button")]
    assert labels == ["Template (Excel)", "Template (csv)"]


def test_the_submissions_page_shows_completeness_and_an_empty_history(app):
    app.switch_page("views/submissions.py").run()
    assert not app.exception
    assert [element.value for element in app.subheader] == ["Completeness", "Every version received"]
    assert "No returns have been stored yet" in app.info[0].value
