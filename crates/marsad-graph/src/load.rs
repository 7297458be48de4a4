//! Loading the analysis input from the SQLite store (read-only, except the lineage table).
//!
//! Edge ends are resolved to accounts or channels: a key the store knows is used as is; a
//! `@handle` reference is matched to the account (or channel) with that handle on the same
//! platform, a `name:` reference to the one with that display name; an item target
//! (reply / repost / quote of an item) becomes the item's author (or its channel when it
//! has no author). Ends that cannot be resolved stay as `unresolved` nodes; edges to items
//! that are not in the store are skipped and counted. Self-loops are dropped.

use crate::dataset::{
    Avatar, Dataset, Edge, EdgeKind, NodeId, NodeInfo, NodeKind, Post, StatusObs,
};
use crate::GraphError;
use marsad_model::{AccountStatus, Platform};
use serde::Serialize;
use sqlx::{Row, SqlitePool};
use std::collections::HashMap;
use std::str::FromStr;

const PAGE: i64 = 5000;

/// What loading skipped, for the log and `--json` output.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LoadReport {
    pub accounts: u64,
    pub channels: u64,
    pub posts: u64,
    pub edges: u64,
    pub unresolved_item_targets: u64,
    pub self_loops: u64,
    /// Account avatar images with a PDQ hash.
    pub avatars: u64,
}

struct Resolver {
    handles: HashMap<(Platform, String), NodeId>,
    names: HashMap<(Platform, String), NodeId>,
}

impl Resolver {
    fn resolve(&self, ds: &mut Dataset, platform: Platform, id: &str) -> NodeId {
        let key = format!("{platform}:{id}");
        if let Some(n) = ds.find(&key) {
            return n;
        }
        if let Some(h) = id.strip_prefix('@') {
            if let Some(&n) = self.handles.get(&(platform, h.to_lowercase())) {
                return n;
            }
        } else if let Some(name) = id.strip_prefix("name:") {
            if let Some(&n) = self.names.get(&(platform, name.to_string())) {
                return n;
            }
        }
        ds.node(&key)
    }
}

fn platform(s: &str) -> Result<Platform, GraphError> {
    Platform::from_str(s).map_err(|e| GraphError::Corrupt {
        key: s.to_string(),
        message: e.to_string(),
    })
}

fn json_list(s: Option<String>, key: &str) -> Result<Vec<String>, GraphError> {
    match s {
        None => Ok(Vec::new()),
        Some(s) => serde_json::from_str(&s).map_err(|e| GraphError::Corrupt {
            key: key.to_string(),
            message: format!("bad JSON list column: {e}"),
        }),
    }
}

/// What [`load_store_with`] reads besides nodes, status history, avatars and edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Post bodies: texts, links, hashtags and media hashes. Coordination, brigades,
    /// successors, migration and the derived edges (co-channel, shared link / media) read
    /// them; hubs, communities, tiers and exports only need each post's author, channel,
    /// platform, time and whether it amplifies (and edges pointing at it), so they can skip
    /// the bodies and the memory they take.
    pub post_bodies: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { post_bodies: true }
    }
}

/// Loads nodes, posts, edges and status observations from the store.
pub async fn load_store(pool: &SqlitePool) -> Result<(Dataset, LoadReport), GraphError> {
    load_store_with(pool, LoadOptions::default()).await
}

