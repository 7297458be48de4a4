//! Brigades: many accounts mentioning, replying to or reporting one target in a short
//! window. The finding protects the **target**: "possible brigade against @X" tells a
//! platform or an analyst that reports against @X may be a campaign, not evidence.
//!
//! Method: the attention edges (mention, reply, reported) to each target, in time order, are
//! chained while consecutive edges are within `window` (default 15 min); a chain with at
//! least `min_sources` distinct sources is an episode. Each source is weighed by its history
//! (1 + one point for each of: member of a coordination cluster, account created less than
//! `new_account_days` before the episode, suspended or deleted at any time, flagged by the
//! caller as extremist); the swarm's text similarity is the share of its posts that carry
//! the episode's most common text key. Sources that interacted with the target before the
//! episode are counted apart (an existing audience is less suspicious).

use crate::coord::coord_text;
use crate::dataset::{Dataset, EdgeKind, NodeId};
use crate::{iso, Feature, GraphError, Micros};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Parameters.
#[derive(Debug, Clone, Copy)]
pub struct BrigadeOptions {
    pub window_secs: i64,
    pub min_sources: usize,
    pub new_account_days: i64,
}

impl Default for BrigadeOptions {
    fn default() -> Self {
        BrigadeOptions {
            window_secs: 15 * 60,
            min_sources: 10,
            new_account_days: 30,
        }
    }
}

/// What the caller knows about the sources' history.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub coordinated: BTreeSet<NodeId>,
    pub extremist: BTreeSet<NodeId>,
}

impl History {
    /// The history the analyses compute themselves: members of coordinated clusters
    /// (`coordinated`, from [`crate::coord::detect`]) and accounts the tier classification
    /// puts in an outlet network (official, supporting or sympathiser) of the Leiden
    /// communities found with `leiden`.
    pub fn compute(
        ds: &Dataset,
        coordinated: &crate::coord::CoordReport,
        leiden: &crate::community::LeidenOptions,
    ) -> Result<History, GraphError> {
        use crate::tiers::{classify, Tier, TierOptions};
        let g = crate::Graph::from_dataset(ds, &crate::EdgeFilter::default())?;
        let m = crate::hubs::Measures::compute(ds, &g);
        let part = crate::community::leiden(&crate::community::UGraph::from_directed(&g), leiden)?;
        let (tiers, _) = classify(ds, &g, &m, &part.membership, &TierOptions::default());
        Ok(History {
            coordinated: crate::coord::clustered_accounts(ds, coordinated),
            extremist: tiers
                .iter()
                .enumerate()
                .filter(|(_, t)| matches!(t, Tier::Official | Tier::Supporting | Tier::Sympathiser))
                .map(|(v, _)| v as NodeId)
                .collect(),
        })
    }
}

/// One source of a brigade with its weight.
#[derive(Debug, Clone, Serialize)]
pub struct BrigadeSource {
    pub node: String,
    pub label: String,
    pub edges: usize,
    pub weight: u32,
    pub reasons: Vec<&'static str>,
}

/// A possible brigade (finding category `brigade`).
#[derive(Debug, Clone, Serialize)]
pub struct Brigade {
    pub category: &'static str,
    pub id: String,
    pub target: String,
    pub target_label: String,
    pub alert: String,
    /// Always true: the finding is about protecting the target, not acting against it.
    pub protect_target: bool,
    pub score: f64,
    pub start: String,
    pub end: String,
    pub span_secs: i64,
    pub edges: usize,
    pub kinds: BTreeMap<&'static str, usize>,
    pub sources: Vec<BrigadeSource>,
    pub sample_texts: Vec<String>,
    pub features: Vec<Feature>,
    pub explanation: String,
}

