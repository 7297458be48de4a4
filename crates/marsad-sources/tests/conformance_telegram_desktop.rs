//! Conformance: the shared Telegram Desktop sample (`formats/telegram-desktop/sample.json`).
//!
//! An anonymised single-chat export ("Sample Chat Group", `private_group`, id 69420): 256
//! messages, every one with id 69420 and `date_unixtime` "0000000000".
//!
//! Expected numbers were derived independently with python3 (`json.load` of the sample):
//! - items 250: messages with `type != "service"` (250); no service message is a group
//!   call (`action` counts: create_group 1, invite_members 3, pin_message 2).
//! - accounts 6: distinct `from_id` of the 250 messages (6) ∪ `actor_id` of the handled
//!   service messages (only `user000AX6969`, already an author).
//! - channels 1: the root chat.
//! - interactions 8: member_of 6 = `len(members)` of create_group (3) + invite_members
//!   (1 + 1 + 1); pinned 2 = pin_message messages with `message_id`.
//! - distinct item keys 123: the first element is the create_group service message, which
//!   takes the plain key 69420/69420, so all 250 messages get synthetic keys; 123 =
//!   `len({json.dumps(m, sort_keys=True, separators=(',',':')) for m in messages})`.
//! - repaired: 255 = every element after the first has id 69420 <= 69420.
//! - missing media 30: `photo` (14) and `file` (16) values that are "(File not included. …)".
#![allow(clippy::unwrap_used)]

mod common;

use marsad_model::{ChannelKind, InteractionKind, ItemKind, Key, MediaKind, Node, Platform};
use marsad_sources::{read_file, Format, NoticeKind};
use std::collections::HashSet;

#[test]
fn telegram_desktop_sample() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let path = data.join("formats/telegram-desktop/sample.json");
    let (sink, res) = read_file(Format::TelegramDesktop, &path);
    res.unwrap();

    assert_eq!(sink.count("item"), 250);
    assert_eq!(sink.count("account"), 6);
    assert_eq!(sink.count("channel"), 1);
    assert_eq!(sink.count("interaction"), 8);
    assert!(sink.rejects.is_empty(), "{:?}", sink.rejects);

    let kinds: Vec<InteractionKind> = sink.interactions().map(|e| e.kind).collect();
    let member_of = kinds
        .iter()
        .filter(|k| **k == InteractionKind::MemberOf)
        .count();
    let pinned = kinds
        .iter()
        .filter(|k| **k == InteractionKind::Pinned)
        .count();
    assert_eq!((member_of, pinned), (6, 2));

    let keys: HashSet<&str> = sink.items().map(|i| i.key.id.as_str()).collect();
    assert_eq!(keys.len(), 123);
    assert!(sink
        .items()
        .all(|i| i.key.id.starts_with("chat69420/69420~")));

    let tg = |id: &str| Key::new(Platform::Telegram, id);
    let ch = sink.channels().next().unwrap();
    assert_eq!(ch.key, tg("chat69420"));
    assert_eq!(ch.kind, ChannelKind::Group);
    assert_eq!(ch.name.as_deref(), Some("Sample Chat Group"));
    assert_eq!(
        ch.created_at.map(|t| t.to_rfc3339()),
        Some("2022-03-21T11:11:11+00:00".to_string()),
        "the create_group message is the first element"
    );
    assert_eq!(ch.owner, Some(tg("user000AX6969")));

    // The first item: the anonymised date_unixtime is 0, so `date` is used.
    let first = sink.items().next().unwrap();
    assert_eq!(first.kind, ItemKind::Message);
    assert_eq!(first.text, "The One Piece! The One Piece is Real!");
    assert_eq!(first.author, Some(tg("user000AX6969")));
    assert_eq!(first.channel, Some(tg("chat69420")));
    assert_eq!(
        first.created_at.map(|t| t.timestamp()),
        Some(1647861071),
        "2022-03-21T11:11:11 read as UTC"
    );
    assert_eq!(first.edited_at.map(|t| t.timestamp()), Some(1661765816));
    assert_eq!(first.raw.source, "telegram-desktop");

    let snake = sink
        .accounts()
        .find(|a| a.key == tg("user000AX692019"))
        .unwrap();
    assert_eq!(snake.display_name.as_deref(), Some("A real snake 🐍"));

    assert_eq!(
        sink.items()
            .filter(|i| i.reply_to == Some(tg("chat69420/69420")))
            .count(),
        25
    );
    assert_eq!(sink.items().filter(|i| i.edited_at.is_some()).count(), 16);
    // "Lorem ipsum" mention entities (anonymised) are not valid handles: dropped.
    assert!(sink.items().all(|i| i.mentions.is_empty()));
    assert!(sink.items().any(|i| i.text == "Lorem ipsum , Nope"));

    let media: Vec<_> = sink.items().flat_map(|i| &i.media).collect();
    assert_eq!(media.len(), 30);
    assert!(media.iter().all(|m| m.path.is_none()));
    let stickers = media
        .iter()
        .filter(|m| m.kind == MediaKind::Sticker)
        .count();
    let photos = media.iter().filter(|m| m.kind == MediaKind::Photo).count();
    let files = media.iter().filter(|m| m.kind == MediaKind::File).count();
    assert_eq!((stickers, photos, files), (13, 14, 3));

    let joins: Vec<_> = sink
        .interactions()
        .filter(|e| e.kind == InteractionKind::MemberOf)
        .map(|e| e.source.key().id.as_str())
        .collect();
    assert_eq!(
        joins,
        vec![
            "name:Joseph Joestar",
            "name:Sussy Baka",
            "name:Hugh Janus",
            "name:no_life_coder",
            "name:A real snake 🐍",
            "name:Beluga"
        ]
    );
    let pin = sink
        .interactions()
        .find(|e| e.kind == InteractionKind::Pinned)
        .unwrap();
    assert_eq!(pin.source, Node::Account(tg("user000AX6969")));
    assert_eq!(pin.target, Node::Item(tg("chat69420/13650")));

    let notice = |kind| {
        sink.notices
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.message.clone())
            .collect::<Vec<_>>()
    };
    let repaired = notice(NoticeKind::Repaired);
    assert_eq!(repaired.len(), 1);
    assert!(repaired[0].starts_with("255 message(s)"), "{repaired:?}");
    let missing = notice(NoticeKind::MissingMedia);
    assert_eq!(missing.len(), 1);
    assert!(missing[0].starts_with("30 media file(s)"), "{missing:?}");
    assert!(notice(NoticeKind::Skipped).is_empty());
}
