//! [`MemStore`]: the tiny in-memory [`Store`] for tests of code built on the trait. Same
//! upsert rules as the SQLite store (shared through [`crate::merge`] and
//! [`next_status`]); no persistence.

use crate::merge::merge;
use crate::sqlite::edge_ident;
use crate::{
    restored_after, status_step, ImportRun, IngestCounts, Outcome, Prepared, Stats, Store,
    StoreError, StoredAccount,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marsad_model::{Account, Channel, Item, ItemId, Key, Record, StatusChange};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

/// An account with its status history and first-seen time.
type AccountEntry = (Account, Vec<StatusChange>, DateTime<Utc>);

#[derive(Debug, Default)]
struct Inner {
    items: Vec<Item>,
    item_index: HashMap<Key, usize>,
    accounts: HashMap<Key, AccountEntry>,
    channels: HashMap<Key, Channel>,
    /// Every observation seen: (record type, key, fingerprint).
    seen: HashSet<(&'static str, Key, [u8; 16])>,
    /// Edge identity → (platform, kind).
    edges: HashMap<[u8; 16], (String, String)>,
    /// The derived edges of each item, replaced when the item is updated.
    derived: HashMap<Key, Vec<[u8; 16]>>,
    imports: Vec<ImportRun>,
}

/// An in-memory [`Store`].
#[derive(Debug, Default)]
pub struct MemStore {
    inner: Mutex<Inner>,
}

impl MemStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent data (every write is a single
        // insert), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn tally(c: &mut IngestCounts, o: Outcome) {
    c.read += 1;
    match o {
        Outcome::Insert => c.imported += 1,
        Outcome::Update => c.updated += 1,
        Outcome::Duplicate => c.duplicates += 1,
    }
}

impl Inner {
    fn add_edge(&mut self, e: &marsad_model::Interaction) -> Outcome {
        let ident = edge_ident(e);
        if self.edges.contains_key(&ident) {
            return Outcome::Duplicate;
        }
        let kind = (e.source.key().platform.to_string(), e.kind.to_string());
        self.edges.insert(ident, kind);
        Outcome::Insert
    }

    fn derive_edges(&mut self, item: &Item) {
        for old in self.derived.remove(&item.key).unwrap_or_default() {
            self.edges.remove(&old);
        }
        let mut mine = Vec::new();
        for e in item.derived_interactions() {
            if self.add_edge(&e) == Outcome::Insert {
                mine.push(edge_ident(&e));
            }
        }
        self.derived.insert(item.key.clone(), mine);
    }
}

fn apply_status(
    history: &mut Vec<StatusChange>,
    a: &Account,
    last_observed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) {
    let latest = history.last().map(|h| (h.status, h.at));
    if let Some(change) = status_step(latest, a, now) {
        let restored = restored_after(&change, last_observed, &a.raw.source);
        history.push(change);
        history.extend(restored);
        history.sort_by_key(|h| h.at);
    }
}

#[async_trait]
impl Store for MemStore {
    async fn ingest(&self, batch: Vec<Prepared>) -> Result<IngestCounts, StoreError> {
        let now = Utc::now();
        let mut g = self.lock();
        let mut c = IngestCounts::default();
        for p in batch {
            let fp = p.fingerprint;
            let (type_str, key) = match &p.record {
                Record::Item(i) => ("item", i.key.clone()),
                Record::Account(a) => ("account", a.key.clone()),
                Record::Channel(ch) => ("channel", ch.key.clone()),
                Record::Interaction(e) => {
                    let o = g.add_edge(e);
                    tally(&mut c, o);
                    continue;
                }
            };
            let stored = match &p.record {
                Record::Item(_) => g
                    .item_index
                    .get(&key)
                    .map(|&i| Record::Item(g.items[i].clone())),
                Record::Account(_) => g.accounts.get(&key).map(|a| Record::Account(a.0.clone())),
                _ => g.channels.get(&key).map(|ch| Record::Channel(ch.clone())),
            };
            if !g.seen.insert((type_str, key.clone(), fp)) {
                tally(&mut c, Outcome::Duplicate);
                continue;
            }
            let (o, record) = match stored {
                None => (Outcome::Insert, p.record.clone()),
                Some(s) => (Outcome::Update, merge(s, p.record.clone())),
            };
            match record {
                Record::Item(item) => {
                    g.derive_edges(&item);
                    match g.item_index.get(&key).copied() {
                        Some(i) => g.items[i] = item,
                        None => {
                            g.items.push(item);
                            let n = g.items.len() - 1;
                            g.item_index.insert(key, n);
                        }
                    }
                }
                Record::Account(a) => {
                    let (mut history, first) = g
                        .accounts
                        .get(&key)
                        .map(|e| (e.1.clone(), e.2))
                        .unwrap_or((Vec::new(), now));
                    if let Record::Account(incoming) = &p.record {
                        apply_status(&mut history, incoming, a.observed_at, now);
                    }
                    g.accounts.insert(key, (a, history, first));
                }
                Record::Channel(ch) => {
                    g.channels.insert(key, ch);
                }
                Record::Interaction(_) => {}
            }
            tally(&mut c, o);
        }
        Ok(c)
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        let g = self.lock();
        let mut s = Stats::default();
        for item in &g.items {
            *s.items
                .entry(item.key.platform.to_string())
                .or_default()
                .entry(item.kind.to_string())
                .or_default() += 1;
            s.media_refs += item.media.len() as u64;
        }
        for k in g.accounts.keys() {
            *s.accounts.entry(k.platform.to_string()).or_default() += 1;
        }
        for ch in g.channels.values() {
            *s.channels
                .entry(ch.key.platform.to_string())
                .or_default()
                .entry(ch.kind.to_string())
                .or_default() += 1;
        }
        for (p, k) in g.edges.values() {
            *s.interactions
                .entry(p.clone())
                .or_default()
                .entry(k.clone())
                .or_default() += 1;
        }
        let mut media: BTreeMap<&str, u64> = BTreeMap::new();
        for m in g.items.iter().flat_map(|i| &i.media) {
            if let (Some(sha), Some(size)) = (&m.sha256, m.size) {
                media.insert(sha, size);
            }
        }
        s.media_files = media.len() as u64;
        s.media_bytes = media.values().sum();
        Ok(s)
    }

    async fn items_page(
        &self,
        after: Option<ItemId>,
        limit: u32,
    ) -> Result<Vec<(ItemId, Item)>, StoreError> {
        let g = self.lock();
        let start = after.map(|i| i.0.max(0) as usize).unwrap_or(0);
        Ok(g.items
            .iter()
            .enumerate()
            .skip(start)
            .take(limit as usize)
            .map(|(i, item)| (ItemId(i as i64 + 1), item.clone()))
            .collect())
    }

    async fn account(&self, key: &Key) -> Result<Option<StoredAccount>, StoreError> {
        let g = self.lock();
        Ok(g.accounts.get(key).map(|(a, h, first)| StoredAccount {
            account: a.clone(),
            status: h.last().map(|x| x.status),
            history: h.clone(),
            first_seen: *first,
            last_seen: *first,
        }))
    }

    async fn begin_import(&self, format: &str, path: &str) -> Result<i64, StoreError> {
        let mut g = self.lock();
        g.imports.push(ImportRun {
            format: format.into(),
            path: path.into(),
            status: "running".into(),
            read: 0,
            imported: 0,
            updated: 0,
            duplicates: 0,
            rejected: 0,
            message: None,
        });
        Ok(g.imports.len() as i64)
    }

    async fn finish_import(&self, id: i64, run: &ImportRun) -> Result<(), StoreError> {
        let mut g = self.lock();
        if let Some(slot) = usize::try_from(id - 1)
            .ok()
            .and_then(|i| g.imports.get_mut(i))
        {
            *slot = run.clone();
        }
        Ok(())
    }
}
