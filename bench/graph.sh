#!/usr/bin/env bash
# Graph benchmark (marsad-graph): a generated directed graph (1M nodes, 10M edges, planted
# communities) — edge-list read + CSR build, weighted PageRank, Leiden — compared in the
# same run with python-igraph on the same edges; then coordination over 10M generated posts.
# Results go to docs/PERFORMANCE.md by hand.
#
# Usage: bench/graph.sh [NODES] [EDGES] [POSTS]   (defaults 1000000 10000000 10000000)
# Needs python3 with venv; python-igraph and numpy are installed into /tmp/graph-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-1000000}
edges=${2:-10000000}
posts=${3:-10000000}
work=$(mktemp -d /tmp/marsad-graph-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

cargo build --release -p marsad-graph --bench graph_bench
bin=$(ls -t "${CARGO_TARGET_DIR:-target}"/release/deps/graph_bench-* | grep -v '\.d$' | head -1)

if [ ! -x /tmp/graph-venv/bin/python ]; then
  python3 -m venv /tmp/graph-venv
fi
/tmp/graph-venv/bin/pip install -q igraph numpy

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== marsad-graph"
/usr/bin/time -f "TIME %e s, max RSS %M KB" "$bin" graph --nodes "$nodes" --edges "$edges" --write "$work/edges.u32"

echo "== python-igraph $(/tmp/graph-venv/bin/python -c 'import igraph; print(igraph.__version__)') on the same edges"
/usr/bin/time -f "TIME %e s, max RSS %M KB" /tmp/graph-venv/bin/python - "$work/edges.u32" "$nodes" <<'PY'
import json, sys, time
import numpy as np, igraph as ig
pairs = np.fromfile(sys.argv[1], dtype="<u4").reshape(-1, 2)
n = int(sys.argv[2])
def timed(f):
    t, c = time.time(), time.process_time()
    r = f()
    return r, time.time() - t, time.process_time() - c
g, build, build_cpu = timed(lambda: ig.Graph(n=n, edges=pairs, directed=True))
_, pr, pr_cpu = timed(lambda: g.pagerank(directed=True, damping=0.85))
u, sym, _ = timed(lambda: g.as_undirected(mode="each"))
part, leiden, leiden_cpu = timed(lambda: u.community_leiden(objective_function="modularity", n_iterations=2))
print(json.dumps({"bench": "igraph", "nodes": g.vcount(), "edges": g.ecount(),
  "build_from_array_s": build, "build_cpu_s": build_cpu, "pagerank_s": pr, "pagerank_cpu_s": pr_cpu,
  "symmetrise_s": sym, "leiden_s": leiden, "leiden_cpu_s": leiden_cpu,
  "communities": len(part), "modularity": u.modularity(part.membership)}))
PY

echo "== coordination"
/usr/bin/time -f "TIME %e s, max RSS %M KB" "$bin" coord --posts "$posts"
