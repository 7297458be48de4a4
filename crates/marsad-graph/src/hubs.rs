//! Hubs: who is central, and who amplifies whom.
//!
//! - in-degree: distinct accounts with an edge to the node, and the in-weight;
//! - weighted PageRank (Brin & Page 1998; damping 0.85, an edge's share of its source's
//!   rank proportional to its weight, dangling rank spread uniformly), iterated until the
//!   L1 change is below `tolerance`;
//! - amplification: reposts + forwards + quotes received per original post;
//! - hub + followers: the accounts amplifying one hub, with counts per edge type.

use crate::dataset::{Dataset, EdgeKind, NodeId};
use crate::graph::Graph;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// PageRank parameters.
#[derive(Debug, Clone, Copy)]
pub struct PageRankOptions {
    pub damping: f64,
    pub tolerance: f64,
    pub max_iterations: u32,
}

impl Default for PageRankOptions {
    fn default() -> Self {
        PageRankOptions {
            damping: 0.85,
            tolerance: 1e-9,
            max_iterations: 200,
        }
    }
}

/// Weighted PageRank; returns the ranks (summing to 1) and the iterations used.
pub fn pagerank(g: &Graph, opts: &PageRankOptions) -> (Vec<f64>, u32) {
    let n = g.node_count();
    if n == 0 {
        return (Vec::new(), 0);
    }
    let strength = g.out_strength();
    let inv: Vec<f64> = strength
        .iter()
        .map(|&s| if s > 0.0 { 1.0 / s } else { 0.0 })
        .collect();
    // Per in-edge weight, in in-edge order (read sequentially); per node, rank / strength.
    let in_w: Vec<f32> = (0..g.in_source.len())
        .map(|q| g.out_weight[g.in_edge[q] as usize])
        .collect();
    let nf = n as f64;
    let d = opts.damping;
    let mut rank = vec![1.0 / nf; n];
    let mut contrib = vec![0.0f64; n];
    let mut it = 0;
    while it < opts.max_iterations {
        it += 1;
        let mut dangling = 0.0;
        for v in 0..n {
            contrib[v] = rank[v] * inv[v];
            if strength[v] <= 0.0 {
                dangling += rank[v];
            }
        }
        let base = (1.0 - d) / nf + d * dangling / nf;
        let mut diff = 0.0;
        for (v, r) in rank.iter_mut().enumerate() {
            let mut s = 0.0;
            for q in g.in_range(v as NodeId) {
                s += contrib[g.in_source[q] as usize] * in_w[q] as f64;
            }
            let x = base + d * s;
            diff += (x - *r).abs();
            *r = x;
        }
        if diff < opts.tolerance {
            break;
        }
    }
    (rank, it)
}

/// One row of the hubs table.
#[derive(Debug, Clone, Serialize)]
pub struct HubRow {
    pub node: String,
    pub label: String,
    pub platform: Option<String>,
    pub community: Option<u32>,
    pub pagerank: f64,
    /// Distinct nodes with an edge to this one.
    pub in_degree: usize,
    pub in_weight: f64,
    /// Distinct accounts that reposted / forwarded / quoted it.
    pub amplifiers: usize,
    /// Reposts + forwards + quotes received.
    pub amplifications: usize,
    pub original_posts: u32,
    /// Amplifications per original post (None without posts).
    pub amplification_per_post: Option<f64>,
}

/// Per-node measures computed once and shared by hubs, tiers and exports.
#[derive(Debug, Clone)]
pub struct Measures {
    pub pagerank: Vec<f64>,
    pub in_degree: Vec<usize>,
    pub in_weight: Vec<f64>,
    pub amplifiers: Vec<usize>,
    pub amplifications: Vec<usize>,
    /// Distinct targets this node amplified.
    pub amplified_targets: Vec<usize>,
    pub amplifications_made: Vec<usize>,
    pub original_posts: Vec<u32>,
}