/// [`load_store`] with options: without post bodies, posts keep their key, platform,
/// author, channel, time and amplification flag, and texts, links, hashtags and media stay
/// empty (the item_media table is not read).
pub async fn load_store_with(
    pool: &SqlitePool,
    opts: LoadOptions,
) -> Result<(Dataset, LoadReport), GraphError> {
    let mut ds = Dataset::new();
    let mut rep = LoadReport::default();
    let mut res = Resolver {
        handles: HashMap::new(),
        names: HashMap::new(),
    };

    // Accounts.
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, platform, platform_id, handle, display_name, bio, avatar_url, created_at, \
             followers FROM accounts WHERE id > ? ORDER BY id LIMIT ?",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(pool)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get(0)?;
        for r in &rows {
            let p = platform(&r.try_get::<String, _>(1)?)?;
            let pid: String = r.try_get(2)?;
            let info = NodeInfo {
                key: format!("{p}:{pid}"),
                platform: Some(p),
                kind: Some(NodeKind::Account),
                handle: r.try_get(3)?,
                display_name: r.try_get(4)?,
                bio: r.try_get(5)?,
                avatar_url: r.try_get(6)?,
                created_at: r.try_get(7)?,
                followers: r.try_get(8)?,
                invite_links: Vec::new(),
            };
            let h = info.handle.clone();
            let name = info.display_name.clone();
            let n = ds.upsert_node(info);
            if let Some(h) = h {
                res.handles
                    .entry((p, h.trim_start_matches('@').to_lowercase()))
                    .or_insert(n);
            }
            if let Some(name) = name {
                res.names.entry((p, name)).or_insert(n);
            }
            rep.accounts += 1;
        }
    }

    // Channels.
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, platform, platform_id, name, handle, description, invite_links, created_at \
             FROM channels WHERE id > ? ORDER BY id LIMIT ?",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(pool)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get(0)?;
        for r in &rows {
            let p = platform(&r.try_get::<String, _>(1)?)?;
            let pid: String = r.try_get(2)?;
            let key = format!("{p}:{pid}");
            let invite_links = json_list(r.try_get(6)?, &key)?;
            let info = NodeInfo {
                key,
                platform: Some(p),
                kind: Some(NodeKind::Channel),
                handle: r.try_get(4)?,
                display_name: r.try_get(3)?,
                bio: r.try_get(5)?,
                avatar_url: None,
                created_at: r.try_get(7)?,
                followers: None,
                invite_links,
            };
            let h = info.handle.clone();
            let name = info.display_name.clone();
            let n = ds.upsert_node(info);
            // Accounts win over channels for handles and names.
            if let Some(h) = h {
                res.handles
                    .entry((p, h.trim_start_matches('@').to_lowercase()))
                    .or_insert(n);
            }
            if let Some(name) = name {
                res.names.entry((p, name)).or_insert(n);
            }
            rep.channels += 1;
        }
    }

    // Avatar images with their PDQ hashes (imported with `marsad import-avatars` and hashed
    // by the media scan). Quality and default-avatar filters are the successor ranking's.
    load_avatars(pool, &mut ds, &mut rep).await?;

    // Status history.
    let rows = sqlx::query(
        "SELECT a.platform, a.platform_id, s.status, s.at FROM account_status s \
         JOIN accounts a ON a.id = s.account_id ORDER BY s.at, a.id",
    )
    .fetch_all(pool)
    .await?;
    for r in &rows {
        let p = platform(&r.try_get::<String, _>(0)?)?;
        let pid: String = r.try_get(1)?;
        let key = format!("{p}:{pid}");
        let status_s: String = r.try_get(2)?;
        let status = AccountStatus::from_str(&status_s).map_err(|e| GraphError::Corrupt {
            key: key.clone(),
            message: e.to_string(),
        })?;
        let node = ds.node(&key);
        ds.statuses.push(StatusObs {
            node,
            status,
            at: r.try_get(3)?,
        });
    }

    // Items → posts.
    let mut post_of_key: HashMap<String, u32> = HashMap::new();
    let mut post_of_row: HashMap<i64, u32> = HashMap::new();
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(if opts.post_bodies {
            "SELECT id, platform, platform_id, author, channel, created_at, text, links, hashtags, \
             repost_of, quote_of, forwarded_from FROM items WHERE id > ? ORDER BY id LIMIT ?"
        } else {
            "SELECT id, platform, platform_id, author, channel, created_at, '', NULL, NULL, \
             repost_of, quote_of, forwarded_from FROM items WHERE id > ? ORDER BY id LIMIT ?"
        })
        .bind(after)
        .bind(PAGE)
        .fetch_all(pool)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get(0)?;
        for r in &rows {
            let row: i64 = r.try_get(0)?;
            let p = platform(&r.try_get::<String, _>(1)?)?;
            let pid: String = r.try_get(2)?;
            let key = format!("{p}:{pid}");
            let author: Option<String> = r.try_get(3)?;
            let channel: Option<String> = r.try_get(4)?;
            let author = author.map(|a| res.resolve(&mut ds, p, &a));
            let channel = channel.map(|c| res.resolve(&mut ds, p, &c));
            let repost: Option<String> = r.try_get(9)?;
            let quote: Option<String> = r.try_get(10)?;
            let fwd: Option<String> = r.try_get(11)?;
            let post = Post {
                platform: Some(p),
                author: author.or(channel),
                channel,
                at: r.try_get(5)?,
                text: r.try_get(6)?,
                links: json_list(r.try_get(7)?, &key)?,
                hashtags: json_list(r.try_get(8)?, &key)?,
                media: Vec::new(),
                is_amplification: repost.is_some() || quote.is_some() || fwd.is_some(),
                key: key.clone(),
            };
            let idx = ds.posts.len() as u32;
            ds.posts.push(post);
            post_of_key.insert(key, idx);
            post_of_row.insert(row, idx);
            rep.posts += 1;
        }
    }
    let rows = if opts.post_bodies {
        sqlx::query(
            "SELECT item_id, sha256 FROM item_media WHERE sha256 IS NOT NULL ORDER BY item_id, ordinal",
        )
        .fetch_all(pool)
        .await?
    } else {
        Vec::new()
    };
    for r in &rows {
        let row: i64 = r.try_get(0)?;
        let sha: String = r.try_get(1)?;
        if let Some(&i) = post_of_row.get(&row) {
            ds.posts[i as usize].media.push(sha);
        }
    }
    drop(post_of_row);

    // Interactions → edges.
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, platform, kind, source_type, source, target_type, target_platform, target, \
             at, item FROM interactions WHERE id > ? ORDER BY id LIMIT ?",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(pool)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get(0)?;
        for r in &rows {
            let p = platform(&r.try_get::<String, _>(1)?)?;
            let kind_s: String = r.try_get(2)?;
            let kind = EdgeKind::parse(&kind_s).unwrap_or(EdgeKind::Other);
            let source_type: String = r.try_get(3)?;
            let source_id: String = r.try_get(4)?;
            let target_type: String = r.try_get(5)?;
            let tp = platform(&r.try_get::<String, _>(6)?)?;
            let target_id: String = r.try_get(7)?;
            let at: Option<i64> = r.try_get(8)?;
            let item: Option<String> = r.try_get(9)?;
            // An item end is the item's author (or channel); other ends are resolved by key,
            // `@handle` or `name:`.
            let mut end = |kind: &str, platform: Platform, id: &str| {
                if kind == "item" {
                    post_of_key
                        .get(&format!("{platform}:{id}"))
                        .and_then(|&i| ds.posts[i as usize].author)
                } else {
                    Some(res.resolve(&mut ds, platform, id))
                }
            };
            // The target is only resolved once the source is (resolving may add a node).
            let Some((source, target)) = end(&source_type, p, &source_id)
                .and_then(|s| Some((s, end(&target_type, tp, &target_id)?)))
            else {
                rep.unresolved_item_targets += 1;
                continue;
            };
            if source == target {
                rep.self_loops += 1;
                continue;
            }
            let post = item.and_then(|k| post_of_key.get(&format!("{p}:{k}")).copied());
            ds.edges.push(Edge {
                source,
                target,
                kind,
                at,
                weight: 1.0,
                post,
            });
            rep.edges += 1;
        }
    }
    tracing::info!(
        accounts = rep.accounts,
        channels = rep.channels,
        posts = rep.posts,
        edges = rep.edges,
        skipped_item_targets = rep.unresolved_item_targets,
        "graph input loaded"
    );
    Ok((ds, rep))
}

