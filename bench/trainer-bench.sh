#!/usr/bin/env bash
# Trainer benchmark: DESIGN.md workloads W1 (GPT-2 shape) and W2 (Llama shape), single worker,
# 2 threads, fp32, 100 steps each; prints tokens/s, peak RSS and RSS every 10 steps, then runs the
# PyTorch peer (bench/peer_torch.py, Debian python3-torch) on the same shapes when available and
# prints the ratio. Usage: bench/trainer-bench.sh [steps=100]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-100}
mvn -q -B -ntp -Dstyle.color=never -pl trainer -am install -DskipTests
mvn -q -B -ntp -Dstyle.color=never -pl trainer dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
cp=$(cat trainer/target/bench-classpath.txt)
flags=$(sed -n 's:.*<lorafleet.jvm.flags>\(.*\)</lorafleet.jvm.flags>.*:\1:p' pom.xml)
export OMP_NUM_THREADS=2
# libgomp (bundled with libnd4j and OpenBLAS) otherwise spins idle OpenMP threads after each ND4J op,
# stealing the 2 cores from the next OpenBLAS GEMM: W1 325 -> 555 tokens/s with 0. The peer gets it too.
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-0}
declare -A ours
for w in W1 W2; do
  out=$(java -Xmx4g $flags -cp "trainer/target/test-classes:trainer/target/classes:$cp" \
    org.lorafleet.trainer.bench.TrainerBenchmark "$w" "$steps" 3 2> >(grep -vE 'INFO|WARN|^\s' >&2) | tee -a /dev/stderr)
  ours[$w]=$(grep '^RESULT' <<<"$out" | sed 's/.*tokens_per_s=\([0-9.]*\).*/\1/')
done
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  for w in W1 W2; do
    peer=$(/usr/bin/python3 bench/peer_torch.py "$w" "$steps" | tee -a /dev/stderr | grep '^RESULT' | sed 's/.*tokens_per_s=\([0-9.]*\).*/\1/')
    python3 -c "print('RATIO $w lorafleet/pytorch = %.2f' % (${ours[$w]} / $peer))"
  done
else
  echo "PyTorch not installed (apt-get install python3-torch libopenblas0-pthread): no peer ratio."
fi
