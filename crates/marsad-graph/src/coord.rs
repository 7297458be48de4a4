//! Coordination: accounts that post the same thing at the same time, again and again.
//!
//! Method (after the co-tweet / co-retweet / co-link networks of Keller et al. 2020,
//! "Political Astroturfing on Twitter", and the coordinated link sharing of Giglietto et
//! al. 2020, CooRnet):
//! 1. every post yields **keys**: its normalised text ([`crate::normalize::text_key`], at least [`CoordOptions::min_words`] words), each media SHA-256, each URL, and
//!    its hashtag sequence (at least two hashtags, in order);
//! 2. posts of one key, in time order, form a **co-post event** when they follow each other
//!    within the window (default 60 s) and come from at least `min_accounts` distinct
//!    accounts; an event with more than `max_event_accounts` accounts is viral rather than
//!    coordinated and is skipped (and counted);
//! 3. two accounts are **linked** when they share at least `min_repetitions` events (the
//!    repetition threshold);
//! 4. **clusters** are the connected components of linked accounts with at least
//!    `min_cluster` members; each has a score (the share of its members' posts that are part
//!    of its events), its shared items (key, accounts, posts, time span) and its time span.
//!
//! Memory: one 32-byte occurrence per key of a post, sorted in place; pairs are counted
//! only inside events.

use crate::dataset::{Dataset, NodeId};
use crate::normalize::text_key;
use crate::{iso, Feature, GraphError, Micros};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a key is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    Text,
    Media,
    Url,
    Hashtags,
}

impl KeyKind {
    fn tag(self) -> u8 {
        self as u8
    }
}

/// One key of one post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    pub key: u64,
    pub kind: KeyKind,
    pub at: Micros,
    pub account: NodeId,
    /// Index of the post in [`Dataset::posts`] (or any caller-defined id).
    pub post: u32,
}

/// Parameters.
#[derive(Debug, Clone, Copy)]
pub struct CoordOptions {
    pub window_secs: i64,
    pub min_accounts: usize,
    pub min_repetitions: u32,
    pub min_cluster: usize,
    pub max_event_accounts: usize,
    pub min_words: usize,
    /// Clusters scoring below this are not reported.
    pub min_score: f64,
}

impl Default for CoordOptions {
    fn default() -> Self {
        CoordOptions {
            window_secs: 60,
            min_accounts: 3,
            min_repetitions: 1,
            min_cluster: 3,
            max_event_accounts: 500,
            min_words: 3,
            min_score: 0.0,
        }
    }
}

