"""The Problem codes page: every code from the same entries as docs/rules.md, a link opening on
one code, and example messages shown as text."""

import pytest
import streamlit as st
from conftest import dashboard_app

from thinktank.docs import rule_entries


@pytest.fixture
def rules_page(monkeypatch, settings):
    yield dashboard_app(monkeypatch, settings, timeout=120).switch_page("views/rules.py")
    st.cache_resource.clear()


def test_every_code_is_listed_with_its_example_message_as_text(rules_page):
    rules_page.run()
    assert not rules_page.exception
    entries = rule_entries()
    headings = [element.value for element in rules_page.subheader]
    assert headings == [f"{entry.code}: {entry.title}" for entry in entries]
    assert [element.anchor for element in rules_page.subheader] == [entry.code for entry in entries]
    # st.text, not Markdown: what the example's user typed stays as typed.
    assert [element.value for element in rules_page.text] == [entry.example_message for entry in entries]


def test_a_link_to_a_code_opens_on_it_first(rules_page):
    rules_page.query_params["code"] = "r213"
    rules_page.run()
    first = rules_page.subheader[0]
    assert (first.value, first.anchor) == ("R213: Value disagrees with numerator and denominator", "R213")
    assert [element.anchor for element in rules_page.subheader].count("R213") == 1
    assert rules_page.text[0].value.startswith("The value 45 does not match 46 / 100")


def test_a_link_to_an_unknown_code_says_so_and_lists_every_code(rules_page):
    rules_page.query_params["code"] = "R999"
    rules_page.run()
    assert "'R999', which is not a problem code" in rules_page.warning[0].value
    assert len(rules_page.subheader) == len(rule_entries())
