//! `telegram-desktop`: Telegram Desktop's JSON export (`result.json`).
//!
//! Accepted inputs (see `docs/formats/telegram-desktop.md`):
//! - "Export chat history" of one chat: a root object with `name`, `type`, `id`, `messages`;
//! - "Export Telegram data" (the full account export): chats in `chats.list[*]` and
//!   `left_chats.list[*]`, each with `name`, `type`, `id`, `messages`; `personal_information`,
//!   `contacts`, `frequent_contacts`, `sessions`, ... are ignored;
//! - several such documents concatenated in one file.
//!
//! Messages are streamed one at a time ([`stream_json`]); a chat's `name`, `type` and `id`
//! are read from the values written before its `messages` array. The reader is wrapped in
//! [`TolerantJson`] (BOM, trailing commas).
//!
//! Mapping (platform `telegram`; field names are tdesktop's `export_output_json.cpp`):
//! - chat → [`Channel`] key in tdesktop's peer form (`channel<id>` for channels and
//!   supergroups, `chat<id>` for basic groups, `user<id>` for private chats, the form
//!   `from_id`/`forwarded_from_id` use), `name`; `type` `*_channel` → `channel`,
//!   `*group` / `*supergroup` → `group`, anything else (`personal_chat`, `bot_chat`,
//!   `saved_messages`, ...) → `room`. Emitted before the chat's first message; when that
//!   message is `create_group` / `create_channel`, its date is `created_at` and a `user…`
//!   actor the `owner`. An empty single-chat export yields its channel at document end.
//!   Raw: the chat's own values (`name`, `type`, `id`, in file order) as a JSON object.
//! - message → [`Item`] key `<chat peer>/<message id>` (e.g. `channel1500000001/2`: user,
//!   group and channel ids overlap as numbers), kind `post` in channels else
//!   `message`; `from_id` (`user…` / `channel…` / `chat…`; bare numbers of old exports are
//!   `user<n>`) → `author` (`name:<from>` when only `from` is given), one [`Account`]
//!   (`display_name` = `from`) per distinct id per file; `date_unixtime`, else `date`
//!   (tdesktop writes the exporting machine's local time there: read as UTC) → `created_at`;
//!   `edited_unixtime` / `edited` → `edited_at`; `text` (string, or array of strings and
//!   entity objects) → plain `text` (a poll's question and answers when the text is empty);
//!   `text_entities` (or the entity objects in `text`): `hashtag` → `hashtags`, `link` /
//!   `text_link.href` → `links`, `mention` → `mentions` (valid handles only), `mention_name`
//!   → mention with account `user<user_id>`; `inline_bot_buttons` of type `url` → `links`;
//!   `reply_to_message_id` (+ `reply_to_peer_id`) → `reply_to`; `forwarded_from_id` /
//!   `forwarded_from` (else `saved_from`) → `forwarded_from` (+ an Account when the id is
//!   known); `via_bot` → `via_bot` (without `@`); `photo`, `file` (+ `media_type`,
//!   `mime_type`, `duration_seconds`, `width`, `height`, `*_file_size`) → `media` with the
//!   path resolved against the export folder (the `thumbnail` too when the file itself is
//!   not included); `location_information` → `geo`; `place_name` / `address` → `place`;
//!   `reactions[*].count` (sum) → metrics `reactions`; `live_location_period_seconds` →
//!   metrics.
//! - service messages (`type: "service"`) by `action`: `create_group` members and
//!   `invite_members` members (display names → `name:` keys), the actor of
//!   `join_group_by_link` / `join_group_by_request` → `member_of` edges to the channel;
//!   `remove_members` members → `left_channel`; `pin_message` → `pinned` (actor → item
//!   `<chat id>/<message_id>`); `group_call`, `invite_to_group_call`, `group_call_scheduled`
//!   → an Item of kind `live_stream`, `is_live`, metrics `duration_seconds`. Edges carry
//!   `at`, `item` (the service message key) and `raw`. Other actions are skipped and
//!   counted in one `skipped` notice per file.
//! - A message id not greater than every earlier id of the same chat (duplicates, as in
//!   anonymised exports) gets the key `<chat id>/<id>~<8 hex of FNV-1a 64 of the message's
//!   compact JSON>`: identical duplicates share a key, different messages stay distinct;
//!   counted in one `repaired` notice per file.
//! - Media tdesktop did not export (`(File not included. …)`, `(File exceeds maximum size.
//!   …)`) are kept without `path` and counted in one `missing_media` notice per file.
//!
//! Rejected: an element that is not an object, a message without an integer `id`, without
//! a usable date, or in a chat whose `id` did not come before its `messages`.

use crate::util::{
    json_i64, json_id, json_str, json_time, reject, stream_json, ContextEntry, DocumentEnd,
    Element, TolerantJson,
};
use crate::{Format, Input, Notice, NoticeKind, Position, Sink, Source, SourceError, Stop};
use chrono::{DateTime, Utc};
use marsad_model::{
    Account, Channel, ChannelKind, GeoPoint, Interaction, InteractionKind, Item, ItemKind, Key,
    MediaKind, MediaRef, Mention, Node, Place, Platform, Raw, Record,
};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

const NAME: &str = "telegram-desktop";
const PLATFORM: Platform = Platform::Telegram;

/// The arrays of messages in a single-chat export and in a full account export.
const PATHS: &[&[&str]] = &[
    &["messages"],
    &["chats", "list", "*", "messages"],
    &["left_chats", "list", "*", "messages"],
];

type Object = Map<String, Value>;

/// Importer for Telegram Desktop JSON exports (one chat or the whole account).
#[derive(Debug, Clone, Copy, Default)]
pub struct TelegramDesktop;

impl Source for TelegramDesktop {
    fn format(&self) -> Format {
        Format::TelegramDesktop
    }

    fn read(&self, input: Input<'_>, sink: &mut dyn Sink) -> Result<(), SourceError> {
        let file = input.path.to_path_buf();
        let reader = TolerantJson::new(input.reader);
        let repairs = reader.repairs();
        let state = RefCell::new(Reader::new(sink, file.clone()));
        let res = stream_json(
            reader,
            &file,
            PATHS,
            &mut |el| state.borrow_mut().element(el),
            &mut |doc| state.borrow_mut().document_end(doc),
        );
        state.into_inner().finish(repairs.load(Ordering::Relaxed));
        res
    }
}

