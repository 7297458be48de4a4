//! The embedded default store: SQLite (WAL mode) through sqlx, with versioned migrations
//! from `migrations/`.

use crate::codec::{decompress, from_json_col, from_micros, json_col, micros, opt_micros};
use crate::{
    next_status, ImportRun, IngestCounts, Outcome, Prepared, Stats, Store, StoreError,
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
use sqlx::Row;
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
            .pragma("cache_size", "-65536");
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

const ITEM_COLS: &str = "platform, platform_id, kind, author, channel, created_at, edited_at, \
    text, language, url, reply_to, repost_of, quote_of, forwarded_from, forwarded_platform, \
    via_bot, mentions, hashtags, links, lat, lon, place, metrics, is_live, withheld_in, \
    observed_at, fingerprint, raw_source, raw, first_seen, updated_at";

fn item_insert_sql(update: bool) -> String {
    let placeholders = vec!["?"; 31].join(", ");
    let conflict = if update {
        let sets: Vec<String> = ITEM_COLS
            .split(',')
            .map(str::trim)
            .filter(|c| !matches!(*c, "platform" | "platform_id" | "first_seen"))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        format!("DO UPDATE SET {}", sets.join(", "))
    } else {
        "DO NOTHING".to_string()
    };
    format!(
        "INSERT INTO items ({ITEM_COLS}) VALUES ({placeholders}) \
         ON CONFLICT (platform, platform_id) {conflict} RETURNING id"
    )
}

/// Writes an item's row (insert, or replace all fields) and its media; returns the row id.
async fn write_item(
    conn: &mut SqliteConnection,
    item: &Item,
    fingerprint: &[u8],
    raw_z: Vec<u8>,
    now: i64,
    update: bool,
) -> Result<i64, StoreError> {
    let sql = item_insert_sql(update);
    let (lat, lon) = item
        .geo
        .map(|g| (Some(g.lat), Some(g.lon)))
        .unwrap_or((None, None));
    let row = sqlx::query(&sql)
        .bind(item.key.platform.as_str())
        .bind(&item.key.id)
        .bind(item.kind.as_str())
        .bind(item.author.as_ref().map(|k| k.id.clone()))
        .bind(item.channel.as_ref().map(|k| k.id.clone()))
        .bind(opt_micros(item.created_at))
        .bind(opt_micros(item.edited_at))
        .bind(&item.text)
        .bind(&item.language)
        .bind(&item.url)
        .bind(item.reply_to.as_ref().map(|k| k.id.clone()))
        .bind(item.repost_of.as_ref().map(|k| k.id.clone()))
        .bind(item.quote_of.as_ref().map(|k| k.id.clone()))
        .bind(item.forwarded_from.as_ref().map(|k| k.id.clone()))
        .bind(item.forwarded_from.as_ref().map(|k| k.platform.as_str()))
        .bind(&item.via_bot)
        .bind(json_col(&item.mentions, item.mentions.is_empty()))
        .bind(json_col(&item.hashtags, item.hashtags.is_empty()))
        .bind(json_col(&item.links, item.links.is_empty()))
        .bind(lat)
        .bind(lon)
        .bind(
            item.place
                .as_ref()
                .and_then(|pl| serde_json::to_string(pl).ok()),
        )
        .bind(json_col(&item.metrics, item.metrics.is_empty()))
        .bind(item.is_live)
        .bind(json_col(&item.withheld_in, item.withheld_in.is_empty()))
        .bind(opt_micros(item.observed_at))
        .bind(fingerprint)
        .bind(&item.raw.source)
        .bind(raw_z)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
    let id: i64 = row.try_get(0)?;
    if update {
        sqlx::query("DELETE FROM item_media WHERE item_id = ?")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    for (ordinal, m) in item.media.iter().enumerate() {
        insert_media_ref(conn, id, ordinal as i64, m, now).await?;
    }
    for e in item.derived_interactions() {
        insert_edge(conn, &e, None, true, now).await?;
    }
    Ok(id)
}

/// The upsert every record type shares: an observation already seen (the row's
/// fingerprint or one in the observation log) is a duplicate; a new observation of a stored
/// record is merged into it (see [`crate::merge`]) and both observations go to the log.
async fn upsert(
    conn: &mut SqliteConnection,
    p: &Prepared,
    now: i64,
) -> Result<Outcome, StoreError> {
    let (table, key) = match &p.record {
        Record::Item(i) => ("items", &i.key),
        Record::Account(a) => ("accounts", &a.key),
        Record::Channel(c) => ("channels", &c.key),
        Record::Interaction(e) => {
            return insert_edge(conn, e, p.raw_z.clone(), false, now).await;
        }
    };
    let row = sqlx::query(&format!(
        "SELECT * FROM {table} WHERE platform = ? AND platform_id = ?"
    ))
    .bind(key.platform.as_str())
    .bind(&key.id)
    .fetch_optional(&mut *conn)
    .await?;
    let raw_z = p.raw_z.clone().unwrap_or_default();
    let Some(row) = row else {
        write_record(conn, &p.record, &p.fingerprint, raw_z, now, false).await?;
        return Ok(Outcome::Insert);
    };
    let id: i64 = row.try_get("id")?;
    let stored_fp: Vec<u8> = row.try_get("fingerprint")?;
    if stored_fp == p.fingerprint {
        return Ok(Outcome::Duplicate);
    }
    let seen = sqlx::query(
        "SELECT 1 FROM observations WHERE record_type = ? AND record_id = ? AND fingerprint = ?",
    )
    .bind(table)
    .bind(id)
    .bind(&p.fingerprint[..])
    .fetch_optional(&mut *conn)
    .await?;
    if seen.is_some() {
        return Ok(Outcome::Duplicate);
    }
    let stored = match &p.record {
        Record::Item(_) => {
            let media = load_media(conn, id).await?;
            Record::Item(row_to_item(&row, media)?.1)
        }
        Record::Account(_) => Record::Account(row_to_account(&row)?),
        _ => Record::Channel(row_to_channel(&row)?),
    };
    let stored_raw_z: Vec<u8> = row.try_get("raw")?;
    let stored_observed: Option<i64> = row.try_get("observed_at")?;
    let stored_source: String = row.try_get("raw_source")?;
    for (fp, observed, source, raw) in [
        (
            &stored_fp[..],
            stored_observed,
            stored_source.as_str(),
            &stored_raw_z,
        ),
        (
            &p.fingerprint[..],
            observed_of(&p.record),
            raw_source_of(&p.record),
            &raw_z,
        ),
    ] {
        sqlx::query(
            "INSERT INTO observations (record_type, record_id, fingerprint, observed_at, \
             first_seen, raw_source, raw) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(table)
        .bind(id)
        .bind(fp)
        .bind(observed)
        .bind(now)
        .bind(source)
        .bind(raw)
        .execute(&mut *conn)
        .await?;
    }
    let incoming_newer = crate::merge::incoming_is_newer(
        stored_observed.and_then(from_micros),
        observed_of(&p.record).and_then(from_micros),
    );
    let merged = crate::merge::merge(stored, p.record.clone());
    let merged_raw = if incoming_newer { raw_z } else { stored_raw_z };
    write_record(conn, &merged, &p.fingerprint, merged_raw, now, true).await?;
    if let Record::Account(a) = &p.record {
        record_status(conn, id, a, now).await?;
    }
    Ok(Outcome::Update)
}

fn observed_of(r: &Record) -> Option<i64> {
    match r {
        Record::Item(i) => opt_micros(i.observed_at),
        Record::Account(a) => opt_micros(a.observed_at),
        Record::Channel(c) => opt_micros(c.observed_at),
        Record::Interaction(_) => None,
    }
}

fn raw_source_of(r: &Record) -> &str {
    match r {
        Record::Item(i) => &i.raw.source,
        Record::Account(a) => &a.raw.source,
        Record::Channel(c) => &c.raw.source,
        Record::Interaction(e) => e.raw.as_ref().map(|r| r.source.as_str()).unwrap_or(""),
    }
}

async fn write_record(
    conn: &mut SqliteConnection,
    record: &Record,
    fingerprint: &[u8],
    raw_z: Vec<u8>,
    now: i64,
    update: bool,
) -> Result<(), StoreError> {
    match record {
        Record::Item(i) => {
            write_item(conn, i, fingerprint, raw_z, now, update).await?;
        }
        Record::Account(a) => {
            let id = write_account(conn, a, fingerprint, raw_z, now, update).await?;
            if !update {
                record_status(conn, id, a, now).await?;
            }
        }
        Record::Channel(c) => write_channel(conn, c, fingerprint, raw_z, now, update).await?,
        Record::Interaction(e) => {
            insert_edge(conn, e, Some(raw_z), false, now).await?;
        }
    }
    Ok(())
}

async fn load_media(
    conn: &mut SqliteConnection,
    item_id: i64,
) -> Result<Vec<MediaRef>, StoreError> {
    let rows = sqlx::query("SELECT * FROM item_media WHERE item_id = ? ORDER BY ordinal")
        .bind(item_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| row_to_media_ref(r).map(|(_, m)| m))
        .collect()
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

async fn insert_media_ref(
    conn: &mut SqliteConnection,
    item_id: i64,
    ordinal: i64,
    m: &MediaRef,
    now: i64,
) -> Result<(), StoreError> {
    if let (Some(sha), Some(size)) = (&m.sha256, m.size) {
        sqlx::query(
            "INSERT INTO media (sha256, mime, size, blob_path, first_seen) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(sha)
        .bind(&m.mime)
        .bind(size as i64)
        .bind(crate::BlobStore::rel_path(sha))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "INSERT INTO item_media (item_id, ordinal, kind, url, path, platform_id, mime, width, \
         height, duration_secs, sha256, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(item_id)
    .bind(ordinal)
    .bind(m.kind.as_str())
    .bind(&m.url)
    .bind(&m.path)
    .bind(&m.platform_id)
    .bind(&m.mime)
    .bind(m.width.map(i64::from))
    .bind(m.height.map(i64::from))
    .bind(m.duration_secs)
    .bind(&m.sha256)
    .bind(m.size.map(|s| s as i64))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

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

async fn write_account(
    conn: &mut SqliteConnection,
    a: &Account,
    fingerprint: &[u8],
    raw_z: Vec<u8>,
    now: i64,
    update: bool,
) -> Result<i64, StoreError> {
    let cols = "platform, platform_id, handle, display_name, bio, avatar_url, url, location, \
        created_at, followers, following, verified, metrics, observed_at, fingerprint, \
        raw_source, raw, first_seen, updated_at";
    let sql = format!(
        "INSERT INTO accounts ({cols}) VALUES ({}) ON CONFLICT (platform, platform_id) {} \
         RETURNING id",
        vec!["?"; 19].join(", "),
        on_conflict(cols, update)
    );
    let row = sqlx::query(&sql)
        .bind(a.key.platform.as_str())
        .bind(&a.key.id)
        .bind(&a.handle)
        .bind(&a.display_name)
        .bind(&a.bio)
        .bind(&a.avatar_url)
        .bind(&a.url)
        .bind(&a.location)
        .bind(opt_micros(a.created_at))
        .bind(a.followers)
        .bind(a.following)
        .bind(a.verified)
        .bind(json_col(&a.metrics, a.metrics.is_empty()))
        .bind(opt_micros(a.observed_at))
        .bind(fingerprint)
        .bind(&a.raw.source)
        .bind(raw_z)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

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

/// Appends to an account's status history what this observation says (see [`next_status`]).
async fn record_status(
    conn: &mut SqliteConnection,
    account_id: i64,
    a: &Account,
    now: i64,
) -> Result<(), StoreError> {
    let explicit = a.status.as_ref();
    if explicit.is_none() && a.observed_at.is_none() {
        return Ok(());
    }
    let at = explicit
        .and_then(|s| s.at)
        .or(a.observed_at)
        .unwrap_or_else(|| from_micros(now).unwrap_or_else(Utc::now));
    let latest = sqlx::query(
        "SELECT status, at FROM account_status WHERE account_id = ? ORDER BY at DESC, rowid DESC LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?;
    let latest = match latest {
        Some(row) => {
            let s: String = row.try_get(0)?;
            let t: i64 = row.try_get(1)?;
            let status: AccountStatus = s
                .parse()
                .map_err(|e| corrupt(&format!("account {}", a.key), e))?;
            from_micros(t).map(|t| (status, t))
        }
        None => None,
    };
    let (status, source) = match (latest, explicit) {
        // An observation older than the latest status is history, taken as said.
        (Some((_, latest_at)), Some(s)) if at < latest_at => (Some(s.status), s.source.clone()),
        (Some((_, latest_at)), None) if at <= latest_at => (None, String::new()),
        _ => (
            next_status(latest, explicit.map(|s| s.status), at),
            explicit
                .map(|s| s.source.clone())
                .unwrap_or_else(|| format!("{}: profile observed", a.raw.source)),
        ),
    };
    let Some(status) = status else {
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO account_status (account_id, status, at, source) VALUES (?, ?, ?, ?) \
         ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(status.as_str())
    .bind(micros(at))
    .bind(&source)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE accounts SET status = (SELECT status FROM account_status WHERE account_id = ?1 \
         ORDER BY at DESC, rowid DESC LIMIT 1) WHERE id = ?1",
    )
    .bind(account_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Channels

async fn write_channel(
    conn: &mut SqliteConnection,
    c: &Channel,
    fingerprint: &[u8],
    raw_z: Vec<u8>,
    now: i64,
    update: bool,
) -> Result<(), StoreError> {
    let cols = "platform, platform_id, kind, name, handle, description, member_count, \
        invite_links, owner, created_at, observed_at, fingerprint, raw_source, raw, first_seen, \
        updated_at";
    let sql = format!(
        "INSERT INTO channels ({cols}) VALUES ({}) ON CONFLICT (platform, platform_id) {}",
        vec!["?"; 16].join(", "),
        on_conflict(cols, update)
    );
    sqlx::query(&sql)
        .bind(c.key.platform.as_str())
        .bind(&c.key.id)
        .bind(c.kind.as_str())
        .bind(&c.name)
        .bind(&c.handle)
        .bind(&c.description)
        .bind(c.member_count)
        .bind(json_col(&c.invite_links, c.invite_links.is_empty()))
        .bind(c.owner.as_ref().map(|k| k.id.clone()))
        .bind(opt_micros(c.created_at))
        .bind(opt_micros(c.observed_at))
        .bind(fingerprint)
        .bind(&c.raw.source)
        .bind(raw_z)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

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

async fn insert_edge(
    conn: &mut SqliteConnection,
    e: &Interaction,
    raw_z: Option<Vec<u8>>,
    derived: bool,
    now: i64,
) -> Result<Outcome, StoreError> {
    let row = sqlx::query(
        "INSERT INTO interactions (ident, platform, kind, source_type, source, target_type, \
         target_platform, target, at, item, derived, raw_source, raw, first_seen) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ident) DO NOTHING RETURNING id",
    )
    .bind(&edge_ident(e)[..])
    .bind(e.source.key().platform.as_str())
    .bind(e.kind.as_str())
    .bind(e.source.kind_str())
    .bind(&e.source.key().id)
    .bind(e.target.kind_str())
    .bind(e.target.key().platform.as_str())
    .bind(&e.target.key().id)
    .bind(opt_micros(e.at))
    .bind(e.item.as_ref().map(|k| k.id.clone()))
    .bind(derived)
    .bind(e.raw.as_ref().map(|r| r.source.clone()))
    .bind(raw_z)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(if row.is_some() {
        Outcome::Insert
    } else {
        Outcome::Duplicate
    })
}

fn count(counts: &mut IngestCounts, o: Outcome) {
    counts.read += 1;
    match o {
        Outcome::Insert => counts.imported += 1,
        Outcome::Update => counts.updated += 1,
        Outcome::Duplicate => counts.duplicates += 1,
    }
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
        let mut counts = IngestCounts::default();
        let mut tx = self.pool.begin().await?;
        for p in &batch {
            let outcome = upsert(&mut tx, p, now).await?;
            count(&mut counts, outcome);
        }
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
