//! One contract, two stores: every behaviour the `Store` trait promises is checked against
//! the SQLite store and the in-memory test store alike.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use marsad_model::*;
use marsad_store::{IngestCounts, MemStore, Prepared, SqliteStore, Store, Workspace};

fn t(s: i64) -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(s, 0).unwrap()
}

fn item(id: &str, text: &str) -> Item {
    let mut it = Item::new(
        Key::new(Platform::X, id),
        ItemKind::Post,
        Raw::new("test", format!("{{\"id\":\"{id}\",\"text\":\"{text}\"}}")),
    );
    it.text = text.into();
    it.author = Some(Key::new(Platform::X, "u1"));
    it.created_at = Some(t(1_700_000_000));
    it.hashtags = vec!["بغداد".into()];
    it.mentions = vec![Mention {
        handle: "bob".into(),
        account: Some(Key::new(Platform::X, "u2")),
    }];
    it.metrics.insert("likes".into(), 3);
    it.geo = GeoPoint::new(33.3, 44.4);
    it.place = Some(Place {
        name: Some("Baghdad".into()),
        ..Default::default()
    });
    let mut m = MediaRef::new(MediaKind::Photo);
    m.url = Some("https://example.org/a.jpg".into());
    it.media = vec![m];
    it
}

fn account(id: &str, observed: Option<i64>, status: Option<AccountStatus>) -> Account {
    let mut a = Account::new(
        Key::new(Platform::X, id),
        Raw::new("test", format!("{{\"id\":\"{id}\"}}")),
    );
    a.handle = Some(format!("h{id}"));
    a.observed_at = observed.map(t);
    a.status = status.map(|s| StatusObservation {
        status: s,
        at: None,
        source: "test: said so".into(),
    });
    a
}

fn prep(records: Vec<Record>) -> Vec<Prepared> {
    records
        .into_iter()
        .map(|r| Prepared::new(r).unwrap())
        .collect()
}

fn counts(read: u64, imported: u64, updated: u64, duplicates: u64) -> IngestCounts {
    IngestCounts {
        read,
        imported,
        updated,
        duplicates,
    }
}

