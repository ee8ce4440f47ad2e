#!/usr/bin/python3
"""Ames' permutation importance from fastai4j (train-tabular's report) against scikit-learn's permutation_importance
on the same model's predictions, obtained through the command line.

scikit-learn shuffles the raw validation rows itself (5 repeats, its own random numbers). Pass 1 runs
permutation_importance with an estimator that only records every table it is asked to predict; all of them go to
`fastai4j predict` in one CSV file; pass 2 runs permutation_importance again with the same random_state and an
estimator that answers each table with fastai4j's predictions, in the same order. Score: RMSE of the log price.

    importance_check.py MODEL_DIR CSV_WITH_IS_VALID FASTAI4J_LAUNCHER
"""
import csv, math, os, re, subprocess, sys

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.inspection import permutation_importance

model_dir, data, launcher = sys.argv[1], sys.argv[2], sys.argv[3]
rows = list(csv.DictReader(open(data, newline="")))
header = list(rows[0].keys())
inputs = [c for c in header if c not in ("Sale_Price", "is_valid")]
valid = [r for r in rows if r["is_valid"] == "1"]
X = np.array([[r[c] for c in inputs] for r in valid], dtype=object)
y = np.array([math.log(float(r["Sale_Price"])) for r in valid])
n = len(valid)


class Recorder(BaseEstimator, RegressorMixin):
    tables = []

    def fit(self, X, y):
        return self

    def predict(self, X):
        Recorder.tables.append(np.array(X, dtype=object))
        return np.zeros(len(X))


class Replay(BaseEstimator, RegressorMixin):
    def __init__(self, preds=None):
        self.preds = preds

    def fit(self, X, y):
        self.k_ = 0
        return self

    def predict(self, X):
        p = self.preds[self.k_ * n:(self.k_ + 1) * n]
        self.k_ += 1
        return p


REPEATS, SEED = 5, 0
permutation_importance(Recorder().fit(X, y), X, y, scoring="neg_root_mean_squared_error", n_repeats=REPEATS,
                       random_state=SEED)
tables = Recorder.tables
big = os.path.join(model_dir, "importance_rows.csv")
with open(big, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(inputs)
    for t in tables:
        w.writerows(t.tolist())
out = os.path.join(model_dir, "importance_preds.csv")
model = os.path.join(model_dir, "model.fai")
if not (os.path.exists(out) and os.path.getmtime(out) > os.path.getmtime(model)):  # predicted already: reuse
    subprocess.run(launcher.split() + ["predict", model, big, "--out", out], check=True, stderr=subprocess.DEVNULL)
preds = np.array([float(r["Sale_Price_pred"]) for r in csv.DictReader(open(out, newline=""))])
assert len(preds) == n * len(tables), (len(preds), n, len(tables))
r = permutation_importance(Replay(preds).fit(X, y), X, y, scoring="neg_root_mean_squared_error", n_repeats=REPEATS,
                           random_state=SEED)
sk = {c: (r.importances_mean[j], r.importances_std[j]) for j, c in enumerate(inputs)}

# fastai4j's figures: the report's importance table (5 repeats, seed 42)
html = open(os.path.join(model_dir, "report.html")).read()
fa = {m[2]: (float(m[3]), float(m[4])) for m in re.finditer(
    r'<tr><td class="n">(\d+)</td><td>([^<]+)</td><td class="n">(-?[0-9.]+)</td><td class="n">(-?[0-9.]+)</td></tr>',
    html)}
top = sorted(fa, key=lambda c: -fa[c][0])[:10]
print("Ames permutation importance, log-price RMSE rise, %d validation rows, 5 repeats each side" % n)
print("%-16s %20s %24s %8s" % ("column", "fastai4j (seed 42)", "scikit-learn (seed 0)", "|diff|/se"))
worst = 0
for c in top:
    m1, s1 = fa[c]
    m2, s2 = sk[c]
    se = math.sqrt((s1 * s1 + s2 * s2) / REPEATS) or 1e-12
    worst = max(worst, abs(m1 - m2) / se)
    print("%-16s %11.5f +- %.5f %13.5f +- %.5f %8.2f" % (c, m1, s1, m2, s2, abs(m1 - m2) / se))
sk_top = sorted(sk, key=lambda c: -sk[c][0])[:10]
print("top 10 in common: %d of 10; largest |difference| / standard error: %.2f" % (len(set(top) & set(sk_top)), worst))
