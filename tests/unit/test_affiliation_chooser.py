"""The chooser: the features it reads, the rules around the model, its model files, and
training (issue 3)."""

import pickle
from dataclasses import replace

import pytest

from resmeta.index.matching import MatchingInfo
from resmeta.services.affiliations import chooser as chooser_module
from resmeta.services.affiliations.chooser import (
    Chooser,
    ChooserError,
    also_named,
    choices,
    default_chooser,
    likeliest,
)
from resmeta.services.affiliations.evaluation import Example
from resmeta.services.affiliations.features import FEATURES, features
from resmeta.services.affiliations.ranking import Match, Ranking
from resmeta.services.affiliations.text import split_parts
from resmeta.services.affiliations.training import Labelled, train


def org(bare_id, *, city="", types=("education",), parents=(), children=(), display=None):
    return MatchingInfo(
        id=bare_id,
        display=display or bare_id,
        status="active",
        names=(bare_id,),
        bare_names=(),
        names_less_city=(),
        acronyms=(),
        types=tuple(types),
        countries=("gb",),
        cities=(city,) if city else (),
        parents=tuple(parents),
        children=tuple(children),
        successors=(),
    )


def found(info, score, span, part=0, weak=False, kind="EXACT"):
    return Match(info, None, score, kind, span, span, part=part, weak=weak)


def ranking(text, *matches):
    return Ranking(sorted(matches, key=lambda m: -m.score), split_parts(text))


def pick(ranking, chances, threshold):
    """The position of the one match chosen, if any."""
    chosen = choices(ranking, chances, threshold)
    return chosen[0][0] if chosen else None


def value(row, name):
    return row[FEATURES.index(name)]


# -- features -----------------------------------------------------------------------------------


def test_one_value_per_feature_for_each_candidate():
    unit = found(org("unit", parents=["main"]), 1.0, "clarendon laboratory")
    main = found(org("main", children=["unit"]), 0.95, "university of oxford", part=1)
    rows = features(ranking("Clarendon Laboratory, University of Oxford", unit, main))
    assert len(rows) == 2
    assert all(len(row) == len(FEATURES) for row in rows)
    assert features(ranking("nothing")) == []


def test_relations_among_the_candidates_are_features():
    unit = found(org("unit", parents=["main"]), 1.0, "clarendon laboratory")
    main = found(org("main", children=["unit"]), 0.95, "university of oxford", part=1)
    other = found(org("other"), 0.6, "oxford brookes university", kind="FUZZY")
    unit_row, main_row, other_row = features(
        ranking("Clarendon Laboratory, University of Oxford", unit, main, other)
    )
    assert value(unit_row, "parent_listed") == 1.0
    assert value(unit_row, "parent_score") == 0.95
    assert value(main_row, "child_listed") == 1.0
    assert value(main_row, "children_listed") == 1.0
    assert value(other_row, "parent_listed") == value(other_row, "child_listed") == 0.0
    assert value(unit_row, "is_first") == 1.0 and value(main_row, "is_first") == 0.0
    assert value(main_row, "part") == 1.0 and value(unit_row, "first_part") == 1.0
    assert value(other_row, "kind_fuzzy") == 1.0 and value(unit_row, "kind_exact") == 1.0


def test_namesakes_alike_but_for_their_ids_are_rated_alike():
    """Ties are ranked by ROR ID, which says nothing of which is meant: no feature, and so
    no chance, may depend on that order."""
    twins = ranking("Lincoln Hospital", *(found(org(i), 1.0, "lincoln hospital") for i in "ab"))
    first, second = features(twins)
    assert first == second
    assert value(first, "rank") == 0.0 and value(first, "is_first") == 1.0
    chances = default_chooser().probabilities([twins])[0]
    assert chances[0] == chances[1]
    assert pick(twins, chances, threshold=0.01) is None


def test_the_city_is_evidence_only_when_named_besides_the_matched_words():
    aarhus = found(org("aarhus", city="aarhus"), 1.0, "aarhus university")
    alone = features(ranking("Aarhus University", aarhus))[0]
    assert value(alone, "city_named") == 0.0
    with_city = features(ranking("Aarhus University, Aarhus", aarhus))[0]
    assert value(with_city, "city_named") == 1.0


# -- the rules around the model -----------------------------------------------------------------


