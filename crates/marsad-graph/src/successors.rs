//! Re-created accounts (ban evasion): for each suspended or deleted account, the accounts of
//! the same platform created around its suspension, ranked by how much they look like it.
//!
//! Features (each in [0, 1]) and weights of the score:
//! | feature | weight | how |
//! |---|---|---|
//! | `handle_similarity` | 0.30 | normalised Levenshtein of the folded handles; 0.9 when the letter skeletons (digits and separators removed) are equal and at least 6 letters long |
//! | `name_similarity` | 0.20 | normalised Levenshtein of the folded display names |
//! | `bio_similarity` | 0.15 | word Jaccard of the bios |
//! | `same_avatar_file` | 0.10 | same avatar file name (platform default avatars excluded) |
//! | `shared_links_channels` | 0.10 | Jaccard of the URLs and channels each posted |
//! | `audience_overlap` | 0.10 | Jaccard of the accounts each interacted with (either direction) |
//! | `creation_timing` | 0.05 | 1 when created within 48 h after the suspension, falling to 0 at `max_days` |
//!
//! Candidates: created between `before_days` before the first suspended/deleted observation
//! and `max_days` after it. A link predecessor → successor is kept for the best candidate
//! scoring at least `min_score`; links chain into lineages (A → A' → A'').

use crate::coord::normalize_url;
use crate::dataset::{Dataset, NodeId, NodeKind};
use crate::load::LineageLink;
use crate::normalize::{fold, jaccard, similarity, skeleton, word_jaccard};
use crate::{iso, Feature, GraphError, Micros};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Parameters.
#[derive(Debug, Clone, Copy)]
pub struct SuccessorOptions {
    pub before_days: i64,
    pub max_days: i64,
    pub min_score: f64,
    /// Candidates listed per predecessor.
    pub top: usize,
}

impl Default for SuccessorOptions {
    fn default() -> Self {
        SuccessorOptions {
            before_days: 2,
            max_days: 30,
            min_score: 0.5,
            top: 3,
        }
    }
}

/// A ranked candidate.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub node: String,
    pub label: String,
    pub created_at: Option<String>,
    pub hours_after_suspension: Option<f64>,
    pub score: f64,
    pub features: Vec<Feature>,
}

/// A suspended/deleted account with its candidates (finding category `ban_evasion` when the
/// best candidate reaches the threshold).
#[derive(Debug, Clone, Serialize)]
pub struct SuccessorFinding {
    pub category: &'static str,
    pub id: String,
    pub predecessor: String,
    pub predecessor_label: String,
    pub status: String,
    pub gone_at: String,
    /// True when the best candidate reaches `min_score`.
    pub likely_successor: Option<String>,
    pub candidates: Vec<Candidate>,
    pub explanation: String,
}

fn avatar_file(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let file = path.rsplit('/').next()?.to_ascii_lowercase();
    if file.is_empty() || file.contains("default_profile") || path.contains("/sticky/") {
        return None;
    }
    Some(file)
}

fn handle_similarity(a: &str, b: &str) -> f64 {
    let lev = similarity(&fold(a), &fold(b));
    let (sa, sb) = (skeleton(a), skeleton(b));
    let skel = if sa.chars().count() >= 6 && sa == sb {
        0.9
    } else {
        0.0
    };
    lev.max(skel)
}

