"""The Indicator page's commentary through Streamlit's AppTest: the three questions for the chosen
quarter, an answer per agency that feeds the indicator, shown as text, written, edited and
deleted by an analyst with every version listed, and read-only for a PLG member."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import streamlit as st
from conftest import dashboard_app
from scorecard_support import figure, put, quarterly

from thinktank import indicator_commentary
from thinktank.periods import Quarter
from thinktank.store import Store
from thinktank.users import LOCAL_ANALYST, LOCAL_PLG_MEMBER

START, LATEST = Quarter(2024, 1), Quarter(2025, 4)
NOW = dt.datetime(2026, 5, 20, 10, 0)
LINKED = "See [the audit](https://evil.example/audit) ![x](https://evil.example/x.png)"


@pytest.fixture
def app(monkeypatch, settings):
    with Store.open(settings) as opened:
        put(opened, [*quarterly("AS04", [100] * 8, START),
                     figure("AS05", LATEST, value=40.0, numerator=40, denominator=100)])
        indicator_commentary.save(opened.cursor(), LOCAL_ANALYST, "AS05", LATEST, "tells_us", LINKED, NOW)
    app_test = dashboard_app(monkeypatch, settings, timeout=60)
    app_test.query_params["indicator"] = "AS05"
    app_test.query_params["period"] = LATEST.label
    app_test.switch_page("views/indicator.py")
    yield app_test
    st.cache_resource.clear()


def texts(app_test) -> list[str]:
    """The answers shown now: text outside the list of every version."""
    shown = Counter(element.value for element in app_test.text)
    for expander in app_test.expander:
        if expander.label.startswith("Every version"):
            shown.subtract(element.value for element in expander.text)
    return [text for text, count in shown.items() if count > 0]


def save_button(app_test, form: str):
    return next(button for button in app_test.button if button.label == "Save" and button.proto.form_id == form)


def test_the_three_questions_with_an_answer_box_for_each_feeding_agency(app):
    app.run()
    assert not app.exception
    headings = [element.value for element in app.subheader]
    questions = [heading for heading in headings if heading.endswith("?")]
    assert questions == ["What does this tell us?", "So what for children?", "What does it mean for each agency?"]
    # AS05 is the ICB's, over the assessments children's social care counts (AS04).
    agencies = [element.value for element in app.markdown if element.value in {"**ICB**", "**Children's social care**"}]
    assert agencies == ["**ICB**", "**Children's social care**"]


def test_an_answer_is_shown_as_text_so_no_link_or_image_renders(app):
    app.run()
    assert LINKED in texts(app)
    assert not any("evil.example" in element.value for element in [*app.markdown, *app.caption])


def test_an_analyst_edits_and_deletes_and_every_version_is_listed(app):
    app.run()
    area = next(field for field in app.text_area if field.key == "commentary-text-tells_us-all")
    area.input("Health now starts four in ten assessments.")
    save_button(app, "commentary-tells_us-all").click().run()
    assert not app.exception
    assert "Health now starts four in ten assessments." in texts(app)

    icb = next(field for field in app.text_area if field.key == "commentary-text-for_agency-icb")
    icb.input("For the ICB: keep the named GP leads.")
    save_button(app, "commentary-for_agency-icb").click().run()
    assert "For the ICB: keep the named GP leads." in texts(app)

    next(button for button in app.button if button.key == "commentary-delete-tells_us-all").click().run()
    assert not app.exception
    assert "Health now starts four in ten assessments." not in texts(app)
    (history,) = [expander for expander in app.expander if expander.label.startswith("Every version")]
    assert history.label == "Every version of this commentary (4)"
    listed = [element.value for element in history.caption]
    assert [entry.split(" by ")[0] for entry in listed] == ["Deleted", "Written", "Edited", "Written"]
    assert listed[1].endswith(": What does it mean for each agency? (ICB)")
    assert all(" by Local analyst on " in entry for entry in listed)
    assert [element.value for element in history.text] == [
        "Health now starts four in ten assessments.", "For the ICB: keep the named GP leads.",
        "Health now starts four in ten assessments.", LINKED]


def test_a_refused_answer_is_shown_with_what_to_do(app):
    app.run()
    area = next(field for field in app.text_area if field.key == "commentary-text-so_what_for_children-all")
    area.input("   ")
    save_button(app, "commentary-so_what_for_children-all").click().run()
    assert not app.exception
    assert [element.value for element in app.error] == ["The answer is empty"]


def test_a_plg_member_reads_the_commentary_without_a_control_to_change_it(app):
    app.session_state["acting_as"] = LOCAL_PLG_MEMBER.id
    app.run()
    assert not app.exception
    assert LINKED in texts(app)
    assert not [field for field in app.text_area if (field.key or "").startswith("commentary-")]
    assert not [button for button in app.button if (button.key or "").startswith("commentary-")]