def test_the_likeliest_candidate_is_chosen_only_above_the_threshold():
    a = found(org("a"), 1.0, "alpha institute")
    b = found(org("b"), 0.9, "beta institute", part=1)
    both = ranking("Alpha Institute, Beta Institute", a, b)
    assert pick(both, [0.3, 0.6], threshold=0.5) == 1
    assert pick(both, [0.3, 0.4], threshold=0.5) is None
    assert pick(both, [], threshold=0.5) is None


def test_each_candidate_gets_a_confidence_and_a_threshold_given_overrides_the_models():
    def alpha_and_beta():
        a = found(org("a"), 1.0, "alpha institute")
        b = found(org("b"), 0.9, "beta institute", part=1)
        return ranking("Alpha Institute, Beta Institute", a, b)

    chooser = Chooser(default_chooser().model, 0.5)
    chances = chooser.probabilities([alpha_and_beta()])[0]
    likeliest = max(chances)
    assert 0.0 < likeliest < 1.0
    for threshold, chosen in [(likeliest, True), (likeliest + 1e-6, False), (0.0, True)]:
        choice = alpha_and_beta()
        chooser.choose([choice], threshold)
        assert choice.matches[0].chosen is chosen, threshold
        assert sorted(m.confidence for m in choice.matches) == sorted(chances)
        assert choice.matches[0].confidence == likeliest


def test_a_weak_match_is_never_chosen():
    weak = found(org("a"), 0.85, "ams", weak=True, kind="ACRONYM")
    assert pick(ranking("AMS", weak), [0.99], threshold=0.5) is None


def test_a_unit_named_as_well_as_its_parent_gives_way_to_it():
    unit = found(org("unit", parents=["main"]), 1.0, "clarendon laboratory")
    main = found(org("main", children=["unit"]), 1.0, "university of oxford", part=1)
    both = ranking("Clarendon Laboratory, University of Oxford", unit, main)
    position = pick(both, [0.8, 0.1], threshold=0.5)
    assert both.matches[position].info.id == "main"


def test_a_parent_found_inside_the_units_own_name_is_not_named_as_well():
    text = "Department of Oral Biology, University at Buffalo, State University of New York"
    unit = found(
        org("ub", parents=["suny"]),
        1.0,
        "university at buffalo state university of new york",
        part=1,
    )
    unit.width = 2  # in parts 1 and 2
    system = found(org("suny", children=["ub"]), 1.0, "state university of new york", part=2)
    both = ranking(text, unit, system)
    position = pick(both, [0.7, 0.4], threshold=0.5)
    assert both.matches[position].info.id == "ub"
    # named in a part of its own, the parent is named as well
    system.part = 3
    apart = ranking(f"{text}, State University of New York", unit, system)
    position = pick(apart, [0.7, 0.4], threshold=0.5)
    assert apart.matches[position].info.id == "suny"


def test_of_a_parent_and_its_units_called_alike_the_one_in_the_city_named_is_meant():
    """ "Sankara Eye Hospital" is the parent's name and its branches': with a city, the
    branch there; without, the parent the model prefers."""
    parent = org("coimbatore", city="coimbatore", children=["bengaluru", "guntur"])
    branches = [org(city, city=city, parents=["coimbatore"]) for city in ("bengaluru", "guntur")]
    matches = [found(info, 1.0, "sankara eye hospital") for info in (parent, *branches)]
    chances = [0.6, 0.1, 0.1]
    with_city = ranking("Sankara Eye Hospital, Bengaluru, India", *matches)
    assert with_city.matches[pick(with_city, chances, 0.5)].info.id == "bengaluru"
    alone = ranking("Sankara Eye Hospital", *matches)
    assert alone.matches[pick(alone, chances, 0.5)].info.id == "coimbatore"
    # Two branches in the city named do not say which.
    matches[2] = found(
        org("guntur", city="bengaluru", parents=["coimbatore"]), 1.0, "sankara eye hospital"
    )
    both = ranking("Sankara Eye Hospital, Bengaluru", *matches)
    assert both.matches[pick(both, chances, 0.5)].info.id == "coimbatore"


