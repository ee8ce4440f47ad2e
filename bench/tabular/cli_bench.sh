#!/usr/bin/env bash
# Issue 17's "Must show", with only the command line: Ames (regression on log Sale_Price) and credit_data (Status)
# trained, reported and predicted; MovieLens with train-collab and recommend; each beside the Java API running
# TabularBench's recipe on the same split (ApiReference.java); Ames' permutation importance checked against
# scikit-learn's on the same model's predictions (importance_check.py).
#
#   bench/tabular/cli_bench.sh [--data ../shared/data] [--tasks ames,credit,movielens]
#
# Run from the repository root; ./fastai4j builds the project on first use. FASTAI4J=... runs another launcher.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=../shared/data
TASKS=ames,credit,movielens
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data) DATA="$2"; shift 2 ;;
    --tasks) TASKS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
F=${FASTAI4J:-./fastai4j}
export FASTAI4J_JAVA_OPTS="${FASTAI4J_JAVA_OPTS:--Xmx3g -Dai.djl.pytorch.num_threads=1}"
OUT=bench/tabular/target/cli
mkdir -p "$OUT"
PY=/usr/bin/python3
$F --version >/dev/null
# the class path of the Java API run (FASTAI4J_CP: e.g. that of a snapshot of the jars)
CP="${FASTAI4J_CP:-fastai4j-cli/target/fastai4j-cli-0.1.0-SNAPSHOT.jar:$(cat fastai4j-cli/target/classpath.txt)}"
mkdir -p "$OUT/classes"
javac -nowarn -d "$OUT/classes" -cp "$CP" bench/tabular/ApiReference.java
api() { java -Xmx3g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$OUT/classes:$CP" ApiReference "$@"; }

# a random 20% validation split (seed 42) marked in an is_valid column, so that the CLI, the Java API and the
# independent RMSE below use the same rows
mark() { $PY - "$1" "$2" <<'PY'
import csv, random, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
random.seed(42)
valid = set(random.sample(range(len(rows) - 1), round(0.2 * (len(rows) - 1))))
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(rows[0] + ["is_valid"])
    for i, r in enumerate(rows[1:]):
        w.writerow(r + ["1" if i in valid else "0"])
PY
}

if [[ ",$TASKS," == *",ames,"* ]]; then
  echo "== Ames: train-tabular --y Sale_Price --log-y --epochs 10 --lr auto (reference: TabularBench's recipe, lr 1e-2)"
  mark "$DATA/ames/ames.csv" "$OUT/ames.csv"
  $F train-tabular --csv "$OUT/ames.csv" --y Sale_Price --log-y --valid-col is_valid --epochs 10 --out "$OUT/ames" \
    | tee "$OUT/ames.log"
  $F predict "$OUT/ames/model.fai" "$OUT/ames.csv" --out "$OUT/ames/predictions.csv"
  $PY - "$OUT/ames/predictions.csv" <<'PY'
import csv, math, sys
r = [x for x in csv.DictReader(open(sys.argv[1])) if x["is_valid"] == "1"]
e = [float(x["Sale_Price_pred"]) - math.log(float(x["Sale_Price"])) for x in r]
print("CLI ames: predict on the %d validation rows: log-price RMSE %.4f (computed here from predictions.csv)"
      % (len(e), math.sqrt(sum(v * v for v in e) / len(e))))
PY
  api ames "$OUT/ames.csv"
  $PY bench/tabular/importance_check.py "$OUT/ames" "$OUT/ames.csv" "$F"
fi

if [[ ",$TASKS," == *",credit,"* ]]; then
  echo "== credit_data: train-tabular --y Status --epochs 5 --lr auto (reference: TabularBench's recipe, lr 1e-2)"
  mark "$DATA/credit/credit_data.csv" "$OUT/credit.csv"
  $F train-tabular --csv "$OUT/credit.csv" --y Status --valid-col is_valid --epochs 5 --out "$OUT/credit" \
    | tee "$OUT/credit.log"
  $F predict "$OUT/credit/model.fai" "$OUT/credit.csv" --out "$OUT/credit/predictions.csv"
  $PY - "$OUT/credit/predictions.csv" <<'PY'
import csv, sys
r = [x for x in csv.DictReader(open(sys.argv[1])) if x["is_valid"] == "1"]
print("CLI credit: predict on the %d validation rows: accuracy %.4f (computed here from predictions.csv)"
      % (len(r), sum(x["Status_pred"] == x["Status"] for x in r) / len(r)))
PY
  api credit "$OUT/credit.csv"
fi

if [[ ",$TASKS," == *",movielens,"* ]]; then
  echo "== MovieLens: train-collab (defaults: 50 factors, y_range auto = (0, 5.5), 5 epochs, lr 5e-3, wd 0.1)"
  $F train-collab --csv "$DATA/movielens/ratings.csv" --user userId --item movieId --rating rating \
    --title-col title --out "$OUT/movielens" | tee "$OUT/movielens.log"
  $F recommend "$OUT/movielens/model.fai" --user 1 --k 10 --csv "$DATA/movielens/ratings.csv" --title-col title
  api movielens "$DATA/movielens/ratings.csv"
fi