/// The chat whose messages are being read.
struct Chat {
    doc: u64,
    /// Pointer of the chat object (`""`, `chats.list[3]`).
    object: String,
    kind: ChannelKind,
    /// Messages (good or bad) seen so far in this chat.
    seen: u64,
    /// The greatest message id given a plain key so far.
    max_id: Option<i64>,
    /// The chat's own peer key (`channel<id>`, `chat<id>`, `user<id>`).
    peer: Option<String>,
}

/// Per-file state: small, whatever the file size.
struct Reader<'s> {
    sink: &'s mut dyn Sink,
    file: PathBuf,
    chat: Option<Chat>,
    channels: HashSet<String>,
    accounts: HashSet<String>,
    missing_media: u64,
    renamed: u64,
    skipped: BTreeMap<String, u64>,
}

impl<'s> Reader<'s> {
    fn new(sink: &'s mut dyn Sink, file: PathBuf) -> Self {
        Reader {
            sink,
            file,
            chat: None,
            channels: HashSet::new(),
            accounts: HashSet::new(),
            missing_media: 0,
            renamed: 0,
            skipped: BTreeMap::new(),
        }
    }

    fn element(&mut self, el: Element<'_>) -> Result<(), Stop> {
        let raw = el.raw.get();
        let (parsed, why) = match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(m)) => (Some(m), String::new()),
            Ok(_) => (None, "expected a message object".to_string()),
            Err(e) => {
                let msg = e.to_string();
                let msg = msg.rfind(" at line ").map_or(msg.as_str(), |i| &msg[..i]);
                (None, format!("unreadable message: {msg}"))
            }
        };
        self.enter_chat(&el, parsed.as_ref())?;
        let position = el.position(&self.file);
        let Some(msg) = parsed else {
            return self.sink.reject(reject(NAME, position, None, why, raw));
        };
        let Some((chat_peer, kind)) = self
            .chat
            .as_ref()
            .and_then(|c| Some((c.peer.clone()?, c.kind)))
        else {
            return self.sink.reject(reject(
                NAME,
                position,
                Some("chat.id"),
                format!(
                    "the chat at `{}` has no usable `id` before its `messages`",
                    if el.object.is_empty() {
                        "(root)"
                    } else {
                        &el.object
                    }
                ),
                raw,
            ));
        };
        let id = match msg.get("id").and_then(json_id) {
            None => {
                return self.sink.reject(reject(
                    NAME,
                    position,
                    Some("id"),
                    "missing message id",
                    raw,
                ))
            }
            Some(s) => match s.parse::<i64>() {
                Ok(n) => n,
                Err(_) => {
                    return self.sink.reject(reject(
                        NAME,
                        position,
                        Some("id"),
                        format!("message id {s:?} is not an integer"),
                        raw,
                    ))
                }
            },
        };
        let Some(created) = time_of(&msg, "date_unixtime", "date") else {
            let reason = if msg.contains_key("date") || msg.contains_key("date_unixtime") {
                "unusable date: neither `date_unixtime` nor `date` is a valid time"
            } else {
                "missing date"
            };
            return self
                .sink
                .reject(reject(NAME, position, Some("date"), reason, raw));
        };
        let key = Key::new(PLATFORM, self.message_key(&chat_peer, id, &msg, raw));
        let chat = Key::new(PLATFORM, chat_peer);
        let ctx = Ctx {
            msg: &msg,
            raw,
            key,
            chat,
            kind,
            created,
        };
        if msg.get("type").and_then(Value::as_str) == Some("service") {
            self.service(&ctx)
        } else {
            self.message(&ctx)
        }
    }

    /// Starts a new chat when `el` belongs to another chat object than the previous
    /// element, emitting its Channel once per file.
    fn enter_chat(&mut self, el: &Element<'_>, first: Option<&Object>) -> Result<(), Stop> {
        if let Some(c) = &mut self.chat {
            if c.doc == el.doc && c.object == el.object {
                c.seen += 1;
                return Ok(());
            }
        }
        let id = el.sibling("id").and_then(json_id);
        let kind = channel_kind(el.sibling("type").and_then(Value::as_str));
        let peer = id
            .as_deref()
            .map(|id| peer_form(id, el.sibling("type").and_then(Value::as_str)));
        self.chat = Some(Chat {
            doc: el.doc,
            object: el.object.clone(),
            kind,
            seen: 1,
            max_id: None,
            peer,
        });
        let Some(id) = id else { return Ok(()) };
        if !self.channels.insert(id.clone()) {
            return Ok(());
        }
        let values: Vec<&ContextEntry> = el
            .context
            .iter()
            .filter(|e| e.object == el.object)
            .collect();
        let mut channel = channel_record(&id, &values);
        if let Some(m) = first.filter(|m| is_creation(m)) {
            channel.created_at = time_of(m, "date_unixtime", "date");
            channel.owner = m
                .get("actor_id")
                .and_then(peer_id)
                .filter(|a| a.starts_with("user"))
                .map(|a| Key::new(PLATFORM, a));
        }
        self.sink.record(Record::Channel(channel))
    }

    /// `<chat>/<id>`, or a synthetic key when the id is not greater than every earlier one.
    fn message_key(&mut self, peer: &str, id: i64, msg: &Object, raw: &str) -> String {
        let Some(chat) = self.chat.as_mut() else {
            return format!("{peer}/{id}");
        };
        match chat.max_id {
            Some(max) if id <= max => {
                self.renamed += 1;
                let canonical = serde_json::to_string(msg).unwrap_or_else(|_| raw.to_string());
                let hash = fnv1a64(canonical.as_bytes());
                format!("{peer}/{id}~{:08x}", hash >> 32)
            }
            _ => {
                chat.max_id = Some(id);
                format!("{peer}/{id}")
            }
        }
    }

    fn message(&mut self, c: &Ctx<'_>) -> Result<(), Stop> {
        let m = c.msg;
        let kind = if c.kind == ChannelKind::Channel {
            ItemKind::Post
        } else {
            ItemKind::Message
        };
        let mut it = Item::new(c.key.clone(), kind, Raw::new(NAME, c.raw));
        it.channel = Some(c.chat.clone());
        it.created_at = Some(c.created);
        it.edited_at = time_of(m, "edited_unixtime", "edited");
        it.author = self.peer(m, "from_id", "from")?;
        it.text = flatten(m.get("text"));
        if it.text.is_empty() {
            if let Some(poll) = m.get("poll").and_then(Value::as_object) {
                it.text = poll_text(poll);
            }
        }
        entities(m, &mut it);
        it.reply_to = reply_key(m, &c.chat);
        it.forwarded_from = self.forward_source(m)?;
        it.via_bot = m
            .get("via_bot")
            .and_then(json_str)
            .map(|b| b.trim_start_matches('@').to_string())
            .filter(|b| !b.is_empty());
        it.media = self.media(m);
        if let Some(loc) = m.get("location_information").and_then(Value::as_object) {
            it.geo = match (
                loc.get("latitude").and_then(Value::as_f64),
                loc.get("longitude").and_then(Value::as_f64),
            ) {
                (Some(lat), Some(lon)) => GeoPoint::new(lat, lon),
                _ => None,
            };
        }
        let place_name = m.get("place_name").and_then(json_str);
        let address = m.get("address").and_then(json_str);
        if place_name.is_some() || address.is_some() {
            it.place = Some(Place {
                name: place_name,
                full_name: address,
                ..Place::default()
            });
        }
        if let Some(rs) = m.get("reactions").and_then(Value::as_array) {
            let total: i64 = rs
                .iter()
                .filter_map(|r| r.get("count").and_then(json_i64))
                .sum();
            if !rs.is_empty() {
                it.metrics.insert("reactions".into(), total);
            }
        }
        if let Some(p) = m.get("live_location_period_seconds").and_then(json_i64) {
            it.metrics.insert("live_location_period_seconds".into(), p);
        }
        self.sink.record(Record::Item(it))
    }

    fn service(&mut self, c: &Ctx<'_>) -> Result<(), Stop> {
        let action = c
            .msg
            .get("action")
            .and_then(Value::as_str)
            .filter(|a| !a.is_empty())
            .unwrap_or("(none)");
        let first = self.chat.as_ref().is_some_and(|ch| ch.seen == 1);
        let mapped = match action {
            "create_group" => {
                let members = self.members(c, InteractionKind::MemberOf)?;
                self.peer(c.msg, "actor_id", "actor")?;
                members || first
            }
            "create_channel" => {
                if first {
                    self.peer(c.msg, "actor_id", "actor")?;
                }
                first
            }
            "invite_members" => self.members(c, InteractionKind::MemberOf)?,
            "remove_members" => self.members(c, InteractionKind::LeftChannel)?,
            "join_group_by_link" | "join_group_by_request" => {
                match self.peer(c.msg, "actor_id", "actor")? {
                    Some(actor) => {
                        let target = Node::Channel(c.chat.clone());
                        self.edge(c, InteractionKind::MemberOf, Node::Account(actor), target)?;
                        true
                    }
                    None => false,
                }
            }
            "pin_message" => {
                let pinned = c.msg.get("message_id").and_then(json_i64);
                match pinned {
                    Some(pinned) => match self.peer(c.msg, "actor_id", "actor")? {
                        Some(actor) => {
                            let target =
                                Node::Item(Key::new(PLATFORM, format!("{}/{pinned}", c.chat.id)));
                            self.edge(c, InteractionKind::Pinned, Node::Account(actor), target)?;
                            true
                        }
                        None => false,
                    },
                    None => false,
                }
            }
            "group_call" | "invite_to_group_call" | "group_call_scheduled" => {
                let mut it = Item::new(c.key.clone(), ItemKind::LiveStream, Raw::new(NAME, c.raw));
                it.author = self.peer(c.msg, "actor_id", "actor")?;
                it.channel = Some(c.chat.clone());
                it.created_at = Some(c.created);
                it.text = flatten(c.msg.get("text"));
                it.is_live = true;
                if let Some(d) = c.msg.get("duration_seconds").and_then(json_i64) {
                    it.metrics.insert("duration_seconds".into(), d);
                }
                self.sink.record(Record::Item(it))?;
                true
            }
            _ => false,
        };
        if !mapped {
            *self.skipped.entry(action.to_string()).or_insert(0) += 1;
        }
        Ok(())
    }

    /// One edge per name in `members`, from `name:<member>` to the chat. False when none.
    fn members(&mut self, c: &Ctx<'_>, kind: InteractionKind) -> Result<bool, Stop> {
        let names: Vec<String> = c
            .msg
            .get("members")
            .and_then(Value::as_array)
            .map(|ms| ms.iter().filter_map(json_str).collect())
            .unwrap_or_default();
        for name in &names {
            let source = Node::Account(Key::name(PLATFORM, name));
            self.edge(c, kind, source, Node::Channel(c.chat.clone()))?;
        }
        Ok(!names.is_empty())
    }

    fn edge(
        &mut self,
        c: &Ctx<'_>,
        kind: InteractionKind,
        source: Node,
        target: Node,
    ) -> Result<(), Stop> {
        self.sink.record(Record::Interaction(Interaction {
            kind,
            source,
            target,
            at: Some(c.created),
            item: Some(c.key.clone()),
            raw: Some(Raw::new(NAME, c.raw)),
        }))
    }

    /// The peer named by `id_field` (emitting its Account once) or, without an id, by the
    /// display name in `name_field` (`name:` key, no Account).
    fn peer(&mut self, m: &Object, id_field: &str, name_field: &str) -> Result<Option<Key>, Stop> {
        let name = m.get(name_field).and_then(json_str);
        match m.get(id_field).and_then(peer_id) {
            Some(id) => {
                self.account(&id, name.as_deref())?;
                Ok(Some(Key::new(PLATFORM, id)))
            }
            None => Ok(name.map(|n| Key::name(PLATFORM, &n))),
        }
    }

    fn forward_source(&mut self, m: &Object) -> Result<Option<Key>, Stop> {
        if m.contains_key("forwarded_from") || m.contains_key("forwarded_from_id") {
            return self.peer(m, "forwarded_from_id", "forwarded_from");
        }
        self.peer(m, "saved_from_id", "saved_from")
    }

    fn account(&mut self, id: &str, name: Option<&str>) -> Result<(), Stop> {
        if !self.accounts.insert(id.to_string()) {
            return Ok(());
        }
        // The raw record is what the export says about the account (its id and name), not
        // the message it first appears in, so another export of it is the same observation.
        let mut obj = serde_json::Map::new();
        obj.insert("from_id".into(), Value::from(id));
        if let Some(n) = name {
            obj.insert("from".into(), Value::from(n));
        }
        let mut a = Account::new(
            Key::new(PLATFORM, id),
            Raw::new(NAME, Value::Object(obj).to_string()),
        );
        a.display_name = name.map(str::to_string);
        self.sink.record(Record::Account(a))
    }

    fn media(&mut self, m: &Object) -> Vec<MediaRef> {
        let mut out = Vec::new();
        let dim = |k: &str| {
            m.get(k)
                .and_then(json_i64)
                .and_then(|n| u32::try_from(n).ok())
        };
        let size = |k: &str| {
            m.get(k)
                .and_then(json_i64)
                .and_then(|n| u64::try_from(n).ok())
        };
        if let Some(p) = m.get("photo") {
            let mut r = MediaRef::new(MediaKind::Photo);
            self.set_path(&mut r, p, true);
            r.width = dim("width");
            r.height = dim("height");
            r.size = size("photo_file_size");
            out.push(r);
        }
        if let Some(f) = m.get("file") {
            let kind = match m.get("media_type").and_then(Value::as_str) {
                Some("sticker") => MediaKind::Sticker,
                Some("video_file" | "video_message") => MediaKind::Video,
                Some("voice_message") => MediaKind::Voice,
                Some("audio_file") => MediaKind::Audio,
                Some("animation") => MediaKind::AnimatedGif,
                _ => MediaKind::File,
            };
            let mut r = MediaRef::new(kind);
            let included = self.set_path(&mut r, f, true);
            r.mime = m.get("mime_type").and_then(json_str);
            r.width = dim("width");
            r.height = dim("height");
            r.duration_secs = m.get("duration_seconds").and_then(Value::as_f64);
            r.size = size("file_size");
            out.push(r);
            if !included {
                if let Some(t) = m.get("thumbnail") {
                    let mut thumb = MediaRef::new(MediaKind::Photo);
                    if self.set_path(&mut thumb, t, false) {
                        thumb.size = size("thumbnail_file_size");
                        out.push(thumb);
                    }
                }
            }
        }
        out
    }

    /// Sets `r.path` from an export-relative path; false (and, if `count`, one more
    /// missing file) when tdesktop wrote a "(File not included. …)" marker instead.
    fn set_path(&mut self, r: &mut MediaRef, v: &Value, count: bool) -> bool {
        match v.as_str().map(str::trim) {
            Some(p) if !is_not_exported(p) => {
                // Kept as written (relative to the export folder): the importer resolves it
                // against the input's folder, so the record does not depend on where the
                // export was read from.
                r.path = Some(p.to_string());
                true
            }
            _ => {
                if count {
                    self.missing_media += 1;
                }
                false
            }
        }
    }

    /// At the end of a document: Channels of chats that had no messages, and a notice when
    /// the document held no chat at all.
    fn document_end(&mut self, doc: DocumentEnd) -> Result<(), Stop> {
        self.chat = None;
        let mut objects: Vec<&str> = Vec::new();
        for e in &doc.values {
            if e.key == "id" && is_chat_object(&e.object) && !objects.contains(&e.object.as_str()) {
                objects.push(&e.object);
            }
        }
        let mut found = false;
        for object in objects {
            let values: Vec<&ContextEntry> =
                doc.values.iter().filter(|e| e.object == object).collect();
            let Some(id) = values
                .iter()
                .rev()
                .find(|e| e.key == "id")
                .and_then(|e| json_id(&e.value))
            else {
                continue;
            };
            found = true;
            if self.channels.insert(id.clone()) {
                self.sink
                    .record(Record::Channel(channel_record(&id, &values)))?;
            }
        }
        if !doc.matched && !found {
            self.sink.notice(Notice {
                kind: NoticeKind::Skipped,
                position: Position {
                    pointer: Some(format!("document {}", doc.doc)),
                    ..Position::file(&self.file)
                },
                message: "no Telegram chat in this document (expected `messages`, \
                          `chats.list[*].messages` or `left_chats.list[*].messages`)"
                    .to_string(),
            });
        }
        Ok(())
    }

    /// The per-file notices.
    fn finish(self, trailing_commas: u64) {
        let file = self.file;
        let mut notices = Vec::new();
        if trailing_commas > 0 {
            notices.push((
                NoticeKind::Repaired,
                format!("{trailing_commas} repair(s): trailing commas dropped or invalid UTF-8 replaced by U+FFFD"),
            ));
        }
        if self.renamed > 0 {
            notices.push((
                NoticeKind::Repaired,
                format!(
                    "{} message(s) had an id not greater than an earlier message of the same \
                     chat (duplicate or out of order); keyed `<chat>/<id>~<hash>`",
                    self.renamed
                ),
            ));
        }
        if self.missing_media > 0 {
            notices.push((
                NoticeKind::MissingMedia,
                format!(
                    "{} media file(s) not included in the export (kept without a path)",
                    self.missing_media
                ),
            ));
        }
        if !self.skipped.is_empty() {
            let list: Vec<String> = self
                .skipped
                .iter()
                .map(|(a, n)| format!("{a}: {n}"))
                .collect();
            notices.push((
                NoticeKind::Skipped,
                format!("service messages skipped by action: {}", list.join(", ")),
            ));
        }
        tracing::debug!(
            file = %file.display(),
            channels = self.channels.len(),
            accounts = self.accounts.len(),
            duplicate_ids = self.renamed,
            missing_media = self.missing_media,
            "telegram-desktop file read"
        );
        for (kind, message) in notices {
            self.sink.notice(Notice {
                kind,
                position: Position::file(&file),
                message,
            });
        }
    }
}

