#!/usr/bin/env bash
# Issue 5's tabular and collab benchmark: fastai4j beside a linear/logistic baseline, XGBoost (xgboost4j, here
# only) and the same model and recipe in plain PyTorch (tabular_twin.py, Debian's python3-torch).
#
#   bench/tabular/run.sh [--data ../shared/data] [--tasks ames,credit,movielens] [--seeds 5] [--threads 2] [--no-twin]
#
# Run from the repository root. Data: --data DIR with ames/ames.csv, credit/credit_data.csv, movielens/ratings.csv.
set -euo pipefail
cd "$(dirname "$0")/../.."
# -am: the parent pom too (it holds the dependency versions the installed poms refer to)
mvn -q -B -o install -pl fastai4j-core,fastai4j-tabular -am -DskipTests
mkdir -p bench/tabular/target/classes
# XGBoost comes from Maven Central the first time (drop -o here if it is not in ~/.m2 yet)
mvn -q -B -o -f bench/tabular/pom.xml dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
  || mvn -q -B -f bench/tabular/pom.xml dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
CP="$(cat bench/tabular/target/classpath.txt)"
javac -nowarn -d bench/tabular/target/classes -cp "$CP" bench/tabular/TabularBench.java
exec java -Xmx4g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "bench/tabular/target/classes:$CP" TabularBench "$@"
