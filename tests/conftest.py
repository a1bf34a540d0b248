import contextlib
import datetime as dt
import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from serve_support import CHROMIUM, CHROMIUM_FLAGS, free_port, wait_until_answering
from streamlit.testing.v1 import AppTest

from thinktank.settings import (
    CATALOGUE_ENV,
    DATABASE_ENV,
    DEMO_ENV,
    REFERENCE_ENV,
    REPO_ROOT,
    Settings,
)
from thinktank.store import Store

# The frozen copy of the catalogue and reference data (see its README): adding an indicator to
# indicators/ must break no test. Every process the tests start reads it too, through the
# environment, unless a test sets its own.
FROZEN = Path(__file__).parent / "fixtures" / "catalogue"
CATALOGUE = FROZEN / "indicators"
REFERENCE = FROZEN / "reference"
os.environ[CATALOGUE_ENV] = str(CATALOGUE)
os.environ[REFERENCE_ENV] = str(REFERENCE)


@pytest.fixture
def settings(tmp_path) -> Settings:
    """The frozen catalogue and reference data, with a database of the test's own."""
    return Settings(
        database_path=tmp_path / "thinktank.duckdb",
        catalogue_dir=CATALOGUE,
        reference_dir=REFERENCE,
    )


@pytest.fixture
def editable_settings(tmp_path) -> Settings:
    """Like `settings`, but with copies of the catalogue and reference files to edit."""
    shutil.copytree(CATALOGUE, tmp_path / "indicators")
    shutil.copytree(REFERENCE, tmp_path / "reference")
    return Settings(
        database_path=tmp_path / "thinktank.duckdb",
        catalogue_dir=tmp_path / "indicators",
        reference_dir=tmp_path / "reference",
    )


# The day the demo is built for in tests: its latest quarter is 2026-27 Q2.
DEMO_TODAY = dt.date(2026, 11, 23)


def _run_folder(tmp_path_factory) -> Path:
    """The temporary folder the whole run shares: under pytest-xdist each worker has its own
    basetemp inside it, and without xdist it is the basetemp itself."""
    basetemp = tmp_path_factory.getbasetemp()
    return basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """The full demo on the live catalogue, built once for the whole run however many xdist
    workers use it (the first to need it builds it under a lock; another waits rather than build
    it again, as it is the dearest setup in the suite). Nothing writes to it: a test that changes
    it works on a copy (`demo_copy`)."""
    from thinktank.demo import build_demo

    folder = _run_folder(tmp_path_factory)
    path = folder / "demo" / "demo.duckdb"
    with (folder / "demo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            # Built under another name and renamed, so that the file is whole once it exists.
            building = folder / "demo-building" / "demo.duckdb"
            building.parent.mkdir()
            with Store.open(Settings.from_environment(building)) as opened:
                build_demo(opened, DEMO_TODAY)
            building.parent.rename(path.parent)
    return path


@pytest.fixture(scope="module")
def demo_copy(demo_database, tmp_path_factory) -> Path:
    """A copy of the demo for one test module."""
    path = tmp_path_factory.mktemp("demo-copy") / "thinktank.duckdb"
    shutil.copy(demo_database, path)
    return path


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory) -> Path:
    """A new store on the frozen catalogue, made once for the worker: migrating and syncing a
    new file costs far more than copying a made one, and most tests start from an empty store."""
    path = tmp_path_factory.mktemp("empty") / "thinktank.duckdb"
    Store.open(Settings(path, CATALOGUE, REFERENCE)).close()
    return path


@pytest.fixture
def store(settings, empty_database):
    """The test's own empty store: a copy of the new store `Store.open` makes for `settings`."""
    shutil.copy(empty_database, settings.database_path)
    with Store.open(settings) as opened:
        yield opened


def dashboard_app(monkeypatch, settings: Settings, timeout: float = 30) -> AppTest:
    """The dashboard under Streamlit's AppTest, on the test's store and catalogue, with no demo
    (the demo's own tests build it) and empty caches: Streamlit's caches belong to the process,
    and each test starts from an empty one."""
    monkeypatch.setenv(DATABASE_ENV, str(settings.database_path))
    monkeypatch.setenv(CATALOGUE_ENV, str(settings.catalogue_dir))
    monkeypatch.setenv(REFERENCE_ENV, str(settings.reference_dir))
    monkeypatch.setenv(DEMO_ENV, "0")
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=timeout)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


ARTIFACTS = Path(__file__).parent / "artifacts"


@contextlib.contextmanager
def _serve(database: Path, log_folder: Path, script: str = "app.py",
           settings: dict[str, str] | None = None) -> Iterator[str]:
    """A real `streamlit run` of the dashboard (or another script) on localhost, on the given
    database; ``settings`` adds environment variables (Streamlit's own, such as the secrets file)."""
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("THINKTANK_")}
    environment.update(settings or {})
    environment[DATABASE_ENV] = str(database)
    environment[CATALOGUE_ENV], environment[REFERENCE_ENV] = str(CATALOGUE), str(REFERENCE)
    environment[DEMO_ENV] = "0"  # the demo's own tests build it
    log_path = log_folder / "streamlit.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url, server, log_path, timeout_s=60)
        yield url
    finally:
        # Killed, not asked to stop: Streamlit's orderly shutdown takes seconds, and the served
        # database is the test's own, thrown away after.
        server.kill()
        server.wait(timeout=20)


@pytest.fixture(scope="session")
def served_app(tmp_path_factory):
    """The dashboard served on an empty partnership."""
    with _serve(tmp_path_factory.mktemp("served") / "thinktank.duckdb", tmp_path_factory.mktemp("log")) as url:
        yield url


@pytest.fixture(scope="session")
def scorecard_database(tmp_path_factory) -> Path:
    """The scorecard's fixed fixture store (the golden files' one), built once for the worker:
    nothing writes to it, and a test that needs it copies it."""
    from scorecard_fixture import build_fixture

    path = tmp_path_factory.mktemp("scorecard") / "thinktank.duckdb"
    with Store.open(Settings(path, CATALOGUE, REFERENCE)) as opened:
        build_fixture(opened)
    return path


@pytest.fixture(scope="session")
def served_scorecard_app(tmp_path_factory, scorecard_database):
    """The dashboard served on a copy of the scorecard's fixed fixture store."""
    database = tmp_path_factory.mktemp("served-scorecard") / "thinktank.duckdb"
    shutil.copy(scorecard_database, database)
    with _serve(database, tmp_path_factory.mktemp("log")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            "Chromium is not installed at /usr/bin/chromium. `make test` installs it "
            "(apt-get install chromium); run the tests through it."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def act_as(page, choice: str) -> None:
    """Choose whom to act as in local mode. The choice sits below the sidebar's navigation, above
    local mode's banner; the sidebar is scrolled to its end first, so that a short window shows it."""
    page.get_by_test_id("stSidebarContent").evaluate("sidebar => sidebar.scrollTo(0, sidebar.scrollHeight)")
    page.get_by_test_id("stSidebar").get_by_role("combobox", name="Acting as").click()
    page.get_by_role("option", name=choice, exact=True).click()


# The width every page is looked at: an analyst's usual laptop or desktop screen.
VIEWPORT = {"width": 1440, "height": 1000}


@pytest.fixture
def page(browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT)
    opened = context.new_page()
    yield opened
    context.close()
