"""Golden files: the scorecard (as `python -m thinktank scorecard --json` prints it) for two
quarters of the fixed fixture store. A change to the engine that changes them shows up as a
diff of these files, to be reviewed. Regenerate with UPDATE_GOLDEN=1 after checking it.

One JSON object per line, so that a diff shows exactly which indicator rows moved."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from scorecard_fixture import GOLDEN_QUARTERS, build_fixture

from thinktank.cli import EXIT_OK, main

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def fixture_database(store, settings):
    build_fixture(store)
    store.close()
    return settings.database_path


@pytest.mark.parametrize("quarter", GOLDEN_QUARTERS, ids=lambda quarter: quarter.label)
def test_scorecard_matches_its_golden_file(fixture_database, capsys, quarter):
    code = main(["scorecard", "--db", str(fixture_database), "--period", quarter.label, "--json"])
    assert code == EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    lines = "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)
    golden = GOLDEN / f"scorecard-{quarter.label.replace(' ', '-')}.jsonl"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(lines, encoding="utf-8")
    assert lines == golden.read_text(encoding="utf-8"), f"{golden.name} differs: review, then UPDATE_GOLDEN=1"


def test_golden_files_show_every_status_and_signal_the_fixture_was_built_for():
    rows = [json.loads(line) for quarter in GOLDEN_QUARTERS
            for line in (GOLDEN / f"scorecard-{quarter.label.replace(' ', '-')}.jsonl").read_text().splitlines()]
    assert {row["status"] for row in rows} >= {None, "c", "x", "z", "low", "u", "missing"}
    assert {row["spc_signal"] for row in rows} >= {"concern", "improvement", "neither", "common cause"}
    assert {row["rag"] for row in rows} >= {"red", "amber", "green", "no target", "no data"}
    for row in rows:
        if row["status"] in ("c", "x", "z", "low", "missing"):
            assert row["value"] is None, row  # never a zero


REQUIRED_KEYS = {"indicator_id", "theme", "period", "breakdown", "breakdown_value", "value", "status",
                 "previous_value", "direction", "rag", "spc_signal"}


def test_scorecard_json_has_the_promised_keys_and_a_theme_filter(fixture_database, capsys):
    code = main(["scorecard", "--db", str(fixture_database), "--period", "2025-26 Q2",
                 "--theme", "child_protection", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == EXIT_OK
    assert {row["theme"] for row in rows} == {"child_protection"}
    assert all(set(row) >= REQUIRED_KEYS for row in rows)
    easington = next(row for row in rows if row["breakdown_value"] == "Easington")
    assert (easington["status"], easington["value"]) == ("c", None)


def test_scorecard_table_shows_statuses_not_zeros(fixture_database, capsys):
    code = main(["scorecard", "--db", str(fixture_database), "--period", "2025-26 Q2", "--theme", "harm_outside_home"])
    out = capsys.readouterr().out
    assert code == EXIT_OK
    ho01 = next(line for line in out.splitlines() if line.strip().startswith("HO01"))
    assert " x " in f"{ho01} " and " 0.0 " not in ho01


@pytest.mark.parametrize(("arguments", "message"), [
    (["--period", "2025-26 Q2", "--theme", "child_protecton"], "Did you mean child_protection?"),
    (["--period", "Spring 2025"], "cannot be read"),
])
def test_scorecard_usage_problems_exit_2_with_a_hint(fixture_database, capsys, arguments, message):
    code = main(["scorecard", "--db", str(fixture_database), *arguments])
    assert code == 2
    assert message in capsys.readouterr().err
