//! How two different observations of the same record combine: field by field, the newer
//! observation's values win and the fields it leaves out keep the older values. Shared by
//! every store so that they agree.

use marsad_model::{Account, Channel, Item, Record};

fn opt<T>(base: Option<T>, overlay: Option<T>) -> Option<T> {
    overlay.or(base)
}

fn list<T>(base: Vec<T>, overlay: Vec<T>) -> Vec<T> {
    if overlay.is_empty() {
        base
    } else {
        overlay
    }
}

fn text(base: String, overlay: String) -> String {
    if overlay.is_empty() {
        base
    } else {
        overlay
    }
}

/// `overlay` on top of `base`.
pub fn merge_item(base: Item, o: Item) -> Item {
    let mut metrics = base.metrics;
    metrics.extend(o.metrics);
    Item {
        key: o.key,
        kind: o.kind,
        author: opt(base.author, o.author),
        channel: opt(base.channel, o.channel),
        created_at: opt(base.created_at, o.created_at),
        edited_at: opt(base.edited_at, o.edited_at),
        text: text(base.text, o.text),
        language: opt(base.language, o.language),
        url: opt(base.url, o.url),
        reply_to: opt(base.reply_to, o.reply_to),
        repost_of: opt(base.repost_of, o.repost_of),
        quote_of: opt(base.quote_of, o.quote_of),
        forwarded_from: opt(base.forwarded_from, o.forwarded_from),
        via_bot: opt(base.via_bot, o.via_bot),
        mentions: list(base.mentions, o.mentions),
        hashtags: list(base.hashtags, o.hashtags),
        links: list(base.links, o.links),
        media: list(base.media, o.media),
        geo: opt(base.geo, o.geo),
        place: opt(base.place, o.place),
        metrics,
        is_live: o.is_live,
        withheld_in: list(base.withheld_in, o.withheld_in),
        observed_at: opt(base.observed_at, o.observed_at),
        raw: o.raw,
    }
}

/// `overlay` on top of `base`. The status observation is not merged: stores keep statuses
/// in the status history.
pub fn merge_account(base: Account, o: Account) -> Account {
    let mut metrics = base.metrics;
    metrics.extend(o.metrics);
    Account {
        key: o.key,
        handle: opt(base.handle, o.handle),
        display_name: opt(base.display_name, o.display_name),
        bio: opt(base.bio, o.bio),
        avatar_url: opt(base.avatar_url, o.avatar_url),
        url: opt(base.url, o.url),
        location: opt(base.location, o.location),
        created_at: opt(base.created_at, o.created_at),
        followers: opt(base.followers, o.followers),
        following: opt(base.following, o.following),
        verified: opt(base.verified, o.verified),
        metrics,
        status: opt(base.status, o.status),
        observed_at: opt(base.observed_at, o.observed_at),
        raw: o.raw,
    }
}

/// `overlay` on top of `base`.
pub fn merge_channel(base: Channel, o: Channel) -> Channel {
    Channel {
        key: o.key,
        kind: o.kind,
        name: opt(base.name, o.name),
        handle: opt(base.handle, o.handle),
        description: opt(base.description, o.description),
        member_count: opt(base.member_count, o.member_count),
        invite_links: list(base.invite_links, o.invite_links),
        owner: opt(base.owner, o.owner),
        created_at: opt(base.created_at, o.created_at),
        observed_at: opt(base.observed_at, o.observed_at),
        raw: o.raw,
    }
}

/// Which observation is newer: the incoming one unless both say when they were made and
/// the stored one is later.
pub fn incoming_is_newer(
    stored: Option<chrono::DateTime<chrono::Utc>>,
    incoming: Option<chrono::DateTime<chrono::Utc>>,
) -> bool {
    !matches!((stored, incoming), (Some(s), Some(i)) if i < s)
}

/// Merges a stored record with an incoming observation of the same key (newer wins).
/// Records of different types are returned unmerged (the incoming one).
pub fn merge(stored: Record, incoming: Record) -> Record {
    match (stored, incoming) {
        (Record::Item(s), Record::Item(i)) => {
            Record::Item(if incoming_is_newer(s.observed_at, i.observed_at) {
                merge_item(s, i)
            } else {
                merge_item(i, s)
            })
        }
        (Record::Account(s), Record::Account(i)) => {
            Record::Account(if incoming_is_newer(s.observed_at, i.observed_at) {
                merge_account(s, i)
            } else {
                merge_account(i, s)
            })
        }
        (Record::Channel(s), Record::Channel(i)) => {
            Record::Channel(if incoming_is_newer(s.observed_at, i.observed_at) {
                merge_channel(s, i)
            } else {
                merge_channel(i, s)
            })
        }
        (_, incoming) => incoming,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use marsad_model::{Key, Platform, Raw};

    #[test]
    fn newer_wins_and_gaps_are_filled() {
        let mut a = Account::new(Key::new(Platform::Rocketchat, "u1"), Raw::new("t", "a"));
        a.display_name = Some("Roxie".into());
        a.followers = Some(1);
        let mut b = Account::new(Key::new(Platform::Rocketchat, "u1"), Raw::new("t", "b"));
        b.handle = Some("roxie".into());
        b.followers = Some(2);
        let m = merge_account(a.clone(), b.clone());
        assert_eq!(m.display_name.as_deref(), Some("Roxie"));
        assert_eq!(m.handle.as_deref(), Some("roxie"));
        assert_eq!(m.followers, Some(2));
        assert_eq!(m.raw.data, "b");
        // Merging either observation again changes nothing.
        assert_eq!(merge_account(m.clone(), b), m);
    }

    #[test]
    fn an_older_observation_does_not_override() {
        let t = |s| Some(Utc.timestamp_opt(s, 0).unwrap());
        let mut stored = Account::new(Key::new(Platform::X, "1"), Raw::new("t", "new"));
        stored.followers = Some(10);
        stored.observed_at = t(200);
        let mut old = stored.clone();
        old.followers = Some(5);
        old.bio = Some("bio".into());
        old.observed_at = t(100);
        old.raw = Raw::new("t", "old");
        let Record::Account(m) = merge(Record::Account(stored), Record::Account(old)) else {
            panic!()
        };
        assert_eq!(m.followers, Some(10));
        assert_eq!(m.bio.as_deref(), Some("bio"));
        assert_eq!(m.raw.data, "new");
        assert_eq!(m.observed_at, t(200));
    }
}
