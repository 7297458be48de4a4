//! Communities: the Leiden algorithm (Traag, Waltman & van Eck, "From Louvain to Leiden:
//! guaranteeing well-connected communities", Scientific Reports 9, 5233, 2019) optimising
//! modularity (Newman & Girvan 2004) with a resolution parameter γ.
//!
//! The three phases of the paper, on an undirected weighted graph (directed edges are
//! symmetrised; parallel edges add up):
//! 1. **fast local moving**: a queue of nodes in seeded random order; each node moves to the
//!    neighbouring community with the largest modularity gain; the neighbours of a node that
//!    moved are queued again;
//! 2. **refinement**: inside each community, starting from singletons, a node that is still a
//!    singleton and well connected to its community joins the well-connected sub-community
//!    with the largest non-negative gain (the paper's θ → 0 limit: greedy instead of
//!    randomised choice), so every refined community is connected;
//! 3. **aggregation** of the refined partition, with the unrefined partition as the
//!    starting partition of the aggregate graph.
//!
//! The phases repeat until no node moves; the whole algorithm is repeated `iterations`
//! times, each starting from the previous result (as the paper allows). Everything is
//! deterministic given the seed.

use crate::graph::Graph;
use crate::GraphError;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// An undirected weighted graph in CSR form, self-loops kept apart.
#[derive(Debug, Clone, Default)]
pub struct UGraph {
    off: Vec<usize>,
    adj: Vec<u32>,
    /// Edge weights (f32 halves the memory traffic of the hot loops; sums are f64).
    w: Vec<f32>,
    /// Weight of the self-loop of each node (internal weight of an aggregate node).
    self_w: Vec<f64>,
    /// Strength: neighbour weights + 2 × self-loop.
    pub strength: Vec<f64>,
    /// Total edge weight m (each edge once).
    pub total: f64,
}

impl UGraph {
    pub fn node_count(&self) -> usize {
        self.self_w.len()
    }

    /// Symmetrises a directed graph (weights of u→v and v→u add up; self-loops dropped).
    pub fn from_directed(g: &Graph) -> UGraph {
        let n = g.node_count();
        let pairs = (0..n as u32).flat_map(|s| {
            g.out_range(s)
                .map(move |p| (s, g.out_target[p], g.out_weight[p] as f64))
        });
        UGraph::from_edges(n, pairs)
    }

    /// From undirected edges `(u, v, w)`, each listed once; duplicates add up.
    pub fn from_edges(n: usize, edges: impl Iterator<Item = (u32, u32, f64)> + Clone) -> UGraph {
        let mut deg = vec![0usize; n + 1];
        let mut self_w = vec![0.0; n];
        for (u, v, w) in edges.clone() {
            if u == v {
                self_w[u as usize] += w;
            } else {
                deg[u as usize + 1] += 1;
                deg[v as usize + 1] += 1;
            }
        }
        for i in 0..n {
            deg[i + 1] += deg[i];
        }
        let m2 = deg[n];
        let mut adj = vec![0u32; m2];
        let mut wv = vec![0.0f32; m2];
        let mut pos = deg.clone();
        for (u, v, w) in edges {
            if u != v {
                adj[pos[u as usize]] = v;
                wv[pos[u as usize]] = w as f32;
                pos[u as usize] += 1;
                adj[pos[v as usize]] = u;
                wv[pos[v as usize]] = w as f32;
                pos[v as usize] += 1;
            }
        }
        // Sort each row and merge duplicates, compacting in place.
        let mut off = vec![0usize; n + 1];
        let mut write = 0usize;
        let mut row: Vec<(u32, f32)> = Vec::new();
        for u in 0..n {
            row.clear();
            row.extend((deg[u]..deg[u + 1]).map(|p| (adj[p], wv[p])));
            row.sort_unstable_by_key(|&(v, _)| v);
            let mut last: Option<u32> = None;
            for &(v, w) in &row {
                if last == Some(v) {
                    wv[write - 1] += w;
                } else {
                    adj[write] = v;
                    wv[write] = w;
                    write += 1;
                    last = Some(v);
                }
            }
            off[u + 1] = write;
        }
        adj.truncate(write);
        wv.truncate(write);
        let mut strength = vec![0.0; n];
        let mut total = 0.0;
        for u in 0..n {
            let s: f64 = wv[off[u]..off[u + 1]].iter().map(|&x| f64::from(x)).sum();
            strength[u] = s + 2.0 * self_w[u];
            total += s / 2.0 + self_w[u];
        }
        UGraph {
            off,
            adj,
            w: wv,
            self_w,
            strength,
            total,
        }
    }

    fn neighbours(&self, u: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        (self.off[u]..self.off[u + 1]).map(move |p| (self.adj[p] as usize, f64::from(self.w[p])))
    }
}

