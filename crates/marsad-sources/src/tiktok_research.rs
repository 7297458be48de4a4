//! `tiktok-research`: responses of the TikTok Research API (`open.tiktokapis.com/v2/research/`).
//!
//! A file holds one response, several responses concatenated, or one response per line; it
//! is always read through [`TolerantJson`] (real dumps carry trailing commas), and one
//! `repaired` notice per file says how many commas were dropped. The arrays under `data` are
//! streamed element by element; see `docs/formats/tiktok-research.md` for the full table.
//!
//! | endpoint | array | becomes |
//! |---|---|---|
//! | `video/query/` | `data.videos[]` | `Item` video (+ `Account` per username) |
//! | `user/liked_videos/` | `data.user_liked_videos[]` | same |
//! | `user/pinned_videos/` | `data.pinned_videos_list[]` | same, plus a `pinned` edge author → video |
//! | `user/reposted_videos/` | `data.reposted_videos[]` | same |
//! | `video/comment/list/` | `data.comments[]` | `Item` comment |
//! | `user/followers/`, `user/following/` | `data.user_followers[]`, `data.user_following[]` | `Account` |
//! | `user/info/` | `data` (one object) | `Account` |
//!
//! Video: key `id` (or `video_id`; integers of any size are kept digit for digit), author
//! `@username`, `create_time` (unix seconds) → `created_at`, text `video_description`
//! followed by a blank line and `voice_to_text` when present, hashtags `hashtag_names` +
//! `hashtag_info_list[].hashtag_name` + `#tags` of the description, mentions
//! `video_mention_list` + `@handles` of the description, links of the description,
//! `region_code` → `place.country_code`, `video_duration` → a video [`MediaRef`] with
//! `duration_secs`, counts → metrics `likes`, `comments`, `shares`, `views`, `favorites`,
//! url `https://www.tiktok.com/@<username>/video/<id>`. `music_id`, `effect_ids`,
//! `playlist_id`, `is_stem_verified`, `video_label`, `video_tag` and the sticker / effect
//! lists stay in the raw record.
//!
//! Comment: key `id`, `reply_to` the parent comment when `parent_comment_id` differs from
//! `video_id`, else the video; `like_count` → `likes`, `reply_count` → `replies`. The API
//! names no comment author.
//!
//! User info has no username (it was a request parameter): the account is keyed `@username`
//! when the dump added `username` to `data`, else `name:<display_name>` with a notice, else
//! the response is rejected (field `data.username`). Followers / following lists name the
//! listed accounts but not the user they were requested for, so no `follows` edges can be
//! made; likewise liked and reposted lists give no edge. Responses whose `error.code` is not
//! `ok` become one `skipped` notice each.

use crate::util::{
    hashtags_in, json_i64, json_str, json_time, links_in, mentions_in, reject, stream_json,
    ContextEntry, DocumentEnd, Element, TolerantJson,
};
use crate::{Format, Input, Notice, NoticeKind, Position, Sink, Source, SourceError, Stop};
use marsad_model::{
    Account, Interaction, InteractionKind, Item, ItemKind, Key, MediaKind, MediaRef, Mention, Node,
    Place, Platform, Raw, Record,
};
use serde_json::value::RawValue;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

const NAME: &str = "tiktok-research";
const PLATFORM: Platform = Platform::Tiktok;

/// Which streamed array an element came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Videos,
    Liked,
    Pinned,
    Reposted,
    Comments,
    Followers,
    Following,
}

/// The streamed arrays, by endpoint.
const LISTS: [(List, &[&str]); 7] = [
    (List::Videos, &["data", "videos"]),
    (List::Liked, &["data", "user_liked_videos"]),
    (List::Pinned, &["data", "pinned_videos_list"]),
    (List::Reposted, &["data", "reposted_videos"]),
    (List::Comments, &["data", "comments"]),
    (List::Followers, &["data", "user_followers"]),
    (List::Following, &["data", "user_following"]),
];

/// Fields of the user info object (`/v2/research/user/info/`).
const USER_INFO_FIELDS: [&str; 10] = [
    "username",
    "display_name",
    "bio_description",
    "avatar_url",
    "is_verified",
    "follower_count",
    "following_count",
    "likes_count",
    "video_count",
    "bio_url",
];

