"""Metrics of affiliation matching (issue 3): per-ID and per-row, computed by hand here."""

import json

import pytest

from resmeta.services.affiliations.evaluation import Example, Report, evaluate, read_examples

A, B, C, D = "000000a01", "000000b02", "000000c03", "000000d04"


def example(text, *gold):
    return Example(text, frozenset(gold))


# Each row: (affiliation, gold, chosen) and what it is per row.
ROWS = [
    ("right", {A}, {A}),  # TP, exact set
    ("right again", {B}, {B}),  # TP, exact set
    ("one of two gold", {A, C}, {A}),  # TP (chosen in gold), not the exact set
    ("wrong", {A}, {B}),  # FP
    ("chosen, no gold", set(), {D}),  # FP
    ("missed", {C}, set()),  # FN
    ("missed again", {D}, set()),  # FN
    ("missed a third", {B}, set()),  # FN
    ("nothing and nothing", set(), set()),  # TN, exact set
]


def fixed_choices(rows):
    answers = {text: chosen for text, _, chosen in rows}
    return lambda texts: [set(answers[text]) for text in texts]


@pytest.fixture
def report():
    examples = [example(text, *gold) for text, gold, _ in ROWS]
    return evaluate(examples, fixed_choices(ROWS))


def test_per_row_counts(report):
    summary = report.summary()
    assert summary["items"] == 9
    rows = summary["per_row"]
    assert (rows["tp"], rows["fp"], rows["fn"], rows["tn"]) == (3, 2, 3, 1)


def test_per_row_precision_recall_f1_f05(report):
    rows = report.summary()["per_row"]
    precision = 3 / (3 + 2)  # 0.6
    recall = 3 / (3 + 3)  # 0.5
    f1 = 2 * precision * recall / (precision + recall)  # 0.5455
    f05 = 1.25 * precision * recall / (0.25 * precision + recall)  # 0.5769
    assert rows["precision"] == pytest.approx(precision, abs=1e-3)
    assert rows["recall"] == pytest.approx(recall, abs=1e-3)
    assert rows["f1"] == pytest.approx(f1, abs=1e-3)
    assert rows["f0.5"] == pytest.approx(f05, abs=1e-3)
    assert rows["f0.5"] > rows["f1"]  # precision above recall weighs more at beta = 0.5


def test_per_id_accuracy_precision_recall(report):
    per_id = report.summary()["per_id"]
    # exact sets: "right", "right again", "nothing and nothing"
    assert per_id["accuracy"] == pytest.approx(3 / 9, abs=1e-3)
    # chosen IDs: A, B, A, B, D = 5; correct: A, B, A = 3
    assert per_id["precision"] == pytest.approx(3 / 5, abs=1e-3)
    # gold IDs: A, B, A, C, A, C, D, B = 8; correct: 3
    assert per_id["recall"] == pytest.approx(3 / 8, abs=1e-3)


def test_errors_list_the_rows_whose_chosen_set_is_not_the_gold_set(report):
    wrong = {e["affiliation"] for e in report.errors}
    assert wrong == {
        "one of two gold",
        "wrong",
        "chosen, no gold",
        "missed",
        "missed again",
        "missed a third",
    }
    missed = next(e for e in report.errors if e["affiliation"] == "one of two gold")
    assert missed == {"affiliation": "one of two gold", "gold": sorted({A, C}), "chosen": [A]}


@pytest.mark.parametrize(
    ("gold", "chosen", "kind"),
    [({A}, {A}, "tp"), ({A}, {A, B}, "tp"), ({A}, {B}, "fp"), (set(), {A}, "fp")]
    + [({A}, set(), "fn"), (set(), set(), "tn")],
)
def test_each_row_is_one_of_tp_fp_fn_tn(gold, chosen, kind):
    report = Report()
    report.add(example("x", *gold), set(chosen))
    rows = report.summary()["per_row"]
    counts = {k: rows[k] for k in ("tp", "fp", "fn", "tn")}
    assert counts == {k: int(k == kind) for k in counts}


