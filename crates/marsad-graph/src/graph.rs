//! The compact graph: compressed sparse rows (CSR) of the out-edges and, for pull-style
//! algorithms, of the in-edges, built in O(n + m) by counting sort.

use crate::dataset::{Dataset, Edge, EdgeKind, NodeId};
use crate::{GraphError, Micros};
use marsad_model::Platform;

/// Which edges go into a graph. Empty lists mean "all". With a time window, edges whose
/// time is unknown are left out.
#[derive(Debug, Clone, Default)]
pub struct EdgeFilter {
    pub since: Option<Micros>,
    pub until: Option<Micros>,
    pub platforms: Vec<Platform>,
    pub kinds: Vec<EdgeKind>,
}

impl EdgeFilter {
    /// True when the edge passes (platform is the source node's).
    pub fn accepts(&self, e: &Edge, source_platform: Option<Platform>) -> bool {
        if !self.kinds.is_empty() && !self.kinds.contains(&e.kind) {
            return false;
        }
        if !self.platforms.is_empty()
            && !source_platform.is_some_and(|p| self.platforms.contains(&p))
        {
            return false;
        }
        if self.since.is_some() || self.until.is_some() {
            let Some(t) = e.at else { return false };
            if self.since.is_some_and(|s| t < s) || self.until.is_some_and(|u| t >= u) {
                return false;
            }
        }
        true
    }
}

/// Keeps only the edges that pass the filter, and the posts in its time window and
/// platforms (edges keep pointing at their posts).
pub fn restrict(ds: &mut Dataset, filter: &EdgeFilter) {
    let platforms: Vec<Option<Platform>> = ds.nodes.iter().map(|n| n.platform).collect();
    ds.edges
        .retain(|e| filter.accepts(e, platforms[e.source as usize]));
    let keep_post = |p: &crate::dataset::Post| {
        if !filter.platforms.is_empty()
            && !p.platform.is_some_and(|x| filter.platforms.contains(&x))
        {
            return false;
        }
        if filter.since.is_some() || filter.until.is_some() {
            let Some(t) = p.at else { return false };
            if filter.since.is_some_and(|s| t < s) || filter.until.is_some_and(|u| t >= u) {
                return false;
            }
        }
        true
    };
    let mut map = vec![None; ds.posts.len()];
    let mut kept = Vec::with_capacity(ds.posts.len());
    for (i, p) in std::mem::take(&mut ds.posts).into_iter().enumerate() {
        if keep_post(&p) {
            map[i] = Some(kept.len() as u32);
            kept.push(p);
        }
    }
    ds.posts = kept;
    for e in &mut ds.edges {
        e.post = e.post.and_then(|p| map[p as usize]);
    }
}

/// Time of an edge whose time is unknown, in [`Graph::out_at`].
pub const NO_TIME: Micros = i64::MIN;

/// A directed multigraph in CSR form. Node ids are the dataset's.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    n: usize,
    out_off: Vec<u32>,
    pub out_target: Vec<NodeId>,
    pub out_weight: Vec<f32>,
    pub out_kind: Vec<EdgeKind>,
    pub out_at: Vec<Micros>,
    in_off: Vec<u32>,
    pub in_source: Vec<NodeId>,
    /// Position of each in-edge in the out arrays (for its weight, kind and time).
    pub in_edge: Vec<u32>,
}

impl Graph {
    /// Builds the graph of the dataset's edges that pass the filter.
    pub fn from_dataset(ds: &Dataset, filter: &EdgeFilter) -> Result<Graph, GraphError> {
        let it = ds
            .edges
            .iter()
            .filter(|e| filter.accepts(e, ds.nodes[e.source as usize].platform))
            .map(|e| (e.source, e.target, e.weight, e.at, e.kind));
        Graph::build(ds.node_count(), it)
    }

