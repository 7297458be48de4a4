//! Migration: where a network is, where it goes, and where its content appears first.
//!
//! - **Identities across platforms**: accounts are grouped by their folded handle with
//!   separators removed (`ansar_media9` on X, `ansar.media9` on TikTok); for each identity on
//!   at least two platforms: first seen (first post, else creation) and activity per day on
//!   each platform.
//! - **Invite links** (`t.me/+…`, `t.me/joinchat/…`, `chat.whatsapp.com/…`, `discord.gg/…`,
//!   any `/invite/` path): first appearance, appearances per platform, and the channels the
//!   spreaders then join: joins (member_of) within `follow_hours` after the first
//!   appearance, into the channels the link was posted in or into channels joined by at
//!   least two identities that spread or amplified the link elsewhere. A
//!   joiner whose identity spread or amplified the link on another platform has
//!   **followed** it across platforms.
//! - **First appearance of content**: text keys and media hashes posted on at least two
//!   platforms, with the first time on each, and a count of "platform A before platform B".

use crate::coord::{coord_text, normalize_url};
use crate::dataset::{Dataset, EdgeKind, NodeId, NodeKind};
use crate::normalize::fold;
use crate::{iso, Micros};
use marsad_model::Platform;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Parameters.
#[derive(Debug, Clone, Copy)]
pub struct MigrationOptions {
    pub follow_hours: i64,
    pub min_words: usize,
    /// Rows listed per section.
    pub top: usize,
}

impl Default for MigrationOptions {
    fn default() -> Self {
        MigrationOptions {
            follow_hours: 72,
            min_words: 4,
            top: 50,
        }
    }
}

