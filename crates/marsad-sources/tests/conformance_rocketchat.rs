//! Conformance of the `rocketchat` importer with the real Rocket.Chat API samples in
//! `../shared/data/formats/rocketchat/`.
//!
//! Expected counts were derived independently with python3 (`json.load` of each file):
//! items = messages whose `t` is absent or `rm`/`e2e`/`videoconf`/`jitsi_call_started`;
//! accounts = distinct `u._id` of messages and rooms plus `members[]._id`; channels =
//! entries of `channels[]` plus `channel`; interactions = messages with `t` in
//! `uj`/`ujt`/`ut`/`au` (member_of) or `ul`/`ult`/`ru` (left_channel), plus `channels[]`
//! mentions of messages (none in the samples).

#![allow(clippy::unwrap_used)]

mod common;

use marsad_model::{ChannelKind, InteractionKind, ItemKind, Key, Node, Platform};
use marsad_sources::{read_file, Format, VecSink};

fn read(name: &str) -> Option<VecSink> {
    let dir = common::shared_data()?.join("formats/rocketchat");
    let (sink, res) = read_file(Format::Rocketchat, &dir.join(name));
    res.unwrap();
    assert!(sink.rejects.is_empty(), "{name}: {:?}", sink.rejects);
    Some(sink)
}

fn counts(sink: &VecSink) -> [usize; 4] {
    [
        sink.count("item"),
        sink.count("account"),
        sink.count("channel"),
        sink.count("interaction"),
    ]
}

fn key(id: &str) -> Key {
    Key::new(Platform::Rocketchat, id)
}

#[test]
fn channels_history() {
    let Some(sink) = read("channels.history.json") else {
        return;
    };
    // 1 plain message; 3 distinct users; 3 `uj` → member_of.
    assert_eq!(counts(&sink), [1, 3, 0, 3]);
    assert!(sink
        .interactions()
        .all(|e| e.kind == InteractionKind::MemberOf
            && e.target == Node::Channel(key("ByehQjC44FwMeiLbX"))));
    let m = sink.items().next().unwrap();
    assert_eq!(m.key, key("AkzpHAvZpdnuchw2a"));
    assert_eq!(m.text, "hi");
    assert_eq!(m.author, Some(key("y65tAmHs93aDChMWu")));
    assert_eq!(
        m.created_at.unwrap().to_rfc3339(),
        "2016-12-09T12:50:51.555+00:00"
    );
    let join = sink
        .interactions()
        .find(|e| e.item == Some(key("vkLMxcctR4MuTxreF")))
        .unwrap();
    assert_eq!(join.source, Node::Account(key("bRtgdhzM6PD9F8pSx")));
    assert!(sink.notices.is_empty());
}

#[test]
fn channels_info() {
    let Some(sink) = read("channels.info.json") else {
        return;
    };
    // 1 channel and its owner `u`.
    assert_eq!(counts(&sink), [0, 1, 1, 0]);
    let c = sink.channels().next().unwrap();
    assert_eq!(c.key, key("ByehQjC44FwMeiLbX"));
    assert_eq!(c.kind, ChannelKind::Channel);
    assert_eq!(c.name.as_deref(), Some("testing"));
    assert_eq!(c.member_count, Some(2));
    assert_eq!(c.owner, Some(key("HKKPmF8rZh45GMHWH")));
    let owner = sink.accounts().next().unwrap();
    assert_eq!(owner.handle.as_deref(), Some("marcos.defendi"));
}

#[test]
fn channels_list() {
    let Some(sink) = read("channels.list.json") else {
        return;
    };
    // 2 channels with 2 distinct owners.
    assert_eq!(counts(&sink), [0, 2, 2, 0]);
    let names: Vec<_> = sink.channels().map(|c| c.name.clone().unwrap()).collect();
    assert_eq!(names, vec!["general", "test-channel"]);
    let cat = sink.accounts().next().unwrap();
    assert_eq!(cat.key, key("rocket.cat"));
    assert_eq!(cat.display_name.as_deref(), Some("Rocket.Cat"));
    assert_eq!(
        sink.channels()
            .next()
            .unwrap()
            .created_at
            .unwrap()
            .to_rfc3339(),
        "2024-02-14T14:34:49.365+00:00"
    );
}

#[test]
fn channels_members() {
    let Some(sink) = read("channels.members.json") else {
        return;
    };
    // 2 members; the response does not name the room, so no edges.
    assert_eq!(counts(&sink), [0, 2, 0, 0]);
    let roxie = sink.accounts().next().unwrap();
    assert_eq!(roxie.key, key("rbAXPnMktTFbNpwtJ"));
    assert_eq!(roxie.handle.as_deref(), Some("roxie"));
    assert_eq!(roxie.display_name.as_deref(), Some("test test"));
    assert_eq!(roxie.observed_at, None);
}

#[test]
fn channels_messages() {
    let Some(sink) = read("channels.messages.json") else {
        return;
    };
    // 4 messages (one `rm`, one hidden edit-history copy), all by one user.
    assert_eq!(counts(&sink), [4, 1, 0, 0]);
    assert!(sink.items().all(|i| i.kind == ItemKind::Message));
    let removed = sink
        .items()
        .find(|i| i.key == key("3rfQYmS8MzCKnQbcu"))
        .unwrap();
    assert_eq!(removed.text, "");
    assert_eq!(removed.metrics.get("replies"), Some(&0));
    let copy = sink
        .items()
        .find(|i| i.key == key("6513b143a2f73c7460e18c88"))
        .unwrap();
    assert_eq!(copy.text, "test messages");
    assert_eq!(copy.reply_to, None, "`parent` is edit history, not a reply");
    assert!(copy.metrics.is_empty());
    assert_eq!(
        copy.edited_at.unwrap().to_rfc3339(),
        "2023-09-27T04:36:19.485+00:00"
    );
}
