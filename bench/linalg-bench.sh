#!/usr/bin/env bash
# product aggregation's truncated SVD (ps.linalg: our Householder QR + one-sided Jacobi SVD) against the
# same method on EJML 0.46.1's decompositions, on LoRA shapes up to 8192×8192 with k = workers·r up to
# 256. Rounds alternate ours and EJML's in one JVM; prints median ms (min–max), the ratio, and each
# one's relative error next to the optimum. Takes a few minutes.
#   bench/linalg-bench.sh        5 rounds per shape
#   bench/linalg-bench.sh 9      9 rounds
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp -Dstyle.color=never -pl parameter-server -am install -DskipTests
mvn -q -B -ntp -Dstyle.color=never -pl parameter-server dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/linalg-bench.classpath
CP="parameter-server/target/classes:parameter-server/target/test-classes:$(cat parameter-server/target/linalg-bench.classpath)"
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(java -version 2>&1 | head -1), $(date -u +%F)"
exec java -Xmx8g -XX:+UseParallelGC -cp "$CP" org.lorafleet.ps.bench.LinalgBench "$@"
