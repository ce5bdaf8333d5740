#!/usr/bin/env bash
# Submit configs/yarn-cluster.yaml to YARN, with config, model, data and outputs on HDFS.
#   examples/submit-yarn.sh [client|cluster] [extra lorafleet train options]
# First put the files on HDFS (once):
#   hdfs dfs -mkdir -p /jobs /models /data
#   hdfs dfs -put configs/yarn-cluster.yaml /jobs/
#   hdfs dfs -put examples/models/tiny-llama /models/
#   hdfs dfs -put examples/data/debian-descriptions /data/
# Environment: HADOOP_CONF_DIR (required: the cluster's core-site.xml and yarn-site.xml), SPARK_HOME and
#   LORAFLEET_JAR (see submit-local.sh), SPARK_YARN_JARS (default local:$SPARK_HOME/jars/*, i.e. Spark
#   installed at the same path on every node; else an hdfs:// copy, docs/cluster.md), EXECUTORS (default 4),
#   EXECUTOR_CORES (2), EXECUTOR_MEMORY (4g), EXECUTOR_OVERHEAD (4g), DRIVER_MEMORY (4g).
# The config's 8 workers need EXECUTORS × EXECUTOR_CORES ≥ 8 task slots at once.
set -euo pipefail
mode=${1:-client}
[ $# -gt 0 ] && shift
case "$mode" in client|cluster) ;; *) echo "usage: examples/submit-yarn.sh [client|cluster] [options]" >&2; exit 2;; esac
: "${HADOOP_CONF_DIR:?set HADOOP_CONF_DIR to the folder holding the cluster core-site.xml and yarn-site.xml}"
source "$(dirname "${BASH_SOURCE[0]}")/submit/common.sh"
spark_submit --master yarn --deploy-mode "$mode" \
  --num-executors "${EXECUTORS:-4}" --executor-cores "${EXECUTOR_CORES:-2}" \
  --executor-memory "${EXECUTOR_MEMORY:-4g}" --conf spark.executor.memoryOverhead="${EXECUTOR_OVERHEAD:-4g}" \
  --driver-memory "${DRIVER_MEMORY:-4g}" --conf spark.driver.memoryOverhead="${EXECUTOR_OVERHEAD:-4g}" \
  --conf "spark.yarn.jars=${SPARK_YARN_JARS:-local:$SPARK_HOME/jars/*}" \
  --conf "spark.driver.extraJavaOptions=$jvm_flags" \
  --conf "spark.executor.extraJavaOptions=$jvm_flags" \
  --conf spark.executorEnv.DJL_CACHE_DIR=./djl --conf spark.yarn.appMasterEnv.DJL_CACHE_DIR=./djl \
  --conf spark.executorEnv.GOMP_SPINCOUNT=0 --conf spark.executorEnv.MALLOC_MMAP_THRESHOLD_=131072 --conf spark.yarn.appMasterEnv.GOMP_SPINCOUNT=0 \
  --conf spark.scheduler.minRegisteredResourcesRatio=1.0 \
  --conf spark.ui.showConsoleProgress=false \
  --class org.lorafleet.orchestrator.submit.SparkApp "$jar" \
  train -c hdfs:///jobs/yarn-cluster.yaml "$@"
