import pytest

from resmeta.index.reader import OrganizationIndex
from resmeta.index.store import IndexStore
from resmeta.records.dump import DumpError
from tests.factory import make_record, write_zip


def test_build_find_and_reuse_by_checksum(tmp_path):
    store = IndexStore(tmp_path / "data")
    dump = write_zip(tmp_path / "a.zip", {"a_schema_v2.json": [make_record("Alpha")]})
    assert store.find(dump) is None
    folder, meta = store.build(dump)
    store.set_current(folder)
    assert meta.records == 1 and meta.statuses == {"active": 1}
    assert store.find(dump) == folder == store.current()
    assert OrganizationIndex(folder).num_docs == 1
    # the same bytes under another name map to the same index
    copy = tmp_path / "copy.zip"
    copy.write_bytes(dump.read_bytes())
    assert store.find(copy) == folder


def test_failed_build_leaves_the_current_index_and_no_debris(tmp_path):
    store = IndexStore(tmp_path / "data")
    good = write_zip(tmp_path / "good.zip", {"g_schema_v2.json": [make_record("Good")]})
    folder, _ = store.build(good)
    store.set_current(folder)
    bad = write_zip(
        tmp_path / "bad.zip",
        {"b_schema_v2.json": [make_record("Fine"), make_record("Broken", types=[])]},
    )
    with pytest.raises(DumpError, match="bad.zip:b_schema_v2.json: record 1"):
        store.build(bad)
    assert store.current() == folder
    assert store.find(bad) is None
    assert [p.name for p in store.indexes.iterdir()] == [folder.name]


def test_only_the_current_and_previous_indexes_are_kept(tmp_path):
    store = IndexStore(tmp_path / "data")
    folders = []
    for name in ("One", "Two", "Three"):
        dump = write_zip(tmp_path / f"{name}.zip", {"x_schema_v2.json": [make_record(name)]})
        folder, _ = store.build(dump)
        store.set_current(folder)
        folders.append(folder)
    remaining = {p.name for p in store.indexes.iterdir()}
    assert remaining == {folders[1].name, folders[2].name}


def test_a_record_the_engine_cannot_store_is_a_dump_error(tmp_path):
    store = IndexStore(tmp_path / "data")
    odd = make_record(
        admin={
            "created": {"date": "1500-01-01", "schema_version": "1.0"},
            "last_modified": {"date": "2025-01-01", "schema_version": "2.1"},
        }
    )
    dump = write_zip(tmp_path / "odd.zip", {"o_schema_v2.json": [make_record(), odd]})
    with pytest.raises(DumpError, match=f"record 1 \\({odd['id']}\\)"):
        store.build(dump)


def test_an_index_a_running_server_has_open_is_never_removed(tmp_path):
    import os

    store = IndexStore(tmp_path / "data")
    folders = []
    for name in ("Served", "Two", "Three", "Four"):
        dump = write_zip(tmp_path / f"{name}.zip", {"x_schema_v2.json": [make_record(name)]})
        folder, _ = store.build(dump)
        if name == "Served":
            store.register_server(folder)  # this test process plays the server
        store.set_current(folder)
        folders.append(folder)
    remaining = {p.name for p in store.indexes.iterdir()}
    assert remaining == {folders[0].name, folders[2].name, folders[3].name}
    assert (store.data_dir / "servers" / str(os.getpid())).read_text() == folders[0].name


def test_rebuilding_the_same_dump_never_touches_the_index_in_service(tmp_path):
    store = IndexStore(tmp_path / "data")
    dump = write_zip(tmp_path / "a.zip", {"a_schema_v2.json": [make_record("Alpha")]})
    first, _ = store.build(dump)
    store.set_current(first)
    second, _ = store.build(dump)  # `resmeta index --force`
    assert second != first and (first / "resmeta.json").exists()
    assert store.find(dump) == second and store.current() == first
