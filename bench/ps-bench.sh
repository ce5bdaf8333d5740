#!/usr/bin/env bash
# Parameter-server loopback benchmark (issue 3): push+pull round trips of 1, 16 and 64 MB adapters
# with 1, 4 and 16 clients (default transport: the tensor channel; also gRPC streams), next to a
# plain-socket copy of the same traffic measured in the same run (the ceiling). Prints MB/s, p50/p99
# latency and the ratio. Takes about 2 minutes.
#   bench/ps-bench.sh            full grid
#   bench/ps-bench.sh --quick    1 and 16 MB, 1 and 4 clients
#   PS_BENCH_GC=-XX:+UseG1GC bench/ps-bench.sh    another collector (default: ParallelGC)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -pl parameter-server -am install -DskipTests  # tensor-math first
mvn -q -B -pl parameter-server test-compile
mvn -q -B -pl parameter-server dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/ps-bench.classpath
CP="parameter-server/target/classes:parameter-server/target/test-classes:$(cat parameter-server/target/ps-bench.classpath)"
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(java -version 2>&1 | head -1)"
exec java -Xmx4g ${PS_BENCH_GC:--XX:+UseParallelGC} -cp "$CP" org.lorafleet.ps.bench.PsBench "$@"
