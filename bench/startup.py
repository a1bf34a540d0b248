"""Start-up benchmark: how long the store takes to build from nothing (cold) and to open
when it exists (warm), how long a catalogue search takes, and the peak memory of doing so.

Run with `make bench` (or `python bench/startup.py`); paste the printed table into
bench/RESULTS.md with the machine and date it prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from thinktank import browse
from thinktank.settings import Settings
from thinktank.store import Store

TARGETS_MS = {"cold start": 3000, "warm start": 1000, "catalogue search": 50}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=10)
    repeats = parser.parse_args().repeats
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


if __name__ == "__main__":
    main()