def test_empty_chosen_for_empty_gold_is_correct_per_id():
    report = Report()
    report.add(example("nothing"), set())
    per_id = report.summary()["per_id"]
    assert per_id["accuracy"] == 1.0


def test_no_items_gives_zeros_not_errors():
    summary = evaluate([], lambda texts: [set() for _ in texts]).summary()
    assert summary["items"] == 0
    assert summary["per_id"] == {"accuracy": 0.0, "precision": 0.0, "recall": 0.0}
    assert summary["per_row"]["precision"] == 0.0
    assert summary["per_row"]["f1"] == 0.0


def test_perfect_answers_score_one():
    rows = [("a", {A}, {A}), ("b", set(), set()), ("c", {B}, {B})]
    report = evaluate([example(t, *g) for t, g, _ in rows], fixed_choices(rows))
    summary = report.summary()
    assert summary["per_id"] == {"accuracy": 1.0, "precision": 1.0, "recall": 1.0}
    per_row = summary["per_row"]
    assert (per_row["precision"], per_row["recall"], per_row["f1"], per_row["f0.5"]) == (
        1.0,
        1.0,
        1.0,
        1.0,
    )
    assert report.errors == []


def test_known_drops_examples_whose_gold_ids_are_not_all_known():
    examples = [
        example("all known", A),
        example("one unknown", A, C),
        example("unknown", D),
        example("no gold"),
    ]
    asked = []

    def choose(texts):
        asked.extend(texts)
        return [{A} if text == "all known" else set() for text in texts]

    report = evaluate(examples, choose, known=lambda bare: bare in {A, B})
    summary = report.summary()
    assert asked == ["all known", "no gold"]
    assert summary["items"] == 2
    assert summary["dropped_unknown"] == 2
    assert (summary["per_row"]["tp"], summary["per_row"]["tn"]) == (1, 1)


def test_without_known_nothing_is_dropped():
    examples = [example("unknown", D), example("no gold")]
    report = evaluate(examples, lambda texts: [set() for _ in texts])
    assert report.summary()["items"] == 2
    assert report.summary()["dropped_unknown"] == 0


def test_speed_is_reported():
    report = evaluate([example("a", A)] * 3, lambda texts: [{A} for _ in texts])
    summary = report.summary()
    assert summary["seconds"] >= 0
    assert summary["strings_per_second"] is None or summary["strings_per_second"] > 0


# -- read_examples ------------------------------------------------------------------------------


def write_lines(tmp_path, lines):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_read_examples_accepts_urls_and_bare_ids(tmp_path):
    path = write_lines(
        tmp_path,
        [
            json.dumps({"affiliation": "Univ. of Oxford", "gold": ["https://ror.org/052gg0110"]}),
            "",
            json.dumps({"affiliation": "Nothing", "gold": [], "dataset": "extra keys are fine"}),
            json.dumps({"affiliation": "Two", "gold": ["ror.org/052gg0110", "013meh722"]}),
            json.dumps({"affiliation": "Zürich ünïcode", "gold": []}, ensure_ascii=False),
        ],
    )
    assert read_examples(path) == [
        Example("Univ. of Oxford", frozenset({"052gg0110"})),
        Example("Nothing", frozenset()),
        Example("Two", frozenset({"052gg0110", "013meh722"})),
        Example("Zürich ünïcode", frozenset()),
    ]


@pytest.mark.parametrize(
    "bad",
    [
        "{not json",
        json.dumps({"affiliation": "no gold"}),
        json.dumps({"gold": []}),
        json.dumps({"affiliation": 42, "gold": []}),
        json.dumps({"affiliation": "gold not a list", "gold": "052gg0110"}),
        json.dumps(["affiliation", "gold"]),
        json.dumps({"affiliation": "gold not strings", "gold": [42]}),
        "null",
    ],
)
def test_read_examples_rejects_a_bad_line_with_its_number(tmp_path, bad):
    good = json.dumps({"affiliation": "Univ. of Oxford", "gold": []})
    path = write_lines(tmp_path, [good, good, bad, good])
    with pytest.raises(ValueError, match=r"gold\.jsonl, line 3\b"):
        read_examples(path)
