//! Marsad's vocabulary. Every other crate speaks in these types.
//!
//! Invariants:
//! - No I/O here: types, parsing of enum names, and pure derivations only.
//! - A record is identified by its **natural key**, `(platform, platform_id)`; internal
//!   row ids ([`ItemId`], [`AccountId`], ...) are newtypes assigned by a store and never leave it
//!   as identity.
//! - Every record carries its raw source record verbatim ([`Raw`]); it is evidence.
//! - Times are UTC.
//!
//! Keys for things a source names without an id use documented prefixes (see [`Key`]).

mod record;

pub use record::*;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A social-media platform (or the generic `web` for forums and pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Tiktok,
    X,
    Facebook,
    Instagram,
    Telegram,
    Rocketchat,
    Youtube,
    Web,
    Other,
}

impl Platform {
    /// All platforms, in display order.
    pub const ALL: [Platform; 9] = [
        Platform::Tiktok,
        Platform::X,
        Platform::Facebook,
        Platform::Instagram,
        Platform::Telegram,
        Platform::Rocketchat,
        Platform::Youtube,
        Platform::Web,
        Platform::Other,
    ];

    /// The stable lower-case name used in files, the database and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Tiktok => "tiktok",
            Platform::X => "x",
            Platform::Facebook => "facebook",
            Platform::Instagram => "instagram",
            Platform::Telegram => "telegram",
            Platform::Rocketchat => "rocketchat",
            Platform::Youtube => "youtube",
            Platform::Web => "web",
            Platform::Other => "other",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown enum name was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?} (expected one of: {expected})")]
pub struct UnknownName {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

impl FromStr for Platform {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let l = s.trim().to_ascii_lowercase();
        let p = match l.as_str() {
            "twitter" => Some(Platform::X),
            "rocket.chat" => Some(Platform::Rocketchat),
            "fb" => Some(Platform::Facebook),
            "ig" => Some(Platform::Instagram),
            _ => Platform::ALL.into_iter().find(|p| p.as_str() == l),
        };
        p.ok_or_else(|| UnknownName {
            what: "platform",
            value: s.to_string(),
            expected: names(Platform::ALL.iter().map(|p| p.as_str())),
        })
    }
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join(", ")
}

/// Defines a string-named enum with `as_str`, `FromStr`, `Display` and serde in one place.
macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident, $what:literal { $($(#[$vm:meta])* $var:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $s)] $var),+ }
        impl $name {
            /// Every variant.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The stable name used in files, the database and the CLI.
            pub fn as_str(self) -> &'static str { match self { $($name::$var => $s),+ } }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let l = s.trim().to_ascii_lowercase().replace('-', "_");
                Self::ALL.iter().copied().find(|v| v.as_str() == l).ok_or_else(|| UnknownName {
                    what: $what,
                    value: s.to_string(),
                    expected: names(Self::ALL.iter().map(|v| v.as_str())),
                })
            }
        }
    };
}

named_enum!(
    /// What kind of content an [`Item`] is.
    ItemKind, "item kind" {
        Post = "post",
        Comment = "comment",
        Message = "message",
        Video = "video",
        LiveStream = "live_stream",
        Story = "story",
        ForumPost = "forum_post",
    }
);

named_enum!(
    /// What kind of container a [`Channel`] is.
    ChannelKind, "channel kind" {
        Channel = "channel",
        Group = "group",
        Page = "page",
        Room = "room",
        Server = "server",
    }
);

named_enum!(
    /// The life-cycle state of an account as observed by a source.
    ///
    /// `Restored` is what a store records when an account seen `Suspended` or `Deleted` is
    /// observed `Active` again.
    AccountStatus, "account status" {
        Active = "active",
        Suspended = "suspended",
        Deleted = "deleted",
        Restored = "restored",
    }
);

