#!/usr/bin/env bash
# fastai4j vs PyTorch: training throughput on Fashion-MNIST, and the effect of glibc malloc tuning.
#
#   bench/run-train-bench.sh [--images N] [--epochs N] [--bs N] [--lr X] [--valid N] [--data DIR]
#
# Runs TrainBench (Java), then bench/python/train_twin.py (Debian's python3-torch), then TrainBench again (noise),
# with the same arguments, then MallocTuningBench alternately untuned / tuned, and prints a table. Logs go to
# bench/target/results/<time>/. Settings (environment):
#   THREADS=2              intra-op threads of both sides
#   TRAIN=1                0: skip the training runs (only MallocTuningBench)
#   JAVA_AGAIN=1           run the Java side a second time after Python (0: don't)
#   PYTHON_AGAIN=0         run the Python side a second time at the end (1: do)
#   JAVA_TOPPAD=0          1: run the Java side once more with MALLOC_TOP_PAD_=$TOP_PAD (64 MiB) added (the library
#                          sets the same top pad through mallopt since NativeMemory has it: expect no difference)
#   JAVA_NOTRIM=0          1: run the Java side once more with -Dfastai4j.malloc.tune=false (neither mallopt nor
#                          malloc_trim after each epoch: what a library user gets without the switch)
#   MALLOC=1               run MallocTuningBench (0: skip)
#   MALLOC_STEPS=30        timed steps per MallocTuningBench run (after MALLOC_WARMUP=5), batch MALLOC_BS=256
#   MALLOC_ROUNDS=2        untuned/tuned pairs
#   MALLOC_VARIANTS="untuned tuned toppad"  toppad = tuned + MALLOC_TOP_PAD_=$TOP_PAD (64 MiB; "tuned" has it too now,
#                          through mallopt); also arena1 (tuned + MALLOC_ARENA_MAX=1)
#   PYTHON=/usr/bin/python3  SKIP_BUILD=1  MVN=mvn
# Data: --data DIR, else ../shared/data/fashion-mnist next to the repository, else FASTAI4J_DATA / Debian's
# dataset-fashion-mnist package.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

IMAGES=60000 EPOCHS=1 BS=256 LR=1e-2 VALID=10000 DATA=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --images) IMAGES="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    --bs) BS="$2"; shift 2 ;;
    --lr) LR="$2"; shift 2 ;;
    --valid) VALID="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z "$DATA" ]]; then
  if [[ -f "$ROOT/../shared/data/fashion-mnist/train-images-idx3-ubyte.gz" ]]; then
    DATA="$(cd "$ROOT/../shared/data/fashion-mnist" && pwd)"
  elif [[ -f /var/lib/dpkg/info/dataset-fashion-mnist.list ]]; then
    DATA="$(dirname "$(grep -m1 '/train-images-idx3-ubyte.gz$' /var/lib/dpkg/info/dataset-fashion-mnist.list)")"
  fi
fi
[[ -n "$DATA" && -f "$DATA/train-images-idx3-ubyte.gz" ]] || { echo "Fashion-MNIST not found: pass --data DIR" >&2; exit 1; }

THREADS="${THREADS:-2}"
PYTHON="${PYTHON:-/usr/bin/python3}"
MVN="${MVN:-mvn}"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building bench (offline)..." >&2
  "$MVN" -q -B -o package -Dmaven.test.skip=true -pl bench -am >&2