/// Parameters of [`leiden`].
#[derive(Debug, Clone, Copy)]
pub struct LeidenOptions {
    /// Resolution γ (1 = classic modularity).
    pub resolution: f64,
    pub seed: u64,
    /// Repetitions of the whole algorithm, each from the previous partition.
    pub iterations: u32,
}

impl Default for LeidenOptions {
    fn default() -> Self {
        LeidenOptions {
            resolution: 1.0,
            seed: 42,
            iterations: 2,
        }
    }
}

/// A partition of the nodes.
#[derive(Debug, Clone, Serialize)]
pub struct Partition {
    /// Community of each node, numbered 0.. by decreasing size (ties: smallest member).
    pub membership: Vec<u32>,
    pub count: usize,
    pub modularity: f64,
}

/// Modularity of a membership vector with resolution γ.
pub fn modularity(g: &UGraph, membership: &[u32], resolution: f64) -> f64 {
    if g.total <= 0.0 {
        return 0.0;
    }
    let k = membership
        .iter()
        .copied()
        .max()
        .map_or(0, |m| m as usize + 1);
    let mut internal = vec![0.0; k];
    let mut tot = vec![0.0; k];
    for u in 0..g.node_count() {
        let cu = membership[u] as usize;
        tot[cu] += g.strength[u];
        internal[cu] += g.self_w[u];
        for (v, w) in g.neighbours(u) {
            if membership[v] as usize == cu && v > u {
                internal[cu] += w;
            }
        }
    }
    let m = g.total;
    (0..k)
        .map(|c| internal[c] / m - resolution * (tot[c] / (2.0 * m)).powi(2))
        .sum()
}

/// Scratch space for the weights from one node to each community.
struct Scratch {
    w: Vec<f64>,
    touched: Vec<usize>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Scratch {
            w: vec![0.0; n],
            touched: Vec::new(),
        }
    }
    fn add(&mut self, c: usize, w: f64) {
        if self.w[c] == 0.0 {
            self.touched.push(c);
        }
        self.w[c] += w;
    }
    fn clear(&mut self) {
        for &c in &self.touched {
            self.w[c] = 0.0;
        }
        self.touched.clear();
    }
}

