"""resmeta.match and resmeta.match_many, used as a library on the subset dump."""

import resmeta


def test_match_chooses_and_ranks(subset_dump, subset_data_dir):
    candidates = resmeta.match(
        "Dept. of Physics, Univ. of Oxford, UK", dump=subset_dump, data_dir=subset_data_dir
    )
    assert candidates[0].chosen and candidates[0].ror_id == "https://ror.org/052gg0110"
    assert candidates[0].name == "University of Oxford"
    assert sum(c.chosen for c in candidates) == 1
    scores = [c.score for c in candidates[1:]]
    assert scores == sorted(scores, reverse=True)


def test_match_many_keeps_order_and_agrees_with_match(subset_dump, subset_data_dir):
    texts = ["University of Oslo", "xyzzy plugh", "Dept. of Physics, Univ. of Oxford, UK"] * 3
    results = list(
        resmeta.match_many(texts, workers=2, dump=subset_dump, data_dir=subset_data_dir, batch=4)
    )
    assert len(results) == len(texts)
    for text, candidates in zip(texts, results, strict=True):
        expected = resmeta.match(text, dump=subset_dump, data_dir=subset_data_dir, top_k=0)
        assert candidates == expected
    assert results[1] == []


def test_a_threshold_above_the_confidence_chooses_nothing(subset_dump, subset_data_dir):
    text = "Dept. of Physics, Univ. of Oxford, UK"
    sure = resmeta.match(text, dump=subset_dump, data_dir=subset_data_dir)[0]
    assert sure.chosen and 0.0 < sure.confidence < 1.0
    stricter = resmeta.match(
        text, dump=subset_dump, data_dir=subset_data_dir, threshold=sure.confidence + 1e-3
    )
    assert not any(c.chosen for c in stricter)
    assert stricter[0].ror_id == sure.ror_id  # still the first candidate, only not chosen


def test_multisearch_chooses_every_organization_named(subset_dump, subset_data_dir):
    text = "Howard Hughes Medical Institute, Columbia University"
    where = {"dump": subset_dump, "data_dir": subset_data_dir}
    plain = resmeta.match(text, **where)
    several = resmeta.match(text, multisearch=True, **where)
    assert [c.ror_id for c in plain if c.chosen] == ["https://ror.org/00hj8s172"]
    chosen = [c.ror_id for c in several if c.chosen]
    assert chosen == ["https://ror.org/00hj8s172", "https://ror.org/006w34k90"]
    assert [c.chosen for c in several[:3]] == [True, True, False]  # chosen ones first
    many = list(resmeta.match_many([text], multisearch=True, top_k=10, **where))
    assert many == [several]