async fn contract(store: &dyn Store) {
    // Insert, then re-import: nothing added.
    let batch = vec![
        Record::Item(item("1", "مرحبا")),
        Record::Item(item("2", "hello")),
        Record::Account(account("u1", Some(100), None)),
    ];
    assert_eq!(
        store.ingest(prep(batch.clone())).await.unwrap(),
        counts(3, 3, 0, 0)
    );
    assert_eq!(store.ingest(prep(batch)).await.unwrap(), counts(3, 0, 0, 3));
    let s = store.stats().await.unwrap();
    assert_eq!(s.total_items(), 2);
    assert_eq!(s.total_accounts(), 1);
    assert_eq!(
        s.interactions["x"]["mention"], 2,
        "derived edges, once each"
    );

    // A changed observation updates.
    let mut newer = item("1", "مرحبا");
    newer.metrics.insert("likes".into(), 10);
    newer.observed_at = Some(t(200));
    assert_eq!(
        store.ingest(prep(vec![Record::Item(newer)])).await.unwrap(),
        counts(1, 0, 1, 0)
    );
    let mut older = item("1", "مرحبا");
    older.metrics.insert("likes".into(), 5);
    older.metrics.insert("views".into(), 99);
    older.observed_at = Some(t(150));
    // An older observation is new evidence (kept in the log) but does not override.
    let once = prep(vec![Record::Item(older.clone())]);
    assert_eq!(store.ingest(once).await.unwrap(), counts(1, 0, 1, 0));
    let again = prep(vec![Record::Item(older)]);
    assert_eq!(store.ingest(again).await.unwrap(), counts(1, 0, 0, 1));
    let page = store.items_page(None, 10).await.unwrap();
    let one = page.iter().find(|(_, i)| i.key.id == "1").unwrap();
    assert_eq!(one.1.metrics["likes"], 10);
    assert_eq!(
        one.1.metrics["views"], 99,
        "gaps are filled from any observation"
    );

    // Partial observations of one account from two files, imported again in any order,
    // settle: the second round adds nothing.
    let mut from_members = account("rc1", None, None);
    from_members.key = Key::new(Platform::Rocketchat, "rc1");
    from_members.display_name = Some("Roxie".into());
    let mut from_messages = account("rc1", None, None);
    from_messages.key = Key::new(Platform::Rocketchat, "rc1");
    from_messages.handle = Some("roxie".into());
    from_messages.raw = Raw::new("test", "other");
    let two = vec![
        Record::Account(from_members),
        Record::Account(from_messages),
    ];
    assert_eq!(
        store.ingest(prep(two.clone())).await.unwrap(),
        counts(2, 1, 1, 0)
    );
    assert_eq!(
        store.ingest(prep(two.clone())).await.unwrap(),
        counts(2, 0, 0, 2)
    );
    let mut reversed = two;
    reversed.reverse();
    assert_eq!(
        store.ingest(prep(reversed)).await.unwrap(),
        counts(2, 0, 0, 2)
    );
    let rc = store
        .account(&Key::new(Platform::Rocketchat, "rc1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rc.account.display_name.as_deref(), Some("Roxie"));
    assert_eq!(rc.account.handle.as_deref(), Some("roxie"));

    // Status history: suspended, then seen again → restored.
    store
        .ingest(prep(vec![Record::Account(account(
            "u1",
            Some(300),
            Some(AccountStatus::Suspended),
        ))]))
        .await
        .unwrap();
    let mut again = account("u1", Some(400), None);
    again.followers = Some(7);
    store
        .ingest(prep(vec![Record::Account(again)]))
        .await
        .unwrap();
    let stored = store
        .account(&Key::new(Platform::X, "u1"))
        .await
        .unwrap()
        .unwrap();
    let statuses: Vec<_> = stored.history.iter().map(|h| h.status).collect();
    assert_eq!(
        statuses,
        vec![AccountStatus::Suspended, AccountStatus::Restored]
    );
    assert_eq!(stored.status, Some(AccountStatus::Restored));
    assert_eq!(stored.account.followers, Some(7));

    // Explicit edges are counted and deduplicated, with or without a time.
    let edge = Interaction {
        kind: InteractionKind::MemberOf,
        source: Node::Account(Key::new(Platform::Telegram, "user1")),
        target: Node::Channel(Key::new(Platform::Telegram, "99")),
        at: None,
        item: None,
        raw: Some(Raw::new("test", "{}")),
    };
    let b = vec![Record::Interaction(edge.clone()), Record::Interaction(edge)];
    assert_eq!(store.ingest(prep(b)).await.unwrap(), counts(2, 1, 0, 1));

    // Items read back equal what was stored (the export round trip depends on it).
    let original = item("2", "hello");
    let back = store.items_page(None, 10).await.unwrap();
    let two = &back.iter().find(|(_, i)| i.key.id == "2").unwrap().1;
    assert_eq!(two, &original);
    // Keyset pagination.
    let first = store.items_page(None, 1).await.unwrap();
    assert_eq!(first.len(), 1);
    let rest = store.items_page(Some(first[0].0), 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_ne!(rest[0].1.key, first[0].1.key);
}

/// An item first seen through its channel, then with its author: the edges it implies are
/// those of its merged state, not both.
async fn derived_edges_follow_the_merged_item(store: &dyn Store) {
    let mut first = Item::new(
        Key::new(Platform::Telegram, "channel9/1"),
        ItemKind::Post,
        Raw::new("test", "a"),
    );
    first.channel = Some(Key::new(Platform::Telegram, "channel9"));
    first.reply_to = Some(Key::new(Platform::Telegram, "channel9/0"));
    let mut second = first.clone();
    second.author = Some(Key::new(Platform::Telegram, "user5"));
    second.created_at = Some(t(1_700_000_000));
    second.raw = Raw::new("test", "b");
    store.ingest(prep(vec![Record::Item(first)])).await.unwrap();
    store
        .ingest(prep(vec![Record::Item(second)]))
        .await
        .unwrap();
    let s = store.stats().await.unwrap();
    assert_eq!(s.interactions["telegram"]["reply"], 1, "{s:?}");
}

/// Active at t1, suspended at t2, profile seen at t3: restored, in whatever order the three
/// observations are imported.
async fn status_history_does_not_depend_on_import_order(
    store: &dyn Store,
    key: &str,
    reverse: bool,
) {
    let mut obs = vec![
        account(key, Some(100), Some(AccountStatus::Active)),
        account(key, Some(200), Some(AccountStatus::Suspended)),
        account(key, Some(300), None),
    ];
    obs[1].status.as_mut().unwrap().at = Some(t(200));
    obs[2].followers = Some(3);
    if reverse {
        obs.reverse();
    }
    for a in obs {
        store.ingest(prep(vec![Record::Account(a)])).await.unwrap();
    }
    let stored = store
        .account(&Key::new(Platform::X, key))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.status,
        Some(AccountStatus::Restored),
        "reverse={reverse}: {:?}",
        stored.history
    );
}

#[tokio::test]
async fn status_history_does_not_depend_on_import_order_in_both_stores() {
    let dir = tempfile::tempdir().unwrap();
    let store = Workspace::new(dir.path()).init().await.unwrap();
    let mem = MemStore::new();
    for (key, reverse) in [("fwd", false), ("rev", true)] {
        status_history_does_not_depend_on_import_order(&store, key, reverse).await;
        status_history_does_not_depend_on_import_order(&mem, key, reverse).await;
    }
}

#[tokio::test]
async fn derived_edges_follow_the_merged_item_in_both_stores() {
    let dir = tempfile::tempdir().unwrap();
    let store = Workspace::new(dir.path()).init().await.unwrap();
    derived_edges_follow_the_merged_item(&store).await;
    derived_edges_follow_the_merged_item(&MemStore::new()).await;
}

#[tokio::test]
async fn sqlite_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path().join("ws"));
    let store = ws.init().await.unwrap();
    contract(&store).await;
}

