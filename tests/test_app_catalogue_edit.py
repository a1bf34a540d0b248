"""The Change the catalogue page, as an analyst uses it: a target changed from a quarter, checked,
previewed and saved; offered to analysts and admins only."""

from __future__ import annotations

import pytest
import streamlit as st
from conftest import dashboard_app

from thinktank.periods import Quarter
from thinktank.store import Store
from thinktank.users import LOCAL_ADMIN, LOCAL_ANALYST, LOCAL_PLG_MEMBER, demo_agency_user
from views.common import offered, store

PAGE = "views/catalogue_edit.py"
FROM = Quarter(2025, 1)


@pytest.fixture
def page(monkeypatch, settings):
    Store.open(settings).close()

    def opened(user_id: str = LOCAL_ANALYST.id, **links: str):
        app_test = dashboard_app(monkeypatch, settings, timeout=60)
        app_test.session_state["acting_as"] = user_id
        # Run once first: the page's address is not its file's name, so AppTest finds it only among
        # the pages the app has registered.
        app_test.run()
        for name, value in links.items():
            app_test.query_params[name] = value
        app_test.switch_page(PAGE)
        return app_test.run()

    yield opened
    st.cache_resource.clear()


def test_the_page_is_offered_to_analysts_and_admins_only():
    assert offered(PAGE, LOCAL_ANALYST) and offered(PAGE, LOCAL_ADMIN)
    assert not offered(PAGE, LOCAL_PLG_MEMBER) and not offered(PAGE, demo_agency_user("police"))


def test_an_analyst_changes_a_target_from_a_quarter_checks_it_and_saves_it(page, settings):
    app_test = page(indicator="FD02")
    assert not app_test.exception
    app_test.selectbox(key="change-effective").set_value(FROM.label).run()
    prefix = f"change-FD02-{FROM.index}"
    assert app_test.number_input(key=f"{prefix}-target-value").value == 90
    app_test.number_input(key=f"{prefix}-target-value").set_value(95.0)
    next(button for button in app_test.button if button.label == "Check the change").click().run()
    assert not app_test.exception and not app_test.error
    difference = app_test.dataframe[0].value
    assert difference.iloc[0].tolist() == [
        "FD02 Contacts with a decision within one working day: Target",
        "value 90, amber tolerance 5", "value 95, amber tolerance 5"]
    assert any("No quarter's rating against target changes." in item.value for item in app_test.markdown)
    app_test.text_input(key=f"{prefix}-reason").set_value("Target agreed by the PLG").run()
    app_test.button(key=f"{prefix}-save").click().run()
    assert not app_test.exception
    assert app_test.success[0].value.startswith("Saved. Changed from 2025-26 Q1: FD02")
    held = store().catalogue  # the store the app holds
    assert held.definition_in_force("FD02", FROM.previous()).target.value == 90
    assert held.definition_in_force("FD02", FROM).target.value == 95


def test_a_problem_in_the_form_is_named_by_its_field_and_nothing_is_saved(page):
    app_test = page(indicator="FD02")
    prefix = f"change-FD02-{Quarter.parse(app_test.selectbox(key='change-effective').value).index}"
    app_test.text_input(key=f"{prefix}-name").set_value("[a link](http://example.org)")
    next(button for button in app_test.button if button.label == "Check the change").click().run()
    assert app_test.error[0].value.startswith("Not saved: 1 problem")
    problems = app_test.dataframe[0].value["Problem"].tolist()
    assert problems == ["Name: name: must be plain text: take out [ ] (a page would read them as formatting)"]
    assert not [button for button in app_test.button if button.label == "Save the change"]
