"""The dashboard's control socket: how a command run while the dashboard holds the database
reaches it.

DuckDB lets one process at a time open a database file that another has open for writing,
so while the dashboard runs no command can read the file. The dashboard listens on a Unix
socket beside the database (``thinktank.duckdb.control``, readable and writable by its own
account only, and answering only that account) for a few requests, each one line of JSON
with one line of JSON back: ``ping`` says the dashboard holds the database, and ``backup``
takes a backup through the dashboard's own connection.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import socket
import struct
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from thinktank.errors import ThinkTankError

Request = dict[str, Any]
Handler = Callable[[Request], dict[str, Any]]

# A Unix socket's path may be at most this long (Linux's sun_path, less its final NUL).
LONGEST_PATH = 107
# A backup of a large store takes a while; a ping is answered at once.
PING_SECONDS = 2.0
REQUEST_SECONDS = 600.0


def control_path(database_path: Path) -> Path:
    return database_path.absolute().with_name(database_path.name + ".control")


class ControlServer:
    """Serves ``handlers`` (request name to function) on the socket of ``database_path``, one
    request at a time on a thread of its own, until closed."""

    def __init__(self, database_path: Path, handlers: dict[str, Handler]) -> None:
        self.path = control_path(database_path)
        self._handlers = handlers
        self._socket: socket.socket | None = None

    def start(self) -> bool:
        """Listen, replacing a socket file a stopped dashboard left (this process holds the
        database, so no other dashboard can be serving it). False when the path is too long
        for a socket or its folder cannot be written: commands are then told the dashboard has
        the database, and no more."""
        if len(os.fsencode(self.path)) > LONGEST_PATH:
            return self._without("the path is too long for one")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            listener.bind(str(self.path))
            self.path.chmod(0o600)
            listener.listen()
        except OSError as error:  # a read-only folder, above all
            listener.close()
            return self._without(error.strerror)
        self._socket = listener
        # The dashboard's store stays open until the server stops, and is never closed itself.
        atexit.register(self.close)
        threading.Thread(target=self._serve, args=(listener,), name="thinktank-control", daemon=True).start()
        return True

    def _without(self, reason: str) -> bool:
        print(f"Think Tank: no control socket at {self.path} ({reason}): commands run beside the "
              "dashboard are told it holds the database.", file=sys.stderr)
        return False

    def close(self) -> None:
        if self._socket is None:
            return
        listener, self._socket = self._socket, None
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _serve(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed
                return
            with connection, contextlib.suppress(OSError):
                self._answer(connection)

    def _answer(self, connection: socket.socket) -> None:
        # The file's mode keeps other accounts out; the peer's own account is checked as well.
        _, uid, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                               struct.calcsize("3i")))
        if uid != os.geteuid():
            return
        connection.settimeout(PING_SECONDS)
        with connection.makefile("rb") as incoming:
            line = incoming.readline()
        try:
            request = json.loads(line)
            handler = self._handlers[request["command"]]
        except (ValueError, KeyError, TypeError):
            answer: dict[str, Any] = {"error": {"title": "The dashboard did not understand the request",
                                                "hint": "Use the same version of Think Tank as the dashboard."}}
        else:
            try:
                answer = handler(request)
            except ThinkTankError as error:
                answer = {"error": {"title": error.title, "hint": error.hint}}
        connection.sendall(json.dumps(answer).encode("utf-8") + b"\n")


def ask_dashboard(database_path: Path, request: Request, timeout: float = REQUEST_SECONDS) -> dict[str, Any] | None:
    """The dashboard's answer to ``request``; None when no dashboard serves this database."""
    path = control_path(database_path)
    if len(os.fsencode(path)) > LONGEST_PATH or not path.exists():
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(timeout)
        try:
            connection.connect(str(path))
        except (ConnectionRefusedError, FileNotFoundError):  # left by a dashboard that was stopped
            return None
        connection.sendall(json.dumps(request).encode("utf-8") + b"\n")
        with connection.makefile("rb") as incoming:
            line = incoming.readline()
    return json.loads(line) if line else None


def dashboard_serves(database_path: Path) -> bool:
    return ask_dashboard(database_path, {"command": "ping"}, timeout=PING_SECONDS) is not None
