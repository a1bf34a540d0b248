"""Ingest benchmark: validate and store a 500-row quarterly return and backfill workbooks of
1,000, 10,000 and 100,000 rows, each through `ingest_return` (the upload path), timing them
beside the anchor, python-calamine parsing the same file and doing nothing else, and taking
the peak memory of the process that does it.

    .venv/bin/python bench/ingest.py             # every case, a table for bench/RESULTS.md
    .venv/bin/python bench/ingest.py --repeats 1 --rows 100000  # the backfills once, a quick look

A return that big needs more groups than the real catalogue's breakdowns have, so the
benchmark works on a copy of the catalogue with one synthetic breakdown, `ward`, of 150
groups, allowed on every children's social care indicator. Each run of a case is a process of
its own, so its peak memory is its own: the return is validated and stored first, its peak
taken, and then calamine parses the same bytes three times in the same process (the median is
the anchor). Before the clock starts the process loads Pandera's backends, as the server does
before its first visitor. The cases run in turn, so whatever else the machine does slows a case and its
anchor alike. Processor time (the process's, DuckDB's threads included) is shown too: on a
busy machine it moves less than the time on the clock.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peak_memory import peak_mib

from schemas.returns import load_row_checks
from thinktank.catalogue import Catalogue
from thinktank.ingest.submit import ingest_return
from thinktank.periods import Quarter, quarters_between
from thinktank.settings import REPO_ROOT, Settings
from thinktank.store import Store
from thinktank.users import LOCAL_ANALYST

AGENCY = "childrens_social_care"
WARDS = [f"Ward {number:03d}" for number in range(1, 151)]
# (rows, written without a <dimension> element) -> (seconds, times the anchor, MiB); None where
# the case has no target of its own but draws the curve.
TARGETS = {
    (500, False): (1.0, None, 500),
    (1_000, False): (None, None, 500),
    (10_000, False): (None, None, 500),
    (100_000, False): (2.0, 4.0, 500),
    (100_000, True): (2.0, 4.0, 500),
}
ANCHOR_REPEATS = 3
HEADER = ["indicator_id", "period", "breakdown", "breakdown_value", "numerator", "denominator", "value", "comment"]


def catalogue_with_wards(folder: Path) -> Path:
    target = folder / "indicators"
    shutil.copytree(REPO_ROOT / "indicators", target)
    registers = target / "partnership" / "breakdowns.yaml"
    document = yaml.safe_load(registers.read_text())
    document["breakdowns"].append({"id": "ward", "name": "Ward", "values": WARDS})
    registers.write_text(yaml.safe_dump(document, sort_keys=False))
    for path in target.glob("*.yaml"):
        theme = yaml.safe_load(path.read_text())
        for indicator in theme["indicators"]:
            if indicator["owner"] == AGENCY:
                indicator["breakdowns"] = [*indicator.get("breakdowns", []), "ward"]
        path.write_text(yaml.safe_dump(theme, sort_keys=False))
    return target


def rows_for(catalogue: Catalogue, quarters: list[Quarter], wards: int, limit: int) -> list[list]:
    """All figures plus ward groups that add up to them, for the agency's indicators."""
    rows = []
    for quarter in quarters:
        for indicator in catalogue.indicators:
            if indicator.owner != AGENCY or not indicator.is_active_in(quarter):
                continue
            groups = [("All", "All"), *(("Ward", name) for name in WARDS[:wards])]
            for breakdown, group in groups:
                share = wards if breakdown == "All" else 1
                if indicator.unit == "percent":
                    cells = [40 * share, 50 * share, None]
                elif indicator.unit == "rate_per_10k":
                    cells = [12 * share, None, None]
                elif indicator.unit == "score":
                    cells = [None, None, 7.5]
                else:
                    cells = [None, None, 20 * share]
                rows.append([indicator.id, quarter.label, breakdown, group, *cells, None])
                if len(rows) == limit:
                    return rows
    return rows


def workbook(rows: list[list], without_dimension: bool) -> bytes:
    # openpyxl's ordinary save: a <dimension> element, and every text as an inline string,
    # which is three XML elements a cell against two for Excel's shared strings, so this
    # costs the reader more than the same sheet saved from Excel.
    # Its write-only mode leaves the <dimension> element out, as some exporters do.
    book = Workbook(write_only=without_dimension)
    sheet = book.create_sheet("Return") if without_dimension else book.active
    sheet.title = "Return"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_case(path: Path) -> dict:
    content = path.read_bytes()
    size = int(path.stem.split("-")[1])
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(Path(folder) / "bench.duckdb", catalogue_with_wards(Path(folder)),
                            REPO_ROOT / "data" / "reference")
        with Store.open(settings) as store:
            # As a server does before its first visitor (scripts/serve.py): an upload is never a
            # server's first validation, so Pandera's backends are loaded before the clock starts.
            load_row_checks()
            started, cpu_started = time.perf_counter(), time.process_time()
            result = ingest_return(
                store, content, f"bench-{size}.xlsx", AGENCY, None, LOCAL_ANALYST,
                confirm_warnings=True, today=dt.date(2026, 11, 23),
            )
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            peak = peak_mib()
            (stored_rows,) = store.cursor().execute("SELECT count(*) FROM observations_in_force").fetchone()
    return {
        "rows": result.report.rows_read, "stored_rows": stored_rows, "file_mib": len(content) / 2**20,
        "seconds": seconds, "cpu": cpu,
        **dict(zip(("anchor", "anchor_cpu"),
                   map(statistics.median, zip(*(parse_alone(content) for _ in range(ANCHOR_REPEATS)), strict=True)),
                   strict=True)),
        "outcome": result.outcome, "errors": result.report.errors, "peak_mib": peak,
    }


