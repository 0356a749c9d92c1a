"""`resmeta match` run as a user runs it, on the subset dump (issue 3, "Bulk matching").

The command runs as a subprocess on the index the session's `subset_data_dir` fixture built.
Expected result columns come from a direct `AffiliationMatcher.match` on the same index.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from resmeta.index.reader import OrganizationIndex
from resmeta.index.store import IndexStore
from resmeta.services.affiliations import bulk
from resmeta.services.affiliations.matcher import AffiliationMatcher
from tests.bulk_expectations import as_csv_cells, csv_text, expected, jsonl_text
from tests.conftest import RESMETA, SHARED_DATA

pytestmark = pytest.mark.integration

RESULT_COLUMNS = ["ror_id", "name", "score", "matching_type", "chosen", "confidence"]
CROSSREF = SHARED_DATA / "affiliations" / "crossref_publisher_assertions_2023_06_28__train.jsonl"

STANFORD = "Stanford University, Stanford, CA 94305, USA"
OXFORD = "Department of Physics, University of Oxford, UK"
HARVARD = "Dept. of Chemistry, Harvard University, Cambridge, MA 02138, USA"
NONSENSE = "Zzyzx Qwerty Flurble"
TEXTS = [STANFORD, OXFORD, NONSENSE, HARVARD, STANFORD]


# -- helpers ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli(subset_dump, subset_data_dir):
    """Runs `resmeta match ...` on the subset dump's index."""

    def run(*args: str, input: str | None = None, timeout: float = 300):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("RESMETA_")}
        environment["COLUMNS"] = "500"  # keep rich from wrapping the summary line
        return subprocess.run(
            [
                RESMETA,
                "match",
                *args,
                "--dump",
                str(subset_dump),
                "--data-dir",
                str(subset_data_dir),
            ],
            capture_output=True,
            text=True,
            input=input,
            env=environment,
            timeout=timeout,
        )

    return run


@pytest.fixture(scope="module")
def index_folder(subset_dump, subset_data_dir) -> str:
    folder = IndexStore(subset_data_dir).find(subset_dump)
    assert folder is not None, "the subset index was not built"
    return str(folder)


@pytest.fixture(scope="module")
def matcher(index_folder) -> AffiliationMatcher:
    return AffiliationMatcher(OrganizationIndex(Path(index_folder)))


def parse_csv(text, delimiter=","):
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    return reader.fieldnames, list(reader)


def parse_jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def flat(text):
    return " ".join(text.split())


def summary_line(result):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, "no summary on stderr"
    return lines[-1]


