"""Switching a served app to a new index: nothing keeps the old one alive, and a worker that
starts after updates opens the current index, not the one `serve` started with."""

from __future__ import annotations

import gc
import weakref

from starlette.testclient import TestClient

from resmeta.api.app import INDEX_ENV, create_app, create_app_from_env
from resmeta.api.reloading import serve_index
from resmeta.index.reader import OrganizationIndex
from resmeta.index.store import IndexStore
from resmeta.services.dumps import DATA_DIR_ENV
from tests.factory import make_record, write_zip


def build(store: IndexStore, tmp_path, name: str):
    dump = write_zip(tmp_path / f"{name}.zip", {f"{name}_schema_v2.json": [make_record(name)]})
    folder, _ = store.build(dump)
    return folder


def test_a_worker_started_after_updates_opens_the_current_index(tmp_path, monkeypatch):
    store = IndexStore(tmp_path / "data")
    first, latest = build(store, tmp_path, "First"), build(store, tmp_path, "Latest")
    store.set_current(latest)
    monkeypatch.setenv(INDEX_ENV, str(first))  # what `serve` started with
    monkeypatch.setenv(DATA_DIR_ENV, str(store.data_dir))
    served = create_app_from_env().state.organizations.index
    assert served.folder == latest


def test_a_switched_index_is_freed(tmp_path):
    store = IndexStore(tmp_path / "data")
    old = OrganizationIndex(build(store, tmp_path, "Old University"))
    app = create_app(old, follow=store)
    with TestClient(app) as client:  # uses every per-index cache: shares, funders
        assert client.get("/v2/organizations?affiliation=Old University").status_code == 200
        assert client.get("/api/funders?suggest=old").status_code == 200
        gone = weakref.ref(old)
        del old
        serve_index(app, OrganizationIndex(build(store, tmp_path, "New University")))
        assert gone() is None, [type(r).__name__ for r in gc.get_referrers(gone())]
        assert client.get("/api/funders?suggest=new").json()["hits"]["total"] == 1
