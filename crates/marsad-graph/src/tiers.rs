//! Tiers of the "electronic army" model (official → supporting → sympathiser), per
//! community, with the features and the rule behind each decision.
//!
//! Only communities with an **outlet signal** (at least one member whose handle, display
//! name or bio matches the outlet lexicon [`OUTLET_LEXICON`]) are classified; the others
//! are listed as `unclassified`, so ordinary communities (news, football) get no role.
//! Within a classified community, in order:
//! 1. **official**: originates content (≥ 1 original post, less than half of its activity
//!    amplification) and is amplified by at least `min_amplifiers` accounts, and either
//!    matches the outlet lexicon or is amplified by at least `hub_amplifiers` accounts;
//! 2. **supporting**: amplified an official account and has an audience of its own (at least
//!    `own_audience` accounts amplify it, or at least `audience_followers` followers);
//! 3. **sympathiser**: amplified an official or outlet-lexicon account, or at least half of its
//!    activity is amplification of accounts in the community;
//! 4. otherwise no tier (`none`).

use crate::dataset::{Dataset, NodeId, NodeKind};
use crate::graph::Graph;
use crate::hubs::Measures;
use crate::normalize::fold;
use crate::Feature;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Outlet names and slogans of the official media apparatus (Latin and Arabic spellings).
pub const OUTLET_LEXICON: &[&str] = &[
    "amaq",
    "a3maq",
    "أعماق",
    "nashir",
    "ناشر",
    "naba",
    "النبأ",
    "furqan",
    "الفرقان",
    "khilafa",
    "khilafah",
    "الخلافة",
    "ajnad",
    "أجناد",
    "الدولة الإسلامية",
    "الدولة_الإسلامية",
    "باقية وتتمدد",
    "باقية_وتتمدد",
];

/// Parameters.
#[derive(Debug, Clone, Copy)]
pub struct TierOptions {
    pub min_amplifiers: usize,
    pub hub_amplifiers: usize,
    pub own_audience: usize,
    pub audience_followers: i64,
}

impl Default for TierOptions {
    fn default() -> Self {
        TierOptions {
            min_amplifiers: 3,
            hub_amplifiers: 10,
            own_audience: 2,
            audience_followers: 1000,
        }
    }
}

/// A tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Official,
    Supporting,
    Sympathiser,
    None,
    Unclassified,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Official => "official",
            Tier::Supporting => "supporting",
            Tier::Sympathiser => "sympathiser",
            Tier::None => "none",
            Tier::Unclassified => "unclassified",
        }
    }
}

/// The tier of one account with its reasons.
#[derive(Debug, Clone, Serialize)]
pub struct TierRow {
    pub node: String,
    pub label: String,
    pub platform: Option<String>,
    pub tier: Tier,
    pub rule: &'static str,
    pub features: Vec<Feature>,
}

/// One community's classification.
#[derive(Debug, Clone, Serialize)]
pub struct CommunityTiers {
    pub community: u32,
    pub size: usize,
    pub outlet_signal: Vec<String>,
    pub counts: BTreeMap<&'static str, usize>,
    /// Accounts with a tier (official, supporting, sympathiser), officials first.
    pub accounts: Vec<TierRow>,
}

/// Lexicon terms found in a node's profile.
pub fn lexicon_hits(ds: &Dataset, v: NodeId) -> Vec<&'static str> {
    let i = ds.info(v);
    let text = fold(&format!(
        "{} {} {}",
        i.handle.as_deref().unwrap_or(""),
        i.display_name.as_deref().unwrap_or(""),
        i.bio.as_deref().unwrap_or("")
    ));
    OUTLET_LEXICON
        .iter()
        .copied()
        .filter(|t| text.contains(&fold(t)))
        .collect()
}