/// What every handler of one message needs.
struct Ctx<'a> {
    msg: &'a Object,
    raw: &'a str,
    key: Key,
    chat: Key,
    kind: ChannelKind,
    created: DateTime<Utc>,
}

fn channel_kind(t: Option<&str>) -> ChannelKind {
    match t {
        Some(t) if t.ends_with("channel") => ChannelKind::Channel,
        Some(t) if t.ends_with("group") => ChannelKind::Group,
        _ => ChannelKind::Room,
    }
}

/// A Channel from a chat's own values (`name`, `type`, `id`).
fn channel_record(id: &str, values: &[&ContextEntry]) -> Channel {
    let get = |k: &str| values.iter().rev().find(|e| e.key == k).map(|e| &e.value);
    let kind = channel_kind(get("type").and_then(Value::as_str));
    let mut raw = String::from("{");
    for (i, e) in values.iter().enumerate() {
        if i > 0 {
            raw.push(',');
        }
        raw.push_str(&Value::String(e.key.clone()).to_string());
        raw.push(':');
        raw.push_str(&e.value.to_string());
    }
    raw.push('}');
    let peer = peer_form(id, get("type").and_then(Value::as_str));
    let mut ch = Channel::new(Key::new(PLATFORM, peer), kind, Raw::new(NAME, raw));
    ch.name = get("name").and_then(json_str);
    ch
}

