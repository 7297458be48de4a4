//! Derived edges: relations no platform records but posts reveal — two accounts that post in
//! the same channel (`co_channel`), post the same link (`shared_link`) or the same media file
//! (`shared_media`).
//!
//! For every channel, link or media file, the distinct accounts that posted it form a group;
//! each pair in a group gets one undirected edge (stored once, lower node id first) whose
//! weight is the number of groups the pair shares and whose time is the earliest moment both
//! had posted in one of them. Groups larger than [`SharedOptions::max_group`] are skipped and
//! counted: a link half the network posts (a news site, a popular channel) says nothing about
//! a relationship, and its pairs would grow with the square of the group.
//!
//! Invariants: deterministic (edges sorted by kind, source, target); only account authors
//! (a channel posting in itself is not a co-channel member); memory grows with the posts and
//! the pairs kept, never with skipped groups.

use crate::dataset::{Dataset, Edge, EdgeKind, NodeId, NodeKind};
use crate::Micros;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// How groups become edges.
#[derive(Debug, Clone)]
pub struct SharedOptions {
    /// Skip groups with more distinct accounts than this.
    pub max_group: usize,
}

impl Default for SharedOptions {
    fn default() -> Self {
        SharedOptions { max_group: 200 }
    }
}

/// What [`add_shared_edges`] built and skipped, per kind.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SharedReport {
    pub edges: BTreeMap<&'static str, u64>,
    pub groups: BTreeMap<&'static str, u64>,
    pub skipped_groups: BTreeMap<&'static str, u64>,
}

/// Adds the derived edges of `kinds` (others in the list are ignored) to the dataset.
pub fn add_shared_edges(
    ds: &mut Dataset,
    kinds: &[EdgeKind],
    opts: &SharedOptions,
) -> SharedReport {
    let mut rep = SharedReport::default();
    for kind in EdgeKind::DERIVED {
        if !kinds.contains(&kind) {
            continue;
        }
        // Group key → author → first time the author posted it.
        let mut groups: HashMap<&str, BTreeMap<NodeId, Option<Micros>>> = HashMap::new();
        let nodes = &ds.nodes;
        for p in &ds.posts {
            let Some(author) = p.author.filter(|&a| is_account(ds, a)) else {
                continue;
            };
            let keys: Vec<&str> = match kind {
                EdgeKind::CoChannel => p
                    .channel
                    .filter(|&c| c != author)
                    .map(|c| nodes[c as usize].key.as_str())
                    .into_iter()
                    .collect(),
                EdgeKind::SharedLink => p.links.iter().map(String::as_str).collect(),
                EdgeKind::SharedMedia => p.media.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            };
            for key in keys {
                let t = groups.entry(key).or_default().entry(author).or_insert(p.at);
                *t = earliest(*t, p.at);
            }
        }
        let mut pairs: BTreeMap<(NodeId, NodeId), (f32, Option<Micros>)> = BTreeMap::new();
        let (mut n_groups, mut skipped) = (0u64, 0u64);
        // Sorted group keys: the result must not depend on hash order.
        let mut keys: Vec<&str> = groups.keys().copied().collect();
        keys.sort_unstable();
        for key in keys {
            let Some(members) = groups.get(key) else {
                continue;
            };
            if members.len() < 2 {
                continue;
            }
            if members.len() > opts.max_group {
                skipped += 1;
                continue;
            }
            n_groups += 1;
            let members: Vec<(NodeId, Option<Micros>)> =
                members.iter().map(|(&n, &t)| (n, t)).collect();
            for (i, &(a, ta)) in members.iter().enumerate() {
                for &(b, tb) in &members[i + 1..] {
                    // Both had posted it from the later of their first posts on.
                    let both = match (ta, tb) {
                        (Some(x), Some(y)) => Some(x.max(y)),
                        _ => None,
                    };
                    let e = pairs.entry((a, b)).or_insert((0.0, both));
                    e.0 += 1.0;
                    e.1 = earliest(e.1, both);
                }
            }
        }
        let name = kind.as_str();
        rep.edges.insert(name, pairs.len() as u64);
        rep.groups.insert(name, n_groups);
        rep.skipped_groups.insert(name, skipped);
        ds.edges
            .extend(pairs.into_iter().map(|((a, b), (weight, at))| Edge {
                source: a,
                target: b,
                kind,
                at,
                weight,
                post: None,
            }));
    }
    tracing::info!(?rep.edges, ?rep.skipped_groups, "derived edges built");
    rep
}

