"""The Agencies page's actions through Streamlit's AppTest: the owner agency sees the actions the
headlines gave it, with their status in words and latest note, and progress is recorded on them
as the acting user."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import streamlit as st
from conftest import dashboard_app
from scorecard_support import put, quarterly
from streamlit.testing.v1.element_tree import Block

from thinktank.headlines import actions, record
from thinktank.periods import Quarter
from thinktank.store import Store
from thinktank.users import LOCAL_ANALYST, LOCAL_PLG_MEMBER

START, LATEST = Quarter(2024, 1), Quarter(2025, 4)
RAISED = Quarter(2025, 2)
NOW = dt.datetime(2026, 5, 20, 10, 0)
AGENCY = "childrens_social_care"


@pytest.fixture
def action_ids(settings) -> dict[str, int]:
    """Children's social care's actions: one overdue, one done, one raised in the latest quarter;
    and one for the police, which its page does not show."""
    with Store.open(settings) as opened:
        put(opened, quarterly("FD04", [20.1, 19.8, 20.3, 19.9, 20.2, 20.0, 25.4, 26.0], START))
        cursor = opened.cursor()

        def needs(period: Quarter, text: str) -> int:
            return record.add_statement(cursor, LOCAL_ANALYST, period, "front_door", "needs_to_happen", text, NOW)

        earlier = needs(RAISED, "Audit the re-referrals")
        latest = needs(LATEST, "Review the MASH threshold")
        ids = {
            "overdue": actions.raise_action(cursor, LOCAL_ANALYST, earlier, "Audit 20 re-referrals **now**",
                                            AGENCY, RAISED.next(), NOW),
            "done": actions.raise_action(cursor, LOCAL_ANALYST, earlier, "Report the audit to PLG", AGENCY,
                                         LATEST, NOW),
            "latest": actions.raise_action(cursor, LOCAL_ANALYST, latest, "Review the MASH threshold", AGENCY,
                                           LATEST.next(), NOW + dt.timedelta(days=1)),
            "police": actions.raise_action(cursor, LOCAL_ANALYST, earlier, "Share the police's view", "police",
                                           LATEST, NOW),
        }
        actions.update_action(cursor, LOCAL_ANALYST, ids["done"], "done", "Reported in May [link](http://x.invalid)",
                              NOW + dt.timedelta(hours=1))
    return ids


@pytest.fixture
def app(monkeypatch, settings, action_ids):
    app_test = dashboard_app(monkeypatch, settings, timeout=60)
    app_test.query_params["agency"] = AGENCY
    app_test.query_params["period"] = LATEST.label
    app_test.switch_page("views/agencies.py")
    yield app_test
    st.cache_resource.clear()


def action_cards(app_test) -> list[dict[str, str]]:
    """Each action's card as a person reads it: its text, what it is about, its latest note and
    the words on its status badge."""
    cards = [block for block in app_test.main.children.values()
             if isinstance(block, Block) and block.proto.flex_container.border]
    read = []
    for card in cards:
        text, note, badge = (element.value for element in card.get("markdown"))
        (about,) = (element.value for element in card.get("caption"))
        read.append({"text": text, "about": about, "note": note,
                     "status": re.fullmatch(r":\w+-badge\[:material/\w+: (.+)\]", badge).group(1)})
    return read


def save_progress(app_test, action_id: int, status: str, note: str) -> None:
    app_test.radio(key=f"progress-status-{action_id}").set_value(status)
    app_test.text_area(key=f"progress-note-{action_id}").input(note)
    next(button for button in app_test.button
         if button.label == "Save the progress" and button.proto.form_id == f"progress-{action_id}").click().run()


def test_the_owner_agency_sees_its_actions_with_their_status_in_words_and_latest_note(app):
    app.run()
    assert not app.exception
    cards = action_cards(app)
    assert [(card["text"], card["about"], card["status"]) for card in cards] == [
        ("Audit 20 re-referrals \\*\\*now\\*\\*", "Front Door & MASH · raised in 2025-26 Q2 · due by 2025-26 Q3",
         "Overdue"),
        ("Report the audit to PLG",
         "Front Door & MASH · raised in 2025-26 Q2 · due by 2025-26 Q4", "Done"),
        ("Review the MASH threshold", "Front Door & MASH · raised in 2025-26 Q4 · due by 2026-27 Q1", "In progress"),
    ]
    assert cards[1]["note"] == "**Latest note** (20 May 2026, Local analyst): Reported in May \\[link\\](http\u2060://x.invalid)"
    assert "**1** In progress · **1** Done · **1** Overdue" in [element.value for element in app.markdown]


def test_a_quarter_shows_the_actions_raised_by_then_as_they_stood_then(app):
    app.query_params["period"] = RAISED.next().label
    app.run()
    assert not app.exception
    assert [(card["text"], card["status"]) for card in action_cards(app)] == [
        ("Audit 20 re-referrals \\*\\*now\\*\\*", "In progress"), ("Report the audit to PLG", "Done")]


def test_an_analyst_records_progress_on_an_action(app, settings, action_ids):
    app.run()
    save_progress(app, action_ids["overdue"], "done", "Audited 20 re-referrals: *thresholds* applied unevenly")
    assert not app.exception
    assert app.success[0].value == "Progress recorded (Done): Audit 20 re-referrals \\*\\*now\\*\\*"
    overdue = action_cards(app)[0]
    assert overdue["status"] == "Done"
    assert overdue["note"].endswith("Local analyst): Audited 20 re-referrals: \\*thresholds\\* applied unevenly")
    with Store.open(settings) as opened:
        stored = actions.actions(opened.cursor(), LOCAL_ANALYST, LATEST, agency_id=AGENCY).set_index("id").loc[action_ids["overdue"]]
    assert (stored["status"], stored["updated_by"]) == ("done", LOCAL_ANALYST.id)


def test_a_refused_update_is_shown_with_its_hint(app, action_ids):
    app.run()
    save_progress(app, action_ids["overdue"], "done", "   ")
    assert not app.exception
    assert app.error[0].value == "The text is empty"
    assert "Say in a sentence" in app.code[0].value
    assert action_cards(app)[0]["status"] == "Overdue"


def test_a_plg_member_reads_the_actions_with_no_form_to_update_them(app):
    app.session_state["acting_as"] = LOCAL_PLG_MEMBER.id
    app.run()
    assert not app.exception
    assert len(action_cards(app)) == 3
    assert not app.get("form")
    assert any(caption.value.startswith("The Think Tank's analysts and people from Children's social care")
               for caption in app.caption)


def test_an_agency_without_actions_by_the_quarter_says_so(app):
    app.query_params["agency"] = "police"
    app.query_params["period"] = RAISED.previous().label  # the police's action is raised a quarter later
    app.run()
    assert not app.exception
    assert any(caption.value == "The headlines to 2025-26 Q1 raised no action for Police." for caption in app.caption)
    assert not action_cards(app)