/// A chat's key in tdesktop's peer form, the form `from_id` and `forwarded_from_id` use, so
/// that a channel, its own posts' author and forwards from it share one key: channels and
/// supergroups are `channel<id>`, basic groups `chat<id>`, private chats `user<id>`.
fn peer_form(id: &str, chat_type: Option<&str>) -> String {
    if id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return id.to_string();
    }
    match chat_type {
        Some(t) if t.ends_with("channel") || t.ends_with("supergroup") => format!("channel{id}"),
        Some("private_group" | "group") => format!("chat{id}"),
        Some("personal_chat" | "bot_chat" | "saved_messages") => format!("user{id}"),
        _ => format!("chat{id}"),
    }
}

/// `""` (a single-chat export) or `chats.list[N]` / `left_chats.list[N]`.
fn is_chat_object(object: &str) -> bool {
    if object.is_empty() {
        return true;
    }
    ["chats.list[", "left_chats.list["].iter().any(|p| {
        object
            .strip_prefix(p)
            .and_then(|rest| rest.strip_suffix(']'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// True for an empty path or a tdesktop marker such as "(File not included. …)",
/// "(File exceeds maximum size. …)" or "(File unavailable, …)".
fn is_not_exported(path: &str) -> bool {
    path.is_empty() || (path.starts_with('(') && path.ends_with(')'))
}

fn is_creation(m: &Object) -> bool {
    m.get("type").and_then(Value::as_str) == Some("service")
        && matches!(
            m.get("action").and_then(Value::as_str),
            Some("create_group" | "create_channel")
        )
}

/// A peer id as tdesktop writes it (`user123`, `channel123`, `chat123`); old exports wrote
/// bare user ids as numbers.
fn peer_id(v: &Value) -> Option<String> {
    match v {
        Value::Number(_) => json_id(v).map(|n| format!("user{n}")),
        _ => json_str(v),
    }
}

/// `unix` (a string or number of unix seconds; `0` is unknown), else `local`.
fn time_of(m: &Object, unix: &str, local: &str) -> Option<DateTime<Utc>> {
    m.get(unix)
        .and_then(json_time)
        .or_else(|| m.get(local).and_then(json_time))
}

/// The plain text of a `text` value: a string, or an array of strings and entity objects.
fn flatten(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| match p {
                Value::String(s) => Some(s.as_str()),
                Value::Object(o) => o.get("text").and_then(Value::as_str),
                _ => None,
            })
            .collect(),
        _ => String::new(),
    }
}

fn poll_text(poll: &Object) -> String {
    let mut lines = Vec::new();
    let q = flatten(poll.get("question"));
    if !q.is_empty() {
        lines.push(q);
    }
    for a in poll
        .get("answers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let t = flatten(a.get("text"));
        if !t.is_empty() {
            lines.push(t);
        }
    }
    lines.join("\n")
}

/// Hashtags, mentions and links from `text_entities` (or the entity objects of `text` in
/// exports without `text_entities`), plus `url` buttons.
fn entities(m: &Object, it: &mut Item) {
    let list = match (m.get("text_entities"), m.get("text")) {
        (Some(Value::Array(es)), _) => es.as_slice(),
        (_, Some(Value::Array(parts))) => parts.as_slice(),
        _ => &[],
    };
    let push_link = |links: &mut Vec<String>, l: &str| {
        let l = l.trim();
        if !l.is_empty() && !links.iter().any(|x| x == l) {
            links.push(l.to_string());
        }
    };
    for e in list.iter().filter_map(Value::as_object) {
        let text = e.get("text").and_then(Value::as_str).unwrap_or("").trim();
        match e.get("type").and_then(Value::as_str) {
            Some("hashtag") => {
                let tag = text.trim_start_matches('#');
                if !tag.is_empty() && !it.hashtags.iter().any(|h| h == tag) {
                    it.hashtags.push(tag.to_string());
                }
            }
            Some("link") => push_link(&mut it.links, text),
            Some("text_link") => {
                if let Some(href) = e.get("href").and_then(Value::as_str) {
                    push_link(&mut it.links, href);
                }
            }
            Some("mention") => {
                let handle = text.trim_start_matches('@');
                let valid = !handle.is_empty()
                    && handle
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_');
                if valid {
                    push_mention(it, handle, None);
                }
            }
            Some("mention_name") => {
                if let Some(uid) = e.get("user_id").and_then(json_id) {
                    let account = Key::new(PLATFORM, format!("user{uid}"));
                    push_mention(it, text.trim_start_matches('@'), Some(account));
                }
            }
            _ => {}
        }
    }
    let rows = m.get("inline_bot_buttons").and_then(Value::as_array);
    for b in rows.into_iter().flatten().flat_map(|row| {
        row.as_array()
            .map(|r| r.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter_map(Value::as_object)
    }) {
        if b.get("type").and_then(Value::as_str) == Some("url") {
            if let Some(url) = b.get("data").and_then(Value::as_str) {
                push_link(&mut it.links, url);
            }
        }
    }
}

fn push_mention(it: &mut Item, handle: &str, account: Option<Key>) {
    if !it
        .mentions
        .iter()
        .any(|x| x.handle == handle && x.account == account)
    {
        it.mentions.push(Mention {
            handle: handle.to_string(),
            account,
        });
    }
}

/// `reply_to_message_id` in this chat, or in `reply_to_peer_id`'s chat when given.
fn reply_key(m: &Object, chat: &Key) -> Option<Key> {
    let msg_id = m.get("reply_to_message_id").and_then(json_i64)?;
    let chat_peer = m
        .get("reply_to_peer_id")
        .and_then(peer_id)
        .unwrap_or_else(|| chat.id.clone());
    Some(Key::new(PLATFORM, format!("{chat_peer}/{msg_id}")))
}

/// FNV-1a, 64 bits: a stable hash for synthetic keys.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{read_bytes, read_file, Reject, VecSink};
    use std::path::Path;

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/telegram-desktop")
            .join(rel)
    }

    fn key(id: &str) -> Key {
        Key::new(Platform::Telegram, id)
    }

    fn at(secs: i64) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(secs, 0)
    }

    fn item<'a>(sink: &'a VecSink, id: &str) -> &'a Item {
        sink.items()
            .find(|i| i.key.id == id)
            .unwrap_or_else(|| panic!("no item {id}"))
    }

    fn notices(sink: &VecSink, kind: NoticeKind) -> Vec<&str> {
        sink.notices
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.message.as_str())
            .collect()
    }

    fn read(json: &str) -> (VecSink, Result<(), SourceError>) {
        read_bytes(
            Format::TelegramDesktop,
            "export/result.json",
            json.as_bytes(),
        )
    }

    #[test]
    fn channel_export_maps_every_field() {
        let path = fixture("channel/result.json");
        let text = std::fs::read_to_string(&path).unwrap();
        let (sink, res) = read_file(Format::TelegramDesktop, &path);
        res.unwrap();
        assert_eq!(sink.count("channel"), 1);
        assert_eq!(sink.count("account"), 2);
        assert_eq!(sink.count("item"), 10);
        assert_eq!(sink.count("interaction"), 1);

        let ch = sink.channels().next().unwrap();
        assert_eq!(ch.key, key("channel1500000001"));
        assert_eq!(ch.kind, ChannelKind::Channel);
        assert_eq!(ch.name.as_deref(), Some("نشرة تجريبية"));
        assert_eq!(
            ch.created_at,
            at(1709323200),
            "from the create_channel message"
        );
        assert_eq!(
            ch.owner, None,
            "the creator is the channel itself, not a user"
        );
        assert_eq!(
            ch.raw.data,
            r#"{"name":"نشرة تجريبية","type":"public_channel","id":1500000001}"#
        );
        assert!(matches!(sink.records[0], Record::Channel(_)));

        let accounts: Vec<_> = sink
            .accounts()
            .map(|a| (a.key.id.as_str(), a.display_name.as_deref()))
            .collect();
        assert_eq!(
            accounts,
            vec![
                ("channel1500000001", Some("نشرة تجريبية")),
                ("channel1600000002", Some("قناة أخرى"))
            ]
        );

        let p = |rel: &str| Some(rel.to_string());
        let it = item(&sink, "channel1500000001/2");
        assert_eq!(it.kind, ItemKind::Post);
        assert_eq!(it.author, Some(key("channel1500000001")));
        assert_eq!(it.channel, Some(key("channel1500000001")));
        assert_eq!(it.created_at, at(1709324100));
        assert_eq!(it.edited_at, at(1709324400));
        assert_eq!(
            it.text,
            "نص تجريبي للاختبار #عاجل https://example.org/a المصدر @sample_user أحمد info@example.org انتهى"
        );
        assert_eq!(it.hashtags, vec!["عاجل"]);
        assert_eq!(
            it.links,
            vec!["https://example.org/a", "https://example.com/b"]
        );
        assert_eq!(
            it.mentions,
            vec![
                Mention {
                    handle: "sample_user".into(),
                    account: None
                },
                Mention {
                    handle: "أحمد".into(),
                    account: Some(key("user777000111"))
                },
            ]
        );
        assert_eq!(it.media.len(), 1);
        let photo = &it.media[0];
        assert_eq!(photo.kind, MediaKind::Photo);
        assert_eq!(photo.path, p("photos/photo_1@01-03-2024_20-15-00.jpg"));
        assert_eq!((photo.width, photo.height), (Some(1280), Some(720)));
        assert_eq!(photo.size, Some(123456));
        assert_eq!(it.metrics.get("reactions"), Some(&5));
        assert_eq!(it.raw.source, "telegram-desktop");
        assert!(
            it.raw.data.starts_with("{\n   \"id\": 2,"),
            "{}",
            it.raw.data
        );
        assert!(text.contains(&it.raw.data), "raw is the verbatim text");
        assert!(it.observed_at.is_none() && it.url.is_none());

        let it = item(&sink, "channel1500000001/3");
        assert_eq!(it.forwarded_from, Some(key("channel1600000002")));
        let v = &it.media[..];
        assert_eq!(v.len(), 1, "no thumbnail when the file itself is included");
        assert_eq!(v[0].kind, MediaKind::Video);
        assert_eq!(v[0].path, p("video_files/clip_01.mp4"));
        assert_eq!(v[0].mime.as_deref(), Some("video/mp4"));
        assert_eq!(v[0].duration_secs, Some(42.0));
        assert_eq!((v[0].width, v[0].height), (Some(640), Some(360)));
        assert_eq!(v[0].size, Some(5242880));

        let it = item(&sink, "channel1500000001/4");
        assert_eq!(it.reply_to, Some(key("channel1500000001/2")));
        assert_eq!(it.via_bot.as_deref(), Some("sample_bot"));
        assert_eq!(it.text, "");
        assert_eq!(it.media[0].kind, MediaKind::Voice);
        assert_eq!(it.media[0].path, None);
        assert_eq!(it.media[0].mime.as_deref(), Some("audio/ogg"));
        assert_eq!(it.media[0].duration_secs, Some(7.0));

        let live = item(&sink, "channel1500000001/5");
        assert_eq!(live.kind, ItemKind::LiveStream);
        assert!(live.is_live);
        assert_eq!(live.author, Some(key("channel1500000001")));
        assert_eq!(live.channel, Some(key("channel1500000001")));
        assert_eq!(live.created_at, at(1709335800));
        assert_eq!(live.metrics.get("duration_seconds"), Some(&3600));

        let pin = sink.interactions().next().unwrap();
        assert_eq!(pin.kind, InteractionKind::Pinned);
        assert_eq!(pin.source, Node::Account(key("channel1500000001")));
        assert_eq!(pin.target, Node::Item(key("channel1500000001/2")));
        assert_eq!(pin.at, at(1709336100));
        assert_eq!(pin.item, Some(key("channel1500000001/6")));
        assert!(pin.raw.as_ref().unwrap().data.contains("pin_message"));

        let it = item(&sink, "channel1500000001/7");
        assert_eq!(it.geo, GeoPoint::new(33.3152, 44.3661));
        assert_eq!(it.metrics.get("live_location_period_seconds"), Some(&900));
        let it = item(&sink, "channel1500000001/8");
        let place = it.place.as_ref().unwrap();
        assert_eq!(place.name.as_deref(), Some("مقهى تجريبي"));
        assert_eq!(place.full_name.as_deref(), Some("شارع المثال، بغداد"));
        assert_eq!(it.geo, GeoPoint::new(33.31, 44.36));
        assert_eq!(
            item(&sink, "channel1500000001/9").text,
            "سؤال تجريبي؟\nنعم\nلا"
        );

        let it = item(&sink, "channel1500000001/10");
        assert_eq!(
            it.media.len(),
            2,
            "the thumbnail stands in for the missing file"
        );
        assert_eq!(
            (it.media[0].kind, it.media[0].path.clone()),
            (MediaKind::Video, None)
        );
        assert_eq!(it.media[1].kind, MediaKind::Photo);
        assert_eq!(it.media[1].path, p("video_files/big_02.mp4_thumb.jpg"));

        let it = item(&sink, "channel1500000001/13");
        assert_eq!(
            it.reply_to,
            Some(key("channel1600000002/55")),
            "reply in another chat"
        );
        assert_eq!(it.links, vec!["https://example.net/c"], "url buttons only");
        let it = item(&sink, "channel1500000001/15");
        assert_eq!(it.media[0].kind, MediaKind::File);
        assert_eq!(it.media[0].path, p("files/report.pdf"));
        assert_eq!(it.media[0].mime.as_deref(), Some("application/pdf"));
        assert_eq!(it.media[0].size, Some(2048));

        // No edges the store derives itself, and reply/forward/mention are item fields.
        assert!(sink
            .interactions()
            .all(|e| !matches!(e.kind, InteractionKind::Reply | InteractionKind::Forward)));

        let rejects: Vec<(&Reject, u64)> = sink
            .rejects
            .iter()
            .map(|r| (r, r.position.record.unwrap()))
            .collect();
        assert_eq!(rejects.len(), 2);
        assert_eq!(rejects[0].1, 11);
        assert_eq!(rejects[0].0.field.as_deref(), Some("id"));
        assert_eq!(
            rejects[0].0.position.pointer.as_deref(),
            Some("messages[10]")
        );
        assert!(rejects[0].0.raw_excerpt.contains("بدون معرف"));
        assert!(rejects[0].0.to_string().contains("result.json, record 11"));
        assert_eq!(rejects[1].1, 12);
        assert_eq!(rejects[1].0.field.as_deref(), Some("date"));
        assert_eq!(rejects[1].0.source, "telegram-desktop");

        assert_eq!(
            notices(&sink, NoticeKind::MissingMedia),
            vec!["2 media file(s) not included in the export (kept without a path)"]
        );
        assert_eq!(
            notices(&sink, NoticeKind::Skipped),
            vec!["service messages skipped by action: edit_chat_theme: 1"]
        );
        assert!(notices(&sink, NoticeKind::Repaired).is_empty());
    }

    #[test]
    fn full_account_export_reads_every_chat() {
        let (sink, res) = read_file(Format::TelegramDesktop, &fixture("full/result.json"));
        res.unwrap();
        let channels: Vec<_> = sink
            .channels()
            .map(|c| (c.key.id.as_str(), c.kind, c.name.as_deref()))
            .collect();
        assert_eq!(
            channels,
            vec![
                ("user5000000002", ChannelKind::Room, Some("سارة")),
                (
                    "channel1700000003",
                    ChannelKind::Group,
                    Some("مجموعة الاختبار")
                ),
                (
                    "channel1800000004",
                    ChannelKind::Channel,
                    Some("قناة قديمة")
                ),
            ]
        );
        let group = sink.channels().nth(1).unwrap();
        assert_eq!(group.created_at, at(1712052000));
        assert_eq!(group.owner, Some(key("user5000000001")));

        let accounts: Vec<_> = sink.accounts().map(|a| a.key.id.as_str()).collect();
        assert_eq!(
            accounts,
            vec![
                "user5000000002",
                "user5000000001",
                "user5000000004",
                "user5000000005",
                "channel1800000004"
            ],
            "personal_information and contacts are ignored"
        );
        assert_eq!(sink.count("item"), 10);
        assert_eq!(
            item(&sink, "user5000000002/101").reply_to,
            Some(key("user5000000002/100"))
        );
        assert_eq!(item(&sink, "user5000000002/100").kind, ItemKind::Message);
        assert_eq!(item(&sink, "channel1800000004/50").kind, ItemKind::Post);
        assert_eq!(item(&sink, "channel1700000003/5").hashtags, vec!["اختبار"]);
        assert_eq!(
            item(&sink, "channel1700000003/10").forwarded_from,
            Some(Key::name(Platform::Telegram, "قناة مجهولة"))
        );
        for id in ["channel1700000003/7", "channel1700000003/8"] {
            let live = item(&sink, id);
            assert_eq!(live.kind, ItemKind::LiveStream);
            assert!(live.is_live);
            assert_eq!(live.author, Some(key("user5000000001")));
        }

        let edges: Vec<_> = sink
            .interactions()
            .map(|e| {
                (
                    e.kind,
                    e.source.key().id.as_str(),
                    e.item.as_ref().unwrap().id.as_str(),
                )
            })
            .collect();
        assert_eq!(
            edges,
            vec![
                (
                    InteractionKind::MemberOf,
                    "name:مستخدم تجريبي",
                    "channel1700000003/1"
                ),
                (
                    InteractionKind::MemberOf,
                    "name:سارة",
                    "channel1700000003/1"
                ),
                (
                    InteractionKind::MemberOf,
                    "name:خالد",
                    "channel1700000003/2"
                ),
                (
                    InteractionKind::MemberOf,
                    "user5000000004",
                    "channel1700000003/3"
                ),
                (
                    InteractionKind::MemberOf,
                    "user5000000005",
                    "channel1700000003/4"
                ),
                (
                    InteractionKind::LeftChannel,
                    "name:عمر",
                    "channel1700000003/6"
                ),
            ]
        );
        let join = sink.interactions().nth(3).unwrap();
        assert_eq!(join.target, Node::Channel(key("channel1700000003")));
        assert_eq!(join.at, at(1712052600));
        assert!(join
            .raw
            .as_ref()
            .unwrap()
            .data
            .contains("join_group_by_link"));

        assert_eq!(
            notices(&sink, NoticeKind::Skipped),
            vec!["service messages skipped by action: edit_group_title: 1, phone_call: 1"]
        );
        assert_eq!(notices(&sink, NoticeKind::Repaired).len(), 1);
        assert!(notices(&sink, NoticeKind::Repaired)[0].starts_with("3 message(s)"));
        assert!(sink.rejects.is_empty());
    }

    #[test]
    fn duplicate_ids_get_stable_synthetic_keys() {
        let (sink, res) = read_bytes(
            Format::TelegramDesktop,
            "dup.json",
            &std::fs::read(fixture("full/result.json")).unwrap(),
        );
        res.unwrap();
        let keys: Vec<&str> = sink
            .items()
            .filter(|i| i.key.id.starts_with("channel1700000003/"))
            .map(|i| i.key.id.as_str())
            .collect();
        assert_eq!(keys.len(), 7);
        assert_eq!(
            &keys[..3],
            [
                "channel1700000003/5",
                "channel1700000003/7",
                "channel1700000003/8"
            ]
        );
        assert!(
            keys[3].starts_with("channel1700000003/5~")
                && keys[3].len() == "channel1700000003/5~".len() + 8
        );
        assert_eq!(keys[3], keys[4], "identical duplicates collapse to one key");
        assert!(keys[5].starts_with("channel1700000003/6~"));
        assert_ne!(keys[5], keys[3]);
        assert_eq!(
            keys[6], "channel1700000003/10",
            "a greater id gets its plain key again"
        );

        // Out-of-order ids, and determinism across reads.
        let json = r#"{"name":"x","type":"private_group","id":7,"messages":[
            {"id":5,"type":"message","date_unixtime":"1700000000","text":"أ"},
            {"id":3,"type":"message","date_unixtime":"1700000001","text":"ب"},
            {"id":6,"type":"message","date_unixtime":"1700000002","text":"ج"},
            {"id":6,"type":"message","date_unixtime":"1700000003","text":"د"}]}"#;
        let (a, _) = read(json);
        let (b, _) = read(json);
        let ka: Vec<_> = a.items().map(|i| i.key.id.clone()).collect();
        let kb: Vec<_> = b.items().map(|i| i.key.id.clone()).collect();
        assert_eq!(ka, kb);
        assert_eq!(ka[0], "chat7/5");
        assert!(ka[1].starts_with("chat7/3~"));
        assert_eq!(ka[2], "chat7/6");
        assert!(
            ka[3].starts_with("chat7/6~"),
            "an equal id is a duplicate too"
        );
        assert_eq!(notices(&a, NoticeKind::Repaired).len(), 1);
        assert!(notices(&a, NoticeKind::Repaired)[0].starts_with("2 message(s)"));
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn truncated_file_keeps_good_records_and_names_file_and_line() {
        let (sink, res) = read_file(Format::TelegramDesktop, &fixture("truncated.json"));
        let err = res.unwrap_err();
        assert!(matches!(err, SourceError::Syntax { .. }), "{err}");
        let pos = err.position().unwrap();
        assert!(pos.file.ends_with("truncated.json"));
        assert_eq!(pos.line, Some(43));
        assert!(err.to_string().contains("truncated.json:43"), "{err}");
        let keys: Vec<_> = sink.items().map(|i| i.key.id.as_str()).collect();
        assert_eq!(keys, vec!["chat42/1", "chat42/2"]);
        assert_eq!(sink.count("channel"), 1);
        assert_eq!(sink.count("account"), 1);
    }

    #[test]
    fn bad_elements_chats_without_id_and_repairs() {
        let json = "\u{feff}{\"id\":1,\"type\":\"bot_chat\",\"messages\":[\"oops\",\n\
            {\"id\":1,\"type\":\"message\",\"date_unixtime\":\"1700000000\",\"text\":\"ok\",}]}\n\
            {\"name\":\"n\",\"messages\":[{\"id\":1,\"date_unixtime\":\"1700000000\"}]}\n\
            {\"about\":\"not a chat\"}\n";
        let (sink, res) = read(json);
        res.unwrap();
        let ch = sink.channels().next().unwrap();
        assert_eq!(
            (ch.key.id.as_str(), ch.kind, ch.name.as_deref()),
            ("user1", ChannelKind::Room, None)
        );
        let it = item(&sink, "user1/1");
        assert_eq!((it.text.as_str(), it.author.as_ref()), ("ok", None));
        assert_eq!(sink.count("channel"), 1);
        assert_eq!(sink.rejects.len(), 2);
        let r = &sink.rejects[0];
        assert_eq!((r.position.record, r.field.as_deref()), (Some(1), None));
        assert_eq!(r.reason, "expected a message object");
        let r = &sink.rejects[1];
        assert_eq!(r.field.as_deref(), Some("chat.id"));
        assert_eq!(
            r.position.pointer.as_deref(),
            Some("document 2: messages[0]")
        );
        let skipped = sink
            .notices
            .iter()
            .find(|n| n.kind == NoticeKind::Skipped)
            .unwrap();
        assert_eq!(skipped.position.pointer.as_deref(), Some("document 3"));
        assert_eq!(
            notices(&sink, NoticeKind::Repaired),
            vec!["1 repair(s): trailing commas dropped or invalid UTF-8 replaced by U+FFFD"]
        );
    }

    #[test]
    fn empty_chat_and_old_export_variants() {
        let (sink, res) =
            read(r#"{"name":"فارغة","type":"private_channel","id":99,"messages":[]}"#);
        res.unwrap();
        let ch = sink.channels().next().unwrap();
        assert_eq!(
            (ch.key.id.as_str(), ch.kind),
            ("channel99", ChannelKind::Channel)
        );
        assert_eq!(ch.name.as_deref(), Some("فارغة"));
        assert!(sink.notices.is_empty());

        // Old exports: numeric from_id, no date_unixtime, entities only inside `text`.
        let json = r##"{"name":"قديم","type":"personal_chat","id":11,"messages":[
            {"id":1,"type":"message","date":"2019-05-01T10:00:00","from":"Old","from_id":123456,
             "text":["a ",{"type":"hashtag","text":"#وسم"}," ",{"type":"link","text":"t.me/example"},
                     " ",{"type":"mention","text":"@Lorem ipsum"}]}]}
            {"type":"saved_messages","id":5000000001,"messages":[
            {"id":3,"type":"message","date_unixtime":"1700000100","from":"Me","from_id":"user5000000001",
             "saved_from":"قناة محفوظة","text":""}]}"##;
        let (sink, res) = read(json);
        res.unwrap();
        let it = item(&sink, "user11/1");
        assert_eq!(it.author, Some(key("user123456")));
        assert_eq!(
            it.created_at,
            DateTime::parse_from_rfc3339("2019-05-01T10:00:00Z")
                .ok()
                .map(|t| t.to_utc())
        );
        assert_eq!(it.hashtags, vec!["وسم"]);
        assert_eq!(it.links, vec!["t.me/example"]);
        assert!(it.mentions.is_empty(), "not a valid handle");
        assert_eq!(
            sink.accounts().next().unwrap().display_name.as_deref(),
            Some("Old")
        );
        let it = item(&sink, "user5000000001/3");
        assert_eq!(
            it.forwarded_from,
            Some(Key::name(Platform::Telegram, "قناة محفوظة"))
        );
        let saved = sink.channels().nth(1).unwrap();
        assert_eq!(
            (saved.kind, saved.name.as_deref()),
            (ChannelKind::Room, None)
        );
    }

    #[test]
    fn stop_from_the_sink_ends_the_read() {
        struct StopSink;
        impl Sink for StopSink {
            fn record(&mut self, _: Record) -> Result<(), Stop> {
                Err(Stop)
            }
            fn reject(&mut self, _: Reject) -> Result<(), Stop> {
                Err(Stop)
            }
            fn notice(&mut self, _: Notice) {}
        }
        let path = fixture("channel/result.json");
        let input = Input::open(&path).unwrap();
        let err = TelegramDesktop.read(input, &mut StopSink).unwrap_err();
        assert!(matches!(err, SourceError::Stopped(_)), "{err}");
    }
}
