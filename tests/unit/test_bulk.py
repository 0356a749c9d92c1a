"""Bulk affiliation matching (issue 3, "Bulk matching") on a small index of made-up records.

`bulk.run` is driven directly with an in-process `LocalEngine` (workers=1). Every expected
result column is derived from a direct `AffiliationMatcher.match` on the same string, so these
tests check that bulk matching reports what the matcher decides, not particular scores.
"""

from __future__ import annotations

import csv
import gc
import json
from pathlib import Path

import pytest

from resmeta.index.reader import OrganizationIndex
from resmeta.services.affiliations import bulk
from resmeta.services.affiliations.matcher import AffiliationMatcher
from tests.bulk_expectations import as_csv_cells, csv_text, expected, jsonl_text
from tests.factory import CA, FR, GB, JP, KE, UG, build_index, make_org

RESULT_COLUMNS = ["ror_id", "name", "score", "matching_type", "chosen", "confidence"]


RECORDS = [
    make_org("University of Oxford", GB),
    make_org("Oxford Brookes University", GB),
    make_org("Université de Montréal", CA),
    make_org("Université Paris-Saclay", FR),
    make_org("Université Paris 8", FR),
    make_org("Université Paris 13", FR),
    make_org("Ministry of Health", KE, types=["government"]),
    make_org("Ministry of Health", UG, types=["government"]),
    make_org("University of Tokyo", JP),
    make_org("Old Closed Institute", GB, types=["facility"], status="inactive"),
]

OXFORD = "University of Oxford"
PARIS8 = "Université Paris 8"  # chosen, with three other candidates
HEALTH = "Ministry of Health"  # two equal candidates: nothing chosen
NONSENSE = "Zzyzx Qwerty Flurble"  # no candidate at all
TWO = "University of Tokyo, University of Oxford"  # two organizations named