/// Paging fields found next to the streamed arrays (an empty page has only these).
const PAGE_FIELDS: [&str; 3] = ["cursor", "has_more", "search_id"];

/// Importer for TikTok Research API responses.
#[derive(Debug, Clone, Copy, Default)]
pub struct TiktokResearch;

impl Source for TiktokResearch {
    fn format(&self) -> Format {
        Format::TiktokResearch
    }

    fn read(&self, input: Input<'_>, sink: &mut dyn Sink) -> Result<(), SourceError> {
        let file = input.path.to_path_buf();
        let reader = TolerantJson::new(input.reader);
        let repairs = reader.repairs();
        let paths: Vec<&[&str]> = LISTS.iter().map(|(_, p)| *p).collect();
        let state = RefCell::new(State {
            file: file.clone(),
            sink,
            accounts: HashSet::new(),
        });
        let res = stream_json(
            reader,
            &file,
            &paths,
            &mut |el| state.borrow_mut().element(&el),
            &mut |end| state.borrow_mut().document(end),
        );
        let n = repairs.load(Ordering::Relaxed);
        if n > 0 {
            state.into_inner().sink.notice(Notice {
                kind: NoticeKind::Repaired,
                position: Position::file(&file),
                message: format!("not valid JSON: {n} repair(s) (trailing commas dropped or invalid UTF-8 replaced by U+FFFD), read anyway"),
            });
        }
        res
    }
}

struct State<'s> {
    file: PathBuf,
    sink: &'s mut dyn Sink,
    /// Usernames whose account was emitted in this file.
    accounts: HashSet<String>,
}

