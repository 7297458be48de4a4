#!/usr/bin/env bash
# Text classifier benchmark: quality and speed of `marsad train/eval/classify` on OSACT 2020
# and 2022, side by side with scikit-learn (TfidfVectorizer char_wb 2-5 + LinearSVC) on the
# same splits. Results go into docs/PERFORMANCE.md by hand.
#
# Needs ../shared/data/text, hyperfine, and a scikit-learn venv (default /tmp/venv-sklearn):
#   python3 -m venv /tmp/venv-sklearn && /tmp/venv-sklearn/bin/pip install scikit-learn
# Usage: bench/classifier.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
D=${MARSAD_SHARED_DATA:-$ROOT/../shared/data}/text
W=${1:-/tmp/marsad-bench-classifier}
PY=${PEER_PYTHON:-/tmp/venv-sklearn/bin/python}
mkdir -p "$W"
cargo build --release -q -p marsad
M=${CARGO_TARGET_DIR:-$ROOT/target}/release/marsad
O22=(--text-col Tweet --label-col Offensive=OFF --label-col 'hate:Hate=!NOT_HS')
O20=(--no-header --text-col 1 --label-col offensive:2=OFF --label-col hate:3=HS)

echo "== machine"; nproc; lscpu | grep -m1 'Model name' || true; uptime
echo "== OSACT 2022: train on train.csv, evaluate on dev.csv"
$M train --input "$D/osact2022/train.csv" "${O22[@]}" --threshold-for macro-f1 --out "$W/o22.model"
$M eval --model "$W/o22.model" --input "$D/osact2022/dev.csv" "${O22[@]}" --perturb
$PY bench/classifier_peer.py --train "$D/osact2022/train.csv" --test "$D/osact2022/dev.csv"
$PY bench/classifier_peer.py --train "$D/osact2022/train.csv" --test "$D/osact2022/dev.csv" --class-weight balanced

echo "== OSACT 2020: train.tsv, 20% held out by text (seed 42)"
$M train --input "$D/osact2020/train.tsv" "${O20[@]}" --holdout 0.2 --seed 42 \
  --threshold-for macro-f1 --out "$W/o20.model" --write-split "$W/o20split"
$M eval --model "$W/o20.model" --input "$D/osact2020/train.tsv" "${O20[@]}" --perturb
$PY bench/classifier_peer.py --train "$W/o20split/train.jsonl" --test "$W/o20split/heldout.jsonl"
$PY bench/classifier_peer.py --train "$W/o20split/train.jsonl" --test "$W/o20split/heldout.jsonl" --class-weight balanced

echo "== end to end (train + evaluate), same split, one command each"
hyperfine -w 1 -r 5 -N \
  -n marsad "bash -c '$M train --input $D/osact2022/train.csv ${O22[*]@Q} --threshold-for macro-f1 --out $W/e2e.model >/dev/null && $M eval --model $W/e2e.model --input $D/osact2022/dev.csv ${O22[*]@Q} >/dev/null'" \
  -n sklearn-linearsvc "$PY bench/classifier_peer.py --train $D/osact2022/train.csv --test $D/osact2022/dev.csv"

echo "== training on ~16k tweets (OSACT 2020 train.tsv + OSACT 2022 train.csv)"
$M train --input "$D/osact2022/train.csv" "${O22[@]}" --out "$W/tmp.model" --write-split "$W/o22all" >/dev/null
cat "$W/o22all/train.jsonl" "$W/o20split/train.jsonl" "$W/o20split/heldout.jsonl" > "$W/16k.jsonl"
wc -l "$W/16k.jsonl"
hyperfine -w 1 -r 5 "$M train --input $W/16k.jsonl --out $W/16k.model"
hyperfine -w 1 -r 5 "taskset -c 0 $M train --input $W/16k.jsonl --out $W/16k.model"

echo "== classify throughput: 100,000 tweets (OSACT 2020 texts repeated), one core"
python3 - "$D/osact2020/train.tsv" "$W/posts100k.jsonl" <<'PYEOF'
import json, sys
texts = [l.split("\t")[0].replace("<LF>", "\n") for l in open(sys.argv[1], encoding="utf-8")]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for i in range(100000):
        f.write(json.dumps({"id": i, "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")
PYEOF
hyperfine -w 1 -r 5 "taskset -c 1 $M classify --model $W/o22.model < $W/posts100k.jsonl > /dev/null"