/// Classifies every node; returns the tier per node and the per-community report.
pub fn classify(
    ds: &Dataset,
    g: &Graph,
    m: &Measures,
    membership: &[u32],
    opts: &TierOptions,
) -> (Vec<Tier>, Vec<CommunityTiers>) {
    let n = g.node_count();
    let mut tiers = vec![Tier::Unclassified; n];
    let mut groups: BTreeMap<u32, Vec<NodeId>> = BTreeMap::new();
    for (v, &c) in membership.iter().enumerate() {
        groups.entry(c).or_default().push(v as NodeId);
    }
    let hits: Vec<Vec<&'static str>> = (0..n as NodeId).map(|v| lexicon_hits(ds, v)).collect();
    let mut report = Vec::new();
    for (c, members) in groups {
        let signal: Vec<String> = members
            .iter()
            .filter(|&&v| !hits[v as usize].is_empty())
            .map(|&v| ds.info(v).label())
            .collect();
        if signal.is_empty() || members.len() < 2 {
            continue;
        }
        let set: BTreeSet<NodeId> = members.iter().copied().collect();
        // Pass 1: officials.
        let mut official = BTreeSet::new();
        for &v in &members {
            let i = v as usize;
            let made = m.amplifications_made[i];
            let orig = m.original_posts[i] as usize;
            let originates = orig >= 1 && made < orig;
            if originates
                && m.amplifiers[i] >= opts.min_amplifiers
                && (!hits[i].is_empty() || m.amplifiers[i] >= opts.hub_amplifiers)
            {
                official.insert(v);
            }
        }
        let mut rows = Vec::new();
        let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
        for &v in &members {
            let i = v as usize;
            // Whom v amplified, inside the community.
            let mut amplified_official = 0;
            let mut amplified_lexicon = 0;
            let mut amplified_in_community = 0;
            for p in g.out_range(v) {
                if !g.out_kind[p].is_amplification() {
                    continue;
                }
                let t = g.out_target[p];
                if official.contains(&t) {
                    amplified_official += 1;
                }
                if !hits[t as usize].is_empty() {
                    amplified_lexicon += 1;
                }
                if set.contains(&t) {
                    amplified_in_community += 1;
                }
            }
            let made = m.amplifications_made[i];
            let orig = m.original_posts[i] as usize;
            let amp_share = if made + orig == 0 {
                0.0
            } else {
                made as f64 / (made + orig) as f64
            };
            let (tier, rule) = if official.contains(&v) {
                (
                    Tier::Official,
                    "originates content, amplified by many, outlet lexicon or large hub",
                )
            } else if amplified_official > 0
                && (m.amplifiers[i] >= opts.own_audience
                    || ds
                        .info(v)
                        .followers
                        .is_some_and(|f| f >= opts.audience_followers))
            {
                (
                    Tier::Supporting,
                    "re-publishes official content and has its own audience",
                )
            } else if amplified_official > 0 || amplified_lexicon > 0 {
                (Tier::Sympathiser, "amplifies official / outlet accounts")
            } else if amp_share >= 0.5
                && amplified_in_community > 0
                && ds.info(v).kind == Some(NodeKind::Account)
            {
                (
                    Tier::Sympathiser,
                    "mostly amplification inside the community",
                )
            } else {
                (Tier::None, "no role")
            };
            tiers[i] = tier;
            *counts.entry(tier.as_str()).or_default() += 1;
            if tier != Tier::None {
                rows.push(TierRow {
                    node: ds.info(v).key.clone(),
                    label: ds.info(v).label(),
                    platform: ds.info(v).platform.map(|p| p.to_string()),
                    tier,
                    rule,
                    features: vec![
                        Feature::new("original_posts", orig),
                        Feature::new("amplifications_made", made),
                        Feature::new("amplification_share", amp_share),
                        Feature::new("amplifiers", m.amplifiers[i]),
                        Feature::new("amplifications_received", m.amplifications[i]),
                        Feature::new("in_degree", m.in_degree[i]),
                        Feature::new("followers", ds.info(v).followers),
                        Feature::new("pagerank", m.pagerank[i]),
                        Feature::new("amplified_official", amplified_official),
                        Feature::new("outlet_lexicon", hits[i].clone()),
                    ],
                });
            }
        }
        rows.sort_by(|a, b| {
            a.tier.cmp(&b.tier).then(
                b.features[7]
                    .value
                    .as_f64()
                    .unwrap_or(0.0)
                    .total_cmp(&a.features[7].value.as_f64().unwrap_or(0.0)),
            )
        });
        report.push(CommunityTiers {
            community: c,
            size: members.len(),
            outlet_signal: signal,
            counts,
            accounts: rows,
        });
    }
    (tiers, report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{Edge, EdgeKind, NodeInfo, Post};
    use crate::graph::EdgeFilter;

    #[test]
    fn outlet_supporter_sympathiser_and_unclassified() {
        let mut ds = Dataset::new();
        let acct = |ds: &mut Dataset, h: &str, name: &str| {
            ds.upsert_node(NodeInfo {
                key: format!("x:{h}"),
                kind: Some(NodeKind::Account),
                handle: Some(h.into()),
                display_name: Some(name.into()),
                ..NodeInfo::default()
            })
        };
        let outlet = acct(&mut ds, "a3maq_news", "وكالة أعماق");
        let sup = acct(&mut ds, "relay", "relay");
        let fans: Vec<NodeId> = (0..4)
            .map(|i| acct(&mut ds, &format!("fan{i}"), "fan"))
            .collect();
        let news = acct(&mut ds, "news", "Daily News");
        let readers: Vec<NodeId> = (0..4)
            .map(|i| acct(&mut ds, &format!("reader{i}"), "r"))
            .collect();
        let post = |ds: &mut Dataset, a: NodeId, amp: bool| {
            ds.posts.push(Post {
                key: format!("x:p{}", ds.posts.len()),
                author: Some(a),
                is_amplification: amp,
                ..Post::default()
            })
        };
        let e = |s, t| Edge {
            source: s,
            target: t,
            kind: EdgeKind::Repost,
            at: None,
            weight: 1.0,
            post: None,
        };
        for _ in 0..3 {
            post(&mut ds, outlet, false);
            post(&mut ds, news, false);
        }
        post(&mut ds, sup, false);
        ds.edges.push(e(sup, outlet));
        for &f in &fans {
            ds.edges.push(e(f, outlet));
            ds.edges.push(e(f, sup));
            post(&mut ds, f, true);
        }
        for &r in &readers {
            ds.edges.push(e(r, news));
        }
        let g = Graph::from_dataset(&ds, &EdgeFilter::default()).unwrap();
        let m = Measures::compute(&ds, &g);
        let mut membership = vec![0u32; ds.node_count()];
        membership[news as usize] = 1;
        for &r in &readers {
            membership[r as usize] = 1;
        }
        let (tiers, report) = classify(&ds, &g, &m, &membership, &TierOptions::default());
        assert_eq!(tiers[outlet as usize], Tier::Official);
        assert_eq!(tiers[sup as usize], Tier::Supporting);
        assert!(fans.iter().all(|&f| tiers[f as usize] == Tier::Sympathiser));
        assert_eq!(
            tiers[news as usize],
            Tier::Unclassified,
            "no outlet signal: no tiers"
        );
        assert_eq!(report.len(), 1);
        assert_eq!(report[0].accounts[0].tier, Tier::Official);
    }
}
