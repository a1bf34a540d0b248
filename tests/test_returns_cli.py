"""The returns commands as a script would use them: JSON shapes and exit codes."""

import json
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from returns_support import FIXTURES, police

from thinktank.cli import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, main
from thinktank.settings import DATABASE_ENV, REPO_ROOT


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "cli.duckdb"
    monkeypatch.setenv(DATABASE_ENV, str(path))
    return path


def run(capsys, *arguments):
    code = main([str(argument) for argument in arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_template_validate_ingest_submissions_and_figures(db, capsys, tmp_path):
    template = tmp_path / "police.csv"
    code, out, _ = run(capsys, "template", "--agency", "police", "--period", "2024-25 Q1", "--out", template, "--json")
    assert code == EXIT_OK and json.loads(out)["indicators"] == 7
    filled = tmp_path / "filled.csv"
    filled.write_bytes(police())

    code, out, _ = run(capsys, "validate", filled, "--agency", "police", "--period", "2024-25 Q1", "--json")
    assert code == EXIT_OK
    assert json.loads(out) | {"issues": []} == {
        "accepted": True, "errors": 0, "warnings": 0, "rows_read": 7, "ignored_columns": [], "issues": [],
    }

    code, out, _ = run(capsys, "ingest", filled, "--agency", "police", "--period", "2024-25 Q1", "--json")
    stored = json.loads(out)
    assert code == EXIT_OK
    assert (stored["outcome"], stored["submission_id"], stored["version"]) == ("stored", 1, 1)

    code, out, _ = run(capsys, "submissions", "--agency", "police", "--json")
    (history,) = json.loads(out)
    assert (history["period"], history["version"], history["in_force"], history["figures"]) == ("2024-25 Q1", 1, True, 7)

    code, out, _ = run(capsys, "figures", "--agency", "police", "--period", "2024-25 Q1", "--json")
    figures = json.loads(out)
    assert figures[1] == {
        "indicator_id": "AS06", "breakdown": "All", "breakdown_value": "All", "numerator": 88.0,
        "denominator": 92.0, "value": None, "status": None,
    }
    assert [figure["indicator_id"] for figure in figures] == ["FD06", "AS06", "DA01", "DA05", "HO01", "HO04", "HO05"]


def test_validate_reports_every_issue_in_the_documented_shape_and_exits_1(db, capsys):
    code, out, _ = run(capsys, "validate", FIXTURES / "bad" / "duplicate-rows.csv", "--agency", "police", "--json")
    report = json.loads(out)
    assert code == EXIT_PROBLEM and report["accepted"] is False
    assert report["issues"] == [{
        "severity": "error", "code": "R302", "sheet": "csv", "row": 9, "column": "indicator_id",
        "column_letter": "A", "value": "DA01",
        "message": "This row repeats row 4 (DA01, 2024-25 Q1). Delete one of them.",
    }]


def test_ingest_with_warnings_stores_only_when_confirmed(db, capsys, tmp_path):
    partial = tmp_path / "partial.csv"
    partial.write_bytes(b"\n".join(police().splitlines()[:6]) + b"\n")
    code, out, _ = run(capsys, "ingest", partial, "--agency", "police", "--period", "2024-25 Q1")
    assert code == EXIT_OK
    assert "Nothing is stored until you confirm the warnings" in out
    assert "--confirm-warnings" in out
    code, out, _ = run(capsys, "ingest", partial, "--agency", "police", "--period", "2024-25 Q1", "--confirm-warnings")
    assert "Stored 2024-25 Q1 as version 1." in out


@pytest.mark.parametrize(
    "arguments",
    [
        ["validate", "nowhere.csv", "--agency", "police"],
        ["validate", FIXTURES / "good" / "utf8-bom.csv", "--agency", "polise"],
        ["validate", FIXTURES / "good" / "utf8-bom.csv", "--agency", "police", "--period", "Spring"],
        ["template", "--agency", "police", "--period", "2024-25 Q1", "--out", "t.pdf"],
        ["figures", "--agency", "police"],
    ],
)
def test_usage_problems_exit_2(db, capsys, arguments):
    try:
        code, _, err = run(capsys, *arguments)
    except SystemExit as exited:  # argparse's own usage errors
        code, err = exited.code, ""
    assert code == EXIT_USAGE
    assert "Traceback" not in err


BACKFILL_QUARTERS = 14  # 2022-23 Q1, when these indicators were first collected, to 2025-26 Q2


def backfill_csv(quarters: int = BACKFILL_QUARTERS) -> bytes:
    """A large multi-quarter police backfill, broken down by locality."""
    from thinktank.periods import Quarter

    localities = ["Chester-le-Street", "Derwentside", "Durham", "Easington", "Sedgefield", "Teesdale", "Wear Valley"]
    lines = ["indicator_id,period,breakdown,breakdown_value,numerator,denominator,value,comment"]
    quarter = Quarter(2022, 1)
    for _ in range(quarters):
        for indicator in ("FD06", "DA01", "HO01"):
            lines.append(f"{indicator},{quarter.label},All,All,,,{len(localities) * 100},")
            lines += [f"{indicator},{quarter.label},Locality,{name},,,100," for name in localities]
        lines += [f"AS06,{quarter.label},All,All,88,92,,", f"DA05,{quarter.label},All,All,,,97,",
                  f"HO04,{quarter.label},All,All,,,23,", f"HO05,{quarter.label},All,All,,,9,"]
        quarter = quarter.next()
    return ("\n".join(lines) + "\n").encode()


def test_killing_an_ingest_leaves_the_whole_return_or_none(tmp_path):
    path = tmp_path / "backfill.csv"
    path.write_bytes(backfill_csv())
    environment = {**os.environ, DATABASE_ENV: str(tmp_path / "killed.duckdb")}
    command = [sys.executable, "-m", "thinktank", "ingest", str(path), "--agency", "police", "--confirm-warnings"]
    subprocess.run([sys.executable, "-m", "thinktank", "init"], env=environment, cwd=REPO_ROOT, check=True,
                   capture_output=True)
    outcomes = set()
    for delay in (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0, 20.0):
        process = subprocess.Popen(command, env=environment, cwd=REPO_ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        connection = duckdb.connect(environment[DATABASE_ENV])
        try:
            submissions, observations = connection.execute(
                "SELECT (SELECT count(*) FROM submissions), (SELECT count(*) FROM observations)"
            ).fetchone()
        finally:
            connection.close()
        assert (submissions, observations) in {(0, 0), (BACKFILL_QUARTERS, BACKFILL_QUARTERS * 28)}, (delay, submissions, observations)
        outcomes.add(submissions)
        if submissions:
            break
    # Killed early, nothing is stored; killed late enough, the whole return is: both must be seen,
    # or no kill landed before the commit (or the ingest never finished) and nothing was shown.
    assert outcomes == {0, BACKFILL_QUARTERS}, outcomes


def test_demo_refuses_a_database_that_already_holds_returns(db, capsys, tmp_path):
    filled = tmp_path / "filled.csv"
    filled.write_bytes(police())
    run(capsys, "ingest", filled, "--agency", "police", "--period", "2024-25 Q1")
    code, _, err = run(capsys, "demo")
    assert code == EXIT_PROBLEM
    assert err.startswith("Error: This database already holds returns")
    assert "--db" in err