/// Finds brigades in the dataset's attention edges.
pub fn detect(
    ds: &Dataset,
    history: &History,
    opts: &BrigadeOptions,
) -> Result<Vec<Brigade>, GraphError> {
    if opts.window_secs <= 0 || opts.min_sources < 2 {
        return Err(GraphError::Param {
            name: "brigade window / min_sources",
            message: "window must be ≥ 1 s and min_sources ≥ 2".into(),
        });
    }
    let window = opts.window_secs * 1_000_000;
    let gone = ds.gone_at();
    let mut by_target: HashMap<NodeId, Vec<usize>> = HashMap::new();
    for (i, e) in ds.edges.iter().enumerate() {
        // A repost or quote names the original author (`RT @x:`): amplification, not attention.
        let amplifying = e
            .post
            .is_some_and(|p| ds.posts.get(p as usize).is_some_and(|p| p.is_amplification));
        if e.kind.is_attention() && e.at.is_some() && !amplifying {
            by_target.entry(e.target).or_default().push(i);
        }
    }
    let mut targets: Vec<NodeId> = by_target.keys().copied().collect();
    targets.sort_unstable();
    let mut out = Vec::new();
    for t in targets {
        let mut idx = by_target.remove(&t).unwrap_or_default();
        idx.sort_by_key(|&i| (ds.edges[i].at, ds.edges[i].source));
        let at = |i: usize| ds.edges[i].at.unwrap_or(0);
        let mut s = 0;
        while s < idx.len() {
            let mut e = s + 1;
            while e < idx.len() && at(idx[e]) - at(idx[e - 1]) <= window {
                e += 1;
            }
            let chain = &idx[s..e];
            let sources: BTreeSet<NodeId> = chain.iter().map(|&i| ds.edges[i].source).collect();
            if sources.len() >= opts.min_sources {
                out.push(episode(ds, t, chain, &idx[..s], history, &gone, opts));
            }
            s = e;
        }
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    Ok(out)
}

fn episode(
    ds: &Dataset,
    target: NodeId,
    chain: &[usize],
    before: &[usize],
    history: &History,
    gone: &HashMap<NodeId, (marsad_model::AccountStatus, Micros)>,
    opts: &BrigadeOptions,
) -> Brigade {
    let start = chain
        .iter()
        .filter_map(|&i| ds.edges[i].at)
        .min()
        .unwrap_or(0);
    let end = chain
        .iter()
        .filter_map(|&i| ds.edges[i].at)
        .max()
        .unwrap_or(0);
    let prior: BTreeSet<NodeId> = before.iter().map(|&i| ds.edges[i].source).collect();
    let mut per: BTreeMap<NodeId, usize> = BTreeMap::new();
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut texts: BTreeMap<String, usize> = BTreeMap::new();
    let mut posts: BTreeSet<u32> = BTreeSet::new();
    for &i in chain {
        let e = &ds.edges[i];
        *per.entry(e.source).or_default() += 1;
        *kinds.entry(e.kind.as_str()).or_default() += 1;
        if let Some(p) = e.post {
            if posts.insert(p) {
                let k = coord_text(&ds.posts[p as usize].text);
                if !k.is_empty() {
                    *texts.entry(k).or_default() += 1;
                }
            }
        }
    }
    let new_cut = opts.new_account_days * 86_400 * 1_000_000;
    let mut sources = Vec::new();
    let (mut n_coord, mut n_new, mut n_gone, mut n_ext, mut n_prior) = (0, 0, 0, 0, 0);
    let mut weight_sum = 0u32;
    for (&s, &n) in &per {
        let info = ds.info(s);
        let mut reasons = Vec::new();
        if history.coordinated.contains(&s) {
            reasons.push("coordinated");
            n_coord += 1;
        }
        if info
            .created_at
            .is_some_and(|c| start - c < new_cut && c <= start + new_cut)
        {
            reasons.push("new_account");
            n_new += 1;
        }
        if gone.contains_key(&s) {
            reasons.push("suspended_or_deleted");
            n_gone += 1;
        }
        if history.extremist.contains(&s) {
            reasons.push("extremist_history");
            n_ext += 1;
        }
        if prior.contains(&s) {
            n_prior += 1;
        }
        let weight = 1 + reasons.len() as u32;
        weight_sum += weight;
        sources.push(BrigadeSource {
            node: info.key.clone(),
            label: info.label(),
            edges: n,
            weight,
            reasons,
        });
    }
    sources.sort_by(|a, b| b.weight.cmp(&a.weight).then(a.node.cmp(&b.node)));
    let n = per.len();
    let top_text = texts.values().copied().max().unwrap_or(0);
    let similarity = if posts.is_empty() {
        0.0
    } else {
        top_text as f64 / posts.len() as f64
    };
    let span = (end - start) / 1_000_000;
    let prior_share = n_prior as f64 / n as f64;
    let suspicious = (weight_sum as f64 - n as f64) / n as f64; // mean extra weight
                                                                // Score in [0, 1]: size (saturating at 3 × min_sources), speed, sameness, history,
                                                                // lowered by an existing audience.
    let size = (n as f64 / (3.0 * opts.min_sources as f64)).min(1.0);
    let speed = 1.0 - (span as f64 / opts.window_secs as f64 / 4.0).min(1.0);
    let score = ((0.35 * size + 0.15 * speed + 0.25 * similarity + 0.25 * suspicious.min(1.0))
        * (1.0 - 0.5 * prior_share))
        .clamp(0.0, 1.0);
    let tinfo = ds.info(target);
    let label = tinfo.label();
    let mut sample: Vec<(String, usize)> = texts.into_iter().collect();
    sample.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let id = format!(
        "brigade-{:016x}",
        xxhash_rust::xxh3::xxh3_64(format!("{}\n{start}", tinfo.key).as_bytes())
    );
    Brigade {
        category: "brigade",
        id,
        target: tinfo.key.clone(),
        target_label: label.clone(),
        alert: format!("possible brigade against {label}"),
        protect_target: true,
        score,
        start: iso(start),
        end: iso(end),
        span_secs: span,
        edges: chain.len(),
        kinds,
        sample_texts: sample.iter().take(5).map(|(t, _)| t.clone()).collect(),
        features: vec![
            Feature::new("sources", n),
            Feature::new("edges", chain.len()),
            Feature::new("span_secs", span),
            Feature::new("text_similarity", similarity)
                .with_note("share of the swarm's posts carrying its most common text"),
            Feature::new("coordinated_sources", n_coord),
            Feature::new("new_account_sources", n_new),
            Feature::new("suspended_sources", n_gone),
            Feature::new("extremist_sources", n_ext),
            Feature::new("prior_audience_sources", n_prior)
                .with_note("sources that interacted with the target before (less suspicious)"),
            Feature::new("mean_source_weight", weight_sum as f64 / n as f64),
        ],
        explanation: format!(
            "{n} accounts directed {} mention/reply/report edges at {label} within {span} s; \
             {:.0}% of their posts share one text; {n_coord} are in coordinated clusters, \
             {n_new} are new accounts, {n_gone} were suspended or deleted. Treat reports \
             against {label} from this window as a possible campaign.",
            chain.len(),
            similarity * 100.0
        ),
        sources,
    }
}

/// Edge kinds a brigade is made of.
pub const ATTENTION_KINDS: [EdgeKind; 3] = [EdgeKind::Mention, EdgeKind::Reply, EdgeKind::Reported];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{Edge, NodeInfo, NodeKind, Post};

    fn swarm(n: usize, gap_secs: i64) -> Dataset {
        let mut ds = Dataset::new();
        let t = ds.upsert_node(NodeInfo {
            key: "x:target".into(),
            handle: Some("blogger".into()),
            kind: Some(NodeKind::Account),
            ..NodeInfo::default()
        });
        for i in 0..n {
            let s = ds.upsert_node(NodeInfo {
                key: format!("x:s{i}"),
                kind: Some(NodeKind::Account),
                created_at: Some(0),
                ..NodeInfo::default()
            });
            let at = 10 * 86_400 * 1_000_000 + i as i64 * gap_secs * 1_000_000;
            ds.posts.push(Post {
                key: format!("x:p{i}"),
                author: Some(s),
                at: Some(at),
                text: "you will pay @blogger".into(),
                ..Post::default()
            });
            ds.edges.push(Edge {
                source: s,
                target: t,
                kind: EdgeKind::Mention,
                at: Some(at),
                weight: 1.0,
                post: Some(i as u32),
            });
        }
        ds
    }

    #[test]
    fn swarm_is_a_brigade_protecting_the_target() {
        let ds = swarm(12, 10);
        let mut h = History::default();
        h.coordinated.insert(1);
        let b = detect(&ds, &h, &BrigadeOptions::default()).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].alert, "possible brigade against @blogger");
        assert!(b[0].protect_target);
        assert_eq!(b[0].sources.len(), 12);
        assert_eq!(b[0].sources[0].reasons, vec!["coordinated", "new_account"]);
        assert!((b[0].features[3].value.as_f64().unwrap() - 1.0).abs() < 1e-9);
        assert!(b[0].score > 0.5, "{}", b[0].score);
    }

    #[test]
    fn slow_or_small_attention_is_not() {
        // One mention every 20 minutes: the chain breaks every time.
        assert!(detect(
            &swarm(12, 1200),
            &History::default(),
            &BrigadeOptions::default()
        )
        .unwrap()
        .is_empty());
        assert!(detect(
            &swarm(5, 10),
            &History::default(),
            &BrigadeOptions::default()
        )
        .unwrap()
        .is_empty());
    }
}
