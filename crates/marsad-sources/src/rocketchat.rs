//! `rocketchat`: Rocket.Chat REST API v1 responses.
//!
//! Accepted input: JSON responses of the REST API, one per file, several concatenated, or one
//! per line, read through [`TolerantJson`] (a BOM and trailing commas are repaired and
//! reported once per file). The arrays (or single objects) at these top-level keys are
//! streamed one element at a time:
//!
//! | key | endpoints | becomes |
//! |---|---|---|
//! | `messages`, `message`, `threads` | `channels.history`, `channels.messages`, `groups.history`, `groups.messages`, `im.history`, `im.messages`, `chat.getThreadMessages`, `chat.getThreadsList`, `chat.getMessage`, `chat.search`, `chat.getPinnedMessages`... | [`Item`] / [`Interaction`] |
//! | `channels`, `channel`, `groups`, `group`, `ims`, `rooms`, `room`, `update` | `channels.list`, `channels.info`, `groups.list`, `groups.info`, `im.list`, `rooms.adminRooms`, `rooms.info`, `rooms.get` (`update`) | [`Channel`] (+ owner [`Account`]) |
//! | `update` entries with `rid` | `subscriptions.get` | `MemberOf` [`Interaction`] |
//! | `members`, `users`, `user` | `channels.members`, `groups.members`, `users.list`, `users.info` | [`Account`] |
//!
//! Messages (key `_id`, platform `rocketchat`): `Item` of kind `message`; `rid` → channel
//! (only a key: the room itself is known from info/list responses), `u._id` → author (one
//! [`Account`] per distinct user per file: `username` → handle, `name` → display name),
//! `ts` (ISO string, Mongo `{"$date": millis}` or millis) → created_at, `editedAt` →
//! edited_at, `msg` → text (when empty: the descriptions/texts of non-quote attachments),
//! `tmid` (thread parent) → reply_to, `mentions[]` (`_id`, `username`; not `all`/`here`,
//! not teams) → mentions, `urls[].url` (else links found in `msg`) and external attachment
//! `title_link`s → links, hashtags from the text, a `message_link` attachment's `?msg=` id →
//! quote_of, `image_url`/`video_url`/`audio_url`/file `title_link` attachments and `files[]`
//! / `file` → media, the sum of `reactions.*.usernames` → metric `reactions`, `tcount` →
//! `replies`. Channel mentions (`channels[]`) become `Mention` interactions author →
//! channel.
//!
//! `parent` is **not** a reply: Rocket.Chat sets it on the hidden (`_hidden: true`)
//! edit-history copy of an edited or deleted message. Such copies are kept as items (they
//! hold the earlier or deleted text) without edges or metrics, so that edits do not count
//! twice.
//!
//! System messages (`t`): `uj`, `ujt`, `ut` (the author joined) and `au`,
//! `added-user-to-team` (`msg` names the added username) → `MemberOf` account → channel;
//! `ul`, `ult` (left) and `ru`, `removed-user-from-team` (`msg` names the removed user) →
//! `LeftChannel`; `message_pinned` → `Pinned` author → pinned item when the attachment's
//! `message_link` names it (otherwise skipped); `rm` (removed) and `e2e` (encrypted) stay
//! items with empty text; `videoconf` / `jitsi_call_started` → item of kind `live_stream`,
//! `is_live`. These edges carry `item` = the system message's key and its raw record. All
//! other types (`r`, `room_changed_*`, `subscription-role-added`, `livechat*`...) are
//! skipped with one aggregated notice per file.
//!
//! Rooms (key `_id`): kind by `t` (`c` → channel, `p` → group, `d`/`l`/`v` → room), name
//! `fname` else `name`, handle `name`, description `description` else `topic`,
//! member_count `usersCount`, owner `u._id`, created_at `ts`.
//! Users (key `_id`): handle `username`, display name `name`, bio `bio`, created_at
//! `createdAt`, `active` → status (`false` = deactivated → suspended). Presence (`status`)
//! stays in raw. A members list does not name its room, so it yields no `MemberOf` edge.
//! A response with `success: false` (or `status: "error"`) becomes one skipped notice.

use crate::util::{
    hashtags_in, json_i64, json_id, json_str, links_in, parse_time, reject, reject_serde,
    stream_json, unix_seconds, DocumentEnd, Element, TolerantJson,
};
use crate::{Format, Input, Notice, NoticeKind, Position, Sink, Source, SourceError, Stop};
use chrono::{DateTime, TimeZone, Utc};
use marsad_model::{
    Account, AccountStatus, Channel, ChannelKind, Interaction, InteractionKind, Item, ItemKind,
    Key, MediaKind, MediaRef, Mention, Node, Platform, Raw, Record, StatusObservation,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

const NAME: &str = "rocketchat";
const P: Platform = Platform::Rocketchat;

/// What the elements under a key are.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Messages,
    /// Rooms, with the kind to use when `t` is absent.
    Rooms(ChannelKind),
    /// `rooms.get` rooms or `subscriptions.get` subscriptions.
    Update,
    Users,
}

const ROUTES: &[(&[&str], Shape)] = &[
    (&["messages"], Shape::Messages),
    (&["message"], Shape::Messages),
    (&["threads"], Shape::Messages),
    (&["channels"], Shape::Rooms(ChannelKind::Channel)),
    (&["channel"], Shape::Rooms(ChannelKind::Channel)),
    (&["groups"], Shape::Rooms(ChannelKind::Group)),
    (&["group"], Shape::Rooms(ChannelKind::Group)),
    (&["ims"], Shape::Rooms(ChannelKind::Room)),
    (&["rooms"], Shape::Rooms(ChannelKind::Channel)),
    (&["room"], Shape::Rooms(ChannelKind::Channel)),
    (&["update"], Shape::Update),
    (&["members"], Shape::Users),
    (&["users"], Shape::Users),
    (&["user"], Shape::Users),
];

