#!/usr/bin/env bash
# Submit the quickstart job with spark-submit on this machine (master local[2]), using the application jar.
#   examples/submit-local.sh [extra lorafleet train options, e.g. --set train.max_steps=20]
# Environment: SPARK_HOME (a Spark 3.5.x, Scala 2.13 install; default: the build's spark-runtime/target/spark-home),
#   LORAFLEET_JAR (default orchestrator/target/lorafleet-app.jar; build it with: mvn -B package -DskipTests).
# Same job as `bin/lorafleet train -c configs/quickstart.yaml`, but through spark-submit as on a cluster.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/submit/common.sh"
cd "$root"   # the quickstart config's paths are relative to the repository root
spark_submit --master 'local[2]' \
  --conf spark.ui.showConsoleProgress=false \
  --class org.lorafleet.orchestrator.submit.SparkApp "$jar" \
  train -c configs/quickstart.yaml "$@"