impl State<'_> {
    fn element(&mut self, el: &Element<'_>) -> Result<(), Stop> {
        let Some((list, _)) = LISTS.get(el.path_index) else {
            return Ok(());
        };
        let raw = el.raw.get();
        let fields = match Fields::parse(raw) {
            Ok(f) => f,
            Err(reason) => {
                let r = reject(NAME, el.position(&self.file), None, reason, raw);
                return self.sink.reject(r);
            }
        };
        match list {
            List::Videos | List::Liked | List::Pinned | List::Reposted => {
                self.video(el, &fields, *list)
            }
            List::Comments => self.comment(el, &fields),
            List::Followers | List::Following => self.listed_user(el, &fields),
        }
    }

    fn video(&mut self, el: &Element<'_>, f: &Fields<'_>, list: List) -> Result<(), Stop> {
        let raw = el.raw.get();
        let id = match f.first_id(&["id", "video_id"]) {
            Some((_, Ok(id))) => id,
            Some((field, Err(reason))) => {
                let r = reject(NAME, el.position(&self.file), Some(field), reason, raw);
                return self.sink.reject(r);
            }
            None => {
                let r = reject(
                    NAME,
                    el.position(&self.file),
                    Some("id"),
                    "missing video id (`id` or `video_id`)",
                    raw,
                );
                return self.sink.reject(r);
            }
        };
        let key = Key::new(PLATFORM, &id);
        let mut item = Item::new(key.clone(), ItemKind::Video, Raw::new(NAME, raw));
        let username = f.str("username").and_then(|u| clean_handle(&u));
        item.author = username.as_deref().map(|u| Key::handle(PLATFORM, u));
        item.url = username
            .as_deref()
            .map(|u| format!("https://www.tiktok.com/@{u}/video/{id}"));
        item.created_at = f.value("create_time").as_ref().and_then(json_time);

        let description = f.str("video_description").unwrap_or_default();
        item.text = match f.str("voice_to_text") {
            Some(voice) if description.is_empty() => voice,
            Some(voice) => format!("{description}\n\n{voice}"),
            None => description.clone(),
        };

        let mut tags = Vec::new();
        tags.extend(f.strings("hashtag_names"));
        if let Some(Value::Array(infos)) = f.value("hashtag_info_list") {
            tags.extend(
                infos
                    .iter()
                    .filter_map(|i| i.get("hashtag_name").and_then(json_str)),
            );
        }
        tags.extend(hashtags_in(&description));
        item.hashtags = dedupe_ci(
            tags.into_iter()
                .map(|t| t.trim_start_matches('#').to_string()),
        );

        let mut handles = f.strings("video_mention_list");
        handles.extend(mentions_in(&description));
        item.mentions = dedupe_ci(handles.iter().filter_map(|h| clean_handle(h)))
            .into_iter()
            .map(|handle| Mention {
                handle,
                account: None,
            })
            .collect();
        item.links = links_in(&description);

        if let Some(secs) = f.value("video_duration").as_ref().and_then(json_f64) {
            let mut media = MediaRef::new(MediaKind::Video);
            media.platform_id = Some(id.clone());
            media.duration_secs = Some(secs);
            item.media.push(media);
        }
        if let Some(code) = f.str("region_code") {
            item.place = Some(Place {
                country_code: Some(code.to_ascii_uppercase()),
                ..Place::default()
            });
        }
        for (field, metric) in [
            ("like_count", "likes"),
            ("comment_count", "comments"),
            ("share_count", "shares"),
            ("view_count", "views"),
            ("favorites_count", "favorites"),
        ] {
            if let Some(n) = f.count(field) {
                item.metrics.insert(metric.to_string(), n);
            }
        }

        if let Some(u) = &username {
            if self.accounts.insert(u.clone()) {
                self.sink
                    .record(Record::Account(handle_account(u, Raw::new(NAME, raw))))?;
            }
        }
        let author = item.author.clone();
        self.sink.record(Record::Item(item))?;
        if let (List::Pinned, Some(author)) = (list, author) {
            self.sink.record(Record::Interaction(Interaction {
                kind: InteractionKind::Pinned,
                source: Node::Account(author),
                target: Node::Item(key.clone()),
                at: None,
                item: Some(key),
                raw: Some(Raw::new(NAME, raw)),
            }))?;
        }
        Ok(())
    }

    fn comment(&mut self, el: &Element<'_>, f: &Fields<'_>) -> Result<(), Stop> {
        let raw = el.raw.get();
        let id = match f.id("id") {
            Some(Ok(id)) => id,
            Some(Err(reason)) => {
                let r = reject(NAME, el.position(&self.file), Some("id"), reason, raw);
                return self.sink.reject(r);
            }
            None => {
                let r = reject(
                    NAME,
                    el.position(&self.file),
                    Some("id"),
                    "missing comment id",
                    raw,
                );
                return self.sink.reject(r);
            }
        };
        let mut item = Item::new(
            Key::new(PLATFORM, id),
            ItemKind::Comment,
            Raw::new(NAME, raw),
        );
        let video = f.id("video_id").and_then(Result::ok);
        let parent = f
            .id("parent_comment_id")
            .and_then(Result::ok)
            .filter(|p| p != "0");
        item.reply_to = match (parent, video) {
            (Some(p), v) if v.as_deref() != Some(p.as_str()) => Some(Key::new(PLATFORM, p)),
            (_, Some(v)) => Some(Key::new(PLATFORM, v)),
            _ => None,
        };
        item.created_at = f.value("create_time").as_ref().and_then(json_time);
        item.text = f.str("text").unwrap_or_default();
        item.hashtags = hashtags_in(&item.text);
        item.mentions = mentions_in(&item.text)
            .into_iter()
            .map(|handle| Mention {
                handle,
                account: None,
            })
            .collect();
        item.links = links_in(&item.text);
        for (field, metric) in [("like_count", "likes"), ("reply_count", "replies")] {
            if let Some(n) = f.count(field) {
                item.metrics.insert(metric.to_string(), n);
            }
        }
        self.sink.record(Record::Item(item))
    }

    /// An entry of a followers / following list: `{display_name, username}`.
    fn listed_user(&mut self, el: &Element<'_>, f: &Fields<'_>) -> Result<(), Stop> {
        let raw = el.raw.get();
        let display_name = f.str("display_name");
        let username = f.str("username").and_then(|u| clean_handle(&u));
        let account = match (&username, &display_name) {
            (Some(u), _) => {
                self.accounts.insert(u.clone());
                handle_account(u, Raw::new(NAME, raw))
            }
            (None, Some(name)) => {
                self.sink.notice(Notice {
                    kind: NoticeKind::Repaired,
                    position: el.position(&self.file),
                    message: format!("no `username`: account keyed by display name {name:?}"),
                });
                Account::new(Key::name(PLATFORM, name), Raw::new(NAME, raw))
            }
            (None, None) => {
                let r = reject(
                    NAME,
                    el.position(&self.file),
                    Some("username"),
                    "neither `username` nor `display_name`",
                    raw,
                );
                return self.sink.reject(r);
            }
        };
        let account = Account {
            display_name,
            ..account
        };
        self.sink.record(Record::Account(account))
    }

    fn document(&mut self, end: DocumentEnd) -> Result<(), Stop> {
        let root = |key: &str| {
            end.values
                .iter()
                .find(|e| e.object.is_empty() && e.key == key)
                .map(|e| &e.value)
        };
        if let Some(error) = root("error") {
            let code = error.get("code").and_then(json_str);
            if code.as_deref() != Some("ok") {
                let message = error.get("message").and_then(json_str).unwrap_or_default();
                let mut text = format!(
                    "API error {}: {message}",
                    code.as_deref().unwrap_or("(no code)")
                );
                if let Some(log_id) = error.get("log_id").and_then(json_str) {
                    text.push_str(&format!(" (log_id {log_id})"));
                }
                self.sink.notice(Notice {
                    kind: NoticeKind::Skipped,
                    position: doc_position(&self.file, end.doc, None),
                    message: text,
                });
                return Ok(());
            }
        }
        if end.matched {
            return Ok(());
        }
        let data: Vec<&ContextEntry> = end.values.iter().filter(|e| e.object == "data").collect();
        if data
            .iter()
            .any(|e| USER_INFO_FIELDS.contains(&e.key.as_str()))
        {
            return self.user_info(end.doc, &data);
        }
        let empty_page =
            !data.is_empty() && data.iter().all(|e| PAGE_FIELDS.contains(&e.key.as_str()));
        if !empty_page {
            let keys: Vec<&str> = end
                .values
                .iter()
                .filter(|e| e.object.is_empty() || e.object == "data")
                .map(|e| e.key.as_str())
                .collect();
            self.sink.notice(Notice {
                kind: NoticeKind::Skipped,
                position: doc_position(&self.file, end.doc, None),
                message: format!(
                    "no TikTok Research API data in this document (keys: {})",
                    keys.join(", ")
                ),
            });
        }
        Ok(())
    }

    /// The `data` object of a user info response, given as its members in file order.
    fn user_info(&mut self, doc: u64, data: &[&ContextEntry]) -> Result<(), Stop> {
        let position = doc_position(&self.file, doc, Some("data"));
        let raw = match object_text(data) {
            Ok(raw) => raw,
            Err(e) => {
                let r = reject(NAME, position, Some("data"), e.to_string(), "");
                return self.sink.reject(r);
            }
        };
        let get = |key: &str| data.iter().find(|e| e.key == key).map(|e| &e.value);
        let display_name = get("display_name").and_then(json_str);
        let username = get("username")
            .and_then(json_str)
            .and_then(|u| clean_handle(&u));
        let mut account = match (&username, &display_name) {
            (Some(u), _) => {
                self.accounts.insert(u.clone());
                handle_account(u, Raw::new(NAME, raw.as_str()))
            }
            (None, Some(name)) => {
                self.sink.notice(Notice {
                    kind: NoticeKind::Repaired,
                    position: position.clone(),
                    message: format!(
                        "user info without `username` (the API does not return it): \
                         account keyed by display name {name:?}"
                    ),
                });
                Account::new(Key::name(PLATFORM, name), Raw::new(NAME, raw.as_str()))
            }
            (None, None) => {
                let r = reject(
                    NAME,
                    position,
                    Some("data.username"),
                    "user info names neither `username` nor `display_name`",
                    &raw,
                );
                return self.sink.reject(r);
            }
        };
        account.display_name = display_name;
        account.bio = get("bio_description").and_then(json_str);
        account.avatar_url = get("avatar_url").and_then(json_str);
        account.verified = get("is_verified").and_then(Value::as_bool);
        account.followers = get("follower_count").and_then(json_i64);
        account.following = get("following_count").and_then(json_i64);
        for (field, metric) in [("likes_count", "likes"), ("video_count", "videos")] {
            if let Some(n) = get(field).and_then(json_i64) {
                account.metrics.insert(metric.to_string(), n);
            }
        }
        self.sink.record(Record::Account(account))
    }
}