@pytest.fixture(scope="module")
def index_folder(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("bulk")
    folder = build_index(tmp, RECORDS)
    return str(folder)


@pytest.fixture(scope="module")
def matcher(index_folder) -> AffiliationMatcher:
    return AffiliationMatcher(OrganizationIndex(Path(index_folder)))


@pytest.fixture(scope="module")
def engine(index_folder):
    local = bulk.LocalEngine(index_folder, workers=1)
    yield local
    local.close()


def test_the_made_up_index_has_the_cases_these_tests_rely_on(matcher):
    """Guards the fixtures: if the matcher changes, the cases below must still mean something."""
    assert [m.chosen for m in matcher.match(OXFORD)][:1] == [True]
    paris8 = matcher.match(PARIS8)
    assert paris8[0].chosen and len([m for m in paris8 if not m.chosen]) >= 3
    health = matcher.match(HEALTH)
    assert len(health) >= 2 and not any(m.chosen for m in health)
    assert matcher.match(NONSENSE) == []
    # At threshold 0 whatever the model's chances: both universities, not Oxford Brookes.
    two = matcher.match(TWO, threshold=0.0, multisearch=True)
    assert [m.chosen for m in two] == [True, True, False]


# -- helpers ------------------------------------------------------------------------------------


def read_csv(path, delimiter=","):
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        return reader.fieldnames, list(reader)


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def run_bulk(tmp_path, engine, text, fmt, name=None, **kwargs):
    source = tmp_path / (name or f"in.{fmt}")
    source.write_text(text, encoding="utf-8")
    output = tmp_path / f"out.{fmt}"
    summary = bulk.run(source, output, engine, fmt, **kwargs)
    return summary, output


class CountingEngine:
    """Records the strings each `map` call is asked to match."""

    def __init__(self, inner):
        self.inner, self.strings = inner, []
        self.options = inner.options

    def map(self, tasks):
        self.strings += [text for task in tasks for text in task]
        return self.inner.map(tasks)

    def close(self):
        pass


class CrashingEngine:
    """Matches `batches` batches, then raises as a killed run would stop."""

    def __init__(self, inner, batches):
        self.inner, self.left = inner, batches
        self.options = inner.options

    def map(self, tasks):
        if self.left == 0:
            raise RuntimeError("simulated crash")
        self.left -= 1
        return self.inner.map(tasks)

    def close(self):
        pass


# -- formats, order, columns --------------------------------------------------------------------

TEXTS = [OXFORD, PARIS8, NONSENSE, HEALTH, "Dept. of Physics, Univ. of Oxford, Oxford, UK", OXFORD]


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv_rows_come_out_in_order_with_their_match(
    tmp_path, engine, matcher, fmt, delimiter
):
    rows = [["id", "affiliation", "country"]]
    rows += [[f"r{i}", text, f"c{i}"] for i, text in enumerate(TEXTS)]
    summary, output = run_bulk(tmp_path, engine, csv_text(rows, delimiter), fmt)

    header = output.read_text(encoding="utf-8").splitlines()[0]
    assert header.split(delimiter)[:9] == ["id", "affiliation", "country", *RESULT_COLUMNS]
    fields, out = read_csv(output, delimiter)
    assert fields[:3] == ["id", "affiliation", "country"]
    assert [r["id"] for r in out] == [f"r{i}" for i in range(len(TEXTS))]
    assert [r["affiliation"] for r in out] == TEXTS
    assert [r["country"] for r in out] == [f"c{i}" for i in range(len(TEXTS))]
    for row, text in zip(out, TEXTS, strict=True):
        want = as_csv_cells(expected(matcher, text))
        got = {k: row[k] for k in RESULT_COLUMNS}
        assert got == want, text
        assert not row.get("error")
    assert out[0]["ror_id"] == f"https://ror.org/{RECORDS[0]['id'].split('/')[-1]}"
    assert out[0]["name"] == OXFORD and out[0]["chosen"] == "true"
    assert out[2]["chosen"] == "false" and out[2]["ror_id"] == ""
    assert summary.rows == len(TEXTS)
    assert summary.matched == sum(expected(matcher, t)["chosen"] for t in TEXTS)
    assert summary.bad_rows == []


def test_jsonl_rows_come_out_in_order_with_their_fields_and_match(tmp_path, engine, matcher):
    items = [
        {"id": i, "affiliation": text, "meta": {"source": "x", "tags": [i]}}
        for i, text in enumerate(TEXTS)
    ]
    summary, output = run_bulk(tmp_path, engine, jsonl_text(items), "jsonl")

    out = read_jsonl(output)
    assert len(out) == len(items)
    for got, item in zip(out, items, strict=True):
        assert {k: got[k] for k in item} == item  # original fields kept, values untouched
        assert list(got)[: len(item)] == list(item)
        assert {k: got[k] for k in RESULT_COLUMNS} == expected(matcher, item["affiliation"])
        assert "error" not in got
    assert out[0]["chosen"] is True and isinstance(out[0]["score"], float)
    assert out[2]["chosen"] is False and out[2]["ror_id"] is None
    assert summary.rows == len(items) and summary.bad_rows == []


def test_a_csv_file_with_a_byte_order_mark_and_crlf_lines_is_read(tmp_path, engine, matcher):
    source = tmp_path / "excel.csv"
    source.write_bytes(
        "\ufeffid,affiliation\r\n1,University of Oxford\r\n2,Université Paris 8\r\n".encode()
    )
    output = tmp_path / "out.csv"
    bulk.run(source, output, engine, "csv")
    fields, out = read_csv(output)
    assert fields[:2] == ["id", "affiliation"]
    assert [r["affiliation"] for r in out] == [OXFORD, PARIS8]
    assert [r["ror_id"] for r in out] == [
        expected(matcher, OXFORD)["ror_id"],
        expected(matcher, PARIS8)["ror_id"],
    ]


def test_the_format_is_told_by_the_file_extension():
    assert bulk.detect_format(Path("a.csv"), None) == "csv"
    assert bulk.detect_format(Path("a.TSV"), None) == "tsv"
    assert bulk.detect_format(Path("a.jsonl"), None) == "jsonl"
    assert bulk.detect_format(None, None) == "csv"
    assert bulk.detect_format(Path("a.txt"), "tsv") == "tsv"
    with pytest.raises(bulk.BulkError, match="--format"):
        bulk.detect_format(Path("a.txt"), None)


# -- which column -------------------------------------------------------------------------------


def test_column_names_another_csv_column(tmp_path, engine, matcher):
    rows = [["affiliation", "org"], ["not this one", OXFORD], ["nor this", PARIS8]]
    _, output = run_bulk(tmp_path, engine, csv_text(rows), "csv", column="org")
    _, out = read_csv(output)
    assert [r["ror_id"] for r in out] == [
        expected(matcher, OXFORD)["ror_id"],
        expected(matcher, PARIS8)["ror_id"],
    ]
    assert [r["affiliation"] for r in out] == ["not this one", "nor this"]


def test_column_names_another_jsonl_key(tmp_path, engine, matcher):
    items = [{"affiliation": "not this", "text": OXFORD}, {"text": PARIS8}]
    summary, output = run_bulk(tmp_path, engine, jsonl_text(items), "jsonl", column="text")
    out = read_jsonl(output)
    assert [r["ror_id"] for r in out] == [
        expected(matcher, OXFORD)["ror_id"],
        expected(matcher, PARIS8)["ror_id"],
    ]
    assert summary.bad_rows == []


def test_the_only_column_is_used_by_default(tmp_path, engine, matcher):
    rows = [["institution"], [OXFORD], [NONSENSE]]
    _, output = run_bulk(tmp_path, engine, csv_text(rows), "csv")
    fields, out = read_csv(output)
    assert fields[0] == "institution"
    assert out[0]["ror_id"] == expected(matcher, OXFORD)["ror_id"] != ""
    assert out[1]["chosen"] == "false"


def test_affiliation_is_the_default_among_several_columns(tmp_path, engine, matcher):
    rows = [["id", "affiliation", "note"], ["1", OXFORD, PARIS8]]
    _, output = run_bulk(tmp_path, engine, csv_text(rows), "csv")
    _, out = read_csv(output)
    assert out[0]["ror_id"] == expected(matcher, OXFORD)["ror_id"]


@pytest.mark.parametrize(
    ("rows", "column", "named"),
    [
        ([["id", "text"], ["1", OXFORD]], None, ["affiliation", "id", "text"]),
        ([["id", "affiliation"], ["1", OXFORD]], "org", ["org", "id", "affiliation"]),
        ([["institution"], [OXFORD]], "org", ["org", "institution"]),
    ],
)
def test_a_missing_column_stops_the_run_naming_the_columns(tmp_path, engine, rows, column, named):
    with pytest.raises(bulk.BulkError) as error:
        run_bulk(tmp_path, engine, csv_text(rows), "csv", column=column)
    message = str(error.value)
    for name in named:
        assert name in message
    assert "--column" in message


# -- top-k candidates ---------------------------------------------------------------------------


def test_top_k_candidates_in_csv_are_a_json_list_without_the_chosen_one(
    tmp_path, index_folder, matcher
):
    rows = [["affiliation"], [PARIS8], [HEALTH], [NONSENSE]]
    engine = bulk.LocalEngine(index_folder, workers=1, options=bulk.MatchOptions(top_k=3))
    _, output = run_bulk(tmp_path, engine, csv_text(rows), "csv")
    fields, out = read_csv(output)
    assert "candidates" in fields
    for row, text in zip(out, [PARIS8, HEALTH, NONSENSE], strict=True):
        want = expected(matcher, text, top_k=3)
        candidates = json.loads(row["candidates"])
        assert candidates == want["candidates"], text
        assert len(candidates) <= 3
        assert row["ror_id"] not in {c["ror_id"] for c in candidates}
    assert len(json.loads(out[0]["candidates"])) == 3  # Paris 8: chosen plus three others
    assert out[0]["chosen"] == "true"
    assert len(json.loads(out[1]["candidates"])) >= 2  # nothing chosen: both ministries
    assert json.loads(out[2]["candidates"]) == []


def test_top_k_candidates_in_jsonl_are_a_list_without_the_chosen_one(
    tmp_path, index_folder, matcher
):
    items = [{"affiliation": PARIS8}, {"affiliation": OXFORD}, {"affiliation": HEALTH}]
    engine = bulk.LocalEngine(index_folder, workers=1, options=bulk.MatchOptions(top_k=3))
    _, output = run_bulk(tmp_path, engine, jsonl_text(items), "jsonl")
    out = read_jsonl(output)
    for got, item in zip(out, items, strict=True):
        want = expected(matcher, item["affiliation"], top_k=3)
        assert isinstance(got["candidates"], list)
        assert {k: got[k] for k in want} == want
        assert got["ror_id"] not in {c["ror_id"] for c in got["candidates"]}
    assert len(out[0]["candidates"]) == 3


def test_without_top_k_or_multisearch_there_is_no_list_column(tmp_path, engine):
    _, output = run_bulk(tmp_path, engine, csv_text([["affiliation"], [TWO]]), "csv")
    fields, _ = read_csv(output)
    assert "candidates" not in fields and "also_chosen" not in fields


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_multisearch_lists_the_other_organizations_chosen(tmp_path, index_folder, matcher, fmt):
    texts = [TWO, OXFORD, HEALTH]
    options = bulk.MatchOptions(top_k=1, threshold=0.0, multisearch=True)
    engine = bulk.LocalEngine(index_folder, workers=1, options=options)
    if fmt == "csv":
        _, output = run_bulk(
            tmp_path, engine, csv_text([["affiliation"], *[[t] for t in texts]]), fmt
        )
        fields, out = read_csv(output)
        assert fields[-3:] == ["also_chosen", "candidates", "error"]
        out = [{**row, "also_chosen": json.loads(row["also_chosen"])} for row in out]
    else:
        items = [{"affiliation": t} for t in texts]
        _, output = run_bulk(tmp_path, engine, jsonl_text(items), fmt)
        out = read_jsonl(output)
    for got, text in zip(out, texts, strict=True):
        want = expected(matcher, text, top_k=1, threshold=0.0, multisearch=True)
        assert got["also_chosen"] == want["also_chosen"], text
        assert (got["ror_id"] or None) == want["ror_id"], text  # CSV writes None as ""
    first, others = out[0]["ror_id"], out[0]["also_chosen"]
    assert len(others) == 1 and others[0]["ror_id"] != first  # both universities chosen
    assert out[1]["also_chosen"] == [] and out[2]["also_chosen"] == []


# -- de-duplication -----------------------------------------------------------------------------

DISTINCT = [
    OXFORD,
    PARIS8,
    HEALTH,
    NONSENSE,
    "Université Paris 13",
    "Université Paris-Saclay",
    "Oxford Brookes University",
    "University of Tokyo",
    "Université de Montréal",
    "Dept. of Physics, Univ. of Oxford, Oxford, UK",
]


def _spaced(text, i):
    """`text` with its white space changed in one of several ways."""
    variants = [
        text,
        f"  {text}",
        f"{text}\t",
        text.replace(" ", "  "),
        text.replace(" ", " \t "),
    ]
    return variants[i % len(variants)]


@pytest.mark.parametrize("batch_rows", [bulk.BATCH_ROWS, 64])
def test_strings_differing_only_by_white_space_are_matched_once(
    tmp_path, engine, matcher, batch_rows
):
    texts = [_spaced(DISTINCT[i % 10], i // 10) for i in range(1000)]
    items = [{"n": i, "affiliation": text} for i, text in enumerate(texts)]
    counting = CountingEngine(engine)
    summary, output = run_bulk(
        tmp_path, counting, jsonl_text(items), "jsonl", batch_rows=batch_rows
    )
    assert summary.rows == 1000
    assert summary.distinct == 10
    assert len(counting.strings) == 10
    out = read_jsonl(output)
    assert [r["n"] for r in out] == list(range(1000))
    assert [r["affiliation"] for r in out] == texts  # the original string is written back
    for got in out:
        want = expected(matcher, " ".join(got["affiliation"].split()))
        assert {k: got[k] for k in RESULT_COLUMNS} == want


# -- bad rows -----------------------------------------------------------------------------------


def test_bad_jsonl_rows_are_reported_and_the_run_goes_on(tmp_path, engine, matcher):
    lines = [
        json.dumps({"id": 1, "affiliation": OXFORD}),
        '{"id": 2, "affiliation": "unterminated',
        "[1, 2, 3]",
        json.dumps({"id": 4, "other": OXFORD}),
        json.dumps({"id": 5, "affiliation": ""}),
        json.dumps({"id": 6, "affiliation": PARIS8}),
    ]
    summary, output = run_bulk(tmp_path, engine, "\n".join(lines) + "\n", "jsonl")

    out = read_jsonl(output)
    assert len(out) == 6
    good = {0: OXFORD, 5: PARIS8}
    for i, got in enumerate(out):
        if i in good:
            assert "error" not in got
            assert {k: got[k] for k in RESULT_COLUMNS} == expected(matcher, good[i])
            assert got["chosen"] is True
        else:
            assert got.get("error"), f"row {i + 1} has no error"
            assert got["chosen"] is False and got["ror_id"] is None
    assert out[1]["line"] == lines[1]  # the unreadable line is kept as it was
    assert out[2]["value"] == [1, 2, 3]
    assert out[3]["id"] == 4 and out[4]["id"] == 5

    assert summary.rows == 6
    assert summary.matched == 2
    assert len(summary.bad_rows) == 4
    for number, report in zip([2, 3, 4, 5], summary.bad_rows, strict=True):
        assert report.startswith(f"row {number}:"), report


def test_bad_csv_rows_are_reported_and_the_run_goes_on(tmp_path, engine, matcher):
    rows = [
        ["id", "affiliation"],
        ["1", OXFORD],
        ["2", PARIS8, "one cell too many"],
        ["3", ""],
        ["4", "   "],
        ["5"],
        ["6", PARIS8],
    ]
    summary, output = run_bulk(tmp_path, engine, csv_text(rows), "csv")

    fields, out = read_csv(output)
    assert "error" in fields
    assert [r["id"] for r in out] == ["1", "2", "3", "4", "5", "6"]
    for row, text in [(out[0], OXFORD), (out[5], PARIS8)]:
        assert row["error"] == ""
        assert {k: row[k] for k in RESULT_COLUMNS} == as_csv_cells(expected(matcher, text))
    for row in out[1:5]:
        assert row["error"], row
        assert row["chosen"] == "false" and row["ror_id"] == ""
    assert summary.rows == 6
    assert summary.matched == 2
    assert [report.split(":")[0] for report in summary.bad_rows] == [
        "row 2",
        "row 3",
        "row 4",
        "row 5",
    ]
    assert "more cells" in summary.bad_rows[0]


# -- resume -------------------------------------------------------------------------------------

RESUME_TEXTS = DISTINCT + [f"Nonsense Organisation {i}" for i in range(7)]  # 17 rows


def _resume_input(fmt):
    if fmt == "jsonl":
        return jsonl_text({"n": i, "affiliation": t} for i, t in enumerate(RESUME_TEXTS))
    rows = [["n", "affiliation"]] + [[str(i), t] for i, t in enumerate(RESUME_TEXTS)]
    return csv_text(rows, "\t" if fmt == "tsv" else ",")


def _uninterrupted(tmp_path, engine, fmt):
    folder = tmp_path / "full"
    folder.mkdir()
    summary, output = run_bulk(folder, engine, _resume_input(fmt), fmt, batch_rows=3)
    assert summary.rows == len(RESUME_TEXTS)
    assert not output.with_name(output.name + ".resmeta-progress").exists()
    return output.read_bytes()


def _crash(tmp_path, engine, fmt, batches):
    source = tmp_path / f"in.{fmt}"
    source.write_text(_resume_input(fmt), encoding="utf-8")
    output = tmp_path / f"out.{fmt}"
    with pytest.raises(RuntimeError, match="simulated crash"):
        bulk.run(source, output, CrashingEngine(engine, batches), fmt, batch_rows=3)
    return source, output


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
def test_an_interrupted_run_resumes_to_the_same_output(tmp_path, engine, fmt):
    full = _uninterrupted(tmp_path, engine, fmt)
    source, output = _crash(tmp_path, engine, fmt, batches=2)

    checkpoint = output.with_name(output.name + ".resmeta-progress")
    assert checkpoint.exists()
    progress = json.loads(checkpoint.read_bytes())
    assert progress["rows"] == 6
    assert progress["bytes"] == output.stat().st_size
    assert output.read_bytes() == full[: output.stat().st_size]

    summary = bulk.run(source, output, engine, fmt, resume=True, batch_rows=3)
    assert output.read_bytes() == full
    assert not checkpoint.exists()
    assert summary.resumed_after == 6
    assert summary.rows == len(RESUME_TEXTS) - 6


def test_bytes_written_after_the_checkpoint_are_dropped_on_resume(tmp_path, engine):
    full = _uninterrupted(tmp_path, engine, "csv")
    source, output = _crash(tmp_path, engine, "csv", batches=3)
    with open(output, "ab") as handle:  # a batch half written when the run was killed
        handle.write(b"9,Half a row that never got its mat")

    bulk.run(source, output, engine, "csv", resume=True, batch_rows=3)
    assert output.read_bytes() == full
    assert not output.with_name(output.name + ".resmeta-progress").exists()


def test_resume_with_another_batch_size_gives_the_same_output(tmp_path, engine):
    full = _uninterrupted(tmp_path, engine, "jsonl")
    source, output = _crash(tmp_path, engine, "jsonl", batches=4)
    bulk.run(source, output, engine, "jsonl", resume=True, batch_rows=5)
    assert output.read_bytes() == full


def test_a_crash_before_the_first_checkpoint_starts_over_on_resume(tmp_path, engine):
    full = _uninterrupted(tmp_path, engine, "csv")
    source, output = _crash(tmp_path, engine, "csv", batches=0)
    assert not output.with_name(output.name + ".resmeta-progress").exists()
    summary = bulk.run(source, output, engine, "csv", resume=True, batch_rows=3)
    assert output.read_bytes() == full
    assert summary.resumed_after == 0


def test_without_resume_an_existing_checkpoint_is_ignored(tmp_path, engine):
    full = _uninterrupted(tmp_path, engine, "csv")
    source, output = _crash(tmp_path, engine, "csv", batches=2)
    bulk.run(source, output, engine, "csv", batch_rows=3)
    assert output.read_bytes() == full
    assert not output.with_name(output.name + ".resmeta-progress").exists()


def test_resume_needs_an_output_file(tmp_path, engine):
    source = tmp_path / "in.csv"
    source.write_text(csv_text([["affiliation"], [OXFORD]]), encoding="utf-8")
    with pytest.raises(bulk.BulkError, match="-o"):
        bulk.run(source, None, engine, "csv", resume=True)


# -- engines ------------------------------------------------------------------------------------


def test_all_status_widens_the_candidates_to_inactive_records(index_folder):
    text = "Old Closed Institute"
    active = bulk.match_chunk(index_folder, [text])
    every = bulk.match_chunk(index_folder, [text], bulk.MatchOptions(all_status=True))
    assert active == [[]]
    assert [c.name for c in every[0]][:1] == [text]


def test_two_local_workers_give_the_same_results_as_one(index_folder):
    tasks = [DISTINCT[:4], [TWO, *DISTINCT[4:]]]
    options = bulk.MatchOptions(top_k=2, multisearch=True)
    one = bulk.LocalEngine(index_folder, workers=1, options=options)
    two = bulk.LocalEngine(index_folder, workers=2, options=options)
    try:
        assert two.map(tasks) == one.map(tasks)
    finally:
        one.close()
        two.close()


def test_tasks_keep_the_order_and_shrink_towards_the_end_of_a_batch():
    texts = [f"string {n}" for n in range(3000)]
    tasks = bulk.split_tasks(texts)
    assert [text for task in tasks for text in task] == texts
    sizes = [len(task) for task in tasks]
    assert sizes[0] == bulk.TASK_STRINGS and max(sizes) == bulk.TASK_STRINGS
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] <= bulk.LAST_TASK_STRINGS
    assert bulk.split_tasks(texts[:3]) == [texts[:3]] and bulk.split_tasks([]) == []


def test_local_workers_collect_reference_cycles_less_often(index_folder):
    engine = bulk.LocalEngine(index_folder, workers=2)
    try:
        threshold = engine._pool.submit(gc.get_threshold).result()[0]
    finally:
        engine.close()
    assert threshold == bulk.WORKER_GC_THRESHOLD != gc.get_threshold()[0]


# -- what must never be lost ---------------------------------------------------------------------


def test_an_input_column_the_output_would_add_stops_the_run(tmp_path, engine):
    text = csv_text([["name", "affiliation"], ["Jane Doe", OXFORD]])
    with pytest.raises(bulk.BulkError, match="already has the column.*name"):
        run_bulk(tmp_path, engine, text, "csv")


def test_a_jsonl_object_holding_a_result_key_is_a_bad_row(tmp_path, engine):
    text = jsonl_text([{"affiliation": OXFORD, "score": 3}, {"affiliation": OXFORD}])
    summary, output = run_bulk(tmp_path, engine, text, "jsonl")
    rows = read_jsonl(output)
    assert rows[0]["score"] == 3 and "already has score" in rows[0]["error"]
    assert rows[1]["chosen"] is True
    assert summary.bad_rows == ["row 1: the object already has score"]


def test_the_output_may_not_be_the_input(tmp_path, engine):
    source = tmp_path / "in.csv"
    source.write_text(csv_text([["affiliation"], [OXFORD]]), encoding="utf-8")
    with pytest.raises(bulk.BulkError, match="the output file is the input file"):
        bulk.run(source, source, engine, "csv")
    assert OXFORD in source.read_text(encoding="utf-8")


def test_a_tsv_cell_starting_with_a_quote_stays_one_cell(tmp_path, engine):
    text = 'affiliation\n"Univ of Oxford\nUniversity of Oxford\n'
    summary, output = run_bulk(tmp_path, engine, text, "tsv")
    assert summary.rows == 2
    lines = output.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in lines[1:]] == ['"Univ of Oxford', OXFORD]


def test_a_huge_cell_is_read(tmp_path, engine):
    text = csv_text([["affiliation"], [OXFORD + ", " + "x" * 200_000], [OXFORD]])
    summary, _ = run_bulk(tmp_path, engine, text, "csv")
    assert summary.rows == 2


def test_a_run_without_resume_forgets_an_old_checkpoint(tmp_path, engine):
    source, output = _crash(tmp_path, engine, "csv", batches=2)
    checkpoint = output.with_name(output.name + ".resmeta-progress")
    assert checkpoint.exists()
    with pytest.raises(RuntimeError, match="simulated crash"):  # a fresh run, killed early
        bulk.run(source, output, CrashingEngine(engine, 0), "csv", batch_rows=3)
    assert not checkpoint.exists()  # so no later --resume can trust the old one
    assert bulk.run(source, output, engine, "csv", resume=True).resumed_after == 0
