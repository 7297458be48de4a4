//! Analysis tables (migration 0004): item analyses, findings (superseded, never deleted),
//! account-level findings, alerts (one per account and item), watchlists and geofences.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use marsad_model::*;
use marsad_store::{
    GeofenceRow, ItemAnalysis, NewAlert, NewFinding, Prepared, SqliteStore, Store, WatchRow,
    Workspace,
};

fn item(id: &str, reply_to: Option<&str>, author: &str) -> Record {
    let mut it = Item::new(
        Key::new(Platform::X, id),
        ItemKind::Post,
        Raw::new("test", format!("{{\"id\":\"{id}\"}}")),
    );
    it.text = format!("text {id}");
    it.author = Some(Key::new(Platform::X, author));
    it.created_at = Some(Utc.timestamp_opt(1_700_000_000, 0).unwrap());
    it.reply_to = reply_to.map(|r| Key::new(Platform::X, r));
    Record::Item(it)
}

fn finding(item_id: i64, detector: &str, category: &str) -> NewFinding {
    NewFinding {
        item_id: Some(item_id),
        subject: format!("x:{item_id}"),
        account: Some("x:u1".into()),
        platform: "x".into(),
        detector: detector.into(),
        version: "1".into(),
        category: category.into(),
        score: 0.9,
        severity: "high".into(),
        at: Some(1),
        body: format!("{{\"detector\":\"{detector}\"}}"),
    }
}

async fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let s = Workspace::new(dir.path().join("ws")).init().await.unwrap();
    (dir, s)
}

#[tokio::test]
async fn item_analyses_are_incremental_and_supersede() {
    let (_d, s) = store().await;
    let batch = vec![item("1", None, "u1"), item("2", Some("1"), "u2")]
        .into_iter()
        .map(|r| Prepared::new(r).unwrap())
        .collect();
    s.ingest(batch).await.unwrap();
    let rows = s.items_for_analysis(0, None, 10).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.analysed.is_none()));
    assert_eq!(rows[1].parent_author.as_deref(), Some("u1"));
    assert_eq!(s.count_items_since(None).await.unwrap(), 2);
    let (id1, id2) = (rows[0].id, rows[1].id);
    let json = r#"{"keyword_match":"1"}"#;
    let n = s
        .put_item_analyses(&[
            ItemAnalysis {
                item_id: id1,
                item_updated: rows[0].updated_at,
                detectors: json.into(),
                rerun: vec![],
                findings: vec![finding(id1, "keyword_match", "slogan")],
            },
            ItemAnalysis {
                item_id: id2,
                item_updated: rows[1].updated_at,
                detectors: json.into(),
                rerun: vec![],
                findings: vec![],
            },
        ])
        .await
        .unwrap();
    assert_eq!(n, 1);
    let rows = s.items_for_analysis(0, None, 10).await.unwrap();
    let (set, _) = rows[0].analysed.unwrap();
    assert_eq!(rows[1].analysed.unwrap().0, set, "one shared analysis set");
    assert_eq!(s.analysis_set(set).await.unwrap().as_deref(), Some(json));
    // Re-run keyword_match on item 1: the old finding is superseded, not deleted.
    s.put_item_analyses(&[ItemAnalysis {
        item_id: id1,
        item_updated: rows[0].updated_at,
        detectors: r#"{"keyword_match":"2"}"#.into(),
        rerun: vec!["keyword_match".into()],
        findings: vec![finding(id1, "keyword_match", "outlet")],
    }])
    .await
    .unwrap();
    let current = s.current_findings(None, None, 100).await.unwrap();
    assert_eq!(current.len(), 1);
    let all = s.findings_by_id(&[1, 2]).await.unwrap();
    assert_eq!(
        all.iter().map(|f| f.current).collect::<Vec<_>>(),
        vec![false, true]
    );
    assert_eq!(s.finding_counts().await.unwrap()[0].category, "outlet");
    let act = s.account_activity().await.unwrap();
    assert_eq!((act[0].account.as_str(), act[0].count), ("x:u1", 1));
}

