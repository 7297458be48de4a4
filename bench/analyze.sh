#!/usr/bin/env bash
# Analyze benchmark (issue 6): `marsad analyze` over about 1,000,000 generated text items,
# end to end (reading items from SQLite, scanning, detectors, writing findings and analysis
# rows back, account-level detectors, rules, alerts), with the default lexicons and rules and
# one linear text model (bench/analyze_model.json). Also times the incremental re-run
# (nothing changed) and a re-analysis after a lexicon change. Results go to
# docs/PERFORMANCE.md by hand.
#
# Usage: bench/analyze.sh [SCALE] [WORKDIR]   (default 390 → ≈ 1.0 M items; /tmp/marsad-analyze-bench)
# Data: the demo generator's Telegram account export and twarc search pages at SCALE.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-390}
work=${2:-/tmp/marsad-analyze-bench}
mkdir -p "$work"
cargo build --release -p marsad
bin="$(cd "${CARGO_TARGET_DIR:-target}/release" && pwd)/marsad"

gen="$work/gen-$scale"
if [ ! -f "$gen/.done" ]; then
  rm -rf "$gen"
  "$bin" demo --generate "$gen" --scale "$scale" --only telegram-desktop,twitter-v2 > /dev/null
  touch "$gen/.done"
fi
pristine="$work/ws-$scale"
if [ ! -f "$pristine/.done" ]; then
  rm -rf "$pristine"
  "$bin" --data "$pristine" init > /dev/null
  "$bin" --data "$pristine" import --format telegram-desktop "$gen"/telegram/*/result.json > /dev/null
  "$bin" --data "$pristine" import --format twitter-v2 "$gen"/twitter/*.jsonl > /dev/null || [ $? -eq 2 ]
  touch "$pristine/.done"
fi
items=$("$bin" --data "$pristine" stats --json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(sum(v for p in s["items"].values() for v in p.values()))')

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== items in the workspace: $items (scale $scale)"
ws="$work/ws-run"
model="$(pwd)/bench/analyze_model.json"
hyperfine --runs "${RUNS:-3}" --export-json "$work/analyze.json" \
  --prepare "rm -rf '$ws' && mkdir -p '$ws' && cp '$pristine/marsad.db' '$ws/'" \
  -n "analyze (fresh, $items items)" \
  "'$bin' --data '$ws' analyze --no-media --no-network --model '$model' --json"
echo "== one run with its summary and peak RSS"
rm -rf "$ws" && mkdir -p "$ws" && cp "$pristine/marsad.db" "$ws/"
/usr/bin/time -f "TIME %e s, max RSS %M KB" "$bin" --data "$ws" analyze --no-media --no-network --model "$model" --json
echo "== incremental re-run (nothing changed)"
/usr/bin/time -f "TIME %e s, max RSS %M KB" "$bin" --data "$ws" analyze --no-media --no-network --model "$model" --json
echo "== after a lexicon change (every item re-scanned by the text detectors)"
printf 'term,category,weight,stance\nسيعود المجد,slogan,0.9,supporter\n' > "$work/extra.csv"
/usr/bin/time -f "TIME %e s, max RSS %M KB" "$bin" --data "$ws" analyze --no-media --no-network --model "$model" --lexicon "$work/extra.csv" --json
echo "== findings and alerts"
"$bin" --data "$ws" findings list --limit 0 | tail -1
echo "alerts: $("$bin" --data "$ws" alerts list --json --limit 100000000 | wc -l)"
