#!/usr/bin/env bash
# Submit the quickstart job to a Spark standalone cluster (client mode: the driver and the parameter server
# run here, executors on the workers).
#   examples/submit-standalone.sh spark://MASTER_HOST:7077 [extra lorafleet train options]
# Start the cluster first (docs/cluster.md, "Spark standalone"). Every worker must see the model and data at
# the same path (shared file system) or use hdfs:// paths; the parameter server listens on all interfaces
# (parameter_server.bind 0.0.0.0:0) over TLS with a certificate made for the job (tls_cert auto), and
# executors reach it at this machine's address (spark.driver.host).
# Environment: SPARK_HOME, LORAFLEET_JAR (see submit-local.sh); EXECUTOR_MEMORY (default 2g),
#   EXECUTOR_OVERHEAD (default 2g: ND4J's off-heap memory, docs/cluster.md "Memory").
set -euo pipefail
master=${1:?usage: examples/submit-standalone.sh spark://MASTER_HOST:7077 [lorafleet train options]}
shift
source "$(dirname "${BASH_SOURCE[0]}")/submit/common.sh"
cd "$root"
spark_submit --master "$master" --deploy-mode client \
  --executor-cores 1 --total-executor-cores 2 \
  --executor-memory "${EXECUTOR_MEMORY:-2g}" --conf spark.executor.memoryOverhead="${EXECUTOR_OVERHEAD:-2g}" \
  --conf "spark.executor.extraJavaOptions=$jvm_flags" \
  --conf spark.executorEnv.GOMP_SPINCOUNT=0 --conf spark.executorEnv.MALLOC_MMAP_THRESHOLD_=131072 \
  --conf spark.scheduler.minRegisteredResourcesRatio=1.0 \
  --conf spark.ui.showConsoleProgress=false \
  --class org.lorafleet.orchestrator.submit.SparkApp "$jar" \
  train -c configs/quickstart.yaml \
  --set "model.path=$root/examples/models/tiny-llama" \
  --set "data.train=$root/examples/data/debian-descriptions/train.jsonl" \
  --set "data.eval=$root/examples/data/debian-descriptions/eval.jsonl" \
  --set "output.dir=$root/out/standalone" --set parameter_server.bind=0.0.0.0:0 \
  --set parameter_server.tls_cert=auto "$@"
