#!/usr/bin/env bash
# A real Spark standalone cluster on this machine (loopback): one master and two workers (1 core each), then
# `fastai4j batch-predict --master spark://...` on the Fashion-MNIST test images with an image model and on the
# MovieLens ratings with a collab model; checks the outputs (every row scored, no errors) and prints wall times.
#
#   bench/spark/cluster.sh [IMAGE_MODEL.fai] [RATINGS.csv]
#
# IMAGE_MODEL defaults to runs/quickstart/fashion_mnist.fai (./fastai4j quickstart writes it); RATINGS to the
# shared MovieLens file. The workers' Spark "installation" is a folder of links to the jars of Spark and its
# dependencies only: fastai4j, DJL and the natives reach the executors the way they reach a real cluster, through
# spark.jars from the driver; the model through a broadcast.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
MODEL="${1:-runs/quickstart/fashion_mnist.fai}"
RATINGS="${2:-../shared/data/movielens/ratings.csv}"
WORK="$ROOT/bench/target/spark-cluster"
rm -rf "$WORK/spark-home" "$WORK"/worker* "$WORK"/*-out.csv; mkdir -p "$WORK/spark-home/jars"

./mvnw -o -q -B -pl bench,fastai4j-cli -am package -DskipTests
BENCH_CP="$ROOT/bench/target/fastai4j-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)"
# (fastai4j's own jars and DJL's stay out: they must load in the same class loader, the one spark.jars feeds)
tr ':' '\n' < fastai4j-cli/target/classpath.txt | grep -v -e '/ai/fastai4j/' -e '/ai/djl/' -e '/fastai4j-[^/]*\.jar$' | while read -r j; do
  ln -sf "$j" "$WORK/spark-home/jars/"
done
# a RELEASE file makes Spark's launcher take SPARK_HOME/jars as a distribution's jars (else it looks for a build)
touch "$WORK/spark-home/RELEASE"
export SPARK_HOME="$WORK/spark-home" SPARK_SCALA_VERSION=2.13 DJL_OFFLINE=true OPT_OUT_TRACKING=true
OPENS="-XX:+IgnoreUnrecognizedVMOptions -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true"
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  OPENS="$OPENS --add-opens=java.base/$p=ALL-UNNAMED"
done
JAVA_SPARK=(java $OPENS -Xmx512m -cp "$SPARK_HOME/jars/*")

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
"${JAVA_SPARK[@]}" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 --webui-port 18080 \
  > "$WORK/master.log" 2>&1 & PIDS+=($!)
for w in 1 2; do
  "${JAVA_SPARK[@]}" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory 3g \
    --webui-port $((18080 + w)) --work-dir "$WORK/worker$w" spark://127.0.0.1:7077 > "$WORK/worker$w.log" 2>&1 & PIDS+=($!)
done
for i in $(seq 1 60); do
  [ "$(grep -c 'Registering worker' "$WORK/master.log" 2>/dev/null || true)" -ge 2 ] && break; sleep 1
done
grep -c 'Registering worker' "$WORK/master.log" | grep -q 2 || { echo "workers did not register; see $WORK" >&2; exit 1; }
echo "cluster: master spark://127.0.0.1:7077, 2 workers x 1 core"

IMAGES="$WORK/fashion-test"
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$BENCH_CP" ai.fastai4j.bench.SparkBatchBench --write-images "$IMAGES" --images 10000
COLLAB="$WORK/ratings.fai"
[ -f "$COLLAB" ] || java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dai.djl.pytorch.num_threads=1 -cp "$BENCH_CP" \
  ai.fastai4j.bench.SparkBatchBench --train-collab "$RATINGS" --out "$COLLAB"

CONF=(--master spark://127.0.0.1:7077 --conf spark.executor.memory=2g --conf spark.executor.cores=1
      --conf "spark.executor.extraJavaOptions=-Dai.djl.pytorch.num_threads=1 -Dai.djl.offline=true")
run() { local t0=$SECONDS; ./fastai4j batch-predict "$@"; echo "wall time: $((SECONDS - t0)) s"; }
run "$MODEL" --input "$IMAGES" --output "$WORK/images-out.csv" --partitions 8 "${CONF[@]}"
run "$COLLAB" --input "$RATINGS" --output "$WORK/ratings-out.csv" --partitions 8 "${CONF[@]}"

python3 - "$WORK" <<'PY'
import csv, glob, sys
work = sys.argv[1]
rows = [r for f in glob.glob(work + "/images-out.csv/*.csv") for r in csv.DictReader(open(f))]
errors = sum(1 for r in rows if r["error"])
correct = sum(1 for r in rows if r["prediction"] == r["path"].split("/")[-2])
print(f"images: {len(rows)} rows, {errors} errors, accuracy {correct / max(1, len(rows)):.4f}")
assert len(rows) == 10000 and errors == 0, "every image scored"
rows = [r for f in glob.glob(work + "/ratings-out.csv/*.csv") for r in csv.DictReader(open(f))]
scored = [r for r in rows if not r["error"]]
rmse = (sum((float(r["value"]) - float(r["rating"])) ** 2 for r in scored) / max(1, len(scored))) ** 0.5
print(f"ratings: {len(rows)} rows, {len(rows) - len(scored)} with errors (users or movies the model never saw), "
      f"RMSE on the scored ones {rmse:.4f} (training and validation rows together)")
assert len(rows) == 100004, "no rating row dropped"
PY
grep -h 'Executor added\|Launching executor' "$WORK"/*.log | head -4 || true
