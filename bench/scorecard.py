"""Scorecard benchmark: the time to build the full scorecard for a quarter and to load one
indicator's page data, cold (first query of a fresh process) and warm (repeated), on three
stores, beside a pandas implementation (`scorecard_baseline.py`) computing the scorecard from the
figures in force (the read path: not the same work, since the engine reads stored points). Also
every series' points worked out afresh (as a change to the catalogue or population does) beside
pandas doing that same work from the same inputs, checked row by row; one agency's series
rewritten (what storing a return adds); the peak memory of a process doing only what the server
does; and the time the Scorecard page takes to render in Chromium on the demo.

    .venv/bin/python bench/scorecard.py                 # every case, a table for RESULTS.md
    .venv/bin/python bench/scorecard.py --cases 1x      # just the demo
    .venv/bin/python bench/scorecard.py --no-browser    # the stores without Chromium

The stores: the demo partnership (built through the ingest path), and two synthetic stores
written straight into the tables: every indicator of the catalogue, 40 quarters, and a
synthetic `Ward` breakdown wide enough for about 500,000 and about 5,000,000 observations
(the issue's 10x and 100x). One figure in 200 is suppressed. Each case is measured in a process
of its own, so peak memory is that process's maximum resident set.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peak_memory import peak_mib
from scorecard_baseline import (
    POINT_COLUMNS,
    load_inputs,
    load_recompute_inputs,
    pandas_scorecard,
    pandas_series_points,
    point_mismatches,
)
from startup import machine

from thinktank import scorecard
from thinktank.demo import build_demo
from thinktank.periods import Quarter
from thinktank.settings import REPO_ROOT, Settings
from thinktank.store import Store
from thinktank.store.series_points import refresh_series_points
from thinktank.store.transactions import transaction

TARGETS = {"warm_scorecard_s": 1.0, "ratio": 5.0, "page_data_ms": 50.0, "browser_s": 2.0,
           "recompute_100x_s": 1.5, "recompute_ratio": 7.0, "server_peak_mib": 1024}
SYNTHETIC_QUARTERS = 40
LAST_QUARTER = Quarter(2026, 2)
# Ward groups per indicator and quarter for about 500,000 and 5,000,000 observations.
SYNTHETIC_WARDS = {"10x": 135, "100x": 1_358}
REPEATS = 5
# Each full recomputation at 100x takes seconds on either side: three of each, in turn.
RECOMPUTE_REPEATS = 3
BROWSER_LOADS = 8
PAGE_INDICATORS = ["FD04", "CP02", "HO01", "EH02", "CLA01"]


def build_store(case: str, database: Path) -> None:
    """Build the case's store. A synthetic one is written straight into the tables, then its
    `series_points` worked out, as after a change to the catalogue or the population (timed
    apart, in `measure`)."""
    with Store.open(Settings.from_environment(database)) as store:
        if case == "1x":
            build_demo(store, dt.date(2026, 11, 23))
            return
        cursor = store.cursor()
        last = LAST_QUARTER.index
        parameters = {"first": last - SYNTHETIC_QUARTERS + 1, "last": last, "wards": SYNTHETIC_WARDS[case]}
        cursor.execute(
            """
            INSERT INTO submissions (agency_id, period, version, file_name, file_sha256, rows_read,
                                     submitted_by, submitted_at, warnings_confirmed)
            SELECT agency.id, quarter_label(q.quarter), 1, 'synthetic.xlsx', 'synthetic', 0, 'bench',
                   TIMESTAMP '2026-11-23 09:00:00', false
            FROM (SELECT DISTINCT owner_id AS id FROM indicators) agency,
                 range($first, $last + 1) AS q(quarter)
            """, {"first": parameters["first"], "last": parameters["last"]})
        # A quarter at a time, as returns arrive: five million figures in one statement is more
        # than the store's memory cap lets one insert hold (a return is refused above 200,000 rows).
        for quarter in range(parameters["first"], parameters["last"] + 1):
            _insert_synthetic_quarter(cursor, quarter, parameters["wards"])
        with transaction(cursor):
            refresh_series_points(cursor)


def _insert_synthetic_quarter(cursor, quarter: int, wards: int) -> None:
    """Every indicator's figures for one quarter of a synthetic store."""
    cursor.execute(
        """
        INSERT INTO observations (submission_id, indicator_id, period, period_index, breakdown,
                                  breakdown_value, numerator, denominator, value, status, comment,
                                  source_row)
        WITH cells AS (
            SELECT s.id AS submission_id, i.id AS indicator_id, i.unit, s.period, g.ward,
                   quarter_index(s.period) % 4 AS season,
                   (hash(i.id, s.period, g.ward) % 1000) / 1000.0 AS noise
            FROM indicators i
            JOIN submissions s ON s.agency_id = i.owner_id AND s.period = quarter_label($quarter)
            CROSS JOIN range(0, $wards + 1) AS g(ward)
        )
        SELECT submission_id, indicator_id, period, quarter_index(period),
            CASE WHEN ward = 0 THEN 'All' ELSE 'Ward' END,
            CASE WHEN ward = 0 THEN 'All' ELSE printf('Ward %04d', ward) END,
            CASE WHEN suppressed THEN NULL WHEN unit = 'percent' THEN round(40 + 10 * noise + season)
                 WHEN unit = 'rate_per_10k' THEN round(400 + 60 * noise + 5 * season) END,
            CASE WHEN NOT suppressed AND unit = 'percent' THEN 60 END,
            CASE WHEN suppressed OR unit IN ('percent', 'rate_per_10k') THEN NULL
                 WHEN unit = 'score' THEN round(5 + 3 * noise, 1)
                 ELSE round(100 + 30 * noise + 4 * season) END,
            CASE WHEN suppressed THEN 'c' END,
            NULL, ward + 2
        FROM (SELECT *, ward > 0 AND hash(indicator_id, period, ward, 'c') % 200 = 0 AS suppressed FROM cells)
        """, {"wards": wards, "quarter": quarter})


