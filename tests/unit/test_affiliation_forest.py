"""The chooser's trees evaluated with numpy give what scikit-learn's model gives (issue 3)."""

import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from resmeta.services.affiliations.chooser import Chooser
from resmeta.services.affiliations.features import FEATURES
from resmeta.services.affiliations.forest import Forest
from resmeta.services.affiliations.training import MODEL_SETTINGS


def made_up_rows(count, width, seed=0):
    """Rows like the chooser's: flags, small counts and scores."""
    rng = np.random.default_rng(seed)
    flags = rng.integers(0, 2, size=(count, width // 3))
    counts = rng.integers(0, 6, size=(count, width // 3)) / 2
    scores = rng.random((count, width - 2 * (width // 3)))
    rows = np.hstack([flags, counts, scores])
    targets = (scores[:, 0] + flags[:, 0] - counts[:, 1] / 5 + rng.normal(0, 0.3, count)) > 0.8
    return rows, targets


@pytest.mark.parametrize("leaves", [MODEL_SETTINGS["max_leaf_nodes"], 31, 63])
def test_the_forest_gives_scikit_learns_probabilities(leaves):
    rows, targets = made_up_rows(3000, 12)
    settings = {**MODEL_SETTINGS, "max_leaf_nodes": leaves, "min_samples_leaf": 5}
    model = HistGradientBoostingClassifier(**settings).fit(rows, targets)
    unseen, _ = made_up_rows(700, 12, seed=1)  # more than one chunk of rows
    forest = Forest.from_sklearn(model)
    # values exactly on a split's threshold go left, as in scikit-learn
    on_threshold = np.random.default_rng(2).random(unseen.shape) < 0.5
    for feature, threshold in zip(forest.features, forest.thresholds, strict=True):
        unseen[on_threshold[:, feature], feature] = threshold
    expected = model.predict_proba(unseen)[:, 1]
    assert np.allclose(forest.probabilities(unseen.tolist()), expected, rtol=0, atol=1e-12)
    assert forest.probabilities(unseen[:1].tolist()) == pytest.approx(expected[:1], abs=1e-12)


def test_the_forest_of_no_rows_is_empty():
    rows, targets = made_up_rows(300, 6)
    model = HistGradientBoostingClassifier(**MODEL_SETTINGS).fit(rows, targets)
    assert Forest.from_sklearn(model).probabilities([]) == []


def test_trees_of_more_leaves_than_a_mask_holds_are_refused():
    rows, targets = made_up_rows(4000, 12)
    settings = {**MODEL_SETTINGS, "max_leaf_nodes": 100, "min_samples_leaf": 1, "max_iter": 3}
    model = HistGradientBoostingClassifier(**settings).fit(rows, targets)
    with pytest.raises(ValueError, match="at most 64"):
        Forest.from_sklearn(model)


def test_a_model_file_holding_a_scikit_learn_model_still_loads(tmp_path):
    """Files `train-chooser` wrote before the trees were kept alone keep working."""
    rows, targets = made_up_rows(1000, len(FEATURES))
    model = HistGradientBoostingClassifier(**MODEL_SETTINGS).fit(rows, targets)
    path = tmp_path / "older.pickle"
    saved = {"model": model, "threshold": 0.5, "features": list(FEATURES), "details": {}}
    path.write_bytes(pickle.dumps(saved))
    chooser = Chooser.load(path)
    assert isinstance(chooser.model, Forest)
    expected = model.predict_proba(rows[:50])[:, 1]
    assert np.allclose(chooser.model.probabilities(rows[:50].tolist()), expected, atol=1e-12)


def test_choosing_does_not_import_scikit_learn():
    """What the forest is for: a server or bulk worker does not pay for scikit-learn."""
    script = (
        "import sys\n"
        "from resmeta.services.affiliations.chooser import default_chooser\n"
        "from resmeta.services.affiliations.features import FEATURES\n"
        "chances = default_chooser().model.probabilities([[1.0] * len(FEATURES)])\n"
        "assert 0.0 <= chances[0] <= 1.0, chances\n"
        "print(sorted(name for name in sys.modules if name.startswith('sklearn')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
