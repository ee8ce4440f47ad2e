#!/usr/bin/env bash
# The GPU check: fastai4j on a CUDA GPU. Needs an NVIDIA driver and a CUDA build of libtorch 2.7.1 (Maven Central
# has none for this version): unzip libtorch 2.7.1+cu128 (cxx11 ABI) from pytorch.org and
#
#   PYTORCH_LIBRARY_PATH=/path/to/libtorch/lib bench/gpu-check.sh [--images 10000] [--weights resnet34.pth] ...
#
# Runs GpuCheck (options: --help): CPU vs GPU forward agreement of SMALL_RESNET and ResNet-34 (same weights), then
# on the GPU the quickstart model (FP32 and toFp16) and a ResNet-34 fine-tune (random init unless --weights), each
# with images/s, GPU memory in use and accuracy. Exit status: 0 all passed, 1 a check failed, 2 no GPU.
# Data: Fashion-MNIST as for TrainBench (--data DIR, ../shared/data/fashion-mnist, FASTAI4J_DATA, Debian's package).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
else
  echo "nvidia-smi not found: is there an NVIDIA driver?" >&2
fi
if [[ -z "${PYTORCH_LIBRARY_PATH:-}" ]]; then
  echo "PYTORCH_LIBRARY_PATH is not set: the CPU natives jar would load. Point it at libtorch 2.7.1+cu128's lib/." >&2
  exit 2
fi
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -q -B -o package -Dmaven.test.skip=true -pl bench -am >&2
fi
CP="bench/target/fastai4j-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)"
exec env DJL_OFFLINE=true OPT_OUT_TRACKING=true "OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}" \
  java -Xmx8g -Dai.djl.offline=true -Dfastai4j.malloc.tune=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$CP" ai.fastai4j.bench.GpuCheck "$@"
