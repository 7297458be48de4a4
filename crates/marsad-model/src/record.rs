//! The records a [`Source`](../marsad_sources) emits and a store keeps.
//!
//! These structs (through serde) *are* the generic JSON-lines schema: one [`Record`] per
//! line, tagged by `"type"`. Optional fields may be omitted; empty lists and `false` are
//! omitted on output. Unknown fields are rejected, so a typo in a hand-written file is an
//! error instead of silent data loss.

use crate::{AccountStatus, ChannelKind, InteractionKind, ItemKind, Key, MediaKind, Platform};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counters such as `likes`, `reposts`, `replies`, `quotes`, `views`, `comments`, `shares`,
/// `reactions`, `bookmarks`, `forwards`, `videos`, `posts`, `listed`.
/// Canonical names are lower-case English; sources map their own names onto them.
pub type Metrics = BTreeMap<String, i64>;

/// The verbatim source record a model record was read from: evidence for later stages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    /// The source format name (e.g. `twitter-v2`, `telegram-desktop`, `crowdtangle-csv`).
    pub source: String,
    /// The record exactly as read: a JSON object's text, a CSV line, ...
    pub data: String,
}

impl Raw {
    pub fn new(source: impl Into<String>, data: impl Into<String>) -> Self {
        Raw {
            source: source.into(),
            data: data.into(),
        }
    }
}

/// A WGS84 point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    /// A point, if the coordinates are finite and in range.
    pub fn new(lat: f64, lon: f64) -> Option<GeoPoint> {
        let ok = lat.is_finite()
            && lon.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon);
        ok.then_some(GeoPoint { lat, lon })
    }
}

/// A named place attached to an item (X places, Telegram venues, CSV location columns).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// `[west, south, east, north]` in degrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[f64; 4]>,
}

/// A status the source observed for an account, e.g. "User has been suspended".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusObservation {
    pub status: AccountStatus,
    /// When the status was observed or took effect; the record's `observed_at` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
    /// What said so (source format and the source's own words).
    pub source: String,
}

/// An entry of an account's status history as kept by a store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: AccountStatus,
    pub at: DateTime<Utc>,
    pub source: String,
}

/// A user, page or profile on a platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub key: Key,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub following: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Other counters (`posts`, `likes`, `videos`, `listed`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: Metrics,
    /// What the source said about the account's state, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusObservation>,
    /// When the source observed this record (e.g. twarc's `retrieved_at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<DateTime<Utc>>,
    pub raw: Raw,
}

impl Account {
    /// An account with only its key and raw record; fill the rest field by field.
    pub fn new(key: Key, raw: Raw) -> Self {
        Account {
            key,
            handle: None,
            display_name: None,
            bio: None,
            avatar_url: None,
            url: None,
            location: None,
            created_at: None,
            followers: None,
            following: None,
            verified: None,
            metrics: Metrics::new(),
            status: None,
            observed_at: None,
            raw,
        }
    }
}

/// A channel, group, page, room or server: where items are posted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    pub key: Key,
    pub kind: ChannelKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invite_links: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Key>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<DateTime<Utc>>,
    pub raw: Raw,
}

impl Channel {
    pub fn new(key: Key, kind: ChannelKind, raw: Raw) -> Self {
        Channel {
            key,
            kind,
            name: None,
            handle: None,
            description: None,
            member_count: None,
            invite_links: Vec::new(),
            owner: None,
            created_at: None,
            observed_at: None,
            raw,
        }
    }
}

/// A mention of an account inside an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mention {
    /// The handle as written (without `@`).
    pub handle: String,
    /// The mentioned account's key when the source knows its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Key>,
}

impl Mention {
    /// The key of the mentioned account: its id when known, else `@handle`.
    pub fn key(&self, platform: Platform) -> Key {
        self.account
            .clone()
            .unwrap_or_else(|| Key::handle(platform, &self.handle))
    }
}

