"""A bench process's own peak memory, for the benches that run each case in a process of its own."""

from __future__ import annotations

from pathlib import Path


def peak_mib() -> float:
    """This process's own peak resident memory, from Linux's VmHWM. Not getrusage's ru_maxrss,
    which Linux keeps across the exec that starts a case: it would report the peak of the bench
    process that started it (a 100,000-row workbook just built with openpyxl, a 5-million-figure
    store just written), whatever the case itself used."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status: the peak memory can only be read on Linux")
