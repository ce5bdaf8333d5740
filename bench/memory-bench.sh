#!/usr/bin/env bash
# Memory benchmark: W3 (Qwen2.5-0.5B shape, batch 1 x 1024, 5 steps) and W4 (Llama-3.2-1B shape,
# batch 1 x 512, 3 steps) with random bf16 weights written as a Hugging Face folder, LoRA r=16 on
# every linear layer. Each mode runs in a fresh JVM / Python process; ours and the PyTorch peer
# alternate within each round. Prints peak RSS, tokens/s and our memory estimate per mode, then
# the medians over rounds and the ratios the issue sets targets for.
# Usage: bench/memory-bench.sh [workloads="W3 W4"] [rounds=1] [ours="fp32+plain ..."] [peer="fp32+plain ..."]
#   ours modes: fp32|bf16|bf16mm|int8|nf4 + plain|ckpt (bf16mm: train.precision bf16);  peer modes: fp32|autocast|bf16 + plain|ckpt
set -euo pipefail
cd "$(dirname "$0")/.."
workloads=${1:-"W3 W4"}
rounds=${2:-1}
ours_modes=${3:-"fp32+plain bf16+plain int8+plain nf4+plain bf16+ckpt nf4+ckpt"}
peer_modes=${4:-"fp32+plain autocast+plain bf16+plain fp32+ckpt"}
mvn -q -B -ntp -Dstyle.color=never -pl trainer -am install -DskipTests
mvn -q -B -ntp -Dstyle.color=never -pl trainer dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
cp="trainer/target/test-classes:trainer/target/classes:$(cat trainer/target/bench-classpath.txt)"
flags=$(sed -n 's:.*<lorafleet.jvm.flags>\(.*\)</lorafleet.jvm.flags>.*:\1:p' pom.xml)
# A small heap; the frozen base and activations live off-heap (JavaCPP's limits raised to match).
jvm="-Xmx3g -Dorg.bytedeco.javacpp.maxbytes=20g -Dorg.bytedeco.javacpp.maxphysicalbytes=23g $flags"
export OMP_NUM_THREADS=2 GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-0} MALLOC_MMAP_THRESHOLD_=131072 # as executors run
peer_py=$(bench/peer-python.sh) || peer_py=""
work=${LORAFLEET_BENCH_DIR:-target/memory-bench}
mkdir -p "$work"
results="$work/results.txt"
: >"$results"
quiet() { grep -vE ' INFO |WARN|^\s+at |^SLF4J' >&2 || true; }
for w in $workloads; do
  model="$work/$w"
  [ -f "$model/model.safetensors" ] || java $jvm -cp "$cp" org.lorafleet.trainer.bench.MemoryBenchmark write "$model" "$w"
  for r in $(seq 1 "$rounds"); do
    set -- $ours_modes; o=("$@"); set -- $peer_modes; p=("$@")
    n=$(( ${#o[@]} > ${#p[@]} ? ${#o[@]} : ${#p[@]} ))
    for i in $(seq 0 $((n - 1))); do # ours, peer, ours, peer, ...
      if [ "$i" -lt "${#o[@]}" ]; then
        java $jvm -cp "$cp" org.lorafleet.trainer.bench.MemoryBenchmark run "$model" "$w" "${o[$i]%+*}" "${o[$i]#*+}" \
          2> >(quiet) | tee /dev/stderr | grep '^RESULT' | sed "s/\$/ round=$r/" >>"$results"
      fi
      if [ -n "$peer_py" ] && [ "$i" -lt "${#p[@]}" ]; then
        ckpt=""; [ "${p[$i]#*+}" = ckpt ] && ckpt=--ckpt
        "$peer_py" bench/peer_memory.py "$w" "${p[$i]%+*}" $ckpt | tee /dev/stderr | grep '^RESULT' \
          | sed "s/\$/ round=$r/" >>"$results"
      fi
    done
  done
done
[ -n "$peer_py" ] || echo "No PyTorch peer could be installed: our figures only, no ratios."
python3 - "$results" <<'PY'
import re, statistics, sys
rows = [dict(re.findall(r"(\w+)=(\S+)", line)) for line in open(sys.argv[1])]
med = {}
for key in sorted({(r["workload"], r["impl"], r["mode"]) for r in rows}):
    sel = [r for r in rows if (r["workload"], r["impl"], r["mode"]) == key]
    m = {f: statistics.median(float(r[f]) for r in sel) for f in ("tokens_per_s", "peak_rss_mib")}
    span = lambda f: "%.0f-%.0f" % (min(float(r[f]) for r in sel), max(float(r[f]) for r in sel))
    est = statistics.median(float(r["estimate_mib"]) for r in sel) if "estimate_mib" in sel[0] else None
    med[key] = m
    print("MEDIAN %-3s %-9s %-14s tokens/s %7.1f (%s)  peak RSS %6.0f MiB (%s)%s  [%d round(s)]" % (
        *key, m["tokens_per_s"], span("tokens_per_s"), m["peak_rss_mib"], span("peak_rss_mib"),
        "" if est is None else "  estimate %.0f MiB (%+.0f%%)" % (est, 100 * (est / m["peak_rss_mib"] - 1)), len(sel)))
for w in sorted({k[0] for k in med}):
    g = lambda impl, mode: med.get((w, impl, mode))
    peer = g("pytorch", "fp32+plain")
    ours = g("lorafleet", "fp32+plain")
    if peer:
        for mode in ("fp32+plain", "bf16+plain", "nf4+ckpt", "bf16+ckpt"):
            if g("lorafleet", mode):
                print("RATIO %s peak RSS lorafleet %s / pytorch fp32+plain = %.2f" % (
                    w, mode, g("lorafleet", mode)["peak_rss_mib"] / peer["peak_rss_mib"]))
        for mode in ("fp32+plain", "bf16+plain"):
            if g("lorafleet", mode):
                print("RATIO %s tokens/s lorafleet %s / pytorch fp32+plain = %.2f" % (
                    w, mode, g("lorafleet", mode)["tokens_per_s"] / peer["tokens_per_s"]))
    if ours and g("lorafleet", "bf16+plain"):
        print("RATIO %s tokens/s lorafleet bf16+plain / lorafleet fp32+plain = %.2f" % (
            w, g("lorafleet", "bf16+plain")["tokens_per_s"] / ours["tokens_per_s"]))
PY
