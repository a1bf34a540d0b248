"""``python -m thinktank``: the command line. Exit codes: 0 done, 1 a problem the user can fix
(shown with a hint), 2 the command itself was mistyped."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import dataclasses
import difflib
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from thinktank import accounts, browse, catalogue_changes, first_start, scorecard
from thinktank.boardpack import build_pack, pack_html, pack_pdf, pack_xlsx
from thinktank.catalogue import Catalogue, load_catalogue, write_catalogue
from thinktank.catalogue_schema import SCHEMA_FOLDER, write_catalogue_schemas
from thinktank.docs import (
    INDICATOR_REFERENCE,
    RULES_REFERENCE,
    write_indicator_reference,
    write_rules_reference,
)
from thinktank.errors import (
    BackupError,
    CatalogueError,
    DatabaseInUseError,
    PeriodError,
    ThinkTankError,
    UnknownAgencyError,
    UnknownIndicatorError,
)
from thinktank.formatting import ROLE_LABELS, SIGN_OFF_IN_A_SENTENCE, agency_name
from thinktank.ingest.access import check_agency
from thinktank.ingest.limits import Limits
from thinktank.ingest.submit import IngestResult, checked_against, ingest_return
from thinktank.ingest.validate import ValidationReport, validate_return
from thinktank.periods import Quarter, format_date, latest_complete_quarter
from thinktank.reference import ReferenceData, load_reference
from thinktank.settings import Settings
from thinktank.spc_baselines import add_rebase, rebases, remove_rebase
from thinktank.store import Store, open_read_only, refuse_while_in_use, utc_now
from thinktank.store.audit import audit_entries, verify_chain
from thinktank.store.backup import BACKUP_DATABASE, check_backup, restore_backup, write_backup
from thinktank.store.catalogue import SOURCE_IMPORT
from thinktank.store.control import ask_dashboard, dashboard_serves
from thinktank.store.returns import stored_figures, submission_history
from thinktank.store.transactions import store_errors_translated
from thinktank.templates import template_csv, template_rows, template_xlsx, version_in_force
from thinktank.users import Role, command_line_user

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
        name: str, help_text: str, handler: Callable[..., int], uses_database: bool = True,
        within: argparse._SubParsersAction | None = None,
    ) -> argparse.ArgumentParser:
        sub = (within or commands).add_parser(name, help=help_text, description=help_text)
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
    command(
        "docs", "Write the indicator reference and the rule codes pages (docs/) and the catalogue's JSON Schema (schemas/catalogue/).", _docs,
        uses_database=False,
    )

    template = command("template", "Write a ready-to-fill return for an agency and a quarter.", _template)
    template.add_argument("--agency", required=True, help="the agency's id")
    template.add_argument("--period", required=True, help="the quarter, such as 2024-25 Q1")
    template.add_argument("--out", required=True, type=Path, help="the file to write (.xlsx or .csv)")
    for name, handler, help_text in (
        ("validate", _validate, "Check a return and list every problem; store nothing."),
        ("ingest", _ingest, "Check a return and store it as a new version if it passes."),
    ):
        sub = command(name, help_text, handler)
        sub.add_argument("file", type=Path, help="the return (.xlsx or .csv)")
        sub.add_argument("--agency", required=True, help="the agency the return is from (id)")
        sub.add_argument("--period", help="the quarter every row must be for, as the upload form fixes it")
        if name == "ingest":
            sub.add_argument("--confirm-warnings", action="store_true",
                             help="store the return even if it has warnings (after checking them)")
    submissions = command("submissions", "List the returns stored, every version.", _submissions)
    submissions.add_argument("--agency", help="only this agency (id)")
    submissions.add_argument("--period", help="only this quarter")
    command("demo", "Build the demo partnership into an empty database, through the ingest path.", _demo)
    figures = command("figures", "Show the stored figures in force for an agency and a quarter.", _figures)
    figures.add_argument("--agency", required=True, help="the agency (id)")
    figures.add_argument("--period", required=True, help="the quarter")
    card = command("scorecard", "Show the balanced scorecard for a quarter: one row per indicator "
                   "and breakdown group.", _scorecard)
    card.add_argument("--period", required=True, help="the quarter, such as 2025-26 Q2")
    card.add_argument("--theme", help="only this theme (id)")

    report = command("report", "Write the quarter's board pack for the PLG: the report as PDF or HTML, or "
                     "the workbook of every figure behind it (xlsx); small numbers suppressed.", _report)
    report.add_argument("--period", help="the quarter, such as 2026-27 Q2 (default: the latest with returns)")
    report.add_argument("--format", choices=list(REPORT_FORMATS),
                        help="pdf, html or xlsx (default: from the --out file's suffix)")
    report.add_argument("--out", required=True, type=Path, help="the file to write")

    rebase_help = ("Re-base an indicator's SPC from the quarter its process changed (Making Data Count): "
                   "a fresh mean and limits from then on.")
    rebase = commands.add_parser("rebase", help=rebase_help, description=rebase_help)
    rebase_actions = rebase.add_subparsers(dest="rebase_action", required=True, metavar="ACTION")
    rebase_list = command("list", "List the re-bases held.", _rebase_list, within=rebase_actions)
    rebase_list.add_argument("--indicator", help="only this indicator's (id)")
    for name, handler, help_text in (
        ("add", _rebase_add, "Re-base an indicator from a quarter, with the reason."),
        ("remove", _rebase_remove, "Remove an indicator's re-base from a quarter."),
    ):
        sub = command(name, help_text, handler, within=rebase_actions)
        sub.add_argument("indicator", help="the indicator (id), such as FD04")
        sub.add_argument("period", nargs="+", help="the quarter, such as 2024-25 Q1")
        if name == "add":
            sub.add_argument("--reason", required=True, help="what changed, such as \"MASH restructure\"")
    _backup_commands(command)

    users_help = ("Manage who may sign in (when sign-in is configured; docs/sign-in.md): the first admin is "
                  "added here, the rest on the dashboard's Users page.")
    users = commands.add_parser("users", help=users_help, description=users_help)
    user_actions = users.add_subparsers(dest="users_action", required=True, metavar="ACTION")
    command("list", "List the users, active first.", _users_list, within=user_actions)
    user_add = command("add", "Add a user, or bring back a deactivated one.", _users_add, within=user_actions)
    user_add.add_argument("email", help="the address the person signs in with")
    user_add.add_argument("--name", required=True, help="the person's name, as colleagues know it")
    user_add.add_argument("--role", required=True, choices=list(Role), help="what they may do")
    user_add.add_argument("--agency", help="for an agency_uploader: the agency they send returns for (id)")

    catalogue_help = ("The catalogue of record, as the files in indicators/ are laid out: export it to share it, "
                      "import a partnership's files to change it (the difference is shown, then applied at once).")
    catalogue = commands.add_parser("catalogue", help=catalogue_help, description=catalogue_help)
    catalogue_actions = catalogue.add_subparsers(dest="catalogue_action", required=True, metavar="ACTION")
    export = command("export", "Write the catalogue (each indicator as its latest definition reads) as YAML files "
                     "like indicators/.", _catalogue_export, within=catalogue_actions)
    export.add_argument("--out", required=True, type=Path, help="the folder to write: a new or empty one")
    catalogue_import = command(
        "import", "Check a folder of catalogue files, show how it differs from the catalogue of record, and apply "
        "the difference in one transaction. Indicators the folder lacks are kept as they are.",
        _catalogue_import, within=catalogue_actions)
    catalogue_import.add_argument("folder", type=Path, help="the folder, laid out as indicators/ is")
    catalogue_import.add_argument(
        "--effective-from", metavar="QUARTER",
        help="the first quarter the changed definitions apply to, such as 2025-26 Q1 (default: the latest "
             "complete quarter); earlier quarters keep the definitions they had")
    catalogue_import.add_argument("--dry-run", action="store_true", help="show the difference; change nothing")

    audit_help = "The audit log: who did what and when, each event linked to the one before it."
    audit = commands.add_parser("audit", help=audit_help, description=audit_help)
    audit_actions = audit.add_subparsers(dest="audit_action", required=True, metavar="ACTION")
    command("verify", "Check that no event of the audit log was changed, deleted, added or moved; "
            "exits 1 naming each broken link.", _audit_verify, within=audit_actions)
    audit_list = command("list", "List the audit log's events, oldest first.", _audit_list, within=audit_actions)
    audit_list.add_argument("--action", help="only this action, such as upload")
    return parser


def _backup_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    backup = command("backup", "Back the whole database up into a folder, checked table by table; works while "
                     "the dashboard runs.", _backup)
    backup.add_argument("--out", required=True, type=Path,
                        help="the folder to write: a new or empty one, or an earlier backup, replaced when "
                             "the new one is whole")
    restore = command("restore", "Check a backup, then bring it back as the database; the file there now is "
                      "kept beside it under a new name. Stop the dashboard first.", _restore)
    restore.add_argument("folder", type=Path, help="the backup's folder")


class UsageError(ThinkTankError):
    """The command was given something it cannot use: exit 2."""


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        with store_errors_translated():
            return arguments.handler(arguments)
    except (UsageError, UnknownAgencyError, UnknownIndicatorError, PeriodError) as error:
        _print_error(error, arguments.json)
        return EXIT_USAGE
    except ThinkTankError as error:
        _print_error(error, arguments.json)
        return EXIT_PROBLEM


def _print_error(error: ThinkTankError, as_json: bool = False) -> None:
    """The problem on stderr for a person; with --json, also as JSON on stdout for a program
    (which would otherwise read nothing, or half a document, there)."""
    if as_json:
        print(json.dumps({"error": {"title": error.title, "hint": error.hint}}, indent=2, ensure_ascii=False))
    print(f"Error: {error.title}", file=sys.stderr)
    if error.hint:
        print(error.hint, file=sys.stderr)


def _open_store(arguments: argparse.Namespace) -> Store:
    """The store; for a command that only reads, while the dashboard holds the database, a
    snapshot of it that the dashboard takes there and then."""
    settings = Settings.from_environment(arguments.db)
    try:
        return Store.open(settings)
    except DatabaseInUseError:
        if arguments.handler not in READING_COMMANDS or not dashboard_serves(settings.database_path):
            raise
    return _dashboard_snapshot(settings)


def _dashboard_snapshot(settings: Settings) -> Store:
    """A store on a backup the dashboard takes into a private folder, which goes when the
    command ends: one consistent moment, as the dashboard holds it."""
    folder = Path(tempfile.mkdtemp(prefix="thinktank-snapshot-"))
    atexit.register(shutil.rmtree, folder, True)
    _backup_through_dashboard(settings.database_path, folder / "snapshot")
    print(f"Read from a snapshot of {settings.database_path} the dashboard took just now (it holds the database).",
          file=sys.stderr)
    return Store.open(dataclasses.replace(settings, database_path=folder / "snapshot" / BACKUP_DATABASE))


def _backup_through_dashboard(database: Path, out: Path) -> dict[str, Any] | None:
    """The manifest of a backup the dashboard took into ``out``; None if no dashboard holds the
    database."""
    answer = ask_dashboard(database, {"command": "backup", "out": str(out)})
    if answer is not None and "error" in answer:
        raise BackupError(answer["error"]["title"], answer["error"]["hint"])
    return None if answer is None else answer["manifest"]


def _emit(arguments: argparse.Namespace, records: list[dict[str, Any]], table: pd.DataFrame) -> None:
    if arguments.json:
        print(json.dumps(records, indent=2, ensure_ascii=False))
    elif table.empty:
        print("Nothing matches.")
    else:
        print(table.to_string(index=False))


def _printable(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank, not NaN or <NA>, where there is nothing to show."""
    return frame.astype(object).where(frame.notna(), "")


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
    started = first_start.open_store(Settings.from_environment(arguments.db))
    with started.store as store:
        summary = {"database": str(store.path), "created": started.created, **_catalogue_summary(store.catalogue)}
    if arguments.json:
        print(json.dumps(summary, indent=2))
    else:
        print(
            f"Database {'created' if started.created else 'ready'} at {summary['database']}: "
            f"{summary['active_indicators']} active "
            f"indicators in {summary['themes']} themes from {summary['agencies']} agencies."
        )
    return EXIT_OK