def test_namesakes_are_weighed_as_one_and_told_apart_by_the_city():
    boston = found(org("boston", city="boston", types=["healthcare"]), 1.0, "lincoln hospital")
    denver = found(org("denver", city="denver", types=["healthcare"]), 1.0, "lincoln hospital")
    # Each alone is below the threshold; together they are above it.
    with_city = ranking("Lincoln Hospital, Denver", boston, denver)
    position = pick(with_city, [0.3, 0.3], threshold=0.5)
    assert with_city.matches[position].info.id == "denver"
    assert pick(ranking("Lincoln Hospital", boston, denver), [0.3, 0.3], threshold=0.5) is None
    assert likeliest(with_city, [0.3, 0.3]) == (position, 0.6)
    assert likeliest(with_city, [0.7, 0.7]) == (position, 1.0)  # a chance, never above 1


def test_of_namesakes_the_one_bearing_the_name_as_written_is_meant():
    """A string saying "City University of Hong Kong" names the one called so, not "City
    University of Hong Kong (Dongguan)", found by its name less its qualifier."""
    bare = replace(found(org("dongguan"), 1.0, "city university"), bare=True)
    written = found(org("hong_kong"), 1.0, "city university")
    both = ranking("City University", bare, written)
    assert both.matches[pick(both, [0.3, 0.3], threshold=0.5)].info.id == "hong_kong"
    assert both.matches[pick(both, [0.6, 0.2], threshold=0.5)].info.id == "hong_kong"
    both_bare = ranking("City University", bare, replace(written, bare=True))
    assert pick(both_bare, [0.3, 0.3], threshold=0.5) is None


def test_of_namesakes_the_one_called_so_is_meant_not_one_with_that_alias():
    """ "Hospital for Sick Children" is the name of Toronto's, and an alias of Great Ormond
    Street Hospital: the string means the one called so, whatever the model prefers; but
    the city the string names comes first."""
    gosh = org("gosh", city="london", display="Great Ormond Street Hospital")
    sickkids = org("sickkids", city="toronto", display="Hospital for Sick Children")
    alias = found(gosh, 1.0, "hospital for sick children")
    called = found(sickkids, 1.0, "hospital for sick children")
    both = ranking("Hospital for Sick Children", alias, called)
    assert both.matches[pick(both, [0.3, 0.3], threshold=0.5)].info.id == "sickkids"
    assert both.matches[pick(both, [0.6, 0.2], threshold=0.5)].info.id == "sickkids"
    in_london = ranking("Hospital for Sick Children, London", alias, called)
    assert in_london.matches[pick(in_london, [0.3, 0.3], threshold=0.5)].info.id == "gosh"
    inside = ranking(  # "Royal Hospital for Sick Children": part of another's name
        "Royal Hospital for Sick Children",
        replace(alias, matching_type="PHRASE", score=0.98),
        replace(called, matching_type="PHRASE", score=0.98),
    )
    assert pick(inside, [0.3, 0.3], threshold=0.5) is None
    other = found(org("other", display="Children's Hospital"), 1.0, "hospital for sick children")
    aliases = ranking("Hospital for Sick Children", alias, other)
    assert pick(aliases, [0.3, 0.3], threshold=0.5) is None


def test_of_namesakes_the_one_the_model_finds_far_likelier_is_meant():
    english = found(org("english", children=["x"]), 1.0, "newcastle university")
    australian = found(org("australian"), 1.0, "newcastle university")
    both = ranking("Newcastle University", australian, english)
    assert both.matches[pick(both, [0.3, 0.5], threshold=0.5)].info.id == "english"
    assert likeliest(both, [0.3, 0.5])[1] == 0.8  # the chance that either is meant
    assert pick(both, [0.45, 0.5], threshold=0.5) is None  # not likelier enough
    assert pick(both, [0.0, 0.6], threshold=0.5) == 1
    college = found(org("college"), 1.0, "springfield college")
    company = found(org("company", types=["company"]), 1.0, "springfield college")
    both = ranking("Springfield College", company, college)
    assert both.matches[pick(both, [0.5, 0.3], threshold=0.5)].info.id == "company"


def test_of_namesakes_the_city_named_outweighs_the_models_preference():
    boston = found(org("boston", city="boston"), 1.0, "lincoln hospital")
    denver = found(org("denver", city="denver"), 1.0, "lincoln hospital")
    with_city = ranking("Lincoln Hospital, Denver", boston, denver)
    assert with_city.matches[pick(with_city, [0.6, 0.2], threshold=0.5)].info.id == "denver"


