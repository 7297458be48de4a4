#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Index items from a real SQLite workspace, search with evasion-written queries and texts,
//! filter by platform and time, highlight exactly, update incrementally.

use chrono::{TimeZone, Utc};
use marsad_model::{Item, ItemKind, Key, Platform, Raw, Record};
use marsad_search::{analyzed, SearchIndex, SearchQuery};
use marsad_store::{Prepared, Store, Workspace};

fn item(platform: Platform, id: &str, text: &str, day: u32) -> Prepared {
    let raw = serde_json::json!({"id": id, "text": text}).to_string();
    let mut it = Item::new(
        Key::new(platform, id),
        ItemKind::Post,
        Raw::new("test", raw),
    );
    it.text = text.into();
    it.created_at = Some(Utc.with_ymd_and_hms(2024, 5, day, 12, 0, 0).unwrap());
    Prepared::new(Record::Item(it)).unwrap()
}

#[test]
fn analyzer_folds_stems_and_keeps_offsets() {
    let text = "والـدولةُ الإسلامية في الموصل";
    let terms = analyzed(text);
    let words: Vec<_> = terms.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(words, ["دول", "اسلام", "موصل"]);
    assert_eq!(&text[terms[0].1..terms[0].2], "والـدولةُ");
    assert_eq!(analyzed("Fighters were recruited")[0].0, "fighter");
}

#[tokio::test]
async fn index_search_filter_update() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    let store = ws.init().await.unwrap();
    store
        .ingest(vec![
            item(
                Platform::Telegram,
                "c/1",
                "بيان من الدولة الإسلامية في الموصل",
                1,
            ),
            item(
                Platform::X,
                "2",
                "القوات الامنية تعتقل عناصر من داعش في الأنبار",
                2,
            ),
            item(Platform::X, "3", "مباراة كرة القدم اليوم", 3),
            item(Platform::Tiktok, "4", "الـــدولـــة باقية", 4),
        ])
        .await
        .unwrap();
    let idx = SearchIndex::open(&ws.index_dir()).unwrap();
    let st = idx.update(store.pool()).await.unwrap();
    assert_eq!(st.indexed, 4);
    assert_eq!(
        idx.update(store.pool()).await.unwrap().indexed,
        0,
        "incremental: nothing new"
    );

    let q = |text: &str| SearchQuery {
        text: text.into(),
        limit: 10,
        ..SearchQuery::default()
    };
    // A query with hamza and taa marbuta finds the tatweel-written post and the plain one.
    let hits = idx.search(&q("الدولة")).unwrap();
    let ids: Vec<_> = hits.iter().map(|h| h.platform_id.as_str()).collect();
    assert_eq!(hits.len(), 2, "{ids:?}");
    let tatweel = hits.iter().find(|h| h.platform_id == "4").unwrap();
    assert_eq!(tatweel.highlights.len(), 1);
    let (a, b) = tatweel.highlights[0];
    assert_eq!(&tatweel.text[a..b], "الـــدولـــة");

    // Platform and time filters.
    let mut only_x = q("الدولة OR داعش");
    only_x.platform = Some("x".into());
    let hits = idx.search(&only_x).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].platform_id, "2");
    let mut since = q("الدولة");
    since.since = Some(Utc.with_ymd_and_hms(2024, 5, 3, 0, 0, 0).unwrap());
    let hits = idx.search(&since).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].platform_id, "4");

    // Stop words alone match nothing; a phrase query works.
    assert!(idx.search(&q("في")).unwrap().is_empty());
    assert_eq!(idx.search(&q("\"الدولة الإسلامية\"")).unwrap().len(), 1);

    // An updated item is re-indexed, not duplicated.
    store
        .ingest(vec![item(Platform::X, "3", "مباراة اليوم ثم بيان داعش", 3)])
        .await
        .unwrap();
    assert_eq!(idx.update(store.pool()).await.unwrap().indexed, 1);
    assert_eq!(idx.len(), 4);
    assert_eq!(idx.search(&q("داعش")).unwrap().len(), 2);
}