#[tokio::test]
async fn account_findings_and_alerts() {
    let (_d, s) = store().await;
    let mut f = finding(0, "new_account_burst", "account_burst");
    f.item_id = None;
    f.subject = "x:burst@1".into();
    let (new, kept) = s
        .put_account_findings("new_account_burst", &[f.clone()])
        .await
        .unwrap();
    assert_eq!((new, kept), (1, 0));
    let (new, kept) = s
        .put_account_findings("new_account_burst", &[f.clone()])
        .await
        .unwrap();
    assert_eq!((new, kept), (0, 1), "identical finding kept");
    let (new, _) = s
        .put_account_findings("new_account_burst", &[])
        .await
        .unwrap();
    assert_eq!(new, 0);
    assert!(
        s.current_findings(None, None, 10).await.unwrap().is_empty(),
        "gone burst superseded"
    );

    let alert = |priority: &str, rank: i64, rules: &[&str], findings: Vec<i64>| NewAlert {
        account: "x:u1".into(),
        item: "x:1".into(),
        priority: priority.into(),
        priority_rank: rank,
        queue: format!("q-{priority}"),
        title: "t".into(),
        rules: rules.iter().map(|r| r.to_string()).collect(),
        at: Some(5),
        findings,
    };
    let c = s
        .upsert_alerts(&[alert("medium", 2, &["a"], vec![1])])
        .await
        .unwrap();
    assert_eq!((c.new, c.updated, c.unchanged), (1, 0, 0));
    let c = s
        .upsert_alerts(&[alert("medium", 2, &["a"], vec![1])])
        .await
        .unwrap();
    assert_eq!((c.new, c.updated, c.unchanged), (0, 0, 1));
    let c = s
        .upsert_alerts(&[alert("high", 3, &["b"], vec![1])])
        .await
        .unwrap();
    assert_eq!((c.new, c.updated), (0, 1));
    // Lower priority later: never downgraded.
    s.upsert_alerts(&[alert("low", 1, &["c"], vec![])])
        .await
        .unwrap();
    let all = s.alerts(None, 10).await.unwrap();
    assert_eq!(all.len(), 1);
    let a = &all[0];
    assert_eq!((a.priority.as_str(), a.queue.as_str()), ("high", "q-high"));
    assert_eq!(a.rules, vec!["a", "b", "c"]);
    assert_eq!(a.findings, vec![1]);
    assert_eq!(s.alert(a.id).await.unwrap().unwrap(), a.clone());
    assert!(s.alerts(Some("q-low"), 10).await.unwrap().is_empty());
    assert!(s.alert(99).await.unwrap().is_none());
}

#[tokio::test]
async fn watchlists_and_geofences() {
    let (_d, s) = store().await;
    let w = WatchRow {
        list: "protected".into(),
        platform: String::new(),
        handle: "rusul_writes".into(),
        names: vec!["رسل كاظم".into()],
        note: String::new(),
    };
    assert_eq!(s.watch_add(std::slice::from_ref(&w)).await.unwrap(), 1);
    let mut w2 = w.clone();
    w2.note = "blogger".into();
    assert_eq!(
        s.watch_add(&[w2.clone()]).await.unwrap(),
        0,
        "update, not new"
    );
    assert_eq!(s.watchlist().await.unwrap(), vec![w2]);
    assert!(s
        .watch_remove("protected", "", "rusul_writes")
        .await
        .unwrap());
    assert!(!s
        .watch_remove("protected", "", "rusul_writes")
        .await
        .unwrap());
    let g = GeofenceRow {
        name: "Baiji".into(),
        lat: 34.9,
        lon: 43.5,
        radius_m: 5000.0,
    };
    assert_eq!(s.geofence_add(std::slice::from_ref(&g)).await.unwrap(), 1);
    assert_eq!(s.geofences().await.unwrap(), vec![g]);
    assert!(s.geofence_remove("Baiji").await.unwrap());
}
