#!/usr/bin/env bash
# Threads that share the machine: ThreadContentionBench (a small tabular fit) under three engine settings, on the
# machine as it is and next to BUSY extra busy processes (`yes > /dev/null`), alternated round by round; prints
# the median seconds per setting and condition and the ratios.
#
#   bench/run-contention-bench.sh [--rounds 3] [--busy 3] [--rows 4000] [--epochs 1]
#
# Settings (each a fresh JVM, since libtorch reads them when it loads):
#   libtorch   libtorch's defaults: one intra-op thread per physical core, OpenMP threads spin when idle
#              (OMP_WAIT_POLICY unset); what fastai4j did before EngineDefaults
#   1thread    -Dai.djl.pytorch.num_threads=1, OMP_WAIT_POLICY unset
#   fastai4j   EngineDefaults.apply() inside the process, as the fastai4j command line does (OMP_WAIT_POLICY=PASSIVE),
#              intra-op threads left at libtorch's default
# Logs: bench/target/results/contention-<time>/.  SKIP_BUILD=1 skips the (offline) build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROUNDS=3 BUSY=3 ROWS=4000 EPOCHS=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --busy) BUSY="$2"; shift 2 ;;
    --rows) ROWS="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -q -B -o package -Dmaven.test.skip=true -pl bench -am >&2
fi
OUT="$ROOT/bench/target/results/contention-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT/lib"
# snapshot the project's jars: a rebuild of the tree during the runs must not change the code under test
CP="$(cp bench/target/fastai4j-bench-0.1.0-SNAPSHOT.jar "$OUT/lib/" && echo "$OUT/lib/fastai4j-bench-0.1.0-SNAPSHOT.jar")"
IFS=: read -r -a CP_ENTRIES < bench/target/classpath.txt || true
for e in "${CP_ENTRIES[@]}"; do
  if [[ "$e" == "$ROOT"/* ]]; then cp "$e" "$OUT/lib/"; e="$OUT/lib/$(basename "$e")"; fi
  CP="$CP:$e"
done
JVM=(java -Xmx1g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$CP")
MAIN=(ai.fastai4j.bench.ThreadContentionBench --rows "$ROWS" --epochs "$EPOCHS")

BUSY_PIDS=()
start_busy() { for _ in $(seq 1 "$BUSY"); do yes > /dev/null & BUSY_PIDS+=($!); done; }
stop_busy() { for p in "${BUSY_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; BUSY_PIDS=(); }
trap stop_busy EXIT

run() { # condition setting
  local log="$OUT/$1-$2.log"
  case "$2" in
    libtorch) env -u OMP_WAIT_POLICY DJL_OFFLINE=true "${JVM[@]}" "${MAIN[@]}" --label "$1-$2" ;;
    1thread) env -u OMP_WAIT_POLICY DJL_OFFLINE=true "${JVM[@]}" -Dai.djl.pytorch.num_threads=1 "${MAIN[@]}" \
               --label "$1-$2" ;;
    fastai4j) env -u OMP_WAIT_POLICY DJL_OFFLINE=true "${JVM[@]}" "${MAIN[@]}" --defaults 1 --label "$1-$2" ;;
  esac 2>&1 | grep '^RESULT' | tee -a "$log"
}

for r in $(seq 1 "$ROUNDS"); do
  for cond in asis busy; do
    [[ "$cond" == busy ]] && start_busy
    for s in libtorch 1thread fastai4j; do
      run "$cond" "$s"
    done
    [[ "$cond" == busy ]] && stop_busy
  done
done

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
{
  echo
  echo "=== median seconds of a $ROWS-row, $EPOCHS-epoch tabular fit over $ROUNDS rounds; $(nproc) cores; busy = +$BUSY \`yes\`"
  printf '%-10s %12s %12s %14s\n' setting "as is" "+$BUSY busy" "busy / as is"
  for s in libtorch 1thread fastai4j; do
    a="$(grep -ho 'seconds=[0-9.]*' "$OUT/asis-$s.log" | cut -d= -f2 | median)"
    b="$(grep -ho 'seconds=[0-9.]*' "$OUT/busy-$s.log" | cut -d= -f2 | median)"
    printf '%-10s %12s %12s %14s\n' "$s" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{ printf "%.2f", b / a }')"
  done
  echo "load averages seen by the runs: $(grep -ho 'load=[0-9.]*' "$OUT"/*.log | cut -d= -f2 | sort -g | sed -n '1p;$p' | paste -sd- -)"
  echo "logs: $OUT"
} | tee "$OUT/summary.txt"
