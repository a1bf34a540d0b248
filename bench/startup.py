"""Start-up benchmark: how long the store takes to build from nothing (cold) and to open
when it exists (warm), how long a catalogue search takes, and the peak memory of doing so.
Then what a person waits for, in Chromium, for this tree and for a git ref beside it (--before,
main by default) in the same run:

- **first start**: a newcomer's `make run` in a folder like a fresh clone (the tracked files, no
  database; the virtual environment linked in, as install time is not counted), from the
  command until the Scorecard page shows its table of every indicator; with the terminal's
  output, and the demo build alone (`python -m thinktank demo` on a new database);
- **first page of a newly started server**: `make run` again on the database the first start
  built, and beside it `bench/streamlit_floor.py` (the empty page of the same shape) served at
  the same time; each page opened once its server answers, in a new browser profile.

Run with `make bench` (or `python bench/startup.py`, `--quick` for the store part alone,
`--demo 3` for the demo build alone beside --before, three rounds); paste
the printed tables into bench/RESULTS.md with the machine and date it prints.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

# The tests' helpers for a served Streamlit, so that the bench waits for one as they do.
from serve_support import CHROMIUM, CHROMIUM_FLAGS, free_port, wait_until_answering

from thinktank import browse
from thinktank.settings import Settings
from thinktank.store import Store

TARGETS_MS = {"cold start": 3000, "warm start": 1000, "catalogue search": 50}
TARGETS_S = {"first start": 5.0, "first page": 1.5}
ROOT = Path(__file__).resolve().parent.parent
# The newest demo on a loaded machine took over 100 s: a generous wait, not a target.
PAGE_TIMEOUT_S = 600


def timed(action, repeats: int) -> list[float]:
    durations = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory_gib:.0f} GiB, Python {platform.python_version()}"


def clone_like(ref: str | None, folder: Path) -> Path:
    """A folder like a fresh clone: the files of ``ref`` (None: this working tree's tracked and
    new files, as they are now) without any database, and this run's virtual environment
    linked in, so that `make run` installs nothing."""
    folder.mkdir(parents=True)
    if ref is None:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
        for name in filter(None, listed):
            source = ROOT / name
            if source.is_file():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, folder / name)
    else:
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
    (folder / ".venv").symlink_to(Path(sys.prefix))
    return folder


def _environment(port: int) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("THINKTANK_")}
    # Streamlit reads its options from the environment too: `make run` itself stays as typed.
    environment.update({
        "STREAMLIT_SERVER_PORT": str(port), "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
        "STREAMLIT_SERVER_HEADLESS": "true", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
    })
    return environment


@contextlib.contextmanager
def serving(command: list[str], folder: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """A command that serves on a port of its own (`make run`, `streamlit run`), stopped with
    everything it started at the end."""
    port = free_port()
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=folder, env=_environment(port), stdout=output,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def scorecard_shown(browser, url: str, started: float | None = None, screenshot: Path | None = None) -> float:
    """Seconds to the Scorecard page's table of every indicator drawn, opened in a new browser
    profile: from ``started`` (a `time.perf_counter`) if given, else from opening the page."""
    with contextlib.closing(browser.new_context(viewport={"width": 1440, "height": 1000})) as profile:
        page = profile.new_page()
        started = started or time.perf_counter()
        page.goto(url)
        page.get_by_role("heading", name="Every indicator").wait_for(timeout=PAGE_TIMEOUT_S * 1000)
        page.locator("[data-testid='stDataFrame']").last.wait_for(timeout=PAGE_TIMEOUT_S * 1000)
        seconds = time.perf_counter() - started
        if screenshot:
            page.screenshot(path=str(screenshot), full_page=True)
        return seconds


def first_start(browser, folder: Path, log: Path, screenshot: Path | None) -> float:
    """Seconds from typing `make run` in a fresh clone to the Scorecard page's table drawn, the
    page opened the moment the server answers."""
    started = time.perf_counter()
    with serving(["make", "run"], folder, log) as (url, server):
        wait_until_answering(url, server, log, PAGE_TIMEOUT_S, poll_s=0.05)
        return scorecard_shown(browser, url, started, screenshot)


def first_pages(browser, folder: Path, floor_folder: Path, logs: Path, repeats: int) -> tuple[list[float], list[float]]:
    """The first page of a newly started `make run` server on the folder's database, and of the
    empty page of the same shape, served at once and loaded in turn (the order alternating), so
    that whatever else the machine does slows both alike. A new pair of servers each time."""
    pages, floors = [], []
    for repeat in range(repeats):
        with serving(["make", "run"], folder, logs / f"page-{repeat}.log") as (page_url, page_server), \
                serving([str(Path(sys.prefix) / "bin" / "python"), "-m", "streamlit", "run", "bench/streamlit_floor.py"],
                        floor_folder, logs / f"floor-{repeat}.log") as (floor_url, floor_server):
            wait_until_answering(page_url, page_server, logs / f"page-{repeat}.log", PAGE_TIMEOUT_S, poll_s=0.05)
            wait_until_answering(floor_url, floor_server, logs / f"floor-{repeat}.log", PAGE_TIMEOUT_S, poll_s=0.05)
            order = [(pages, page_url), (floors, floor_url)]
            for times, url in order if repeat % 2 == 0 else reversed(order):
                times.append(scorecard_shown(browser, url))
    return pages, floors


def demo_build_seconds(folder: Path) -> tuple[float, float]:
    """The demo alone, into a new database, by the folder's own code (the command line's demo):
    the seconds it took, and the processor seconds it used, which other work on the machine
    changes far less."""
    database = folder / "data" / "demo-alone.duckdb"
    used_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([str(Path(sys.prefix) / "bin" / "python"), "-m", "thinktank", "demo", "--db", str(database)],
                   cwd=folder, env=_environment(0), check=True, capture_output=True)
    seconds = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    database.unlink()
    return seconds, used.ru_utime + used.ru_stime - used_before.ru_utime - used_before.ru_stime


def what_people_wait_for(before: str, repeats: int, screenshots: Path | None) -> None:
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()[0]
    results = {}
    with tempfile.TemporaryDirectory() as temporary, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        this_tree = clone_like(None, Path(temporary) / "after")
        trees = {f"before ({before})": clone_like(before, Path(temporary) / "before"), "after (this tree)": this_tree}
        for label, folder in trees.items():
            logs = folder / "bench-logs"
            logs.mkdir()
            shot = screenshots / f"first-start-{label.split()[0]}.png" if screenshots else None
            first = first_start(browser, folder, logs / "first-start.log", shot)
            pages, floors = first_pages(browser, folder, this_tree, logs, repeats)
            results[label] = {
                "demo": demo_build_seconds(folder), "first": first, "pages": pages, "floors": floors,
                "terminal": (logs / "first-start.log").read_text(),
            }
        browser.close()
    load_after = os.getloadavg()[0]
    print()
    print(f"What people wait for, in Chromium (load average {load_before:.1f} before, {load_after:.1f} after):")
    print()
    print(f"| tree | demo build alone (processor time) | first start (`make run` to the scorecard; target < {TARGETS_S['first start']:g} s) "
          f"| first page of a new server, median (slowest) of {repeats} | empty page of the same shape "
          f"| difference | target < {TARGETS_S['first page']:g} s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for label, result in results.items():
        page, floor = statistics.median(result["pages"]), statistics.median(result["floors"])
        print(f"| {label} | {result['demo'][0]:,.1f} s ({result['demo'][1]:,.1f} s) | {result['first']:,.1f} s "
              f"| {page:,.2f} s ({max(result['pages']):,.2f} s) | {floor:,.2f} s ({max(result['floors']):,.2f} s) "
              f"| {page - floor:,.2f} s | {'yes' if page < TARGETS_S['first page'] else 'NO'} |")
    for label, result in results.items():
        print()
        print(f"Terminal of the first start, {label}:")
        print()
        print("```")
        print(result["terminal"].rstrip())
        print("```")


def demo_builds(before: str, rounds: int) -> None:
    """The demo build alone (`demo_build_seconds`) of this tree and of ``before``, in turn,
    the order swapped each round, so that both meet the same load."""
    with tempfile.TemporaryDirectory() as temporary:
        trees = {f"before ({before})": clone_like(before, Path(temporary) / "before"),
                 "after (this tree)": clone_like(None, Path(temporary) / "after")}
        print()
        print("| round | tree | demo build alone | processor time | load average |")
        print("| ---: | --- | ---: | ---: | ---: |")
        for round_number in range(1, rounds + 1):
            order = list(trees.items())
            for label, folder in order if round_number % 2 else reversed(order):
                seconds, processor = demo_build_seconds(folder)
                print(f"| {round_number} | {label} | {seconds:,.1f} s | {processor:,.1f} s | {os.getloadavg()[0]:.1f} |",
                      flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--before", default="main", help="the git ref measured beside this tree")
    parser.add_argument("--page-repeats", type=int, default=3, help="newly started servers per tree")
    parser.add_argument("--screenshots", type=Path, help="a folder for each first start's page")
    parser.add_argument("--quick", action="store_true", help="the store's start-up alone, no browser")
    parser.add_argument("--demo", type=int, metavar="ROUNDS",
                        help="only the demo build alone, this tree and --before in turn, ROUNDS times each")
    arguments = parser.parse_args()
    if arguments.demo:
        print(f"Machine: {machine()}")
        print(f"Date: {dt.date.today():%-d %B %Y}")
        demo_builds(arguments.before, arguments.demo)
        return
    repeats = arguments.repeats
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.duckdb"
        settings = Settings.from_environment(database)

        def cold() -> None:
            database.unlink(missing_ok=True)
            Store.open(settings).close()

        def warm() -> None:
            Store.open(settings).close()

        results = {"cold start": timed(cold, repeats), "warm start": timed(warm, repeats)}
        with Store.open(settings) as store:
            cursor = store.cursor()
            results["catalogue search"] = timed(
                lambda: browse.indicators(cursor, search="referrals", status="active"), repeats * 5
            )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Machine: {machine()}")
    print(f"Date: {dt.date.today():%-d %B %Y}")
    print()
    print("| measure | median | slowest | target | met |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, durations in results.items():
        median = statistics.median(durations)
        print(
            f"| {name} | {median:,.0f} ms | {max(durations):,.0f} ms "
            f"| < {TARGETS_MS[name]:,} ms | {'yes' if median < TARGETS_MS[name] else 'NO'} |"
        )
    print(f"| peak memory (whole run) | {peak_mib:,.0f} MiB | | | |")
    if not arguments.quick:
        what_people_wait_for(arguments.before, arguments.page_repeats, arguments.screenshots)


if __name__ == "__main__":
    main()
