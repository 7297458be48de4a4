//! The embedded default store: SQLite (WAL mode) through sqlx, with versioned migrations
//! from `migrations/`.

use crate::codec::{decompress, from_json_col, from_micros, json_col, micros, opt_micros};
use crate::{
    restored_after, status_step, ImportRun, IngestCounts, Prepared, Stats, Store, StoreError,
    StoredAccount,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marsad_model::{
    Account, AccountStatus, Channel, GeoPoint, Interaction, Item, ItemId, Key, MediaRef, Platform,
    Raw, Record, StatusChange,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// SQLite-backed [`Store`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (or with `create`, creates) the database file and applies pending migrations.
    pub async fn open(path: &Path, create: bool) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(60))
            .pragma("cache_size", "-16384");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    /// The applied migration versions (for `marsad init` and tests).
    pub async fn migrations(&self) -> Result<Vec<i64>, StoreError> {
        let rows =
            sqlx::query("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| r.try_get::<i64, _>(0).map_err(StoreError::from))
            .collect()
    }

    /// The latest migration version this build knows.
    pub fn schema_version() -> i64 {
        MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// The connection pool, for read-only tools built on the store.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn corrupt(key: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        key: key.to_string(),
        message: e.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Items

fn key_col(platform: Platform, id: Option<String>) -> Option<Key> {
    id.map(|id| Key::new(platform, id))
}

fn row_to_item(row: &SqliteRow, media: Vec<MediaRef>) -> Result<(ItemId, Item), StoreError> {
    let platform_s: String = row.try_get("platform")?;
    let platform_id: String = row.try_get("platform_id")?;
    let ctx = format!("item {platform_s}:{platform_id}");
    let platform = Platform::from_str(&platform_s).map_err(|e| corrupt(&ctx, e))?;
    let kind_s: String = row.try_get("kind")?;
    let kind = kind_s.parse().map_err(|e| corrupt(&ctx, e))?;
    let raw_z: Vec<u8> = row.try_get("raw")?;
    let raw_data = decompress(&raw_z).map_err(|e| corrupt(&ctx, e))?;
    let raw = Raw::new(
        row.try_get::<String, _>("raw_source")?,
        String::from_utf8(raw_data).map_err(|e| corrupt(&ctx, e))?,
    );
    let mut item = Item::new(Key::new(platform, platform_id), kind, raw);
    let t = |col: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(row.try_get::<Option<i64>, _>(col)?.and_then(from_micros))
    };
    item.author = key_col(platform, row.try_get("author")?);
    item.channel = key_col(platform, row.try_get("channel")?);
    item.created_at = t("created_at")?;
    item.edited_at = t("edited_at")?;
    item.observed_at = t("observed_at")?;
    item.text = row.try_get("text")?;
    item.language = row.try_get("language")?;
    item.url = row.try_get("url")?;
    item.reply_to = key_col(platform, row.try_get("reply_to")?);
    item.repost_of = key_col(platform, row.try_get("repost_of")?);
    item.quote_of = key_col(platform, row.try_get("quote_of")?);
    let fwd: Option<String> = row.try_get("forwarded_from")?;
    let fwd_platform: Option<String> = row.try_get("forwarded_platform")?;
    item.forwarded_from = match fwd {
        Some(id) => {
            let p = match fwd_platform {
                Some(s) => Platform::from_str(&s).map_err(|e| corrupt(&ctx, e))?,
                None => platform,
            };
            Some(Key::new(p, id))
        }
        None => None,
    };
    item.via_bot = row.try_get("via_bot")?;
    let j = |col: &str| -> Result<Option<String>, StoreError> { Ok(row.try_get(col)?) };
    item.mentions = from_json_col(j("mentions")?).map_err(|e| corrupt(&ctx, e))?;
    item.hashtags = from_json_col(j("hashtags")?).map_err(|e| corrupt(&ctx, e))?;
    item.links = from_json_col(j("links")?).map_err(|e| corrupt(&ctx, e))?;
    item.metrics = from_json_col(j("metrics")?).map_err(|e| corrupt(&ctx, e))?;
    item.withheld_in = from_json_col(j("withheld_in")?).map_err(|e| corrupt(&ctx, e))?;
    item.place = match j("place")? {
        Some(s) => Some(serde_json::from_str(&s).map_err(|e| corrupt(&ctx, e))?),
        None => None,
    };
    let lat: Option<f64> = row.try_get("lat")?;
    let lon: Option<f64> = row.try_get("lon")?;
    item.geo = match (lat, lon) {
        (Some(lat), Some(lon)) => Some(GeoPoint { lat, lon }),
        _ => None,
    };
    item.is_live = row.try_get("is_live")?;
    item.media = media;
    Ok((ItemId(row.try_get("id")?), item))
}

fn row_to_media_ref(row: &SqliteRow) -> Result<(i64, MediaRef), StoreError> {
    let kind_s: String = row.try_get("kind")?;
    let item_id: i64 = row.try_get("item_id")?;
    let kind = kind_s
        .parse()
        .map_err(|e| corrupt(&format!("media of item row {item_id}"), e))?;
    let mut m = MediaRef::new(kind);
    m.url = row.try_get("url")?;
    m.path = row.try_get("path")?;
    m.platform_id = row.try_get("platform_id")?;
    m.mime = row.try_get("mime")?;
    m.width = row.try_get::<Option<i64>, _>("width")?.map(|v| v as u32);
    m.height = row.try_get::<Option<i64>, _>("height")?.map(|v| v as u32);
    m.duration_secs = row.try_get("duration_secs")?;
    m.sha256 = row.try_get("sha256")?;
    m.size = row.try_get::<Option<i64>, _>("size")?.map(|v| v as u64);
    Ok((item_id, m))
}

// ---------------------------------------------------------------------------------------
// Accounts

fn row_to_account(r: &SqliteRow) -> Result<Account, StoreError> {
    let platform_s: String = r.try_get("platform")?;
    let platform_id: String = r.try_get("platform_id")?;
    let ctx = format!("account {platform_s}:{platform_id}");
    let platform = Platform::from_str(&platform_s).map_err(|e| corrupt(&ctx, e))?;
    let raw_z: Vec<u8> = r.try_get("raw")?;
    let data = String::from_utf8(decompress(&raw_z).map_err(|e| corrupt(&ctx, e))?)
        .map_err(|e| corrupt(&ctx, e))?;
    let mut a = Account::new(
        Key::new(platform, platform_id),
        Raw::new(r.try_get::<String, _>("raw_source")?, data),
    );
    let t = |col: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(r.try_get::<Option<i64>, _>(col)?.and_then(from_micros))
    };
    a.handle = r.try_get("handle")?;
    a.display_name = r.try_get("display_name")?;
    a.bio = r.try_get("bio")?;
    a.avatar_url = r.try_get("avatar_url")?;
    a.url = r.try_get("url")?;
    a.location = r.try_get("location")?;
    a.created_at = t("created_at")?;
    a.followers = r.try_get("followers")?;
    a.following = r.try_get("following")?;
    a.verified = r.try_get("verified")?;
    a.metrics = from_json_col(r.try_get("metrics")?).map_err(|e| corrupt(&ctx, e))?;
    a.observed_at = t("observed_at")?;
    Ok(a)
}

// ---------------------------------------------------------------------------------------
// Channels

fn row_to_channel(r: &SqliteRow) -> Result<Channel, StoreError> {
    let platform_s: String = r.try_get("platform")?;
    let platform_id: String = r.try_get("platform_id")?;
    let ctx = format!("channel {platform_s}:{platform_id}");
    let platform = Platform::from_str(&platform_s).map_err(|e| corrupt(&ctx, e))?;
    let kind_s: String = r.try_get("kind")?;
    let kind = kind_s.parse().map_err(|e| corrupt(&ctx, e))?;
    let raw_z: Vec<u8> = r.try_get("raw")?;
    let data = String::from_utf8(decompress(&raw_z).map_err(|e| corrupt(&ctx, e))?)
        .map_err(|e| corrupt(&ctx, e))?;
    let mut c = Channel::new(
        Key::new(platform, platform_id),
        kind,
        Raw::new(r.try_get::<String, _>("raw_source")?, data),
    );
    c.name = r.try_get("name")?;
    c.handle = r.try_get("handle")?;
    c.description = r.try_get("description")?;
    c.member_count = r.try_get("member_count")?;
    c.invite_links = from_json_col(r.try_get("invite_links")?).map_err(|e| corrupt(&ctx, e))?;
    c.owner = key_col(platform, r.try_get("owner")?);
    c.created_at = r
        .try_get::<Option<i64>, _>("created_at")?
        .and_then(from_micros);
    c.observed_at = r
        .try_get::<Option<i64>, _>("observed_at")?
        .and_then(from_micros);
    Ok(c)
}

// ---------------------------------------------------------------------------------------
// Multi-row writes. Every write goes through these, one row or many, so the column lists
// and bindings exist once. Their statements are not cached (`persistent(false)`): each row
// count is a different statement, and caching them all made memory grow with the input.

/// Rows per multi-row statement: well under SQLite's 32,766 bound parameters.
const MAX_PARAMS: usize = 30_000;

type Qb<'a> = QueryBuilder<'a, Sqlite>;

fn conflict_clause(cols: &str, update: bool) -> String {
    format!(
        " ON CONFLICT (platform, platform_id) {}",
        on_conflict(cols, update)
    )
}

const ITEM_COLS: &str = "platform, platform_id, kind, author, channel, created_at, edited_at, \
    text, language, url, reply_to, repost_of, quote_of, forwarded_from, forwarded_platform, \
    via_bot, mentions, hashtags, links, lat, lon, place, metrics, is_live, withheld_in, \
    observed_at, fingerprint, raw_source, raw, first_seen, updated_at";

/// A record to write with its fingerprint and compressed raw record.
struct Rec<'a, T> {
    rec: &'a T,
    fp: &'a [u8],
    raw_z: &'a [u8],
}