impl Measures {
    pub fn compute(ds: &Dataset, g: &Graph) -> Measures {
        let n = g.node_count();
        let (pagerank, _) = pagerank(g, &PageRankOptions::default());
        let mut in_degree = vec![0; n];
        let mut in_weight = vec![0.0; n];
        let mut amplifiers = vec![0; n];
        let mut amplifications = vec![0; n];
        let mut amplified_targets = vec![0; n];
        let mut amplifications_made = vec![0; n];
        let mut seen: Vec<NodeId> = Vec::new();
        let mut amp: Vec<NodeId> = Vec::new();
        for v in 0..n as NodeId {
            seen.clear();
            amp.clear();
            for q in g.in_range(v) {
                let p = g.in_edge[q] as usize;
                seen.push(g.in_source[q]);
                in_weight[v as usize] += g.out_weight[p] as f64;
                if g.out_kind[p].is_amplification() {
                    amp.push(g.in_source[q]);
                }
            }
            amplifications[v as usize] = amp.len();
            seen.sort_unstable();
            seen.dedup();
            amp.sort_unstable();
            amp.dedup();
            in_degree[v as usize] = seen.len();
            amplifiers[v as usize] = amp.len();
            amp.clear();
            for p in g.out_range(v) {
                if g.out_kind[p].is_amplification() {
                    amp.push(g.out_target[p]);
                }
            }
            amplifications_made[v as usize] = amp.len();
            amp.sort_unstable();
            amp.dedup();
            amplified_targets[v as usize] = amp.len();
        }
        Measures {
            pagerank,
            in_degree,
            in_weight,
            amplifiers,
            amplifications,
            amplified_targets,
            amplifications_made,
            original_posts: ds.original_posts(),
        }
    }

    pub fn row(&self, ds: &Dataset, v: NodeId, community: Option<u32>) -> HubRow {
        let i = v as usize;
        let info = ds.info(v);
        let posts = self.original_posts.get(i).copied().unwrap_or(0);
        HubRow {
            node: info.key.clone(),
            label: info.label(),
            platform: info.platform.map(|p| p.to_string()),
            community,
            pagerank: self.pagerank[i],
            in_degree: self.in_degree[i],
            in_weight: self.in_weight[i],
            amplifiers: self.amplifiers[i],
            amplifications: self.amplifications[i],
            original_posts: posts,
            amplification_per_post: (posts > 0)
                .then(|| self.amplifications[i] as f64 / posts as f64),
        }
    }
}

/// The top `top` nodes by PageRank (ties: in-degree, then key).
pub fn top_hubs(ds: &Dataset, m: &Measures, membership: Option<&[u32]>, top: usize) -> Vec<HubRow> {
    let mut order: Vec<NodeId> = (0..m.pagerank.len() as NodeId)
        .filter(|&v| m.in_degree[v as usize] > 0)
        .collect();
    sort_by_rank(ds, m, &mut order);
    order
        .into_iter()
        .take(top)
        .map(|v| m.row(ds, v, membership.map(|c| c[v as usize])))
        .collect()
}

fn sort_by_rank(ds: &Dataset, m: &Measures, order: &mut [NodeId]) {
    order.sort_by(|&a, &b| {
        m.pagerank[b as usize]
            .total_cmp(&m.pagerank[a as usize])
            .then(m.in_degree[b as usize].cmp(&m.in_degree[a as usize]))
            .then(ds.info(a).key.cmp(&ds.info(b).key))
    });
}

/// The top `top` nodes of each community (communities with at least `min_size` members).
pub fn top_per_community(
    ds: &Dataset,
    m: &Measures,
    membership: &[u32],
    top: usize,
    min_size: usize,
) -> BTreeMap<u32, Vec<HubRow>> {
    let mut groups: BTreeMap<u32, Vec<NodeId>> = BTreeMap::new();
    for (v, &c) in membership.iter().enumerate() {
        groups.entry(c).or_default().push(v as NodeId);
    }
    groups
        .into_iter()
        .filter(|(_, vs)| vs.len() >= min_size)
        .map(|(c, mut vs)| {
            sort_by_rank(ds, m, &mut vs);
            let rows = vs
                .into_iter()
                .take(top)
                .map(|v| m.row(ds, v, Some(c)))
                .collect();
            (c, rows)
        })
        .collect()
}

