"""Reference for TabularInterpretationTest: permutation importance computed outside fastai4j.

Input (JSON on stdin): the model's outputs on every "row i with column j taken from row k" (grid[j][i][k]), its
outputs on the rows as they are (base), the targets, the permutations fastai4j drew and fastai4j's per-shuffle
results. Output (JSON): the same shuffles recomputed here from the grid with numpy ("exact"), and scikit-learn's
permutation_importance (n_repeats, its own random permutations) of an estimator that looks its predictions up in
the grid: its input X holds, for each row and column, the index of the row whose value that column has.
"""
import json
import sys

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.inspection import permutation_importance

d = json.load(sys.stdin)
grid = np.asarray(d["grid"], dtype=np.float64)  # (G, n, n)
base = np.asarray(d["base"], dtype=np.float64)
y = np.asarray(d["y"], dtype=np.float64)
perms = np.asarray(d["perms"], dtype=np.int64)  # (R, n)
G, n, _ = grid.shape


def rmse(p):
    return float(np.sqrt(np.mean((p - y) ** 2)))


exact = [[rmse(grid[j][np.arange(n), p]) - rmse(base) for p in perms] for j in range(G)]


class Lookup(BaseEstimator, RegressorMixin):
    def fit(self, X, y):
        return self

    def predict(self, X):
        X = np.asarray(X, dtype=np.int64)
        out = base.copy()
        for i in range(X.shape[0]):
            moved = np.nonzero(X[i] != i)[0]
            assert len(moved) <= 1, "sklearn permutes one column at a time"
            if len(moved) == 1:
                j = moved[0]
                out[i] = grid[j][i][X[i, j]]
        return out


X = np.tile(np.arange(n)[:, None], (1, G))
r = permutation_importance(Lookup().fit(X, y), X, y, scoring="neg_root_mean_squared_error",
                           n_repeats=d["sklearn_repeats"], random_state=0)
json.dump({"exact": exact, "sklearn_mean": r.importances_mean.tolist(), "sklearn_std": r.importances_std.tolist()},
          sys.stdout)
