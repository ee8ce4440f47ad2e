#!/usr/bin/python3
"""The learning rate on tables (issue 17): lr_find's suggestions against fixed rates, through the command line only.

For each data set and seed: `fastai4j lr-find` (the suggestions and the --lr auto pick), then `fastai4j
train-tabular --lr X` for each candidate rate; prints one line per run and a summary (mean +- std over seeds).

    bench/tabular/lr_study.py [--data ../shared/data] [--sets ames,credit,digits] [--seeds 0,1,2]

Data: ames (log Sale_Price, 10 epochs), credit (Status, 5 epochs), and scikit-learn's bundled digits (10 classes,
8x8 pixel counts as 64 continuous columns, 5 epochs; Debian's python3-sklearn). Run from the repository root.
"""
import argparse, csv, gzip, os, re, statistics, subprocess, sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ENV = dict(os.environ, FASTAI4J_JAVA_OPTS=os.environ.get("FASTAI4J_JAVA_OPTS", "-Xmx2g -Dai.djl.pytorch.num_threads=1"))


def digits_csv(out):
    import sklearn.datasets
    path = os.path.join(os.path.dirname(sklearn.datasets.__file__), "data", "digits.csv.gz")
    with gzip.open(path, "rt") as f, open(out, "w", newline="") as g:
        w = csv.writer(g)
        w.writerow([f"px{i}" for i in range(64)] + ["digit"])
        for row in csv.reader(f):
            w.writerow([str(int(float(v))) for v in row[:64]] + ["d" + str(int(float(row[64])))])
    return out


def run(args):
    # FASTAI4J: another launcher (e.g. a snapshot of the jars, so that editing sources meanwhile rebuilds nothing)
    p = subprocess.run(os.environ.get("FASTAI4J", os.path.join(ROOT, "fastai4j")).split() + args, cwd=ROOT, env=ENV, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("failed (%d): fastai4j %s\n%s" % (p.returncode, " ".join(args), p.stderr[-3000:]))
    return p.stdout


def last_metric(out):
    rows = [l.split() for l in out.splitlines() if re.match(r"^\d+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+", l)]
    return float(rows[-1][3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--sets", default="ames,credit,digits")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--cands", default="valley,3x valley,slide,minimum,1e-2,3e-2,auto",
                    help="which candidate rates to train with")
    ap.add_argument("--work", default=os.path.join(ROOT, "bench", "tabular", "target", "lr_study"))
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    sets = {
        "ames": (["--csv", os.path.join(a.data, "ames", "ames.csv"), "--y", "Sale_Price", "--log-y"], 10, "rmse"),
        "credit": (["--csv", os.path.join(a.data, "credit", "credit_data.csv"), "--y", "Status"], 5, "accuracy"),
        "digits": (["--csv", digits_csv(os.path.join(a.work, "digits.csv")), "--y", "digit",
                    "--cont", ",".join(f"px{i}" for i in range(64))], 5, "accuracy"),
    }
    seeds = [int(s) for s in a.seeds.split(",")]
    results = {}
    for name in a.sets.split(","):
        base, epochs, metric = sets[name]
        for seed in seeds:
            out = run(["lr-find"] + base + ["--seed", str(seed), "--out", os.path.join(a.work, name)])
            sug = dict((k, float(v)) for k, v in re.findall(r"(valley|minimum|steep|slide)=([0-9.e+-]+)", out))
            auto = float(re.search(r"--lr auto: ([0-9.e+-]+)", out).group(1))
            cands = {"valley": sug["valley"], "3x valley": 3 * sug["valley"], "slide": sug["slide"],
                     "minimum": sug["minimum"], "1e-2": 1e-2, "3e-2": 3e-2, "auto": auto}
            print(f"{name} seed {seed}: " + ", ".join(f"{k} {v:.2e}" for k, v in sug.items()) + f"; auto {auto:.2e}",
                  flush=True)
            for label, lr in cands.items():
                if label not in a.cands.split(","):
                    continue
                t = run(["train-tabular"] + base + ["--seed", str(seed), "--epochs", str(epochs), "--lr", repr(lr),
                                                    "--no-report", "--out", os.path.join(a.work, name)])
                m = last_metric(t)
                results.setdefault((name, label), []).append((lr, m))
                print(f"  {label:10s} lr {lr:.2e}: {metric} {m:.4f}", flush=True)
    print("\nsummary (mean +- std over seeds %s)" % seeds)
    for (name, label), v in results.items():
        ms = [m for _, m in v]
        lrs = [lr for lr, _ in v]
        sd = statistics.stdev(ms) if len(ms) > 1 else 0
        print(f"{name:7s} {label:10s} lr {statistics.mean(lrs):.2e}  {sets[name][2]} {statistics.mean(ms):.4f} +- {sd:.4f}")


if __name__ == "__main__":
    main()