def test_of_namesakes_a_single_university_or_a_far_larger_one_is_meant():
    college = found(org("college"), 1.0, "springfield college")
    company = found(org("company", types=["company"]), 1.0, "springfield college")
    both = ranking("Springfield College", company, college)
    assert both.matches[pick(both, [0.35, 0.3], threshold=0.5)].info.id == "college"
    large = found(org("large", children=["x", "y", "z"]), 1.0, "northwestern university")
    small = found(org("small"), 1.0, "northwestern university")
    both = ranking("Northwestern University", small, large)
    assert both.matches[pick(both, [0.35, 0.3], threshold=0.5)].info.id == "large"


# -- multisearch: every organization the string names ------------------------------------------


def hhmi_and_columbia(*more):
    hhmi = found(org("hhmi"), 1.0, "howard hughes medical institute")
    columbia = found(org("columbia"), 1.0, "columbia university", part=1)
    return ranking("Howard Hughes Medical Institute, Columbia University", hhmi, columbia, *more)


def test_another_organization_named_plainly_is_also_named():
    both = hhmi_and_columbia()
    assert [both.matches[p].info.id for p, _ in also_named(both, [0.3, 0.8], 0.1, 1)] == ["hhmi"]
    assert also_named(both, [0.3, 0.8], 0.1, 1) == [(0, 0.3)]  # with the chance it rests on
    assert also_named(both, [0.09, 0.8], 0.1, 1) == []  # too unlikely


def test_only_names_found_whole_or_acronyms_name_another_organization():
    fuzzy = found(org("fuzzy"), 0.8, "howard hughes medical institute", kind="FUZZY")
    columbia = found(org("columbia"), 1.0, "columbia university", part=1)
    both = ranking("Howard Hughes Medical Institute, Columbia University", columbia, fuzzy)
    assert also_named(both, [0.8, 0.5], 0.1, 0) == []
    acronym = found(org("csiro"), 0.9, "csiro", kind="ACRONYM")
    both = ranking("CSIRO, Columbia University", columbia, acronym)
    assert also_named(both, [0.8, 0.5], 0.1, 0) == [(1, 0.5)]


def test_what_is_weak_related_or_found_by_the_same_words_is_not_also_named():
    weak = found(org("ams"), 0.85, "ams", part=2, weak=True, kind="ACRONYM")
    child = found(org("unit", parents=["columbia"]), 1.0, "zuckerman institute", part=2)
    inside = found(org("hughes"), 0.95, "howard hughes", kind="PHRASE")
    namesake = found(org("hhmi2"), 1.0, "howard hughes medical institute")
    several = hhmi_and_columbia(weak, child, inside)
    chances = [0.3 if m.info.id == "hhmi" else 0.8 if m.info.id == "columbia" else 0.5
               for m in several.matches]  # fmt: skip
    columbia = [m.info.id for m in several.matches].index("columbia")
    assert [several.matches[p].info.id for p, _ in also_named(several, chances, 0.1, columbia)] == [
        "hughes"  # likelier than "hhmi", whose words hold its words
    ]
    twins = hhmi_and_columbia(namesake)  # two organizations of that name, neither told apart
    columbia = [m.info.id for m in twins.matches].index("columbia")
    assert also_named(twins, [0.8 if m.info.id == "columbia" else 0.3 for m in twins.matches],
                      0.1, columbia) == []  # fmt: skip


def test_when_several_are_named_and_none_is_likely_enough_multisearch_chooses_them_all():
    both = hhmi_and_columbia()
    assert choices(both, [0.3, 0.3], 0.5) == []
    assert choices(both, [0.3, 0.3], 0.5, multisearch=True) == [(0, 0.3), (1, 0.3)]
    assert choices(both, [0.3, 0.1], 0.5, multisearch=True) == []  # one is too unlikely
    alone = ranking("Columbia University", found(org("columbia"), 1.0, "columbia university"))
    assert choices(alone, [0.3], 0.5, multisearch=True) == []  # one named: as without
    assert choices(alone, [0.6], 0.5, multisearch=True) == [(0, 0.6)]


def test_multisearch_chooses_each_organization_named_chosen_ones_first():
    chooser = Chooser(default_chooser().model, 0.5)
    plain, multi = hhmi_and_columbia(), hhmi_and_columbia()
    chooser.choose([plain], threshold=0.0)
    chooser.choose([multi], threshold=0.0, multisearch=True)
    assert [m.chosen for m in plain.matches] == [True, False]
    assert [m.chosen for m in multi.matches] == [True, True]
    assert multi.matches[0].info.id == plain.matches[0].info.id  # the same first choice
    alone = ranking("Howard Hughes Medical Institute", hhmi_and_columbia().matches[0])
    chooser.choose([alone], threshold=1.0, multisearch=True)  # not likely enough, none else
    assert not any(m.chosen for m in alone.matches)