/// A media file referenced by an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaRef {
    pub kind: MediaKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A local file (e.g. inside a Telegram export). Sources resolve it to an absolute path
    /// or one relative to the working directory; the importer stores it in the blob store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The platform's own media id (X `media_key`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<f64>,
    /// SHA-256 (hex) of the file's bytes, set once the file is in the blob store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

impl MediaRef {
    pub fn new(kind: MediaKind) -> Self {
        MediaRef {
            kind,
            url: None,
            path: None,
            platform_id: None,
            mime: None,
            width: None,
            height: None,
            duration_secs: None,
            sha256: None,
            size: None,
        }
    }
}

/// A stored media file, content-addressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    /// SHA-256 of the bytes, lower-case hex: the identity of the file.
    pub sha256: String,
    pub mime: Option<String>,
    pub size: u64,
    /// Path of the blob relative to the blob store root.
    pub blob_path: String,
}

/// A post, comment, message, video, live stream, story or forum post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub key: Key,
    pub kind: ItemKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Key>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Key>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub text: String,
    /// BCP-47-ish language code as the source reported it (`ar`, `en`, `und`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<Key>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repost_of: Option<Key>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_of: Option<Key>,
    /// Where a forwarded message came from: an account or channel key (`name:` when only the
    /// display name is known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_from: Option<Key>,
    /// The inline bot a message was sent through (Telegram `via_bot`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via_bot: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Mention>,
    /// Hashtags without `#`, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashtags: Vec<String>,
    /// Links, expanded where the source gives the expansion.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<MediaRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<GeoPoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: Metrics,
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_live: bool,
    /// Countries (ISO codes) where the platform withholds the item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld_in: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<DateTime<Utc>>,
    pub raw: Raw,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Item {
    /// An item with only its key, kind and raw record; fill the rest field by field.
    pub fn new(key: Key, kind: ItemKind, raw: Raw) -> Self {
        Item {
            key,
            kind,
            author: None,
            channel: None,
            created_at: None,
            edited_at: None,
            text: String::new(),
            language: None,
            url: None,
            reply_to: None,
            repost_of: None,
            quote_of: None,
            forwarded_from: None,
            via_bot: None,
            mentions: Vec::new(),
            hashtags: Vec::new(),
            links: Vec::new(),
            media: Vec::new(),
            geo: None,
            place: None,
            metrics: Metrics::new(),
            is_live: false,
            withheld_in: Vec::new(),
            observed_at: None,
            raw,
        }
    }

    /// The edges implied by the item's own fields: reply, repost, quote, forward and
    /// mentions, from its author (or, without an author, its channel). Stores derive these
    /// on ingest so that sources never emit them twice.
    pub fn derived_interactions(&self) -> Vec<Interaction> {
        let from = match (&self.author, &self.channel) {
            (Some(a), _) => Node::Account(a.clone()),
            (None, Some(c)) => Node::Channel(c.clone()),
            (None, None) => return Vec::new(),
        };
        let mut out = Vec::new();
        let mut edge = |kind, target| {
            out.push(Interaction {
                kind,
                source: from.clone(),
                target,
                at: self.created_at,
                item: Some(self.key.clone()),
                raw: None,
            })
        };
        if let Some(k) = &self.reply_to {
            edge(InteractionKind::Reply, Node::Item(k.clone()));
        }
        if let Some(k) = &self.repost_of {
            edge(InteractionKind::Repost, Node::Item(k.clone()));
        }
        if let Some(k) = &self.quote_of {
            edge(InteractionKind::Quote, Node::Item(k.clone()));
        }
        if let Some(k) = &self.forwarded_from {
            edge(InteractionKind::Forward, Node::Account(k.clone()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for m in &self.mentions {
            let key = m.key(self.key.platform);
            if seen.insert(key.clone()) {
                edge(InteractionKind::Mention, Node::Account(key));
            }
        }
        out
    }
}

/// One end of an [`Interaction`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Node {
    Account(Key),
    Item(Key),
    Channel(Key),
}

impl Node {
    pub fn key(&self) -> &Key {
        match self {
            Node::Account(k) | Node::Item(k) | Node::Channel(k) => k,
        }
    }
    /// `account`, `item` or `channel`.
    pub fn kind_str(&self) -> &'static str {
        match self {
            Node::Account(_) => "account",
            Node::Item(_) => "item",
            Node::Channel(_) => "channel",
        }
    }
}

/// A typed, time-stamped edge: who reposted, forwarded, replied to, quoted, mentioned,
/// joined, followed or reported what.
///
/// Identity (for idempotent re-import) is `(kind, source, target, at, item)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    pub kind: InteractionKind,
    pub source: Node,
    pub target: Node,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
    /// The item that carries the edge (the reply itself, the join message, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Key>,
    /// The raw record, when the edge comes from a record of its own (a join message, a
    /// report row) rather than from an item's fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<Raw>,
}