def crossref_strings(count):
    """The first `count` distinct affiliation strings of the Crossref train file."""
    seen: dict[str, None] = {}
    with open(CROSSREF, encoding="utf-8") as handle:
        for line in handle:
            seen.setdefault(json.loads(line)["affiliation"], None)
            if len(seen) == count:
                break
    return list(seen)


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """A JSON Lines file of 600 distinct real strings: more than one task of 250 strings."""
    path = tmp_path_factory.mktemp("many") / "many.jsonl"
    path.write_text(
        jsonl_text({"n": i, "affiliation": t} for i, t in enumerate(crossref_strings(600))),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def many_local(cli, many, tmp_path_factory):
    """`many` matched by the local engine with one worker: the reference output."""
    output = tmp_path_factory.mktemp("many_local") / "out.jsonl"
    result = cli(str(many), "-o", str(output), "--workers", "1")
    assert result.returncode == 0, result.stderr
    return output.read_bytes()


# -- formats ------------------------------------------------------------------------------------


def test_the_subset_has_the_cases_these_tests_rely_on(matcher):
    for text in (STANFORD, OXFORD, HARVARD):
        assert expected(matcher, text)["chosen"], text
    assert not expected(matcher, NONSENSE)["chosen"]


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv_files_are_matched_into_the_same_format(cli, matcher, tmp_path, fmt, delimiter):
    source = tmp_path / f"in.{fmt}"
    rows = [["id", "affiliation", "year"]] + [
        [f"id{i}", text, str(2000 + i)] for i, text in enumerate(TEXTS)
    ]
    source.write_text(csv_text(rows, delimiter), encoding="utf-8")
    output = tmp_path / f"out.{fmt}"

    result = cli(str(source), "-o", str(output), "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = output.read_text(encoding="utf-8")
    assert text.splitlines()[0].split(delimiter)[:9] == ["id", "affiliation", "year"] + (
        RESULT_COLUMNS
    )
    fields, out = parse_csv(text, delimiter)
    assert [r["id"] for r in out] == [f"id{i}" for i in range(len(TEXTS))]
    assert [r["affiliation"] for r in out] == TEXTS
    assert [r["year"] for r in out] == [str(2000 + i) for i in range(len(TEXTS))]
    for row, affiliation in zip(out, TEXTS, strict=True):
        assert {k: row[k] for k in RESULT_COLUMNS} == as_csv_cells(expected(matcher, affiliation))
    assert "5 rows" in summary_line(result) and "4 matched" in summary_line(result)


def test_a_jsonl_file_is_matched_into_jsonl(cli, matcher, tmp_path):
    source = tmp_path / "in.jsonl"
    items = [{"id": i, "affiliation": t, "extra": {"k": [i]}} for i, t in enumerate(TEXTS)]
    source.write_text(jsonl_text(items), encoding="utf-8")
    output = tmp_path / "out.jsonl"

    result = cli(str(source), "-o", str(output), "--workers", "1")
    assert result.returncode == 0, result.stderr
    out = parse_jsonl(output.read_text(encoding="utf-8"))
    assert len(out) == len(items)
    for got, item in zip(out, items, strict=True):
        assert {k: got[k] for k in item} == item
        assert {k: got[k] for k in RESULT_COLUMNS} == expected(matcher, item["affiliation"])
    assert out[0]["chosen"] is True and out[0]["ror_id"].startswith("https://ror.org/")


def test_a_threshold_trades_choices_for_confidence(cli, matcher, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(jsonl_text({"affiliation": t} for t in TEXTS), encoding="utf-8")
    chosen = {}
    for threshold in (0.0, 1.0):
        output = tmp_path / f"out-{threshold}.jsonl"
        result = cli(
            str(source), "-o", str(output), "--workers", "1", "--threshold", str(threshold)
        )
        assert result.returncode == 0, result.stderr
        out = parse_jsonl(output.read_text(encoding="utf-8"))
        for got, text in zip(out, TEXTS, strict=True):
            assert {k: got[k] for k in RESULT_COLUMNS} == expected(
                matcher, text, threshold=threshold
            )
            assert got["chosen"] == (got["confidence"] is not None)
            assert got["confidence"] is None or got["confidence"] >= threshold
        chosen[threshold] = sum(got["chosen"] for got in out)
    assert chosen == {0.0: len(TEXTS) - 1, 1.0: 0}  # at 0 all but the nonsense


def test_multisearch_adds_the_other_organizations_chosen(cli, matcher, tmp_path):
    texts = ["Howard Hughes Medical Institute, Columbia University", STANFORD, NONSENSE]
    source = tmp_path / "in.jsonl"
    source.write_text(jsonl_text({"affiliation": t} for t in texts), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    result = cli(str(source), "-o", str(output), "--workers", "1", "--multisearch")
    assert result.returncode == 0, result.stderr
    out = parse_jsonl(output.read_text(encoding="utf-8"))
    for got, text in zip(out, texts, strict=True):
        want = expected(matcher, text, multisearch=True)
        assert {k: got[k] for k in want} == want, text
    assert out[0]["ror_id"] == "https://ror.org/00hj8s172"  # Columbia University
    assert [c["ror_id"] for c in out[0]["also_chosen"]] == ["https://ror.org/006w34k90"]  # HHMI
    assert out[1]["also_chosen"] == [] and out[2]["also_chosen"] == []


def test_a_threshold_outside_0_to_1_is_refused(cli, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(csv_text([["affiliation"], [STANFORD]]), encoding="utf-8")
    result = cli(str(source), "--threshold", "1.5")
    assert result.returncode == 2 and "--threshold" in result.stderr
    assert "Traceback" not in result.stderr


def test_stdin_is_read_and_the_rows_go_to_stdout(cli, matcher):
    rows = [["affiliation"]] + [[t] for t in TEXTS]
    result = cli("-", "--workers", "1", input=csv_text(rows))
    assert result.returncode == 0, result.stderr
    fields, out = parse_csv(result.stdout)
    assert fields[:7] == ["affiliation", *RESULT_COLUMNS]
    assert [r["affiliation"] for r in out] == TEXTS
    for row, text in zip(out, TEXTS, strict=True):
        assert {k: row[k] for k in RESULT_COLUMNS} == as_csv_cells(expected(matcher, text))
    assert "5 rows" in summary_line(result)


def test_stdin_in_jsonl_with_format(cli, matcher):
    items = [{"affiliation": t} for t in TEXTS]
    result = cli("-", "--format", "jsonl", "--workers", "1", input=jsonl_text(items))
    assert result.returncode == 0, result.stderr
    out = parse_jsonl(result.stdout)
    assert [r["affiliation"] for r in out] == TEXTS
    for got in out:
        assert {k: got[k] for k in RESULT_COLUMNS} == expected(matcher, got["affiliation"])


# -- columns ------------------------------------------------------------------------------------


def test_column_names_another_column(cli, matcher, tmp_path):
    source = tmp_path / "in.csv"
    rows = [["affiliation", "raw"], ["ignored", STANFORD], ["ignored too", NONSENSE]]
    source.write_text(csv_text(rows), encoding="utf-8")
    result = cli(str(source), "--column", "raw", "--workers", "1")
    assert result.returncode == 0, result.stderr
    _, out = parse_csv(result.stdout)
    assert [r["affiliation"] for r in out] == ["ignored", "ignored too"]
    assert out[0]["ror_id"] == expected(matcher, STANFORD)["ror_id"]
    assert out[1]["chosen"] == "false"


def test_the_only_column_is_the_default(cli, matcher, tmp_path):
    source = tmp_path / "in.tsv"
    source.write_text(csv_text([["institution"], [OXFORD], [HARVARD]], "\t"), encoding="utf-8")
    result = cli(str(source), "--workers", "1")
    assert result.returncode == 0, result.stderr
    _, out = parse_csv(result.stdout, "\t")
    assert [r["ror_id"] for r in out] == [
        expected(matcher, OXFORD)["ror_id"],
        expected(matcher, HARVARD)["ror_id"],
    ]


@pytest.mark.parametrize(("args", "missing"), [((), "affiliation"), (("--column", "org"), "org")])
def test_a_missing_column_is_an_error_naming_the_columns(cli, tmp_path, args, missing):
    source = tmp_path / "in.csv"
    source.write_text(csv_text([["id", "text"], ["1", STANFORD]]), encoding="utf-8")
    output = tmp_path / "out.csv"
    result = cli(str(source), "-o", str(output), *args, "--workers", "1")
    assert result.returncode == 1
    message = flat(result.stderr)
    assert f"'{missing}'" in message
    assert "id, text" in message
    assert "Traceback" not in result.stderr


# -- top-k --------------------------------------------------------------------------------------


def test_top_k_adds_candidates_as_json_in_csv(cli, matcher, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(csv_text([["affiliation"]] + [[t] for t in TEXTS]), encoding="utf-8")
    result = cli(str(source), "--top-k", "3", "--workers", "1")
    assert result.returncode == 0, result.stderr
    fields, out = parse_csv(result.stdout)
    assert "candidates" in fields
    some = 0
    for row, text in zip(out, TEXTS, strict=True):
        candidates = json.loads(row["candidates"])
        assert candidates == expected(matcher, text, top_k=3)["candidates"], text
        assert len(candidates) <= 3
        assert row["ror_id"] not in {c["ror_id"] for c in candidates}
        some += bool(candidates)
    assert some, "no row has any candidate besides the chosen one"


def test_top_k_adds_a_list_of_candidates_in_jsonl(cli, matcher, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(jsonl_text({"affiliation": t} for t in TEXTS), encoding="utf-8")
    result = cli(str(source), "--top-k", "3", "--workers", "1")
    assert result.returncode == 0, result.stderr
    out = parse_jsonl(result.stdout)
    for got in out:
        want = expected(matcher, got["affiliation"], top_k=3)
        assert isinstance(got["candidates"], list)
        assert got["candidates"] == want["candidates"]
        assert len(got["candidates"]) <= 3
        assert got["ror_id"] not in {c["ror_id"] for c in got["candidates"]}


def test_the_command_collects_cycles_as_its_workers_do(subset_dump, subset_data_dir, tmp_path):
    """With --workers 1 the command matches in its own process, which is resmeta's alone."""
    source = tmp_path / "in.csv"
    source.write_text(csv_text([["affiliation"], [OXFORD]]))
    script = (
        "import gc, sys\n"
        "from click.testing import CliRunner\n"
        "from resmeta.cli import main\n"
        "result = CliRunner().invoke(main, sys.argv[1:])\n"
        "print(result.output, result.exception)\n"
        "print(result.exit_code, gc.get_threshold()[0])\n"
    )
    arguments = ["match", str(source), "-o", str(tmp_path / "out.csv"), "--workers", "1"]
    arguments += ["--dump", str(subset_dump), "--data-dir", str(subset_data_dir)]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RESMETA_")}
    done = subprocess.run(
        [sys.executable, "-c", script, *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert done.stdout.split()[-2:] == ["0", str(bulk.WORKER_GC_THRESHOLD)], done.stdout
    assert (tmp_path / "out.csv").read_text().count("\n") == 2


# -- de-duplication and bad rows ----------------------------------------------------------------


def test_repeated_strings_are_matched_once(cli, tmp_path):
    distinct = crossref_strings(10)
    spacing = [lambda t: t, lambda t: f" {t} ", lambda t: t.replace(" ", "  ")]
    texts = [spacing[(i // 10) % 3](distinct[i % 10]) for i in range(1000)]
    source = tmp_path / "in.csv"
    source.write_text(csv_text([["affiliation"]] + [[t] for t in texts]), encoding="utf-8")
    output = tmp_path / "out.csv"

    result = cli(str(source), "-o", str(output), "--workers", "1")
    assert result.returncode == 0, result.stderr
    line = summary_line(result)
    assert re.search(r"\b1,000 rows\b", line), line
    assert re.search(r"(?<![\d,])10 distinct strings", line), line
    _, out = parse_csv(output.read_text(encoding="utf-8"))
    assert [r["affiliation"] for r in out] == texts
    by_key: dict[str, tuple] = {}
    for row in out:
        result_cells = tuple(row[k] for k in RESULT_COLUMNS)
        assert by_key.setdefault(" ".join(row["affiliation"].split()), result_cells) == (
            result_cells
        )


def test_bad_jsonl_rows_are_reported_and_skipped(cli, matcher, tmp_path):
    lines = [
        json.dumps({"id": 1, "affiliation": STANFORD}),
        "{this is not json",
        '"a string, not an object"',
        json.dumps({"id": 4, "institution": OXFORD}),
        json.dumps({"id": 5, "affiliation": ""}),
        json.dumps({"id": 6, "affiliation": HARVARD}),
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"

    result = cli(str(source), "-o", str(output), "--workers", "1")
    assert result.returncode == 0, result.stderr
    out = parse_jsonl(output.read_text(encoding="utf-8"))
    assert len(out) == 6
    assert {k: out[0][k] for k in RESULT_COLUMNS} == expected(matcher, STANFORD)
    assert {k: out[5][k] for k in RESULT_COLUMNS} == expected(matcher, HARVARD)
    assert "error" not in out[0] and "error" not in out[5]
    for got in out[1:5]:
        assert got.get("error") and got["chosen"] is False
    message = flat(result.stderr)
    for number in (2, 3, 4, 5):
        assert f"row {number}:" in message
    assert "row 1:" not in message and "row 6:" not in message
    assert "6 rows" in summary_line(result) and "4 bad" in summary_line(result)
    assert "Traceback" not in result.stderr


def test_bad_csv_rows_are_reported_and_skipped(cli, matcher, tmp_path):
    rows = [
        ["id", "affiliation"],
        ["1", STANFORD],
        ["2", OXFORD, "surplus cell"],
        ["3", ""],
        ["4", HARVARD],
    ]
    source = tmp_path / "in.csv"
    source.write_text(csv_text(rows), encoding="utf-8")
    output = tmp_path / "out.csv"

    result = cli(str(source), "-o", str(output), "--workers", "1")
    assert result.returncode == 0, result.stderr
    _, out = parse_csv(output.read_text(encoding="utf-8"))
    assert [r["id"] for r in out] == ["1", "2", "3", "4"]
    assert out[0]["error"] == "" and out[3]["error"] == ""
    assert out[0]["ror_id"] == expected(matcher, STANFORD)["ror_id"]
    assert out[3]["ror_id"] == expected(matcher, HARVARD)["ror_id"]
    assert out[1]["error"] and out[2]["error"]
    message = flat(result.stderr)
    assert "row 2:" in message and "row 3:" in message
    assert "4 rows" in summary_line(result) and "2 bad" in summary_line(result)


# -- resume -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_resume_carries_on_from_the_checkpoint(cli, tmp_path, fmt):
    texts = crossref_strings(40)
    source = tmp_path / f"in.{fmt}"
    if fmt == "csv":
        source.write_text(
            csv_text([["n", "affiliation"]] + [[i, t] for i, t in enumerate(texts)]), "utf-8"
        )
    else:
        source.write_text(
            jsonl_text({"n": i, "affiliation": t} for i, t in enumerate(texts)), "utf-8"
        )
    output = tmp_path / f"out.{fmt}"
    result = cli(str(source), "-o", str(output), "--workers", "1")
    assert result.returncode == 0, result.stderr
    full = output.read_bytes()

    # What a run killed after 25 rows leaves: the rows up to its checkpoint, a torn row after.
    lines = full.splitlines(keepends=True)
    header = 1 if fmt == "csv" else 0
    assert len(lines) == len(texts) + header, "a string spans lines: pick other strings"
    done = sum(len(line) for line in lines[: header + 25])
    output.write_bytes(full[:done] + b"torn row, never fin")
    checkpoint = output.with_name(output.name + ".resmeta-progress")
    stat = source.stat()
    this_run = {
        "input": [str(source.resolve()), stat.st_size, stat.st_mtime_ns],
        "format": fmt,
        "column": None,
        "options": {"all_status": False, "top_k": 0, "threshold": None, "multisearch": False},
    }
    options = this_run["options"]
    for other in ({"top_k": 3}, {"threshold": 0.9}, {"multisearch": True}, {"all_status": True}):
        other_run = {**this_run, "options": {**options, **other}}
        checkpoint.write_text(json.dumps({"rows": 25, "bytes": done, "run": other_run}))
        refused = cli(str(source), "-o", str(output), "--resume", "--workers", "1")
        assert refused.returncode == 1 and "another input or other options" in refused.stderr
        assert output.read_bytes() == full[:done] + b"torn row, never fin"  # nothing lost

    checkpoint.write_text(json.dumps({"rows": 25, "bytes": done, "run": this_run}))
    result = cli(str(source), "-o", str(output), "--resume", "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert output.read_bytes() == full
    assert not checkpoint.exists()
    line = summary_line(result)
    assert "15 rows" in line and "resumed after row 25" in line, line


def test_resume_with_a_checkpoint_but_no_output_file_is_handled(cli, tmp_path):
    """The output was deleted after a crash: start over or refuse, never a traceback."""
    source = tmp_path / "in.csv"
    source.write_text(csv_text([["affiliation"], [STANFORD], [OXFORD]]), encoding="utf-8")
    output = tmp_path / "out.csv"
    checkpoint = output.with_name(output.name + ".resmeta-progress")
    checkpoint.write_text(json.dumps({"rows": 1, "bytes": 100}))

    result = cli(str(source), "-o", str(output), "--resume", "--workers", "1")
    assert "Traceback" not in result.stderr, result.stderr
    if result.returncode == 0:
        _, out = parse_csv(output.read_text(encoding="utf-8"))
        assert [r["affiliation"] for r in out] == [STANFORD, OXFORD]
    else:
        assert result.returncode == 1
        assert "error:" in result.stderr


def test_resume_needs_an_output_file(cli, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(csv_text([["affiliation"], [STANFORD]]), encoding="utf-8")
    result = cli(str(source), "--resume", "--workers", "1")
    assert result.returncode == 1
    assert "-o" in result.stderr
    assert "Traceback" not in result.stderr


# -- workers and engines ------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [["--workers", "2"], []])
def test_more_workers_give_the_same_output(cli, many, many_local, tmp_path, workers):
    output = tmp_path / "out.jsonl"
    result = cli(str(many), "-o", str(output), *workers)
    assert result.returncode == 0, result.stderr
    assert output.read_bytes() == many_local
    assert "600 rows" in summary_line(result)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    ) as local:
        yield local


@pytest.mark.timeout(120)
def test_the_dask_engine_gives_the_local_output(cli, many, many_local, cluster, tmp_path):
    output = tmp_path / "out.jsonl"
    result = cli(
        str(many), "-o", str(output), "--engine", "dask", "--scheduler", cluster.scheduler_address
    )
    assert result.returncode == 0, result.stderr
    assert output.read_bytes() == many_local
    assert "600 rows" in summary_line(result)
    # The cluster's workers did the matching: they opened the index.
    distributed = pytest.importorskip("distributed")
    with distributed.Client(cluster) as client:
        opened = client.run(_opened_indexes)
    assert any(folders for folders in opened.values()), opened


def _opened_indexes():
    from resmeta.services.affiliations import bulk as worker_bulk

    return worker_bulk._matcher.cache_info().currsize


@pytest.mark.timeout(120)
def test_the_dask_engine_through_the_python_api(index_folder, many, cluster, tmp_path):
    local_out, dask_out = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    options = bulk.MatchOptions(top_k=2, multisearch=True)
    local = bulk.LocalEngine(index_folder, workers=1, options=options)
    try:
        expected_summary = bulk.run(many, local_out, local, "jsonl")
    finally:
        local.close()
    dask = bulk.DaskEngine(index_folder, cluster.scheduler_address, options)
    try:
        summary = bulk.run(many, dask_out, dask, "jsonl")
    finally:
        dask.close()
    assert dask_out.read_bytes() == local_out.read_bytes()
    assert (summary.rows, summary.matched, summary.distinct) == (
        expected_summary.rows,
        expected_summary.matched,
        expected_summary.distinct,
    )


def test_the_dask_engine_needs_a_scheduler(cli, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(csv_text([["affiliation"], [STANFORD]]), encoding="utf-8")
    result = cli(str(source), "--engine", "dask")
    assert result.returncode == 1
    assert "--scheduler" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.timeout(120)
def test_an_unreachable_scheduler_is_a_clear_error(cli, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(csv_text([["affiliation"], [STANFORD]]), encoding="utf-8")
    output = tmp_path / "out.csv"
    result = cli(
        str(source), "-o", str(output), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    message = flat(result.stderr)
    assert "error:" in message and "tcp://127.0.0.1:9" in message
    assert "scheduler" in message