fi
OUT="$ROOT/bench/target/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT/lib"
# snapshot the project's jars: a rebuild of the tree during the (long) runs must not change the code under test
CP="$(cp "$ROOT/bench/target/fastai4j-bench-0.1.0-SNAPSHOT.jar" "$OUT/lib/" && echo "$OUT/lib/fastai4j-bench-0.1.0-SNAPSHOT.jar")"
IFS=: read -r -a CP_ENTRIES < "$ROOT/bench/target/classpath.txt" || true
for e in "${CP_ENTRIES[@]}"; do
  if [[ "$e" == "$ROOT"/* ]]; then cp "$e" "$OUT/lib/"; e="$OUT/lib/$(basename "$e")"; fi
  CP="$CP:$e"
done

JAVA_OPTS=(-Xmx2g -Dai.djl.offline=true "-Dai.djl.pytorch.num_threads=$THREADS" -Dfastai4j.malloc.tune=true
  -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$CP")
# nothing fetched at run time; glibc tuned by the library's mallopt (-Dfastai4j.malloc.tune=true above); OpenMP
# threads sleep when idle (the launcher's default too)
TUNED_ENV=(DJL_OFFLINE=true OPT_OUT_TRACKING=true "OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}")
ARGS=(--data "$DATA" --images "$IMAGES" --valid "$VALID" --epochs "$EPOCHS" --bs "$BS" --lr "$LR")

load() { cut -d' ' -f1-3 /proc/loadavg; }
run_java() { # name [extra JVM options...]
  local name="$1"; shift
  echo "== fastai4j TrainBench ($name), load $(load)" | tee "$OUT/$name.log"
  env "${TUNED_ENV[@]}" java "${JAVA_OPTS[@]}" "$@" ai.fastai4j.bench.TrainBench "${ARGS[@]}" 2>&1 | tee -a "$OUT/$name.log"
  echo "load after: $(load)" | tee -a "$OUT/$name.log"
}
run_python() { # name
  echo "== PyTorch twin ($1), load $(load)" | tee "$OUT/$1.log"
  "$PYTHON" -W ignore "$ROOT/bench/python/train_twin.py" "${ARGS[@]}" --threads "$THREADS" 2>&1 | tee -a "$OUT/$1.log"
  echo "load after: $(load)" | tee -a "$OUT/$1.log"
}
get() { # file key [line-filter]
  grep "^RESULT" "$1" | grep "${3:-train_ips}" | grep -o " $2=[^ ]*" | head -1 | cut -d= -f2
}

if [[ "${TRAIN:-1}" == 1 ]]; then
  run_java java1
  run_python python1
  if [[ "${JAVA_AGAIN:-1}" == 1 ]]; then run_java java2; fi
  if [[ "${PYTHON_AGAIN:-0}" == 1 ]]; then run_python python2; fi
  # the proposed extra tuning: M_TOP_PAD keeps glibc from unmapping whole per-thread arena heaps after every step
  if [[ "${JAVA_TOPPAD:-0}" == 1 ]]; then MALLOC_TOP_PAD_="${TOP_PAD:-67108864}" run_java java-toppad; fi
  if [[ "${JAVA_NOTRIM:-0}" == 1 ]]; then run_java java-notrim -Dfastai4j.malloc.tune=false; fi
fi

if [[ "${MALLOC:-1}" == 1 ]]; then
  MARGS=(--data "$DATA" --bs "${MALLOC_BS:-256}" --steps "${MALLOC_STEPS:-30}" --warmup "${MALLOC_WARMUP:-5}")
  for r in $(seq 1 "${MALLOC_ROUNDS:-2}"); do
    for v in ${MALLOC_VARIANTS:-untuned tuned toppad}; do
      log="$OUT/malloc-$v-$r.log"
      echo "== MallocTuningBench $v (round $r), load $(load)" | tee "$log"
      case "$v" in
        untuned) env -u MALLOC_MMAP_THRESHOLD_ -u MALLOC_TRIM_THRESHOLD_ -u MALLOC_TOP_PAD_ -u MALLOC_ARENA_MAX \
                   DJL_OFFLINE=true OPT_OUT_TRACKING=true "OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}" java "${JAVA_OPTS[@]}" -Dfastai4j.malloc.tune=false \
                   ai.fastai4j.bench.MallocTuningBench "${MARGS[@]}" --label "$v" 2>&1 | tee -a "$log" ;;
        tuned) env "${TUNED_ENV[@]}" java "${JAVA_OPTS[@]}" ai.fastai4j.bench.MallocTuningBench "${MARGS[@]}" \
                 --label "$v" 2>&1 | tee -a "$log" ;;
        toppad) env "${TUNED_ENV[@]}" MALLOC_TOP_PAD_="${TOP_PAD:-67108864}" java "${JAVA_OPTS[@]}" \
                  ai.fastai4j.bench.MallocTuningBench "${MARGS[@]}" --label "$v" 2>&1 | tee -a "$log" ;;
        arena1) env "${TUNED_ENV[@]}" MALLOC_ARENA_MAX=1 java "${JAVA_OPTS[@]}" \
                  ai.fastai4j.bench.MallocTuningBench "${MARGS[@]}" --label "$v" 2>&1 | tee -a "$log" ;;
        *) echo "unknown malloc variant $v" >&2; exit 2 ;;
      esac
    done
  done
fi

{
  echo
  echo "=== summary: Fashion-MNIST, $IMAGES train images, $EPOCHS epoch(s), batch $BS, lr $LR, $THREADS threads; $(nproc) cores"
  if [[ -f "$OUT/java1.log" || -f "$OUT/python1.log" ]]; then
    printf '%-11s %10s %10s %11s %12s %12s %9s %9s %9s %9s %9s\n' run "train i/s" "step ms" "steady i/s" \
      "pipeline i/s" "pipe/train" "RSS ep1" "RSS last" "pretrim" "faults/st" accuracy
    for f in "$OUT"/java*.log "$OUT"/python*.log; do
      [[ -f "$f" ]] || continue
      n="$(basename "$f" .log)"
      t="$(get "$f" train_ips)"; p="$(get "$f" pipeline_ips)"
      printf '%-11s %10s %10s %11s %12s %12s %8sM %8sM %8sM %9s %9s\n' "$n" "$t" "$(get "$f" step_ms)" \
        "$(get "$f" steady_ips)" "$p" "$(awk -v a="$p" -v b="$t" 'BEGIN{ if (b > 0) printf "%.1fx", a / b; else print "-" }')" \
        "$(get "$f" rss_epoch1_mb)" "$(get "$f" rss_last_mb)" "$(get "$f" rss_pretrim_max_mb)" "$(get "$f" faults_per_step)" \
        "$(get "$f" accuracy)"
    done
    echo
    echo "ratio fastai4j / PyTorch (training-phase img/s; >1 means fastai4j is faster):"
    py="$(get "$OUT/python1.log" train_ips 2>/dev/null || true)"; pys="$(get "$OUT/python1.log" steady_ips 2>/dev/null || true)"
    for f in "$OUT"/java*.log; do
      [[ -f "$f" && -n "$py" ]] || continue
      n="$(basename "$f" .log)"
      awk -v n="$n" -v j="$(get "$f" train_ips)" -v p="$py" -v js="$(get "$f" steady_ips)" -v ps="$pys" \
        'BEGIN{ printf "  %s / python1: %.2f (whole training phase), %.2f (median step)\n", n, j / p, js / ps }'
    done
    if [[ -f "$OUT/python2.log" ]]; then
      awk -v a="$(get "$OUT/python2.log" train_ips)" -v b="$py" 'BEGIN{ printf "  python2 / python1: %.2f (noise)\n", a / b }'
    fi
    echo
    echo "step phases, ms/step (mean over all training steps):"
    for f in "$OUT"/java*.log "$OUT"/python*.log; do
      [[ -f "$f" ]] || continue
      echo "  $(basename "$f" .log):$(grep '^RESULT.*phases' "$f" | sed 's/^RESULT side=[a-z0-9]* phases//')"
    done
  fi
  if ls "$OUT"/malloc-*.log >/dev/null 2>&1; then
    echo
    echo "MallocTuningBench (batch ${MALLOC_BS:-256}, ${MALLOC_STEPS:-30} steps after ${MALLOC_WARMUP:-5} warm-up):"
    printf '  %-14s %10s %10s %10s %8s\n' run "mean ms" "median ms" faults/st "RSS MiB"
    for f in "$OUT"/malloc-*.log; do
      printf '  %-14s %10s %10s %10s %8s\n' "$(basename "$f" .log | sed 's/^malloc-//')" \
        "$(get "$f" mean_ms bench=malloc)" "$(get "$f" median_ms bench=malloc)" \
        "$(get "$f" faults_per_step bench=malloc)" "$(get "$f" rss_mb bench=malloc)"
    done
    for v in ${MALLOC_VARIANTS:-untuned tuned toppad}; do
      [[ "$v" == untuned ]] && continue
      for r in $(seq 1 "${MALLOC_ROUNDS:-2}"); do
        awk -v v="$v" -v r="$r" -v u="$(get "$OUT/malloc-untuned-$r.log" median_ms bench=malloc)" \
          -v t="$(get "$OUT/malloc-$v-$r.log" median_ms bench=malloc)" \
          'BEGIN{ if (t > 0) printf "  round %s: untuned / %s median ms/step = %.2f\n", r, v, u / t }'
      done
    done
  fi
  echo "load at end: $(load)"
  echo "logs: $OUT"
} | tee "$OUT/summary.txt"
