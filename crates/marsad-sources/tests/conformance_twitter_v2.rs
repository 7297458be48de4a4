//! Conformance of the `twitter-v2` importer against the twarc sample files in
//! `../shared/data/formats/twitter-v2/` (skipped when that folder is absent).
//!
//! The expected numbers were counted independently with a python3 script that reads every
//! line with `json.loads` (a line that fails is one reject) and, per line:
//! - items: distinct tweet ids of `data` (elements that are not users) + `includes.tweets`;
//! - accounts: distinct user ids of `data` users + `includes.users`, plus one per `errors[]`
//!   entry with `resource_type` "user" whose `detail` says "has been suspended" or is a
//!   "Could not find user" / "Not Found Error" (keyed by `value`, distinct);
//! - skipped: every other `errors[]` entry;
//! - interactions: users (as counted above) that carry a `pinned_tweet_id` (no sample is a
//!   followers/following page);
//! - repost/quote/reply: counted items whose `referenced_tweets` has a `retweeted` / `quoted`
//!   / `replied_to` entry;
//! - mentions: per item, distinct (username, id) pairs of `entities.mentions`, the id taken
//!   from the mention or else from the page's users with the same (case-insensitive) username;
//! - channels: none (X has no channels in this format).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use marsad_model::{AccountStatus, InteractionKind, Key, MediaKind, Platform};
use marsad_sources::{read_file, Format, NoticeKind, VecSink};
use std::path::Path;

#[derive(Debug, PartialEq, Eq, Default)]
struct Counts {
    items: usize,
    accounts: usize,
    channels: usize,
    interactions: usize,
    rejects: usize,
    skipped: usize,
    reposts: usize,
    quotes: usize,
    replies: usize,
    mentions: usize,
}

fn counts(sink: &VecSink) -> Counts {
    Counts {
        items: sink.count("item"),
        accounts: sink.count("account"),
        channels: sink.count("channel"),
        interactions: sink.count("interaction"),
        rejects: sink.rejects.len(),
        skipped: sink
            .notices
            .iter()
            .filter(|n| n.kind == NoticeKind::Skipped)
            .count(),
        reposts: sink.items().filter(|i| i.repost_of.is_some()).count(),
        quotes: sink.items().filter(|i| i.quote_of.is_some()).count(),
        replies: sink.items().filter(|i| i.reply_to.is_some()).count(),
        mentions: sink.items().map(|i| i.mentions.len()).sum(),
    }
}

#[allow(clippy::too_many_arguments)]
fn c(
    items: usize,
    accounts: usize,
    interactions: usize,
    rejects: usize,
    skipped: usize,
    reposts: usize,
    quotes: usize,
    replies: usize,
    mentions: usize,
) -> Counts {
    Counts {
        items,
        accounts,
        channels: 0,
        interactions,
        rejects,
        skipped,
        reposts,
        quotes,
        replies,
        mentions,
    }
}

fn read(dir: &Path, name: &str) -> VecSink {
    let (sink, res) = read_file(Format::TwitterV2, &dir.join(name));
    res.unwrap_or_else(|e| panic!("{name}: {e}"));
    for r in sink.records.iter() {
        assert_eq!(r.platform(), Platform::X);
    }
    sink
}

fn x(id: &str) -> Key {
    Key::new(Platform::X, id)
}

#[test]
fn twitter_v2_samples_counts() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let dir = data.join("formats/twitter-v2");
    //             items accts inter rej skip  RT  QT  RE  mentions
    let expected = [
        ("cotweet.jsonl", c(1, 1, 1, 0, 0, 0, 0, 0, 0)),
        ("edited.jsonl", c(2, 1, 1, 0, 0, 0, 0, 0, 0)),
        ("geo_tweets.jsonl", c(3, 4, 2, 0, 0, 0, 0, 1, 3)),
        ("kpop.jsonl", c(121, 113, 55, 0, 0, 78, 0, 0, 118)),
        ("many_urls.jsonl", c(2, 1, 1, 0, 0, 0, 0, 1, 0)),
        (
            "media_policy_violation_on.jsonl",
            c(160, 46, 33, 0, 0, 42, 24, 7, 25),
        ),
        ("media_tweet.jsonl", c(1, 1, 1, 0, 0, 0, 0, 0, 0)),
        ("mentions_tweet.jsonl", c(2, 2, 1, 0, 0, 1, 0, 0, 9)),
        (
            "streaming_output_with_error.jsonl",
            c(11, 11, 3, 1, 0, 0, 1, 3, 3),
        ),
        ("two_tweets.jsonl", c(2, 2, 0, 0, 0, 1, 0, 0, 1)),
        ("users.jsonl", c(52, 92, 59, 0, 7, 1, 6, 0, 26)),
        ("withheld.jsonl", c(284, 594, 237, 0, 2, 83, 12, 71, 265)),
    ];
    for (name, want) in expected {
        let sink = read(&dir, name);
        assert_eq!(counts(&sink), want, "{name}");
        // Every interaction here is a profile pin (the rest are item fields).
        assert!(sink
            .interactions()
            .all(|e| e.kind == InteractionKind::Pinned));
    }
}

