#!/usr/bin/env bash
# Eval perplexity and frozen-weight bytes per base precision / quantisation mode (float32, bfloat16,
# float16, int8, nf4, nf4 + double-quantised scales, int4), against float32, for the pretrained
# stories260K checkpoint and the bundled tiny model, on the bundled Debian descriptions eval file.
# Deterministic (no sampling), so one run per mode suffices. Usage: bench/quant-quality.sh [seq=256] [rows=64]
set -euo pipefail
cd "$(dirname "$0")/.."
seq=${1:-256}
rows=${2:-64}
mvn -q -B -ntp -Dstyle.color=never -pl trainer -am install -DskipTests
mvn -q -B -ntp -Dstyle.color=never -pl trainer dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
cp=$(cat trainer/target/bench-classpath.txt)
flags=$(sed -n 's:.*<lorafleet.jvm.flags>\(.*\)</lorafleet.jvm.flags>.*:\1:p' pom.xml)
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-0}
models=${LORAFLEET_MODELS_DIR:-../shared/models}
for m in "$models/stories260K" examples/models/tiny-llama; do
  java -Xmx2g $flags -cp "trainer/target/test-classes:trainer/target/classes:$cp" \
    org.lorafleet.trainer.bench.QuantQualityBenchmark "$m" examples/data/debian-descriptions/eval.jsonl "$seq" "$rows" \
    2> >(grep -vE 'INFO|WARN|^\s' >&2)
done
