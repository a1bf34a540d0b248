"""The Theme page's evidence through Streamlit's AppTest: both origins shown as text (no link or
image in it renders), an analyst adds and deletes evidence, a PLG member only reads it."""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st
from conftest import dashboard_app
from returns_support import csv_return, send

from thinktank import narrative
from thinktank.periods import Quarter
from thinktank.store import Store
from thinktank.users import LOCAL_ANALYST, LOCAL_PLG_MEMBER

QUARTER = Quarter(2024, 1)
NOW = dt.datetime(2026, 5, 20, 10, 0)
LINK = "[Read the audit](https://evil.example/audit)"
IMAGE = "![tracker](https://evil.example/pixel.png)"
BARE = "Full report at https://evil.example/report and <b>bold</b>"


@pytest.fixture
def app(monkeypatch, settings):
    with Store.open(settings) as opened:
        send(opened, csv_return("FD06,2024-25 Q1,All,All,,,1180,"), confirm=True)
        cursor = opened.cursor()
        (submission_id,) = cursor.execute("SELECT max(id) FROM submissions").fetchone()
        cursor.execute(
            "INSERT INTO evidence (submission_id, theme_id, source, signs_of_safety, title, detail, period, "
            "source_row) VALUES (?, 'front_door', 'audit', 'worried', ?, ?, '2024-25 Q1', 2)",
            [submission_id, LINK, IMAGE])
        narrative.add_evidence(cursor, LOCAL_ANALYST, "front_door", QUARTER, "voice_of_child", "working_well",
                               "Young people's panel", BARE, "childrens_social_care", NOW)
    app_test = dashboard_app(monkeypatch, settings, timeout=60)
    app_test.query_params["theme"] = "front_door"
    app_test.query_params["period"] = QUARTER.label
    app_test.switch_page("views/theme.py")
    yield app_test
    st.cache_resource.clear()


def texts(app_test) -> list[str]:
    return [element.value for element in app_test.text]


def markdown(app_test) -> str:
    return " ".join(element.value for element in [*app_test.markdown, *app_test.caption])


def test_evidence_of_both_origins_is_shown_as_text_so_no_link_or_image_renders(app):
    app.run()
    assert not app.exception
    assert {LINK, IMAGE, "Young people's panel", BARE} <= set(texts(app))
    # Nothing an agency or an analyst wrote reaches Markdown, where a link, an image or a bare
    # address would render.
    assert "evil.example" not in markdown(app)
    captions = [element.value for element in app.caption]
    assert "Audit · Police · Sent with a return" in captions
    assert "Voice of the child · Children's social care · Entered in the app by Local analyst" in captions


def test_an_analyst_adds_evidence_and_deletes_it_and_the_deletion_is_listed(app):
    app.run()
    (title,) = [field for field in app.text_input if field.label == "Title"]
    title.input("Audit of 20 strategy meetings")
    (found,) = [field for field in app.text_area if field.label == "What it found"]
    found.input("Police attended every one.")
    (heading,) = [field for field in app.selectbox if field.label == "Signs of Safety heading"]
    heading.select("working_well")
    (add,) = [button for button in app.button if button.label == "Add the evidence"]
    add.click().run()
    assert not app.exception
    assert {"Audit of 20 strategy meetings", "Police attended every one."} <= set(texts(app))

    deletes = [button for button in app.button if button.label == "Delete"]
    assert len(deletes) == 2  # the two entered in the app; the return's evidence is the agency's
    (added,) = [button for button in deletes if button.key == "delete-entered-2"]
    added.click().run()
    assert not app.exception
    assert "Audit of 20 strategy meetings" not in texts(app)
    assert "Young people's panel" in texts(app)
    assert any(expander.label == "Evidence deleted from this theme and quarter (1)" for expander in app.expander)


def test_a_refused_entry_is_shown_with_what_to_do(app):
    app.run()
    (add,) = [button for button in app.button if button.label == "Add the evidence"]
    add.click().run()
    assert not app.exception
    assert [element.value for element in app.error] == ["The evidence needs a title"]


def test_a_plg_member_reads_the_evidence_without_a_control_to_change_it(app):
    app.session_state["acting_as"] = LOCAL_PLG_MEMBER.id
    app.run()
    assert not app.exception
    assert {LINK, "Young people's panel"} <= set(texts(app))
    labels = {button.label for button in app.button}
    assert not labels & {"Delete", "Add the evidence"}
