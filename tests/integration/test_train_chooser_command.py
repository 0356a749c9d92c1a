"""`resmeta train-chooser` run as a user runs it, on real labelled strings and the subset
dump, and the model it writes used through RESMETA_CHOOSER (issue 3)."""

from __future__ import annotations

import json
import os
import subprocess
from itertools import islice

import pytest

from tests.conftest import RESMETA, SHARED_DATA

pytestmark = pytest.mark.integration

LABELLED = SHARED_DATA / "affiliations"
STANFORD = "00f54p054"


def run(*args: str, chooser: str | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RESMETA_")}
    if chooser is not None:
        environment["RESMETA_CHOOSER"] = chooser
    return subprocess.run(
        [RESMETA, *args], capture_output=True, text=True, env=environment, timeout=300
    )


def head(name: str, lines: int, target):
    with open(LABELLED / name, encoding="utf-8") as source:
        target.write_text("".join(islice(source, lines)), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def trained(tmp_path_factory, subset_dump, subset_data_dir):
    tmp = tmp_path_factory.mktemp("train")
    crossref = head("crossref_publisher_assertions_2023_06_28__train.jsonl", 400, tmp / "a.jsonl")
    logs = head("logs_2023_09_03__train.jsonl", 200, tmp / "b.jsonl")
    model = tmp / "model.pickle"
    result = run(
        "train-chooser", str(crossref), str(logs), "--dump", str(subset_dump),
        "--data-dir", str(subset_data_dir), "--folds", "3", "-o", str(model),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return model, json.loads(result.stdout)


def test_training_reports_cross_validated_quality_per_file(trained):
    model, report = trained
    assert model.stat().st_size > 0
    assert set(report["cross_validated"]) == {"a.jsonl", "b.jsonl"}
    crossref = report["cross_validated"]["a.jsonl"]
    # Items whose gold is not in the subset are left out, and counted.
    assert crossref["items"] + report["dropped_unknown"]["a.jsonl"] == 400
    assert report["dropped_unknown"]["a.jsonl"] > 0
    # Learned from 400 strings, it still beats chance by far on strings it did not see.
    assert crossref["per_row"]["precision"] > 0.8
    assert crossref["per_row"]["recall"] > 0.8
    assert 0.0 < report["threshold"] < 1.0
    # multisearch chooses what one choice would, and more: per-ID recall cannot fall
    several = report["cross_validated_multisearch"]
    assert set(several) == {"a.jsonl", "b.jsonl"}
    for name, per_id in several.items():
        assert set(per_id) == {"accuracy", "precision", "recall"}
        assert per_id["recall"] >= report["cross_validated"][name]["per_id"]["recall"]


def test_the_trained_model_is_used_through_resmeta_chooser(
    trained, tmp_path, subset_dump, subset_data_dir
):
    model, _ = trained
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps({"affiliation": "Stanford University, Stanford, CA", "gold": [STANFORD]})
        + "\n"
        + json.dumps({"affiliation": "Qwxyz Flurble", "gold": []})
        + "\n",
        encoding="utf-8",
    )
    args = ("eval", "affiliations", str(gold), "--dump", str(subset_dump))
    result = run(*args, "--data-dir", str(subset_data_dir), chooser=str(model))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["per_row"]["tp"], summary["per_row"]["tn"]) == (1, 1)


def test_a_broken_model_file_stops_commands_with_its_name(tmp_path, subset_dump, subset_data_dir):
    broken = tmp_path / "broken.pickle"
    broken.write_bytes(b"\x80\x05garbage")
    source = tmp_path / "in.csv"
    source.write_text("affiliation\nStanford University\n", encoding="utf-8")
    result = run(
        "match", str(source), "--dump", str(subset_dump), "--data-dir", str(subset_data_dir),
        chooser=str(broken),
    )  # fmt: skip
    assert result.returncode == 1
    assert "broken.pickle: not a resmeta chooser model" in result.stdout + result.stderr
    assert "RESMETA_CHOOSER" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_threshold_can_be_set_for_precision(tmp_path, subset_dump, subset_data_dir):
    crossref = head(
        "crossref_publisher_assertions_2023_06_28__train.jsonl", 300, tmp_path / "a.jsonl"
    )
    model = tmp_path / "strict.pickle"
    result = run(
        "train-chooser", str(crossref), "--dump", str(subset_dump),
        "--data-dir", str(subset_data_dir), "--folds", "3", "--threshold", "0.9",
        "-o", str(model),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["threshold"] == 0.9
    curve = report["by_threshold"]
    # Choosing only at a higher probability chooses less: recall cannot rise.
    assert curve["0.9"]["a.jsonl"]["recall"] <= curve["0.1"]["a.jsonl"]["recall"]
    refused = run("train-chooser", str(crossref), "--threshold", "1.5")
    assert refused.returncode == 2
    assert "1.5" in refused.stderr


def test_too_little_labelled_data_is_refused_with_a_sentence(
    tmp_path, subset_dump, subset_data_dir
):
    few = tmp_path / "few.jsonl"
    few.write_text(json.dumps({"affiliation": "Stanford University", "gold": [STANFORD]}) + "\n")
    result = run(
        "train-chooser", str(few), "--dump", str(subset_dump),
        "--data-dir", str(subset_data_dir), "-o", str(tmp_path / "m.pickle"),
    )  # fmt: skip
    assert result.returncode == 1
    assert "too little to learn from" in result.stdout + result.stderr
    assert not (tmp_path / "m.pickle").exists()


def test_a_bad_line_in_a_labelled_file_is_named(tmp_path, subset_dump, subset_data_dir):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"affiliation": "x", "gold": []}\n{"affiliation": 3}\n', encoding="utf-8")
    result = run("train-chooser", str(bad), "--dump", str(subset_dump))
    assert result.returncode == 1
    assert "bad.jsonl, line 2" in result.stdout + result.stderr
