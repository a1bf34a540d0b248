"""Load on 127.0.0.1: simulated viewers and simultaneous uploaders on one served dashboard,
bounded and self-stopping.

Each viewer is a websocket client speaking Streamlit's own protocol (`BackMsg` / `ForwardMsg`,
as the browser does, without a browser): it opens the Scorecard or an Indicator page, waits
for the run to finish, thinks for a few seconds and opens another. The first round has the
viewers alone, as the issue's target does, so that its server CPU per page run is the CPU per
page view. The second adds uploaders, each a page in a headless Chromium of its own that stores
returns through the Upload page one after another, every one for the same agency and quarter.
The third adds a page sending a hostile file (one row of ten million columns) again and again,
to see whether its refusal stalls anyone. At the end: page times (p50, p95), server CPU per
page run, errors, and every upload a person saw stored counted again in the store after the
server has stopped.

With --anchor, each round is run twice, one after the other on copies of the same store: first
with the dashboard served from the anchor checkout (today's code, for example a worktree of
main), then from this one, so that the two are measured in the same conditions.

    .venv/bin/python bench/load.py                       # 25 viewers, 3 uploaders, 4 to 5 minutes
    .venv/bin/python bench/load.py --anchor /work/main   # each round against main's code too
    .venv/bin/python bench/load.py --viewers 5 --uploaders 2 --seconds 20 --no-hostile
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from serve_support import CHROMIUM, CHROMIUM_FLAGS, wait_until_answering
from startup import machine
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from thinktank.demo import build_demo
from thinktank.formatting import agency_names
from thinktank.periods import Quarter, latest_complete_quarter
from thinktank.settings import DATABASE_ENV, DEMO_ENV, REPO_ROOT, Settings
from thinktank.store import Store
from thinktank.templates import template_csv, template_rows
from thinktank.users import command_line_user

THINK_SECONDS = 5.0
PAGE_TIMEOUT_SECONDS = 60.0
INDICATORS = ["FD04", "CP02", "HO01", "EH02", "CLA01", "FD06", "AS06"]
# The hostile file: one row of ten million empty columns (10 MB, under the 25 MB upload limit).
HOSTILE_CSV = b"indicator_id,value\nFD06" + b"," * 10_000_000 + b"\n"



@dataclass
class Tally:
    """What every simulated person saw, gathered across threads."""

    page_seconds: list[float] = field(default_factory=list)
    upload_seconds: list[float] = field(default_factory=list)
    hostile_seconds: list[float] = field(default_factory=list)
    stored: int = 0
    hostile_refused: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **seen: object) -> None:
        with self.lock:
            for name, value in seen.items():
                if isinstance(getattr(self, name), list):
                    getattr(self, name).append(value)
                else:
                    setattr(self, name, getattr(self, name) + value)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextlib.contextmanager
def served(database: Path, port: int, code: Path = REPO_ROOT) -> Iterator[tuple[str, subprocess.Popen]]:
    """The dashboard of the checkout ``code`` served on the round's own database. The caller's
    settings (a catalogue, limits) apply; the checkout's own .streamlit/config.toml too, as
    Streamlit reads it from the folder it is started in."""
    environment = {**os.environ, DATABASE_ENV: str(database), DEMO_ENV: "0"}
    log = database.with_suffix(".log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=code, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url, server, Path(log.name), 60)
        yield url, server
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_page(socket, page_name: str, query: str) -> float:
    """Run one page over the session's websocket and return the seconds until it finished;
    raise on an exception shown on the page or a run that did not finish."""
    message = BackMsg()
    message.rerun_script.page_name = page_name
    message.rerun_script.query_string = query
    started = time.perf_counter()
    socket.send(message.SerializeToString())
    while True:
        forward = ForwardMsg()
        forward.ParseFromString(socket.recv(timeout=PAGE_TIMEOUT_SECONDS))
        kind = forward.WhichOneof("type")
        if kind == "delta" and forward.delta.new_element.WhichOneof("type") == "exception":
            raise RuntimeError(f"{page_name}?{query}: {forward.delta.new_element.exception.message}")
        if kind == "script_finished":
            if forward.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                raise RuntimeError(f"{page_name}?{query} finished with status {forward.script_finished}")
            return time.perf_counter() - started


def warm(url: str) -> None:
    """Every page the viewers open, once, before the clock starts: what a newly started server
    does once (imports, the quarter's scorecard worked out and cached) is not a page view's cost.
    The first page a new server serves is timed apart, in bench/scorecard.py."""
    with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"], max_size=None) as socket:
        open_page(socket, "", "")
        for indicator in INDICATORS:
            open_page(socket, "indicator", f"indicator={indicator}")


def viewer(url: str, until: float, tally: Tally, seed: int) -> None:
    chance = random.Random(seed)
    try:
        with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                     max_size=None) as socket:
            # Arrivals spread over the first think time, as people do not all click at once.
            time.sleep(chance.uniform(0, THINK_SECONDS))
            while time.monotonic() < until:
                if chance.random() < 0.5:
                    page, query = "", ""  # the default page: the Scorecard
                else:
                    page, query = "indicator", f"indicator={chance.choice(INDICATORS)}"
                tally.add(page_seconds=open_page(socket, page, query))
                time.sleep(THINK_SECONDS)
    except Exception as error:  # every failure is counted and reported, never hidden
        tally.add(errors=f"viewer {seed}: {type(error).__name__}: {error}")


def upload_files(database: Path, uploaders: int, each: int) -> tuple[str, Quarter, list[list[bytes]]]:
    """The agency and quarter the Upload page offers first, and for each uploader its returns:
    the template filled with the figures in force, each with its own comment so that every
    file is new."""
    with Store.open(Settings.from_environment(database)) as store:
        names = agency_names(store.catalogue.agencies)
        agency = min(names, key=names.get)
        quarter = latest_complete_quarter(dt.date.today())
        template = template_csv(template_rows(store.cursor(), command_line_user(), store.catalogue, agency, quarter)).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(template)))
    comment, value, numerator = (header.index(name) for name in ("comment", "value", "numerator"))
    for row in rows:
        if not row[value] and not row[numerator]:
            row[value] = "1"  # no figure in force (a store without the demo): one any unit allows

    def commented(text: str) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header, *([*row[:comment], text, *row[comment + 1:]] for row in rows)])
        return buffer.getvalue().encode()

    return agency, quarter, [[commented(f"load test {uploader}-{number}") for number in range(each)]
                             for uploader in range(uploaders)]


def uploader(url: str, files: list[bytes], until: float, tally: Tally, name: str) -> None:
    try:
        with browser_page() as page:
            _upload_each(page, url, files, until, tally, name)
    except Exception as error:  # every failure is counted and reported, never hidden
        tally.add(errors=f"{name}: {type(error).__name__}: {error}")


def _upload_each(page, url: str, files: list[bytes], until: float, tally: Tally, name: str) -> None:
    for number, content in enumerate(files):
        if time.monotonic() >= until:
            break
        started = time.perf_counter()
        # The page afresh for each file, so that what is waited for is this file's outcome.
        page.goto(f"{url}/upload", timeout=PAGE_TIMEOUT_SECONDS * 1000)
        page.locator("input[type=file]").set_input_files(
            {"name": f"{name}-{number}.csv", "mimeType": "text/csv", "buffer": content})
        store = page.get_by_role("button", name="store this return")
        store.first.wait_for(timeout=PAGE_TIMEOUT_SECONDS * 1000)
        store.first.click()
        page.get_by_text("Stored 20").wait_for(timeout=PAGE_TIMEOUT_SECONDS * 1000)
        tally.add(upload_seconds=time.perf_counter() - started, stored=1)


def hostile_sender(url: str, until: float, tally: Tally, folder: Path) -> None:
    # From a file, not a buffer, so that Playwright does not pass 10 MB through its driver.
    hostile = folder / "wide.csv"
    hostile.write_bytes(HOSTILE_CSV)
    try:
        with browser_page() as page:
            _send_hostile_files(page, url, until, tally, hostile)
    except Exception as error:  # every failure is counted and reported, never hidden
        tally.add(errors=f"hostile sender: {type(error).__name__}: {error}")


def _send_hostile_files(page, url: str, until: float, tally: Tally, hostile: Path) -> None:
    while time.monotonic() < until:
        # A new session each time, which checks the file afresh.
        page.goto(f"{url}/upload", timeout=PAGE_TIMEOUT_SECONDS * 1000)
        started = time.perf_counter()
        page.locator("input[type=file]").set_input_files(hostile)
        page.get_by_text("Refused: ").first.wait_for(timeout=PAGE_TIMEOUT_SECONDS * 1000)
        # The code is in the problems table, drawn on a canvas over hidden cells.
        page.locator("td", has_text="F116").first.wait_for(state="attached", timeout=PAGE_TIMEOUT_SECONDS * 1000)
        tally.add(hostile_refused=1, hostile_seconds=time.perf_counter() - started)


def stored_versions(database: Path, agency: str, quarter: Quarter) -> int:
    with Store.open(Settings.from_environment(database)) as store:
        (count,) = store.cursor().execute(
            "SELECT count(*) FROM submissions WHERE agency_id = ? AND period = ?", [agency, quarter.label]
        ).fetchone()
    return count


def run(database: Path, viewers: int, uploaders: int, seconds: float, hostile: bool, port: int,
        code: Path = REPO_ROOT) -> dict:
    """One round on a copy of the database, the dashboard served from the checkout ``code``; the
    figures of what everyone saw."""
    agency, quarter, files = upload_files(database, uploaders, each=1_000)
    before = stored_versions(database, agency, quarter)
    tally = Tally()
    load_before = os.getloadavg()[0]
    with served(database, port, code) as (url, server):
        warm(url)
        cpu_before = cpu_seconds(server.pid)
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=viewer, args=(url, until, tally, seed)) for seed in range(viewers)]
        threads += [threading.Thread(target=uploader, args=(url, files[index], until, tally, f"uploader {index + 1}"))
                    for index in range(uploaders)]
        if hostile:
            threads.append(threading.Thread(target=hostile_sender, args=(url, until, tally, database.parent)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        cpu_used = cpu_seconds(server.pid) - cpu_before
    after = stored_versions(database, agency, quarter)
    page_runs = len(tally.page_seconds) + len(tally.upload_seconds)
    return {
        "code": code, "viewers": viewers, "uploaders": uploaders, "seconds": seconds, "hostile": hostile,
        "page_views": len(tally.page_seconds), "p50_s": percentile(tally.page_seconds, 0.5),
        "p95_s": percentile(tally.page_seconds, 0.95), "uploads_stored_seen": tally.stored,
        "uploads_in_store": after - before, "upload_p50_s": percentile(tally.upload_seconds, 0.5),
        "hostile_refused": tally.hostile_refused, "hostile_p50_s": percentile(tally.hostile_seconds, 0.5),
        "errors": tally.errors,
        "cpu_per_page_s": cpu_used / page_runs if page_runs else float("nan"),
        "load_average": (load_before, os.getloadavg()[0]),
    }


@contextlib.contextmanager
def browser_page() -> Iterator:
    """A page in a Chromium of its own: Playwright's sync API belongs to the thread that
    started it, so each simultaneous uploader drives its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield browser.new_page(viewport={"width": 1440, "height": 1000})
        finally:
            browser.close()


def checkout_label(code: Path) -> str:
    """A checkout as its branch and commit (``main 03d2251``), or its folder outside git."""
    try:
        branch, commit = (subprocess.run(["git", "-C", str(code), "rev-parse", *arguments, "HEAD"], check=True,
                                         capture_output=True, text=True).stdout.strip()
                          for arguments in (["--abbrev-ref"], ["--short"]))
    except (OSError, subprocess.CalledProcessError):
        return str(code)
    dirty = subprocess.run(["git", "-C", str(code), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return f"{branch} {commit}" + (" with changes" if dirty else "")


def round_label(figures: dict) -> str:
    parts = [f"{figures['viewers']} viewers"]
    if figures["uploaders"]:
        parts.append(f"{figures['uploaders']} uploaders")
    parts.append(f"{figures['seconds']:.0f} s")
    return ", ".join(parts) + (", hostile upload in flight" if figures["hostile"] else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--viewers", type=int, default=25)
    parser.add_argument("--uploaders", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=45, help="how long each round lasts")
    parser.add_argument("--no-hostile", action="store_true", help="skip the round with a hostile upload")
    parser.add_argument("--viewers-only", action="store_true", help="only the round with the viewers alone")
    parser.add_argument("--anchor", type=Path, help="a checkout of the code to compare with, served first each round")
    parser.add_argument("--db", type=Path, help="a demo database to copy (default: build one)")
    arguments = parser.parse_args()
    port = random.randint(8600, 8999)
    # The viewers alone (the target), then with the uploaders, then with a hostile file too.
    shapes = [(0, False)]
    if not arguments.viewers_only and arguments.uploaders:
        shapes += [(arguments.uploaders, False), *([] if arguments.no_hostile else [(arguments.uploaders, True)])]
    checkouts = [*([arguments.anchor.resolve()] if arguments.anchor else []), REPO_ROOT]
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "demo.duckdb"
        if arguments.db:
            shutil.copy(arguments.db, source)
        else:
            with Store.open(Settings.from_environment(source)) as store:
                build_demo(store, dt.date.today())
        rounds = []
        for uploaders, hostile in shapes:
            for code in checkouts:
                database = Path(folder) / f"round-{len(rounds)}.duckdb"
                shutil.copy(source, database)
                rounds.append(run(database, arguments.viewers, uploaders, arguments.seconds, hostile, port, code))
    labels = {code: checkout_label(code) for code in checkouts}
    print(f"Machine: {machine()}")
    print(f"Date: {dt.date.today():%-d %B %Y}")
    print()
    print("| round | code | page views | p50 | p95 | server CPU per page run | uploads stored (seen / in the store) "
          "| upload p50 | hostile files refused (p50 from choosing to refusal) | errors | machine load before / after |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for figures in rounds:
        hostile = (f"{figures['hostile_refused']} ({figures['hostile_p50_s']:.2f} s)" if figures["hostile"]
                   else "")
        uploads = (f"{figures['uploads_stored_seen']} / {figures['uploads_in_store']}" if figures["uploaders"]
                   else "")
        upload_p50 = f"{figures['upload_p50_s']:.2f} s" if figures["uploaders"] else ""
        print(f"| {round_label(figures)} | {labels[figures['code']]} | {figures['page_views']:,} "
              f"| {figures['p50_s']:.2f} s | {figures['p95_s']:.2f} s | {figures['cpu_per_page_s'] * 1000:.0f} ms "
              f"| {uploads} | {upload_p50} | {hostile} | {len(figures['errors'])} "
              f"| {figures['load_average'][0]:.1f} / {figures['load_average'][1]:.1f} |")
    if arguments.anchor:
        print()
        for anchor, ours in zip(rounds[::2], rounds[1::2], strict=True):
            print(f"{round_label(ours)}: server CPU per page run {anchor['cpu_per_page_s'] * 1000:.0f} ms with the "
                  f"anchor, {ours['cpu_per_page_s'] * 1000:.0f} ms with this code "
                  f"({anchor['cpu_per_page_s'] / ours['cpu_per_page_s']:.1f}x less)")
    for figures in rounds:
        for error in figures["errors"]:
            print(f"error ({labels[figures['code']]}): {error}")
    lost = sum(figures["uploads_stored_seen"] != figures["uploads_in_store"] for figures in rounds)
    sys.exit(1 if lost or any(figures["errors"] for figures in rounds) else 0)


if __name__ == "__main__":
    main()
