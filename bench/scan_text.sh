#!/usr/bin/env bash
# Benchmark `marsad scan-text` end to end (JSON lines in, JSON lines out, default lexicons)
# against a Python peer doing less work (bench/peer_camel.py: CAMeL Tools normalisation plus a
# regex alternation of the same lexicon), on the same posts, in the same run, with hyperfine.
#
#   bench/scan_text.sh [POSTS]        # default 200000 posts
#
# Posts: the OSACT 2020 tweets from ../shared/data/text when present (repeated to POSTS),
# otherwise the texts of the engine's test fixtures. Needs hyperfine and a venv with
# camel-tools: python3 -m venv /tmp/venv-camel &&
#   /tmp/venv-camel/bin/pip install --no-deps camel-tools six future emoji regex
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-200000}"
VENV="${VENV:-/tmp/venv-camel}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${TMPDIR:-/tmp}/marsad-target}"
cargo build --release -p marsad >/dev/null
BIN="$CARGO_TARGET_DIR/release/marsad"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
python3 - "$N" "$WORK/posts.jsonl" <<'PY'
import json, os, sys
n, out = int(sys.argv[1]), sys.argv[2]
src = "../shared/data/text/osact2020/train.tsv"
if os.path.exists(src):
    texts = [l.split("\t")[0].replace("<LF>", "\n") for l in open(src, encoding="utf-8") if l.strip()]
else:
    texts = []
    for name in ("evasion.tsv", "negatives.tsv"):
        rows = open("crates/marsad-text/tests/fixtures/" + name, encoding="utf-8").read().splitlines()[1:]
        texts += [r.split("\t")[1 if name == "evasion.tsv" else 0] for r in rows if r.strip()]
with open(out, "w", encoding="utf-8") as f:
    for i in range(n):
        f.write(json.dumps({"id": i, "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")
print(f"{n} posts, {os.path.getsize(out) / 1e6:.1f} MB, source: {src if os.path.exists(src) else 'fixtures'}")
PY
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
hyperfine --warmup 1 --runs "${RUNS:-3}" --export-markdown "$WORK/results.md" \
  -n marsad "$BIN scan-text < $WORK/posts.jsonl > /dev/null" \
  -n camel-tools-peer "$VENV/bin/python bench/peer_camel.py lexicons < $WORK/posts.jsonl > /dev/null"
cat "$WORK/results.md"
# Single-core throughput from user+sys time (scan-text is single-threaded).
/usr/bin/time -f "marsad: %U s user, %S s sys, %M KB max RSS" "$BIN" scan-text < "$WORK/posts.jsonl" > /dev/null
