"""CORS, the JSON access log and /metrics of real `resmeta serve` processes with 2 workers."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Server

pytestmark = pytest.mark.integration

RETRIEVE = "/v2/organizations/{ror_id}"
ORIGIN = "https://app.example.org"


def _start(dump: Path, data_dir: Path, *args: str) -> Server:
    return Server(
        "--dump", str(dump), "--data-dir", str(data_dir), "--workers", "2", *args,
        env={"RESMETA_ACCESS_LOG": ""},  # whatever the caller's environment says
    ).wait_ready()  # fmt: skip


@pytest.fixture(scope="module")
def quiet(subset_dump: Path, subset_data_dir: Path) -> Iterator[Server]:
    """A server started without --access-log."""
    server = _start(subset_dump, subset_data_dir)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def logged(subset_dump: Path, subset_data_dir: Path) -> Iterator[Server]:
    server = _start(subset_dump, subset_data_dir, "--access-log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ror_ids(quiet: Server) -> list[str]:
    response = httpx.get(f"{quiet.url}/v2/organizations?query=university", timeout=30)
    assert response.status_code == 200, response.text
    ids = [item["id"].rsplit("/", 1)[1] for item in response.json()["items"]]
    assert len(ids) == 20
    return ids


def _each_on_a_new_connection(
    server: Server, requests: list[Callable[[httpx.Client], httpx.Response]]
) -> list[httpx.Response]:
    """Send concurrently, each request on its own connection, so that both workers serve."""
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=server.url, timeout=30, limits=limits) as client:
        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(lambda send: send(client), requests))


def _preflight(path: str) -> Callable[[httpx.Client], httpx.Response]:
    headers = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Client-Id",
    }
    return lambda client: client.options(path, headers=headers)


# CORS


def test_a_get_with_an_origin_is_allowed_from_every_origin(quiet: Server, ror_ids: list[str]):
    response = httpx.get(f"{quiet.url}/v2/organizations/{ror_ids[0]}", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = response.headers["access-control-expose-headers"].lower()
    assert "x-ratelimit-remaining" in exposed and "retry-after" in exposed


def test_a_preflight_asking_for_client_id_is_allowed(quiet: Server, ror_ids: list[str]):
    with httpx.Client(base_url=quiet.url) as client:
        response = _preflight(f"/v2/organizations/{ror_ids[0]}")(client)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    allowed = [
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    ]
    assert "client-id" in allowed
    assert "GET" in response.headers["access-control-allow-methods"]


# The access log


def _json_lines(server: Server, offset: int = 0) -> list[dict]:
    """The access-log lines after `offset`, but those of `Server.wait_ready`'s heartbeats
    (the line of its last one may be written after it returned)."""
    output = Path(server.log.name).read_bytes()[offset:]
    # Anything that starts like a JSON line must be one whole line: lines never interleave.
    lines = [orjson.loads(line) for line in output.splitlines() if line.startswith(b"{")]
    return [line for line in lines if line["path"] != "/heartbeat"]


def test_every_request_gives_one_json_line(logged: Server, ror_ids: list[str]):
    offset = Path(logged.log.name).stat().st_size
    requests: list[Callable[[httpx.Client], httpx.Response]] = []
    expected: Counter[tuple] = Counter()
    for i in range(40):
        path = f"/v2/organizations/{ror_ids[i % 20]}"
        client_id = f"observability-test-{i % 3}"
        requests.append(lambda c, p=path, h=client_id: c.get(p, headers={"Client-Id": h}))
        expected["GET", path, "", 200, client_id] += 1
        requests.append(lambda c, p=path: c.get(p))
        expected["GET", path, "", 200, "127.0.0.1"] += 1
    for i in range(10):
        requests.append(lambda c: c.get("/v2/organizations", params={"query": "caltech"}))
        expected["GET", "/v2/organizations", "query=caltech", 200, "127.0.0.1"] += 1
        requests.append(lambda c, i=i: c.get(f"/no/such/path/{i}"))
        expected["GET", f"/no/such/path/{i}", "", 404, "127.0.0.1"] += 1
        requests.append(_preflight("/v2/organizations"))
        expected["OPTIONS", "/v2/organizations", "", 200, "127.0.0.1"] += 1
    responses = _each_on_a_new_connection(logged, requests)
    assert [r.status_code for r in responses].count(200) == 100

    deadline = time.monotonic() + 15  # a worker writes its line once the answer is sent
    while len(_json_lines(logged, offset)) < len(requests) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # any line too many would show up now
    lines = _json_lines(logged, offset)
    assert len(lines) == len(requests) == 110, logged.output_tail()
    seen = Counter(
        (line["method"], line["path"], line["query"], line["status"], line["client"])
        for line in lines
    )
    assert seen == expected
    for line in lines:
        assert isinstance(line["ms"], float) and line["ms"] == round(line["ms"], 2)
        assert line["ts"].endswith("+00:00") and "T" in line["ts"]
        assert isinstance(line["bytes"], int)


def test_without_access_log_nothing_is_logged_per_request(quiet: Server, ror_ids: list[str]):
    _each_on_a_new_connection(
        quiet, [lambda c, i=i: c.get(f"/v2/organizations/{i}") for i in ror_ids]
    )
    time.sleep(0.5)
    output = Path(quiet.log.name).read_bytes().splitlines()
    assert not [line for line in output if line.startswith(b"{")]
    assert '"GET /v2/organizations/' not in quiet.output_tail(200)  # nor uvicorn's own log


# Metrics


def _metrics(server: Server) -> tuple[str, dict[tuple[str, tuple], float]]:
    """/metrics as text and as {(sample name, sorted labels): value}."""
    text = httpx.get(f"{server.url}/metrics", headers={"Connection": "close"}).text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    return text, samples


def _value(samples: dict, name: str, endpoint: str, status: str, **more: str) -> float:
    labels = {"method": "GET", "endpoint": endpoint, "status": status, **more}
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process has gone
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _worker_metric_files(server: Server) -> list[Path]:
    """The files the workers keep their numbers in (one set per process that counted)."""
    folders = set()
    for pid in _children(server.process.pid):
        for item in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
            if item.startswith(b"PROMETHEUS_MULTIPROC_DIR="):
                folders.add(Path(item.split(b"=", 1)[1].decode()))
    return [file for folder in folders for file in folder.glob("counter_*.db")]


def test_metrics_add_up_across_workers(quiet: Server, ror_ids: list[str]):
    _, before = _metrics(quiet)
    n = 200
    requests = [lambda c, i=i: c.get(f"/v2/organizations/{ror_ids[i % 20]}") for i in range(n)]
    requests += [lambda c: c.get("/nope/a"), lambda c: c.get("/nope/b/c")]
    assert [r.status_code for r in _each_on_a_new_connection(quiet, requests)] == [200] * n + [
        404,
        404,
    ]
    assert len(_worker_metric_files(quiet)) == 2, "both workers should have served requests"

    for _ in range(6):  # whichever worker answers /metrics, it shows the sum over both
        text, after = _metrics(quiet)
        counted = {
            name: _value(after, name, RETRIEVE, "200", **extra)
            - _value(before, name, RETRIEVE, "200", **extra)
            for name, extra in [
                ("resmeta_http_requests_total", {}),
                ("resmeta_http_request_duration_seconds_count", {}),
                ("resmeta_http_request_duration_seconds_bucket", {"le": "+Inf"}),
            ]
        }
        assert counted == dict.fromkeys(counted, n)
        unmatched = _value(after, "resmeta_http_requests_total", "unmatched", "404") - _value(
            before, "resmeta_http_requests_total", "unmatched", "404"
        )
        assert unmatched == 2  # unknown paths share one label

    buckets = [
        dict(labels)["le"]
        for name, labels in after
        if name == "resmeta_http_request_duration_seconds_bucket"
        and dict(labels)["endpoint"] == RETRIEVE
        and dict(labels)["status"] == "200"
    ]
    assert len(buckets) >= 10 and "+Inf" in buckets
    assert 'endpoint="/v2/organizations/{ror_id}"' in text
    assert not [ror_id for ror_id in ror_ids if ror_id in text]  # no raw ID, no raw path
    assert "/nope" not in text


def test_one_worker_counts_too_and_its_metrics_folder_is_removed_on_stop(
    subset_dump: Path, subset_data_dir: Path
):
    server = Server("--dump", str(subset_dump), "--data-dir", str(subset_data_dir)).wait_ready()
    try:
        for _ in range(3):
            assert httpx.get(f"{server.url}/v2/organizations/not-an-id").status_code == 404
        _, samples = _metrics(server)
        assert _value(samples, "resmeta_http_requests_total", RETRIEVE, "404") == 3
        pattern = f"resmeta-metrics-*/counter_{server.process.pid}.db"
        [counter_file] = Path(tempfile.gettempdir()).glob(pattern)
    finally:
        server.stop()
    assert not counter_file.parent.exists()
