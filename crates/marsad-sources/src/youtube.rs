//! `youtube`: YouTube Data API v3 list responses (`videos.list`, `commentThreads.list`,
//! `comments.list`, `channels.list`, `search.list`, `playlistItems.list`,
//! `subscriptions.list`).
//!
//! A file holds one response, several concatenated, or one per line; it is read through
//! [`TolerantJson`] (one `repaired` notice per file when trailing commas were dropped).
//! `items[]` is streamed element by element and each item is routed by its `kind` (or, when
//! absent, by the response's `kind`). See `docs/formats/youtube.md` for the full table.
//!
//! - `youtube#video` → `Item` (`video`; `live_stream` when the item has
//!   `liveStreamingDetails` or `snippet.liveBroadcastContent` is `live` / `upcoming`, with
//!   `is_live` when it is `live` or started without ending). Author and channel are
//!   `snippet.channelId` (one `Account` and one `Channel` per channel per file, named
//!   `channelTitle`); text is `title`, a blank line, `description`; `defaultLanguage` (else
//!   `defaultAudioLanguage`) → language; hashtags from `tags` and the `#tags` of title and
//!   description; mentions and links from the description; `statistics` (strings) → metrics
//!   `views`, `likes`, `dislikes`, `comments`, `favorites`, and
//!   `liveStreamingDetails.concurrentViewers` → `concurrent_viewers`;
//!   `recordingDetails.location` → geo, `locationDescription` → place name;
//!   `contentDetails.duration` (ISO 8601) → a video [`MediaRef`] with `duration_secs`, the
//!   largest thumbnail → a photo `MediaRef`; `contentDetails.regionRestriction.blocked` →
//!   `withheld_in`; url `https://www.youtube.com/watch?v=<id>`.
//! - `youtube#commentThread` → its top-level comment (raw: the whole thread) with
//!   `reply_to` the video and `totalReplyCount` → `replies`, plus each of
//!   `replies.comments[]` (raw: the reply itself) with `reply_to` its `parentId`.
//! - `youtube#comment` → `Item` comment: text `textOriginal` (else `textDisplay` as plain
//!   text), `publishedAt` / `updatedAt`, `likeCount` → `likes`, author
//!   `authorChannelId.value` (one `Account` per author per file), channel `channelId`.
//! - `youtube#channel` → `Account` and `Channel` (`customUrl` → handle, `subscriberCount` →
//!   followers / member count unless hidden, `videoCount`, `viewCount`, `country`).
//! - `youtube#searchResult` → a reference video `Item` from the snippet (HTML entities
//!   decoded) or, for a channel result, an `Account` and `Channel`; playlists are skipped.
//! - `youtube#playlistItem` → a reference video `Item` (author `videoOwnerChannelId`,
//!   `contentDetails.videoPublishedAt`); private and deleted placeholders are skipped.
//! - `youtube#subscription` → a `follows` interaction from the subscriber to the channel.
//!
//! Other item kinds are counted and reported in one `skipped` notice per kind; a response
//! with `error` becomes a `skipped` notice.

use crate::util::{
    hashtags_in, json_i64, json_id, json_str, links_in, mentions_in, parse_time, reject,
    stream_json, DocumentEnd, Element, TolerantJson,
};
use crate::{Format, Input, Notice, NoticeKind, Position, Sink, Source, SourceError, Stop};
use chrono::{DateTime, Utc};
use marsad_model::{
    Account, Channel, ChannelKind, GeoPoint, Interaction, InteractionKind, Item, ItemKind, Key,
    MediaKind, MediaRef, Mention, Node, Place, Platform, Raw, Record,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

const NAME: &str = "youtube";
const PLATFORM: Platform = Platform::Youtube;

/// Importer for YouTube Data API v3 responses.
#[derive(Debug, Clone, Copy, Default)]
pub struct YouTube;

impl Source for YouTube {
    fn format(&self) -> Format {
        Format::Youtube
    }

    fn read(&self, input: Input<'_>, sink: &mut dyn Sink) -> Result<(), SourceError> {
        let file = input.path.to_path_buf();
        let reader = TolerantJson::new(input.reader);
        let repairs = reader.repairs();
        let state = RefCell::new(State {
            file: file.clone(),
            sink,
            accounts: HashSet::new(),
            channels: HashSet::new(),
            skipped: BTreeMap::new(),
        });
        let res = stream_json(
            reader,
            &file,
            &[&["items"]],
            &mut |el| state.borrow_mut().element(&el),
            &mut |end| state.borrow_mut().document(end),
        );
        let state = state.into_inner();
        for (what, n) in &state.skipped {
            state.sink.notice(Notice {
                kind: NoticeKind::Skipped,
                position: Position::file(&file),
                message: format!("skipped {n} item(s) of kind {what}: not mapped"),
            });
        }
        let n = repairs.load(Ordering::Relaxed);
        if n > 0 {
            state.sink.notice(Notice {
                kind: NoticeKind::Repaired,
                position: Position::file(&file),
                message: format!("not valid JSON: dropped {n} trailing comma(s) and read it"),
            });
        }
        res
    }
}

/// A record that cannot be mapped: the field to blame and why. Mapping functions return
/// `Err(Fault)` for a reject, else `Ok` of what the sink said (`Err(Stop)` to stop).
type Fault = (String, String);

fn fault(field: &str, reason: &str) -> Fault {
    (field.to_string(), reason.to_string())
}

struct State<'s> {
    file: PathBuf,
    sink: &'s mut dyn Sink,
    /// Channel ids whose `Account` was emitted in this file.
    accounts: HashSet<String>,
    /// Channel ids whose `Channel` was emitted in this file.
    channels: HashSet<String>,
    /// Items not mapped, by kind, for one notice each at the end.
    skipped: BTreeMap<String, u64>,
}

