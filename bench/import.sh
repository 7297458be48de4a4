#!/usr/bin/env bash
# Import benchmark: generated Telegram export and twarc JSONL at ~100 MB and ~1 GB.
# Reports MB/s, records/s and peak RSS for: parse only (--dry-run), import into a fresh
# SQLite workspace, and re-import (all duplicates). Results go to docs/PERFORMANCE.md by hand.
#
# Usage: bench/import.sh [WORKDIR]   (default /tmp/marsad-bench; needs ~6 GB free)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/marsad-bench}"
mkdir -p "$work"
cargo build --release -p marsad
bin="${CARGO_TARGET_DIR:-target}/release/marsad"

gen() { # format scale -> path of the big file
  local fmt=$1 scale=$2 dir="$work/$1-$2"
  if [ ! -f "$dir/.done" ]; then
    rm -rf "$dir"
    "$bin" demo --generate "$dir" --scale "$scale" --only "$fmt" > /dev/null
    touch "$dir/.done"
  fi
  case $fmt in
    telegram-desktop) ls "$dir"/telegram/DataExport_*/result.json ;;
    twitter-v2) ls "$dir"/twitter/search_*.jsonl ;;
  esac
}

run() { # label format file [extra args]
  local label=$1 fmt=$2 file=$3; shift 3
  local size out
  size=$(stat -c %s "$file")
  out=$( { /usr/bin/time -f "TIME %e %M" "$bin" --data "$work/ws" import --json -f "$fmt" "$@" "$file" 2>&1 1>&3 | grep '^TIME'; } 3>&1 )
  local json secs rss read
  json=$(echo "$out" | grep '^{')
  secs=$(echo "$out" | awk '/^TIME/ {print $2}')
  rss=$(echo "$out" | awk '/^TIME/ {print $3}')
  read=$(echo "$json" | sed 's/.*"read":\([0-9]*\).*/\1/')
  awk -v l="$label" -v f="$fmt" -v s="$size" -v t="$secs" -v r="$read" -v m="$rss" -v j="$json" 'BEGIN {
    printf "| %-9s | %-16s | %7.0f MB | %7.2f s | %6.1f MB/s | %8.0f rec/s | %5.0f MB | %s |\n",
      l, f, s/1e6, t, s/1e6/t, r/t, m/1024, j }'
}

echo "| run | format | input | time | throughput | records | peak RSS | summary |"
echo "|---|---|---|---|---|---|---|---|"
for scale in 100 1000; do
  for fmt in telegram-desktop twitter-v2; do
    file=$(gen "$fmt" "$scale")
    rm -rf "$work/ws"; "$bin" --data "$work/ws" init > /dev/null
    run "parse" "$fmt" "$file" --dry-run
    run "import" "$fmt" "$file"
    run "re-import" "$fmt" "$file"
  done
done
rm -rf "$work/ws"
