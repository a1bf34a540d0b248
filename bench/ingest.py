"""Ingest benchmark: validate and store a 500-row quarterly return and a 100,000-row backfill
workbook, each through `ingest_return` (the upload path), timing them and taking the peak
memory of the process that does it.

    .venv/bin/python bench/ingest.py            # both cases, a table for bench/RESULTS.md

A return that big needs more groups than the real catalogue's breakdowns have, so the
benchmark works on a copy of the catalogue with one synthetic breakdown, `ward`, of 150
groups, allowed on every children's social care indicator. Each case runs in a process of
its own, so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from startup import machine

from thinktank.catalogue import Catalogue
from thinktank.ingest.submit import ingest_return
from thinktank.periods import Quarter, quarters_between
from thinktank.settings import REPO_ROOT, Settings
from thinktank.store import Store
from thinktank.users import LOCAL_ANALYST

AGENCY = "childrens_social_care"
WARDS = [f"Ward {number:03d}" for number in range(1, 151)]
# (rows, written without a <dimension> element) -> (seconds, MiB)
TARGETS = {(500, False): (1.0, 500), (100_000, False): (15.0, 500), (100_000, True): (15.0, 500)}
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


def run_case(size: int, without_dimension: bool) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(Path(folder) / "bench.duckdb", catalogue_with_wards(Path(folder)),
                            REPO_ROOT / "data" / "reference")
        with Store.open(settings) as store:
            if size <= 1_000:
                quarters, wards = [Quarter(2024, 1)], 12
            else:
                quarters, wards = quarters_between(Quarter(2022, 1), Quarter(2026, 2)), len(WARDS)
            rows = rows_for(store.catalogue, quarters, wards, size)
            content = workbook(rows, without_dimension)
            started = time.perf_counter()
            result = ingest_return(
                store, content, f"bench-{size}.xlsx", AGENCY, None, LOCAL_ANALYST,
                confirm_warnings=True, today=dt.date(2026, 11, 23),
            )
            seconds = time.perf_counter() - started
            (stored_rows,) = store.cursor().execute("SELECT count(*) FROM observations_in_force").fetchone()
    return {
        "rows": len(rows), "stored_rows": stored_rows, "file_mib": len(content) / 2**20, "seconds": seconds,
        "outcome": result.outcome, "errors": result.report.errors,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _size(mib: float) -> str:
    return f"{mib:,.1f} MiB" if mib >= 1 else f"{mib * 1024:,.0f} KiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", type=int, help="run one case (rows) and print JSON")
    parser.add_argument("--without-dimension", action="store_true", help="with --case: no <dimension> element")
    arguments = parser.parse_args()
    if arguments.case:
        print(json.dumps(run_case(arguments.case, arguments.without_dimension)))
        return
    print(f"Machine: {machine()}")
    print(f"Date: {dt.date.today():%-d %B %Y}")
    print()
    print("| return | file | validate + store | target | peak memory | target | outcome |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for (size, without_dimension), (seconds_target, memory_target) in TARGETS.items():
        command = [sys.executable, __file__, "--case", str(size)]
        output = subprocess.run(command + (["--without-dimension"] if without_dimension else []),
                                check=True, capture_output=True, text=True).stdout
        case = json.loads(output)
        print(
            f"| {case['rows']:,} rows{', no <dimension>' if without_dimension else ''} | {_size(case['file_mib'])} | {case['seconds']:,.2f} s "
            f"| < {seconds_target:g} s | {case['peak_mib']:,.0f} MiB | < {memory_target} MiB "
            f"| {verdict(case, seconds_target, memory_target)} |"
        )


def verdict(case: dict, seconds_target: float, memory_target: float) -> str:
    """The outcome column: a case counts only when every row it sent is stored, so a refused or
    half-stored return is never reported as fast."""
    if case["outcome"] != "stored" or case["stored_rows"] != case["rows"]:
        return (f"{case['outcome']}, {case['stored_rows']:,} of {case['rows']:,} rows stored, "
                f"{case['errors']:,} errors (WRONG: the benchmark stores nothing it can time)")
    met = case["seconds"] < seconds_target and case["peak_mib"] < memory_target
    return f"{case['outcome']}{'' if met else ' (target missed)'}"


if __name__ == "__main__":
    main()
