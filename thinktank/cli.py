"""``python -m thinktank``: the command line. Exit codes: 0 done, 1 a problem the user can fix
(shown with a hint), 2 the command itself was mistyped."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from thinktank import browse
from thinktank.catalogue import load_catalogue
from thinktank.docs import INDICATOR_REFERENCE, write_indicator_reference
from thinktank.errors import ThinkTankError
from thinktank.reference import load_reference
from thinktank.settings import Settings
from thinktank.store import Store

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2

INDICATOR_FIELDS = [
    "id", "theme", "name", "definition", "numerator", "denominator", "unit", "polarity",
    "population", "owner", "source", "period_basis", "breakdowns", "priorities", "target",
    "change_tolerance_percent", "applies_from", "status", "retired_from",
]
INDICATOR_TABLE = ["id", "theme", "name", "unit", "polarity", "owner", "status"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m thinktank",
        description="Think Tank: performance analytics for a safeguarding children partnership.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, help_text: str, handler: Callable[..., int], uses_database: bool = True
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if uses_database:
            sub.add_argument(
                "--db", metavar="PATH",
                help="the database file (default: data/thinktank.duckdb, or THINKTANK_DB)",
            )
        sub.add_argument("--json", action="store_true", help="print JSON instead of a table")
        sub.set_defaults(handler=handler)
        return sub

    indicators = command("indicators", "List the indicators in the catalogue.", _indicators)
    indicators.add_argument("--theme", help="only this theme (id)")
    indicators.add_argument("--agency", help="only indicators this agency owns (id)")
    indicators.add_argument("--status", choices=["active", "retired"], help="only this status")
    indicators.add_argument("--search", default="", help="words to look for anywhere in the definition")
    command("themes", "List the themes of the scorecard.", _themes)
    command("agencies", "List the agencies that feed the partnership.", _agencies)
    command("init", "Create or upgrade the database and load the catalogue into it.", _init)
    command(
        "check", "Check the catalogue and reference files without opening the database.",
        _check, uses_database=False,
    )
    docs = command(
        "docs", "Write the indicator reference page from the catalogue.", _docs,
        uses_database=False,
    )
    docs.add_argument("--out", type=Path, default=INDICATOR_REFERENCE, help="where to write it")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        return arguments.handler(arguments)
    except ThinkTankError as error:
        print(f"Error: {error.title}", file=sys.stderr)
        if error.hint:
            print(error.hint, file=sys.stderr)
        return EXIT_PROBLEM


def _open_store(arguments: argparse.Namespace) -> Store:
    return Store.open(Settings.from_environment(arguments.db))


def _emit(arguments: argparse.Namespace, records: list[dict[str, Any]], table: pd.DataFrame) -> None:
    if arguments.json:
        print(json.dumps(records, indent=2, ensure_ascii=False))
    elif table.empty:
        print("Nothing matches.")
    else:
        print(table.to_string(index=False))


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return json.loads(frame[columns].to_json(orient="records"))


def _indicators(arguments: argparse.Namespace) -> int:
    with _open_store(arguments) as store:
        frame = browse.indicators(
            store.cursor(), search=arguments.search, theme=arguments.theme,
            owner=arguments.agency, status=arguments.status,
        )
    frame["breakdowns"] = frame["breakdowns"].map(list)
    frame["priorities"] = frame["priorities"].map(list)
    frame["target"] = [_target_object(row) for row in frame.itertuples()]
    _emit(arguments, _records(frame, INDICATOR_FIELDS), frame[INDICATOR_TABLE])
    return EXIT_OK


def _target_object(row: Any) -> dict[str, Any] | None:
    if pd.isna(row.target_amber_tolerance):
        return None
    return {
        "value": None if pd.isna(row.target_value) else row.target_value,
        "low": None if pd.isna(row.target_low) else row.target_low,
        "high": None if pd.isna(row.target_high) else row.target_high,
        "amber_tolerance": row.target_amber_tolerance,
        "text": row.target,
    }


def _themes(arguments: argparse.Namespace) -> int:
    with _open_store(arguments) as store:
        frame = browse.themes(store.cursor())
    columns = ["id", "number", "name", "description", "active_indicators"]
    _emit(arguments, _records(frame, columns), frame[["number", "id", "name", "active_indicators"]])
    return EXIT_OK


def _agencies(arguments: argparse.Namespace) -> int:
    with _open_store(arguments) as store:
        frame = browse.agencies(store.cursor())
    columns = ["id", "name", "short_name", "sector", "active_indicators"]
    _emit(arguments, _records(frame, columns), frame[["id", "name", "active_indicators"]])
    return EXIT_OK


def _init(arguments: argparse.Namespace) -> int:
    with _open_store(arguments) as store:
        summary = {
            "database": str(store.path),
            "indicators": len(store.catalogue.indicators),
            "active_indicators": len(store.catalogue.active_indicators()),
            "themes": len(store.catalogue.themes),
            "agencies": len(store.catalogue.agencies),
        }
    if arguments.json:
        print(json.dumps(summary, indent=2))
    else:
        print(
            f"Database ready at {summary['database']}: {summary['active_indicators']} active "
            f"indicators in {summary['themes']} themes from {summary['agencies']} agencies."
        )
    return EXIT_OK


def _check(arguments: argparse.Namespace) -> int:
    settings = Settings.from_environment()
    catalogue = load_catalogue(settings.catalogue_dir)
    reference = load_reference(settings.reference_dir, catalogue)
    summary = {
        "indicators": len(catalogue.indicators),
        "active_indicators": len(catalogue.active_indicators()),
        "themes": len(catalogue.themes),
        "agencies": len(catalogue.agencies),
        "benchmarks": len(reference.benchmarks),
        "population_figures": len(reference.population),
    }
    if arguments.json:
        print(json.dumps(summary, indent=2))
    else:
        print(
            f"The catalogue is sound: {summary['indicators']} indicators "
            f"({summary['active_indicators']} active) in {summary['themes']} themes, "
            f"{summary['agencies']} agencies, {summary['benchmarks']} benchmarks and "
            f"{summary['population_figures']} population figures."
        )
    return EXIT_OK


def _docs(arguments: argparse.Namespace) -> int:
    settings = Settings.from_environment()
    catalogue = load_catalogue(settings.catalogue_dir)
    reference = load_reference(settings.reference_dir, catalogue)
    write_indicator_reference(catalogue, reference, arguments.out)
    print(f"Wrote {arguments.out}")
    return EXIT_OK