impl State<'_> {
    fn element(&mut self, el: &Element<'_>) -> Result<(), Stop> {
        let raw = el.raw.get();
        let v: Value = match serde_json::from_str(raw) {
            Ok(v @ Value::Object(_)) => v,
            _ => return self.reject(el, None, "expected a JSON object".into()),
        };
        let kind = match str_at(&v, "/kind").or_else(|| {
            el.root("kind")
                .and_then(Value::as_str)
                .and_then(item_kind_of_response)
        }) {
            Some(k) => k,
            None => {
                return self.reject(
                    el,
                    Some("kind"),
                    "no `kind`: cannot tell the resource".into(),
                )
            }
        };
        let res = match kind.as_str() {
            "youtube#video" => self.video(raw, &v),
            "youtube#commentThread" => self.thread(el, &v),
            "youtube#comment" => self.comment(raw, &v, None).map(|c| self.emit_comment(c)),
            "youtube#channel" => self.channel(raw, &v),
            "youtube#searchResult" => self.search_result(raw, &v),
            "youtube#playlistItem" => self.playlist_item(raw, &v),
            "youtube#subscription" => self.subscription(raw, &v),
            _ => {
                *self.skipped.entry(kind).or_default() += 1;
                Ok(Ok(()))
            }
        };
        match res {
            Ok(done) => done,
            Err((field, reason)) => self.reject(el, Some(&field), reason),
        }
    }

    fn reject(
        &mut self,
        el: &Element<'_>,
        field: Option<&str>,
        reason: String,
    ) -> Result<(), Stop> {
        let r = reject(NAME, el.position(&self.file), field, reason, el.raw.get());
        self.sink.reject(r)
    }

    /// Emits the account (and channel) of a video's channel once per file.
    fn channel_of_item(&mut self, id: &str, title: Option<String>, raw: &str) -> Result<(), Stop> {
        let key = Key::new(PLATFORM, id);
        if self.accounts.insert(id.to_string()) {
            let mut a = Account::new(key.clone(), Raw::new(NAME, raw));
            a.display_name = title.clone();
            a.url = Some(channel_url(id));
            self.sink.record(Record::Account(a))?;
        }
        if self.channels.insert(id.to_string()) {
            let mut c = Channel::new(key.clone(), ChannelKind::Channel, Raw::new(NAME, raw));
            c.name = title;
            c.owner = Some(key);
            self.sink.record(Record::Channel(c))?;
        }
        Ok(())
    }

    /// `youtube#video`.
    fn video(&mut self, raw: &str, v: &Value) -> Result<Result<(), Stop>, Fault> {
        let id = id_at(v, "/id").ok_or_else(|| fault("id", "missing video id"))?;
        let key = Key::new(PLATFORM, &id);
        let broadcast = str_at(v, "/snippet/liveBroadcastContent");
        let live = v.get("liveStreamingDetails");
        let started = live.and_then(|l| l.get("actualStartTime")).is_some();
        let ended = live.and_then(|l| l.get("actualEndTime")).is_some();
        let kind = if live.is_some() || matches!(broadcast.as_deref(), Some("live" | "upcoming")) {
            ItemKind::LiveStream
        } else {
            ItemKind::Video
        };
        let mut item = Item::new(key, kind, Raw::new(NAME, raw));
        item.is_live = broadcast.as_deref() == Some("live") || (started && !ended);
        let channel = id_at(v, "/snippet/channelId");
        item.author = channel.as_deref().map(|c| Key::new(PLATFORM, c));
        item.channel = item.author.clone();
        item.created_at = time_at(v, "/snippet/publishedAt");
        let title = str_at(v, "/snippet/title").unwrap_or_default();
        let description = str_at(v, "/snippet/description").unwrap_or_default();
        item.text = title_and_description(&title, &description);
        item.language = str_at(v, "/snippet/defaultLanguage")
            .or_else(|| str_at(v, "/snippet/defaultAudioLanguage"));
        let mut tags = strings_at(v, "/snippet/tags");
        tags.extend(hashtags_in(&title));
        tags.extend(hashtags_in(&description));
        item.hashtags = dedupe_ci(tags);
        item.mentions = mentions(&description);
        item.links = links_in(&description);
        item.url = Some(watch_url(&id));
        for (field, metric) in [
            ("viewCount", "views"),
            ("likeCount", "likes"),
            ("dislikeCount", "dislikes"),
            ("commentCount", "comments"),
            ("favoriteCount", "favorites"),
        ] {
            if let Some(n) = v
                .pointer(&format!("/statistics/{field}"))
                .and_then(json_i64)
            {
                item.metrics.insert(metric.to_string(), n);
            }
        }
        if let Some(n) = v
            .pointer("/liveStreamingDetails/concurrentViewers")
            .and_then(json_i64)
        {
            item.metrics.insert("concurrent_viewers".to_string(), n);
        }
        let lat = v
            .pointer("/recordingDetails/location/latitude")
            .and_then(Value::as_f64);
        let lon = v
            .pointer("/recordingDetails/location/longitude")
            .and_then(Value::as_f64);
        if let (Some(lat), Some(lon)) = (lat, lon) {
            item.geo = GeoPoint::new(lat, lon);
        }
        if let Some(name) = str_at(v, "/recordingDetails/locationDescription") {
            item.place = Some(Place {
                name: Some(name),
                ..Place::default()
            });
        }
        if let Some(secs) = str_at(v, "/contentDetails/duration")
            .and_then(|d| iso_duration(&d))
            .filter(|s| *s > 0.0)
        {
            let mut m = MediaRef::new(MediaKind::Video);
            m.platform_id = Some(id.clone());
            m.duration_secs = Some(secs);
            item.media.push(m);
        }
        item.media
            .extend(thumbnail(v.pointer("/snippet/thumbnails")));
        item.withheld_in = strings_at(v, "/contentDetails/regionRestriction/blocked")
            .into_iter()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        Ok(self.emit_with_channel(item, channel, str_at(v, "/snippet/channelTitle"), raw))
    }

    fn emit_with_channel(
        &mut self,
        item: Item,
        channel: Option<String>,
        title: Option<String>,
        raw: &str,
    ) -> Result<(), Stop> {
        if let Some(c) = &channel {
            self.channel_of_item(c, title, raw)?;
        }
        self.sink.record(Record::Item(item))
    }

    /// `youtube#commentThread`: the top-level comment and the replies included with it.
    fn thread(&mut self, el: &Element<'_>, v: &Value) -> Result<Result<(), Stop>, Fault> {
        let raw = el.raw.get();
        let top = v
            .pointer("/snippet/topLevelComment")
            .filter(|t| t.is_object())
            .ok_or_else(|| fault("snippet.topLevelComment", "thread without its comment"))?;
        let video = id_at(v, "/snippet/videoId");
        let mut top = self
            .comment(raw, top, video.as_deref())
            .map_err(|(field, reason)| (format!("snippet.topLevelComment.{field}"), reason))?;
        let top_key = top.item.key.clone();
        let item = &mut top.item;
        if let Some(n) = v.pointer("/snippet/totalReplyCount").and_then(json_i64) {
            item.metrics.insert("replies".to_string(), n);
        }
        if item.channel.is_none() {
            item.channel = id_at(v, "/snippet/channelId").map(|c| Key::new(PLATFORM, c));
        }
        if let Err(stop) = self.emit_comment(top) {
            return Ok(Err(stop));
        }
        // Replies, each with its own verbatim text as raw record.
        let replies = match serde_json::from_str::<ThreadReplies<'_>>(raw) {
            Ok(t) => t.replies.map(|r| r.comments).unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        for (i, reply) in replies.iter().enumerate() {
            let text = reply.get();
            let res = serde_json::from_str::<Value>(text)
                .map_err(|e| fault("id", &e.to_string()))
                .and_then(|rv| {
                    let mut c = self.comment(text, &rv, video.as_deref())?;
                    if rv.pointer("/snippet/parentId").is_none() {
                        c.item.reply_to = Some(top_key.clone());
                    }
                    Ok(c)
                });
            let done = match res {
                Ok(comment) => self.emit_comment(comment),
                Err((field, reason)) => {
                    let field = format!("replies.comments[{i}].{field}");
                    let position = el.position(&self.file);
                    let r = reject(NAME, position, Some(&field), reason, text);
                    self.sink.reject(r)
                }
            };
            if let Err(stop) = done {
                return Ok(Err(stop));
            }
        }
        Ok(Ok(()))
    }

    /// A `youtube#comment` as an item and its author's account; `video` is the thread's
    /// video when known.
    fn comment(&self, raw: &str, c: &Value, video: Option<&str>) -> Result<Comment, Fault> {
        let id = id_at(c, "/id").ok_or_else(|| fault("id", "missing comment id"))?;
        let mut item = Item::new(
            Key::new(PLATFORM, &id),
            ItemKind::Comment,
            Raw::new(NAME, raw),
        );
        let video = id_at(c, "/snippet/videoId").or_else(|| video.map(str::to_string));
        let parent = id_at(c, "/snippet/parentId");
        item.reply_to = parent
            .as_deref()
            .or(video.as_deref())
            .map(|k| Key::new(PLATFORM, k));
        item.channel = id_at(c, "/snippet/channelId").map(|k| Key::new(PLATFORM, k));
        item.author = id_at(c, "/snippet/authorChannelId/value")
            .or_else(|| id_at(c, "/snippet/authorChannelId"))
            .map(|k| Key::new(PLATFORM, k));
        item.created_at = time_at(c, "/snippet/publishedAt");
        item.edited_at = time_at(c, "/snippet/updatedAt").filter(|t| Some(*t) != item.created_at);
        item.text = str_at(c, "/snippet/textOriginal")
            .or_else(|| str_at(c, "/snippet/textDisplay").map(|t| html_to_text(&t)))
            .unwrap_or_default();
        item.hashtags = hashtags_in(&item.text);
        item.mentions = mentions(&item.text);
        item.links = links_in(&item.text);
        if let Some(n) = c.pointer("/snippet/likeCount").and_then(json_i64) {
            item.metrics.insert("likes".to_string(), n);
        }
        item.url = video.map(|vid| format!("{}&lc={id}", watch_url(&vid)));
        let account = match &item.author {
            Some(author) if !self.accounts.contains(&author.id) => {
                let mut a = Account::new(author.clone(), Raw::new(NAME, raw));
                match str_at(c, "/snippet/authorDisplayName") {
                    // Since 2023 the display name is the `@handle`.
                    Some(name) if name.starts_with('@') => {
                        a.handle = Some(name.trim_start_matches('@').to_string())
                    }
                    name => a.display_name = name,
                }
                a.avatar_url = str_at(c, "/snippet/authorProfileImageUrl");
                a.url = str_at(c, "/snippet/authorChannelUrl")
                    .or_else(|| Some(channel_url(&author.id)));
                Some(a)
            }
            _ => None,
        };
        Ok(Comment { item, account })
    }

    /// Emits a comment, after its author's account when that is new in this file.
    fn emit_comment(&mut self, c: Comment) -> Result<(), Stop> {
        if let Some(a) = c.account {
            if self.accounts.insert(a.key.id.clone()) {
                self.sink.record(Record::Account(a))?;
            }
        }
        self.sink.record(Record::Item(c.item))
    }

    /// `youtube#channel`.
    fn channel(&mut self, raw: &str, v: &Value) -> Result<Result<(), Stop>, Fault> {
        let id = id_at(v, "/id").ok_or_else(|| fault("id", "missing channel id"))?;
        let key = Key::new(PLATFORM, &id);
        let title = str_at(v, "/snippet/title");
        let handle = str_at(v, "/snippet/customUrl")
            .map(|h| h.trim_start_matches('@').to_string())
            .filter(|h| !h.is_empty());
        let description = str_at(v, "/snippet/description");
        let created = time_at(v, "/snippet/publishedAt");
        let hidden = v
            .pointer("/statistics/hiddenSubscriberCount")
            .and_then(Value::as_bool)
            == Some(true);
        let subscribers = if hidden {
            None
        } else {
            v.pointer("/statistics/subscriberCount").and_then(json_i64)
        };
        let mut a = Account::new(key.clone(), Raw::new(NAME, raw));
        a.handle = handle.clone();
        a.display_name = title.clone();
        a.bio = description.clone();
        a.avatar_url = thumbnail(v.pointer("/snippet/thumbnails")).and_then(|m| m.url);
        a.url = Some(channel_url(&id));
        a.location = str_at(v, "/snippet/country")
            .or_else(|| str_at(v, "/brandingSettings/channel/country"));
        a.created_at = created;
        a.followers = subscribers;
        for (field, metric) in [("videoCount", "videos"), ("viewCount", "views")] {
            if let Some(n) = v
                .pointer(&format!("/statistics/{field}"))
                .and_then(json_i64)
            {
                a.metrics.insert(metric.to_string(), n);
            }
        }
        let mut c = Channel::new(key.clone(), ChannelKind::Channel, Raw::new(NAME, raw));
        c.name = title;
        c.handle = handle;
        c.description = description;
        c.member_count = subscribers;
        c.owner = Some(key);
        c.created_at = created;
        self.accounts.insert(id.clone());
        self.channels.insert(id);
        Ok(self
            .sink
            .record(Record::Account(a))
            .and_then(|()| self.sink.record(Record::Channel(c))))
    }

    /// `youtube#searchResult`: a video or channel known from its search snippet.
    fn search_result(&mut self, raw: &str, v: &Value) -> Result<Result<(), Stop>, Fault> {
        let title = str_at(v, "/snippet/title").map(|t| unescape_html(&t));
        let description = str_at(v, "/snippet/description").map(|t| unescape_html(&t));
        let channel = id_at(v, "/snippet/channelId");
        let channel_title = str_at(v, "/snippet/channelTitle").map(|t| unescape_html(&t));
        match str_at(v, "/id/kind").as_deref() {
            Some("youtube#video") => {
                let id = id_at(v, "/id/videoId")
                    .ok_or_else(|| fault("id.videoId", "missing video id"))?;
                let broadcast = str_at(v, "/snippet/liveBroadcastContent");
                let kind = match broadcast.as_deref() {
                    Some("live" | "upcoming") => ItemKind::LiveStream,
                    _ => ItemKind::Video,
                };
                let mut item = Item::new(Key::new(PLATFORM, &id), kind, Raw::new(NAME, raw));
                item.is_live = broadcast.as_deref() == Some("live");
                item.author = channel.as_deref().map(|c| Key::new(PLATFORM, c));
                item.channel = item.author.clone();
                item.created_at = time_at(v, "/snippet/publishedAt")
                    .or_else(|| time_at(v, "/snippet/publishTime"));
                let title = title.unwrap_or_default();
                let description = description.unwrap_or_default();
                item.text = title_and_description(&title, &description);
                let mut tags = hashtags_in(&title);
                tags.extend(hashtags_in(&description));
                item.hashtags = dedupe_ci(tags);
                item.mentions = mentions(&description);
                item.links = links_in(&description);
                item.url = Some(watch_url(&id));
                item.media
                    .extend(thumbnail(v.pointer("/snippet/thumbnails")));
                Ok(self.emit_with_channel(item, channel, channel_title, raw))
            }
            Some("youtube#channel") => {
                let id = id_at(v, "/id/channelId")
                    .or(channel)
                    .ok_or_else(|| fault("id.channelId", "missing channel id"))?;
                let key = Key::new(PLATFORM, &id);
                let mut a = Account::new(key.clone(), Raw::new(NAME, raw));
                a.display_name = title.clone().or(channel_title);
                a.bio = description.clone();
                a.avatar_url = thumbnail(v.pointer("/snippet/thumbnails")).and_then(|m| m.url);
                a.url = Some(channel_url(&id));
                a.created_at = time_at(v, "/snippet/publishedAt");
                let mut c = Channel::new(key.clone(), ChannelKind::Channel, Raw::new(NAME, raw));
                c.name = a.display_name.clone();
                c.description = description;
                c.created_at = a.created_at;
                c.owner = Some(key);
                self.accounts.insert(id.clone());
                self.channels.insert(id);
                Ok(self
                    .sink
                    .record(Record::Account(a))
                    .and_then(|()| self.sink.record(Record::Channel(c))))
            }
            Some(other) => {
                *self
                    .skipped
                    .entry(format!("youtube#searchResult ({other})"))
                    .or_default() += 1;
                Ok(Ok(()))
            }
            None => Err(fault("id.kind", "search result without `id.kind`")),
        }
    }

    /// `youtube#playlistItem`: the video a playlist entry points at.
    fn playlist_item(&mut self, raw: &str, v: &Value) -> Result<Result<(), Stop>, Fault> {
        let id = id_at(v, "/contentDetails/videoId")
            .or_else(|| id_at(v, "/snippet/resourceId/videoId"))
            .ok_or_else(|| fault("snippet.resourceId.videoId", "missing video id"))?;
        let owner = id_at(v, "/snippet/videoOwnerChannelId");
        let title = str_at(v, "/snippet/title").unwrap_or_default();
        if owner.is_none() && matches!(title.as_str(), "Private video" | "Deleted video") {
            *self
                .skipped
                .entry("youtube#playlistItem (private or deleted video)".to_string())
                .or_default() += 1;
            return Ok(Ok(()));
        }
        let mut item = Item::new(
            Key::new(PLATFORM, &id),
            ItemKind::Video,
            Raw::new(NAME, raw),
        );
        item.author = owner.as_deref().map(|c| Key::new(PLATFORM, c));
        item.channel = item.author.clone();
        // `snippet.publishedAt` is when the video was added to the playlist.
        item.created_at = time_at(v, "/contentDetails/videoPublishedAt");
        let description = str_at(v, "/snippet/description").unwrap_or_default();
        item.text = title_and_description(&title, &description);
        let mut tags = hashtags_in(&title);
        tags.extend(hashtags_in(&description));
        item.hashtags = dedupe_ci(tags);
        item.mentions = mentions(&description);
        item.links = links_in(&description);
        item.url = Some(watch_url(&id));
        item.media
            .extend(thumbnail(v.pointer("/snippet/thumbnails")));
        let owner_title = str_at(v, "/snippet/videoOwnerChannelTitle");
        Ok(self.emit_with_channel(item, owner, owner_title, raw))
    }

    /// `youtube#subscription`: who subscribes to which channel.
    fn subscription(&mut self, raw: &str, v: &Value) -> Result<Result<(), Stop>, Fault> {
        let target = id_at(v, "/snippet/resourceId/channelId").ok_or_else(|| {
            fault(
                "snippet.resourceId.channelId",
                "missing the subscribed channel",
            )
        })?;
        let subscriber = id_at(v, "/subscriberSnippet/channelId")
            .or_else(|| id_at(v, "/snippet/channelId"))
            .filter(|s| *s != target);
        let mut out = Vec::new();
        let mut a = Account::new(Key::new(PLATFORM, &target), Raw::new(NAME, raw));
        a.display_name = str_at(v, "/snippet/title");
        a.bio = str_at(v, "/snippet/description");
        a.avatar_url = thumbnail(v.pointer("/snippet/thumbnails")).and_then(|m| m.url);
        a.url = Some(channel_url(&target));
        self.accounts.insert(target.clone());
        out.push(Record::Account(a));
        if let Some(s) = &subscriber {
            if v.get("subscriberSnippet").is_some() {
                self.accounts.insert(s.clone());
                let mut a = Account::new(Key::new(PLATFORM, s), Raw::new(NAME, raw));
                a.display_name = str_at(v, "/subscriberSnippet/title");
                a.bio = str_at(v, "/subscriberSnippet/description");
                a.avatar_url =
                    thumbnail(v.pointer("/subscriberSnippet/thumbnails")).and_then(|m| m.url);
                a.url = Some(channel_url(s));
                out.push(Record::Account(a));
            }
            out.push(Record::Interaction(Interaction {
                kind: InteractionKind::Follows,
                source: Node::Account(Key::new(PLATFORM, s)),
                target: Node::Account(Key::new(PLATFORM, &target)),
                at: time_at(v, "/snippet/publishedAt"),
                item: None,
                raw: Some(Raw::new(NAME, raw)),
            }));
        }
        Ok(out.into_iter().try_for_each(|r| self.sink.record(r)))
    }

    fn document(&mut self, end: DocumentEnd) -> Result<(), Stop> {
        let root = |key: &str| {
            end.values
                .iter()
                .find(|e| e.object.is_empty() && e.key == key)
                .map(|e| &e.value)
        };
        let position = Position {
            pointer: Some(format!("document {}", end.doc)),
            ..Position::file(&self.file)
        };
        if let Some(error) = root("error") {
            let code = error.get("code").and_then(json_id);
            let message = error.get("message").and_then(json_str).unwrap_or_default();
            let reasons: Vec<String> = match error.get("errors") {
                Some(Value::Array(es)) => es
                    .iter()
                    .filter_map(|e| e.get("reason").and_then(json_str))
                    .collect(),
                _ => Vec::new(),
            };
            let mut text = format!("API error {}", code.as_deref().unwrap_or("(no code)"));
            if !reasons.is_empty() {
                text.push_str(&format!(" ({})", reasons.join(", ")));
            }
            text.push_str(&format!(": {message}"));
            self.sink.notice(Notice {
                kind: NoticeKind::Skipped,
                position,
                message: text,
            });
            return Ok(());
        }
        if end.matched {
            return Ok(());
        }
        match root("kind").and_then(Value::as_str) {
            // An empty page.
            Some(k) if k.ends_with("ListResponse") => {}
            Some(k) if k.starts_with("youtube#") => self.sink.notice(Notice {
                kind: NoticeKind::Skipped,
                position,
                message: format!(
                    "a bare {k} resource, not a list response: wrap resources as \
                     {{\"items\": [...]}} to import them"
                ),
            }),
            _ => self.sink.notice(Notice {
                kind: NoticeKind::Skipped,
                position,
                message: "no YouTube Data API response in this document".to_string(),
            }),
        }
        Ok(())
    }
}