/// Ranks successor candidates for every suspended or deleted account.
pub fn detect(ds: &Dataset, opts: &SuccessorOptions) -> Result<Vec<SuccessorFinding>, GraphError> {
    if opts.max_days <= 0 || opts.before_days < 0 {
        return Err(GraphError::Param {
            name: "successor window",
            message: "max_days must be > 0 and before_days ≥ 0".into(),
        });
    }
    let day: Micros = 86_400 * 1_000_000;
    let gone = ds.gone_at();
    // Per account: links/channels posted and the accounts it interacted with.
    let mut shared: BTreeMap<NodeId, BTreeSet<String>> = BTreeMap::new();
    for p in &ds.posts {
        if let Some(a) = p.author {
            let s = shared.entry(a).or_default();
            s.extend(p.links.iter().map(|l| normalize_url(l)));
            if let Some(c) = p.channel.filter(|&c| c != a) {
                s.insert(format!("channel {}", ds.info(c).key));
            }
        }
    }
    let mut audience: BTreeMap<NodeId, BTreeSet<NodeId>> = BTreeMap::new();
    for e in &ds.edges {
        audience.entry(e.source).or_default().insert(e.target);
        audience.entry(e.target).or_default().insert(e.source);
    }
    let empty_s = BTreeSet::new();
    let empty_n = BTreeSet::new();
    let mut preds: Vec<(NodeId, (marsad_model::AccountStatus, Micros))> =
        gone.into_iter().collect();
    preds.sort_by_key(|(n, (_, at))| (*at, ds.info(*n).key.clone()));
    let mut out = Vec::new();
    for (p, (status, at)) in preds {
        let pi = ds.info(p);
        if pi.kind != Some(NodeKind::Account) {
            continue;
        }
        let mut cands = Vec::new();
        for (c, ci) in ds.nodes.iter().enumerate() {
            let c = c as NodeId;
            if c == p || ci.kind != Some(NodeKind::Account) || ci.platform != pi.platform {
                continue;
            }
            let Some(created) = ci.created_at else {
                continue;
            };
            if created < at - opts.before_days * day || created > at + opts.max_days * day {
                continue;
            }
            if pi.created_at.is_some_and(|pc| created <= pc) {
                continue;
            }
            let h = match (&pi.handle, &ci.handle) {
                (Some(a), Some(b)) => handle_similarity(a, b),
                _ => 0.0,
            };
            let name = match (&pi.display_name, &ci.display_name) {
                (Some(a), Some(b)) => similarity(&fold(a), &fold(b)),
                _ => 0.0,
            };
            let bio = match (&pi.bio, &ci.bio) {
                (Some(a), Some(b)) => word_jaccard(a, b),
                _ => 0.0,
            };
            let avatar = match (
                pi.avatar_url.as_deref().and_then(avatar_file),
                ci.avatar_url.as_deref().and_then(avatar_file),
            ) {
                (Some(a), Some(b)) if a == b => 1.0,
                _ => 0.0,
            };
            let links = jaccard(
                shared.get(&p).unwrap_or(&empty_s),
                shared.get(&c).unwrap_or(&empty_s),
            );
            let aud = jaccard(
                audience.get(&p).unwrap_or(&empty_n),
                audience.get(&c).unwrap_or(&empty_n),
            );
            let hours = (created - at) as f64 / 3.6e9;
            let timing = if hours <= 48.0 {
                1.0
            } else {
                (1.0 - (hours - 48.0) / (opts.max_days as f64 * 24.0 - 48.0)).max(0.0)
            };
            let score = 0.30 * h
                + 0.20 * name
                + 0.15 * bio
                + 0.10 * avatar
                + 0.10 * links
                + 0.10 * aud
                + 0.05 * timing;
            if score < opts.min_score / 2.0 {
                continue;
            }
            cands.push(Candidate {
                node: ci.key.clone(),
                label: ci.label(),
                created_at: Some(iso(created)),
                hours_after_suspension: Some((hours * 10.0).round() / 10.0),
                score,
                features: vec![
                    Feature::new("handle_similarity", h),
                    Feature::new("name_similarity", name),
                    Feature::new("bio_similarity", bio),
                    Feature::new("same_avatar_file", avatar),
                    Feature::new("shared_links_channels", links),
                    Feature::new("audience_overlap", aud),
                    Feature::new("creation_timing", timing),
                ],
            });
        }
        if cands.is_empty() {
            continue;
        }
        cands.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.node.cmp(&b.node)));
        cands.truncate(opts.top);
        let likely = cands
            .first()
            .filter(|c| c.score >= opts.min_score)
            .map(|c| c.node.clone());
        let explanation = match &likely {
            Some(_) => format!(
                "{} was {} at {}; {} was created {} h later and scores {:.2} (handle {:.2}, name {:.2}, bio {:.2}, avatar {:.0})",
                pi.label(),
                status,
                iso(at),
                cands[0].label,
                cands[0].hours_after_suspension.unwrap_or(0.0),
                cands[0].score,
                cands[0].features[0].value.as_f64().unwrap_or(0.0),
                cands[0].features[1].value.as_f64().unwrap_or(0.0),
                cands[0].features[2].value.as_f64().unwrap_or(0.0),
                cands[0].features[3].value.as_f64().unwrap_or(0.0),
            ),
            None => format!(
                "{} was {} at {}; no candidate reaches {:.2}",
                pi.label(),
                status,
                iso(at),
                opts.min_score
            ),
        };
        out.push(SuccessorFinding {
            category: "ban_evasion",
            id: format!(
                "successor-{:016x}",
                xxhash_rust::xxh3::xxh3_64(pi.key.as_bytes())
            ),
            predecessor: pi.key.clone(),
            predecessor_label: pi.label(),
            status: status.to_string(),
            gone_at: iso(at),
            likely_successor: likely,
            candidates: cands,
            explanation,
        });
    }
    Ok(out)
}

