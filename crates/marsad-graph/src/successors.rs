//! Re-created accounts (ban evasion): for each suspended or deleted account, the accounts of
//! the same platform created around its suspension, ranked by how much they look like it.
//!
//! Features (each in [0, 1]) and weights of the score:
//! | feature | weight | how |
//! |---|---|---|
//! | `handle_similarity` | 0.25 | normalised Levenshtein of the folded handles; 0.9 when the letter skeletons (digits and separators removed) are equal and at least 6 letters long |
//! | `name_similarity` | 0.15 | normalised Levenshtein of the folded display names |
//! | `bio_similarity` | 0.15 | word Jaccard of the bios |
//! | `avatar_pdq` | 0.20 | when both accounts have usable avatar images: `max(0, 1 − d/32)` for the smallest PDQ Hamming distance `d` between any avatar of one and any of the other (1 at 0 bits, 0.5 at 16, 1/32 at 31 — the last distance PDQ counts as a match — and 0 beyond) |
//! | `same_avatar_file` | (0.20) | fallback, weighted only when `avatar_pdq` is absent: same avatar file name in the avatar URLs (platform default avatars excluded) |
//! | `shared_links_channels` | 0.10 | Jaccard of the URLs and channels each posted |
//! | `audience_overlap` | 0.10 | Jaccard of the accounts each interacted with (either direction) |
//! | `creation_timing` | 0.05 | 1 when created within 48 h after the suspension, falling to 0 at `max_days` |
//!
//! A re-created account usually re-uses the same flag or logo, re-encoded or resized by the
//! platform, so the avatar *file name* differs while the PDQ hash stays within a few bits.
//! Avatar images come from `marsad import-avatars` (hashed by the media scan). An avatar is
//! usable when its PDQ quality is at least `avatar_min_quality` (Meta discards quality < 50:
//! flat images hash unreliably) and it is not a shared default: an image within 31 bits of
//! images used by more than `avatar_max_accounts` accounts in the whole dataset (platform
//! default avatars, a generic silhouette) says nothing about who re-created whom and is
//! ignored. Those clusters are counted with the exact multi-index search of `marsad-media`,
//! one query per distinct hash; pairs are compared only for a predecessor and its candidates.
//!
//! Candidates: created between `before_days` before the first suspended/deleted observation
//! and `max_days` after it (found by binary search in the accounts sorted by creation time).
//! A link predecessor → successor is kept for the best candidate scoring at least
//! `min_score`; links chain into lineages (A → A' → A'').