/// Fast local moving (phase 1). Returns true when a node moved.
fn move_nodes(g: &UGraph, comm: &mut [usize], gamma: f64, rng: &mut ChaCha8Rng) -> bool {
    let n = g.node_count();
    let m2 = 2.0 * g.total;
    // u32 labels and queue: half the memory traffic of usize in the hot loop.
    let mut c32: Vec<u32> = comm.iter().map(|&c| c as u32).collect();
    let mut tot = vec![0.0; n];
    for u in 0..n {
        tot[comm[u]] += g.strength[u];
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(rng);
    let mut queue: std::collections::VecDeque<u32> = order.into_iter().collect();
    let mut queued = vec![true; n];
    let mut w = vec![0.0f64; n];
    let mut touched: Vec<u32> = Vec::new();
    let mut moved_any = false;
    while let Some(u) = queue.pop_front() {
        let u = u as usize;
        queued[u] = false;
        let cu = c32[u];
        let ku = g.strength[u];
        let (lo, hi) = (g.off[u], g.off[u + 1]);
        for p in lo..hi {
            let c = c32[g.adj[p] as usize];
            if w[c as usize] == 0.0 {
                touched.push(c);
            }
            w[c as usize] += f64::from(g.w[p]);
        }
        tot[cu as usize] -= ku;
        let f = gamma * ku / m2;
        let mut best = cu;
        let mut best_gain = w[cu as usize] - f * tot[cu as usize];
        for &c in &touched {
            let gain = w[c as usize] - f * tot[c as usize];
            if c != cu && gain > best_gain + 1e-12 {
                best = c;
                best_gain = gain;
            }
        }
        tot[best as usize] += ku;
        for &c in &touched {
            w[c as usize] = 0.0;
        }
        touched.clear();
        if best != cu {
            c32[u] = best;
            moved_any = true;
            for p in lo..hi {
                let v = g.adj[p] as usize;
                if !queued[v] && c32[v] != best {
                    queued[v] = true;
                    queue.push_back(v as u32);
                }
            }
        }
    }
    for (c, x) in comm.iter_mut().zip(c32) {
        *c = x as usize;
    }
    moved_any
}

/// Refinement (phase 2): a refined partition inside each community of `comm`.
#[inline(never)]
fn refine(g: &UGraph, comm: &[usize], gamma: f64, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let n = g.node_count();
    let m2 = 2.0 * g.total;
    let mut tot_c = vec![0.0; n];
    for u in 0..n {
        tot_c[comm[u]] += g.strength[u];
    }
    let mut refined: Vec<usize> = (0..n).collect();
    let mut tot_r: Vec<f64> = g.strength.clone();
    let mut singleton = vec![true; n];
    // ext[r]: weight from sub-community r to the rest of its community.
    let mut ext = vec![0.0; n];
    for u in 0..n {
        ext[u] = g
            .neighbours(u)
            .filter(|&(v, _)| comm[v] == comm[u])
            .map(|(_, w)| w)
            .sum();
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let mut scratch = Scratch::new(n);
    for u in order {
        if !singleton[u] {
            continue;
        }
        let c = comm[u];
        let ku = g.strength[u];
        if ext[u] < gamma * ku * (tot_c[c] - ku) / m2 {
            continue; // not well connected to its community
        }
        for (v, w) in g.neighbours(u) {
            if comm[v] == c {
                scratch.add(refined[v], w);
            }
        }
        let mut best = refined[u];
        let mut best_gain = 0.0;
        for &r in &scratch.touched {
            if r == refined[u] {
                continue;
            }
            if ext[r] < gamma * tot_r[r] * (tot_c[c] - tot_r[r]) / m2 {
                continue; // target not well connected
            }
            let gain = scratch.w[r] - gamma * ku * tot_r[r] / m2;
            if gain > best_gain + 1e-12 || (best == refined[u] && gain >= 0.0) {
                best = r;
                best_gain = gain;
            }
        }
        if best != refined[u] {
            let w_ub = scratch.w[best];
            tot_r[refined[u]] -= ku;
            tot_r[best] += ku;
            ext[best] = ext[best] + ext[u] - 2.0 * w_ub;
            refined[u] = best;
            singleton[best] = false;
            singleton[u] = false;
        }
        scratch.clear();
    }
    refined
}

/// Renumbers labels to 0..k in order of first appearance; returns k.
fn compact(labels: &mut [usize]) -> usize {
    let mut map = vec![usize::MAX; labels.len()];
    let mut k = 0;
    for l in labels.iter_mut() {
        if map[*l] == usize::MAX {
            map[*l] = k;
            k += 1;
        }
        *l = map[*l];
    }
    k
}

/// Aggregates `g` by `part` (labels 0..k).
#[inline(never)]
fn aggregate(g: &UGraph, part: &[usize], k: usize) -> UGraph {
    let n = g.node_count();
    let mut members_off = vec![0usize; k + 1];
    for &p in part {
        members_off[p + 1] += 1;
    }
    for i in 0..k {
        members_off[i + 1] += members_off[i];
    }
    let mut members = vec![0usize; n];
    let mut pos = members_off.clone();
    for u in 0..n {
        members[pos[part[u]]] = u;
        pos[part[u]] += 1;
    }
    let mut scratch = Scratch::new(k);
    let mut edges: Vec<(u32, u32, f64)> = Vec::new();
    for c in 0..k {
        let mut self_w = 0.0;
        for &u in &members[members_off[c]..members_off[c + 1]] {
            self_w += g.self_w[u];
            for (v, w) in g.neighbours(u) {
                let cv = part[v];
                if cv == c {
                    self_w += w / 2.0;
                } else if cv > c {
                    scratch.add(cv, w);
                }
            }
        }
        if self_w > 0.0 {
            edges.push((c as u32, c as u32, self_w));
        }
        scratch.touched.sort_unstable();
        for &d in &scratch.touched {
            edges.push((c as u32, d as u32, scratch.w[d]));
        }
        scratch.clear();
    }
    UGraph::from_edges(k, edges.iter().copied())
}

/// Runs Leiden on `g`.
pub fn leiden(g: &UGraph, opts: &LeidenOptions) -> Result<Partition, GraphError> {
    if !(opts.resolution > 0.0 && opts.resolution.is_finite()) {
        return Err(GraphError::Param {
            name: "resolution",
            message: format!("must be a positive number, got {}", opts.resolution),
        });
    }
    let n = g.node_count();
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut membership: Vec<usize> = (0..n).collect();
    if g.total > 0.0 {
        for _ in 0..opts.iterations.max(1) {
            let changed = leiden_pass(g, &mut membership, opts.resolution, &mut rng);
            if !changed {
                break;
            }
        }
    }
    Ok(finish(g, membership, opts.resolution))
}

/// One run of the algorithm from `membership`; true when the partition changed.
fn leiden_pass(g: &UGraph, membership: &mut [usize], gamma: f64, rng: &mut ChaCha8Rng) -> bool {
    let before = membership.to_vec();
    // node_of[u]: the aggregate node that original node u is in.
    let mut node_of: Vec<usize> = (0..g.node_count()).collect();
    let mut level = g.clone();
    let mut comm: Vec<usize> = membership.to_vec();
    compact(&mut comm);
    loop {
        move_nodes(&level, &mut comm, gamma, rng);
        let k = compact(&mut comm);
        if k == level.node_count() {
            break;
        }
        let mut refined = refine(&level, &comm, gamma, rng);
        let kr = compact(&mut refined);
        // Starting partition of the aggregate: each refined community's community.
        let mut next_comm = vec![0usize; kr];
        for u in 0..level.node_count() {
            next_comm[refined[u]] = comm[u];
        }
        for x in node_of.iter_mut() {
            *x = refined[*x];
        }
        if kr == level.node_count() {
            // Refinement could not merge anything: aggregation would not shrink the graph.
            for (u, x) in node_of.iter().enumerate() {
                membership[u] = comm[*x];
            }
            return canonical(membership) != canonical(&before);
        }
        level = aggregate(&level, &refined, kr);
        comm = next_comm;
    }
    for (u, x) in node_of.iter().enumerate() {
        membership[u] = comm[*x];
    }
    canonical(membership) != canonical(&before)
}

fn canonical(labels: &[usize]) -> Vec<usize> {
    let mut l = labels.to_vec();
    compact(&mut l);
    l
}

/// Numbers communities by decreasing size (ties: smallest member) and computes modularity.
fn finish(g: &UGraph, membership: Vec<usize>, gamma: f64) -> Partition {
    let mut labels = membership;
    let k = compact(&mut labels);
    let mut size = vec![0usize; k];
    for &l in &labels {
        size[l] += 1;
    }
    let mut order: Vec<usize> = (0..k).collect();
    // compact() numbers by first appearance = smallest member, so a stable sort by size
    // keeps that as the tie-break.
    order.sort_by(|a, b| size[*b].cmp(&size[*a]));
    let mut rank = vec![0u32; k];
    for (r, &c) in order.iter().enumerate() {
        rank[c] = r as u32;
    }
    let membership: Vec<u32> = labels.iter().map(|&l| rank[l]).collect();
    let modularity = modularity(g, &membership, gamma);
    Partition {
        membership,
        count: k,
        modularity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_cliques() -> UGraph {
        // Two 5-cliques joined by one edge.
        let mut e = Vec::new();
        for base in [0u32, 5] {
            for i in 0..5 {
                for j in i + 1..5 {
                    e.push((base + i, base + j, 1.0));
                }
            }
        }
        e.push((4, 5, 1.0));
        UGraph::from_edges(10, e.into_iter())
    }

    #[test]
    fn finds_two_cliques() {
        let g = two_cliques();
        let p = leiden(&g, &LeidenOptions::default()).unwrap();
        assert_eq!(p.count, 2);
        assert!(p.membership[..5].iter().all(|&c| c == p.membership[0]));
        assert!(p.membership[5..].iter().all(|&c| c == p.membership[5]));
        assert_ne!(p.membership[0], p.membership[5]);
        // Q = 2 × (10/21 − (21/42)²) = 0.45238…
        assert!(
            (p.modularity - 0.452_380_952).abs() < 1e-6,
            "{}",
            p.modularity
        );
    }

    #[test]
    fn deterministic_with_seed() {
        let g = two_cliques();
        let a = leiden(&g, &LeidenOptions::default()).unwrap();
        let b = leiden(&g, &LeidenOptions::default()).unwrap();
        assert_eq!(a.membership, b.membership);
    }

    #[test]
    fn modularity_of_singletons_and_whole() {
        let g = two_cliques();
        let whole = vec![0u32; 10];
        assert!(modularity(&g, &whole, 1.0).abs() < 1e-12);
        let single: Vec<u32> = (0..10).collect();
        assert!(modularity(&g, &single, 1.0) < 0.0);
    }

    #[test]
    fn aggregation_keeps_total_weight() {
        let g = two_cliques();
        let part: Vec<usize> = (0..10).map(|u| u / 5).collect();
        let a = aggregate(&g, &part, 2);
        assert!((a.total - g.total).abs() < 1e-9);
        assert!(
            (modularity(&a, &[0, 1], 1.0) - modularity(&g, &[0, 0, 0, 0, 0, 1, 1, 1, 1, 1], 1.0))
                .abs()
                < 1e-12
        );
    }

    #[test]
    fn empty_graph_and_bad_resolution() {
        let g = UGraph::from_edges(3, std::iter::empty());
        let p = leiden(&g, &LeidenOptions::default()).unwrap();
        assert_eq!(p.count, 3);
        let bad = LeidenOptions {
            resolution: 0.0,
            ..LeidenOptions::default()
        };
        assert!(leiden(&g, &bad).is_err());
    }
}
