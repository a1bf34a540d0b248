"""The Upload page checks first and stores only when asked: a drop-down changed writes nothing,
a confirmation belongs to one file, agency and quarter, and what a person typed is shown as typed."""

from __future__ import annotations

import tomllib

import pytest
from conftest import dashboard_app
from returns_support import FIXTURES, police

from thinktank.periods import Quarter
from thinktank.settings import REPO_ROOT
from views.common import store

POLICE, SOCIAL_CARE = "police", "childrens_social_care"
# Two of the quarters the page offers (the eight to 30 September 2026), and the fixtures moved
# into the first of them.
Q1, Q2 = "2025-26 Q1", "2025-26 Q2"


def in_q1(content: bytes) -> bytes:
    return content.replace(b"2024-25 Q1", Q1.encode())
# Six of the police's seven indicators and no quarter column: the page's quarter applies, and
# the missing indicator (R303) is a warning to confirm.
SIX_OF_SEVEN = (b"indicator_id,breakdown,breakdown_value,numerator,denominator,value,comment\n"
                b"FD06,All,All,,,1180,\nAS06,All,All,88,92,,\nDA01,All,All,,,1540,\nDA05,All,All,,,97.5,\n"
                b"HO01,All,All,,,410,\nHO04,All,All,,,23,\n")


@pytest.fixture
def upload_page(monkeypatch, settings):
    app = dashboard_app(monkeypatch, settings, timeout=60).switch_page("views/upload.py")
    app.run()
    assert not app.exception
    app.selectbox(key="upload_agency").select(POLICE).run()
    yield app


def choose_quarter(app, label: str) -> None:
    app.selectbox(key="upload_quarter").select(Quarter.parse(label)).run()
    assert not app.exception


def send(app, name: str, content: bytes) -> None:
    app.file_uploader(key="upload_file").upload(name, content, "text/csv").run()
    assert not app.exception


def written() -> tuple[int, int]:
    """Audit entries of returns sent, and submissions, in the page's own store (the store's own
    catalogue sync on opening is audited too, and is not a return)."""
    return store().cursor().execute(
        "SELECT (SELECT count(*) FROM audit_log WHERE agency_id IS NOT NULL), (SELECT count(*) FROM submissions)"
    ).fetchone()


def store_buttons(app) -> list:
    return [button for button in app.button if "store this return" in button.label.lower()]


def test_changing_the_drop_downs_after_a_refusal_writes_nothing(upload_page):
    choose_quarter(upload_page, Q1)
    send(upload_page, "duplicate-rows.csv", in_q1((FIXTURES / "bad" / "duplicate-rows.csv").read_bytes()))
    assert "Refused" in upload_page.error[0].value and not store_buttons(upload_page)
    assert written() == (1, 0)  # the refusal of a file sent is recorded, once
    choose_quarter(upload_page, Q2)
    upload_page.selectbox(key="upload_agency").select(SOCIAL_CARE).run()
    choose_quarter(upload_page, Q1)
    assert written() == (1, 0)


def test_a_clean_return_is_stored_once_and_only_when_the_button_is_pressed(upload_page):
    choose_quarter(upload_page, Q1)
    send(upload_page, "police.csv", in_q1(police()))
    assert "Nothing is stored until you store it" in upload_page.info[0].value
    assert written() == (0, 0)  # a clean check writes nothing
    (button,) = store_buttons(upload_page)
    assert button.label == f"Store this return for Police, {Q1}"
    button.click().run()
    assert upload_page.success[0].value == f"Stored {Q1} as version 1."
    upload_page.run()
    assert written() == (1, 1) and not store_buttons(upload_page)


def test_a_confirmation_of_warnings_does_not_carry_over_to_another_quarter(upload_page):
    choose_quarter(upload_page, Q1)
    send(upload_page, "police.csv", SIX_OF_SEVEN)
    (button,) = store_buttons(upload_page)
    assert button.label.startswith("I have read the warnings")
    button.click().run()
    assert upload_page.success[0].value == f"Stored {Q1} as version 1."
    choose_quarter(upload_page, Q2)
    assert "Nothing is stored until you confirm the warnings" in upload_page.warning[0].value
    assert len(store_buttons(upload_page)) == 1
    assert written() == (1, 1)  # Q1's store only: Q2 waits for its own confirmation