#[tokio::test]
async fn mem_store_keeps_the_contract() {
    contract(&MemStore::new()).await;
}

#[tokio::test]
async fn migrations_apply_once_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    assert!(ws.open().await.is_err(), "open before init is an error");
    let s = ws.init().await.unwrap();
    // Every migration applied once, in order (0001, 0002, ...).
    let all: Vec<i64> = (1..=SqliteStore::schema_version()).collect();
    assert_eq!(s.migrations().await.unwrap(), all);
    s.ingest(prep(vec![Record::Item(item("1", "x"))]))
        .await
        .unwrap();
    s.close().await;
    let s = ws.init().await.unwrap();
    assert_eq!(s.migrations().await.unwrap(), all, "nothing re-applied");
    assert_eq!(
        s.stats().await.unwrap().total_items(),
        1,
        "data survives re-init"
    );
    let s = ws.open().await.unwrap();
    assert_eq!(s.stats().await.unwrap().total_items(), 1);
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(journal, "wal");
}

#[tokio::test]
async fn media_with_a_stored_blob_is_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    let s = ws.init().await.unwrap();
    let media = ws
        .blobs()
        .put_reader(
            &b"png bytes"[..],
            std::path::Path::new("x.png"),
            Some("image/png"),
        )
        .unwrap();
    let mut a = item("1", "x");
    let mut b = item("2", "y");
    for it in [&mut a, &mut b] {
        it.media[0].sha256 = Some(media.sha256.clone());
        it.media[0].size = Some(media.size);
    }
    s.ingest(prep(vec![Record::Item(a), Record::Item(b)]))
        .await
        .unwrap();
    let st = s.stats().await.unwrap();
    assert_eq!(st.media_files, 1);
    assert_eq!(st.media_bytes, 9);
    assert_eq!(st.media_refs, 2);
}
