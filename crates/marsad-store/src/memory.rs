//! [`MemStore`]: the tiny in-memory [`Store`] for tests of code built on the trait. Same
//! upsert and status rules as the SQLite store (shared through [`classify`] and
//! [`next_status`]); no persistence.

use crate::sqlite::edge_ident;
use crate::{
    classify, next_status, ImportRun, IngestCounts, Outcome, Prepared, Stats, Store, StoreError,
    StoredAccount,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marsad_model::{Account, Channel, Item, ItemId, Key, Record, StatusChange};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

/// An account with its fingerprint, status history and first-seen time.
type AccountEntry = (Account, [u8; 16], Vec<StatusChange>, DateTime<Utc>);

#[derive(Debug, Default)]
struct Inner {
    items: Vec<(Item, [u8; 16])>,
    item_index: HashMap<Key, usize>,
    accounts: HashMap<Key, AccountEntry>,
    channels: HashMap<Key, (Channel, [u8; 16])>,
    edges: HashSet<[u8; 16]>,
    edge_kinds: Vec<(String, String)>,
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
        if self.edges.insert(edge_ident(e)) {
            self.edge_kinds
                .push((e.source.key().platform.to_string(), e.kind.to_string()));
            Outcome::Insert
        } else {
            Outcome::Duplicate
        }
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
            let o = match p.record {
                Record::Item(item) => {
                    let idx = g.item_index.get(&item.key).copied();
                    let stored = idx.map(|i| (&g.items[i].1[..], g.items[i].0.observed_at));
                    let o = classify(stored, &fp, item.observed_at);
                    if o != Outcome::Duplicate {
                        for e in item.derived_interactions() {
                            g.add_edge(&e);
                        }
                        match idx {
                            Some(i) => g.items[i] = (item, fp),
                            None => {
                                let key = item.key.clone();
                                g.items.push((item, fp));
                                let n = g.items.len() - 1;
                                g.item_index.insert(key, n);
                            }
                        }
                    }
                    o
                }
                Record::Account(a) => {
                    let stored = g.accounts.get(&a.key);
                    let o = classify(
                        stored.map(|s| (&s.1[..], s.0.observed_at)),
                        &fp,
                        a.observed_at,
                    );
                    let mut history = stored.map(|s| s.2.clone()).unwrap_or_default();
                    let first = stored.map(|s| s.3).unwrap_or(now);
                    if a.status.is_some() || a.observed_at.is_some() {
                        let at = a
                            .status
                            .as_ref()
                            .and_then(|s| s.at)
                            .or(a.observed_at)
                            .unwrap_or(now);
                        let latest = history.last().map(|h| (h.status, h.at));
                        if let Some(s) =
                            next_status(latest, a.status.as_ref().map(|s| s.status), at)
                        {
                            let source = a
                                .status
                                .as_ref()
                                .map(|s| s.source.clone())
                                .unwrap_or_else(|| format!("{}: profile observed", a.raw.source));
                            history.push(StatusChange {
                                status: s,
                                at,
                                source,
                            });
                            history.sort_by_key(|h| h.at);
                        }
                    }
                    let key = a.key.clone();
                    match (o, g.accounts.get_mut(&key)) {
                        (Outcome::Duplicate, Some(s)) => s.2 = history,
                        _ => {
                            g.accounts.insert(key, (a, fp, history, first));
                        }
                    }
                    o
                }
                Record::Channel(ch) => {
                    let stored = g.channels.get(&ch.key);
                    let o = classify(
                        stored.map(|s| (&s.1[..], s.0.observed_at)),
                        &fp,
                        ch.observed_at,
                    );
                    if o != Outcome::Duplicate {
                        g.channels.insert(ch.key.clone(), (ch, fp));
                    }
                    o
                }
                Record::Interaction(e) => g.add_edge(&e),
            };
            tally(&mut c, o);
        }
        Ok(c)
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        let g = self.lock();
        let mut s = Stats::default();
        for (item, _) in &g.items {
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
        for (ch, _) in g.channels.values() {
            *s.channels
                .entry(ch.key.platform.to_string())
                .or_default()
                .entry(ch.kind.to_string())
                .or_default() += 1;
        }
        for (p, k) in &g.edge_kinds {
            *s.interactions
                .entry(p.clone())
                .or_default()
                .entry(k.clone())
                .or_default() += 1;
        }
        let mut media: BTreeMap<&str, u64> = BTreeMap::new();
        for m in g.items.iter().flat_map(|(i, _)| &i.media) {
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
            .map(|(i, (item, _))| (ItemId(i as i64 + 1), item.clone()))
            .collect())
    }

    async fn account(&self, key: &Key) -> Result<Option<StoredAccount>, StoreError> {
        let g = self.lock();
        Ok(g.accounts.get(key).map(|(a, _, h, first)| StoredAccount {
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
