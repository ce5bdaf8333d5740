#!/usr/bin/env bash
# Threads per Spark task: two workers stepping at once in one executor JVM (SharedExecutorBenchmark),
# with ND4J's pools as wide as the machine for each ("shared", before) and with each task limited to
# its share of the cores ("split", what BarrierWorker does). Alternates shared/split for `rounds`
# rounds in fresh JVMs; prints every run and the medians and ratio. Ours against ours: the PyTorch
# peer has no such setting to compare (torch.set_num_threads is the user's job there).
# Usage: bench/threads-bench.sh [steps=20] [rounds=3] [workload=W1] [precision=fp32|bf16]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-20}
rounds=${2:-3}
workload=${3:-W1}
precision=${4:-fp32}
mvn -q -B -ntp -Dstyle.color=never -pl trainer -am install -DskipTests
mvn -q -B -ntp -Dstyle.color=never -pl trainer dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
cp=$(cat trainer/target/bench-classpath.txt)
flags=$(sed -n 's:.*<lorafleet.jvm.flags>\(.*\)</lorafleet.jvm.flags>.*:\1:p' pom.xml)
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-0} MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072}
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for r in $(seq 1 "$rounds"); do
  for mode in shared split; do
    java -Xmx6g $flags -cp "trainer/target/test-classes:trainer/target/classes:$cp" \
      org.lorafleet.trainer.bench.SharedExecutorBenchmark "$workload" "$mode" "$steps" "$precision" 2>/dev/null \
      | grep '^RESULT' | tee -a "$results"
  done
done
python3 - "$results" <<'PY'
import re, statistics, sys
rows = [dict(re.findall(r"(\w+)=(\S+)", line)) for line in open(sys.argv[1])]
med = {m: statistics.median(float(r["tokens_per_s"]) for r in rows if r["mode"] == m) for m in ("shared", "split")}
spread = {m: [float(r["tokens_per_s"]) for r in rows if r["mode"] == m] for m in med}
for m in med:
    print(f"{m:7s} median {med[m]:8.1f} tokens/s (two tasks together)  spread {min(spread[m]):.1f}-{max(spread[m]):.1f}")
print(f"split / shared = {med['split'] / med['shared']:.2f}")
PY