/// System message types whose author joined the room.
const JOINED_SELF: &[&str] = &["uj", "ujt", "ut"];
/// System message types whose `msg` names a user added by the author.
const JOINED_BY_NAME: &[&str] = &["au", "added-user-to-team"];
/// System message types whose author left the room.
const LEFT_SELF: &[&str] = &["ul", "ult"];
/// System message types whose `msg` names a user removed by the author.
const LEFT_BY_NAME: &[&str] = &["ru", "removed-user-from-team"];
const PINNED: &[&str] = &["message_pinned", "message_pinned_e2e"];
/// Live video calls started in the room.
const LIVE: &[&str] = &["videoconf", "jitsi_call_started"];
/// Messages that existed but whose text is gone (`rm`) or unreadable ciphertext (`e2e`).
const TEXTLESS: &[&str] = &["rm", "e2e"];

/// Importer for Rocket.Chat REST API responses.
#[derive(Debug, Clone, Copy, Default)]
pub struct RocketChat;

impl Source for RocketChat {
    fn format(&self) -> Format {
        Format::Rocketchat
    }

    fn read(&self, input: Input<'_>, sink: &mut dyn Sink) -> Result<(), SourceError> {
        let file = input.path.to_path_buf();
        let reader = TolerantJson::new(input.reader);
        let repairs = reader.repairs();
        let paths: Vec<&[&str]> = ROUTES.iter().map(|(p, _)| *p).collect();
        let mut state = State {
            file: file.clone(),
            seen: HashSet::new(),
            full: HashSet::new(),
            skipped: BTreeMap::new(),
        };
        let mut doc_notices = Vec::new();
        let res = stream_json(
            reader,
            &file,
            &paths,
            &mut |el| state.element(&el, sink),
            &mut |doc| {
                doc_notices.extend(document_notice(&file, &doc));
                Ok(())
            },
        );
        for n in doc_notices {
            sink.notice(n);
        }
        if !state.skipped.is_empty() {
            let total: u64 = state.skipped.values().sum();
            let list = state
                .skipped
                .iter()
                .map(|(t, n)| format!("{t} ×{n}"))
                .collect::<Vec<_>>()
                .join(", ");
            sink.notice(Notice {
                kind: NoticeKind::Skipped,
                position: Position::file(&file),
                message: format!("skipped {total} system messages by type: {list}"),
            });
        }
        let repaired = repairs.load(Ordering::Relaxed);
        if repaired > 0 {
            sink.notice(Notice {
                kind: NoticeKind::Repaired,
                position: Position::file(&file),
                message: format!("{repaired} repair(s): trailing commas dropped or invalid UTF-8 replaced by U+FFFD"),
            });
        }
        res
    }
}

/// The notice for a document that is an API error or holds nothing to import.
fn document_notice(file: &Path, doc: &DocumentEnd) -> Option<Notice> {
    let root = |key: &str| {
        doc.values
            .iter()
            .find(|e| e.object.is_empty() && e.key == key)
            .map(|e| &e.value)
    };
    let position = Position {
        pointer: Some(format!("document {}", doc.doc)),
        ..Position::file(file)
    };
    let failed = root("success") == Some(&Value::Bool(false))
        || root("status").and_then(Value::as_str) == Some("error");
    if failed {
        // `message` is also a streamed key (`chat.getMessage`), so a string `message` of an
        // error response is not among the document's values.
        let what = ["error", "errorType"]
            .iter()
            .find_map(|k| root(k).and_then(json_str))
            .unwrap_or_else(|| "no error text".to_string());
        return Some(Notice {
            kind: NoticeKind::Skipped,
            position,
            message: format!("API error response: {what}"),
        });
    }
    if !doc.matched {
        return Some(Notice {
            kind: NoticeKind::Skipped,
            position,
            message: "no messages, rooms or users in this response".to_string(),
        });
    }
    None
}

/// Why a record could not be mapped.
struct Bad {
    field: String,
    reason: String,
}

