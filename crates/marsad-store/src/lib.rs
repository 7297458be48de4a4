//! Where records live: the [`Store`] trait, its SQLite implementation ([`SqliteStore`]), an
//! in-memory implementation for tests ([`MemStore`]) and the content-addressed
//! [`BlobStore`] for media files.
//!
//! Invariants:
//! - Upserts are idempotent: a record is identified by its natural key, an observation of it
//!   by its [`Prepared::fingerprint`]; re-importing any observation already seen adds
//!   nothing, in whatever order files are imported again.
//! - A new observation of a stored record is merged into it field by field ([`merge`]): the
//!   newer observation's values win (by `observed_at`; the incoming one when unknown) and
//!   fields it leaves out keep their values. Every distinct observation keeps its raw
//!   record in the observation log. Account status observations go to the status history.
//! - A batch is one transaction: an interrupted import loses nothing that was committed and
//!   leaves nothing half-written.
//! - Every record keeps its raw source record, compressed.
//!
//! Callers use the [`Store`] trait only, so that a PostgreSQL implementation can follow
//! as a second implementation of the same trait (see ARCHITECTURE.md).

mod analysis;
mod avatars;
mod blob;
mod codec;
mod media_hashes;
mod memory;
pub mod merge;
mod sqlite;

pub use analysis::{
    AccountFactsRow, ActivityRow, AlertCounts, AlertRow, AnalyzeItemRow, FindingCount, GeofenceRow,
    ItemAnalysis, ItemMediaRow, NewAlert, NewFinding, RuleFindingRow, StoredFinding, WatchRow,
};
pub use avatars::{AccountAvatar, AccountMatch, AvatarCounts, NewAvatar};
pub use blob::{BlobError, BlobStore};
pub use media_hashes::{MediaFinding, MediaHashRow, PendingMedia};
pub use memory::MemStore;
pub use sqlite::SqliteStore;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marsad_model::{AccountStatus, Item, ItemId, Key, Record, StatusChange};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot encode record {key}: {message}")]
    Encode { key: String, message: String },
    #[error("stored record {key} is corrupt: {message}")]
    Corrupt { key: String, message: String },
    #[error(transparent)]
    Blob(#[from] BlobError),
    #[error("{}: {message}", path.display())]
    Workspace { path: PathBuf, message: String },
}

/// What a batch did, record by record. `read = imported + updated + duplicates`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IngestCounts {
    pub read: u64,
    /// New records.
    pub imported: u64,
    /// Records seen before whose newer observation changed them.
    pub updated: u64,
    /// Records seen before, unchanged (or an older observation).
    pub duplicates: u64,
}

impl std::ops::AddAssign for IngestCounts {
    fn add_assign(&mut self, o: Self) {
        self.read += o.read;
        self.imported += o.imported;
        self.updated += o.updated;
        self.duplicates += o.duplicates;
    }
}

/// A record made ready for storage: fingerprinted, raw data compressed. Preparing is pure
/// CPU work, so importers do it on their own thread before handing batches to the store.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub record: Record,
    /// xxh3-128 of the record's JSON without `observed_at`.
    pub fingerprint: [u8; 16],
    /// zstd-compressed raw data (None for edges without a raw record).
    pub raw_z: Option<Vec<u8>>,
}

impl Prepared {
    /// Fingerprints and compresses a record.
    pub fn new(mut record: Record) -> Result<Prepared, StoreError> {
        let observed = take_observed(&mut record);
        let json = serde_json::to_vec(&record).map_err(|e| StoreError::Encode {
            key: record_key(&record),
            message: e.to_string(),
        })?;
        put_observed(&mut record, observed);
        let fingerprint = xxhash_rust::xxh3::xxh3_128(&json).to_le_bytes();
        let raw_z = match raw_of(&record) {
            Some(data) => {
                Some(
                    codec::compress(data.as_bytes()).map_err(|e| StoreError::Encode {
                        key: record_key(&record),
                        message: e.to_string(),
                    })?,
                )
            }
            None => None,
        };
        Ok(Prepared {
            record,
            fingerprint,
            raw_z,
        })
    }
}

fn raw_of(record: &Record) -> Option<&str> {
    match record {
        Record::Account(a) => Some(&a.raw.data),
        Record::Channel(c) => Some(&c.raw.data),
        Record::Item(i) => Some(&i.raw.data),
        Record::Interaction(e) => e.raw.as_ref().map(|r| r.data.as_str()),
    }
}

fn take_observed(record: &mut Record) -> Option<DateTime<Utc>> {
    match record {
        Record::Account(a) => a.observed_at.take(),
        Record::Channel(c) => c.observed_at.take(),
        Record::Item(i) => i.observed_at.take(),
        Record::Interaction(_) => None,
    }
}