named_enum!(
    /// The type of an [`Interaction`] edge.
    InteractionKind, "interaction kind" {
        Repost = "repost",
        Forward = "forward",
        Reply = "reply",
        Quote = "quote",
        Mention = "mention",
        MemberOf = "member_of",
        /// Left a channel or group (Rocket.Chat `ul`, Telegram `remove_members`).
        LeftChannel = "left_channel",
        Follows = "follows",
        Reported = "reported",
        /// An account pinned an item in a channel.
        Pinned = "pinned",
    }
);

named_enum!(
    /// What kind of media file a [`MediaRef`] points at.
    MediaKind, "media kind" {
        Photo = "photo",
        Video = "video",
        AnimatedGif = "animated_gif",
        Audio = "audio",
        Voice = "voice",
        Sticker = "sticker",
        File = "file",
        Link = "link",
    }
);

/// Defines an internal row-id newtype.
macro_rules! row_id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { self.0.fmt(f) }
        }
    };
}

row_id!(
    /// A store's internal id of an [`Account`].
    AccountId
);
row_id!(
    /// A store's internal id of an [`Item`].
    ItemId
);
row_id!(
    /// A store's internal id of a [`Channel`].
    ChannelId
);
row_id!(
    /// A store's internal id of an [`Interaction`].
    InteractionId
);

/// The natural key of an account, channel or item: `(platform, platform_id)`.
///
/// `id` is the platform's own identifier. When a source names something without an id, the
/// id carries a prefix that says so, so that later stages can tell and resolve it:
/// - `@handle` — known only by handle / username (e.g. an X mention without an id),
/// - `name:Display Name` — known only by display name (e.g. Telegram `forwarded_from`).
///
/// Items whose platform ids are only unique per chat (Telegram) use `<chat peer>/<message id>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    pub platform: Platform,
    pub id: String,
}

impl Key {
    pub fn new(platform: Platform, id: impl Into<String>) -> Self {
        Key {
            platform,
            id: id.into(),
        }
    }
    /// A key for something known only by its handle (the leading `@` is normalised).
    pub fn handle(platform: Platform, handle: &str) -> Self {
        Key::new(platform, format!("@{}", handle.trim_start_matches('@')))
    }
    /// A key for something known only by its display name.
    pub fn name(platform: Platform, name: &str) -> Self {
        Key::new(platform, format!("name:{name}"))
    }
    /// True when the key is a real platform id (not a `@handle` or `name:` reference).
    pub fn is_platform_id(&self) -> bool {
        !(self.id.starts_with('@') || self.id.starts_with("name:"))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.platform, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_names_round_trip() {
        for p in Platform::ALL {
            assert_eq!(p.as_str().parse::<Platform>(), Ok(p));
        }
        assert_eq!("Twitter".parse::<Platform>(), Ok(Platform::X));
        let err = "myspace".parse::<Platform>().unwrap_err();
        assert!(err.to_string().contains("myspace"));
        assert!(err.to_string().contains("telegram"));
    }

    #[test]
    fn enum_names_round_trip() {
        for k in ItemKind::ALL {
            assert_eq!(k.as_str().parse::<ItemKind>(), Ok(*k));
        }
        assert_eq!("live-stream".parse::<ItemKind>(), Ok(ItemKind::LiveStream));
        for k in InteractionKind::ALL {
            assert_eq!(k.as_str().parse::<InteractionKind>(), Ok(*k));
        }
        assert_eq!(
            serde_json::to_string(&InteractionKind::MemberOf).unwrap(),
            "\"member_of\""
        );
    }

    #[test]
    fn key_prefixes() {
        let k = Key::handle(Platform::X, "@abc");
        assert_eq!(k.id, "@abc");
        assert!(!k.is_platform_id());
        assert!(!Key::name(Platform::Telegram, "Some Channel").is_platform_id());
        assert!(Key::new(Platform::X, "123").is_platform_id());
        assert_eq!(Key::new(Platform::X, "123").to_string(), "x:123");
    }
}
