"""Serving Streamlit and driving Chromium, shared by the tests and the benches. Importing it
changes nothing (conftest.py, by contrast, points every process at the frozen test catalogue),
so a bench that waits for a server as the tests do still runs on the catalogue it is given."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Chromium on a closed network: no background calls home, no sandbox as root in CI.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(url: str, server: subprocess.Popen, log: Path, timeout_s: float,
                         poll_s: float = 0.3) -> None:
    """Until a served Streamlit answers its health check; the log is raised if it stops first or
    takes longer than ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{log.read_text()}") from None
            time.sleep(poll_s)
