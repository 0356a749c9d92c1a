"""A real, throw-away redis-server for tests: no persistence, a free port, stopped afterwards.

Tests that need Redis fail (not skip) when redis-server is not installed: CI installs it
(.ci/run), and a skipped test would hide that the shared counters went untested.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port

INSTALL_HINT = (
    "redis-server is not installed: install it (apt-get install redis-server) to run the "
    "Redis tests; .ci/run does this on CI"
)


class RedisServer:
    """`redis-server --port P --save '' --appendonly no`, in its own temporary folder."""

    def __init__(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.fail(INSTALL_HINT, pytrace=False)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = tempfile.TemporaryDirectory(prefix="resmeta-redis-")
        self.log = Path(self.folder.name) / "redis.log"
        self.process = subprocess.Popen(
            [
                executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.folder.name,
                "--logfile",
                str(self.log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log.read_text(errors="replace") if self.log.exists() else ""
                self.stop()
                pytest.fail(f"redis-server exited with {self.process.returncode}:\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"redis-server did not answer on port {self.port} within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.folder.cleanup()


def running_redis() -> Iterator[RedisServer]:
    """Body of a Redis fixture: `yield from running_redis()`."""
    server = RedisServer()
    try:
        yield server
    finally:
        server.stop()
