"""The chooser's fitted model as plain arrays, evaluated with numpy.

scikit-learn trains the model (`training.py`); choosing only evaluates its trees. Importing
scikit-learn costs a process about a second and 90 MB, and each call to its `predict_proba`
about 1 ms however few rows it has: every server process, bulk worker and single request
paid for it. `Forest` keeps only what prediction needs and gives the same probabilities.

The trees are evaluated as QuickScorer does (Lucchese et al., SIGIR 2015), every tree at
once: each split a row fails (its feature is above the threshold, so it would go right)
rules out the leaves of the split's left subtree, and the leaf the row reaches is the
leftmost that no failed split ruled out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

CHUNK_ROWS = 256  # rows evaluated together: their arrays stay small enough for the cache
MASKS = {16: np.uint16, 32: np.uint32, 64: np.uint64}  # one bit per leaf of a tree


@dataclass(frozen=True, eq=False)
class Forest:
    """Binary gradient-boosted trees: the chance of the positive class is the logistic of
    `baseline` plus the values of the leaves the row reaches, one in each tree."""

    baseline: float
    features: np.ndarray  # (tests,) the feature each distinct (feature, threshold) test reads
    thresholds: np.ndarray  # (tests,) a row fails a test when its feature is above this
    tests: np.ndarray  # (splits, trees) the test of each tree's n-th split
    ruled_out: np.ndarray  # (splits, trees) the leaves a failed split rules out, as bits
    leaf_values: np.ndarray  # (trees, leaves) each leaf's log-odds, leaves left to right

    @classmethod
    def from_sklearn(cls, model: Any) -> Forest:
        """The trees of a fitted binary `HistGradientBoostingClassifier` whose features are
        numbers, never missing (the chooser's are computed for every candidate)."""
        trees = [_tree(predictors[0].nodes) for predictors in model._predictors]
        width = max(len(leaves) for _, leaves in trees)
        bits = next((size for size in MASKS if width <= size), None)
        if bits is None:
            raise ValueError(f"trees of {width} leaves: at most {max(MASKS)} are supported")
        pairs = sorted({pair for splits, _ in trees for pair, _ in splits})
        number = {pair: index for index, pair in enumerate(pairs)}
        depth = max(len(splits) for splits, _ in trees)
        # Padding splits rule nothing out, whatever their test says.
        tests = np.zeros((depth, len(trees)), dtype=np.intp)
        ruled_out = np.zeros((depth, len(trees)), dtype=MASKS[bits])
        leaf_values = np.zeros((len(trees), bits))
        for column, (splits, leaves) in enumerate(trees):
            for row, (pair, mask) in enumerate(splits):
                tests[row, column] = number[pair]
                ruled_out[row, column] = mask
            leaf_values[column, : len(leaves)] = leaves
        return cls(
            baseline=float(np.ravel(model._baseline_prediction)[0]),
            features=np.array([feature for feature, _ in pairs], dtype=np.intp),
            thresholds=np.array([threshold for _, threshold in pairs]),
            tests=tests,
            ruled_out=ruled_out,
            leaf_values=leaf_values,
        )

    def probabilities(self, rows: list[list[float]]) -> list[float]:
        """The chance of the positive class for each row of features."""
        if not rows:
            return []
        data = np.asarray(rows, dtype=np.float64)
        raw = [self._raw(data[s : s + CHUNK_ROWS]) for s in range(0, len(data), CHUNK_ROWS)]
        return (1.0 / (1.0 + np.exp(-np.concatenate(raw)))).tolist()

    def _raw(self, data: np.ndarray) -> np.ndarray:
        failed_tests = np.take(data, self.features, axis=1) > self.thresholds
        failed = np.take(failed_tests, self.tests.ravel(), axis=1).reshape(
            len(data), *self.tests.shape
        )
        remaining = ~np.bitwise_or.reduce(failed * self.ruled_out, axis=1)
        leftmost = np.log2(remaining & (~remaining + 1)).astype(np.intp)  # its lowest bit
        trees = np.arange(self.leaf_values.shape[0])
        return self.baseline + self.leaf_values[trees, leftmost].sum(axis=1)


def _tree(nodes: np.ndarray) -> tuple[list[tuple[tuple[int, float], int]], list[float]]:
    """A scikit-learn tree's splits, each its test (feature, threshold) and the bits of the
    leaves of its left subtree; and its leaves' values, left to right."""
    leaves: list[float] = []
    splits: list[tuple[tuple[int, float], int]] = []

    def walk(node: int) -> int:
        """The bits of the leaves under `node`."""
        if nodes[node]["is_leaf"]:
            leaves.append(float(nodes[node]["value"]))
            return 1 << (len(leaves) - 1)
        left = walk(int(nodes[node]["left"]))
        right = walk(int(nodes[node]["right"]))
        test = (int(nodes[node]["feature_idx"]), float(nodes[node]["num_threshold"]))
        splits.append((test, left))
        return left | right

    walk(0)
    return splits, leaves