#[test]
fn twitter_v2_samples_spot_checks() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let dir = data.join("formats/twitter-v2");

    // geo_tweets line 1: a Point [lon, lat] = [42.77810097, 88.01785747].
    let geo = read(&dir, "geo_tweets.jsonl");
    let t = geo
        .items()
        .find(|i| i.key == x("1249702384659554308"))
        .unwrap();
    let p = t.geo.unwrap();
    assert_eq!((p.lat, p.lon), (88.01785747, 42.77810097));
    // geo_tweets line 2: place 3078869807f9dd36 resolved from includes.places.
    let t = geo
        .items()
        .find(|i| i.key == x("1501963039859363843"))
        .unwrap();
    let place = t.place.as_ref().unwrap();
    assert_eq!(place.full_name.as_deref(), Some("Berlin, Germany"));
    assert_eq!(place.country_code.as_deref(), Some("DE"));
    assert_eq!(
        place.bbox,
        Some([13.088304, 52.338079, 13.760909, 52.675323])
    );
    assert_eq!(t.reply_to, Some(x("1501958949863661574")));
    assert_eq!(
        t.url.as_deref(),
        Some("https://x.com/IgorBrigadir/status/1501963039859363843")
    );

    // withheld: tweet 25712847277 is withheld in DE and FR; suspended users by username.
    let wh = read(&dir, "withheld.jsonl");
    let t = wh.items().find(|i| i.key == x("25712847277")).unwrap();
    assert_eq!(t.withheld_in, vec!["DE", "FR"]);
    let s = wh
        .accounts()
        .find(|a| a.key == Key::handle(Platform::X, "RSS4India"))
        .unwrap();
    let status = s.status.as_ref().unwrap();
    assert_eq!(status.status, AccountStatus::Suspended);
    assert!(status.source.contains("User has been suspended"));
    assert_eq!(s.observed_at, status.at);

    // kpop: "User has been suspended: [leeseunggi]" names a username; a mention on the same
    // page gives its id (54551802).
    let kp = read(&dir, "kpop.jsonl");
    let s = kp.accounts().find(|a| a.key == x("54551802")).unwrap();
    assert_eq!(s.handle.as_deref(), Some("leeseunggi"));
    assert_eq!(s.status.as_ref().unwrap().status, AccountStatus::Suspended);

    // media_policy_violation_on: an Arabic tweet's text, and a photo from includes.media.
    let mp = read(&dir, "media_policy_violation_on.jsonl");
    let t = mp
        .items()
        .find(|i| i.key == x("1392052820203950082"))
        .unwrap();
    assert!(t.text.starts_with("القتل الذي حصل في غزة"), "{}", t.text);
    assert_eq!(t.language.as_deref(), Some("ar"));
    assert_eq!(t.author, Some(x("2405632451")));
    let photo = mp
        .items()
        .flat_map(|i| i.media.iter())
        .find(|m| m.platform_id.as_deref() == Some("3_1392093133555515394"))
        .unwrap();
    assert_eq!(photo.kind, MediaKind::Photo);
    assert_eq!(
        photo.url.as_deref(),
        Some("https://pbs.twimg.com/media/E1G1VE_WQAIc_ku.jpg")
    );

    // users: a lookup page; user 93071130 could not be found.
    let us = read(&dir, "users.jsonl");
    let gone = us.accounts().find(|a| a.key == x("93071130")).unwrap();
    assert_eq!(gone.status.as_ref().unwrap().status, AccountStatus::Deleted);
    assert!(us.notices.iter().any(|n| n
        .message
        .contains("Could not find tweet with pinned_tweet_id")));

    // media_tweet: a video resolved to its best MP4 variant.
    let mt = read(&dir, "media_tweet.jsonl");
    let t = mt.items().next().unwrap();
    let v = &t.media[0];
    assert_eq!(v.kind, MediaKind::Video);
    assert_eq!(v.duration_secs, Some(71.292));
    assert!(v.url.as_deref().unwrap().contains("1280x720"));
    assert_eq!(t.metrics.get("likes"), Some(&93));
    assert!(t.links.is_empty(), "the media self-link is skipped");

    // streaming_output_with_error: the truncated 8th line is a reject naming the line.
    let so = read(&dir, "streaming_output_with_error.jsonl");
    assert_eq!(so.rejects[0].position.line, Some(8));
    assert!(so.items().all(|i| i.observed_at.is_some()));
}
