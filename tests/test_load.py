"""A short round of the load bench (bench/load.py): viewers over websockets and uploaders in
Chromium on a served dashboard, a hostile file refused meanwhile, with no error and every
upload a person saw stored found in the store afterwards."""

import sys

import pytest
from returns_support import police, send
from serve_support import free_port

from thinktank.settings import CATALOGUE_ENV, REFERENCE_ENV, REPO_ROOT
from thinktank.store import Store

sys.path.insert(0, str(REPO_ROOT / "bench"))

import load  # bench/ is not a package: found through the path above

pytestmark = pytest.mark.browser


def test_a_short_load_round_has_no_error_and_loses_no_upload(settings, monkeypatch):
    with Store.open(settings) as store:
        send(store, police())  # a quarter with figures for the Scorecard and Indicator pages
    monkeypatch.setenv(CATALOGUE_ENV, str(settings.catalogue_dir))
    monkeypatch.setenv(REFERENCE_ENV, str(settings.reference_dir))
    figures = load.run(settings.database_path, viewers=5, uploaders=2, seconds=15, hostile=True, port=free_port())
    assert figures["errors"] == []
    assert figures["uploads_in_store"] == figures["uploads_stored_seen"] > 0
    assert figures["page_views"] >= 5 and figures["hostile_refused"] >= 1