/// The lineage links of the findings (best candidate above the threshold).
pub fn links(findings: &[SuccessorFinding], detected_at: Micros) -> Vec<LineageLink> {
    findings
        .iter()
        .filter_map(|f| {
            let s = f.likely_successor.as_ref()?;
            let c = f.candidates.iter().find(|c| &c.node == s)?;
            Some(LineageLink {
                predecessor: f.predecessor.clone(),
                successor: s.clone(),
                score: c.score,
                detected_at,
                features: serde_json::to_value(&c.features).unwrap_or_default(),
            })
        })
        .collect()
}

/// Lineage chains (A → A' → A'') from links; each chain starts at an account that is no
/// one's successor. Cycles are cut.
pub fn chains(links: &[LineageLink]) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, &str> = BTreeMap::new();
    let mut is_succ: BTreeSet<&str> = BTreeSet::new();
    for l in links {
        next.entry(l.predecessor.as_str())
            .or_insert(l.successor.as_str());
        is_succ.insert(l.successor.as_str());
    }
    let mut out = Vec::new();
    for &start in next.keys() {
        if is_succ.contains(start) {
            continue;
        }
        let mut chain = vec![start.to_string()];
        let mut cur = start;
        while let Some(&n) = next.get(cur) {
            if chain.iter().any(|c| c == n) {
                break;
            }
            chain.push(n.to_string());
            cur = n;
        }
        out.push(chain);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{NodeInfo, StatusObs};
    use marsad_model::{AccountStatus, Platform};

    fn acct(
        ds: &mut Dataset,
        h: &str,
        name: &str,
        bio: &str,
        avatar: &str,
        created_h: i64,
    ) -> NodeId {
        ds.upsert_node(NodeInfo {
            key: format!("x:{h}"),
            platform: Some(Platform::X),
            kind: Some(NodeKind::Account),
            handle: Some(h.into()),
            display_name: Some(name.into()),
            bio: Some(bio.into()),
            avatar_url: Some(format!("https://pbs.example/{avatar}")),
            created_at: Some(created_h * 3_600_000_000),
            ..NodeInfo::default()
        })
    }

    #[test]
    fn ranks_the_recreated_account_first() {
        let mut ds = Dataset::new();
        let a = acct(
            &mut ds,
            "khilafa_news3",
            "أخبار الخلافة | 3",
            "أخبار الخلافة وصف",
            "kh.jpg",
            0,
        );
        acct(
            &mut ds,
            "khilafa_news4",
            "أخبار الخلافة | 4",
            "أخبار الخلافة وصف عدنا",
            "kh.jpg",
            110,
        );
        acct(&mut ds, "football_fan", "Ali", "كرة القدم", "ball.jpg", 105);
        acct(&mut ds, "old_account", "أخبار الخلافة | 5", "x", "kh.jpg", 1);
        ds.statuses.push(StatusObs {
            node: a,
            status: AccountStatus::Suspended,
            at: 100 * 3_600_000_000,
        });
        let f = detect(&ds, &SuccessorOptions::default()).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].likely_successor.as_deref(), Some("x:khilafa_news4"));
        assert_eq!(f[0].candidates.len(), 1, "{:?}", f[0].candidates);
        assert_eq!(f[0].candidates[0].hours_after_suspension, Some(10.0));
        let l = links(&f, 0);
        assert_eq!(
            chains(&l),
            vec![vec![
                "x:khilafa_news3".to_string(),
                "x:khilafa_news4".into()
            ]]
        );
    }

    #[test]
    fn chains_follow_links_and_cut_cycles() {
        let link = |a: &str, b: &str| LineageLink {
            predecessor: a.into(),
            successor: b.into(),
            score: 1.0,
            detected_at: 0,
            features: serde_json::Value::Null,
        };
        let c = chains(&[link("a", "b"), link("b", "c"), link("x", "y")]);
        assert_eq!(c, vec![vec!["a", "b", "c"], vec!["x", "y"]]);
        assert!(chains(&[link("a", "b"), link("b", "a")]).is_empty());
        assert!(avatar_file(
            "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
        )
        .is_none());
    }
}
