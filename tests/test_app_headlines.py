"""The Headlines page through Streamlit's AppTest: an analyst drafts, edits, scales and signs
off; a PLG member reads the same headlines without a control to change them."""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st
from conftest import dashboard_app
from scorecard_support import put, quarterly

from thinktank.headlines import record
from thinktank.periods import Quarter
from thinktank.store import Store
from thinktank.users import LOCAL_ANALYST, LOCAL_PLG_MEMBER

START, LATEST = Quarter(2024, 1), Quarter(2025, 4)
NOW = dt.datetime(2026, 5, 20, 10, 0)


@pytest.fixture
def app(monkeypatch, settings):
    with Store.open(settings) as opened:
        put(opened, quarterly("FD04", [20.1, 19.8, 20.3, 19.9, 20.2, 20.0, 25.4, 26.0], START))
    app_test = dashboard_app(monkeypatch, settings, timeout=60)
    app_test.query_params["period"] = LATEST.label
    app_test.switch_page("views/headlines.py")
    yield app_test
    st.cache_resource.clear()


def texts(app_test) -> list[str]:
    return [element.value for element in app_test.markdown]


def button(app_test, label: str):
    (found,) = [candidate for candidate in app_test.button if candidate.label == label]
    return found


def scale_button(app_test, key: str):
    return next(candidate for candidate in app_test.button
                if candidate.label == "Save the scale" and candidate.proto.form_id == f"scale-{key}")


def test_an_analyst_drafts_edits_scales_and_marks_the_quarter_ready(app, settings):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Quarterly headlines: 2025-26 Q4"
    assert any(text.startswith("**Draft**, version 1") for text in texts(app))
    button(app, "Draft from the data").click().run()
    assert not app.exception
    assert any(text.startswith("Re-referrals within 12 months of a previous referral rose to 26.0%")
               for text in texts(app))
    # Beside the worry, the questions the catalogue says the PLG should ask.
    assert any("Is the rise in re-referrals concentrated in one locality" in caption.value for caption in app.caption)

    statement_area = next(area for area in app.text_area if area.key and area.key.startswith("text-"))
    statement_area.input("Re-referrals rose to 26.0%: for children, needs not met the first time.")
    statement_form_save = next(candidate for candidate in app.button if candidate.label == "Save")
    statement_form_save.click().run()
    assert not app.exception
    assert any("for children, needs not met the first time" in text for text in texts(app))

    app.slider(key="score-front_door").set_value(3)
    app.text_area(key="reason-front_door").input("Re-referrals are above target and rising.")
    scale_button(app, "front_door").click().run()
    assert not app.exception
    assert [metric.value for metric in app.metric if metric.label == "Scale"][1] == "3 out of 10"

    button(app, "Mark ready for PLG").click().run()
    assert not app.exception
    assert any(text.startswith("**Ready for PLG**, version 1") for text in texts(app))
    with Store.open(settings) as opened:
        assert record.sign_off(opened.cursor(), LATEST).state == "ready"
        assert "for children, needs not met" in " ".join(record.statements(opened.cursor(), LOCAL_ANALYST, LATEST)["body"])


def test_a_plg_member_reads_the_headlines_with_no_control_to_change_them(app, settings):
    with Store.open(settings) as opened:
        record.add_statement(opened.cursor(), LOCAL_ANALYST, LATEST, "front_door", "worried",
                             "Re-referrals are the worry ![x](http://example.invalid/x.png)", NOW)
    app.session_state["acting_as"] = LOCAL_PLG_MEMBER.id
    app.run()
    assert not app.exception
    assert any("Re-referrals are the worry !\\[x\\](http" in text for text in texts(app))
    labels = {candidate.label for candidate in app.button}
    assert not labels & {"Draft from the data", "Mark ready for PLG", "Save", "Delete", "Save the scale"}


def test_a_refused_change_is_shown_with_its_hint(app):
    app.run()
    app.text_area(key="reason-partnership").input("   ")
    scale_button(app, "partnership").click().run()
    assert not app.exception
    assert app.error[0].value == "A scale needs its reason"
    assert "why this number" in app.code[0].value


def test_an_analyst_links_evidence_to_a_statement_and_it_shows_beside_it(app, settings):
    from thinktank import narrative

    with Store.open(settings) as opened:
        worry = record.add_statement(opened.cursor(), LOCAL_ANALYST, LATEST, "front_door", "worried",
                                     "Re-referrals are the worry.", NOW)
        narrative.add_evidence(opened.cursor(), LOCAL_ANALYST, "front_door", LATEST, "audit", "worried",
                               "Audit of 20 re-referred families", "Half had no step-down plan.", None, NOW)
    app.run()
    assert not app.exception
    next(candidate for candidate in app.button
         if candidate.label == "Link the evidence" and candidate.proto.form_id == f"link-{worry}").click().run()
    assert not app.exception
    assert any(caption.value.endswith("Evidence: Audit of 20 re-referred families (Audit)") for caption in app.caption)
    with Store.open(settings) as opened:
        assert narrative.linked_evidence(opened.cursor(), [worry])["title"].tolist() == [
            "Audit of 20 re-referred families"]
