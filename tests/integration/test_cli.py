"""The `resmeta` command run as a user runs it: real processes, real files."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import threading
from pathlib import Path

import httpx
import pytest

from tests.conftest import RESMETA, Server
from tests.factory import make_record, write_zip


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RESMETA_")}
    return subprocess.run(
        [RESMETA, *args], capture_output=True, text=True, env={**environment, **(env or {})}
    )


def test_index_prints_a_summary_of_the_subset(tmp_path, subset_dump):
    result = run("index", "--dump", str(subset_dump), "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "records: 51370" in result.stdout
    assert "by status: active 48746, withdrawn 1374, inactive 1250" in result.stdout
    assert "education 13933" in result.stdout
    again = run("index", "--dump", str(subset_dump), "--data-dir", str(tmp_path))
    assert "already indexed" in again.stderr


def test_a_broken_dump_is_rejected_and_the_previous_index_keeps_serving(tmp_path):
    data = tmp_path / "data"
    good_record = make_record("Good Org")
    good = write_zip(tmp_path / "good.zip", {"g_schema_v2.json": [good_record]})
    assert run("index", "--dump", str(good), "--data-dir", str(data)).returncode == 0
    broken_record = make_record("Broken", status="closed")
    bad = write_zip(tmp_path / "bad.zip", {"b_schema_v2.json": [make_record(), broken_record]})

    result = run("index", "--dump", str(bad), "--data-dir", str(data))
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert "the dump was rejected, the previous index is unchanged" in message
    assert f"bad.zip:b_schema_v2.json: record 1 ({broken_record['id']})" in message
    assert "Traceback" not in result.stderr

    # With no dump named or found, serve falls back to the index in service.
    server = Server("--data-dir", str(data), env={"RESMETA_DUMP": ""})
    try:
        server.wait_ready()
        listing = httpx.get(f"{server.url}/v2/organizations").json()
        assert [item["id"] for item in listing["items"]] == [good_record["id"]]
    finally:
        server.stop()


def test_serve_refuses_a_dump_path_that_does_not_exist(tmp_path):
    result = run("serve", "--dump", str(tmp_path / "missing.zip"), "--data-dir", str(tmp_path))
    assert result.returncode == 1
    assert "missing.zip" in result.stderr and "not a file" in result.stderr


def test_resmeta_dump_environment_variable_names_the_dump(tmp_path):
    dump = write_zip(tmp_path / "env.zip", {"e_schema_v2.json": [make_record("From Env")]})
    result = run("index", "--data-dir", str(tmp_path / "d"), env={"RESMETA_DUMP": str(dump)})
    assert result.returncode == 0, result.stderr
    assert "env.zip" in result.stdout


def test_newest_zip_in_the_data_folder_is_used(tmp_path):
    data = tmp_path / "data"
    (data / "dumps").mkdir(parents=True)
    old = write_zip(data / "dumps" / "old.zip", {"o_schema_v2.json": [make_record("Old")]})
    new = write_zip(data / "new.zip", {"n_schema_v2.json": [make_record("New")]})
    os.utime(old, (1_000_000, 1_000_000))
    result = run("index", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    assert "dump: new.zip" in result.stdout
    assert new.exists()


class _FakeZenodo(http.server.BaseHTTPRequestHandler):
    """Answers like Zenodo's records API, serving a dump zip from disk."""

    dump: Path
    base: str

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path.startswith("/api/records"):
            body = json.dumps(
                {
                    "hits": {
                        "hits": [
                            {
                                "files": [
                                    {
                                        "key": "v9.9-ror-data.zip",
                                        "links": {"self": f"{self.base}/files/dump"},
                                    }
                                ]
                            }
                        ]
                    }
                }
            ).encode()
        else:
            body = self.dump.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_zenodo(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeZenodo)
    _FakeZenodo.base = f"http://127.0.0.1:{server.server_port}"
    _FakeZenodo.dump = write_zip(
        tmp_path / "served.zip", {"v9.9_schema_v2.json": [make_record("Downloaded Org")]}
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"{_FakeZenodo.base}/api/records"
    server.shutdown()


def test_without_any_dump_the_latest_release_is_downloaded(tmp_path, fake_zenodo):
    data = tmp_path / "data"
    result = run("index", "--data-dir", str(data), env={"RESMETA_RELEASES_URL": fake_zenodo})
    assert result.returncode == 0, result.stderr
    assert (data / "dumps" / "v9.9-ror-data.zip").exists()
    assert "records: 1" in result.stdout


def test_download_failure_says_what_to_do(tmp_path):
    result = run(
        "index",
        "--data-dir",
        str(tmp_path),
        env={"RESMETA_RELEASES_URL": "http://127.0.0.1:9/api/records"},
    )
    assert result.returncode == 1
    assert "could not be downloaded" in result.stderr and "--dump" in result.stderr
