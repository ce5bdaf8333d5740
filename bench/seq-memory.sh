#!/usr/bin/env bash
# Peak memory against sequence length, through the real CLI: `lorafleet train` on the pretrained
# stories260K checkpoint (../shared/models/stories260K, or $LORAFLEET_MODELS_DIR/stories260K), one
# worker, micro-batch 4, 6 steps, Debian descriptions packed to max_seq_len. Prints the peak RSS of
# the whole process (driver + executor + parameter server in one local JVM) per length and mode.
# Usage: bench/seq-memory.sh [lengths="256 512 1024 2048"] [modes="plain ckpt"] [rounds=1]
set -euo pipefail
cd "$(dirname "$0")/.."
lengths=${1:-"256 512 1024 2048"}
modes=${2:-"plain ckpt"}
rounds=${3:-1}
model=${LORAFLEET_MODELS_DIR:-../shared/models}/stories260K
[ -f "$model/config.json" ] || { echo "stories260K not found at $model (set LORAFLEET_MODELS_DIR)." >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin/lorafleet --version >/dev/null # builds once if needed
for r in $(seq 1 "$rounds"); do
  for t in $lengths; do
    for m in $modes; do
      ckpt=false; [ "$m" = ckpt ] && ckpt=true
      out="$work/out-$t-$m-$r"
      /usr/bin/time -f "%M" -o "$work/rss" bin/lorafleet train -c configs/real-model.yaml \
        --set model.path="$model" --set data.max_seq_len="$t" --set train.micro_batch_size=4 \
        --set train.max_steps=6 --set train.warmup_steps=0 --set train.eval_every=1000 --set train.eval_max_sequences=4 \
        --set train.gradient_checkpointing=$ckpt --set distributed.workers=1 --set checkpoint.every_steps=1000 \
        --set checkpoint.dir="$out/ckpt" --set output.dir="$out" --set spark.master="local[2]" \
        >"$work/log" 2>&1 || { tail -20 "$work/log" >&2; exit 1; }
      tps=$(grep -o '[0-9.,]* tokens/s' "$work/log" | tail -1 || true)
      est=$(sed -n 's/^Memory estimate per JVM: \([0-9,]*\) MiB.*/\1/p' "$work/log" | tr -d ,)
      echo "RESULT len=$t mode=$m round=$r peak_rss_mib=$(( $(cat "$work/rss") / 1024 )) estimate_mib=$est ${tps:+throughput=\"$tps\"}"
    done
  done
done