fn put_observed(record: &mut Record, t: Option<DateTime<Utc>>) {
    match record {
        Record::Account(a) => a.observed_at = t,
        Record::Channel(c) => c.observed_at = t,
        Record::Item(i) => i.observed_at = t,
        Record::Interaction(_) => {}
    }
}

/// `type platform:id` of a record, for messages.
pub fn record_key(record: &Record) -> String {
    match record {
        Record::Account(a) => format!("account {}", a.key),
        Record::Channel(c) => format!("channel {}", c.key),
        Record::Item(i) => format!("item {}", i.key),
        Record::Interaction(e) => format!(
            "interaction {} {} -> {}",
            e.kind,
            e.source.key(),
            e.target.key()
        ),
    }
}

/// What an incoming observation does to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A record not stored before.
    Insert,
    /// A new observation of a stored record, merged into it.
    Update,
    /// An observation already seen.
    Duplicate,
}

/// The status to record for an observation, given the latest stored one; `None` when the
/// observation changes nothing.
///
/// An explicit `active` after `suspended`/`deleted` is recorded as `restored`; an account
/// observed with a full profile after its latest `suspended`/`deleted` status is `restored`
/// too (the platform served it again).
pub fn next_status(
    latest: Option<(AccountStatus, DateTime<Utc>)>,
    explicit: Option<AccountStatus>,
    at: DateTime<Utc>,
) -> Option<AccountStatus> {
    let gone = |s: AccountStatus| matches!(s, AccountStatus::Suspended | AccountStatus::Deleted);
    let live = |s: AccountStatus| matches!(s, AccountStatus::Active | AccountStatus::Restored);
    match (latest, explicit) {
        (None, Some(s)) => Some(s),
        (None, None) => None,
        (Some((old, _)), Some(s)) if live(s) && gone(old) => Some(AccountStatus::Restored),
        (Some((old, _)), Some(s)) if (live(s) && live(old)) || s == old => None,
        (Some(_), Some(s)) => Some(s),
        (Some((old, old_at)), None) if gone(old) && at > old_at => Some(AccountStatus::Restored),
        (Some(_), None) => None,
    }
}

/// The status-history entry an account observation adds, given the latest stored entry:
/// explicit statuses (or, for an account profile observed at a known time, the implied
/// `restored`) per [`next_status`]; an observation older than the latest entry is history
/// and is kept as said. `None` when it adds nothing.
pub fn status_step(
    latest: Option<(AccountStatus, DateTime<Utc>)>,
    a: &marsad_model::Account,
    now: DateTime<Utc>,
) -> Option<StatusChange> {
    let explicit = a.status.as_ref();
    if explicit.is_none() && a.observed_at.is_none() {
        return None;
    }
    let at = explicit.and_then(|s| s.at).or(a.observed_at).unwrap_or(now);
    let status = match (latest, explicit) {
        (Some((_, latest_at)), Some(s)) if at < latest_at => Some(s.status),
        (Some((_, latest_at)), None) if at <= latest_at => None,
        _ => next_status(latest, explicit.map(|s| s.status), at),
    }?;
    let source = explicit
        .map(|s| s.source.clone())
        .unwrap_or_else(|| format!("{}: profile observed", a.raw.source));
    Some(StatusChange { status, at, source })
}

/// The `restored` entry implied when a `suspended`/`deleted` status arrives for an account
/// whose profile was observed after it (`last_observed`, the latest observation time of the
/// stored account): the same history whatever order the observations are imported in.
pub fn restored_after(
    change: &StatusChange,
    last_observed: Option<DateTime<Utc>>,
    source: &str,
) -> Option<StatusChange> {
    let gone = matches!(
        change.status,
        AccountStatus::Suspended | AccountStatus::Deleted
    );
    match last_observed {
        Some(seen) if gone && seen > change.at => Some(StatusChange {
            status: AccountStatus::Restored,
            at: seen,
            source: format!("{source}: profile observed after the {}", change.status),
        }),
        _ => None,
    }
}

/// Counts by platform and kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// platform → kind → count
    pub items: BTreeMap<String, BTreeMap<String, u64>>,
    /// platform → count
    pub accounts: BTreeMap<String, u64>,
    /// platform → kind → count
    pub channels: BTreeMap<String, BTreeMap<String, u64>>,
    /// platform → kind → count
    pub interactions: BTreeMap<String, BTreeMap<String, u64>>,
    /// Distinct media files in the blob store, and their total size.
    pub media_files: u64,
    pub media_bytes: u64,
    /// Media references of items (with or without a stored file).
    pub media_refs: u64,
}

impl Stats {
    pub fn total_items(&self) -> u64 {
        self.items.values().flat_map(|m| m.values()).sum()
    }
    pub fn total_accounts(&self) -> u64 {
        self.accounts.values().sum()
    }
    pub fn total_channels(&self) -> u64 {
        self.channels.values().flat_map(|m| m.values()).sum()
    }
    pub fn total_interactions(&self) -> u64 {
        self.interactions.values().flat_map(|m| m.values()).sum()
    }
}