/// A mapped comment and, when new in this file, its author's account.
struct Comment {
    item: Item,
    account: Option<Account>,
}

/// The replies of a comment thread as verbatim JSON text.
#[derive(Deserialize)]
struct ThreadReplies<'a> {
    #[serde(borrow, default)]
    replies: Option<RepliesRaw<'a>>,
}

#[derive(Deserialize)]
struct RepliesRaw<'a> {
    #[serde(borrow, default)]
    comments: Vec<&'a RawValue>,
}

/// The item kind of a list response's items (`youtube#videoListResponse` → `youtube#video`).
fn item_kind_of_response(kind: &str) -> Option<String> {
    match kind {
        "youtube#searchListResponse" => Some("youtube#searchResult".to_string()),
        k => k
            .strip_suffix("ListResponse")
            .filter(|k| k.len() > "youtube#".len())
            .map(str::to_string),
    }
}

fn str_at(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer).and_then(json_str)
}

fn id_at(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer).and_then(json_id)
}

fn time_at(v: &Value, pointer: &str) -> Option<DateTime<Utc>> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .and_then(parse_time)
}

fn strings_at(v: &Value, pointer: &str) -> Vec<String> {
    match v.pointer(pointer) {
        Some(Value::Array(a)) => a.iter().filter_map(json_str).collect(),
        _ => Vec::new(),
    }
}