/// Inserts (or with `update`, replaces) items with their media and derived edges.
async fn insert_items(
    conn: &mut SqliteConnection,
    rows: &[Rec<'_, Item>],
    now: i64,
    update: bool,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(MAX_PARAMS / 31) {
        let mut qb: Qb = QueryBuilder::new(format!("INSERT INTO items ({ITEM_COLS}) "));
        qb.push_values(chunk, |mut b, r| {
            let item = r.rec;
            let (lat, lon) = item
                .geo
                .map(|g| (Some(g.lat), Some(g.lon)))
                .unwrap_or((None, None));
            b.push_bind(item.key.platform.as_str())
                .push_bind(item.key.id.as_str())
                .push_bind(item.kind.as_str())
                .push_bind(item.author.as_ref().map(|k| k.id.as_str()))
                .push_bind(item.channel.as_ref().map(|k| k.id.as_str()))
                .push_bind(opt_micros(item.created_at))
                .push_bind(opt_micros(item.edited_at))
                .push_bind(item.text.as_str())
                .push_bind(item.language.as_deref())
                .push_bind(item.url.as_deref())
                .push_bind(item.reply_to.as_ref().map(|k| k.id.as_str()))
                .push_bind(item.repost_of.as_ref().map(|k| k.id.as_str()))
                .push_bind(item.quote_of.as_ref().map(|k| k.id.as_str()))
                .push_bind(item.forwarded_from.as_ref().map(|k| k.id.as_str()))
                .push_bind(item.forwarded_from.as_ref().map(|k| k.platform.as_str()))
                .push_bind(item.via_bot.as_deref())
                .push_bind(json_col(&item.mentions, item.mentions.is_empty()))
                .push_bind(json_col(&item.hashtags, item.hashtags.is_empty()))
                .push_bind(json_col(&item.links, item.links.is_empty()))
                .push_bind(lat)
                .push_bind(lon)
                .push_bind(
                    item.place
                        .as_ref()
                        .and_then(|pl| serde_json::to_string(pl).ok()),
                )
                .push_bind(json_col(&item.metrics, item.metrics.is_empty()))
                .push_bind(item.is_live)
                .push_bind(json_col(&item.withheld_in, item.withheld_in.is_empty()))
                .push_bind(opt_micros(item.observed_at))
                .push_bind(r.fp)
                .push_bind(item.raw.source.as_str())
                .push_bind(r.raw_z)
                .push_bind(now)
                .push_bind(now);
        });
        qb.push(conflict_clause(ITEM_COLS, update));
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    // Row ids only where needed: for media references, and to replace them on update.
    let need: Vec<&Key> = rows
        .iter()
        .filter(|r| update || !r.rec.media.is_empty())
        .map(|r| &r.rec.key)
        .collect();
    let ids = if need.is_empty() {
        HashMap::new()
    } else {
        lookup(conn, "items", &need).await?
    };
    let mut media = Vec::new();
    let mut edges = Vec::new();
    for r in rows {
        if let Some((id, _)) = ids.get(&r.rec.key) {
            for (ordinal, m) in r.rec.media.iter().enumerate() {
                media.push((*id, ordinal as i64, m));
            }
        }
        edges.extend(r.rec.derived_interactions());
    }
    if update {
        // The media and derived edges of an updated item are those of its merged state;
        // edges derived from an earlier state (another source or time) would be stale.
        for r in rows {
            if let Some((id, _)) = ids.get(&r.rec.key) {
                sqlx::query("DELETE FROM item_media WHERE item_id = ?")
                    .bind(*id)
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query("DELETE FROM interactions WHERE derived = 1 AND platform = ? AND item = ?")
                .bind(r.rec.key.platform.as_str())
                .bind(r.rec.key.id.as_str())
                .execute(&mut *conn)
                .await?;
        }
    }
    insert_media_refs(conn, &media, now).await?;
    let edge_rows: Vec<EdgeRow<'_>> = edges
        .iter()
        .map(|e| EdgeRow {
            edge: e,
            raw: None,
            derived: true,
        })
        .collect();
    insert_edges(conn, &edge_rows, now).await?;
    Ok(())
}

async fn insert_media_refs(
    conn: &mut SqliteConnection,
    rows: &[(i64, i64, &MediaRef)],
    now: i64,
) -> Result<(), StoreError> {
    let files: Vec<(&str, Option<&str>, i64)> = rows
        .iter()
        .filter_map(|(_, _, m)| match (&m.sha256, m.size) {
            (Some(sha), Some(size)) if crate::is_sha256(sha) => {
                Some((sha.as_str(), m.mime.as_deref(), size as i64))
            }
            _ => None,
        })
        .collect();
    for chunk in files.chunks(MAX_PARAMS / 5) {
        let mut qb: Qb =
            QueryBuilder::new("INSERT INTO media (sha256, mime, size, blob_path, first_seen) ");
        qb.push_values(chunk, |mut b, (sha, mime, size)| {
            b.push_bind(*sha)
                .push_bind(*mime)
                .push_bind(*size)
                .push_bind(crate::BlobStore::rel_path(sha))
                .push_bind(now);
        });
        qb.push(" ON CONFLICT (sha256) DO NOTHING");
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    for chunk in rows.chunks(MAX_PARAMS / 12) {
        let mut qb: Qb = QueryBuilder::new(
            "INSERT INTO item_media (item_id, ordinal, kind, url, path, platform_id, mime, width, \
             height, duration_secs, sha256, size) ",
        );
        qb.push_values(chunk, |mut b, (item_id, ordinal, m)| {
            b.push_bind(*item_id)
                .push_bind(*ordinal)
                .push_bind(m.kind.as_str())
                .push_bind(m.url.as_deref())
                .push_bind(m.path.as_deref())
                .push_bind(m.platform_id.as_deref())
                .push_bind(m.mime.as_deref())
                .push_bind(m.width.map(i64::from))
                .push_bind(m.height.map(i64::from))
                .push_bind(m.duration_secs)
                .push_bind(m.sha256.as_deref())
                .push_bind(m.size.map(|s| s as i64));
        });
        qb.push(" ON CONFLICT DO NOTHING");
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
}

const ACCOUNT_COLS: &str = "platform, platform_id, handle, display_name, bio, avatar_url, url, \
    location, created_at, followers, following, verified, metrics, observed_at, fingerprint, \
    raw_source, raw, first_seen, updated_at";

async fn insert_accounts(
    conn: &mut SqliteConnection,
    rows: &[Rec<'_, Account>],
    now: i64,
    update: bool,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(MAX_PARAMS / 19) {
        let mut qb: Qb = QueryBuilder::new(format!("INSERT INTO accounts ({ACCOUNT_COLS}) "));
        qb.push_values(chunk, |mut b, r| {
            let a = r.rec;
            b.push_bind(a.key.platform.as_str())
                .push_bind(a.key.id.as_str())
                .push_bind(a.handle.as_deref())
                .push_bind(a.display_name.as_deref())
                .push_bind(a.bio.as_deref())
                .push_bind(a.avatar_url.as_deref())
                .push_bind(a.url.as_deref())
                .push_bind(a.location.as_deref())
                .push_bind(opt_micros(a.created_at))
                .push_bind(a.followers)
                .push_bind(a.following)
                .push_bind(a.verified)
                .push_bind(json_col(&a.metrics, a.metrics.is_empty()))
                .push_bind(opt_micros(a.observed_at))
                .push_bind(r.fp)
                .push_bind(a.raw.source.as_str())
                .push_bind(r.raw_z)
                .push_bind(now)
                .push_bind(now);
        });
        qb.push(conflict_clause(ACCOUNT_COLS, update));
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
}

const CHANNEL_COLS: &str = "platform, platform_id, kind, name, handle, description, \
    member_count, invite_links, owner, created_at, observed_at, fingerprint, raw_source, raw, \
    first_seen, updated_at";

async fn insert_channels(
    conn: &mut SqliteConnection,
    rows: &[Rec<'_, Channel>],
    now: i64,
    update: bool,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(MAX_PARAMS / 16) {
        let mut qb: Qb = QueryBuilder::new(format!("INSERT INTO channels ({CHANNEL_COLS}) "));
        qb.push_values(chunk, |mut b, r| {
            let c = r.rec;
            b.push_bind(c.key.platform.as_str())
                .push_bind(c.key.id.as_str())
                .push_bind(c.kind.as_str())
                .push_bind(c.name.as_deref())
                .push_bind(c.handle.as_deref())
                .push_bind(c.description.as_deref())
                .push_bind(c.member_count)
                .push_bind(json_col(&c.invite_links, c.invite_links.is_empty()))
                .push_bind(c.owner.as_ref().map(|k| k.id.as_str()))
                .push_bind(opt_micros(c.created_at))
                .push_bind(opt_micros(c.observed_at))
                .push_bind(r.fp)
                .push_bind(c.raw.source.as_str())
                .push_bind(r.raw_z)
                .push_bind(now)
                .push_bind(now);
        });
        qb.push(conflict_clause(CHANNEL_COLS, update));
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
}

struct EdgeRow<'a> {
    edge: &'a Interaction,
    raw: Option<&'a [u8]>,
    derived: bool,
}

/// Inserts edges that are not there yet; returns how many were new.
async fn insert_edges(
    conn: &mut SqliteConnection,
    rows: &[EdgeRow<'_>],
    now: i64,
) -> Result<u64, StoreError> {
    let mut inserted = 0u64;
    for chunk in rows.chunks(MAX_PARAMS / 14) {
        let mut qb: Qb = QueryBuilder::new(
            "INSERT INTO interactions (ident, platform, kind, source_type, source, target_type, \
             target_platform, target, at, item, derived, raw_source, raw, first_seen) ",
        );
        qb.push_values(chunk, |mut b, r| {
            let e = r.edge;
            b.push_bind(edge_ident(e).to_vec())
                .push_bind(e.source.key().platform.as_str())
                .push_bind(e.kind.as_str())
                .push_bind(e.source.kind_str())
                .push_bind(e.source.key().id.as_str())
                .push_bind(e.target.kind_str())
                .push_bind(e.target.key().platform.as_str())
                .push_bind(e.target.key().id.as_str())
                .push_bind(opt_micros(e.at))
                .push_bind(e.item.as_ref().map(|k| k.id.as_str()))
                .push_bind(r.derived)
                .push_bind(e.raw.as_ref().map(|r| r.source.as_str()))
                .push_bind(r.raw)
                .push_bind(now);
        });
        qb.push(" ON CONFLICT (ident) DO NOTHING");
        inserted += qb
            .build()
            .persistent(false)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(inserted)
}

/// The stored row id and fingerprint of each key that exists, one indexed query per
/// platform and chunk.
async fn lookup(
    conn: &mut SqliteConnection,
    table: &str,
    keys: &[&Key],
) -> Result<HashMap<Key, (i64, Vec<u8>)>, StoreError> {
    let mut by_platform: BTreeMap<Platform, Vec<&str>> = BTreeMap::new();
    for k in keys {
        by_platform
            .entry(k.platform)
            .or_default()
            .push(k.id.as_str());
    }
    let mut out = HashMap::with_capacity(keys.len());
    for (platform, ids) in by_platform {
        for chunk in ids.chunks(MAX_PARAMS / 2) {
            // One row per chunk (a JSON array), not one per record: every row costs a
            // round trip through sqlx's SQLite worker thread.
            let mut qb: Qb = QueryBuilder::new(format!(
                "SELECT json_group_array(json_array(platform_id, id, hex(fingerprint))) \
                 FROM {table} WHERE platform = "
            ));
            qb.push_bind(platform.as_str());
            qb.push(" AND platform_id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(")");
            let row = qb.build().persistent(false).fetch_one(&mut *conn).await?;
            let text: String = row.try_get(0)?;
            let found: Vec<(String, i64, String)> =
                serde_json::from_str(&text).map_err(|e| corrupt(table, e))?;
            for (id, row_id, fp) in found {
                let fp = hex::decode(&fp).map_err(|e| corrupt(table, e))?;
                out.insert(Key::new(platform, id), (row_id, fp));
            }
        }
    }
    Ok(out)
}

/// A record's state while a batch is merged into it.
struct State {
    id: i64,
    record: Record,
    fp: Vec<u8>,
    raw_z: Vec<u8>,
    observed: Option<i64>,
    /// Whether the current state's own observation is in the observation log already.
    logged: bool,
    dirty: bool,
}

/// One observation for the log.
struct Obs {
    table: &'static str,
    id: i64,
    fp: Vec<u8>,
    observed: Option<i64>,
    source: String,
    raw_z: Vec<u8>,
}

fn observed_of(r: &Record) -> Option<i64> {
    match r {
        Record::Item(i) => opt_micros(i.observed_at),
        Record::Account(a) => opt_micros(a.observed_at),
        Record::Channel(c) => opt_micros(c.observed_at),
        Record::Interaction(_) => None,
    }
}

fn raw_source_of(r: &Record) -> String {
    match r {
        Record::Item(i) => i.raw.source.clone(),
        Record::Account(a) => a.raw.source.clone(),
        Record::Channel(c) => c.raw.source.clone(),
        Record::Interaction(e) => e.raw.as_ref().map(|r| r.source.clone()).unwrap_or_default(),
    }
}

fn key_of(r: &Record) -> Option<(&'static str, &Key)> {
    match r {
        Record::Item(i) => Some(("items", &i.key)),
        Record::Account(a) => Some(("accounts", &a.key)),
        Record::Channel(c) => Some(("channels", &c.key)),
        Record::Interaction(_) => None,
    }
}

fn on_conflict(cols: &str, update: bool) -> String {
    if !update {
        return "DO NOTHING".into();
    }
    let sets: Vec<String> = cols
        .split(',')
        .map(str::trim)
        .filter(|c| !matches!(*c, "platform" | "platform_id" | "first_seen"))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!("DO UPDATE SET {}", sets.join(", "))
}

/// `SELECT *` of rows by id, in chunks.
async fn rows_by_id(
    conn: &mut SqliteConnection,
    table: &str,
    id_col: &str,
    ids: &[i64],
    order: &str,
) -> Result<Vec<SqliteRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(MAX_PARAMS) {
        let mut qb: Qb = QueryBuilder::new(format!("SELECT * FROM {table} WHERE {id_col} IN ("));
        let mut sep = qb.separated(", ");
        for id in chunk {
            sep.push_bind(*id);
        }
        qb.push(format!(") {order}"));
        out.extend(qb.build().persistent(false).fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// Loads stored records (and which of their fingerprints are logged) into merge states.
async fn load_states(
    conn: &mut SqliteConnection,
    table: &'static str,
    ids: &[i64],
    states: &mut HashMap<(&'static str, Key), State>,
    logged: &mut HashSet<(&'static str, i64, Vec<u8>)>,
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut media: HashMap<i64, Vec<MediaRef>> = HashMap::new();
    if table == "items" {
        for r in rows_by_id(
            conn,
            "item_media",
            "item_id",
            ids,
            "ORDER BY item_id, ordinal",
        )
        .await?
        {
            let (id, m) = row_to_media_ref(&r)?;
            media.entry(id).or_default().push(m);
        }
    }
    for chunk in ids.chunks(MAX_PARAMS / 2) {
        let mut qb: Qb = QueryBuilder::new(
            "SELECT record_id, fingerprint FROM observations WHERE record_type = ",
        );
        qb.push_bind(table);
        qb.push(" AND record_id IN (");
        let mut sep = qb.separated(", ");
        for id in chunk {
            sep.push_bind(*id);
        }
        qb.push(")");
        for r in qb.build().persistent(false).fetch_all(&mut *conn).await? {
            logged.insert((table, r.try_get(0)?, r.try_get(1)?));
        }
    }
    for row in rows_by_id(conn, table, "id", ids, "").await? {
        let id: i64 = row.try_get("id")?;
        let record = match table {
            "items" => Record::Item(row_to_item(&row, media.remove(&id).unwrap_or_default())?.1),
            "accounts" => Record::Account(row_to_account(&row)?),
            _ => Record::Channel(row_to_channel(&row)?),
        };
        let fp: Vec<u8> = row.try_get("fingerprint")?;
        let Some((_, key)) = key_of(&record) else {
            continue;
        };
        let key = key.clone();
        states.insert(
            (table, key),
            State {
                id,
                logged: logged.contains(&(table, id, fp.clone())),
                fp,
                raw_z: row.try_get("raw")?,
                observed: row.try_get("observed_at")?,
                record,
                dirty: false,
            },
        );
    }
    Ok(())
}

/// Appends to the status history what each account observation says (see
/// [`status_step`]), in batch order, and refreshes each account's current status.
async fn record_statuses(
    conn: &mut SqliteConnection,
    observations: &[(i64, &Account)],
    now: i64,
) -> Result<(), StoreError> {
    let relevant: Vec<(i64, &Account)> = observations
        .iter()
        .filter(|(_, a)| a.status.is_some() || a.observed_at.is_some())
        .copied()
        .collect();
    if relevant.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = relevant.iter().map(|(id, _)| *id).collect();
    let mut latest: HashMap<i64, (AccountStatus, DateTime<Utc>)> = HashMap::new();
    for r in rows_by_id(
        conn,
        "account_status",
        "account_id",
        &ids,
        "ORDER BY at, rowid",
    )
    .await?
    {
        let id: i64 = r.try_get("account_id")?;
        let s: String = r.try_get("status")?;
        let status = s
            .parse()
            .map_err(|e| corrupt(&format!("account row {id}"), e))?;
        if let Some(at) = from_micros(r.try_get("at")?) {
            latest.insert(id, (status, at));
        }
    }
    // When each account was last observed (its merged row): a suspension older than that
    // was followed by a restoration, whichever was imported first.
    let mut last_observed: HashMap<i64, DateTime<Utc>> = HashMap::new();
    let explicit_gone: Vec<i64> = relevant
        .iter()
        .filter(|(_, a)| {
            a.status.as_ref().is_some_and(|s| {
                matches!(s.status, AccountStatus::Suspended | AccountStatus::Deleted)
            })
        })
        .map(|(id, _)| *id)
        .collect();
    if !explicit_gone.is_empty() {
        for r in rows_by_id(conn, "accounts", "id", &explicit_gone, "").await? {
            if let Some(t) = r
                .try_get::<Option<i64>, _>("observed_at")?
                .and_then(from_micros)
            {
                last_observed.insert(r.try_get("id")?, t);
            }
        }
    }
    let now_t = from_micros(now).unwrap_or_else(Utc::now);
    let mut changes = Vec::new();
    for (id, a) in relevant {
        let current = latest.get(&id).copied();
        if let Some(change) = status_step(current, a, now_t) {
            let restored = restored_after(&change, last_observed.get(&id).copied(), &a.raw.source);
            for change in std::iter::once(change).chain(restored) {
                if latest.get(&id).is_none_or(|(_, at)| change.at >= *at) {
                    latest.insert(id, (change.status, change.at));
                }
                changes.push((id, change));
            }
        }
    }
    for chunk in changes.chunks(MAX_PARAMS / 4) {
        let mut qb: Qb =
            QueryBuilder::new("INSERT INTO account_status (account_id, status, at, source) ");
        qb.push_values(chunk, |mut b, (id, c)| {
            b.push_bind(*id)
                .push_bind(c.status.as_str())
                .push_bind(micros(c.at))
                .push_bind(c.source.as_str());
        });
        qb.push(" ON CONFLICT DO NOTHING");
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    let changed: BTreeSet<i64> = changes.iter().map(|(id, _)| *id).collect();
    for id in changed {
        if let Some((status, _)) = latest.get(&id) {
            sqlx::query("UPDATE accounts SET status = ? WHERE id = ?")
                .bind(status.as_str())
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

async fn insert_observations(
    conn: &mut SqliteConnection,
    obs: &[Obs],
    now: i64,
) -> Result<(), StoreError> {
    for chunk in obs.chunks(MAX_PARAMS / 7) {
        let mut qb: Qb = QueryBuilder::new(
            "INSERT INTO observations (record_type, record_id, fingerprint, observed_at, \
             first_seen, raw_source, raw) ",
        );
        qb.push_values(chunk, |mut b, o| {
            b.push_bind(o.table)
                .push_bind(o.id)
                .push_bind(o.fp.as_slice())
                .push_bind(o.observed)
                .push_bind(now)
                .push_bind(o.source.as_str())
                .push_bind(o.raw_z.as_slice());
        });
        qb.push(" ON CONFLICT DO NOTHING");
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes a batch in a few multi-row statements:
/// 1. looks up the stored fingerprint of every key;
/// 2. inserts new records (items with their media and derived edges) and edges;
/// 3. skips exact re-observations;
/// 4. merges every other observation (of a stored record, or a repeat within the batch)
///    into the record's state in batch order ([`crate::merge`]), logs both observations,
///    and writes each changed record once;
/// 5. appends account status changes.
async fn ingest_batch(
    conn: &mut SqliteConnection,
    batch: &[Prepared],
    now: i64,
) -> Result<IngestCounts, StoreError> {
    let mut counts = IngestCounts::default();
    let mut keys: BTreeMap<&'static str, Vec<&Key>> = BTreeMap::new();
    for p in batch {
        if let Some((table, key)) = key_of(&p.record) {
            keys.entry(table).or_default().push(key);
        }
    }
    let mut stored: HashMap<&'static str, HashMap<Key, (i64, Vec<u8>)>> = HashMap::new();
    for (table, ks) in &keys {
        stored.insert(table, lookup(conn, table, ks).await?);
    }
    let empty = HashMap::new();

    // Sort the batch: new records, exact duplicates, edges, and observations to merge.
    let mut new_items = Vec::new();
    let mut new_accounts = Vec::new();
    let mut new_channels = Vec::new();
    let mut new_records: Vec<&Prepared> = Vec::new();
    let mut edges = Vec::new();
    let mut merges: Vec<&Prepared> = Vec::new();
    let mut seen_keys: HashSet<(&'static str, &Key)> = HashSet::new();
    for p in batch {
        let raw_z = p.raw_z.as_deref().unwrap_or(&[]);
        let Some((table, key)) = key_of(&p.record) else {
            if let Record::Interaction(e) = &p.record {
                edges.push(EdgeRow {
                    edge: e,
                    raw: p.raw_z.as_deref(),
                    derived: false,
                });
            }
            continue;
        };
        let first_in_batch = seen_keys.insert((table, key));
        match stored.get(table).unwrap_or(&empty).get(key) {
            Some((_, fp)) if first_in_batch && fp[..] == p.fingerprint[..] => {
                counts.read += 1;
                counts.duplicates += 1;
            }
            None if first_in_batch => {
                let fp = &p.fingerprint[..];
                new_records.push(p);
                match &p.record {
                    Record::Item(rec) => new_items.push(Rec { rec, fp, raw_z }),
                    Record::Account(rec) => new_accounts.push(Rec { rec, fp, raw_z }),
                    Record::Channel(rec) => new_channels.push(Rec { rec, fp, raw_z }),
                    Record::Interaction(_) => {}
                }
            }
            _ => merges.push(p),
        }
    }

    insert_items(conn, &new_items, now, false).await?;
    insert_accounts(conn, &new_accounts, now, false).await?;
    insert_channels(conn, &new_channels, now, false).await?;
    let fresh = new_records.len() as u64;
    counts.read += fresh;
    counts.imported += fresh;
    let inserted = insert_edges(conn, &edges, now).await?;
    counts.read += edges.len() as u64;
    counts.imported += inserted;
    counts.duplicates += edges.len() as u64 - inserted;
    // Status observations of new accounts need their row ids.
    let with_status: Vec<&Key> = new_accounts
        .iter()
        .filter(|r| r.rec.status.is_some() || r.rec.observed_at.is_some())
        .map(|r| &r.rec.key)
        .collect();
    let mut status_obs: Vec<(i64, &Account)> = Vec::new();
    if !with_status.is_empty() {
        let ids = lookup(conn, "accounts", &with_status).await?;
        for r in &new_accounts {
            if let Some((id, _)) = ids.get(&r.rec.key) {
                status_obs.push((*id, r.rec));
            }
        }
    }

    if !merges.is_empty() {
        // States: records inserted above start from what was inserted; stored ones load.
        let mut states: HashMap<(&'static str, Key), State> = HashMap::new();
        let merge_keys: HashSet<(&'static str, &Key)> =
            merges.iter().filter_map(|p| key_of(&p.record)).collect();
        let mut new_ids: HashMap<&'static str, HashMap<Key, (i64, Vec<u8>)>> = HashMap::new();
        for table in ["items", "accounts", "channels"] {
            let keys: Vec<&Key> = new_records
                .iter()
                .filter_map(|p| key_of(&p.record))
                .filter(|(t, k)| *t == table && merge_keys.contains(&(*t, *k)))
                .map(|(_, k)| k)
                .collect();
            if !keys.is_empty() {
                new_ids.insert(table, lookup(conn, table, &keys).await?);
            }
        }
        for p in &new_records {
            let Some((table, key)) = key_of(&p.record) else {
                continue;
            };
            let Some((id, _)) = new_ids.get(table).and_then(|m| m.get(key)) else {
                continue;
            };
            states.insert(
                (table, key.clone()),
                State {
                    id: *id,
                    record: p.record.clone(),
                    fp: p.fingerprint.to_vec(),
                    raw_z: p.raw_z.clone().unwrap_or_default(),
                    observed: observed_of(&p.record),
                    logged: false,
                    dirty: false,
                },
            );
        }
        let mut logged: HashSet<(&'static str, i64, Vec<u8>)> = HashSet::new();
        for table in ["items", "accounts", "channels"] {
            let ids: BTreeSet<i64> = merge_keys
                .iter()
                .filter(|(t, k)| *t == table && !states.contains_key(&(*t, (*k).clone())))
                .filter_map(|(t, k)| stored.get(t).and_then(|m| m.get(*k)).map(|(id, _)| *id))
                .collect();
            let ids: Vec<i64> = ids.into_iter().collect();
            load_states(conn, table, &ids, &mut states, &mut logged).await?;
        }

        let mut obs = Vec::new();
        for p in &merges {
            let Some((table, key)) = key_of(&p.record) else {
                continue;
            };
            let Some(st) = states.get_mut(&(table, key.clone())) else {
                return Err(corrupt(
                    &key.to_string(),
                    "stored record vanished during the batch",
                ));
            };
            counts.read += 1;
            if st.fp[..] == p.fingerprint[..]
                || logged.contains(&(table, st.id, p.fingerprint.to_vec()))
            {
                counts.duplicates += 1;
                continue;
            }
            counts.updated += 1;
            if !st.logged {
                obs.push(Obs {
                    table,
                    id: st.id,
                    fp: st.fp.clone(),
                    observed: st.observed,
                    source: raw_source_of(&st.record),
                    raw_z: st.raw_z.clone(),
                });
                logged.insert((table, st.id, st.fp.clone()));
            }
            let incoming_observed = observed_of(&p.record);
            let raw_z = p.raw_z.clone().unwrap_or_default();
            obs.push(Obs {
                table,
                id: st.id,
                fp: p.fingerprint.to_vec(),
                observed: incoming_observed,
                source: raw_source_of(&p.record),
                raw_z: raw_z.clone(),
            });
            logged.insert((table, st.id, p.fingerprint.to_vec()));
            let newer = crate::merge::incoming_is_newer(
                st.observed.and_then(from_micros),
                incoming_observed.and_then(from_micros),
            );
            let record = std::mem::replace(&mut st.record, p.record.clone());
            st.record = crate::merge::merge(record, p.record.clone());
            if newer {
                // The row's fingerprint and raw are those of the newest observation.
                st.raw_z = raw_z;
                st.fp = p.fingerprint.to_vec();
            }
            st.observed = observed_of(&st.record);
            st.logged = true;
            st.dirty = true;
            if let Record::Account(a) = &p.record {
                status_obs.push((st.id, a));
            }
        }

        let dirty: Vec<&State> = states.values().filter(|s| s.dirty).collect();
        let items: Vec<Rec<'_, Item>> = dirty
            .iter()
            .filter_map(|s| match &s.record {
                Record::Item(rec) => Some(Rec {
                    rec,
                    fp: &s.fp,
                    raw_z: &s.raw_z,
                }),
                _ => None,
            })
            .collect();
        insert_items(conn, &items, now, true).await?;
        let accounts: Vec<Rec<'_, Account>> = dirty
            .iter()
            .filter_map(|s| match &s.record {
                Record::Account(rec) => Some(Rec {
                    rec,
                    fp: &s.fp,
                    raw_z: &s.raw_z,
                }),
                _ => None,
            })
            .collect();
        insert_accounts(conn, &accounts, now, true).await?;
        let channels: Vec<Rec<'_, Channel>> = dirty
            .iter()
            .filter_map(|s| match &s.record {
                Record::Channel(rec) => Some(Rec {
                    rec,
                    fp: &s.fp,
                    raw_z: &s.raw_z,
                }),
                _ => None,
            })
            .collect();
        insert_channels(conn, &channels, now, true).await?;
        insert_observations(conn, &obs, now).await?;
    }
    record_statuses(conn, &status_obs, now).await?;
    Ok(counts)
}

// ---------------------------------------------------------------------------------------
// Interactions

/// The identity of an edge: xxh3-128 of its kind, ends, time and carrying item.
pub(crate) fn edge_ident(e: &Interaction) -> [u8; 16] {
    let ident = (
        e.kind.as_str(),
        &e.source,
        &e.target,
        e.at.map(micros),
        &e.item,
    );
    let bytes = serde_json::to_vec(&ident).unwrap_or_default();
    xxhash_rust::xxh3::xxh3_128(&bytes).to_le_bytes()
}

fn nested_count(
    map: &mut std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
    rows: Vec<SqliteRow>,
) -> Result<(), StoreError> {
    for r in rows {
        let p: String = r.try_get(0)?;
        let k: String = r.try_get(1)?;
        let n: i64 = r.try_get(2)?;
        map.entry(p).or_default().insert(k, n as u64);
    }
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn ingest(&self, batch: Vec<Prepared>) -> Result<IngestCounts, StoreError> {
        let now = micros(Utc::now());
        let mut tx = self.pool.begin().await?;
        let counts = ingest_batch(&mut tx, &batch, now).await?;
        tx.commit().await?;
        Ok(counts)
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        let mut s = Stats::default();
        let rows = sqlx::query("SELECT platform, kind, COUNT(*) FROM items GROUP BY 1, 2")
            .fetch_all(&self.pool)
            .await?;
        nested_count(&mut s.items, rows)?;
        let rows = sqlx::query("SELECT platform, kind, COUNT(*) FROM channels GROUP BY 1, 2")
            .fetch_all(&self.pool)
            .await?;
        nested_count(&mut s.channels, rows)?;
        let rows = sqlx::query("SELECT platform, kind, COUNT(*) FROM interactions GROUP BY 1, 2")
            .fetch_all(&self.pool)
            .await?;
        nested_count(&mut s.interactions, rows)?;
        for r in sqlx::query("SELECT platform, COUNT(*) FROM accounts GROUP BY 1")
            .fetch_all(&self.pool)
            .await?
        {
            let n: i64 = r.try_get(1)?;
            s.accounts.insert(r.try_get(0)?, n as u64);
        }
        let r = sqlx::query("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM media")
            .fetch_one(&self.pool)
            .await?;
        s.media_files = r.try_get::<i64, _>(0)? as u64;
        s.media_bytes = r.try_get::<i64, _>(1)? as u64;
        let r = sqlx::query("SELECT COUNT(*) FROM item_media")
            .fetch_one(&self.pool)
            .await?;
        s.media_refs = r.try_get::<i64, _>(0)? as u64;
        Ok(s)
    }

    async fn items_page(
        &self,
        after: Option<ItemId>,
        limit: u32,
    ) -> Result<Vec<(ItemId, Item)>, StoreError> {
        let after = after.map(|i| i.0).unwrap_or(i64::MIN);
        let rows = sqlx::query("SELECT * FROM items WHERE id > ? ORDER BY id LIMIT ?")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Ok(Vec::new());
        };
        let lo: i64 = first.try_get("id")?;
        let hi: i64 = last.try_get("id")?;
        let media_rows = sqlx::query(
            "SELECT * FROM item_media WHERE item_id BETWEEN ? AND ? ORDER BY item_id, ordinal",
        )
        .bind(lo)
        .bind(hi)
        .fetch_all(&self.pool)
        .await?;
        let mut media: std::collections::HashMap<i64, Vec<MediaRef>> = Default::default();
        for r in &media_rows {
            let (id, m) = row_to_media_ref(r)?;
            media.entry(id).or_default().push(m);
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                row_to_item(r, media.remove(&id).unwrap_or_default())
            })
            .collect()
    }

    async fn account(&self, key: &Key) -> Result<Option<StoredAccount>, StoreError> {
        let Some(r) = sqlx::query("SELECT * FROM accounts WHERE platform = ? AND platform_id = ?")
            .bind(key.platform.as_str())
            .bind(&key.id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let ctx = format!("account {key}");
        let a = row_to_account(&r)?;
        let t = |col: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
            Ok(r.try_get::<Option<i64>, _>(col)?.and_then(from_micros))
        };
        let status: Option<String> = r.try_get("status")?;
        let status = match status {
            Some(s) => Some(s.parse().map_err(|e| corrupt(&ctx, e))?),
            None => None,
        };
        let id: i64 = r.try_get("id")?;
        let mut history = Vec::new();
        for h in sqlx::query(
            "SELECT status, at, source FROM account_status WHERE account_id = ? ORDER BY at, rowid",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            let s: String = h.try_get(0)?;
            let at: i64 = h.try_get(1)?;
            history.push(StatusChange {
                status: s.parse().map_err(|e| corrupt(&ctx, e))?,
                at: from_micros(at).ok_or_else(|| corrupt(&ctx, "status time out of range"))?,
                source: h.try_get(2)?,
            });
        }
        let first_seen = t("first_seen")?.ok_or_else(|| corrupt(&ctx, "no first_seen"))?;
        let last_seen = t("updated_at")?.ok_or_else(|| corrupt(&ctx, "no updated_at"))?;
        Ok(Some(StoredAccount {
            account: a,
            status,
            history,
            first_seen,
            last_seen,
        }))
    }

    async fn begin_import(&self, format: &str, path: &str) -> Result<i64, StoreError> {
        let r = sqlx::query(
            "INSERT INTO imports (format, path, started_at, status) VALUES (?, ?, ?, 'running') RETURNING id",
        )
        .bind(format)
        .bind(path)
        .bind(micros(Utc::now()))
        .fetch_one(&self.pool)
        .await?;
        Ok(r.try_get(0)?)
    }

    async fn finish_import(&self, id: i64, run: &ImportRun) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE imports SET finished_at = ?, status = ?, read = ?, imported = ?, updated = ?, \
             duplicates = ?, rejected = ?, message = ? WHERE id = ?",
        )
        .bind(micros(Utc::now()))
        .bind(&run.status)
        .bind(run.read as i64)
        .bind(run.imported as i64)
        .bind(run.updated as i64)
        .bind(run.duplicates as i64)
        .bind(run.rejected as i64)
        .bind(&run.message)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