/// An account as stored, with its status history (oldest first).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredAccount {
    pub account: marsad_model::Account,
    pub status: Option<AccountStatus>,
    pub history: Vec<StatusChange>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// One `marsad import` of one file, for provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRun {
    pub format: String,
    pub path: String,
    pub status: String,
    pub read: u64,
    pub imported: u64,
    pub updated: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub message: Option<String>,
}

/// Stored records, behind one interface for every backend.
#[async_trait]
pub trait Store: Send + Sync {
    /// Upserts a batch in one transaction; returns what happened to each record.
    async fn ingest(&self, batch: Vec<Prepared>) -> Result<IngestCounts, StoreError>;
    /// Counts by platform and kind.
    async fn stats(&self) -> Result<Stats, StoreError>;
    /// Items in id order after `after`, at most `limit` (keyset pagination for exports).
    async fn items_page(
        &self,
        after: Option<ItemId>,
        limit: u32,
    ) -> Result<Vec<(ItemId, Item)>, StoreError>;
    /// One account with its status history.
    async fn account(&self, key: &Key) -> Result<Option<StoredAccount>, StoreError>;
    /// Records the start of an import; returns its id.
    async fn begin_import(&self, format: &str, path: &str) -> Result<i64, StoreError>;
    /// Records the end of an import.
    async fn finish_import(&self, id: i64, run: &ImportRun) -> Result<(), StoreError>;
}

/// A Marsad data folder: the SQLite database, the blob store and the reject files.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
}

impl Workspace {
    pub const DB_FILE: &'static str = "marsad.db";

    pub fn new(root: impl Into<PathBuf>) -> Self {
        Workspace { root: root.into() }
    }
    pub fn db_path(&self) -> PathBuf {
        self.root.join(Self::DB_FILE)
    }
    pub fn blobs(&self) -> BlobStore {
        BlobStore::new(self.root.join("blobs"))
    }
    /// The full-text search index (`marsad search`).
    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }
    pub fn rejects_dir(&self) -> PathBuf {
        self.root.join("rejects")
    }
    pub fn exists(&self) -> bool {
        self.db_path().is_file()
    }

    /// Creates the folder and database (idempotent) and applies migrations.
    pub async fn init(&self) -> Result<SqliteStore, StoreError> {
        for dir in [self.root.clone(), self.rejects_dir()] {
            std::fs::create_dir_all(&dir).map_err(|e| StoreError::Workspace {
                path: dir.clone(),
                message: format!("cannot create folder: {e}"),
            })?;
        }
        self.blobs().ensure()?;
        SqliteStore::open(&self.db_path(), true).await
    }

    /// Opens an initialised workspace (applying any pending migrations).
    pub async fn open(&self) -> Result<SqliteStore, StoreError> {
        if !self.exists() {
            return Err(StoreError::Workspace {
                path: self.root.clone(),
                message: "no Marsad workspace here (run `marsad init` first)".into(),
            });
        }
        SqliteStore::open(&self.db_path(), false).await
    }
}

/// True for a SHA-256 in the form the blob store names files by: 64 lower-case hex digits.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(s, 0).unwrap()
    }

    #[test]
    fn status_rule() {
        use AccountStatus::*;
        assert_eq!(next_status(None, None, t(1)), None);
        assert_eq!(next_status(None, Some(Suspended), t(1)), Some(Suspended));
        assert_eq!(
            next_status(Some((Suspended, t(1))), Some(Suspended), t(2)),
            None
        );
        assert_eq!(
            next_status(Some((Suspended, t(1))), Some(Active), t(2)),
            Some(Restored)
        );
        assert_eq!(next_status(Some((Suspended, t(5))), None, t(2)), None);
        assert_eq!(
            next_status(Some((Suspended, t(1))), None, t(2)),
            Some(Restored)
        );
        assert_eq!(
            next_status(Some((Restored, t(1))), Some(Active), t(2)),
            None
        );
        assert_eq!(
            next_status(Some((Active, t(1))), Some(Deleted), t(2)),
            Some(Deleted)
        );
    }

    #[test]
    fn fingerprint_ignores_observation_time() {
        use marsad_model::{ItemKind, Platform, Raw};
        let mut item = Item::new(
            Key::new(Platform::X, "1"),
            ItemKind::Post,
            Raw::new("t", "{}"),
        );
        let a = Prepared::new(Record::Item(item.clone())).unwrap();
        item.observed_at = Some(t(100));
        let b = Prepared::new(Record::Item(item.clone())).unwrap();
        assert_eq!(a.fingerprint, b.fingerprint);
        item.text = "changed".into();
        let c = Prepared::new(Record::Item(item)).unwrap();
        assert_ne!(a.fingerprint, c.fingerprint);
        let Record::Item(i) = &b.record else { panic!() };
        assert_eq!(i.observed_at, Some(t(100)), "observed_at is restored");
    }
}