def measure(database: Path) -> dict:
    """Run in a fresh process: cold first, then warm repeats."""
    store = Store.open(Settings.from_environment(database))
    cursor = store.cursor()
    (observations,) = cursor.execute("SELECT count(*) FROM observations_in_force").fetchone()
    quarter = scorecard.reported_quarters(cursor)[-1]

    started = time.perf_counter()
    card = scorecard.scorecard(cursor, quarter)
    cold = time.perf_counter() - started
    warm = statistics.median(_timed(lambda: scorecard.scorecard(cursor, quarter), REPEATS))

    # The Indicator page draws its chart from `series` and takes the indicator's rows from the
    # quarter's scorecard, which is cached for every user once anyone has opened a page for the
    # quarter: that is the page's data as it loads it. Timed too: the same with the indicator's
    # rows worked out afresh, as after a new return with nobody having looked yet.
    def page_data(indicator_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        return (scorecard.series(cursor, indicator_id, quarter, breakdown="All"),
                card[card["indicator_id"] == indicator_id])

    def page_data_afresh(indicator_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        return (scorecard.series(cursor, indicator_id, quarter, breakdown="All"),
                scorecard.scorecard(cursor, quarter, indicator_id=indicator_id))

    page_cold = _timed(lambda: page_data(PAGE_INDICATORS[0]), 1)[0]
    page_warm = statistics.median(
        [duration for indicator in PAGE_INDICATORS for duration in _timed(lambda i=indicator: page_data(i), 3)])
    afresh_warm = statistics.median(
        [duration for indicator in PAGE_INDICATORS for duration in _timed(lambda i=indicator: page_data_afresh(i), 3)])

    # What a stored return adds: rewriting the series of every indicator of the agency that
    # owns the most, undone afterwards.
    (owner_indicators,) = cursor.execute(
        "SELECT list(id) FROM indicators GROUP BY owner_id ORDER BY count(*) DESC LIMIT 1").fetchone()
    cursor.begin()
    started = time.perf_counter()
    refresh_series_points(cursor, owner_indicators)
    agency_rewrite = time.perf_counter() - started
    cursor.rollback()

    inputs = load_inputs(cursor)
    index = quarter.index
    baseline = pandas_scorecard(inputs, index)
    pandas_seconds = statistics.median(_timed(lambda: pandas_scorecard(inputs, index), 3))

    # Every series worked out afresh, committed, as a change to the catalogue or the population
    # does; beside pandas working out the same points from the same inputs held in memory, in
    # turn, and checked row by row against the table the engine wrote.
    recompute_inputs = load_recompute_inputs(cursor)
    engine_recompute, pandas_recompute = [], []
    for _ in range(RECOMPUTE_REPEATS):
        engine_recompute += _timed(lambda: _recompute(cursor), 1)
        pandas_recompute += _timed(lambda: pandas_series_points(recompute_inputs), 1)
    points = cursor.execute(f"SELECT {', '.join(POINT_COLUMNS)} FROM series_points").df()
    point_errors = point_mismatches(points, pandas_series_points(recompute_inputs))
    store.close()
    return {
        "recompute_s": statistics.median(engine_recompute), "recompute_slowest_s": max(engine_recompute),
        "pandas_recompute_s": statistics.median(pandas_recompute),
        "recompute_ratio": statistics.median(pandas_recompute) / statistics.median(engine_recompute),
        "point_mismatches": point_errors, "points": len(points),
        "observations": observations, "rows": len(card), "cold_s": cold, "warm_s": warm,
        "page_cold_ms": page_cold * 1000, "page_warm_ms": page_warm * 1000, "afresh_warm_ms": afresh_warm * 1000,
        "agency_rewrite_s": agency_rewrite, "agency_indicators": len(owner_indicators),
        "pandas_s": pandas_seconds, "ratio": pandas_seconds / warm,
        "mismatches": _mismatches(card, baseline),
        "peak_mib": peak_mib(),
    }


def _recompute(cursor) -> None:
    with transaction(cursor):
        refresh_series_points(cursor)


def server_memory(database: Path) -> dict:
    """Run in a fresh process doing only what the server does with the store: open it, the
    scorecard for the latest quarter, the indicator page data, and every series worked out
    afresh. Its maximum resident set is the scorecard process's peak memory."""
    store = Store.open(Settings.from_environment(database))
    cursor = store.cursor()
    quarter = scorecard.reported_quarters(cursor)[-1]
    card = scorecard.scorecard(cursor, quarter)
    for indicator_id in PAGE_INDICATORS:
        scorecard.series(cursor, indicator_id, quarter, breakdown="All")
        scorecard.scorecard(cursor, quarter, indicator_id=indicator_id)
    after_reads = peak_mib()
    _recompute(cursor)
    store.close()
    return {"rows": len(card), "reads_peak_mib": after_reads,
            "peak_mib": peak_mib()}


def _timed(action, repeats: int) -> list[float]:
    durations = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    return durations


def _mismatches(card, baseline) -> int:
    """Rows where the engine and the baseline disagree: the baseline must be the same scorecard."""
    key = ["indicator_id", "breakdown", "breakdown_value"]
    joined = card.merge(baseline, on=key, how="outer", suffixes=("", "_pandas"), indicator=True)
    wrong = joined["_merge"] != "both"
    for column in ("value", "previous_value"):
        left, right = joined[column], joined[f"{column}_pandas"]
        wrong |= ~(((left - right).abs() < 1e-9) | (left.isna() & right.isna()))
    for column in ("direction", "rag"):
        wrong |= joined[column] != joined[f"{column}_pandas"]
    shown = joined["value"].notna()
    wrong |= shown & (joined["spc_signal"] != joined["spc_signal_pandas"])
    return int(wrong.sum())


def _run_apart(option: str, database: Path) -> dict:
    """This script's `option` on the database in a process of its own, so that its peak memory
    is its own."""
    return json.loads(subprocess.run(
        [sys.executable, __file__, option, str(database)], check=True, capture_output=True, text=True,
    ).stdout)


def _agrees(mismatches: int) -> str:
    return "yes" if mismatches == 0 else f"{mismatches:,} rows differ"


def browser_render(database: Path) -> dict:
    """Seconds from opening the Scorecard page to its table of every indicator being drawn; and
    the same for `streamlit_floor.py`, a page of the same shape with no data work at all. Three
    ways of arriving, which cost the browser and the server differently:

    - first after the server starts: the server imports the engine, opens the store and works
      out the quarter, and the browser has nothing cached (once per server process);
    - new visitor: a new browser profile, so Streamlit's scripts are fetched and compiled afresh,
      on a server that has already served the page;
    - returning visitor: one profile throughout, whose cache keeps Streamlit's scripts.

    Both pages are served at once and loaded in turn, so that whatever else this machine is
    doing slows both alike: run one after the other, the empty page alone varied by half a second."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from conftest import CHROMIUM, CHROMIUM_FLAGS, _serve

    scripts = {"floor": "bench/streamlit_floor.py", "page": "app.py"}
    with contextlib.ExitStack() as stack, sync_playwright() as playwright:
        urls = {name: stack.enter_context(_serve(database, Path(stack.enter_context(tempfile.TemporaryDirectory())),
                                                 script))
                for name, script in scripts.items()}
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)

        def new_profile():
            return browser.new_context(viewport={"width": 1400, "height": 1000})

        def load(profile, url: str) -> float:
            page = profile.new_page()
            started = time.perf_counter()
            page.goto(url)
            page.get_by_role("heading", name="Every indicator").wait_for(timeout=120_000)
            page.locator("[data-testid='stDataFrame']").last.wait_for(timeout=120_000)
            seconds = time.perf_counter() - started
            page.close()
            return seconds

        def as_new_visitor(url: str) -> float:
            with contextlib.closing(new_profile()) as profile:
                return load(profile, url)

        timings = {f"{name}_server_start_s": as_new_visitor(url) for name, url in urls.items()}
        arrivals = {"new_visitor": {name: [] for name in scripts}, "returning": {name: [] for name in scripts}}
        returning = {name: new_profile() for name in scripts}
        for name, url in urls.items():
            load(returning[name], url)  # the visit that fills the profile's cache
        for _ in range(BROWSER_LOADS):
            for name, url in urls.items():
                arrivals["new_visitor"][name].append(as_new_visitor(url))
                arrivals["returning"][name].append(load(returning[name], url))
        browser.close()
    for arrival, by_page in arrivals.items():
        for name, seconds in by_page.items():
            timings[f"{name}_{arrival}_s"] = statistics.median(seconds)
            timings[f"{name}_{arrival}_slowest_s"] = max(seconds)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="1x,10x,100x")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--server-memory", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-browser", action="store_true", help="leave out the Scorecard page in Chromium")
    parser.add_argument("--browser", type=Path, metavar="DATABASE",
                        help="only time the Scorecard page in Chromium on this (demo) database")
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(arguments.measure)))
        return
    if arguments.server_memory:
        print(json.dumps(server_memory(arguments.server_memory)))
        return
    if arguments.browser:
        print(json.dumps(browser_render(arguments.browser)))
        return
    print(f"Machine: {machine()}")
    print(f"Date: {dt.date.today():%-d %B %Y}")
    rows = []
    browser = None
    for case in arguments.cases.split(","):
        with tempfile.TemporaryDirectory() as folder:
            database = Path(folder) / "bench.duckdb"
            started = time.perf_counter()
            build_store(case, database)
            built = time.perf_counter() - started
            server = _run_apart("--server-memory", database)
            result = _run_apart("--measure", database) | {"server": server}
            if case == "1x" and not arguments.no_browser:
                browser = browser_render(database)
            shutil.rmtree(folder, ignore_errors=True)
        rows.append((case, built, result))

    print()
    print("Read path: the scorecard from the stored `series_points`, beside pandas computing it from the "
          "figures in force (not the same work: the ratio is the worth of keeping the points).")
    print()
    print("| store | observations | scorecard rows | cold | warm | pandas from the figures | DuckDB faster by "
          "| indicator page data cold / warm | with its rows afresh (warm) | one agency's series rewritten "
          "| baseline agrees |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for case, built, result in rows:
        print(
            f"| {case} (built in {built:,.0f} s) | {result['observations']:,} | {result['rows']:,} "
            f"| {result['cold_s']:,.2f} s | {result['warm_s']:,.2f} s | {result['pandas_s']:,.2f} s "
            f"| {result['ratio']:,.1f}x | {result['page_cold_ms']:,.0f} ms / {result['page_warm_ms']:,.0f} ms "
            f"| {result['afresh_warm_ms']:,.0f} ms "
            f"| {result['agency_rewrite_s']:,.2f} s ({result['agency_indicators']} indicators) "
            f"| {_agrees(result['mismatches'])} |")
    print()
    print("Full recomputation: every series worked out afresh and committed (`refresh_series_points(cursor, "
          "None)`), beside pandas working out the same points from the same inputs in memory, "
          f"{RECOMPUTE_REPEATS} of each in turn (median, slowest in brackets); peak memory of a process doing "
          "only what the server does (open, scorecard, indicator pages, full recomputation), and of the "
          "bench's own process with the pandas baselines.")
    print()
    print("| store | points | worked out afresh | pandas, same work | DuckDB faster by | rows agree "
          "| server-shaped peak memory (after the reads) | bench process peak memory |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    for case, _, result in rows:
        server = result["server"]
        print(
            f"| {case} | {result['points']:,} | {result['recompute_s']:,.2f} s ({result['recompute_slowest_s']:,.2f} s) "
            f"| {result['pandas_recompute_s']:,.2f} s | {result['recompute_ratio']:,.1f}x "
            f"| {_agrees(result['point_mismatches'])} "
            f"| {server['peak_mib']:,.0f} MiB ({server['reads_peak_mib']:,.0f} MiB) | {result['peak_mib']:,.0f} MiB |")
    for case, _, result in rows:
        if case == "100x":
            met = {True: "met", False: "not met"}
            print()
            print(f"At 100x: worked out afresh in {result['recompute_s']:,.2f} s (target < "
                  f"{TARGETS['recompute_100x_s']:g} s: {met[result['recompute_s'] < TARGETS['recompute_100x_s']]}), "
                  f"{result['recompute_ratio']:,.1f}x pandas (target {TARGETS['recompute_ratio']:g}x: "
                  f"{met[result['recompute_ratio'] >= TARGETS['recompute_ratio']]}), server-shaped peak "
                  f"{result['server']['peak_mib']:,.0f} MiB (target < {TARGETS['server_peak_mib']:,} MiB: "
                  f"{met[result['server']['peak_mib'] < TARGETS['server_peak_mib']]}).")
    if browser:
        print()
        print(f"Scorecard page in Chromium on the demo (target < {TARGETS['browser_s']:g} s), median of "
              f"{BROWSER_LOADS} loads (slowest), beside a page of the same shape with no data work "
              "(bench/streamlit_floor.py):")
        print()
        print("| arrival | Scorecard page | empty page of the same shape | difference |")
        print("| --- | ---: | ---: | ---: |")
        print(f"| first after the server starts | {browser['page_server_start_s']:,.2f} s "
              f"| {browser['floor_server_start_s']:,.2f} s "
              f"| {browser['page_server_start_s'] - browser['floor_server_start_s']:,.2f} s |")
        for arrival, label in (("new_visitor", "new visitor"), ("returning", "returning visitor")):
            page, floor = browser[f"page_{arrival}_s"], browser[f"floor_{arrival}_s"]
            print(f"| {label} | {page:,.2f} s ({browser[f'page_{arrival}_slowest_s']:,.2f} s) "
                  f"| {floor:,.2f} s ({browser[f'floor_{arrival}_slowest_s']:,.2f} s) | {page - floor:,.2f} s |")

if __name__ == "__main__":
    main()
