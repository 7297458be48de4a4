//! Conformance of the `crowdtangle` importer: the real API sample in
//! `../shared/data/formats/crowdtangle/api-posts.json`, and this crate's CSV fixtures for the
//! three download header variants (Facebook pages, Facebook groups, Instagram).
//!
//! Expected counts were derived independently with python3:
//! - API: `len(result.posts)` = 2 items; distinct `account.platformId` = 2 accounts; both
//!   accounts are `facebook_page` → 2 channels; no interactions (only item fields).
//! - CSV: `csv.reader` rows with as many fields as the header and valid UTF-8, minus rows
//!   whose `Post Created`/`Created` zone is unknown or empty, or whose `URL` is empty;
//!   accounts = distinct `Facebook Id` (Instagram: `User Name`); channels = distinct pages
//!   or groups.

#![allow(clippy::unwrap_used)]

mod common;

use marsad_model::{ChannelKind, ItemKind, Key, MediaKind, Platform};
use marsad_sources::{read_file, Format, VecSink};

fn counts(sink: &VecSink) -> [usize; 5] {
    [
        sink.count("item"),
        sink.count("account"),
        sink.count("channel"),
        sink.count("interaction"),
        sink.rejects.len(),
    ]
}

#[test]
fn api_posts_sample() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let (sink, res) = read_file(
        Format::Crowdtangle,
        &data.join("formats/crowdtangle/api-posts.json"),
    );
    res.unwrap();
    assert_eq!(counts(&sink), [2, 2, 2, 0, 0]);
    assert!(sink.notices.is_empty(), "{:?}", sink.notices);

    let items: Vec<_> = sink.items().collect();
    let fonsi = items[0];
    assert_eq!(
        fonsi.key,
        Key::new(Platform::Facebook, "11430503918_10159078346893919")
    );
    assert_eq!(fonsi.kind, ItemKind::Post);
    assert_eq!(
        fonsi.created_at.unwrap().to_rfc3339(),
        "2020-10-29T14:56:05+00:00"
    );
    assert_eq!(
        fonsi.observed_at.unwrap().to_rfc3339(),
        "2020-10-29T19:03:44+00:00"
    );
    assert_eq!(fonsi.hashtags, vec!["Perfecta"]);
    assert_eq!(fonsi.metrics.get("likes"), Some(&42617));
    assert_eq!(fonsi.metrics.get("care"), Some(&520));
    assert_eq!(fonsi.metrics.get("subscribers"), Some(&13231210));
    assert_eq!(
        fonsi.author,
        Some(Key::new(Platform::Facebook, "11430503918"))
    );
    assert_eq!(fonsi.channel, fonsi.author);
    assert_eq!(fonsi.media.len(), 1);
    assert_eq!(fonsi.media[0].kind, MediaKind::Photo);
    assert_eq!(
        (fonsi.media[0].width, fonsi.media[0].height),
        (Some(600), Some(719))
    );
    assert_eq!(fonsi.raw.source, "crowdtangle-api");

    // The second post has no message and a misspelt `expandedLiks`: `link` is used.
    let toby = items[1];
    assert_eq!(toby.text, "");
    assert_eq!(
        toby.links,
        vec!["https://www.facebook.com/tobymac/photos/a.241173571178/10157582303601179/?type=3"]
    );
    assert_eq!(toby.metrics.get("shares"), Some(&15651));

    let fonsi_acc = sink.accounts().next().unwrap();
    assert_eq!(fonsi_acc.handle.as_deref(), Some("luisfonsi"));
    assert_eq!(fonsi_acc.followers, Some(13231210));
    assert_eq!(fonsi_acc.verified, Some(true));
    assert!(sink.channels().all(|c| c.kind == ChannelKind::Page));
}

#[test]
fn csv_facebook_pages_fixture() {
    let (sink, res) = read_file(
        Format::Crowdtangle,
        &common::fixture("crowdtangle/facebook-pages.csv"),
    );
    res.unwrap();
    // 6 data rows: 4 well-formed (1 short, 1 invalid UTF-8), 1 of them with zone `XYZ`.
    assert_eq!(counts(&sink), [3, 2, 2, 0, 3]);
    let first = sink.items().next().unwrap();
    assert_eq!(
        first.key,
        Key::new(Platform::Facebook, "100200300400_1122334455667788")
    );
    assert_eq!(first.raw.source, "crowdtangle-csv");
}

#[test]
fn csv_facebook_groups_fixture() {
    let (sink, res) = read_file(
        Format::Crowdtangle,
        &common::fixture("crowdtangle/facebook-groups.csv"),
    );
    res.unwrap();
    // 3 data rows, 1 with an empty `Created`; one group.
    assert_eq!(counts(&sink), [2, 1, 1, 0, 1]);
    assert_eq!(sink.channels().next().unwrap().kind, ChannelKind::Group);
}

#[test]
fn csv_instagram_fixture() {
    let (sink, res) = read_file(
        Format::Crowdtangle,
        &common::fixture("crowdtangle/instagram.csv"),
    );
    res.unwrap();
    // 3 data rows, 1 without `URL`; one account, no channels.
    assert_eq!(counts(&sink), [2, 1, 0, 0, 1]);
    assert!(sink.items().all(|i| i.key.platform == Platform::Instagram));
}