/// One follower of a hub: who amplifies it, how often, by which edge types.
#[derive(Debug, Clone, Serialize)]
pub struct Follower {
    pub node: String,
    pub label: String,
    pub count: usize,
    pub kinds: BTreeMap<&'static str, usize>,
    pub first: Option<String>,
}

/// Per follower: count, counts per edge type, first time.
type FollowerAcc = (usize, BTreeMap<&'static str, usize>, Option<i64>);

/// The accounts that amplify `hub` (repost / forward / quote), most active first.
pub fn hub_followers(ds: &Dataset, g: &Graph, hub: NodeId) -> Vec<Follower> {
    let mut by: BTreeMap<NodeId, FollowerAcc> = BTreeMap::new();
    for q in g.in_range(hub) {
        let p = g.in_edge[q] as usize;
        let kind = g.out_kind[p];
        if !kind.is_amplification() {
            continue;
        }
        let e = by.entry(g.in_source[q]).or_default();
        e.0 += 1;
        *e.1.entry(kind.as_str()).or_default() += 1;
        let at = g.out_at[p];
        if at != crate::graph::NO_TIME {
            e.2 = Some(e.2.map_or(at, |t: i64| t.min(at)));
        }
    }
    let mut out: Vec<Follower> = by
        .into_iter()
        .map(|(v, (count, kinds, first))| Follower {
            node: ds.info(v).key.clone(),
            label: ds.info(v).label(),
            count,
            kinds,
            first: first.map(crate::iso),
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.node.cmp(&b.node)));
    out
}

/// Edge kinds that count as amplification, for documentation and filters.
pub const AMPLIFICATION_KINDS: [EdgeKind; 3] =
    [EdgeKind::Repost, EdgeKind::Forward, EdgeKind::Quote];

/// Distinct amplifiers shared by two hubs (for "who amplifies whom" overlaps).
pub fn shared_amplifiers(g: &Graph, a: NodeId, b: NodeId) -> usize {
    let amp = |v: NodeId| -> BTreeSet<NodeId> {
        g.in_range(v)
            .filter(|&q| g.out_kind[g.in_edge[q] as usize].is_amplification())
            .map(|q| g.in_source[q])
            .collect()
    };
    amp(a).intersection(&amp(b)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagerank_of_a_star_and_a_cycle() {
        // 1, 2, 3 point at 0: 0 ranks highest; ranks sum to 1.
        let e = [(1, 0), (2, 0), (3, 0)].map(|(s, t)| (s, t, 1.0, None, EdgeKind::Repost));
        let g = Graph::build(4, e.iter().copied()).unwrap();
        let (r, _) = pagerank(&g, &PageRankOptions::default());
        assert!((r.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(r[0] > r[1] && (r[1] - r[2]).abs() < 1e-12);
        // Reference: networkx 3.6.1 `pagerank(alpha=0.85, tol=1e-12)` gives 0.5419847328
        // for the centre and 0.1526717557 for each leaf.
        assert!((r[0] - 0.541_984_732_8).abs() < 1e-8, "{}", r[0]);
        assert!((r[1] - 0.152_671_755_7).abs() < 1e-8, "{}", r[1]);
        // A 3-cycle is uniform.
        let e = [(0, 1), (1, 2), (2, 0)].map(|(s, t)| (s, t, 1.0, None, EdgeKind::Reply));
        let g = Graph::build(3, e.iter().copied()).unwrap();
        let (r, _) = pagerank(&g, &PageRankOptions::default());
        assert!(r.iter().all(|x| (x - 1.0 / 3.0).abs() < 1e-9));
    }

    #[test]
    fn weights_shift_rank() {
        let e = [
            (0, 1, 9.0, None, EdgeKind::Repost),
            (0, 2, 1.0, None, EdgeKind::Repost),
        ];
        let g = Graph::build(3, e.iter().copied()).unwrap();
        let (r, _) = pagerank(&g, &PageRankOptions::default());
        // Reference: networkx 3.6.1 weighted pagerank: 0.2597402597, 0.4584415584, 0.2818181818.
        for (x, want) in r
            .iter()
            .zip([0.259_740_259_7, 0.458_441_558_4, 0.281_818_181_8])
        {
            assert!((x - want).abs() < 1e-8, "{x} vs {want}");
        }
    }
}