fn watch_url(id: &str) -> String {
    format!("https://www.youtube.com/watch?v={id}")
}

fn channel_url(id: &str) -> String {
    format!("https://www.youtube.com/channel/{id}")
}

fn title_and_description(title: &str, description: &str) -> String {
    match (title.is_empty(), description.is_empty()) {
        (_, true) => title.to_string(),
        (true, false) => description.to_string(),
        (false, false) => format!("{title}\n\n{description}"),
    }
}

fn mentions(text: &str) -> Vec<Mention> {
    mentions_in(text)
        .into_iter()
        .map(|handle| Mention {
            handle,
            account: None,
        })
        .collect()
}

/// Non-empty strings without a leading `#`, de-duplicated case-insensitively.
fn dedupe_ci(it: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    it.into_iter()
        .map(|s| s.trim().trim_start_matches('#').to_string())
        .filter(|s| !s.is_empty() && seen.insert(s.to_lowercase()))
        .collect()
}

/// The largest of a `thumbnails` object's images as a photo [`MediaRef`].
fn thumbnail(thumbnails: Option<&Value>) -> Option<MediaRef> {
    let obj = thumbnails?.as_object()?;
    // Preference when sizes are missing: the usual order from largest to smallest.
    let rank = |name: &str| {
        ["maxres", "standard", "high", "medium", "default"]
            .iter()
            .position(|n| *n == name)
            .unwrap_or(5)
    };
    let dim = |t: &Value, k: &str| {
        t.get(k)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    };
    let (_, best) = obj
        .iter()
        .filter(|(_, t)| t.get("url").and_then(json_str).is_some())
        .min_by_key(|(name, t)| {
            let area =
                u64::from(dim(t, "width").unwrap_or(0)) * u64::from(dim(t, "height").unwrap_or(0));
            (std::cmp::Reverse(area), rank(name))
        })?;
    let mut m = MediaRef::new(MediaKind::Photo);
    m.url = best.get("url").and_then(json_str);
    m.width = dim(best, "width");
    m.height = dim(best, "height");
    Some(m)
}

