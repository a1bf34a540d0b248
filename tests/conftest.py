import shutil
from pathlib import Path

import pytest

from thinktank.settings import REPO_ROOT, Settings
from thinktank.store import Store

CATALOGUE = REPO_ROOT / "indicators"
REFERENCE = REPO_ROOT / "data" / "reference"


@pytest.fixture
def settings(tmp_path) -> Settings:
    """The real catalogue and reference data, with a database of the test's own."""
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


@pytest.fixture
def store(settings):
    with Store.open(settings) as opened:
        yield opened


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
