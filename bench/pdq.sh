#!/usr/bin/env bash
# PDQ hashing benchmark: `marsad hash` against the Python `pdqhash` package (Meta's C++ core
# fed PIL-decoded RGB) on the same files, in the same hyperfine run. Each command hashes the
# reference images of ../shared/data/pdq/images (JPEG and PNG) REPEAT times in one process,
# so interpreter start-up is amortised. Results go to docs/PERFORMANCE.md by hand.
#
# Usage: bench/pdq.sh [REPEAT]   (default 10)
# Needs: hyperfine (apt-get install hyperfine), and the peer in a venv:
#   python3 -m venv /tmp/venv-pdq && /tmp/venv-pdq/bin/pip install pdqhash pillow numpy
set -euo pipefail
cd "$(dirname "$0")/.."
repeat="${1:-10}"
images="../shared/data/pdq/images"
[ -d "$images" ] || { echo "skipped: ../shared/data not found"; exit 0; }
py="${PDQ_PYTHON:-/tmp/venv-pdq/bin/python}"
cargo build --release -p marsad
bin="${CARGO_TARGET_DIR:-target}/release/marsad"

mapfile -t files < <(find "$images" -type f \( -name '*.jpg' -o -name '*.png' \) | sort)
list=()
for _ in $(seq "$repeat"); do list+=("${files[@]}"); done
n=${#list[@]}
echo "files: ${#files[@]} distinct, $n hashed per run"

# The peer's driver: decode with PIL, hash with pdqhash (written to /tmp, not part of the repo).
driver=/tmp/marsad-pdq-peer.py
cat > "$driver" <<'PY'
import sys, numpy as np, pdqhash
from PIL import Image
out = []
for p in sys.argv[1:]:
    h, q = pdqhash.compute(np.asarray(Image.open(p).convert("RGB")))
    out.append("%064x,%d,%s" % (int("".join("1" if b else "0" for b in h), 2), q, p))
sys.stdout.write("\n".join(out) + "\n")
PY

hyperfine --warmup 1 --runs 5 --export-markdown /tmp/marsad-pdq-bench.md \
  -n "marsad hash" "$bin hash ${list[*]} > /dev/null" \
  -n "python pdqhash" "$py $driver ${list[*]} > /dev/null"
echo "images per run: $n"
cat /tmp/marsad-pdq-bench.md