/// Anything a source emits: the unit of the generic JSON-lines schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum Record {
    Account(Account),
    Channel(Channel),
    Item(Item),
    Interaction(Interaction),
}

impl Record {
    /// `account`, `channel`, `item` or `interaction`.
    pub fn type_str(&self) -> &'static str {
        match self {
            Record::Account(_) => "account",
            Record::Channel(_) => "channel",
            Record::Item(_) => "item",
            Record::Interaction(_) => "interaction",
        }
    }

    /// The platform the record belongs to.
    pub fn platform(&self) -> Platform {
        match self {
            Record::Account(a) => a.key.platform,
            Record::Channel(c) => c.key.platform,
            Record::Item(i) => i.key.platform,
            Record::Interaction(e) => e.source.key().platform,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> Item {
        let mut it = Item::new(
            Key::new(Platform::X, "2"),
            ItemKind::Post,
            Raw::new("test", "{}"),
        );
        it.author = Some(Key::new(Platform::X, "u1"));
        it.reply_to = Some(Key::new(Platform::X, "1"));
        it.mentions = vec![
            Mention {
                handle: "bob".into(),
                account: Some(Key::new(Platform::X, "u2")),
            },
            Mention {
                handle: "carol".into(),
                account: None,
            },
            Mention {
                handle: "bob".into(),
                account: Some(Key::new(Platform::X, "u2")),
            },
        ];
        it
    }

    #[test]
    fn derived_edges() {
        let edges = item().derived_interactions();
        let kinds: Vec<_> = edges.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                InteractionKind::Reply,
                InteractionKind::Mention,
                InteractionKind::Mention
            ]
        );
        assert_eq!(
            edges[2].target,
            Node::Account(Key::handle(Platform::X, "carol"))
        );
        assert!(edges
            .iter()
            .all(|e| e.item == Some(Key::new(Platform::X, "2"))));
    }

    #[test]
    fn record_json_round_trip_and_tag() {
        let rec = Record::Item(item());
        let s = serde_json::to_string(&rec).unwrap();
        assert!(s.starts_with(r#"{"type":"item""#), "{s}");
        assert!(!s.contains("is_live"), "false flags are omitted: {s}");
        let back: Record = serde_json::from_str(&s).unwrap();
        assert_eq!(back, rec);
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let bad = r#"{"type":"account","key":{"platform":"x","id":"1"},"handel":"x","raw":{"source":"s","data":"{}"}}"#;
        let err = serde_json::from_str::<Record>(bad).unwrap_err().to_string();
        assert!(err.contains("handel"), "{err}");
    }

    #[test]
    fn geo_point_validates() {
        assert!(GeoPoint::new(33.3, 44.4).is_some());
        assert!(GeoPoint::new(133.3, 44.4).is_none());
        assert!(GeoPoint::new(f64::NAN, 44.4).is_none());
    }
}