def parse_alone(content: bytes) -> tuple[float, float]:
    """The anchor: python-calamine reading the return sheet's values into Python, nothing else
    (seconds, and seconds of the processor's time)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("Return").to_python()
    return time.perf_counter() - started, time.process_time() - cpu_started


def write_case(folder: Path, size: int, without_dimension: bool) -> Path:
    """The case's workbook, written once for all its runs."""
    path = folder / f"bench-{size}{'-nodim' if without_dimension else ''}.xlsx"
    settings = Settings(folder / f"{path.stem}.duckdb", catalogue_with_wards(folder / path.stem),
                        REPO_ROOT / "data" / "reference")
    with Store.open(settings) as store:
        if size <= 1_000:
            quarters, wards = [Quarter(2024, 1)], 12 if size <= 500 else 100
        else:
            quarters, wards = quarters_between(Quarter(2022, 1), Quarter(2026, 2)), len(WARDS)
        rows = rows_for(store.catalogue, quarters, wards, size)
    path.write_bytes(workbook(rows, without_dimension))
    return path


def _size(mib: float) -> str:
    return f"{mib:,.1f} MiB" if mib >= 1 else f"{mib * 1024:,.0f} KiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", type=Path, help="run one case's workbook once and print JSON")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each case (default 3)")
    parser.add_argument("--rows", type=int, action="append", help="only the cases of this many rows (repeatable)")
    arguments = parser.parse_args()
    if arguments.case:
        print(json.dumps(run_case(arguments.case)))
        return
    # Only here: bench/startup.py brings in Streamlit and pytest (about 40 MiB), which the
    # processes that take a peak need not hold.
    from startup import machine

    print(f"Machine: {machine()}")
    print(f"Date: {dt.date.today():%-d %B %Y}")
    print()
    print("| return | file | validate + store (median) | slowest | calamine alone (median) | times calamine "
          "| processor time, times calamine's | peak memory | targets | outcome |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for (size, without_dimension), targets in TARGETS.items():
            if arguments.rows and size not in arguments.rows:
                continue
            path = write_case(Path(folder), size, without_dimension)
            runs = []
            for _ in range(arguments.repeats):
                output = subprocess.run([sys.executable, __file__, "--case", str(path)],
                                        check=True, capture_output=True, text=True).stdout
                runs.append(json.loads(output))
            case = summary(runs)
            print(
                f"| {case['rows']:,} rows{', no <dimension>' if without_dimension else ''} | {_size(case['file_mib'])} "
                f"| {case['seconds']:,.2f} s | {case['slowest']:,.2f} s | {case['anchor']:,.2f} s "
                f"| {case['seconds'] / case['anchor']:,.1f}x | {case['cpu']:,.2f} s, {case['cpu'] / case['anchor_cpu']:,.1f}x "
                f"| {case['peak_mib']:,.0f} MiB | {_targets(*targets)} "
                f"| {verdict(case, *targets)} |"
            )


def summary(runs: list[dict]) -> dict:
    """Median times over the runs, the slowest, and the highest peak; a run that stored less
    than it sent stands for the case, so that it is never hidden by a median."""
    worst = next((run for run in runs if run["outcome"] != "stored" or run["stored_rows"] != run["rows"]), runs[0])
    return {**worst, "seconds": statistics.median(run["seconds"] for run in runs),
            "slowest": max(run["seconds"] for run in runs),
            "anchor": statistics.median(run["anchor"] for run in runs),
            "cpu": statistics.median(run["cpu"] for run in runs),
            "anchor_cpu": statistics.median(run["anchor_cpu"] for run in runs),
            "peak_mib": max(run["peak_mib"] for run in runs)}


def _targets(seconds: float | None, times: float | None, mib: float) -> str:
    parts = [f"< {seconds:g} s" if seconds else None, f"< {times:g}x calamine" if times else None, f"< {mib} MiB"]
    return ", ".join(part for part in parts if part)


def verdict(case: dict, seconds_target: float | None, times_target: float | None, memory_target: float) -> str:
    """The outcome column: a case counts only when every row it sent is stored, so a refused or
    half-stored return is never reported as fast."""
    if case["outcome"] != "stored" or case["stored_rows"] != case["rows"]:
        return (f"{case['outcome']}, {case['stored_rows']:,} of {case['rows']:,} rows stored, "
                f"{case['errors']:,} errors (WRONG: the benchmark stores nothing it can time)")
    met = ((seconds_target is None or case["seconds"] < seconds_target)
           and (times_target is None or case["seconds"] < times_target * case["anchor"])
           and case["peak_mib"] < memory_target)
    return f"{case['outcome']}{'' if met else ' (target missed)'}"


if __name__ == "__main__":
    main()
