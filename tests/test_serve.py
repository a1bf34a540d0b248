"""`make run` (scripts/serve.py): the database made ready in the terminal before the server takes
anyone, the demo's progress said there, and the first page's figures cached in the process."""

import runpy
import sys

import pytest
import streamlit as st
from conftest import CATALOGUE, DEMO_TODAY, REFERENCE
from streamlit.testing.v1 import AppTest
from streamlit.web import cli

from thinktank import demo, first_start, scorecard
from thinktank.settings import (
    CATALOGUE_ENV,
    DATABASE_ENV,
    DEMO_ENV,
    REFERENCE_ENV,
    REPO_ROOT,
    Settings,
)
from thinktank.store import Store


@pytest.fixture
def small_demo(monkeypatch):
    """A two-quarter demo, so that a first start is quick to test."""
    monkeypatch.setattr(demo, "DEMO_QUARTERS", 2)
    monkeypatch.setenv(DEMO_ENV, "1")


def test_the_first_start_builds_the_demo_in_the_terminal_and_a_second_says_it_is_ready(tmp_path, capsys,
                                                                                        small_demo):
    settings = Settings(tmp_path / "first.duckdb", CATALOGUE, REFERENCE)
    built = first_start.prepare_in_terminal(settings, DEMO_TODAY)
    said = capsys.readouterr().err.splitlines()
    assert built is not None and built.stored > 0
    assert said[0] == f"Think Tank: first start: creating the database {settings.database_path}"
    assert said[1].startswith("Think Tank: building the demo partnership")
    progress = [line for line in said if line.startswith("Think Tank: ") and "% done, now " in line]
    # The last step is the analyst's work after the returns: the terminal says so, not nothing.
    assert len(progress) == 10 and progress[-1] == ("Think Tank:   100% done, now the series, the quarterly headlines "
                                                    "and commentary")
    assert said[-2].startswith(f"Think Tank: demo built: {built.stored} returns stored")
    assert said[-1].startswith("Think Tank: database ready in ")
    with Store.open(settings) as store:
        assert first_start.is_demo(store)
    assert first_start.prepare_in_terminal(settings, DEMO_TODAY) is None
    assert [line.split(" in ")[0] for line in capsys.readouterr().err.splitlines()] == ["Think Tank: database ready"]


def _dashboard_environment(monkeypatch, database):
    monkeypatch.setenv(DATABASE_ENV, str(database))
    monkeypatch.setenv(CATALOGUE_ENV, str(CATALOGUE))
    monkeypatch.setenv(REFERENCE_ENV, str(REFERENCE))
    st.cache_resource.clear()
    st.cache_data.clear()


def test_make_run_prepares_and_warms_before_streamlit_starts_in_the_same_process(tmp_path, monkeypatch, capsys,
                                                                                 small_demo):
    _dashboard_environment(monkeypatch, tmp_path / "served.duckdb")
    started = []
    monkeypatch.setattr(cli, "main", lambda: started.append(list(sys.argv)) or 0)
    monkeypatch.setattr(sys, "argv", ["scripts/serve.py", "--server.port", "8599"])
    with pytest.raises(SystemExit) as stopped:
        runpy.run_path(str(REPO_ROOT / "scripts" / "serve.py"), run_name="__main__")
    assert stopped.value.code == 0
    assert started == [["streamlit", "run", str(REPO_ROOT / "app.py"), "--server.port", "8599"]]
    said = capsys.readouterr().err
    assert "Think Tank: demo built: " in said and "Think Tank: engine warmed in " in said
    # The first page finds its figures worked out: it does not work the scorecard out again.
    monkeypatch.setattr(scorecard, "scorecard", lambda *_: pytest.fail("the scorecard was worked out again"))
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    assert "Every indicator" in [header.value for header in app.header]
    st.cache_resource.clear()
    st.cache_data.clear()
