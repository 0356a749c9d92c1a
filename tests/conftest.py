"""Shared fixtures: the shared ROR subset dump, a built index, a real server process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SUBSET_DUMP = SHARED_DATA / "ror" / "v2.9-subset-ror-data.zip"
RESMETA = str(Path(sys.executable).with_name("resmeta"))


@pytest.fixture(scope="session")
def subset_dump() -> Path:
    if not SUBSET_DUMP.exists():
        pytest.fail(f"the shared ROR subset dump is missing: {SUBSET_DUMP}")
    return SUBSET_DUMP


@pytest.fixture(scope="session")
def subset_data_dir(tmp_path_factory: pytest.TempPathFactory, subset_dump: Path) -> Path:
    """A data folder holding the built index of the subset dump (built once per test run)."""
    data_dir = tmp_path_factory.mktemp("data")
    subprocess.run(
        [RESMETA, "index", "--dump", str(subset_dump), "--data-dir", str(data_dir)],
        check=True,
        capture_output=True,
    )
    return data_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A `resmeta serve` process on 127.0.0.1, stopped with its workers on `stop()`."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Output goes to a file: a pipe nobody reads would block the server once full.
        self.log = tempfile.NamedTemporaryFile(prefix="resmeta-serve-", suffix=".log")
        self.process = subprocess.Popen(
            [RESMETA, "serve", "--port", str(self.port), *args],
            env={**os.environ, **(env or {})},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output_tail(self, lines: int = 25) -> str:
        """The last lines the server printed, for failure messages."""
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, timeout: float = 120) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"resmeta serve exited with {code}:\n{self.output_tail()}")
            try:
                if httpx.get(f"{self.url}/heartbeat", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("resmeta serve did not answer /heartbeat in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="session")
def server(subset_dump: Path, subset_data_dir: Path) -> Iterator[Server]:
    """The API over the subset dump, served by a real process with 2 workers."""
    running = Server(
        "--dump", str(subset_dump), "--data-dir", str(subset_data_dir), "--workers", "2"
    ).wait_ready()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def api(server: Server) -> Iterator[httpx.Client]:
    # The client outlives many tests. uvicorn closes a connection idle for 5 s; a client
    # that reused it just then would read "Server disconnected without sending a response".
    # Idle connections are dropped here first.
    limits = httpx.Limits(keepalive_expiry=2)
    with httpx.Client(base_url=server.url, timeout=30, limits=limits) as client:
        yield client