def test_a_check_belongs_to_its_agency_and_a_confirmation_does_not_carry_over_to_another(upload_page):
    choose_quarter(upload_page, Q1)
    send(upload_page, "police.csv", SIX_OF_SEVEN)
    (button,) = store_buttons(upload_page)
    assert button.label == f"I have read the warnings: store this return for Police, {Q1}"
    upload_page.selectbox(key="upload_agency").select(SOCIAL_CARE).run()
    # Police's indicators, checked for children's social care: refused, and nothing to store.
    assert "Refused" in upload_page.error[0].value and not store_buttons(upload_page)
    assert upload_page.session_state["upload_check"]["choice"][1:] == (SOCIAL_CARE, Q1)
    upload_page.selectbox(key="upload_agency").select(POLICE).run()
    (button,) = store_buttons(upload_page)
    assert button.label.startswith("I have read the warnings")
    assert written() == (0, 0)  # checking for two agencies, and back, sent nothing
    button.click().run()
    assert upload_page.success[0].value == f"Stored {Q1} as version 1."
    upload_page.selectbox(key="upload_agency").select(SOCIAL_CARE).run()
    assert "Refused" in upload_page.error[0].value and not store_buttons(upload_page)
    assert written() == (1, 1)  # Police's store only


def test_another_file_for_the_same_agency_and_quarter_is_checked_afresh(upload_page):
    choose_quarter(upload_page, Q1)
    send(upload_page, "police.csv", SIX_OF_SEVEN)
    assert store_buttons(upload_page)[0].label.startswith("I have read the warnings")
    send(upload_page, "police.csv", in_q1(police()))
    (button,) = store_buttons(upload_page)
    assert button.label == f"Store this return for Police, {Q1}"  # the whole return has no warnings
    assert written() == (0, 0)


def test_a_figure_that_cannot_be_read_is_shown_as_typed_with_headers_in_words(upload_page):
    choose_quarter(upload_page, Q1)
    send(upload_page, "text-in-number.csv", in_q1((FIXTURES / "bad" / "text-in-number.csv").read_bytes()))
    problems, rows = (frame.value for frame in upload_page.dataframe)
    rows = getattr(rows, "data", rows)  # a styled table carries its frame
    assert rows.loc[7, "Value"] == "about 20"
    assert "about 20" in set(problems["Value found"])
    for frame in (problems, rows):
        assert not [header for header in frame.columns if "_" in header or header.islower()], frame.columns
    # An empty cell (no numerator, no comment) reads empty, not "None": the rows table holds text,
    # and the problems table says so (an unset placeholder also reads "", hence HasField).
    assert not rows.isna().any().any() and "None" not in rows.to_numpy()
    assert rows.loc[2, "Numerator"] == "" and rows.loc[2, "Value"] == "1,180"
    problems_table = upload_page.dataframe[0].proto
    assert problems_table.HasField("placeholder") and problems_table.placeholder == ""
    assert set(problems["Severity"]) <= {"Error", "Warning"}
    (link,) = list(upload_page.get("page_link"))
    assert "R207" in link.proto.label and link.proto.query_string == "code=R207"


def test_the_upload_box_states_the_real_limit(upload_page):
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == 25
    assert "25 MB" in upload_page.file_uploader(key="upload_file").help
    assert any("up to 25 MB" in caption.value for caption in upload_page.caption)


def test_the_upload_page_states_the_limits_in_force(monkeypatch, settings):
    monkeypatch.setenv("THINKTANK_MAX_COLUMNS", "40")
    app = dashboard_app(monkeypatch, settings, timeout=60).switch_page("views/upload.py")
    app.run()
    assert any("200,000 rows, 40 columns and 10,000 characters in a cell" in caption.value for caption in app.caption)
