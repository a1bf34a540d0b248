import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from conftest import CATALOGUE, REFERENCE, replace_in

from thinktank.cli import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, main
from thinktank.settings import CATALOGUE_ENV, DATABASE_ENV, REFERENCE_ENV, REPO_ROOT


@pytest.fixture
def env(monkeypatch, editable_settings):
    monkeypatch.setenv(DATABASE_ENV, str(editable_settings.database_path))
    monkeypatch.setenv(CATALOGUE_ENV, str(editable_settings.catalogue_dir))
    monkeypatch.setenv(REFERENCE_ENV, str(editable_settings.reference_dir))
    return editable_settings


def run(capsys, *arguments):
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_indicators_json_in_a_real_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "thinktank", "indicators", "--json", "--db", str(tmp_path / "t.duckdb")],
        capture_output=True, text=True, cwd=REPO_ROOT, check=False,
        env={**{key: value for key, value in os.environ.items() if not key.startswith("THINKTANK_")},
             CATALOGUE_ENV: str(CATALOGUE), REFERENCE_ENV: str(REFERENCE)},
    )
    assert result.returncode == 0, result.stderr
    indicators = json.loads(result.stdout)
    for indicator in indicators:
        assert {"id", "theme", "name", "unit", "polarity", "owner", "status"} <= set(indicator)
    active = [indicator for indicator in indicators if indicator["status"] == "active"]
    assert len(active) >= 60
    per_theme = Counter(indicator["theme"] for indicator in active)
    assert len(per_theme) == 12 and min(per_theme.values()) >= 4
    assert (tmp_path / "t.duckdb").exists()


def test_themes_and_agencies_json(env, capsys):
    code, out, _ = run(capsys, "themes", "--json")
    themes = json.loads(out)
    assert code == EXIT_OK
    assert [theme["name"] for theme in themes][:2] == ["Early Help & Prevention", "Front Door & MASH"]
    assert all({"id", "name"} <= set(theme) for theme in themes) and len(themes) == 12
    code, out, _ = run(capsys, "agencies", "--json")
    agencies = json.loads(out)
    assert code == EXIT_OK and len(agencies) == 19
    assert all({"id", "name"} <= set(agency) for agency in agencies)


def test_the_db_flag_wins_over_the_environment(env, capsys, tmp_path):
    flagged = tmp_path / "elsewhere" / "flagged.duckdb"
    code, _, _ = run(capsys, "init", "--db", str(flagged))
    assert code == EXIT_OK
    assert flagged.exists()
    assert not env.database_path.exists()


def test_indicator_filters_and_table_output(env, capsys):
    code, out, _ = run(capsys, "indicators", "--agency", "cafcass")
    assert code == EXIT_OK
    assert "WF11" in out and "cafcass" in out and "CP01" not in out
    code, out, _ = run(capsys, "indicators", "--search", "nothing matches this")
    assert out.strip() == "Nothing matches."


def test_the_json_target_is_structured(env, capsys):
    _, out, _ = run(capsys, "indicators", "--json", "--search", "FD05")
    assert json.loads(out)[0]["target"] == {
        "value": None, "low": 2.0, "high": 10.0, "amber_tolerance": 2.0,
        "text": "between 2.0% and 10.0% (amber within 2.0 either side)",
    }


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    polarity: neutral\n    owner: police\n", "    polarty: neutral\n    owner: police\n",
         "unknown key 'polarty'"),
        ("unit: count", "unit: percentage", "unit 'percentage' is not allowed"),
        ("id: DA08", "id: DA01", "id DA01 is already used"),
    ],
)
def test_start_up_fails_naming_the_file_the_indicator_and_the_problem(env, capsys, old, new, expected):
    replace_in(env.catalogue_dir / "06-domestic-abuse.yaml", old, new)
    code, out, err = run(capsys, "indicators", "--json")
    assert code == EXIT_PROBLEM
    # A program reading --json reads the problem as JSON too.
    assert json.loads(out)["error"]["title"] == "The indicator catalogue has 1 problem"
    assert expected in json.loads(out)["error"]["hint"]
    assert err.startswith("Error: The indicator catalogue has 1 problem\n")
    assert "indicators/06-domestic-abuse.yaml, line " in err
    assert "indicator DA0" in err
    assert expected in err


def test_check_reports_a_sound_catalogue_without_touching_the_database(env, capsys):
    code, out, _ = run(capsys, "check", "--json")
    assert code == EXIT_OK
    assert json.loads(out)["active_indicators"] == 91
    assert not env.database_path.exists()


def test_usage_mistakes_exit_2(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["indicators", "--status", "sleeping"])
    assert raised.value.code == EXIT_USAGE
    with pytest.raises(SystemExit) as raised:
        main([])
    assert raised.value.code == EXIT_USAGE


def test_a_locked_database_is_a_problem_with_a_hint_not_a_crash(env, capsys):
    from thinktank.store import Store

    with Store.open(env):
        result = subprocess.run(
            [sys.executable, "-m", "thinktank", "themes"], capture_output=True, text=True,
            cwd=REPO_ROOT, env=os.environ.copy(), check=False,
        )
    assert result.returncode == EXIT_PROBLEM
    assert "is in use by another program" in result.stderr
    assert "Traceback" not in result.stderr
