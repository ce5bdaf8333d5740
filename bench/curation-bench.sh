#!/usr/bin/env bash
# Throughput of the data.quality stages (exact dedup, near dedup, filters, decontamination, PII) on a
# synthetic corpus of ~100-word rows generated on the executors (CurationBenchmark), at each size.
# Ours only: no Python peer runs the same Spark stages (NeMo Curator needs Dask/GPU, datatrove its
# own executor), so the figure to read is rows/s and how it scales with rows.
# Usage: bench/curation-bench.sh [master=local[2]] [sizes="250000 500000 1000000"] [rounds=1]
set -euo pipefail
cd "$(dirname "$0")/.."
master=${1:-local[2]}
sizes=${2:-250000 500000 1000000}
rounds=${3:-1}
mvn -q -B -ntp -Dstyle.color=never -pl orchestrator -am install -DskipTests
mvn -q -B -ntp -Dstyle.color=never -pl orchestrator test-compile
mvn -q -B -ntp -Dstyle.color=never -pl orchestrator dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
cp=$(cat orchestrator/target/bench-classpath.txt)
flags=$(sed -n 's:.*<lorafleet.jvm.flags>\(.*\)</lorafleet.jvm.flags>.*:\1:p' pom.xml)
for r in $(seq 1 "$rounds"); do
  # shellcheck disable=SC2086
  java -Xmx12g $flags -cp "orchestrator/target/test-classes:orchestrator/target/classes:$cp" \
    org.lorafleet.orchestrator.quality.CurationBenchmark "$master" $sizes 2>/dev/null | grep -v '^$'
done