/// Identity key of a handle: folded, only letters and digits.
pub fn identity(handle: &str) -> String {
    fold(handle.trim_start_matches('@'))
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Kind of invite link, or None when the URL is not one.
pub fn invite_kind(url: &str) -> Option<&'static str> {
    let u = normalize_url(url);
    if u.starts_with("t.me/+")
        || u.starts_with("t.me/joinchat/")
        || u.starts_with("telegram.me/joinchat/")
    {
        Some("telegram")
    } else if u.starts_with("chat.whatsapp.com/") {
        Some("whatsapp")
    } else if u.starts_with("discord.gg/") || u.starts_with("discord.com/invite/") {
        Some("discord")
    } else if u.contains("/invite/") {
        Some("invite")
    } else {
        None
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PlatformActivity {
    pub platform: String,
    pub accounts: Vec<String>,
    pub first_seen: Option<String>,
    pub posts: usize,
    /// Posts per day (`YYYY-MM-DD` → count).
    pub per_day: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    pub identity: String,
    pub platforms: Vec<PlatformActivity>,
    /// Platforms in order of first appearance.
    pub order: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Appearance {
    pub platform: String,
    pub posts: usize,
    pub accounts: usize,
    pub first: String,
    pub first_post: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Joined {
    pub channel: String,
    pub label: String,
    pub platform: String,
    pub joins: usize,
    pub first_join: String,
    /// Joiners whose identity spread or amplified the link on another platform.
    pub followed_from_other_platforms: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InviteLink {
    pub url: String,
    pub kind: &'static str,
    pub first_seen: String,
    pub first_platform: String,
    pub first_post: String,
    pub first_author: Option<String>,
    pub appearances: Vec<Appearance>,
    pub joins: Vec<Joined>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FirstAppearance {
    pub kind: &'static str,
    pub value: String,
    pub first_platform: String,
    /// Platform → first time.
    pub first_by_platform: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MigrationReport {
    pub identities: Vec<Identity>,
    pub invite_links: Vec<InviteLink>,
    pub content_first_seen: Vec<FirstAppearance>,
    /// "a→b" → number of contents that appeared on a before b.
    pub platform_precedence: BTreeMap<String, usize>,
}

fn day(t: Micros) -> String {
    iso(t).get(..10).unwrap_or_default().to_string()
}

fn pname(p: Option<Platform>) -> String {
    p.map_or_else(|| "unknown".to_string(), |p| p.to_string())
}

/// Builds the migration report.
pub fn analyse(ds: &Dataset, opts: &MigrationOptions) -> MigrationReport {
    // Identity of each account.
    let ident: Vec<Option<String>> = ds
        .nodes
        .iter()
        .map(|n| {
            (n.kind == Some(NodeKind::Account))
                .then(|| n.handle.as_deref().map(identity))
                .flatten()
                .filter(|s| s.chars().count() >= 4)
        })
        .collect();
    // Identities.
    let mut by_ident: BTreeMap<&str, BTreeMap<Platform, Vec<NodeId>>> = BTreeMap::new();
    for (v, id) in ident.iter().enumerate() {
        if let (Some(id), Some(p)) = (id, ds.nodes[v].platform) {
            by_ident
                .entry(id)
                .or_default()
                .entry(p)
                .or_default()
                .push(v as NodeId);
        }
    }
    let mut posts_of: BTreeMap<NodeId, Vec<Micros>> = BTreeMap::new();
    for p in &ds.posts {
        if let (Some(a), Some(at)) = (p.author, p.at) {
            posts_of.entry(a).or_default().push(at);
        }
    }
    let mut identities = Vec::new();
    for (id, plats) in &by_ident {
        if plats.len() < 2 {
            continue;
        }
        let mut rows = Vec::new();
        for (p, nodes) in plats {
            let times: Vec<Micros> = nodes
                .iter()
                .flat_map(|n| posts_of.get(n).cloned().unwrap_or_default())
                .collect();
            let first = times
                .iter()
                .min()
                .copied()
                .or_else(|| nodes.iter().filter_map(|&n| ds.info(n).created_at).min());
            let mut per_day = BTreeMap::new();
            for &t in &times {
                *per_day.entry(day(t)).or_default() += 1;
            }
            rows.push((
                first,
                PlatformActivity {
                    platform: p.to_string(),
                    accounts: nodes.iter().map(|&n| ds.info(n).key.clone()).collect(),
                    first_seen: first.map(iso),
                    posts: times.len(),
                    per_day,
                },
            ));
        }
        rows.sort_by_key(|(f, r)| (f.unwrap_or(i64::MAX), r.platform.clone()));
        identities.push(Identity {
            identity: id.to_string(),
            order: rows.iter().map(|(_, r)| r.platform.clone()).collect(),
            platforms: rows.into_iter().map(|(_, r)| r).collect(),
        });
    }
    identities.sort_by(|a, b| {
        b.platforms
            .len()
            .cmp(&a.platforms.len())
            .then(a.identity.cmp(&b.identity))
    });
    identities.truncate(opts.top);

    // Invite links.
    let mut links: BTreeMap<String, (&'static str, Vec<usize>)> = BTreeMap::new();
    for (i, p) in ds.posts.iter().enumerate() {
        for l in &p.links {
            if let Some(kind) = invite_kind(l) {
                links
                    .entry(normalize_url(l))
                    .or_insert((kind, Vec::new()))
                    .1
                    .push(i);
            }
        }
    }
    // Who amplified whose posts (to count amplifiers of link posts as spreaders).
    let mut amplifiers_of_post: BTreeMap<u32, Vec<NodeId>> = BTreeMap::new();
    for e in &ds.edges {
        if e.kind.is_amplification() {
            if let Some(p) = e.post {
                amplifiers_of_post.entry(p).or_default().push(e.source);
            }
        }
    }
    let follow = opts.follow_hours * 3_600_000_000;
    let mut invite_links = Vec::new();
    for (url, (kind, posts)) in links {
        let mut posts: Vec<usize> = posts
            .into_iter()
            .filter(|&i| ds.posts[i].at.is_some())
            .collect();
        posts.sort_by_key(|&i| (ds.posts[i].at, i));
        let Some(&first) = posts.first() else {
            continue;
        };
        let fp = &ds.posts[first];
        let t0 = fp.at.unwrap_or(0);
        let mut per: BTreeMap<String, (usize, BTreeSet<NodeId>, Micros, String)> = BTreeMap::new();
        // Spreaders: identity → platforms where they posted or amplified the link.
        let mut spread: BTreeMap<String, BTreeSet<Platform>> = BTreeMap::new();
        for &i in &posts {
            let p = &ds.posts[i];
            let at = p.at.unwrap_or(0);
            let e = per
                .entry(pname(p.platform))
                .or_insert((0, BTreeSet::new(), at, p.key.clone()));
            e.0 += 1;
            if let Some(a) = p.author {
                e.1.insert(a);
                if let (Some(id), Some(pl)) = (&ident[a as usize], p.platform) {
                    spread.entry(id.clone()).or_default().insert(pl);
                }
            }
            for &a in amplifiers_of_post
                .get(&(i as u32))
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                if let (Some(id), Some(pl)) = (&ident[a as usize], ds.info(a).platform) {
                    spread.entry(id.clone()).or_default().insert(pl);
                }
            }
        }
        let mut appearances: Vec<Appearance> = per
            .into_iter()
            .map(|(platform, (n, accts, first, post))| Appearance {
                platform,
                posts: n,
                accounts: accts.len(),
                first: iso(first),
                first_post: post,
            })
            .collect();
        appearances.sort_by(|a, b| a.first.cmp(&b.first));
        // Joins after the first appearance, into the channels the link was posted in or
        // channels that identities spreading it elsewhere joined.
        let posted_in: BTreeSet<NodeId> =
            posts.iter().filter_map(|&i| ds.posts[i].channel).collect();
        let mut joins: BTreeMap<NodeId, (usize, Micros, BTreeSet<String>)> = BTreeMap::new();
        for e in &ds.edges {
            if e.kind != EdgeKind::MemberOf {
                continue;
            }
            let Some(at) = e.at else { continue };
            if at < t0 || at > t0 + follow {
                continue;
            }
            let j = joins.entry(e.target).or_insert((0, at, BTreeSet::new()));
            j.0 += 1;
            j.1 = j.1.min(at);
            let jp = ds.info(e.source).platform;
            if let (Some(id), Some(jp)) = (&ident[e.source as usize], jp) {
                if spread.get(id).is_some_and(|ps| ps.iter().any(|&p| p != jp)) {
                    j.2.insert(ds.info(e.source).label());
                }
            }
        }
        let joined: Vec<Joined> = joins
            .into_iter()
            .filter(|(c, (_, _, followed))| followed.len() >= 2 || posted_in.contains(c))
            .map(|(c, (n, first, followed))| Joined {
                channel: ds.info(c).key.clone(),
                label: ds.info(c).label(),
                platform: pname(ds.info(c).platform),
                joins: n,
                first_join: iso(first),
                followed_from_other_platforms: followed.into_iter().collect(),
            })
            .collect();
        invite_links.push(InviteLink {
            url,
            kind,
            first_seen: iso(t0),
            first_platform: pname(fp.platform),
            first_post: fp.key.clone(),
            first_author: fp.author.map(|a| ds.info(a).label()),
            appearances,
            joins: joined,
        });
    }
    invite_links.sort_by(|a, b| a.first_seen.cmp(&b.first_seen).then(a.url.cmp(&b.url)));

    // First appearance of content across platforms.
    let mut firsts: BTreeMap<(&'static str, String), BTreeMap<Platform, Micros>> = BTreeMap::new();
    for p in &ds.posts {
        let (Some(pl), Some(at)) = (p.platform, p.at) else {
            continue;
        };
        let t = coord_text(&p.text);
        let mut keys: Vec<(&'static str, String)> = Vec::new();
        if t.split(' ').filter(|w| !w.is_empty()).count() >= opts.min_words {
            keys.push(("text", t));
        }
        keys.extend(p.media.iter().map(|m| ("media", m.clone())));
        for k in keys {
            let e = firsts.entry(k).or_default().entry(pl).or_insert(at);
            *e = (*e).min(at);
        }
    }
    let mut precedence: BTreeMap<String, usize> = BTreeMap::new();
    let mut content = Vec::new();
    for ((kind, value), by) in firsts {
        if by.len() < 2 {
            continue;
        }
        let mut order: Vec<(Micros, Platform)> = by.iter().map(|(p, t)| (*t, *p)).collect();
        order.sort();
        for (i, (_, a)) in order.iter().enumerate() {
            for (_, b) in &order[i + 1..] {
                *precedence.entry(format!("{a}→{b}")).or_default() += 1;
            }
        }
        content.push(FirstAppearance {
            kind,
            value,
            first_platform: order[0].1.to_string(),
            first_by_platform: by.iter().map(|(p, t)| (p.to_string(), iso(*t))).collect(),
        });
    }
    content.sort_by(|a, b| {
        b.first_by_platform
            .len()
            .cmp(&a.first_by_platform.len())
            .then(a.value.cmp(&b.value))
    });
    content.truncate(opts.top);
    MigrationReport {
        identities,
        invite_links,
        content_first_seen: content,
        platform_precedence: precedence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invite_kinds_and_identities() {
        assert_eq!(
            invite_kind("https://t.me/+Qm9XcL2vTzE4NjU0"),
            Some("telegram")
        );
        assert_eq!(
            invite_kind("https://rc.example.org/invite/k7Hq2N"),
            Some("invite")
        );
        assert_eq!(invite_kind("https://t.me/somechannel"), None);
        assert_eq!(identity("ansar_media9"), identity("@Ansar.Media9"));
    }
}