/// An account known by its username, with its profile URL.
fn handle_account(username: &str, raw: Raw) -> Account {
    let mut a = Account::new(Key::handle(PLATFORM, username), raw);
    a.handle = Some(username.to_string());
    a.url = Some(format!("https://www.tiktok.com/@{username}"));
    a
}

/// A username without a leading `@`; `None` when empty or containing whitespace.
fn clean_handle(s: &str) -> Option<String> {
    let h = s.trim().trim_start_matches('@');
    (!h.is_empty() && !h.contains(char::is_whitespace)).then(|| h.to_string())
}

/// Non-empty strings, de-duplicated case-insensitively, first spelling kept.
fn dedupe_ci(it: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    it.into_iter()
        .filter(|s| !s.is_empty() && seen.insert(s.to_lowercase()))
        .collect()
}

/// A number (or numeric string) as `f64`, if finite and not negative.
fn json_f64(v: &Value) -> Option<f64> {
    let f = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }?;
    (f.is_finite() && f >= 0.0).then_some(f)
}

/// Where a document (or a part of it, e.g. `data`) is in the file.
fn doc_position(file: &Path, doc: u64, pointer: Option<&str>) -> Position {
    let pointer = match (doc, pointer) {
        (1, Some(p)) => p.to_string(),
        (_, Some(p)) => format!("document {doc}: {p}"),
        (_, None) => format!("document {doc}"),
    };
    Position {
        pointer: Some(pointer),
        ..Position::file(file)
    }
}

