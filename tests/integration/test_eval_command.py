"""`resmeta eval affiliations` run as a user runs it, on the subset dump (issue 3).

The items below were checked by hand on the subset dump: what each string names, whether its
gold IDs are in the dump. Expected counts and metrics are computed by hand from them.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.conftest import RESMETA

pytestmark = pytest.mark.integration

OXFORD = "052gg0110"
STANFORD = "00f54p054"
HARVARD = "03vek6s52"
CAMBRIDGE = "013meh722"
NOT_IN_SUBSET = "05ct4s596"  # a gold ID of the logs set that the subset lacks

ITEMS = [
    # TP, gold as a URL; the chosen set is the gold set.
    ("Stanford University, Stanford, CA 94305, USA", [f"https://ror.org/{STANFORD}"]),
    # TP per row (Oxford is in gold), but the chosen set is not the gold set.
    ("Department of Physics, University of Oxford, UK", [OXFORD, CAMBRIDGE]),
    # FP: Harvard is chosen, the gold says Stanford.
    ("Dept. of Chemistry, Harvard University, Cambridge, MA 02138, USA", [STANFORD]),
    # FN: names nothing, gold says Oxford.
    ("Zzyzx Qwerty Flurble", [OXFORD]),
    # FN again.
    ("Flurble Wobble Quux", [HARVARD]),
    # TN: names nothing, no gold.
    ("Qwxyz Flurble Institute of Nonsense", []),
    # Dropped with --only-known: its gold is not in the dump.
    (
        "Institute of System Engineering Academy of Military Science",
        [f"https://ror.org/{NOT_IN_SUBSET}"],
    ),
]


def run(*args: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RESMETA_")}
    return subprocess.run(
        [RESMETA, *args], capture_output=True, text=True, env=environment, timeout=300
    )


def write_items(path, items):
    path.write_text(
        "".join(json.dumps({"affiliation": a, "gold": g}) + "\n" for a, g in items),
        encoding="utf-8",
    )
    return path


def run_eval(path, subset_dump, subset_data_dir, *extra):
    return run(
        "eval",
        "affiliations",
        str(path),
        "--dump",
        str(subset_dump),
        "--data-dir",
        str(subset_data_dir),
        *extra,
    )


def evaluate(tmp_path, subset_dump, subset_data_dir, *extra):
    path = write_items(tmp_path / "gold.jsonl", ITEMS)
    result = run_eval(path, subset_dump, subset_data_dir, *extra)
    assert result.returncode == 0, result.stderr
    return result, json.loads(result.stdout)


def test_eval_with_only_known_gives_the_hand_computed_metrics(
    tmp_path, subset_dump, subset_data_dir
):
    result, report = evaluate(tmp_path, subset_dump, subset_data_dir, "--only-known")
    assert report["items"] == 6
    assert report["dropped_unknown"] == 1
    assert "1 items dropped" in result.stderr or "1 item dropped" in result.stderr

    per_row = report["per_row"]
    assert (per_row["tp"], per_row["fp"], per_row["fn"], per_row["tn"]) == (2, 1, 2, 1)
    precision, recall = 2 / 3, 2 / 4
    assert per_row["precision"] == pytest.approx(precision, abs=1e-3)
    assert per_row["recall"] == pytest.approx(recall, abs=1e-3)
    f1 = 2 * precision * recall / (precision + recall)  # 0.5714
    f05 = 1.25 * precision * recall / (0.25 * precision + recall)  # 0.625
    assert per_row["f1"] == pytest.approx(f1, abs=1e-3)
    assert per_row["f0.5"] == pytest.approx(f05, abs=1e-3)

    per_id = report["per_id"]
    # exact sets: Stanford, nonsense/no gold -> 2 of 6
    assert per_id["accuracy"] == pytest.approx(2 / 6, abs=1e-3)
    # chosen: Stanford, Oxford, Harvard = 3; correct: Stanford, Oxford = 2
    assert per_id["precision"] == pytest.approx(2 / 3, abs=1e-3)
    # gold IDs: 1 + 2 + 1 + 1 + 1 = 6; correct 2
    assert per_id["recall"] == pytest.approx(2 / 6, abs=1e-3)

    assert report["strings_per_second"] is None or report["strings_per_second"] > 0


def test_eval_without_only_known_keeps_every_item(tmp_path, subset_dump, subset_data_dir):
    _, report = evaluate(tmp_path, subset_dump, subset_data_dir)
    assert report["items"] == 7
    assert report["dropped_unknown"] == 0
    per_row = report["per_row"]
    # The extra item's gold is not in the dump, so it cannot be a TP.
    assert per_row["tp"] == 2
    assert per_row["tp"] + per_row["fp"] + per_row["fn"] + per_row["tn"] == 7


def test_eval_at_a_threshold_no_confidence_reaches_chooses_nothing(
    tmp_path, subset_dump, subset_data_dir
):
    _, report = evaluate(tmp_path, subset_dump, subset_data_dir, "--only-known", "--threshold", "1")
    per_row = report["per_row"]  # the five items with gold are missed, the one without is right
    assert (per_row["tp"], per_row["fp"], per_row["fn"], per_row["tn"]) == (0, 0, 5, 1)


HHMI, COLUMBIA, LILLE = "006w34k90", "00hj8s172", "02kzqn938"
NAMING_SEVERAL = [
    # Two organizations named, both gold: only multisearch chooses the gold set.
    ("Howard Hughes Medical Institute, Columbia University", [COLUMBIA, HHMI]),
    # Two named, one gold (Inserm is not): multisearch chooses one too many.
    ("Univ. Lille, Inserm, France", [LILLE]),
    ("Stanford University, Stanford, CA 94305, USA", [STANFORD]),
]


@pytest.mark.parametrize(
    ("extra", "accuracy", "precision", "recall"),
    [
        # chosen sets {Columbia}, {Lille}, {Stanford}: 3 IDs, 3 right, of 4 gold
        ((), 2 / 3, 3 / 3, 3 / 4),
        # chosen sets {Columbia, HHMI}, {Lille, Inserm}, {Stanford}: 5 IDs, 4 right
        (("--multisearch",), 2 / 3, 4 / 5, 4 / 4),
    ],
)
def test_eval_with_multisearch_compares_chosen_sets_with_gold_sets(
    tmp_path, subset_dump, subset_data_dir, extra, accuracy, precision, recall
):
    path = write_items(tmp_path / "several.jsonl", NAMING_SEVERAL)
    result = run_eval(path, subset_dump, subset_data_dir, *extra)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    per_id = report["per_id"]
    assert per_id["accuracy"] == pytest.approx(accuracy, abs=1e-3)
    assert per_id["precision"] == pytest.approx(precision, abs=1e-3)
    assert per_id["recall"] == pytest.approx(recall, abs=1e-3)
    assert report["per_row"]["tp"] == 3


def test_eval_writes_the_errors_file(tmp_path, subset_dump, subset_data_dir):
    errors = tmp_path / "errors.json"
    evaluate(tmp_path, subset_dump, subset_data_dir, "--only-known", "--errors", str(errors))
    wrong = json.loads(errors.read_text())
    by_text = {e["affiliation"]: e for e in wrong}
    assert set(by_text) == {
        "Department of Physics, University of Oxford, UK",
        "Dept. of Chemistry, Harvard University, Cambridge, MA 02138, USA",
        "Zzyzx Qwerty Flurble",
        "Flurble Wobble Quux",
    }
    harvard = by_text["Dept. of Chemistry, Harvard University, Cambridge, MA 02138, USA"]
    assert harvard["chosen"] == [HARVARD] and harvard["gold"] == [STANFORD]


def test_a_bad_line_fails_naming_the_line(tmp_path, subset_dump, subset_data_dir):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"affiliation": "University of Oxford", "gold": [OXFORD]})
        + "\n"
        + json.dumps({"affiliation": "Harvard University", "gold": []})
        + "\n"
        + '{"affiliation": "Stanford University", "gold": \n',
        encoding="utf-8",
    )
    result = run_eval(path, subset_dump, subset_data_dir)
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert "bad.jsonl" in message and "line 3" in message
    assert "Traceback" not in result.stderr
    assert result.stdout.strip() == ""


def test_a_missing_file_is_refused(tmp_path):
    result = run("eval", "affiliations", str(tmp_path / "missing.jsonl"))
    assert result.returncode != 0
    assert "missing.jsonl" in result.stderr