    /// Builds from `(source, target, weight, time, kind)` edges over nodes `0..n`.
    pub fn build(
        n: usize,
        edges: impl Iterator<Item = (NodeId, NodeId, f32, Option<Micros>, EdgeKind)> + Clone,
    ) -> Result<Graph, GraphError> {
        let mut out_deg = vec![0u32; n + 1];
        let mut in_deg = vec![0u32; n + 1];
        let mut m: u64 = 0;
        for (s, t, ..) in edges.clone() {
            if s as usize >= n || t as usize >= n {
                return Err(GraphError::Param {
                    name: "edges",
                    message: format!("edge {s} -> {t} names a node outside 0..{n}"),
                });
            }
            out_deg[s as usize + 1] += 1;
            in_deg[t as usize + 1] += 1;
            m += 1;
        }
        if m >= u32::MAX as u64 {
            return Err(GraphError::Param {
                name: "edges",
                message: format!("{m} edges: at most {} are supported", u32::MAX - 1),
            });
        }
        for i in 0..n {
            out_deg[i + 1] += out_deg[i];
            in_deg[i + 1] += in_deg[i];
        }
        let m = m as usize;
        let mut g = Graph {
            n,
            out_target: vec![0; m],
            out_weight: vec![0.0; m],
            out_kind: vec![EdgeKind::Other; m],
            out_at: vec![NO_TIME; m],
            in_source: vec![0; m],
            in_edge: vec![0; m],
            out_off: out_deg.clone(),
            in_off: in_deg.clone(),
        };
        let mut out_pos = out_deg;
        let mut in_pos = in_deg;
        for (s, t, w, at, kind) in edges {
            let p = out_pos[s as usize] as usize;
            out_pos[s as usize] += 1;
            g.out_target[p] = t;
            g.out_weight[p] = w;
            g.out_kind[p] = kind;
            g.out_at[p] = at.unwrap_or(NO_TIME);
            let q = in_pos[t as usize] as usize;
            in_pos[t as usize] += 1;
            g.in_source[q] = s;
            g.in_edge[q] = p as u32;
        }
        Ok(g)
    }

    pub fn node_count(&self) -> usize {
        self.n
    }
    pub fn edge_count(&self) -> usize {
        self.out_target.len()
    }
    /// Positions of the out-edges of `v` in the out arrays.
    pub fn out_range(&self, v: NodeId) -> std::ops::Range<usize> {
        self.out_off[v as usize] as usize..self.out_off[v as usize + 1] as usize
    }
    /// Positions of the in-edges of `v` in the in arrays.
    pub fn in_range(&self, v: NodeId) -> std::ops::Range<usize> {
        self.in_off[v as usize] as usize..self.in_off[v as usize + 1] as usize
    }
    pub fn out_degree(&self, v: NodeId) -> usize {
        self.out_range(v).len()
    }
    pub fn in_degree(&self, v: NodeId) -> usize {
        self.in_range(v).len()
    }
    /// Sum of out-edge weights of every node.
    pub fn out_strength(&self) -> Vec<f64> {
        (0..self.n as NodeId)
            .map(|v| self.out_range(v).map(|p| self.out_weight[p] as f64).sum())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csr_holds_every_edge_both_ways() {
        let edges = [
            (0, 1, 1.0, Some(5), EdgeKind::Repost),
            (0, 2, 2.0, None, EdgeKind::Mention),
            (2, 1, 1.0, Some(7), EdgeKind::Reply),
        ];
        let g = Graph::build(3, edges.iter().copied()).unwrap();
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.out_degree(0), 2);
        assert_eq!(g.in_degree(1), 2);
        let ins: Vec<_> = g.in_range(1).map(|q| g.in_source[q]).collect();
        assert_eq!(ins, vec![0, 2]);
        let p = g.in_edge[g.in_range(1).start + 1] as usize;
        assert_eq!(g.out_kind[p], EdgeKind::Reply);
        assert_eq!(g.out_at[p], 7);
        assert!(Graph::build(2, edges.iter().copied()).is_err());
    }

    #[test]
    fn filter_by_kind_time_platform() {
        let e = Edge {
            source: 0,
            target: 1,
            kind: EdgeKind::Mention,
            at: Some(100),
            weight: 1.0,
            post: None,
        };
        let mut f = EdgeFilter::default();
        assert!(f.accepts(&e, Some(Platform::X)));
        f.kinds = vec![EdgeKind::Repost];
        assert!(!f.accepts(&e, Some(Platform::X)));
        f.kinds.clear();
        f.since = Some(101);
        assert!(!f.accepts(&e, Some(Platform::X)));
        f.since = Some(100);
        f.until = Some(101);
        assert!(f.accepts(&e, Some(Platform::X)));
        assert!(!f.accepts(&Edge { at: None, ..e }, Some(Platform::X)));
        f.platforms = vec![Platform::Telegram];
        assert!(!f.accepts(&e, Some(Platform::X)));
    }
}
