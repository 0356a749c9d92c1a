"""`resmeta update` on a running 2-worker server, under load: no request may fail, and every
worker serves the new dump when the command returns."""

from __future__ import annotations

import threading
import time
from collections import Counter

import httpx
import pytest

from resmeta.index.store import IndexStore
from tests.conftest import Server
from tests.factory import make_record, write_zip
from tests.integration.test_cli import run

CLIENTS = 4


@pytest.fixture
def dumps(tmp_path):
    old = [make_record(f"Old Institute {n}") for n in range(200)]
    added = make_record("Brand New Observatory")
    return (
        write_zip(tmp_path / "old.zip", {"old_schema_v2.json": old}),
        write_zip(tmp_path / "new.zip", {"new_schema_v2.json": [*old, added]}),
        added["id"],
    )


class Load:
    """Clients asking for lists and records without pause, counting every outcome."""

    def __init__(self, url: str, ror_id: str) -> None:
        self.url = url
        self.paths = ["/v2/organizations?query=institute", f"/v2/organizations/{ror_id}"]
        self.outcomes: Counter[str] = Counter()
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run) for _ in range(CLIENTS)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self._stop.is_set():
                for path in self.paths:
                    try:
                        status = client.get(path).status_code
                    except httpx.TransportError as exc:
                        self.failures.append(f"{path}: {exc!r}")
                        continue
                    self.outcomes[f"{path} {status}"] += 1


def wait_for_workers(data, count: int, timeout: float = 60) -> None:
    """/heartbeat answers as soon as one worker is up: wait until `count` have opened the
    index, so that the update has them all to switch."""
    deadline = time.monotonic() + timeout
    while len(IndexStore(data).servers()) < count:
        assert time.monotonic() < deadline, f"{count} workers did not start in {timeout:g} s"
        time.sleep(0.1)


def test_update_under_load_switches_every_worker_and_fails_no_request(tmp_path, dumps):
    old, new, added_id = dumps
    data = tmp_path / "data"
    server = Server("--dump", str(old), "--data-dir", str(data), "--workers", "2").wait_ready()
    try:
        wait_for_workers(data, 2)
        with Load(server.url, added_id) as load:
            before = sum(load.outcomes.values())
            result = run("update", "--dump", str(new), "--data-dir", str(data))
            assert result.returncode == 0, result.stderr
            assert "2 server processes now serve" in result.stderr
            # Every worker has switched: the new record is found by each request.
            with httpx.Client(base_url=server.url) as client:
                for _ in range(20):
                    assert client.get(f"/v2/organizations/{added_id}").status_code == 200
            during = sum(load.outcomes.values()) - before
        assert not load.failures, load.failures[:5]
        statuses = {key.rsplit(" ", 1)[1] for key in load.outcomes}
        assert statuses <= {"200", "404"}, load.outcomes  # 404: the new record, before
        assert load.outcomes["/v2/organizations?query=institute 200"] > 0
        assert during > 20, "the load must run while the update happens"
    finally:
        server.stop()


def test_a_broken_dump_leaves_the_running_server_as_it_was(tmp_path, dumps):
    old, _, added_id = dumps
    data = tmp_path / "data"
    broken = tmp_path / "broken.zip"
    broken_record = make_record("Broken")
    del broken_record["names"]
    write_zip(broken, {"b_schema_v2.json": [make_record("Fine"), broken_record]})
    server = Server("--dump", str(old), "--data-dir", str(data), "--workers", "2").wait_ready()
    try:
        result = run("update", "--dump", str(broken), "--data-dir", str(data))
        assert result.returncode != 0
        assert "broken.zip" in result.stderr and "record 1" in result.stderr
        with httpx.Client(base_url=server.url) as client:
            listing = client.get("/v2/organizations").json()
        assert listing["number_of_results"] == 200
    finally:
        server.stop()


def test_update_without_a_running_server_says_so(tmp_path, dumps):
    _, new, _ = dumps
    result = run("update", "--dump", str(new), "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert "no server is running" in result.stderr