/// Seconds of an ISO 8601 duration as YouTube writes them (`PT1H2M3S`, `P1DT2H`, `P0D`,
/// `PT15.5S`, `P1W`). Years and months have no fixed length and give `None`.
pub fn iso_duration(s: &str) -> Option<f64> {
    let rest = s.trim().strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    if date.is_empty() && time.is_none() {
        return None;
    }
    let mut secs = units(date, &[('W', 604_800.0), ('D', 86_400.0)])?;
    if let Some(t) = time {
        secs += units(t, &[('H', 3_600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    Some(secs)
}

/// Sums `<number><unit>` groups whose units appear in `table`, in the table's order.
fn units(s: &str, table: &[(char, f64)]) -> Option<f64> {
    let mut total = 0.0;
    let mut next = 0;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' || c == ',' {
            num.push(if c == ',' { '.' } else { c });
            continue;
        }
        let i = next + table[next..].iter().position(|(u, _)| *u == c)?;
        let n: f64 = num.parse().ok()?;
        total += n * table[i].1;
        num.clear();
        next = i + 1;
    }
    num.is_empty().then_some(total)
}

/// Decodes the HTML entities YouTube puts in search snippets (`&#39;`, `&quot;`, `&amp;`).
fn unescape_html(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let decoded = tail.find(';').filter(|&j| j <= 10).and_then(|j| {
            let c = match &tail[1..j] {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                e => {
                    let code = if let Some(h) = e.strip_prefix("#x").or(e.strip_prefix("#X")) {
                        u32::from_str_radix(h, 16).ok()
                    } else {
                        e.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    code.and_then(char::from_u32)
                }
            }?;
            Some((c, j + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `textDisplay` (HTML) as plain text: `<br>` becomes a newline, other tags are dropped,
/// entities are decoded.
fn html_to_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match tail.find('>') {
            Some(j) => {
                let tag = tail[1..j].trim().to_ascii_lowercase();
                if tag == "br" || tag == "br/" || tag == "br /" {
                    out.push('\n');
                }
                rest = &tail[j + 1..];
            }
            None => {
                out.push_str(tail);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    unescape_html(&out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::{read_bytes, read_file, VecSink};
    use std::path::Path;

    const CH1: &str = "UCs4hAt7vAbCdEfGhIjKlMnO";
    const CH2: &str = "UCm1nb4rHiWaRqRsTuVwXyZa";

    fn read(name: &str) -> VecSink {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/youtube")
            .join(name);
        let (sink, res) = read_file(Format::Youtube, &path);
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

    fn key(id: &str) -> Key {
        Key::new(PLATFORM, id)
    }

    #[test]
    fn videos_map_every_field() {
        let sink = read("videos.json");
        assert_eq!(sink.count("item"), 4);
        assert_eq!(sink.count("account"), 2, "one per channel");
        assert_eq!(sink.count("channel"), 2);
        assert_eq!(sink.count("interaction"), 0);
        assert!(sink.notices.is_empty(), "{:?}", sink.notices);

        let v = item(&sink, "a1B2c3D4e5F");
        assert_eq!(v.kind, ItemKind::Video);
        assert!(!v.is_live);
        assert_eq!(v.author, Some(key(CH1)));
        assert_eq!(v.channel, Some(key(CH1)));
        assert_eq!(
            v.created_at.unwrap().to_rfc3339(),
            "2024-03-10T18:30:00+00:00"
        );
        assert_eq!(
            v.text,
            "نشرة المساء: تغطية خاصة #أخبار\n\nملخص أحداث اليوم مع @murasil_yt\nالمصدر: https://example.org/nashra #تقرير"
        );
        assert_eq!(v.language.as_deref(), Some("ar"));
        assert_eq!(v.hashtags, vec!["أخبار", "تقرير", "نشرة"]);
        assert_eq!(v.mentions[0].handle, "murasil_yt");
        assert_eq!(v.links, vec!["https://example.org/nashra"]);
        assert_eq!(
            v.url.as_deref(),
            Some("https://www.youtube.com/watch?v=a1B2c3D4e5F")
        );
        let m = |k: &str| v.metrics.get(k).copied();
        assert_eq!(m("views"), Some(15230));
        assert_eq!(m("likes"), Some(830));
        assert_eq!(m("favorites"), Some(0));
        assert_eq!(m("comments"), Some(112));
        let geo = v.geo.unwrap();
        assert!((geo.lat - 33.3152).abs() < 1e-9 && (geo.lon - 44.3661).abs() < 1e-9);
        assert_eq!(v.place.as_ref().unwrap().name.as_deref(), Some("بغداد"));
        assert_eq!(v.media.len(), 2);
        assert_eq!(v.media[0].kind, MediaKind::Video);
        assert_eq!(v.media[0].duration_secs, Some(3723.0));
        assert_eq!(v.media[0].platform_id.as_deref(), Some("a1B2c3D4e5F"));
        assert_eq!(v.media[1].kind, MediaKind::Photo);
        assert_eq!(
            v.media[1].url.as_deref(),
            Some("https://i.ytimg.com/vi/a1B2c3D4e5F/maxresdefault.jpg")
        );
        assert_eq!(
            (v.media[1].width, v.media[1].height),
            (Some(1280), Some(720))
        );
        assert_eq!(v.withheld_in, vec!["DE", "FR"]);
        assert_eq!(v.raw.source, "youtube");
        assert!(v.raw.data.starts_with('{') && v.raw.data.contains("\"etag\": \"e1\""));

        let live = item(&sink, "L1v3NowAAAA");
        assert_eq!(live.kind, ItemKind::LiveStream);
        assert!(live.is_live);
        assert_eq!(live.metrics.get("concurrent_viewers"), Some(&2150));
        assert_eq!(live.language.as_deref(), Some("ar"), "defaultAudioLanguage");
        assert_eq!(live.text, "بث مباشر من الساحة");
        assert!(
            live.media.iter().all(|m| m.kind == MediaKind::Photo),
            "P0D is no duration"
        );
        assert_eq!(
            live.media[0].url.as_deref(),
            Some("https://i.ytimg.com/vi/L1v3NowAAAA/hqdefault.jpg")
        );

        let done = item(&sink, "Fin1shedBc0");
        assert_eq!(done.kind, ItemKind::LiveStream);
        assert!(!done.is_live);
        assert_eq!(done.media[0].duration_secs, Some(2700.0));
        let upcoming = item(&sink, "Upc0m1ngXYZ");
        assert_eq!(upcoming.kind, ItemKind::LiveStream);
        assert!(!upcoming.is_live);

        let a = account(&sink, CH1);
        assert_eq!(a.display_name.as_deref(), Some("قناة الساحة"));
        assert_eq!(
            a.url.as_deref(),
            Some("https://www.youtube.com/channel/UCs4hAt7vAbCdEfGhIjKlMnO")
        );
        let c = sink.channels().find(|c| c.key.id == CH2).unwrap();
        assert_eq!(c.kind, ChannelKind::Channel);
        assert_eq!(c.name.as_deref(), Some("منبر الحوار"));
        assert_eq!(c.owner, Some(key(CH2)));
    }

    #[test]
    fn video_without_id_is_rejected() {
        let sink = read("videos.json");
        assert_eq!(sink.rejects.len(), 1);
        let r = &sink.rejects[0];
        assert_eq!(r.field.as_deref(), Some("id"));
        assert_eq!(r.position.record, Some(4));
        assert_eq!(r.position.pointer.as_deref(), Some("items[3]"));
        assert!(r.raw_excerpt.contains("فيديو بلا معرف"));
    }

    #[test]
    fn comment_threads_and_replies() {
        let sink = read("comment-threads.json");
        assert_eq!(sink.count("item"), 3);
        assert_eq!(sink.count("account"), 2, "one per author");
        assert_eq!(sink.count("channel"), 0);

        let top = item(&sink, "UgzThread1AAAA");
        assert_eq!(top.kind, ItemKind::Comment);
        assert_eq!(top.reply_to, Some(key("a1B2c3D4e5F")));
        assert_eq!(top.author, Some(key("UCmu5hAh1d00000000000001")));
        assert_eq!(top.channel, Some(key(CH1)));
        assert_eq!(top.text, "تقرير ممتاز \"شكرا\"\n#نشرة");
        assert_eq!(top.hashtags, vec!["نشرة"]);
        assert_eq!(top.metrics.get("likes"), Some(&14));
        assert_eq!(top.metrics.get("replies"), Some(&2));
        assert_eq!(
            top.created_at.unwrap().to_rfc3339(),
            "2024-03-10T19:00:00+00:00"
        );
        assert_eq!(
            top.edited_at.unwrap().to_rfc3339(),
            "2024-03-10T19:05:00+00:00"
        );
        assert_eq!(
            top.url.as_deref(),
            Some("https://www.youtube.com/watch?v=a1B2c3D4e5F&lc=UgzThread1AAAA")
        );
        assert!(
            top.raw.data.contains("totalReplyCount"),
            "raw is the thread"
        );

        let reply = item(&sink, "UgzThread1AAAA.9zReply1");
        assert_eq!(reply.reply_to, Some(key("UgzThread1AAAA")));
        assert!(reply.edited_at.is_none(), "updatedAt == publishedAt");
        assert_eq!(reply.mentions[0].handle, "mushahid_1");
        assert!(reply.raw.data.starts_with('{') && !reply.raw.data.contains("totalReplyCount"));
        assert_eq!(reply.metrics.get("likes"), Some(&2));

        // textDisplay only: HTML turned into plain text.
        let second = item(&sink, "UgzThread2BBBB");
        assert_eq!(second.text, "المصدر هنا: https://example.org/masdar & شكرا");
        assert_eq!(second.links, vec!["https://example.org/masdar"]);

        let a = account(&sink, "UCmu5hAh1d00000000000001");
        assert_eq!(a.handle.as_deref(), Some("mushahid_1"));
        assert!(a.display_name.is_none());
        assert_eq!(a.url.as_deref(), Some("http://www.youtube.com/@mushahid_1"));
        assert!(a
            .avatar_url
            .as_deref()
            .unwrap()
            .starts_with("https://yt3.ggpht.com/"));
        let b = account(&sink, "UCmu4ll4q00000000000002");
        assert_eq!(b.display_name.as_deref(), Some("مُعلّق ثانٍ"));
        assert!(b.handle.is_none());

        // A reply without id, and a thread without its comment.
        assert_eq!(sink.rejects.len(), 2, "{:?}", sink.rejects);
        assert_eq!(
            sink.rejects[0].field.as_deref(),
            Some("replies.comments[1].id")
        );
        assert_eq!(
            sink.rejects[0].position.pointer.as_deref(),
            Some("items[0]")
        );
        assert!(sink.rejects[0].raw_excerpt.contains("رد بلا معرف"));
        assert_eq!(
            sink.rejects[1].field.as_deref(),
            Some("snippet.topLevelComment")
        );
        assert_eq!(sink.rejects[1].position.record, Some(3));
    }

    #[test]
    fn comments_list_infers_kind_and_repairs_trailing_comma() {
        let sink = read("comments.json");
        assert_eq!(sink.count("item"), 2);
        assert_eq!(sink.count("account"), 1);
        assert!(sink.rejects.is_empty());
        let c = item(&sink, "UgzThread1AAAA.9zReply4");
        assert_eq!(c.kind, ItemKind::Comment, "kind from the response kind");
        assert_eq!(c.reply_to, Some(key("UgzThread1AAAA")));
        assert_eq!(sink.notices.len(), 1);
        assert_eq!(sink.notices[0].kind, NoticeKind::Repaired);
        assert!(sink.notices[0].message.contains("1 trailing comma"));
    }

    #[test]
    fn channels_become_accounts_and_channels() {
        let sink = read("channels.json");
        assert_eq!(sink.count("account"), 2);
        assert_eq!(sink.count("channel"), 2);
        let a = account(&sink, CH1);
        assert_eq!(a.handle.as_deref(), Some("sahat_tv"));
        assert_eq!(a.display_name.as_deref(), Some("قناة الساحة"));
        assert_eq!(a.bio.as_deref(), Some("أخبار وتقارير من الميدان"));
        assert_eq!(
            a.avatar_url.as_deref(),
            Some("https://yt3.ggpht.com/sahat=s800-c-k")
        );
        assert_eq!(a.location.as_deref(), Some("IQ"));
        assert_eq!(
            a.created_at.unwrap().to_rfc3339(),
            "2019-05-04T10:20:30+00:00"
        );
        assert_eq!(a.followers, Some(48200));
        assert_eq!(a.metrics.get("videos"), Some(&610));
        assert_eq!(a.metrics.get("views"), Some(&9120000));
        let c = sink.channels().find(|c| c.key.id == CH1).unwrap();
        assert_eq!(c.handle.as_deref(), Some("sahat_tv"));
        assert_eq!(c.member_count, Some(48200));
        assert_eq!(c.description.as_deref(), Some("أخبار وتقارير من الميدان"));
        assert_eq!(c.created_at, a.created_at);
        // Hidden subscriber count, legacy custom URL, country from branding settings.
        let b = account(&sink, CH2);
        assert_eq!(b.followers, None);
        assert_eq!(b.handle.as_deref(), Some("minbarhiwar"));
        assert_eq!(b.location.as_deref(), Some("JO"));
        assert!(b.bio.is_none());
    }

    #[test]
    fn search_results_are_references() {
        let sink = read("search.json");
        assert_eq!(sink.count("item"), 2);
        assert_eq!(sink.count("account"), 2);
        assert_eq!(sink.count("channel"), 2);
        let v = item(&sink, "a1B2c3D4e5F");
        assert_eq!(v.kind, ItemKind::Video);
        assert!(v
            .text
            .starts_with("نشرة المساء: \"تغطية خاصة\" 'اليوم' #أخبار\n\n"));
        assert_eq!(v.hashtags, vec!["أخبار"]);
        assert_eq!(v.author, Some(key(CH1)));
        assert_eq!(
            account(&sink, CH1).display_name.as_deref(),
            Some("قناة الساحة & الأخبار")
        );
        let live = item(&sink, "L1v3NowAAAA");
        assert_eq!(live.kind, ItemKind::LiveStream);
        assert!(live.is_live);
        let ch = account(&sink, CH2);
        assert_eq!(ch.bio.as_deref(), Some("قناة حوارية"));
        assert_eq!(
            ch.avatar_url.as_deref(),
            Some("https://yt3.ggpht.com/minbar=s800-c-k")
        );
        assert_eq!(sink.notices.len(), 1);
        assert!(sink.notices[0].message.contains("youtube#playlist"));
    }

    #[test]
    fn playlist_items_subscriptions_errors_and_skips() {
        let sink = read("more.jsonl");
        assert_eq!(sink.count("item"), 1);
        assert_eq!(sink.count("account"), 4);
        assert_eq!(sink.count("channel"), 1);
        assert_eq!(sink.count("interaction"), 2);
        assert!(sink.rejects.is_empty(), "{:?}", sink.rejects);

        let v = item(&sink, "PlIt3mVid01");
        assert_eq!(v.author, Some(key(CH2)));
        assert_eq!(
            v.created_at.unwrap().to_rfc3339(),
            "2023-11-01T10:00:00+00:00"
        );
        assert_eq!(v.hashtags, vec!["حوار"]);

        let follows: Vec<_> = sink.interactions().collect();
        assert!(follows.iter().all(|e| e.kind == InteractionKind::Follows));
        assert_eq!(
            follows[0].source,
            Node::Account(key("UCsub5cr1ber000000000001"))
        );
        assert_eq!(follows[0].target, Node::Account(key(CH1)));
        assert_eq!(
            follows[0].at.unwrap().to_rfc3339(),
            "2023-06-01T08:00:00+00:00"
        );
        assert_eq!(follows[1].target, Node::Account(key(CH2)));
        assert_eq!(
            account(&sink, "UCsub5cr1ber000000000001")
                .display_name
                .as_deref(),
            Some("مشترك أول")
        );

        let messages: Vec<_> = sink.notices.iter().map(|n| n.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(sink.notices.iter().all(|n| n.kind == NoticeKind::Skipped));
        assert!(
            messages[0].starts_with("API error 403 (quotaExceeded)"),
            "{messages:?}"
        );
        assert_eq!(
            sink.notices[0].position.pointer.as_deref(),
            Some("document 3")
        );
        assert!(messages[1].contains("bare youtube#video"));
        assert!(messages[2].contains("1 item(s) of kind youtube#playlist:"));
        assert!(messages[3].contains("private or deleted"));
    }

    #[test]
    fn truncated_file_keeps_good_records_and_names_line() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/youtube/truncated.json");
        let (sink, res) = read_file(Format::Youtube, &path);
        assert_eq!(sink.count("item"), 2);
        assert_eq!(sink.count("account"), 1);
        let err = res.unwrap_err();
        assert_eq!(err.position().unwrap().line, Some(157));
        assert!(err.to_string().contains("truncated.json:157"), "{err}");
    }

    #[test]
    fn unknown_kind_and_non_objects() {
        let input = concat!(
            r#"{"items":[{"id":"x"},42,{"kind":"youtube#video","id":"AbCdEfGhIjK","snippet":{"title":"t"}}]}"#,
            "\n",
            r#"{"foo":1}"#,
        );
        let (sink, res) = read_bytes(Format::Youtube, "odd.json", input.as_bytes());
        res.unwrap();
        assert_eq!(sink.count("item"), 1);
        assert_eq!(sink.rejects.len(), 2);
        assert_eq!(sink.rejects[0].field.as_deref(), Some("kind"));
        assert_eq!(sink.rejects[1].reason, "expected a JSON object");
        assert_eq!(sink.notices.len(), 1, "{:?}", sink.notices);
        assert!(sink.notices[0]
            .message
            .contains("no YouTube Data API response"));
    }

    #[test]
    fn iso_durations() {
        assert_eq!(iso_duration("PT1H2M3S"), Some(3723.0));
        assert_eq!(iso_duration("PT45M"), Some(2700.0));
        assert_eq!(iso_duration("P1DT2H"), Some(93600.0));
        assert_eq!(iso_duration("P1W"), Some(604800.0));
        assert_eq!(iso_duration("PT15.5S"), Some(15.5));
        assert_eq!(iso_duration("P0D"), Some(0.0));
        assert_eq!(iso_duration("PT"), None);
        assert_eq!(iso_duration("P"), None);
        assert_eq!(iso_duration("P1M"), None, "months have no fixed length");
        assert_eq!(iso_duration("PT3S2M"), None, "units out of order");
        assert_eq!(iso_duration("PT5"), None);
        assert_eq!(iso_duration("1H"), None);
    }

    #[test]
    fn html_helpers() {
        assert_eq!(
            unescape_html("a &amp; b &#39;c&#39; &#x41; &bogus; &"),
            "a & b 'c' A &bogus; &"
        );
        assert_eq!(
            html_to_text("سطر<br>سطر <b>ثان</b> &quot;x&quot;"),
            "سطر\nسطر ثان \"x\""
        );
    }
}