def _catalogue_summary(catalogue: Catalogue) -> dict[str, int]:
    return {
        "indicators": len(catalogue.indicators),
        "active_indicators": len(catalogue.active_indicators()),
        "themes": len(catalogue.themes),
        "agencies": len(catalogue.agencies),
    }


def _catalogue_files() -> tuple[Catalogue, ReferenceData]:
    """The catalogue and reference files, checked, without opening the database."""
    settings = Settings.from_environment()
    catalogue = load_catalogue(settings.catalogue_dir)
    return catalogue, load_reference(settings.reference_dir, catalogue)


def _check(arguments: argparse.Namespace) -> int:
    catalogue, reference = _catalogue_files()
    summary = {
        **_catalogue_summary(catalogue),
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
    catalogue, reference = _catalogue_files()
    write_indicator_reference(catalogue, reference, INDICATOR_REFERENCE)
    write_rules_reference(RULES_REFERENCE)
    write_catalogue_schemas(SCHEMA_FOLDER)
    print(f"Wrote {INDICATOR_REFERENCE}, {RULES_REFERENCE} and the catalogue's JSON Schema in {SCHEMA_FOLDER}")
    return EXIT_OK


def _quarter(text: str | None) -> Quarter | None:
    return Quarter.parse(text) if text else None


def _read_file(path: Path) -> bytes:
    if not path.is_file():
        raise UsageError(f"There is no file {path}", "Check the path and the file name.")
    return path.read_bytes()


def _template(arguments: argparse.Namespace) -> int:
    quarter = Quarter.parse(arguments.period)
    suffix = arguments.out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(f"Cannot write a {suffix or 'suffix-less'} template", "Name the file .xlsx or .csv.")
    with _open_store(arguments) as store:
        check_agency(store.catalogue, arguments.agency, command_line_user())
        rows = template_rows(store.cursor(), command_line_user(), store.catalogue, arguments.agency, quarter)
        correcting = version_in_force(store.cursor(), command_line_user(), arguments.agency, quarter)
        content = (
            template_xlsx(rows, store.catalogue, arguments.agency, quarter, correcting)
            if suffix == ".xlsx" else template_csv(rows)
        )
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_bytes(content)
    indicators = rows["indicator_id"].nunique()
    summary = {"file": str(arguments.out), "agency": arguments.agency, "period": quarter.label,
               "indicators": indicators, "rows": len(rows), "correction": correcting}
    print(json.dumps(summary, indent=2) if arguments.json else
          f"Wrote {arguments.out}: {indicators} indicators in {len(rows)} rows for {arguments.agency}, "
          f"{quarter.label}" + (", filled with the figures in force to correct." if correcting else "."))
    return EXIT_OK


def _report_json(report: ValidationReport) -> dict[str, Any]:
    issues = report.issue_table()
    return {
        "accepted": report.accepted,
        "errors": report.errors,
        "warnings": report.warnings,
        "rows_read": report.rows_read,
        "ignored_columns": report.ignored_columns,
        "issues": json.loads(issues.to_json(orient="records")),
    }


def _print_report(report: ValidationReport) -> None:
    print(f"{report.file_name}: {report.rows_read:,} rows read, {report.errors:,} errors, "
          f"{report.warnings:,} warnings.")
    if report.ignored_columns:
        print("Ignored columns: " + ", ".join(report.ignored_columns))
    issues = report.issue_table()
    if not issues.empty:
        shown = issues.assign(column=issues["column"].fillna("") + " (" + issues["column_letter"].fillna("") + ")")
        print(_printable(shown.drop(columns=["column_letter"])).to_string(index=False))


def _validate(arguments: argparse.Namespace) -> int:
    content = _read_file(arguments.file)
    quarter = _quarter(arguments.period)
    with _open_store(arguments) as store:
        report = validate_return(
            store.cursor(), checked_against(store, quarter), content,
            arguments.file.name, arguments.agency,
            quarter, command_line_user(), utc_now().date(), Limits.from_environment(),
        )
    if arguments.json:
        print(json.dumps(_report_json(report), indent=2, ensure_ascii=False))
    else:
        _print_report(report)
        print("Accepted: no errors." if report.accepted else "Refused: fix the errors above.")
    return EXIT_OK if report.accepted else EXIT_PROBLEM


def _ingest(arguments: argparse.Namespace) -> int:
    content = _read_file(arguments.file)
    quarter = _quarter(arguments.period)
    with _open_store(arguments) as store:
        result: IngestResult = ingest_return(
            store, content, arguments.file.name, arguments.agency, quarter, command_line_user(),
            confirm_warnings=arguments.confirm_warnings,
        )
    if arguments.json:
        document = _report_json(result.report)
        document.update({
            "outcome": result.outcome,
            "stored": result.outcome == "stored",
            "submissions": [
                {"submission_id": version.submission_id, "period": version.period, "version": version.version}
                for version in result.versions
            ],
            "submission_id": result.versions[0].submission_id if len(result.versions) == 1 else None,
            "version": result.versions[0].version if len(result.versions) == 1 else None,
        })
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        _print_report(result.report)
        print(result.summary)
        if result.outcome == "needs_confirmation":
            print("Check the warnings, then run again with --confirm-warnings to store it.")
    return EXIT_OK if result.report.accepted else EXIT_PROBLEM


def _submissions(arguments: argparse.Namespace) -> int:
    period = _quarter(arguments.period)
    with _open_store(arguments) as store:
        if arguments.agency:
            check_agency(store.catalogue, arguments.agency, command_line_user())
        frame = submission_history(store.cursor(), command_line_user(), arguments.agency, period.label if period else None)
    frame["submitted_at"] = frame["submitted_at"].map(lambda moment: moment.isoformat(timespec="seconds"))
    records = json.loads(frame.to_json(orient="records"))
    columns = ["period", "agency", "version", "in_force", "file_name", "figures", "submitted_by", "submitted_at"]
    _emit(arguments, records, frame[columns])
    return EXIT_OK


def _figures(arguments: argparse.Namespace) -> int:
    quarter = Quarter.parse(arguments.period)
    with _open_store(arguments) as store:
        check_agency(store.catalogue, arguments.agency, command_line_user())
        frame = stored_figures(store.cursor(), command_line_user(), arguments.agency, quarter.label)
    records = json.loads(frame.to_json(orient="records"))
    _emit(arguments, records, _printable(frame))
    return EXIT_OK


SCORECARD_JSON = [
    "indicator_id", "theme", "period", "breakdown", "breakdown_value", "name", "unit", "polarity",
    "owner", "value", "status", "numerator", "denominator", "previous_value", "previous_status",
    "last_year_value", "change", "change_from_last_year", "movement", "direction", "rag",
    "england_value", "england_position", "north_east_value", "north_east_position",
    "neighbours_value", "neighbours_position", "spc_signal", "spc_rules", "spc_mean",
    "spc_lower", "spc_upper", "spc_points", "recent_values",
]
SCORECARD_TABLE = ["indicator_id", "breakdown", "breakdown_value", "value", "status", "previous_value",
                   "direction", "rag", "spc_signal"]
# Figures in JSON carry four decimal places: more than any return gives, and stable to compare.
JSON_DECIMALS = 4


def _scorecard(arguments: argparse.Namespace) -> int:
    quarter = Quarter.parse(arguments.period)
    with _open_store(arguments) as store:
        if arguments.theme and arguments.theme not in store.catalogue.theme_by_id:
            close = difflib.get_close_matches(arguments.theme, list(store.catalogue.theme_by_id), n=2)
            raise UsageError(
                f"'{arguments.theme}' is not a theme in the catalogue",
                ("Did you mean " + " or ".join(close) + "? " if close else "")
                + "python -m thinktank themes lists them.",
            )
        card = scorecard.scorecard(store.cursor(), quarter, theme=arguments.theme)
    figures = card.select_dtypes("number").columns
    card[figures] = card[figures].round(JSON_DECIMALS)
    card["recent_values"] = card["recent_values"].map(
        lambda values: [None if value is None else round(value, JSON_DECIMALS) for value in values]
    )
    table = card[SCORECARD_TABLE].copy()
    table["value"] = table["value"].round(1)
    table["previous_value"] = table["previous_value"].round(1)
    _emit(arguments, _records(card, SCORECARD_JSON), _printable(table))
    return EXIT_OK


def _demo(arguments: argparse.Namespace) -> int:
    def progress(done: int, total: int, label: str) -> None:
        print(f"\r[{done:>3}/{total}] {label:<60}", end="", file=sys.stderr, flush=True)

    with _open_store(arguments) as store:
        summary = first_start.build_demo(store, utc_now().date(), progress=None if arguments.json else progress)
    if arguments.json:
        print(json.dumps(dataclasses.asdict(summary), indent=2))
    else:
        print(file=sys.stderr)
        print(
            f"Demo partnership built: {summary.stored} returns stored for {summary.quarters[0]} to "
            f"{summary.quarters[-1]}, {summary.refused} refused, {summary.not_sent} not sent."
        )
    return EXIT_OK


REPORT_FORMATS = {"pdf": pack_pdf, "html": lambda pack: pack_html(pack).encode("utf-8"), "xlsx": pack_xlsx}


def _report(arguments: argparse.Namespace) -> int:
    chosen = arguments.format or arguments.out.suffix.lower().lstrip(".")
    if chosen not in REPORT_FORMATS:
        raise UsageError(f"Cannot tell which board pack to write to {arguments.out}",
                         "Give --format pdf, html or xlsx, or name the file .pdf, .html or .xlsx.")
    with _open_store(arguments) as store:
        cursor = store.cursor()
        if arguments.period:
            quarter = Quarter.parse(arguments.period)
        else:
            reported = scorecard.reported_quarters(cursor)
            if not reported:
                raise ReportError("No returns are stored yet, so there is no board pack to make",
                                  "Store the agencies' returns first (python -m thinktank ingest).")
            quarter = reported[-1]
        pack = build_pack(cursor, command_line_user(), quarter, utc_now())
    content = REPORT_FORMATS[chosen](pack)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_bytes(content)
    summary = {"file": str(arguments.out), "format": chosen, "period": quarter.label,
               "state": pack.sign_off.state, "version": pack.sign_off.version, "bytes": len(content),
               "suppressed": pack.primary_suppressed + pack.secondary_suppressed}
    print(json.dumps(summary, indent=2) if arguments.json else
          f"Wrote {arguments.out}: the {quarter.label} board pack ({chosen}); the headlines are "
          f"{SIGN_OFF_IN_A_SENTENCE[pack.sign_off.state]}, version {pack.sign_off.version}; "
          f"{summary['suppressed']:,} small-number figure{'' if summary['suppressed'] == 1 else 's'} held back.")
    return EXIT_OK


def _backup(arguments: argparse.Namespace) -> int:
    database = Settings.from_environment(arguments.db).database_path
    out = arguments.out.absolute()
    through_dashboard = _backup_through_dashboard(database, out)
    if through_dashboard is None:  # no dashboard holds the database: read it here
        with contextlib.closing(open_read_only(database)) as connection:
            manifest = write_backup(connection, out, utc_now()).as_json()
    else:
        manifest = through_dashboard
    rows = sum(table["rows"] for table in manifest["tables"].values())
    print(json.dumps({"folder": str(out), **manifest}, indent=2) if arguments.json else
          f"Backed up {database} to {out}: {len(manifest['tables'])} tables, {rows:,} rows, schema version "
          f"{manifest['schema_version']}" + (", through the dashboard, which holds it." if through_dashboard else "."))
    return EXIT_OK


def _restore(arguments: argparse.Namespace) -> int:
    database = Settings.from_environment(arguments.db).database_path
    manifest = check_backup(arguments.folder)
    if database.exists():
        refuse_while_in_use(database)
    kept = restore_backup(arguments.folder, database, utc_now())
    summary = {"database": str(database), "folder": str(arguments.folder.absolute()), "made_at": manifest.made_at,
               "schema_version": manifest.schema_version, "tables": len(manifest.tables), "rows": manifest.rows,
               "previous_file_kept_as": str(kept) if kept else None}
    print(json.dumps(summary, indent=2) if arguments.json else
          f"Restored {database} from the backup taken {manifest.made_at.replace('T', ' at ')} UTC "
          f"({len(manifest.tables)} tables, {manifest.rows:,} rows, all checked)."
          + (f" The file it replaced is kept as {kept}." if kept else ""))
    return EXIT_OK


class ReportError(ThinkTankError):
    """A board pack that cannot be made as asked."""


REBASE_COLUMNS = ["indicator_id", "period", "reason", "recorded_by", "recorded_at"]


def _rebase_list(arguments: argparse.Namespace) -> int:
    with _open_store(arguments) as store:
        frame = rebases(store.cursor(), arguments.indicator)
    frame["recorded_at"] = frame["recorded_at"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    _emit(arguments, _records(frame, REBASE_COLUMNS), frame[REBASE_COLUMNS])
    return EXIT_OK


def _rebase_add(arguments: argparse.Namespace) -> int:
    quarter = Quarter.parse(" ".join(arguments.period))
    with _open_store(arguments) as store:
        add_rebase(store.cursor(), command_line_user(), arguments.indicator, quarter, arguments.reason, utc_now())
        (held,) = _records(rebases(store.cursor(), arguments.indicator).query("period == @quarter.label"),
                           ["indicator_id", "period", "reason"])
    print(json.dumps(held, indent=2, ensure_ascii=False) if arguments.json else
          f"{held['indicator_id']} re-based from {held['period']}: {held['reason']}. Its mean and process "
          "limits are worked out afresh from that quarter.")
    return EXIT_OK


def _rebase_remove(arguments: argparse.Namespace) -> int:
    quarter = Quarter.parse(" ".join(arguments.period))
    with _open_store(arguments) as store:
        remove_rebase(store.cursor(), command_line_user(), arguments.indicator, quarter, utc_now())
    removed = {"indicator_id": arguments.indicator, "period": quarter.label}
    print(json.dumps(removed, indent=2) if arguments.json else
          f"Removed {arguments.indicator}'s re-base from {quarter.label}.")
    return EXIT_OK


USER_LIST_TABLE = ["email", "name", "role", "agency_id", "active"]


def _users_list(arguments: argparse.Namespace) -> int:
    with _open_store(arguments) as store:
        frame = accounts.users(store.cursor(), command_line_user())
    for column in ("added_at", "changed_at"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%dT%H:%M:%S")
    _emit(arguments, _records(frame, accounts.USER_COLUMNS), _printable(frame[USER_LIST_TABLE]))
    return EXIT_OK


def _users_add(arguments: argparse.Namespace) -> int:
    with _open_store(arguments) as store:
        user = accounts.add_user(store.cursor(), command_line_user(), arguments.email, arguments.name, arguments.role,
                                 arguments.agency, utc_now())
    added = {"email": user.id, "name": user.name, "role": str(user.role), "agency_id": user.agency_id}
    print(json.dumps(added, indent=2, ensure_ascii=False) if arguments.json else
          f"{user.name} ({user.id}) can now sign in as {ROLE_LABELS[user.role]}"
          + (f" for {agency_name(store.catalogue.agency_by_id[user.agency_id])}." if user.agency_id else "."))
    return EXIT_OK


AUDIT_COLUMNS = ["id", "happened_at", "actor", "action", "outcome", "agency_id", "period", "file_name", "rows_read",
                 "errors", "warnings", "detail"]


def _audit_list(arguments: argparse.Namespace) -> int:
    with _open_store(arguments) as store:
        frame = audit_entries(store.cursor())
    if arguments.action:
        frame = frame[frame["action"] == arguments.action]
    frame["happened_at"] = frame["happened_at"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    _emit(arguments, _records(frame, AUDIT_COLUMNS), _printable(frame[AUDIT_COLUMNS]))
    return EXIT_OK


def _audit_verify(arguments: argparse.Namespace) -> int:
    with _open_store(arguments) as store:
        check = verify_chain(store.cursor())
    if arguments.json:
        print(json.dumps({"intact": check.intact, "events": check.events,
                          "broken": [dataclasses.asdict(link) for link in check.broken]}, indent=2))
    else:
        print(check.summary)
        for link in check.broken:
            print(f"  event {link.event_id}: {link.problem}")
    return EXIT_OK if check.intact else EXIT_PROBLEM


def _catalogue_export(arguments: argparse.Namespace) -> int:
    out: Path = arguments.out
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out} is not an empty folder",
                         "Give a new folder, or an empty one, so that no file of yours is overwritten.")
    with _open_store(arguments) as store:
        catalogue = store.catalogue
    today = utc_now().date()
    written = write_catalogue(catalogue, out, f"The Think Tank catalogue, exported on {format_date(today)}.\n"
                              "Each indicator as its latest definition reads; python -m thinktank catalogue "
                              "import reads these files back.")
    summary = {"folder": str(out), "files": [str(path.relative_to(out)) for path in written],
               **_catalogue_summary(catalogue)}
    print(json.dumps(summary, indent=2) if arguments.json else
          f"Wrote {len(written)} files to {out}: {summary['indicators']:,} indicators in {summary['themes']} themes.")
    return EXIT_OK


def _catalogue_import(arguments: argparse.Namespace) -> int:
    files = load_catalogue(arguments.folder)
    effective_from = _quarter(arguments.effective_from) or latest_complete_quarter(utc_now().date())
    with _open_store(arguments) as store:
        proposal = catalogue_changes.propose_import(store.cursor(), store.catalogue, files, effective_from)
        if not proposal.is_valid:
            raise CatalogueError(list(proposal.problems))
        applied = bool(proposal.changes) and not arguments.dry_run
        if applied:
            catalogue_changes.save(store, command_line_user(), proposal, source=SOURCE_IMPORT,
                                   reason=f"Imported from {arguments.folder}")
    if arguments.json:
        print(json.dumps({
            "effective_from": effective_from.label, "applied": applied,
            "changes": [{"entry": change.subject, "field": change.field, "before": change.before,
                         "after": change.after} for change in proposal.changes],
            "indicators_changed": list(proposal.indicator_ids),
        }, indent=2, ensure_ascii=False, default=str))
        return EXIT_OK
    if not proposal.changes:
        print(f"No difference: the catalogue already reads as {arguments.folder} does. Nothing was changed.")
        return EXIT_OK
    print(f"{len(proposal.changes):,} difference{'s' if len(proposal.changes) != 1 else ''}, for definitions from "
          f"{effective_from.label} on:")
    for change in proposal.changes:
        print(f"  {change.in_words()}")
    print("Nothing was changed (--dry-run)." if not applied else
          f"Applied in one transaction. Quarters before {effective_from.label} keep the definitions they had.")
    return EXIT_OK


# Commands that only read the store: while the dashboard holds it, they read a snapshot.
READING_COMMANDS = {_indicators, _themes, _agencies, _template, _validate, _submissions, _figures, _scorecard,
                    _report, _rebase_list, _users_list, _audit_list, _audit_verify, _catalogue_export}
