#!/usr/bin/env bash
# Trainer benchmark: workloads W1 (GPT-2 small shape, 2 layers) and W2 (Llama shape, 2 layers), batch
# 4 x 128, LoRA r 8, single worker, 2 threads, fp32 (trainer/.../bench/Workload.java). Ours
# (TrainerBenchmark, a fresh JVM per run) and the PyTorch peer (bench/peer_torch.py, installed by
# bench/peer-python.sh when missing) alternate A B A B ... for `rounds` rounds per workload on this
# one machine; prints every run, then per workload the median and spread (min-max) of tokens/s and
# peak RSS of both and the ratios. PRECISION=bf16 runs ours with train.precision bf16 and the peer
# under bf16 autocast (PEER_FLAGS=--bf16 alone runs only the peer so).
# Usage: bench/trainer-bench.sh [steps=100] [rounds=3] [workloads="W1 W2"]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-100}
rounds=${2:-3}
workloads=${3:-"W1 W2"}
mvn -q -B -ntp -Dstyle.color=never -pl trainer -am install -DskipTests
mvn -q -B -ntp -Dstyle.color=never -pl trainer dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
cp=$(cat trainer/target/bench-classpath.txt)
flags=$(sed -n 's:.*<lorafleet.jvm.flags>\(.*\)</lorafleet.jvm.flags>.*:\1:p' pom.xml)
export OMP_NUM_THREADS=2
precision=${PRECISION:-fp32}
[ "$precision" = bf16 ] && PEER_FLAGS=${PEER_FLAGS:---bf16}
# libgomp (bundled with libnd4j and OpenBLAS) otherwise spins idle OpenMP threads after each ND4J op,
# stealing the 2 cores from the next OpenBLAS GEMM: W1 325 -> 555 tokens/s with 0. The peer gets it too.
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-0}
export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072} # as bin/lorafleet and executors run
peer_py=$(bench/peer-python.sh) || { peer_py=""; echo "No PyTorch peer could be installed: no peer ratio."; }
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for w in $workloads; do
  for r in $(seq 1 "$rounds"); do
    java -Xmx4g $flags -cp "trainer/target/test-classes:trainer/target/classes:$cp" \
      org.lorafleet.trainer.bench.TrainerBenchmark "$w" "$steps" 3 "$precision" 2> >(grep -vE 'INFO|WARN|^\s' >&2) \
      | tee /dev/stderr | grep '^RESULT' | sed "s/^RESULT \([A-Z0-9]*\)/RESULT impl=lorafleet workload=\1/" >>"$results"
    if [ -n "$peer_py" ]; then
      "$peer_py" bench/peer_torch.py "$w" "$steps" 3 ${PEER_FLAGS:-} | tee /dev/stderr | grep '^RESULT' \
        | sed "s/^RESULT pytorch-\([A-Z0-9]*\)/RESULT impl=pytorch workload=\1/" >>"$results"
    fi
  done
done
python3 - "$results" <<'PY'
import re, statistics, sys
rows = [dict(re.findall(r"(\w+)=(\S+)", line)) for line in open(sys.argv[1])]
med = {}
for key in sorted({(r["workload"], r["impl"]) for r in rows}):
    sel = [r for r in rows if (r["workload"], r["impl"]) == key]
    t = [float(r["tokens_per_s"]) for r in sel]
    m = [float(r["peak_rss_mib"]) for r in sel]
    med[key] = (statistics.median(t), statistics.median(m))
    print("MEDIAN %s %-9s %s tokens/s %7.1f (%.0f-%.0f)  peak RSS %5.0f MiB (%.0f-%.0f)  [%d runs]" % (
        key[0], key[1], sel[0].get("mode", sel[0].get("precision", "fp32")), med[key][0], min(t), max(t), med[key][1], min(m), max(m), len(sel)))
for w in sorted({k[0] for k in med}):
    if (w, "pytorch") in med and (w, "lorafleet") in med:
        o, p = med[(w, "lorafleet")], med[(w, "pytorch")]
        print("RATIO %s lorafleet/pytorch tokens/s = %.2f, peak RSS = %.2f" % (w, o[0] / p[0], o[1] / p[1]))
    sel = {r["impl"]: r for r in rows if r["workload"] == w and "loss_last" in r}
    for impl, r in sorted(sel.items()):
        print("LOSS %s %s after %s steps: first %s last %s" % (w, impl, r.get("steps", "?"), r["loss_first"], r["loss_last"]))
PY