use crate::coord::normalize_url;
use crate::dataset::{Dataset, NodeId, NodeKind};
use crate::load::LineageLink;
use crate::normalize::{fold, jaccard, similarity, skeleton, word_jaccard};
use crate::{iso, Feature, GraphError, Micros};
use marsad_media::{Hash256, HashIndex};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Largest PDQ distance that counts as the same image (Meta's recommended threshold).
pub const PDQ_MATCH_DISTANCE: u32 = 31;

/// Weights of the score (see the module table).
const W_HANDLE: f64 = 0.25;
const W_NAME: f64 = 0.15;
const W_BIO: f64 = 0.15;
const W_AVATAR: f64 = 0.20;
const W_LINKS: f64 = 0.10;
const W_AUDIENCE: f64 = 0.10;
const W_TIMING: f64 = 0.05;

/// Parameters.
#[derive(Debug, Clone, Copy)]
pub struct SuccessorOptions {
    pub before_days: i64,
    pub max_days: i64,
    pub min_score: f64,
    /// Candidates listed per predecessor.
    pub top: usize,
    /// Avatar images with a lower PDQ quality are ignored.
    pub avatar_min_quality: u8,
    /// An avatar within 31 bits of images used by more than this many accounts is a shared
    /// default and ignored.
    pub avatar_max_accounts: usize,
}

impl Default for SuccessorOptions {
    fn default() -> Self {
        SuccessorOptions {
            before_days: 2,
            max_days: 30,
            min_score: 0.5,
            top: 3,
            avatar_min_quality: 50,
            avatar_max_accounts: 8,
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

/// Similarity of two avatars `d` PDQ bits apart: `max(0, 1 − d/32)` up to the match
/// threshold (31 bits → 1/32), 0 beyond it.
pub fn pdq_similarity(d: u32) -> f64 {
    if d > PDQ_MATCH_DISTANCE {
        0.0
    } else {
        1.0 - f64::from(d) / f64::from(PDQ_MATCH_DISTANCE + 1)
    }
}

/// One usable avatar of an account.
#[derive(Debug, Clone)]
struct UsableAvatar {
    sha256: String,
    pdq: Hash256,
}

/// The closest pair of avatars of two accounts.
#[derive(Debug, Clone, PartialEq)]
pub struct AvatarMatch {
    pub distance: u32,
    pub predecessor_sha256: String,
    pub candidate_sha256: String,
}

/// What the avatar filters did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AvatarFilterReport {
    /// Accounts with at least one usable avatar.
    pub accounts: usize,
    pub low_quality: usize,
    /// Avatar images ignored as shared defaults.
    pub shared_defaults: usize,
}

/// Each account's usable avatars: quality at least `min_quality`, and not within 31 bits of
/// images used by more than `max_accounts` accounts. Each distinct hash is searched once in
/// an exact multi-index (no all-pairs comparison).
fn usable_avatars(
    ds: &Dataset,
    min_quality: u8,
    max_accounts: usize,
) -> (HashMap<NodeId, Vec<UsableAvatar>>, AvatarFilterReport) {
    let mut rep = AvatarFilterReport::default();
    // Distinct hashes and the accounts using each.
    let mut hashes: Vec<Hash256> = Vec::new();
    let mut hash_id: HashMap<Hash256, usize> = HashMap::new();
    let mut users: Vec<BTreeSet<NodeId>> = Vec::new();
    let mut kept = Vec::new();
    for a in &ds.avatars {
        if a.quality < min_quality {
            rep.low_quality += 1;
            continue;
        }
        let id = *hash_id.entry(a.pdq).or_insert_with(|| {
            hashes.push(a.pdq);
            users.push(BTreeSet::new());
            hashes.len() - 1
        });
        users[id].insert(a.node);
        kept.push((a, id));
    }
    let mut shared = vec![false; hashes.len()];
    // The index numbers hashes in its own order: `input_of[index id]` is our id. (It can only
    // fail beyond 2^32 distinct hashes; then no image counts as a shared default.)
    let built = HashIndex::build(hashes.clone()).ok();
    let (index, input_of) = match built {
        Some((index, id_of_input)) => {
            let mut inv = vec![0usize; id_of_input.len()];
            for (input, &ix) in id_of_input.iter().enumerate() {
                inv[ix as usize] = input;
            }
            (index, inv)
        }
        None => (HashIndex::default(), Vec::new()),
    };
    let mut hits = Vec::new();
    for (id, h) in hashes.iter().enumerate() {
        if input_of.is_empty() {
            break;
        }
        index.search_into(h, PDQ_MATCH_DISTANCE, &mut hits);
        let mut accounts: BTreeSet<NodeId> = BTreeSet::new();
        for hit in &hits {
            accounts.extend(users[input_of[hit.id as usize]].iter().copied());
            if accounts.len() > max_accounts {
                shared[id] = true;
                break;
            }
        }
    }
    let mut out: HashMap<NodeId, Vec<UsableAvatar>> = HashMap::new();
    for (a, id) in kept {
        if shared[id] {
            rep.shared_defaults += 1;
            continue;
        }
        let v = out.entry(a.node).or_default();
        if !v.iter().any(|u| u.sha256 == a.sha256) {
            v.push(UsableAvatar {
                sha256: a.sha256.clone(),
                pdq: a.pdq,
            });
        }
    }
    rep.accounts = out.len();
    (out, rep)
}

/// The closest avatar pair of two accounts (ties: by sha256, for determinism).
fn closest_avatars(p: &[UsableAvatar], c: &[UsableAvatar]) -> Option<AvatarMatch> {
    let mut best: Option<AvatarMatch> = None;
    for a in p {
        for b in c {
            let d = a.pdq.distance(&b.pdq);
            let better = match &best {
                None => true,
                Some(m) => {
                    (d, a.sha256.as_str(), b.sha256.as_str())
                        < (
                            m.distance,
                            m.predecessor_sha256.as_str(),
                            m.candidate_sha256.as_str(),
                        )
                }
            };
            if better {
                best = Some(AvatarMatch {
                    distance: d,
                    predecessor_sha256: a.sha256.clone(),
                    candidate_sha256: b.sha256.clone(),
                });
            }
        }
    }
    best
}

/// The value of a feature by name (0 when absent).
fn feature(features: &[Feature], name: &str) -> Option<f64> {
    features
        .iter()
        .find(|f| f.name == name)
        .and_then(|f| f.value.as_f64())
}

/// Ranks successor candidates for every suspended or deleted account.
pub fn detect(ds: &Dataset, opts: &SuccessorOptions) -> Result<Vec<SuccessorFinding>, GraphError> {
    detect_with_report(ds, opts).map(|(f, _)| f)
}

/// [`detect`], also reporting what the avatar filters did.
pub fn detect_with_report(
    ds: &Dataset,
    opts: &SuccessorOptions,
) -> Result<(Vec<SuccessorFinding>, AvatarFilterReport), GraphError> {
    if opts.max_days <= 0 || opts.before_days < 0 {
        return Err(GraphError::Param {
            name: "successor window",
            message: "max_days must be > 0 and before_days ≥ 0".into(),
        });
    }
    let day: Micros = 86_400 * 1_000_000;
    let gone = ds.gone_at();
    let (avatars, avatar_report) =
        usable_avatars(ds, opts.avatar_min_quality, opts.avatar_max_accounts);
    // Accounts by platform, sorted by creation time: each predecessor's window is a range.
    let mut by_created: BTreeMap<String, Vec<(Micros, NodeId)>> = BTreeMap::new();
    for (c, ci) in ds.nodes.iter().enumerate() {
        if let (Some(NodeKind::Account), Some(created)) = (ci.kind, ci.created_at) {
            let platform = ci.platform.map(|p| p.to_string()).unwrap_or_default();
            by_created
                .entry(platform)
                .or_default()
                .push((created, c as NodeId));
        }
    }
    for v in by_created.values_mut() {
        v.sort_unstable();
    }
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
        let platform = pi.platform.map(|p| p.to_string()).unwrap_or_default();
        let window = by_created.get(&platform).map_or(&[][..], |v| {
            let lo = v.partition_point(|&(t, _)| t < at - opts.before_days * day);
            let hi = v.partition_point(|&(t, _)| t <= at + opts.max_days * day);
            &v[lo..hi]
        });
        let mut cands = Vec::new();
        for &(created, c) in window {
            let ci = ds.info(c);
            if c == p || ci.platform != pi.platform {
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
            let avatar_file_same = match (
                pi.avatar_url.as_deref().and_then(avatar_file),
                ci.avatar_url.as_deref().and_then(avatar_file),
            ) {
                (Some(a), Some(b)) if a == b => 1.0,
                _ => 0.0,
            };
            let pdq = match (avatars.get(&p), avatars.get(&c)) {
                (Some(a), Some(b)) => closest_avatars(a, b),
                _ => None,
            };
            let avatar = pdq
                .as_ref()
                .map_or(avatar_file_same, |m| pdq_similarity(m.distance));
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
            let score = W_HANDLE * h
                + W_NAME * name
                + W_BIO * bio
                + W_AVATAR * avatar
                + W_LINKS * links
                + W_AUDIENCE * aud
                + W_TIMING * timing;
            if score < opts.min_score / 2.0 {
                continue;
            }
            let mut features = vec![
                Feature::new("handle_similarity", h),
                Feature::new("name_similarity", name),
                Feature::new("bio_similarity", bio),
            ];
            match &pdq {
                Some(m) => features.push(
                    Feature::new("avatar_pdq", pdq_similarity(m.distance)).with_note(format!(
                        "{} bits between avatar {} and avatar {}",
                        m.distance, m.predecessor_sha256, m.candidate_sha256
                    )),
                ),
                None => features.push(Feature::new("same_avatar_file", avatar_file_same)),
            }
            features.extend([
                Feature::new("shared_links_channels", links),
                Feature::new("audience_overlap", aud),
                Feature::new("creation_timing", timing),
            ]);
            cands.push((
                Candidate {
                    node: ci.key.clone(),
                    label: ci.label(),
                    created_at: Some(iso(created)),
                    hours_after_suspension: Some((hours * 10.0).round() / 10.0),
                    score,
                    features,
                },
                pdq,
            ));
        }
        if cands.is_empty() {
            continue;
        }
        cands.sort_by(|a, b| {
            b.0.score
                .total_cmp(&a.0.score)
                .then(a.0.node.cmp(&b.0.node))
        });
        cands.truncate(opts.top);
        let likely = cands
            .first()
            .filter(|c| c.0.score >= opts.min_score)
            .map(|c| c.0.node.clone());
        let (best, best_pdq) = &cands[0];
        let avatar_text = match best_pdq {
            Some(m) => format!(
                "avatar PDQ {} bits: {} vs {}",
                m.distance, m.predecessor_sha256, m.candidate_sha256
            ),
            None => format!(
                "avatar file {:.0}",
                feature(&best.features, "same_avatar_file").unwrap_or(0.0)
            ),
        };
        let explanation = match &likely {
            Some(_) => format!(
                "{} was {} at {}; {} was created {} h later and scores {:.2} (handle {:.2}, name {:.2}, bio {:.2}, {avatar_text})",
                pi.label(),
                status,
                iso(at),
                best.label,
                best.hours_after_suspension.unwrap_or(0.0),
                best.score,
                feature(&best.features, "handle_similarity").unwrap_or(0.0),
                feature(&best.features, "name_similarity").unwrap_or(0.0),
                feature(&best.features, "bio_similarity").unwrap_or(0.0),
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
            candidates: cands.into_iter().map(|(c, _)| c).collect(),
            explanation,
        });
    }
    Ok((out, avatar_report))
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
    use crate::dataset::{Avatar, NodeInfo, StatusObs};
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

    fn suspend(ds: &mut Dataset, node: NodeId, at_h: i64) {
        ds.statuses.push(StatusObs {
            node,
            status: AccountStatus::Suspended,
            at: at_h * 3_600_000_000,
        });
    }

    fn avatar(ds: &mut Dataset, node: NodeId, sha: &str, pdq: Hash256, quality: u8) {
        ds.avatars.push(Avatar {
            node,
            sha256: sha.repeat(64 / sha.len()),
            pdq,
            quality,
        });
    }

    /// `base` with the first `n` bits flipped.
    fn flipped(base: Hash256, n: usize) -> Hash256 {
        let mut h = base;
        for k in 0..n {
            h.0[k / 64] ^= 1 << (k % 64);
        }
        h
    }

    const LOGO: Hash256 = Hash256([
        0x9a3c_55e1_07f2_c4d8,
        0x1b6e_f0a2_93d5_7c41,
        0xe2c7_18b4_5a0f_6d93,
        0x47d1_8c2e_b9a6_035f,
    ]);
    const OTHER: Hash256 = Hash256([
        0x65c3_aa1e_f80d_3b27,
        0xe491_0f5d_6c2a_83be,
        0x1d38_e74b_a5f0_926c,
        0xb82e_73d1_4659_fca0,
    ]);

    fn feature_of<'a>(c: &'a Candidate, name: &str) -> Option<&'a Feature> {
        c.features.iter().find(|f| f.name == name)
    }

    #[test]
    fn pdq_distance_to_similarity() {
        assert_eq!(pdq_similarity(0), 1.0);
        assert_eq!(pdq_similarity(16), 0.5);
        assert_eq!(pdq_similarity(31), 1.0 / 32.0);
        assert_eq!(pdq_similarity(32), 0.0);
        assert_eq!(pdq_similarity(128), 0.0);
        assert!((1..=31).all(|d| pdq_similarity(d) < pdq_similarity(d - 1)));
        assert!(LOGO.distance(&OTHER) > 100);
        assert_eq!(LOGO.distance(&flipped(LOGO, 5)), 5);
    }

    #[test]
    fn a_reencoded_avatar_outranks_a_different_one() {
        let mut ds = Dataset::new();
        let a = acct(&mut ds, "raya_media", "الراية", "وصف", "a1.jpg", 0);
        let same = acct(&mut ds, "raya_media2", "الراية 2", "وصف", "b7.jpg", 110);
        let other = acct(&mut ds, "raya_media3", "الراية 3", "وصف", "c9.jpg", 110);
        suspend(&mut ds, a, 100);
        avatar(&mut ds, a, "a", LOGO, 90);
        avatar(&mut ds, same, "b", flipped(LOGO, 6), 88);
        avatar(&mut ds, other, "c", OTHER, 90);
        let f = detect(&ds, &SuccessorOptions::default()).unwrap();
        let c = &f[0].candidates;
        assert_eq!(c[0].node, "x:raya_media2", "{c:?}");
        let pdq = feature_of(&c[0], "avatar_pdq").unwrap();
        assert_eq!(pdq.value.as_f64(), Some(pdq_similarity(6)));
        assert_eq!(
            pdq.note,
            format!(
                "6 bits between avatar {} and avatar {}",
                "a".repeat(64),
                "b".repeat(64)
            )
        );
        assert!(feature_of(&c[0], "same_avatar_file").is_none());
        let far = c.iter().find(|x| x.node == "x:raya_media3").unwrap();
        assert_eq!(
            feature_of(far, "avatar_pdq").unwrap().value.as_f64(),
            Some(0.0)
        );
        assert!((c[0].score - far.score - W_AVATAR * pdq_similarity(6)).abs() < 1e-9);
        assert!(
            f[0].explanation.contains("avatar PDQ 6 bits"),
            "{}",
            f[0].explanation
        );
        assert!(f[0].explanation.contains(&"b".repeat(64)));
    }

    #[test]
    fn shared_default_and_low_quality_avatars_are_ignored() {
        let mut ds = Dataset::new();
        let a = acct(&mut ds, "raya_media", "الراية", "وصف", "a1.jpg", 0);
        let b = acct(&mut ds, "raya_media2", "الراية 2", "وصف", "a1.jpg", 110);
        suspend(&mut ds, a, 100);
        avatar(&mut ds, a, "a", LOGO, 90);
        avatar(&mut ds, b, "b", flipped(LOGO, 2), 90);
        // Eight unrelated accounts use the same picture (a platform default), re-encoded.
        for k in 0..8 {
            let n = acct(&mut ds, &format!("user{k}"), "x", "y", "z.jpg", -500);
            avatar(&mut ds, n, "d", flipped(LOGO, k), 90);
        }
        let opts = SuccessorOptions::default();
        let (f, rep) = detect_with_report(&ds, &opts).unwrap();
        let c = &f[0].candidates[0];
        assert!(feature_of(c, "avatar_pdq").is_none(), "{c:?}");
        assert_eq!(
            feature_of(c, "same_avatar_file").unwrap().value.as_f64(),
            Some(1.0)
        );
        assert_eq!(rep.shared_defaults, 10);
        // With a higher limit the cluster of 10 accounts counts again.
        let (f, _) = detect_with_report(
            &ds,
            &SuccessorOptions {
                avatar_max_accounts: 10,
                ..opts
            },
        )
        .unwrap();
        let c = &f[0].candidates[0];
        assert_eq!(
            feature_of(c, "avatar_pdq").unwrap().value.as_f64(),
            Some(pdq_similarity(2))
        );
        // A low-quality avatar is not compared.
        let mut ds2 = Dataset::new();
        let a = acct(&mut ds2, "raya_media", "الراية", "وصف", "a1.jpg", 0);
        let b = acct(&mut ds2, "raya_media2", "الراية 2", "وصف", "b2.jpg", 110);
        suspend(&mut ds2, a, 100);
        avatar(&mut ds2, a, "a", LOGO, 30);
        avatar(&mut ds2, b, "b", LOGO, 90);
        let (f, rep) = detect_with_report(&ds2, &opts).unwrap();
        let c = &f[0].candidates[0];
        assert!(feature_of(c, "avatar_pdq").is_none());
        assert_eq!(
            feature_of(c, "same_avatar_file").unwrap().value.as_f64(),
            Some(0.0)
        );
        assert_eq!((rep.low_quality, rep.accounts), (1, 1));
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