# -- model files ----------------------------------------------------------------------------------


def test_the_shipped_model_reads_the_features_computed_here():
    shipped = default_chooser()
    assert 0.0 < shipped.threshold < 1.0
    assert shipped.details["features"] == list(FEATURES)
    assert set(shipped.details["cross_validated"]) == {
        "crossref_publisher_assertions_2023_06_28__train.jsonl",
        "logs_2023_09_03__train.jsonl",
    }


def test_a_file_that_is_no_model_is_rejected_with_its_name(tmp_path):
    path = tmp_path / "chooser.pickle"
    path.write_bytes(b"not a pickle")
    with pytest.raises(ChooserError, match="chooser.pickle: not a resmeta chooser model"):
        Chooser.load(path)
    with pytest.raises(ChooserError, match="missing.pickle"):
        Chooser.load(tmp_path / "missing.pickle")


def test_a_model_trained_on_other_features_is_rejected(tmp_path):
    path = tmp_path / "old.pickle"
    saved = {"model": None, "threshold": 0.5, "features": ["score"], "details": {}}
    path.write_bytes(pickle.dumps(saved))
    with pytest.raises(ChooserError, match="train it again"):
        Chooser.load(path)


def test_a_file_without_a_model_is_rejected(tmp_path):
    path = tmp_path / "empty.pickle"
    saved = {"model": None, "threshold": 0.5, "features": list(FEATURES), "details": {}}
    path.write_bytes(pickle.dumps(saved))
    with pytest.raises(ChooserError, match="empty.pickle: not a resmeta chooser model"):
        Chooser.load(path)


def test_the_model_named_by_resmeta_chooser_is_the_default(tmp_path, monkeypatch):
    path = tmp_path / "mine.pickle"
    Chooser(default_chooser().model, 0.77, {"mine": True}).save(path)
    monkeypatch.setenv("RESMETA_CHOOSER", str(path))
    chooser_module.default_chooser.cache_clear()
    try:
        assert default_chooser().threshold == 0.77
        assert default_chooser().details == {"mine": True}
    finally:
        chooser_module.default_chooser.cache_clear()


# -- training -------------------------------------------------------------------------------------


def labelled_strings(count):
    """Strings whose gold is the candidate found exactly; a fuzzy namesake-like decoy
    scores lower; every fifth names nothing known (gold: none) and has only the decoy."""
    items = []
    for number in range(count):
        name = "".join(chr(ord("a") + int(digit)) for digit in str(number))  # 12: "bc"
        text = f"Institute {name}"
        decoy = found(org(f"decoy{number}"), 0.6, f"institute {name}x", kind="FUZZY")
        if number % 5 == 0:
            example, matches = Example(text, frozenset()), [decoy]
        else:
            right = found(org(f"right{number}"), 1.0, f"institute {name}")
            example, matches = Example(text, frozenset({f"right{number}"})), [right, decoy]
        item = ranking(text, *matches)
        items.append(Labelled("made-up", example, item, features(item)))
    return items


def test_training_learns_a_clear_rule_and_reports_it_cross_validated():
    chooser, details = train(labelled_strings(200))
    report = details["cross_validated"]["made-up"]
    assert report["items"] == 200
    assert report["per_id"]["accuracy"] >= 0.95
    assert details["threshold"] == chooser.threshold
    fresh = labelled_strings(3)[1]  # has a right answer
    assert pick(fresh.ranking, chooser.probabilities([fresh.ranking])[0], chooser.threshold) == 0


def test_a_threshold_given_is_kept_and_each_tenth_is_reported():
    chooser, details = train(labelled_strings(100), threshold=0.9)
    assert chooser.threshold == details["threshold"] == 0.9
    assert list(details["by_threshold"]) == [f"0.{tenth}" for tenth in range(1, 10)]
    at_nine = details["by_threshold"]["0.9"]["made-up"]
    report = details["cross_validated"]["made-up"]
    assert at_nine["precision"] == report["per_row"]["precision"]
    assert at_nine["accuracy"] == report["per_id"]["accuracy"]


def test_training_on_too_little_says_so():
    with pytest.raises(ValueError, match="too little to learn from"):
        train(labelled_strings(3))