fn is_account(ds: &Dataset, n: NodeId) -> bool {
    ds.nodes
        .get(n as usize)
        .is_some_and(|i| i.kind != Some(NodeKind::Channel))
}

/// The earlier of two optional times (a known time wins over an unknown one).
fn earliest(a: Option<Micros>, b: Option<Micros>) -> Option<Micros> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{NodeInfo, Post};

    fn account(ds: &mut Dataset, key: &str) -> NodeId {
        ds.upsert_node(NodeInfo {
            key: key.into(),
            kind: Some(NodeKind::Account),
            ..NodeInfo::default()
        })
    }

    fn post(
        author: NodeId,
        channel: Option<NodeId>,
        at: i64,
        links: &[&str],
        media: &[&str],
    ) -> Post {
        Post {
            author: Some(author),
            channel,
            at: Some(at),
            links: links.iter().map(|s| s.to_string()).collect(),
            media: media.iter().map(|s| s.to_string()).collect(),
            ..Post::default()
        }
    }

    #[test]
    fn pairs_weights_times_and_big_groups() {
        let mut ds = Dataset::new();
        let a = account(&mut ds, "x:a");
        let b = account(&mut ds, "x:b");
        let c = account(&mut ds, "x:c");
        let ch = ds.upsert_node(NodeInfo {
            key: "telegram:chan".into(),
            kind: Some(NodeKind::Channel),
            ..NodeInfo::default()
        });
        ds.posts = vec![
            post(a, Some(ch), 10, &["https://t.me/+abc"], &["m1"]),
            post(
                b,
                Some(ch),
                30,
                &["https://t.me/+abc", "https://x.com/z"],
                &["m1"],
            ),
            post(c, None, 20, &["https://x.com/z"], &[]),
            post(a, None, 5, &["https://x.com/z"], &[]),
            // The channel posting in itself is not a member.
            post(ch, Some(ch), 1, &[], &[]),
        ];
        let rep = add_shared_edges(
            &mut ds,
            &[
                EdgeKind::CoChannel,
                EdgeKind::SharedLink,
                EdgeKind::SharedMedia,
            ],
            &SharedOptions::default(),
        );
        let got: Vec<(EdgeKind, NodeId, NodeId, f32, Option<i64>)> = ds
            .edges
            .iter()
            .map(|e| (e.kind, e.source, e.target, e.weight, e.at))
            .collect();
        assert_eq!(
            got,
            vec![
                (EdgeKind::CoChannel, a, b, 1.0, Some(30)),
                // a and b share two links; the earliest moment both had one of them is 30
                // (t.me: 10 and 30; x.com/z: 5 and 30).
                (EdgeKind::SharedLink, a, b, 2.0, Some(30)),
                (EdgeKind::SharedLink, a, c, 1.0, Some(20)),
                (EdgeKind::SharedLink, b, c, 1.0, Some(30)),
                (EdgeKind::SharedMedia, a, b, 1.0, Some(30)),
            ]
        );
        assert_eq!(rep.edges["shared_link"], 3);
        // With groups of at most 2 accounts, the three-account link group is skipped.
        let mut ds2 = Dataset::new();
        let a = account(&mut ds2, "x:a");
        let b = account(&mut ds2, "x:b");
        let c = account(&mut ds2, "x:c");
        ds2.posts = vec![
            post(a, None, 1, &["u"], &[]),
            post(b, None, 2, &["u"], &[]),
            post(c, None, 3, &["u"], &[]),
        ];
        let rep = add_shared_edges(
            &mut ds2,
            &[EdgeKind::SharedLink],
            &SharedOptions { max_group: 2 },
        );
        assert!(ds2.edges.is_empty());
        assert_eq!(rep.skipped_groups["shared_link"], 1);
    }

    #[test]
    fn only_requested_kinds() {
        let mut ds = Dataset::new();
        let a = account(&mut ds, "x:a");
        let b = account(&mut ds, "x:b");
        ds.posts = vec![
            post(a, None, 1, &["u"], &["m"]),
            post(b, None, 2, &["u"], &["m"]),
        ];
        add_shared_edges(
            &mut ds,
            &[EdgeKind::SharedMedia, EdgeKind::Repost],
            &SharedOptions::default(),
        );
        assert_eq!(ds.edges.len(), 1);
        assert_eq!(ds.edges[0].kind, EdgeKind::SharedMedia);
    }
}
