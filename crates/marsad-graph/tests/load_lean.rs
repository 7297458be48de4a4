//! Loading without post bodies (`LoadOptions { post_bodies: false }`, what `marsad graph
//! hubs|communities|tiers|export` use) gives the same hubs, communities, tiers and exports
//! as the full load, on a generated store with reposts, quotes, replies, mentions, channel
//! posts, links, hashtags and outlet-lexicon text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use marsad_graph::community::{leiden, LeidenOptions, UGraph};
use marsad_graph::hubs::{self, Measures};
use marsad_graph::load::{load_store_with, LoadOptions};
use marsad_graph::tiers::{self, TierOptions};
use marsad_graph::{export, Dataset, EdgeFilter, Graph};
use marsad_model::{
    Account, Channel, ChannelKind, Item, ItemKind, Key, Mention, Platform, Raw, Record,
};
use marsad_store::{Prepared, Store, Workspace};
use rand::{Rng, SeedableRng};

fn key(id: String) -> Key {
    Key::new(Platform::X, id)
}

fn records() -> Vec<Record> {
    let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut out = Vec::new();
    let n_acc = 60;
    for a in 0..n_acc {
        let mut acc = Account::new(
            key(format!("u{a}")),
            Raw::new("t", format!("{{\"a\":{a}}}")),
        );
        acc.handle = Some(format!("user_{a}"));
        acc.display_name = Some(if a % 10 == 0 {
            format!("وكالة أعماق {a}")
        } else {
            format!("User {a}")
        });
        acc.created_at = Utc.timestamp_opt(1_600_000_000 + a * 3600, 0).single();
        out.push(Record::Account(acc));
    }
    let mut ch = Channel::new(
        key("c1".into()),
        ChannelKind::Channel,
        Raw::new("t", "{\"c\":1}"),
    );
    ch.name = Some("channel".into());
    out.push(Record::Channel(ch));
    let n_items = 600;
    for i in 0..n_items {
        // Three loose clusters of accounts, hubs 0, 20, 40.
        let cluster = r.gen_range(0..3) * 20;
        let author = cluster + r.gen_range(0..20);
        let mut it = Item::new(
            key(format!("p{i}")),
            ItemKind::Post,
            Raw::new("t", format!("{{\"i\":{i}}}")),
        );
        it.author = Some(key(format!("u{author}")));
        it.created_at = Utc.timestamp_opt(1_700_000_000 + i * 60, 0).single();
        it.text = format!("نص {i} أعماق #وسم https://example.org/{}", i % 7);
        it.links = vec![format!("https://example.org/{}", i % 7)];
        it.hashtags = vec!["وسم".into()];
        if i > 10 {
            let target = r.gen_range(0..i);
            match r.gen_range(0..6) {
                0 | 1 => it.repost_of = Some(key(format!("p{}", target - target % 20))),
                2 => it.quote_of = Some(key(format!("p{target}"))),
                3 => it.reply_to = Some(key(format!("p{target}"))),
                4 => it.channel = Some(key("c1".into())),
                _ => {}
            }
        }
        if r.gen_bool(0.3) {
            let m = cluster + r.gen_range(0..20);
            it.mentions = vec![Mention {
                handle: format!("user_{m}"),
                account: None,
            }];
        }
        out.push(Record::Item(it));
    }
    out
}

fn outputs(ds: &Dataset) -> (String, String, String, String) {
    let g = Graph::from_dataset(ds, &EdgeFilter::default()).unwrap();
    let m = Measures::compute(ds, &g);
    let part = leiden(&UGraph::from_directed(&g), &LeidenOptions::default()).unwrap();
    let top = hubs::top_hubs(ds, &m, Some(&part.membership), 50);
    let per = hubs::top_per_community(ds, &m, &part.membership, 5, 3);
    let followers: Vec<_> = top
        .iter()
        .take(5)
        .map(|h| hubs::hub_followers(ds, &g, ds.find(&h.node).unwrap()))
        .collect();
    let hubs_json = serde_json::to_string(&(top, per, followers, &part.membership)).unwrap();
    let (tier_v, report) = tiers::classify(ds, &g, &m, &part.membership, &TierOptions::default());
    let tiers_json = serde_json::to_string(&(
        report,
        tier_v.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
    ))
    .unwrap();
    let attrs = export::NodeAttrs {
        community: part.membership.iter().map(|&c| Some(c)).collect(),
        tier: tier_v.iter().map(|t| Some(t.as_str())).collect(),
        pagerank: m.pagerank.clone(),
        in_degree: m.in_degree.clone(),
    };
    let mut gexf = Vec::new();
    export::write_gexf(ds, &g, &attrs, &mut gexf, "mem").unwrap();
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    export::write_csv(ds, &g, &attrs, &mut nodes, &mut edges, "mem").unwrap();
    (
        hubs_json,
        tiers_json,
        String::from_utf8(gexf).unwrap(),
        format!(
            "{}{}",
            String::from_utf8(nodes).unwrap(),
            String::from_utf8(edges).unwrap()
        ),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn edges_only_load_gives_the_same_hubs_communities_tiers_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let store = Workspace::new(dir.path()).init().await.unwrap();
    let batch = records()
        .into_iter()
        .map(|r| Prepared::new(r).unwrap())
        .collect();
    store.ingest(batch).await.unwrap();

    let (full, full_rep) = load_store_with(store.pool(), LoadOptions { post_bodies: true })
        .await
        .unwrap();
    let (lean, lean_rep) = load_store_with(store.pool(), LoadOptions { post_bodies: false })
        .await
        .unwrap();
    assert_eq!(full_rep.posts, 600);
    assert_eq!(
        (full_rep.posts, full_rep.edges, full_rep.accounts),
        (lean_rep.posts, lean_rep.edges, lean_rep.accounts)
    );
    assert!(full_rep.edges > 300, "{full_rep:?}");
    // The lean load really leaves the bodies out.
    assert!(full
        .posts
        .iter()
        .all(|p| !p.text.is_empty() && !p.links.is_empty()));
    assert!(lean
        .posts
        .iter()
        .all(|p| p.text.is_empty() && p.links.is_empty() && p.hashtags.is_empty()));
    let (a, b) = (outputs(&full), outputs(&lean));
    assert!(a.0.contains("\"pagerank\""), "{}", a.0);
    assert_eq!(a.0, b.0, "hubs and communities");
    assert_eq!(a.1, b.1, "tiers");
    assert!(a.1.contains("official"), "{}", a.1);
    assert_eq!(a.2, b.2, "GEXF");
    assert_eq!(a.3, b.3, "CSV");
    store.close().await;
}