/// The JSON text of an object rebuilt from its members, in their original order.
fn object_text(members: &[&ContextEntry]) -> Result<String, serde_json::Error> {
    let mut out = String::from("{");
    for (i, e) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(&e.key)?);
        out.push(':');
        out.push_str(&serde_json::to_string(&e.value)?);
    }
    out.push('}');
    Ok(out)
}

/// A JSON object's members as verbatim JSON text, so that ids keep every digit (a
/// `serde_json::Value` would round integers beyond 64 bits).
struct Fields<'a>(BTreeMap<String, &'a RawValue>);

impl<'a> Fields<'a> {
    fn parse(raw: &'a str) -> Result<Self, String> {
        serde_json::from_str(raw)
            .map(Fields)
            .map_err(|_| "expected a JSON object".to_string())
    }

    fn value(&self, key: &str) -> Option<Value> {
        self.0
            .get(key)
            .and_then(|r| serde_json::from_str(r.get()).ok())
    }

    fn str(&self, key: &str) -> Option<String> {
        self.value(key).as_ref().and_then(json_str)
    }

    fn count(&self, key: &str) -> Option<i64> {
        self.value(key).as_ref().and_then(json_i64)
    }

    /// The non-empty strings of an array field.
    fn strings(&self, key: &str) -> Vec<String> {
        match self.value(key) {
            Some(Value::Array(a)) => a.iter().filter_map(json_str).collect(),
            _ => Vec::new(),
        }
    }