impl CoordOptions {
    pub fn validate(&self) -> Result<(), GraphError> {
        if self.window_secs <= 0 {
            return Err(GraphError::Param {
                name: "window",
                message: "must be at least 1 second".into(),
            });
        }
        if self.min_accounts < 2 || self.min_cluster < 2 {
            return Err(GraphError::Param {
                name: "min_accounts",
                message: "events and clusters need at least 2 accounts".into(),
            });
        }
        if self.min_repetitions < 1 {
            return Err(GraphError::Param {
                name: "min_repetitions",
                message: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

fn hash(kind: KeyKind, s: &str) -> u64 {
    let mut buf = Vec::with_capacity(s.len() + 1);
    buf.push(kind.tag());
    buf.extend_from_slice(s.as_bytes());
    xxhash_rust::xxh3::xxh3_64(&buf)
}

/// The text key of a post for coordination: [`text_key`] (no URLs, mentions, hashtags).
pub fn coord_text(text: &str) -> String {
    text_key(text)
}

/// The keys of one post.
pub fn post_keys(
    text: &str,
    media: &[String],
    links: &[String],
    hashtags: &[String],
    min_words: usize,
) -> Vec<(KeyKind, u64)> {
    let mut out = Vec::new();
    let t = coord_text(text);
    if t.split(' ').filter(|w| !w.is_empty()).count() >= min_words {
        out.push((KeyKind::Text, hash(KeyKind::Text, &t)));
    }
    for m in media {
        out.push((
            KeyKind::Media,
            hash(KeyKind::Media, &m.to_ascii_lowercase()),
        ));
    }
    for l in links {
        out.push((KeyKind::Url, hash(KeyKind::Url, &normalize_url(l))));
    }
    if hashtags.len() >= 2 {
        let seq: Vec<String> = hashtags.iter().map(|h| crate::normalize::fold(h)).collect();
        out.push((KeyKind::Hashtags, hash(KeyKind::Hashtags, &seq.join(" "))));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// URL as compared: lower-case scheme and host, no `www.`, no fragment, no trailing slash.
pub fn normalize_url(u: &str) -> String {
    let u = u.trim();
    let u = u.split('#').next().unwrap_or(u);
    let rest = match u.split_once("://") {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
        {
            rest
        }
        _ => u,
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        host.to_string()
    } else {
        format!("{host}/{path}")
    }
}

/// Every key occurrence of the dataset's posts with an author and a time.
pub fn occurrences(ds: &Dataset, min_words: usize) -> Vec<Occurrence> {
    let mut out = Vec::new();
    for (i, p) in ds.posts.iter().enumerate() {
        let (Some(account), Some(at)) = (p.author, p.at) else {
            continue;
        };
        for (kind, key) in post_keys(&p.text, &p.media, &p.links, &p.hashtags, min_words) {
            out.push(Occurrence {
                key,
                kind,
                at,
                account,
                post: i as u32,
            });
        }
    }
    out
}

/// A co-post event: one key posted by several accounts in quick succession.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: KeyKind,
    pub key: u64,
    pub accounts: Vec<NodeId>,
    pub posts: Vec<u32>,
    pub start: Micros,
    pub end: Micros,
}

/// Finds the co-post events (sorts `occ` in place).
pub fn events(occ: &mut [Occurrence], opts: &CoordOptions) -> (Vec<Event>, u64) {
    occ.sort_unstable_by(|a, b| {
        (a.key, a.kind, a.at, a.account).cmp(&(b.key, b.kind, b.at, b.account))
    });
    let window = opts.window_secs.saturating_mul(1_000_000);
    let mut out = Vec::new();
    let mut viral = 0u64;
    let mut i = 0;
    let mut accounts: Vec<NodeId> = Vec::new();
    while i < occ.len() {
        // A chain: same key, consecutive gaps within the window.
        let mut j = i + 1;
        while j < occ.len()
            && occ[j].key == occ[i].key
            && occ[j].kind == occ[i].kind
            && occ[j].at - occ[j - 1].at <= window
        {
            j += 1;
        }
        if j - i >= opts.min_accounts {
            accounts.clear();
            accounts.extend(occ[i..j].iter().map(|o| o.account));
            accounts.sort_unstable();
            accounts.dedup();
            if accounts.len() > opts.max_event_accounts {
                viral += 1;
            } else if accounts.len() >= opts.min_accounts {
                let mut posts: Vec<u32> = occ[i..j].iter().map(|o| o.post).collect();
                posts.sort_unstable();
                posts.dedup();
                out.push(Event {
                    kind: occ[i].kind,
                    key: occ[i].key,
                    accounts: accounts.clone(),
                    posts,
                    start: occ[i].at,
                    end: occ[j - 1].at,
                });
            }
        }
        i = j;
    }
    (out, viral)
}

/// A shared item of a cluster.
#[derive(Debug, Clone, Serialize)]
pub struct SharedItem {
    pub kind: KeyKind,
    /// The text, URL, media hash or hashtag sequence (from the first post of the event).
    pub value: String,
    pub accounts: usize,
    pub posts: Vec<String>,
    pub start: String,
    pub end: String,
    pub span_secs: i64,
}

/// A coordinated cluster (finding category `coordination`).
#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    pub category: &'static str,
    pub id: String,
    pub score: f64,
    pub accounts: Vec<ClusterAccount>,
    pub events: usize,
    pub shared_items: Vec<SharedItem>,
    pub start: String,
    pub end: String,
    pub features: Vec<Feature>,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterAccount {
    pub node: String,
    pub label: String,
    /// Events of the cluster this account took part in.
    pub events: usize,
    pub posts: usize,
}

/// The result of [`detect`].
#[derive(Debug, Clone, Serialize)]
pub struct CoordReport {
    pub window_secs: i64,
    pub min_accounts: usize,
    pub min_repetitions: u32,
    pub occurrences: usize,
    pub events: usize,
    pub viral_events_skipped: u64,
    pub clusters: Vec<Cluster>,
}

/// Clusters of accounts linked by shared events: (members, event indices).
pub fn cluster_events(events: &[Event], opts: &CoordOptions) -> Vec<(Vec<NodeId>, Vec<usize>)> {
    let mut pairs: HashMap<(NodeId, NodeId), u32> = HashMap::new();
    for e in events {
        for (x, &a) in e.accounts.iter().enumerate() {
            for &b in &e.accounts[x + 1..] {
                *pairs.entry((a, b)).or_default() += 1;
            }
        }
    }
    // Union-find over linked pairs.
    let mut parent: HashMap<NodeId, NodeId> = HashMap::new();
    fn find(p: &mut HashMap<NodeId, NodeId>, x: NodeId) -> NodeId {
        let mut r = x;
        while let Some(&q) = p.get(&r) {
            if q == r {
                break;
            }
            r = q;
        }
        let mut y = x;
        while y != r {
            let next = p.get(&y).copied().unwrap_or(r);
            p.insert(y, r);
            y = next;
        }
        r
    }
    let mut linked: Vec<(NodeId, NodeId)> = pairs
        .into_iter()
        .filter(|&(_, n)| n >= opts.min_repetitions)
        .map(|(p, _)| p)
        .collect();
    linked.sort_unstable();
    for &(a, b) in &linked {
        parent.entry(a).or_insert(a);
        parent.entry(b).or_insert(b);
        let ra = find(&mut parent, a);
        let rb = find(&mut parent, b);
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent.insert(hi, lo);
        }
    }
    let nodes: Vec<NodeId> = parent.keys().copied().collect();
    let mut groups: BTreeMap<NodeId, Vec<NodeId>> = BTreeMap::new();
    for v in nodes {
        let r = find(&mut parent, v);
        groups.entry(r).or_default().push(v);
    }
    let mut out = Vec::new();
    for (_, mut members) in groups {
        if members.len() < opts.min_cluster {
            continue;
        }
        members.sort_unstable();
        let set: BTreeSet<NodeId> = members.iter().copied().collect();
        let evs: Vec<usize> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.accounts.iter().filter(|a| set.contains(a)).count() >= 2)
            .map(|(i, _)| i)
            .collect();
        out.push((members, evs));
    }
    out
}

/// Runs coordination detection on the dataset's posts.
pub fn detect(ds: &Dataset, opts: &CoordOptions) -> Result<CoordReport, GraphError> {
    opts.validate()?;
    let mut occ = occurrences(ds, opts.min_words);
    let n_occ = occ.len();
    let (events, viral) = events(&mut occ, opts);
    drop(occ);
    let groups = cluster_events(&events, opts);
    let mut posts_by_author = vec![0usize; ds.node_count()];
    for p in &ds.posts {
        if let Some(a) = p.author {
            posts_by_author[a as usize] += 1;
        }
    }
    let mut clusters = Vec::new();
    for (members, evs) in groups {
        let set: BTreeSet<NodeId> = members.iter().copied().collect();
        let mut acc_events: BTreeMap<NodeId, usize> = BTreeMap::new();
        let mut coordinated_posts: BTreeSet<u32> = BTreeSet::new();
        let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
        let (mut start, mut end) = (i64::MAX, i64::MIN);
        let mut items = Vec::new();
        for &i in &evs {
            let e = &events[i];
            start = start.min(e.start);
            end = end.max(e.end);
            *kinds
                .entry(match e.kind {
                    KeyKind::Text => "text",
                    KeyKind::Media => "media",
                    KeyKind::Url => "url",
                    KeyKind::Hashtags => "hashtags",
                })
                .or_default() += 1;
            for a in e.accounts.iter().filter(|a| set.contains(a)) {
                *acc_events.entry(*a).or_default() += 1;
            }
            let member_posts: Vec<u32> = e
                .posts
                .iter()
                .copied()
                .filter(|&p| {
                    ds.posts[p as usize]
                        .author
                        .is_some_and(|a| set.contains(&a))
                })
                .collect();
            coordinated_posts.extend(member_posts.iter().copied());
            let first = &ds.posts[e.posts[0] as usize];
            items.push(SharedItem {
                kind: e.kind,
                value: key_value(e.kind, first, opts.min_words),
                accounts: e.accounts.iter().filter(|a| set.contains(a)).count(),
                posts: member_posts
                    .iter()
                    .map(|&p| ds.posts[p as usize].key.clone())
                    .collect(),
                start: iso(e.start),
                end: iso(e.end),
                span_secs: (e.end - e.start) / 1_000_000,
            });
        }
        let total_posts: usize = members.iter().map(|&a| posts_by_author[a as usize]).sum();
        let score = if total_posts == 0 {
            0.0
        } else {
            coordinated_posts.len() as f64 / total_posts as f64
        };
        if score < opts.min_score {
            continue;
        }
        items.sort_by(|a, b| b.accounts.cmp(&a.accounts).then(a.start.cmp(&b.start)));
        let accounts: Vec<ClusterAccount> = members
            .iter()
            .map(|&a| ClusterAccount {
                node: ds.info(a).key.clone(),
                label: ds.info(a).label(),
                events: acc_events.get(&a).copied().unwrap_or(0),
                posts: posts_by_author[a as usize],
            })
            .collect();
        let largest = items.first().map_or(0, |i| i.accounts);
        let id = format!(
            "coord-{:016x}",
            xxhash_rust::xxh3::xxh3_64(
                members
                    .iter()
                    .map(|&a| ds.info(a).key.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
                    .as_bytes()
            )
        );
        let explanation = format!(
            "{} accounts posted the same content within {} s of each other in {} event(s) \
             (largest: {} accounts); {:.0}% of their posts are part of these events",
            members.len(),
            opts.window_secs,
            evs.len(),
            largest,
            score * 100.0
        );
        clusters.push(Cluster {
            category: "coordination",
            id,
            score,
            features: vec![
                Feature::new("accounts", members.len()),
                Feature::new("events", evs.len()),
                Feature::new("largest_event_accounts", largest),
                Feature::new(
                    "event_kinds",
                    serde_json::to_value(&kinds).unwrap_or_default(),
                ),
                Feature::new("coordinated_posts", coordinated_posts.len()),
                Feature::new("member_posts", total_posts),
                Feature::new("coordinated_share", score).with_note(
                    "share of the members' posts that are part of the events (the score)",
                ),
                Feature::new("window_secs", opts.window_secs),
                Feature::new("span_secs", (end - start) / 1_000_000),
            ],
            accounts,
            events: evs.len(),
            shared_items: items,
            start: iso(start),
            end: iso(end),
            explanation,
        });
    }
    clusters.sort_by(|a, b| {
        b.accounts
            .len()
            .cmp(&a.accounts.len())
            .then(b.score.total_cmp(&a.score))
            .then(a.id.cmp(&b.id))
    });
    Ok(CoordReport {
        window_secs: opts.window_secs,
        min_accounts: opts.min_accounts,
        min_repetitions: opts.min_repetitions,
        occurrences: n_occ,
        events: events.len(),
        viral_events_skipped: viral,
        clusters,
    })
}

fn key_value(kind: KeyKind, p: &crate::dataset::Post, min_words: usize) -> String {
    match kind {
        KeyKind::Text => coord_text(&p.text),
        KeyKind::Media => p.media.first().cloned().unwrap_or_default(),
        KeyKind::Url => p
            .links
            .first()
            .map(|l| normalize_url(l))
            .unwrap_or_default(),
        KeyKind::Hashtags => {
            let _ = min_words;
            p.hashtags
                .iter()
                .map(|h| format!("#{h}"))
                .collect::<Vec<_>>()
                .join(" ")
        }
    }
}

/// The set of accounts in any cluster (used by brigades to weigh reporters).
/// Accounts in one co-post event that make a cluster reportable without repetition.
pub const BURST_ACCOUNTS: usize = 8;

/// Smallest score (share of the members' posts in the cluster's events) of a reportable
/// cluster: members of a busy group chat who now and then type the same `علي راسي` form a
/// repeated cluster whose events are 1 % of their posts — that is conversation, not
/// coordination.
pub const REPORT_MIN_SCORE: f64 = 0.2;

/// The clusters worth an analyst's time, with why: small chance collisions (three accounts
/// typing the same common sentence within a minute, once) are frequent in large data and are
/// not coordination. A cluster is kept when its accounts co-posted **repeatedly** (every link
/// seen at least twice: `min_repetitions = max(2, opts.min_repetitions)`, the published
/// methods' repetition threshold; reason `repeated`), or when **one event** gathered at least
/// [`BURST_ACCOUNTS`] accounts (reason `burst`), and its score is at least
/// [`REPORT_MIN_SCORE`]. The report is `detect` with `opts`, its clusters replaced by these (a
/// cluster found both ways is listed once, as `repeated`).
pub fn reportable(
    ds: &Dataset,
    opts: &CoordOptions,
) -> Result<(CoordReport, Vec<&'static str>), GraphError> {
    let mut all = detect(ds, opts)?;
    let repeated = detect(
        ds,
        &CoordOptions {
            min_repetitions: opts.min_repetitions.max(2),
            ..*opts
        },
    )?;
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut clusters = Vec::new();
    let mut why = Vec::new();
    for c in repeated.clusters {
        if c.score >= REPORT_MIN_SCORE && seen.insert(c.id.clone()) {
            clusters.push(c);
            why.push("repeated");
        }
    }
    for c in std::mem::take(&mut all.clusters) {
        let largest = c.shared_items.iter().map(|i| i.accounts).max().unwrap_or(0);
        if largest >= BURST_ACCOUNTS && c.score >= REPORT_MIN_SCORE && seen.insert(c.id.clone()) {
            clusters.push(c);
            why.push("burst");
        }
    }
    all.clusters = clusters;
    Ok((all, why))
}

pub fn clustered_accounts(ds: &Dataset, report: &CoordReport) -> BTreeSet<NodeId> {
    report
        .clusters
        .iter()
        .flat_map(|c| c.accounts.iter())
        .filter_map(|a| ds.find(&a.node))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{NodeInfo, NodeKind, Post};

    fn ds_with(posts: &[(&str, i64, &str)]) -> Dataset {
        let mut ds = Dataset::new();
        for (i, (author, at, text)) in posts.iter().enumerate() {
            let a = ds.upsert_node(NodeInfo {
                key: format!("x:{author}"),
                kind: Some(NodeKind::Account),
                handle: Some(author.to_string()),
                ..NodeInfo::default()
            });
            ds.posts.push(Post {
                key: format!("x:p{i}"),
                author: Some(a),
                at: Some(at * 1_000_000),
                text: text.to_string(),
                ..Post::default()
            });
        }
        ds
    }

    #[test]
    fn copost_within_window_clusters() {
        let ds = ds_with(&[
            ("a", 0, "ستدفعين الثمن يا @x !!"),
            ("b", 20, "ستدفعين الثمن يا @x"),
            ("c", 70, "ستدفعين  الثمن يا #tag"),
            ("d", 500, "ستدفعين الثمن يا"), // too late: the chain broke at 70 s
            ("e", 5, "something else entirely here"),
        ]);
        let r = detect(&ds, &CoordOptions::default()).unwrap();
        assert_eq!(r.clusters.len(), 1);
        let c = &r.clusters[0];
        let members: Vec<_> = c.accounts.iter().map(|a| a.label.as_str()).collect();
        assert_eq!(members, vec!["@a", "@b", "@c"]);
        assert_eq!(c.shared_items[0].value, "ستدفعين الثمن يا");
        assert_eq!(c.shared_items[0].span_secs, 70);
        assert!((c.score - 1.0).abs() < 1e-9);
        // A smaller window breaks the chain: no event of 3 accounts.
        let r = detect(
            &ds,
            &CoordOptions {
                window_secs: 30,
                ..CoordOptions::default()
            },
        )
        .unwrap();
        assert!(r.clusters.is_empty());
    }

    #[test]
    fn repetition_threshold() {
        let ds = ds_with(&[
            ("a", 0, "one two three"),
            ("b", 10, "one two three"),
            ("c", 20, "one two three"),
            ("a", 1000, "four five six"),
            ("b", 1010, "four five six"),
            ("d", 1020, "four five six"),
        ]);
        let o = CoordOptions {
            min_repetitions: 2,
            min_cluster: 2,
            ..CoordOptions::default()
        };
        let r = detect(&ds, &o).unwrap();
        assert_eq!(r.clusters.len(), 1);
        assert_eq!(r.clusters[0].accounts.len(), 2, "only a and b repeat");
        assert!(CoordOptions {
            window_secs: 0,
            ..o
        }
        .validate()
        .is_err());
    }

    #[test]
    fn keys_and_urls() {
        assert_eq!(
            normalize_url("HTTPS://WWW.Example.org/a/?x#frag"),
            "example.org/a/?x"
        );
        let k = post_keys(
            "a b",
            &[],
            &["https://t.me/+abc/".into()],
            &["A".into(), "b".into()],
            3,
        );
        let kinds: Vec<_> = k.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, vec![KeyKind::Url, KeyKind::Hashtags]);
    }
}