fn bad(field: &str, reason: impl Into<String>) -> Bad {
    Bad {
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// The verbatim `u` object of a message, room or subscription.
#[derive(Deserialize)]
struct Parts<'a> {
    #[serde(borrow, default)]
    u: Option<&'a RawValue>,
}

/// Per-file state: which accounts were emitted, which system messages were skipped.
struct State {
    file: PathBuf,
    /// Accounts emitted in any form.
    seen: HashSet<String>,
    /// Accounts emitted from a full profile (`users`, `members`, `user`).
    full: HashSet<String>,
    /// Skipped system messages by `t`.
    skipped: BTreeMap<String, u64>,
}

impl State {
    fn element(&mut self, el: &Element<'_>, sink: &mut dyn Sink) -> Result<(), Stop> {
        let raw = el.raw.get();
        let file = self.file.clone();
        let position = || el.position(&file);
        let v: Value = match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(e) => return sink.reject(reject_serde(NAME, position(), &e, raw)),
        };
        if !v.is_object() {
            return sink.reject(reject(
                NAME,
                position(),
                None,
                "expected a JSON object",
                raw,
            ));
        }
        let u_raw = serde_json::from_str::<Parts<'_>>(raw)
            .ok()
            .and_then(|p| p.u)
            .map(|u| u.get().to_string());
        let shape = ROUTES
            .get(el.path_index)
            .map(|r| r.1)
            .unwrap_or(Shape::Messages);
        let mut out = Vec::new();
        let res = match shape {
            Shape::Messages => self.message(&v, raw, u_raw.as_deref(), &mut out),
            Shape::Rooms(kind) => self.room(&v, raw, u_raw.as_deref(), kind, &mut out),
            Shape::Update if v.get("rid").is_some() => {
                self.subscription(&v, raw, u_raw.as_deref(), &mut out)
            }
            Shape::Update => self.room(&v, raw, u_raw.as_deref(), ChannelKind::Channel, &mut out),
            Shape::Users => self.user(&v, raw, &mut out),
        };
        match res {
            Ok(()) => {
                for r in out {
                    sink.record(r)?;
                }
                Ok(())
            }
            Err(b) => sink.reject(reject(NAME, position(), Some(&b.field), b.reason, raw)),
        }
    }

    /// The key of a `u` object (its `_id`, else `@username`), and its account when it has
    /// an id and was not emitted yet in this file.
    fn user_ref(
        &mut self,
        u: Option<&Value>,
        u_raw: Option<&str>,
    ) -> Option<(Key, Option<Account>)> {
        let u = u?;
        let handle = u.get("username").and_then(json_str);
        match u.get("_id").and_then(json_id) {
            Some(id) => {
                let key = Key::new(P, id);
                let account = if self.seen.insert(key.id.clone()) {
                    let raw = u_raw.map(str::to_string).unwrap_or_else(|| u.to_string());
                    let mut a = Account::new(key.clone(), Raw::new(NAME, raw));
                    a.handle = handle;
                    a.display_name = u.get("name").and_then(json_str);
                    Some(a)
                } else {
                    None
                };
                Some((key, account))
            }
            None => handle.map(|h| (Key::handle(P, &h), None)),
        }
    }

    fn message(
        &mut self,
        v: &Value,
        raw: &str,
        u_raw: Option<&str>,
        out: &mut Vec<Record>,
    ) -> Result<(), Bad> {
        let id = v
            .get("_id")
            .and_then(json_id)
            .ok_or_else(|| bad("_id", "missing message id"))?;
        let ts = match v.get("ts") {
            None | Some(Value::Null) => return Err(bad("ts", "missing message time")),
            Some(t) => rc_time(t).ok_or_else(|| bad("ts", format!("unreadable time {t}")))?,
        };
        let t = v.get("t").and_then(Value::as_str).unwrap_or("");
        let key = Key::new(P, &id);
        let rid = v.get("rid").and_then(json_id);
        let msg = v.get("msg").and_then(Value::as_str).unwrap_or("");

        // System messages that are edges, validated before any state changes.
        let edge = if JOINED_SELF.contains(&t) || LEFT_SELF.contains(&t) {
            Some(None)
        } else if JOINED_BY_NAME.contains(&t) || LEFT_BY_NAME.contains(&t) {
            let name = msg.trim();
            if name.is_empty() {
                return Err(bad("msg", format!("`{t}` message without a username")));
            }
            Some(Some(Key::handle(P, name)))
        } else {
            None
        };
        if edge.is_some() && rid.is_none() {
            return Err(bad("rid", format!("`{t}` message without a room id")));
        }
        let pinned = if PINNED.contains(&t) {
            match pinned_id(v) {
                Some(p) => Some(p),
                None => {
                    *self
                        .skipped
                        .entry(format!("{t} (pinned message not identified)"))
                        .or_default() += 1;
                    return Ok(());
                }
            }
        } else {
            None
        };
        let is_item = t.is_empty() || TEXTLESS.contains(&t) || LIVE.contains(&t);
        if edge.is_none() && pinned.is_none() && !is_item {
            *self.skipped.entry(t.to_string()).or_default() += 1;
            return Ok(());
        }

        let author = self.user_ref(v.get("u"), u_raw);
        let author_key = author.as_ref().map(|(k, _)| k.clone());
        if let Some((_, Some(account))) = author {
            out.push(Record::Account(account));
        }
        let raw_rec = || Some(Raw::new(NAME, raw));

        if let Some(named) = edge {
            let kind = if JOINED_SELF.contains(&t) || JOINED_BY_NAME.contains(&t) {
                InteractionKind::MemberOf
            } else {
                InteractionKind::LeftChannel
            };
            let who = match named.or(author_key) {
                Some(k) => k,
                None => return Err(bad("u._id", format!("`{t}` message without a user"))),
            };
            let Some(rid) = rid else {
                return Err(bad("rid", format!("`{t}` message without a room id")));
            };
            out.push(Record::Interaction(Interaction {
                kind,
                source: Node::Account(who),
                target: Node::Channel(Key::new(P, rid)),
                at: Some(ts),
                item: Some(key),
                raw: raw_rec(),
            }));
            return Ok(());
        }
        if let Some(target) = pinned {
            let Some(who) = author_key else {
                return Err(bad("u._id", format!("`{t}` message without a user")));
            };
            out.push(Record::Interaction(Interaction {
                kind: InteractionKind::Pinned,
                source: Node::Account(who),
                target: Node::Item(Key::new(P, target)),
                at: Some(ts),
                item: Some(key),
                raw: raw_rec(),
            }));
            return Ok(());
        }

        let kind = if LIVE.contains(&t) {
            ItemKind::LiveStream
        } else {
            ItemKind::Message
        };
        let history_copy =
            v.get("_hidden").and_then(Value::as_bool) == Some(true) && v.get("parent").is_some();
        let mut item = Item::new(key.clone(), kind, Raw::new(NAME, raw));
        item.is_live = kind == ItemKind::LiveStream;
        item.author = author_key.clone();
        item.channel = rid.map(|r| Key::new(P, r));
        item.created_at = Some(ts);
        item.edited_at = v.get("editedAt").and_then(rc_time);
        let att = attachments(v);
        if !TEXTLESS.contains(&t) {
            item.text = if msg.trim().is_empty() {
                att.texts.join("\n")
            } else {
                msg.to_string()
            };
        }
        item.hashtags = hashtags_in(&item.text);
        let mut links: Vec<String> = match v.get("urls").and_then(Value::as_array) {
            Some(urls) => urls
                .iter()
                .filter_map(|u| u.get("url").and_then(json_str))
                .collect(),
            None => links_in(msg),
        };
        links.extend(att.links);
        for l in links {
            if !item.links.contains(&l) {
                item.links.push(l);
            }
        }
        item.media = att.media;
        add_files(v, &mut item.media);
        if !history_copy {
            item.reply_to = v.get("tmid").and_then(json_id).map(|m| Key::new(P, m));
            item.quote_of = att.quote.map(|q| Key::new(P, q));
            item.mentions = mentions(v);
            if let Some(r) = v.get("reactions").and_then(Value::as_object) {
                let n = r
                    .values()
                    .filter_map(|x| x.get("usernames").and_then(Value::as_array))
                    .map(|u| u.len() as i64)
                    .sum();
                item.metrics.insert("reactions".into(), n);
            }
            if let Some(n) = v.get("tcount").and_then(json_i64) {
                item.metrics.insert("replies".into(), n);
            }
        }
        let channel_mentions = match (&author_key, history_copy) {
            (Some(a), false) => channel_mentions(v)
                .into_iter()
                .map(|c| {
                    Record::Interaction(Interaction {
                        kind: InteractionKind::Mention,
                        source: Node::Account(a.clone()),
                        target: Node::Channel(c),
                        at: Some(ts),
                        item: Some(key.clone()),
                        raw: None,
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        out.push(Record::Item(item));
        out.extend(channel_mentions);
        Ok(())
    }

    fn room(
        &mut self,
        v: &Value,
        raw: &str,
        u_raw: Option<&str>,
        default_kind: ChannelKind,
        out: &mut Vec<Record>,
    ) -> Result<(), Bad> {
        let id = v
            .get("_id")
            .and_then(json_id)
            .ok_or_else(|| bad("_id", "missing room id"))?;
        let kind = match v.get("t").and_then(Value::as_str) {
            Some("c") => ChannelKind::Channel,
            Some("p") => ChannelKind::Group,
            Some("d" | "l" | "v") => ChannelKind::Room,
            _ => default_kind,
        };
        let mut c = Channel::new(Key::new(P, id), kind, Raw::new(NAME, raw));
        let name = v.get("name").and_then(json_str);
        c.name = v.get("fname").and_then(json_str).or_else(|| name.clone());
        c.handle = name;
        c.description = v
            .get("description")
            .and_then(json_str)
            .or_else(|| v.get("topic").and_then(json_str));
        c.member_count = v.get("usersCount").and_then(json_i64);
        c.created_at = v.get("ts").and_then(rc_time);
        if let Some((key, account)) = self.user_ref(v.get("u"), u_raw) {
            c.owner = Some(key);
            if let Some(a) = account {
                out.push(Record::Account(a));
            }
        }
        out.push(Record::Channel(c));
        Ok(())
    }

    /// A `subscriptions.get` entry: user `u` is a member of room `rid` since `ts`.
    fn subscription(
        &mut self,
        v: &Value,
        raw: &str,
        u_raw: Option<&str>,
        out: &mut Vec<Record>,
    ) -> Result<(), Bad> {
        let rid = v
            .get("rid")
            .and_then(json_id)
            .ok_or_else(|| bad("rid", "missing room id"))?;
        let Some((who, account)) = self.user_ref(v.get("u"), u_raw) else {
            return Err(bad("u._id", "subscription without a user"));
        };
        if let Some(a) = account {
            out.push(Record::Account(a));
        }
        out.push(Record::Interaction(Interaction {
            kind: InteractionKind::MemberOf,
            source: Node::Account(who),
            target: Node::Channel(Key::new(P, rid)),
            at: v.get("ts").and_then(rc_time),
            item: None,
            raw: Some(Raw::new(NAME, raw)),
        }));
        Ok(())
    }

    fn user(&mut self, v: &Value, raw: &str, out: &mut Vec<Record>) -> Result<(), Bad> {
        let id = v
            .get("_id")
            .and_then(json_id)
            .ok_or_else(|| bad("_id", "missing user id"))?;
        self.seen.insert(id.clone());
        if !self.full.insert(id.clone()) {
            return Ok(());
        }
        let mut a = Account::new(Key::new(P, id), Raw::new(NAME, raw));
        a.handle = v.get("username").and_then(json_str);
        a.display_name = v.get("name").and_then(json_str);
        a.bio = v.get("bio").and_then(json_str);
        a.created_at = v.get("createdAt").and_then(rc_time);
        if let Some(active) = v.get("active").and_then(Value::as_bool) {
            a.status = Some(StatusObservation {
                status: if active {
                    AccountStatus::Active
                } else {
                    AccountStatus::Suspended
                },
                at: None,
                source: format!("{NAME}: active={active}"),
            });
        }
        out.push(Record::Account(a));
        Ok(())
    }
}

/// A Rocket.Chat time: an ISO string, Mongo extended JSON (`{"$date": millis}`,
/// `{"$date": "ISO"}`, `{"$date": {"$numberLong": "millis"}}`) or a number (milliseconds
/// when it is that large, else seconds).
pub fn rc_time(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::String(s) => parse_time(s),
        Value::Number(n) => {
            let n = n.as_i64()?;
            if n.abs() >= 100_000_000_000 {
                Utc.timestamp_millis_opt(n).single()
            } else {
                unix_seconds(n)
            }
        }
        Value::Object(o) => match o.get("$date")? {
            Value::Number(n) => Utc.timestamp_millis_opt(n.as_i64()?).single(),
            Value::String(s) => parse_time(s),
            Value::Object(l) => {
                let ms: i64 = l.get("$numberLong")?.as_str()?.trim().parse().ok()?;
                Utc.timestamp_millis_opt(ms).single()
            }
            _ => None,
        },
        _ => None,
    }
}

/// The `msg` query parameter of a Rocket.Chat message permalink.
fn msg_param(link: &str) -> Option<String> {
    let query = link.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "msg")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The id of the message a `message_pinned` system message refers to.
fn pinned_id(v: &Value) -> Option<String> {
    v.get("attachments")?
        .as_array()?
        .iter()
        .filter_map(|a| a.get("message_link").and_then(Value::as_str))
        .find_map(msg_param)
}

/// What a message's attachments contribute.
#[derive(Default)]
struct Attached {
    media: Vec<MediaRef>,
    quote: Option<String>,
    links: Vec<String>,
    texts: Vec<String>,
}

fn json_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn json_u32(v: &Value) -> Option<u32> {
    json_u64(v).and_then(|n| u32::try_from(n).ok())
}

fn attachments(v: &Value) -> Attached {
    let mut out = Attached::default();
    let Some(list) = v.get("attachments").and_then(Value::as_array) else {
        return out;
    };
    for a in list {
        let s = |k: &str| a.get(k).and_then(json_str);
        if let Some(link) = s("message_link") {
            if out.quote.is_none() {
                out.quote = msg_param(&link);
            }
            continue;
        }
        if let Some(text) = s("description").or_else(|| s("text")) {
            out.texts.push(text);
        }
        let before = out.media.len();
        for (url_key, kind, mime_key, size_key) in [
            ("image_url", MediaKind::Photo, "image_type", "image_size"),
            ("video_url", MediaKind::Video, "video_type", "video_size"),
            ("audio_url", MediaKind::Audio, "audio_type", "audio_size"),
        ] {
            if let Some(url) = s(url_key) {
                let mut m = MediaRef::new(kind);
                m.url = Some(url);
                m.mime = s(mime_key);
                m.size = a.get(size_key).and_then(json_u64);
                if kind == MediaKind::Photo {
                    if let Some(d) = a.get("image_dimensions") {
                        m.width = d.get("width").and_then(json_u32);
                        m.height = d.get("height").and_then(json_u32);
                    }
                }
                out.media.push(m);
            }
        }
        if out.media.len() > before {
            continue;
        }
        if let Some(link) = s("title_link") {
            let is_upload = a.get("type").and_then(Value::as_str) == Some("file")
                || link.starts_with("/file-upload/");
            if is_upload {
                let mut m = MediaRef::new(MediaKind::File);
                m.url = Some(link);
                out.media.push(m);
            } else if link.starts_with("http://") || link.starts_with("https://") {
                out.links.push(link);
            }
        }
    }
    out
}

fn kind_of_mime(mime: Option<&str>) -> MediaKind {
    match mime {
        Some("image/gif") => MediaKind::AnimatedGif,
        Some(m) if m.starts_with("image/") => MediaKind::Photo,
        Some(m) if m.starts_with("video/") => MediaKind::Video,
        Some(m) if m.starts_with("audio/") => MediaKind::Audio,
        _ => MediaKind::File,
    }
}

/// Uploaded files (`files[]`, or the older single `file`): they add their id, type and size
/// to the attachment that shows them; when no attachment gave media (an export without
/// attachments) each file becomes a media reference of its own.
fn add_files(v: &Value, media: &mut Vec<MediaRef>) {
    let files: Vec<&Value> = match (v.get("files"), v.get("file")) {
        (Some(Value::Array(f)), _) if !f.is_empty() => f.iter().collect(),
        (_, Some(f @ Value::Object(_))) => vec![f],
        _ => return,
    };
    let from_attachments = !media.is_empty();
    for f in files {
        let id = f.get("_id").and_then(json_id);
        let mime = f.get("type").and_then(json_str);
        let size = f.get("size").and_then(json_u64);
        if from_attachments {
            let Some(id) = &id else { continue };
            let needle = format!("/file-upload/{id}/");
            if let Some(m) = media
                .iter_mut()
                .find(|m| m.url.as_deref().is_some_and(|u| u.contains(&needle)))
            {
                m.platform_id = Some(id.clone());
                m.mime = m.mime.take().or(mime);
                m.size = m.size.or(size);
            }
        } else {
            let mut m = MediaRef::new(kind_of_mime(mime.as_deref()));
            m.platform_id = id;
            m.mime = mime;
            m.size = size;
            media.push(m);
        }
    }
}

/// `mentions[]` without the room-wide `@all` / `@here` and without teams.
fn mentions(v: &Value) -> Vec<Mention> {
    let Some(list) = v.get("mentions").and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut out: Vec<Mention> = Vec::new();
    for m in list {
        let id = m.get("_id").and_then(json_id);
        let username = m.get("username").and_then(json_str);
        if matches!(id.as_deref(), Some("all" | "here"))
            || matches!(username.as_deref(), Some("all" | "here"))
            || m.get("type").and_then(Value::as_str) == Some("team")
        {
            continue;
        }
        let Some(handle) = username.or_else(|| m.get("name").and_then(json_str)) else {
            continue;
        };
        let mention = Mention {
            handle: handle.trim_start_matches('@').to_string(),
            account: id.map(|i| Key::new(P, i)),
        };
        if !out.contains(&mention) {
            out.push(mention);
        }
    }
    out
}

/// The rooms named in `channels[]` (`#room` mentions).
fn channel_mentions(v: &Value) -> Vec<Key> {
    let Some(list) = v.get("channels").and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut out: Vec<Key> = Vec::new();
    for c in list {
        let key = match (
            c.get("_id").and_then(json_id),
            c.get("name").and_then(json_str),
        ) {
            (Some(id), _) => Key::new(P, id),
            (None, Some(name)) => Key::handle(P, &name),
            _ => continue,
        };
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{read_bytes, read_file, VecSink};

    fn fixture(name: &str) -> VecSink {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rocketchat")
            .join(name);
        let (sink, res) = read_file(Format::Rocketchat, &path);
        res.unwrap();
        sink
    }

    fn key(id: &str) -> Key {
        Key::new(P, id)
    }

    fn item<'a>(sink: &'a VecSink, id: &str) -> &'a Item {
        sink.items().find(|i| i.key.id == id).unwrap()
    }

    fn time(s: &str) -> Option<DateTime<Utc>> {
        Some(parse_time(s).unwrap())
    }

    #[test]
    fn message_fields_are_mapped() {
        let sink = fixture("history.json");
        let m = item(&sink, "Msg1ArabicText0001");
        assert_eq!(m.kind, ItemKind::Message);
        assert_eq!(m.author, Some(key("UserSara000000001")));
        assert_eq!(m.channel, Some(key("RoomNewsAr00000001")));
        assert_eq!(m.created_at, time("2024-03-01T10:00:00Z"));
        assert_eq!(m.edited_at, time("2024-03-01T10:05:00Z"));
        assert!(m.text.starts_with("بيان جديد للمتابعة"));
        assert_eq!(m.hashtags, vec!["أخبار_اليوم", "general"]);
        assert_eq!(
            m.mentions,
            vec![Mention {
                handle: "ahmad.k".into(),
                account: Some(key("UserAhmad00000001")),
            }]
        );
        assert_eq!(m.links, vec!["https://news.example.org/a/1"]);
        assert_eq!(m.metrics.get("reactions"), Some(&3));
        assert_eq!(m.metrics.get("replies"), Some(&2));
        assert_eq!(m.reply_to, None);
        assert_eq!(m.raw.source, "rocketchat");
        assert!(m
            .raw
            .data
            .starts_with("{\n      \"_id\": \"Msg1ArabicText0001\""));

        // Thread reply with a Mongo `$date` time.
        let r = item(&sink, "Msg2ThreadReply01");
        assert_eq!(r.reply_to, Some(key("Msg1ArabicText0001")));
        assert_eq!(r.created_at, time("2024-03-01T10:01:00Z"));
        assert_eq!(r.text, "شكراً على المشاركة");

        // Quote through a `message_link` attachment; links from the text without `urls`.
        let q = item(&sink, "Msg5QuoteOfMsg1a");
        assert_eq!(q.quote_of, Some(key("Msg1ArabicText0001")));
        assert_eq!(
            q.links,
            vec!["https://chat.example.org/channel/news-ar?msg=Msg1ArabicText0001"]
        );
        assert!(q.media.is_empty());

        // Accounts: one per distinct user, from `u`.
        let accounts: Vec<_> = sink.accounts().collect();
        assert_eq!(accounts.len(), 4);
        let sara = accounts
            .iter()
            .find(|a| a.key.id == "UserSara000000001")
            .unwrap();
        assert_eq!(sara.handle.as_deref(), Some("sara.m"));
        assert_eq!(sara.display_name.as_deref(), Some("سارة"));
        assert_eq!(
            sara.raw.data,
            r#"{ "_id": "UserSara000000001", "username": "sara.m", "name": "سارة" }"#
        );
        let omar = accounts
            .iter()
            .find(|a| a.key.id == "UserOmar000000001")
            .unwrap();
        assert_eq!(omar.display_name, None);
        assert_eq!(sink.count("channel"), 0, "messages invent no channels");
    }

    #[test]
    fn attachments_and_files_become_media() {
        let sink = fixture("history.json");
        let img = item(&sink, "Msg3ImageUpload01");
        assert_eq!(img.text, "صورة الملصق", "caption from the attachment");
        assert_eq!(
            img.media.len(),
            1,
            "the thumbnail file is not a second medium"
        );
        let m = &img.media[0];
        assert_eq!(m.kind, MediaKind::Photo);
        assert_eq!(
            m.url.as_deref(),
            Some("/file-upload/FileImg0000000001/poster.png")
        );
        assert_eq!(m.platform_id.as_deref(), Some("FileImg0000000001"));
        assert_eq!(m.mime.as_deref(), Some("image/png"));
        assert_eq!(
            (m.width, m.height, m.size),
            (Some(800), Some(600), Some(48213))
        );

        let pdf = item(&sink, "Msg4FileNoAttach1");
        assert_eq!(pdf.media.len(), 1);
        assert_eq!(pdf.media[0].kind, MediaKind::File);
        assert_eq!(
            pdf.media[0].platform_id.as_deref(),
            Some("FilePdf0000000001")
        );
        assert_eq!(pdf.media[0].mime.as_deref(), Some("application/pdf"));
        assert_eq!(pdf.media[0].size, Some(1024));
        assert_eq!(pdf.media[0].url, None);

        let bot = item(&sink, "Msg6WebhookBot01");
        assert_eq!(bot.text, "ملخص التقرير");
        assert_eq!(bot.links, vec!["https://video.example.net/watch/42"]);
        let kinds: Vec<_> = bot.media.iter().map(|m| m.kind).collect();
        assert_eq!(kinds, vec![MediaKind::Video, MediaKind::Audio]);
        assert_eq!(bot.media[0].mime.as_deref(), Some("video/mp4"));
        assert_eq!(bot.media[0].size, Some(2048000));
        assert_eq!(
            bot.media[1].url.as_deref(),
            Some("/file-upload/FileAud0000000001/voice.ogg")
        );
    }

    #[test]
    fn system_messages_become_edges_or_textless_items() {
        let sink = fixture("history.json");
        assert_eq!(sink.count("item"), 9);
        let edges: Vec<_> = sink.interactions().collect();
        assert_eq!(edges.len(), 6);
        let room = Node::Channel(key("RoomNewsAr00000001"));
        let find = |item: &str| *edges.iter().find(|e| e.item == Some(key(item))).unwrap();
        let uj = find("SysJoinOmar00001");
        assert_eq!(uj.kind, InteractionKind::MemberOf);
        assert_eq!(uj.source, Node::Account(key("UserOmar000000001")));
        assert_eq!(uj.target, room);
        assert_eq!(uj.at, time("2024-03-01T09:00:00Z"));
        assert!(uj.raw.as_ref().unwrap().data.contains("\"t\": \"uj\""));
        let au = find("SysAddLayla00001");
        assert_eq!(au.kind, InteractionKind::MemberOf);
        assert_eq!(au.source, Node::Account(Key::handle(P, "layla")));
        let ul = find("SysLeftAhmad0001");
        assert_eq!(ul.kind, InteractionKind::LeftChannel);
        assert_eq!(ul.source, Node::Account(key("UserAhmad00000001")));
        let ru = find("SysRemoveOmar001");
        assert_eq!(ru.kind, InteractionKind::LeftChannel);
        assert_eq!(ru.source, Node::Account(Key::handle(P, "omar")));
        let pin = find("SysPinned0000001");
        assert_eq!(pin.kind, InteractionKind::Pinned);
        assert_eq!(pin.source, Node::Account(key("UserSara000000001")));
        assert_eq!(pin.target, Node::Item(key("Msg1ArabicText0001")));
        let chan = find("Msg1ArabicText0001");
        assert_eq!(chan.kind, InteractionKind::Mention);
        assert_eq!(chan.target, Node::Channel(key("RoomGeneral0000001")));
        assert_eq!(chan.raw, None);

        let rm = item(&sink, "MsgRemoved0000001");
        assert_eq!(rm.text, "");
        assert_eq!(rm.edited_at, time("2024-03-01T10:08:00Z"));
        assert_eq!(rm.metrics.get("reactions"), Some(&0));

        // The hidden edit-history copy keeps the old text but no edges or metrics.
        let copy = item(&sink, "MsgHistoryCopy001");
        assert_eq!(copy.text, "نص قبل الحذف @ahmad.k");
        assert_eq!(copy.reply_to, None);
        assert!(copy.mentions.is_empty());
        assert!(copy.metrics.is_empty());
        assert!(copy.derived_interactions().is_empty());

        let live = item(&sink, "SysVideoConf0001");
        assert_eq!(live.kind, ItemKind::LiveStream);
        assert!(live.is_live);

        assert_eq!(sink.notices.len(), 1);
        let n = &sink.notices[0];
        assert_eq!(n.kind, NoticeKind::Skipped);
        assert_eq!(
            n.message,
            "skipped 3 system messages by type: message_pinned (pinned message not identified) ×1, r ×1, room_changed_topic ×1"
        );
    }

    #[test]
    fn bad_messages_are_rejected_with_position_and_field() {
        let sink = fixture("history.json");
        assert_eq!(sink.rejects.len(), 2);
        let r = &sink.rejects[0];
        assert_eq!(r.field.as_deref(), Some("_id"));
        assert_eq!(r.position.record, Some(18));
        assert_eq!(r.position.pointer.as_deref(), Some("messages[17]"));
        assert!(r.raw_excerpt.contains("رسالة بلا معرف"));
        let r = &sink.rejects[1];
        assert_eq!(r.field.as_deref(), Some("ts"));
        assert_eq!(r.position.pointer.as_deref(), Some("messages[18]"));
        assert!(r.to_string().contains("history.json, record 19"), "{r}");
        // The rejected message's author is not emitted.
        assert!(sink.accounts().all(|a| a.key.id != "UserLayla00000001"));
    }

    #[test]
    fn rooms_from_info_list_and_get() {
        let sink = fixture("rooms.json");
        let chans: Vec<_> = sink.channels().collect();
        assert_eq!(chans.len(), 5);
        let c = chans[0];
        assert_eq!(c.key, key("RoomNewsAr00000001"));
        assert_eq!(c.kind, ChannelKind::Channel);
        assert_eq!(c.name.as_deref(), Some("أخبار عربية"));
        assert_eq!(c.handle.as_deref(), Some("news-ar"));
        assert_eq!(c.description.as_deref(), Some("قناة لمتابعة الأخبار"));
        assert_eq!(c.member_count, Some(42));
        assert_eq!(c.owner, Some(key("UserSara000000001")));
        assert_eq!(c.created_at, time("2024-01-01T00:00:00Z"));
        let g = chans[1];
        assert_eq!(g.kind, ChannelKind::Group);
        assert_eq!(g.description.as_deref(), Some("نقاش داخلي"), "topic");
        let legacy = chans[2];
        assert_eq!(legacy.kind, ChannelKind::Group, "default kind of `groups`");
        assert_eq!(legacy.name.as_deref(), Some("legacy-group"));
        assert_eq!(legacy.created_at, None, "malformed optional time dropped");
        let dm = chans[3];
        assert_eq!(dm.kind, ChannelKind::Room);
        assert_eq!((dm.name.as_deref(), dm.member_count), (None, Some(2)));
        let live = chans[4];
        assert_eq!(live.kind, ChannelKind::Room);
        assert_eq!(live.owner, None);

        let owners: Vec<_> = sink.accounts().map(|a| a.key.id.as_str()).collect();
        assert_eq!(
            owners,
            vec![
                "UserSara000000001",
                "UserAhmad00000001",
                "UserOmar000000001"
            ]
        );
        let sub: Vec<_> = sink.interactions().collect();
        assert_eq!(sub.len(), 1);
        assert_eq!(sub[0].kind, InteractionKind::MemberOf);
        assert_eq!(sub[0].source, Node::Account(key("UserOmar000000001")));
        assert_eq!(sub[0].target, Node::Channel(key("RoomNewsAr00000001")));
        assert_eq!(sub[0].at, time("2024-03-01T09:00:00Z"));

        assert_eq!(sink.rejects.len(), 1);
        assert_eq!(sink.rejects[0].field.as_deref(), Some("_id"));
        assert_eq!(
            sink.rejects[0].position.pointer.as_deref(),
            Some("document 5: room")
        );
        let msgs: Vec<_> = sink
            .notices
            .iter()
            .map(|n| (n.kind, n.message.as_str()))
            .collect();
        assert_eq!(
            msgs,
            vec![
                (
                    NoticeKind::Skipped,
                    "API error response: User does not have the permissions required for this action [error-unauthorized]"
                ),
                (NoticeKind::Repaired, "2 repair(s): trailing commas dropped or invalid UTF-8 replaced by U+FFFD"),
            ]
        );
        assert_eq!(
            sink.notices[0].position.pointer.as_deref(),
            Some("document 6")
        );
    }

    #[test]
    fn users_and_members_one_response_per_line() {
        let sink = fixture("users.json");
        let accounts: Vec<_> = sink.accounts().collect();
        assert_eq!(accounts.len(), 3, "sara is emitted once");
        let sara = accounts[0];
        assert_eq!(sara.handle.as_deref(), Some("sara.m"));
        assert_eq!(sara.display_name.as_deref(), Some("سارة"));
        assert_eq!(sara.bio.as_deref(), Some("مهتمة بالإعلام"));
        assert_eq!(sara.created_at, time("2023-12-31T08:00:00Z"));
        assert_eq!(sara.observed_at, None);
        assert_eq!(sara.status.as_ref().unwrap().status, AccountStatus::Active);
        assert!(sara.raw.data.contains("statusText"));
        let ahmad = accounts[1];
        assert_eq!(ahmad.status, None);
        let omar = accounts[2];
        let st = omar.status.as_ref().unwrap();
        assert_eq!(st.status, AccountStatus::Suspended);
        assert_eq!(st.source, "rocketchat: active=false");
        assert_eq!(omar.created_at.unwrap().timestamp_millis(), 1704100000000);
        assert_eq!(sink.count("interaction"), 0, "members name no room");
        assert_eq!(sink.rejects.len(), 1);
        assert_eq!(
            sink.rejects[0].position.pointer.as_deref(),
            Some("document 3: users[1]")
        );
        assert_eq!(sink.notices.len(), 1);
        assert_eq!(sink.notices[0].message, "API error response: no error text");
    }

    #[test]
    fn truncated_file_keeps_good_records_and_names_the_line() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rocketchat/truncated.json");
        let (sink, res) = read_file(Format::Rocketchat, &path);
        let err = res.unwrap_err();
        assert_eq!(sink.count("item"), 2);
        assert_eq!(sink.count("account"), 2);
        let pos = err.position().unwrap();
        assert_eq!(pos.file, path);
        assert_eq!(pos.line, Some(5));
        assert!(err.to_string().contains("truncated.json:5"), "{err}");
    }

    #[test]
    fn empty_and_unknown_responses() {
        let (sink, res) = read_bytes(
            Format::Rocketchat,
            "x.json",
            br#"{"messages": [], "success": true} {"me": 1}"#,
        );
        res.unwrap();
        assert!(sink.records.is_empty());
        assert_eq!(sink.notices.len(), 2);
        assert!(sink.notices.iter().all(|n| n.kind == NoticeKind::Skipped));
        let (sink, res) = read_bytes(Format::Rocketchat, "x.json", br#"{"messages": [1]}"#);
        res.unwrap();
        assert_eq!(sink.rejects[0].reason, "expected a JSON object");
    }

    #[test]
    fn times_and_permalinks() {
        let t = |s: &str| rc_time(&serde_json::from_str(s).unwrap()).map(|t| t.timestamp_millis());
        assert_eq!(t(r#""2016-12-09T12:50:51.555Z""#), Some(1481287851555));
        assert_eq!(t(r#"{"$date": 1481287851555}"#), Some(1481287851555));
        assert_eq!(
            t(r#"{"$date": "2016-12-09T12:50:51.555Z"}"#),
            Some(1481287851555)
        );
        assert_eq!(
            t(r#"{"$date": {"$numberLong": "1481287851555"}}"#),
            Some(1481287851555)
        );
        assert_eq!(t("1481287851555"), Some(1481287851555));
        assert_eq!(t("1481287851"), Some(1481287851000));
        assert_eq!(t(r#"{"date": 1}"#), None);
        assert_eq!(t("true"), None);
        assert_eq!(
            msg_param("https://c.example/group/x?msg=AbC&x=1#y"),
            Some("AbC".into())
        );
        assert_eq!(msg_param("/direct/ab?x=1&msg=Q1"), Some("Q1".into()));
        assert_eq!(msg_param("https://c.example/group/x?msg="), None);
        assert_eq!(msg_param("https://c.example/group/x"), None);
    }
}