    /// An id field exactly as written: `None` when absent, null or empty, `Err` when it is
    /// not an integer or a string.
    fn id(&self, key: &str) -> Option<Result<String, String>> {
        let text = self.0.get(key)?.get().trim();
        if text == "null" {
            return None;
        }
        if text.starts_with('"') {
            return match serde_json::from_str::<String>(text) {
                Ok(s) if s.trim().is_empty() => None,
                Ok(s) => Some(Ok(s.trim().to_string())),
                Err(e) => Some(Err(format!("invalid id: {e}"))),
            };
        }
        let digits = text.strip_prefix('-').unwrap_or(text);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            Some(Ok(text.to_string()))
        } else {
            Some(Err(format!("not an integer id: {text}")))
        }
    }

    /// The first of `keys` that holds an id, with the key.
    fn first_id(&self, keys: &[&'static str]) -> Option<(&'static str, Result<String, String>)> {
        keys.iter().find_map(|k| self.id(k).map(|r| (*k, r)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::{read_bytes, read_file, VecSink};
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tiktok-research")
            .join(name)
    }

    fn read(name: &str) -> VecSink {
        let (sink, res) = read_file(Format::TiktokResearch, &fixture(name));
        res.unwrap();
        sink
    }

    fn item<'a>(sink: &'a VecSink, id: &str) -> &'a Item {
        sink.items()
            .find(|i| i.key.id == id)
            .unwrap_or_else(|| panic!("no item {id}"))
    }

    fn account<'a>(sink: &'a VecSink, id: &str) -> &'a Account {
        sink.accounts()
            .find(|a| a.key.id == id)
            .unwrap_or_else(|| panic!("no account {id}"))
    }

    #[test]
    fn query_videos_map_every_field() {
        let sink = read("query-videos.json");
        assert_eq!(sink.count("item"), 4, "{:?}", sink.rejects);
        assert_eq!(sink.count("account"), 2);
        assert_eq!(sink.count("interaction"), 0);
        assert!(sink.notices.is_empty(), "{:?}", sink.notices);

        let v = item(&sink, "7312345678901234567");
        assert_eq!(v.kind, ItemKind::Video);
        assert_eq!(v.author, Some(Key::handle(PLATFORM, "sahat_alakhbar")));
        assert_eq!(
            v.url.as_deref(),
            Some("https://www.tiktok.com/@sahat_alakhbar/video/7312345678901234567")
        );
        assert_eq!(v.created_at.unwrap().timestamp(), 1702380000);
        assert_eq!(
            v.text,
            "تغطية مباشرة من الساحة #أخبار_اليوم مع @murasil_01 https://example.org/taghtiya\n\nمرحبا بكم في تغطية اليوم"
        );
        assert_eq!(v.hashtags, vec!["أخبار_اليوم", "عاجل", "news"]);
        let handles: Vec<_> = v.mentions.iter().map(|m| m.handle.as_str()).collect();
        assert_eq!(handles, vec!["murasil_01"]);
        assert_eq!(v.links, vec!["https://example.org/taghtiya"]);
        assert_eq!(
            v.place.as_ref().unwrap().country_code.as_deref(),
            Some("IQ")
        );
        assert_eq!(v.media.len(), 1);
        assert_eq!(v.media[0].kind, MediaKind::Video);
        assert_eq!(v.media[0].duration_secs, Some(42.0));
        assert_eq!(
            v.media[0].platform_id.as_deref(),
            Some("7312345678901234567")
        );
        let m = |k: &str| v.metrics.get(k).copied();
        assert_eq!(m("likes"), Some(1520));
        assert_eq!(m("comments"), Some(87));
        assert_eq!(m("shares"), Some(44));
        assert_eq!(m("views"), Some(20931));
        assert_eq!(m("favorites"), Some(12));
        assert_eq!(v.raw.source, "tiktok-research");
        assert!(v.raw.data.starts_with('{') && v.raw.data.contains("\"music_id\""));
        assert!(v.observed_at.is_none());

        // `video_id` spelling, an id beyond 64 bits kept digit for digit, no username.
        let big = item(&sink, "123123123123123123123");
        assert!(big.author.is_none() && big.url.is_none());
        assert_eq!(big.text, "فيديو بدون اسم مستخدم");
        // Mentions from `video_mention_list` and the description, without duplicates.
        let w = item(&sink, "7312345678901234999");
        let handles: Vec<_> = w.mentions.iter().map(|m| m.handle.as_str()).collect();
        assert_eq!(handles, vec!["rawi.ar", "murasil_01"]);
        assert_eq!(w.text, "صوت فقط");
        assert!(w.created_at.is_none(), "a malformed create_time is dropped");
        // One account per username per file, keyed by handle.
        let a = account(&sink, "@sahat_alakhbar");
        assert_eq!(a.handle.as_deref(), Some("sahat_alakhbar"));
        assert_eq!(
            a.url.as_deref(),
            Some("https://www.tiktok.com/@sahat_alakhbar")
        );
    }

    #[test]
    fn bad_video_is_rejected_with_position_and_field() {
        let sink = read("query-videos.json");
        assert_eq!(sink.rejects.len(), 2, "{:?}", sink.rejects);
        let r = &sink.rejects[0];
        assert_eq!(r.field.as_deref(), Some("id"));
        assert_eq!(r.position.record, Some(3));
        assert_eq!(r.position.pointer.as_deref(), Some("data.videos[2]"));
        assert!(r.raw_excerpt.contains("بلا معرف"));
        let r = &sink.rejects[1];
        assert_eq!(r.field.as_deref(), Some("video_id"));
        assert!(r.reason.contains("not an integer"), "{r:?}");
        assert_eq!(
            r.position.pointer.as_deref(),
            Some("document 2: data.videos[1]")
        );
    }

    #[test]
    fn comments_reply_to_parent_or_video() {
        let sink = read("comments.json");
        assert_eq!(sink.count("item"), 3);
        assert_eq!(sink.count("account"), 0);
        let top = item(&sink, "7312345678900000001");
        assert_eq!(top.kind, ItemKind::Comment);
        assert_eq!(
            top.reply_to,
            Some(Key::new(PLATFORM, "7312345678901234567"))
        );
        assert_eq!(top.text, "بارك الله فيكم على التغطية #شكرا");
        assert_eq!(top.hashtags, vec!["شكرا"]);
        assert_eq!(top.metrics.get("likes"), Some(&31));
        assert_eq!(top.metrics.get("replies"), Some(&2));
        assert_eq!(top.created_at.unwrap().timestamp(), 1702383600);
        assert!(top.author.is_none());
        let reply = item(&sink, "7312345678900000002");
        assert_eq!(
            reply.reply_to,
            Some(Key::new(PLATFORM, "7312345678900000001"))
        );
        assert_eq!(reply.mentions[0].handle, "mutabi3_22");
        let edges = reply.derived_interactions();
        assert!(edges.is_empty(), "no author, so no derived edges");
        // Without parent_comment_id the comment answers the video.
        let third = item(&sink, "7312345678900000003");
        assert_eq!(
            third.reply_to,
            Some(Key::new(PLATFORM, "7312345678901234567"))
        );
    }

    #[test]
    fn user_info_trailing_comma_username_and_fallbacks() {
        let sink = read("user-info.jsonl");
        // Line 1: with username (and a trailing comma), line 2: display name only,
        // line 3: neither, line 4: an API error.
        assert_eq!(sink.count("account"), 2);
        let a = account(&sink, "@sahat_alakhbar");
        assert_eq!(a.display_name.as_deref(), Some("ساحة الأخبار"));
        assert_eq!(a.bio.as_deref(), Some("صفحة إخبارية مستقلة"));
        assert_eq!(
            a.avatar_url.as_deref(),
            Some("https://p16.example-cdn.com/avatar/sahat.jpeg")
        );
        assert_eq!(a.verified, Some(false));
        assert_eq!(a.followers, Some(15230));
        assert_eq!(a.following, Some(87));
        assert_eq!(a.metrics.get("likes"), Some(&402311));
        assert_eq!(a.metrics.get("videos"), Some(&318));
        assert_eq!(
            a.url.as_deref(),
            Some("https://www.tiktok.com/@sahat_alakhbar")
        );
        assert!(a.raw.data.contains("bio_url"), "{}", a.raw.data);
        let v: Value = serde_json::from_str(&a.raw.data).unwrap();
        assert_eq!(v["follower_count"], 15230);

        let b = account(&sink, "name:راوي الحكايات");
        assert_eq!(b.followers, Some(12));
        assert!(b.handle.is_none());

        assert_eq!(sink.rejects.len(), 1);
        let r = &sink.rejects[0];
        assert_eq!(r.field.as_deref(), Some("data.username"));
        assert_eq!(r.position.pointer.as_deref(), Some("document 3: data"));

        let kinds: Vec<_> = sink.notices.iter().map(|n| n.kind).collect();
        assert_eq!(
            kinds,
            vec![
                NoticeKind::Repaired,
                NoticeKind::Skipped,
                NoticeKind::Repaired
            ],
            "{:?}",
            sink.notices
        );
        assert!(sink.notices[0].message.contains("display name"));
        assert!(sink.notices[1].message.contains("rate_limit_exceeded"));
        assert!(sink.notices[1].message.contains("log_id"));
        assert_eq!(
            sink.notices[1].position.pointer.as_deref(),
            Some("document 4")
        );
        assert!(sink.notices[2].message.contains("1 repair(s)"));
        assert_eq!(sink.notices[2].position.pointer, None);
    }

    #[test]
    fn user_video_lists_and_pins() {
        let sink = read("user-videos.jsonl");
        assert_eq!(sink.count("item"), 3);
        assert_eq!(sink.count("account"), 2);
        let pins: Vec<_> = sink.interactions().collect();
        assert_eq!(pins.len(), 1);
        assert_eq!(pins[0].kind, InteractionKind::Pinned);
        assert_eq!(
            pins[0].source,
            Node::Account(Key::handle(PLATFORM, "sahat_alakhbar"))
        );
        assert_eq!(
            pins[0].target,
            Node::Item(Key::new(PLATFORM, "7300000000000000002"))
        );
        assert!(pins[0].raw.is_some());
        // A liked video by another creator: an item and its author, no edge.
        let liked = item(&sink, "7300000000000000001");
        assert_eq!(liked.author, Some(Key::handle(PLATFORM, "rawi.ar")));
        assert_eq!(liked.hashtags, vec!["حكايات"]);
        let reposted = item(&sink, "7300000000000000003");
        assert_eq!(reposted.metrics.get("views"), Some(&900));
    }

    #[test]
    fn followers_and_following_are_accounts() {
        let sink = read("followers.jsonl");
        assert_eq!(sink.count("account"), 3);
        assert_eq!(sink.count("interaction"), 0);
        let a = account(&sink, "@mutabi3_22");
        assert_eq!(a.display_name.as_deref(), Some("متابع ٢٢"));
        assert_eq!(a.url.as_deref(), Some("https://www.tiktok.com/@mutabi3_22"));
        assert!(account(&sink, "@rawi.ar").display_name.is_some());
        assert_eq!(sink.rejects.len(), 1);
        assert_eq!(sink.rejects[0].field.as_deref(), Some("username"));
        assert!(sink.notices.is_empty(), "an empty page is no notice");
    }

    #[test]
    fn truncated_file_keeps_good_records_and_names_line() {
        let (sink, res) = read_file(Format::TiktokResearch, &fixture("truncated.json"));
        assert_eq!(sink.count("item"), 3, "the three complete videos are kept");
        assert_eq!(sink.count("account"), 1);
        let err = res.unwrap_err();
        let pos = err.position().unwrap();
        assert!(pos.file.ends_with("truncated.json"));
        assert_eq!(pos.line, Some(29));
        assert!(err.to_string().contains("truncated.json:29"), "{err}");
    }

    #[test]
    fn unrelated_document_and_non_object_elements() {
        let input = concat!(
            r#"{"data":{"videos":[17,{"id":7300000000000000009,"video_description":"x"}]}}"#,
            "\n",
            r#"{"something":"else"}"#,
            "\n",
            r#"{"data":{"videos":[],"cursor":0,"has_more":false},"error":{"code":"ok","message":""}}"#,
        );
        let (sink, res) = read_bytes(Format::TiktokResearch, "mixed.jsonl", input.as_bytes());
        res.unwrap();
        assert_eq!(sink.count("item"), 1);
        assert_eq!(sink.rejects.len(), 1);
        assert_eq!(sink.rejects[0].reason, "expected a JSON object");
        assert_eq!(sink.notices.len(), 1, "{:?}", sink.notices);
        assert!(sink.notices[0].message.contains("something"));
    }

    #[test]
    fn stop_from_sink_is_propagated() {
        struct StopSink;
        impl Sink for StopSink {
            fn record(&mut self, _: Record) -> Result<(), Stop> {
                Err(Stop)
            }
            fn reject(&mut self, _: crate::Reject) -> Result<(), Stop> {
                Err(Stop)
            }
            fn notice(&mut self, _: Notice) {}
        }
        let input = br#"{"data":{"videos":[{"id":1},{"id":2}]}}"#;
        let res = TiktokResearch.read(Input::new(Path::new("s.json"), &input[..]), &mut StopSink);
        assert!(matches!(res, Err(SourceError::Stopped(_))));
    }
}
