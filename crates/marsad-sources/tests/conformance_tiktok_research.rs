//! Conformance: the real TikTok Research API samples in `../shared/data/formats/tiktok/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use marsad_model::{ItemKind, Key, Platform};
use marsad_sources::{read_file, Format, NoticeKind};

#[test]
fn query_videos_sample() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let (sink, res) = read_file(
        Format::TiktokResearch,
        &data.join("formats/tiktok/query-videos.json"),
    );
    res.unwrap();
    // `python3 -c "import json; print(len(json.load(open('query-videos.json'))['data']['videos']))"`
    // gives 2: the same video twice (the importer emits both; the store dedupes).
    assert_eq!(sink.count("item"), 2);
    // No video has a `username` field (`grep -c username` is 0): no accounts.
    assert_eq!(sink.count("account"), 0);
    assert_eq!(sink.count("channel"), 0);
    // Videos only carry item-field edges (derived by the store): no interaction records.
    assert_eq!(sink.count("interaction"), 0);
    assert!(sink.rejects.is_empty(), "{:?}", sink.rejects);
    assert!(sink.notices.is_empty(), "{:?}", sink.notices);

    for v in sink.items() {
        // `video_id` spelling; the 18-digit id kept exactly.
        assert_eq!(v.key, Key::new(Platform::Tiktok, "702874395068494965"));
        assert_eq!(v.kind, ItemKind::Video);
        assert_eq!(v.text, "lol #pov #avengers");
        assert_eq!(v.hashtags, vec!["avengers", "pov"]);
        assert_eq!(v.created_at.unwrap().timestamp(), 1633823999);
        assert_eq!(
            v.place.as_ref().unwrap().country_code.as_deref(),
            Some("CA")
        );
        assert_eq!(v.metrics.get("views"), Some(&1050));
        assert_eq!(v.metrics.get("comments"), Some(&2));
        assert!(v.author.is_none() && v.url.is_none());
        assert!(
            v.raw.data.contains("703847506349838790"),
            "music_id kept in raw"
        );
    }
}

#[test]
fn query_user_info_sample_with_trailing_comma() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let (sink, res) = read_file(
        Format::TiktokResearch,
        &data.join("formats/tiktok/query-user-info.json"),
    );
    res.unwrap();
    // One user info response: one account, nothing else.
    assert_eq!(sink.count("account"), 1);
    assert_eq!(sink.count("item"), 0);
    assert_eq!(sink.count("channel"), 0);
    assert_eq!(sink.count("interaction"), 0);
    assert!(sink.rejects.is_empty(), "{:?}", sink.rejects);

    let a = sink.accounts().next().unwrap();
    // The response has no username: keyed by display name, with a notice.
    assert_eq!(a.key, Key::name(Platform::Tiktok, "my nick name"));
    assert_eq!(a.display_name.as_deref(), Some("my nick name"));
    assert_eq!(a.bio.as_deref(), Some("my_bio"));
    assert_eq!(
        a.avatar_url.as_deref(),
        Some("https://some_cdn.com/my_avatar")
    );
    assert_eq!(a.verified, Some(false));
    assert_eq!(a.followers, Some(232));
    assert_eq!(a.following, Some(45));
    assert_eq!(a.metrics.get("likes"), Some(&27155089));
    assert_eq!(a.metrics.get("videos"), Some(&44));

    // One notice for the display-name key, one for the single trailing comma
    // (`"log_id": "...",` before `}`).
    let kinds: Vec<_> = sink.notices.iter().map(|n| n.kind).collect();
    assert_eq!(kinds, vec![NoticeKind::Repaired, NoticeKind::Repaired]);
    assert!(sink.notices[0].message.contains("display name"));
    assert!(sink.notices[1].message.contains("1 repair(s)"));
}
