#!/usr/bin/env bash
# The quality table of BENCHMARKS.md: for each model and method, quantize while loading, save, load
# the saved checkpoint back (the pre-quantized path) and measure its perplexity on data/eval.txt.
# Prints one markdown row per (model, method): weights MB as loaded, files MB on disk, perplexity.
#   scripts/quality-table.sh [-f EVAL] MODEL_DIR... -- METHOD...
# bf16 means the model as stored. A method that fails prints its one-line error in the row.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
eval_file=$root/data/eval.txt
if [ "${1:-}" = "-f" ]; then eval_file=$2; shift 2; fi
models=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do models+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
methods=("$@")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| model | method | weights MB | files MB | perplexity |"
echo "|---|---|---|---|---|"
for model in "${models[@]}"; do
  for method in "${methods[@]}"; do
    name=$(basename "$model")
    if [ "$method" = bf16 ]; then
      dir=$model
      weights=$(du -bc "$model"/*.safetensors | tail -1 | cut -f1)
      weights=$(awk -v b="$weights" 'BEGIN { printf "%.2f", b / 1e6 }')
    else
      dir=$work/$name-$method
      if ! msg=$("$root/quant4j" quantize -m "$model" -q "$method" -o "$dir" 2>&1); then
        echo "| $name | $method | — | — | failed: $(echo "$msg" | grep -v '^WARNING' | head -1) |"
        continue
      fi
      weights=$(echo "$msg" | sed -n 's/.* \([0-9.]*\) MB of weights.*/\1/p')
    fi
    files=$(du -bc "$dir"/*.safetensors | tail -1 | cut -f1)
    files=$(awk -v b="$files" 'BEGIN { printf "%.2f", b / 1e6 }')
    if ppl=$("$root/quant4j" perplexity -m "$dir" -f "$eval_file" --json 2>&1); then
      ppl=$(echo "$ppl" | sed -n 's/.*"ppl":\([0-9.]*\).*/\1/p' | awk '{ printf "%.3f", $1 }')
    else
      ppl="failed: $(echo "$ppl" | grep -v '^WARNING' | head -1)"
    fi
    echo "| $name | $method | $weights | $files | $ppl |"
    [ "$method" = bf16 ] || rm -rf "$dir"
  done
done