/// Reads `account_avatars` joined with `media_hashes` (images with a PDQ hash only) into
/// [`Dataset::avatars`], for accounts already loaded. A stored hash that does not parse is
/// corrupt data and an error naming the image.
async fn load_avatars(
    pool: &SqlitePool,
    ds: &mut Dataset,
    rep: &mut LoadReport,
) -> Result<(), GraphError> {
    let rows = sqlx::query(
        "SELECT a.platform, a.platform_id, a.sha256, h.pdq, h.quality FROM account_avatars a \
         JOIN media_hashes h ON h.sha256 = a.sha256 WHERE h.pdq IS NOT NULL \
         ORDER BY a.platform, a.platform_id, a.sha256",
    )
    .fetch_all(pool)
    .await?;
    for r in &rows {
        let p: String = r.try_get(0)?;
        let pid: String = r.try_get(1)?;
        let sha256: String = r.try_get(2)?;
        let pdq: String = r.try_get(3)?;
        let quality: Option<i64> = r.try_get(4)?;
        let Some(node) = ds.find(&format!("{p}:{pid}")) else {
            continue;
        };
        let pdq = pdq.parse().map_err(|e| GraphError::Corrupt {
            key: format!("media {sha256}"),
            message: format!("bad PDQ hash: {e}"),
        })?;
        ds.avatars.push(Avatar {
            node,
            sha256,
            pdq,
            quality: quality.unwrap_or(0).clamp(0, 100) as u8,
        });
        rep.avatars += 1;
    }
    Ok(())
}

/// One stored lineage link: `successor` is believed to be the re-creation of `predecessor`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineageLink {
    pub predecessor: String,
    pub successor: String,
    pub score: f64,
    pub detected_at: i64,
    /// JSON of the contributing features.
    pub features: serde_json::Value,
}

/// Stores lineage links (idempotent: a link is unique by its two keys; a re-run updates
/// the score and features). Needs migration `0003_graph.sql`.
pub async fn store_lineage(pool: &SqlitePool, links: &[LineageLink]) -> Result<u64, GraphError> {
    let mut tx = pool.begin().await?;
    let mut n = 0;
    for l in links {
        let features = l.features.to_string();
        n += sqlx::query(
            "INSERT INTO account_lineage (predecessor, successor, score, features, detected_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (predecessor, successor) DO UPDATE SET \
             score = excluded.score, features = excluded.features",
        )
        .bind(&l.predecessor)
        .bind(&l.successor)
        .bind(l.score)
        .bind(features)
        .bind(l.detected_at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(n)
}

/// Every stored lineage link, by predecessor then score.
pub async fn load_lineage(pool: &SqlitePool) -> Result<Vec<LineageLink>, GraphError> {
    let rows = sqlx::query(
        "SELECT predecessor, successor, score, features, detected_at FROM account_lineage \
         ORDER BY predecessor, score DESC, successor",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let pred: String = r.try_get(0)?;
            let f: String = r.try_get(3)?;
            let features = serde_json::from_str(&f).map_err(|e| GraphError::Corrupt {
                key: pred.clone(),
                message: format!("lineage features: {e}"),
            })?;
            Ok(LineageLink {
                predecessor: pred,
                successor: r.try_get(1)?,
                score: r.try_get(2)?,
                features,
                detected_at: r.try_get(4)?,
            })
        })
        .collect()
}
