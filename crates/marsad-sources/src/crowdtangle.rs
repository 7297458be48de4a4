//! `crowdtangle`: CrowdTangle API responses and CSV downloads (Facebook pages, Facebook
//! groups, Instagram).
//!
//! The kind of file is decided by its first non-blank byte (after a BOM): `{` or `[` → API
//! JSON (raw source `crowdtangle-api`), anything else → CSV (raw source `crowdtangle-csv`).
//!
//! **API** (`/posts`, `/posts/search`, `/links`, `/post/:id`): responses, one per file,
//! several concatenated or one per line, read through [`TolerantJson`]; the posts of
//! `result.posts[]` (and `result.post`) are streamed one at a time. A file starting with `[`
//! is a JSON array of posts or of responses. Each post becomes an [`Item`]: platform from
//! `platform` (Facebook, Instagram, else `other`), key `platformId` (Instagram: the shortcode
//! from `postUrl`, as in CSV exports), kind by `type` (`photo`,
//! `link`, `status`, `album` → post; `video`, `native_video`, `youtube`, `vine`, `igtv`,
//! `episode` → video; `live_video*` → live_stream, `is_live` only for `live_video`),
//! created_at `date` (UTC), observed_at `updated` (when CrowdTangle last refreshed the
//! post), text `message` else `description` else `title`, language `languageCode`, url
//! `postUrl`, links `expandedLinks[].expanded` (else `link`), hashtags from the text, media
//! `media[]` (`full` else `url`, width, height; `videoLengthMS` → duration of a single
//! video), metrics from `statistics.actual` (`likeCount` → `likes`, `favoriteCount` →
//! `likes`, `shareCount` → `shares`, `commentCount` → `comments`, `loveCount` → `love`,
//! `wowCount`, `hahaCount`, `sadCount`, `angryCount`, `thankfulCount`, `careCount`,
//! `viewCount` → `views`, other `xCount` → `x`) and `subscriberCount` → `subscribers`.
//! The `account` becomes the author [`Account`] (key `platformId` — Instagram: `@handle`, as
//! in CSV exports — else `ct:` + the
//! CrowdTangle `id`; handle, name, profileImage, url, verified, subscriberCount →
//! followers, pageDescription → bio, pageCreatedDate → created_at), once per file; a
//! `facebook_page` / `facebook_group` account is also the item's [`Channel`] (kind page /
//! group, same key). Error responses and responses without posts become skipped notices.
//!
//! **CSV** (Historical Data and Saved Search downloads): columns are matched by header name
//! (case-insensitive); missing columns are tolerated. Instagram when there is an `Account`
//! column and no `Facebook Id`, else Facebook. `Post Created` (or the older `Created`) is
//! local time with a zone abbreviation or offset (`2021-01-05 10:00:03 EST`); an unknown
//! zone rejects the row. Item key: the post id from `URL` (`/posts/<id>`, `/videos/<id>`,
//! `/permalink/<id>`, `/photos/…/<id>`, `story_fbid=`, Instagram `/p/<shortcode>/`), as
//! `<Facebook Id>_<post id>` when both are numeric (the API's `platformId`), else the URL.
//! Author: `Facebook Id` (Facebook) or the `User Name` handle (Instagram); `Page Name`,
//! `Group Name` or `Account` → display name, `Page Description` → bio, `Page Created` →
//! created_at, `Followers at Posting` (else `Likes at Posting`) → followers; pages and
//! groups are also channels. Text `Message` else `Description` else `Title` else
//! `Link Text`; links `Final Link` else `Link`; Instagram `Photo` → media; counts (with
//! thousands separators) → metrics. A row's raw record is a JSON object header → value,
//! because a CSV line means nothing without its header. Rows with a wrong number of fields
//! or invalid UTF-8 are rejected with their line.

use crate::util::{
    hashtags_in, json_i64, json_id, json_str, parse_time, reject, reject_serde, stream_json,
    DocumentEnd, Element, TolerantJson,
};
use crate::{Format, Input, Notice, NoticeKind, Position, Sink, Source, SourceError, Stop};
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use marsad_model::{
    Account, Channel, ChannelKind, Item, ItemKind, Key, MediaKind, MediaRef, Platform, Raw, Record,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::Path;
use std::sync::atomic::Ordering;

/// The format name used in rejects.
const NAME: &str = "crowdtangle";
const API: &str = "crowdtangle-api";
const CSV: &str = "crowdtangle-csv";

/// Importer for CrowdTangle API responses and CSV downloads.
#[derive(Debug, Clone, Copy, Default)]
pub struct CrowdTangle;

impl Source for CrowdTangle {
    fn format(&self) -> Format {
        Format::Crowdtangle
    }

    fn read(&self, mut input: Input<'_>, sink: &mut dyn Sink) -> Result<(), SourceError> {
        let file = input.path.to_path_buf();
        let sniffed = sniff(&mut *input.reader).map_err(|e| SourceError::Io {
            file: file.clone(),
            source: e,
        })?;
        let skipped_lines = sniffed.skipped_lines;
        let res = match sniffed.first {
            None => Ok(()),
            Some(b) if b == b'{' || b == b'[' => read_api(input.reader, &file, b == b'[', sink),
            Some(_) => read_csv(input.reader, &file, &sniffed, sink),
        };
        res.map_err(|e| match e {
            SourceError::Syntax {
                mut position,
                message,
            } => {
                position.line = position.line.map(|l| l + skipped_lines);
                SourceError::Syntax { position, message }
            }
            e => e,
        })
    }
}

/// What the start of a file says about it.
struct Sniffed {
    /// The first byte that is not a BOM or white space (not consumed).
    first: Option<u8>,
    /// Lines consumed to find it (only when a whole buffer was blank).
    skipped_lines: u64,
    /// Whether the first line ends in `\r\n`.
    crlf: bool,
}

fn sniff(reader: &mut dyn BufRead) -> std::io::Result<Sniffed> {
    let mut skipped_lines = 0;
    let mut start = true;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(Sniffed {
                first: None,
                skipped_lines,
                crlf: false,
            });
        }
        let body = if start && buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
            &buf[3..]
        } else {
            buf
        };
        start = false;
        if let Some(i) = body.iter().position(|b| !b.is_ascii_whitespace()) {
            let rest = &body[i..];
            let crlf = memchr::memchr(b'\n', rest).is_some_and(|j| j > 0 && rest[j - 1] == b'\r');
            return Ok(Sniffed {
                first: Some(body[i]),
                skipped_lines,
                crlf,
            });
        }
        skipped_lines += buf.iter().filter(|&&b| b == b'\n').count() as u64;
        let n = buf.len();
        reader.consume(n);
    }
}

// ---------------------------------------------------------------------------------------
// API

fn read_api(
    reader: Box<dyn BufRead + Send + '_>,
    file: &Path,
    root_array: bool,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let reader = TolerantJson::new(reader);
    let repairs = reader.repairs();
    let mut state = ApiState::default();
    let mut notices = Vec::new();
    let res = if root_array {
        let mut record = 0u64;
        let (mut doc, mut index) = (0u64, 0usize);
        stream_json(
            reader,
            file,
            &[&["*"]],
            &mut |el: Element<'_>| {
                if el.doc == doc {
                    index += 1;
                } else {
                    (doc, index) = (el.doc, 0);
                }
                let prefix = if doc > 1 {
                    format!("document {doc}: ")
                } else {
                    String::new()
                };
                api_array_element(
                    &mut state,
                    file,
                    &prefix,
                    index,
                    el.raw.get(),
                    &mut record,
                    &mut notices,
                    sink,
                )
            },
            &mut |_| Ok(()),
        )
    } else {
        stream_json(
            reader,
            file,
            &[&["result", "posts"], &["result", "post"]],
            &mut |el: Element<'_>| state.post(el.raw.get(), el.position(file), sink),
            &mut |doc: DocumentEnd| {
                let value = |key: &str| {
                    doc.values
                        .iter()
                        .find(|e| e.object.is_empty() && e.key == key)
                        .map(|e| &e.value)
                };
                let position = Position {
                    pointer: Some(format!("document {}", doc.doc)),
                    ..Position::file(file)
                };
                notices.extend(response_notice(
                    position,
                    value("status"),
                    value("message"),
                    doc.matched,
                ));
                Ok(())
            },
        )
    };
    for n in notices {
        sink.notice(n);
    }
    let repaired = repairs.load(Ordering::Relaxed);
    if repaired > 0 {
        sink.notice(Notice {
            kind: NoticeKind::Repaired,
            position: Position::file(file),
            message: format!(
                "{repaired} repair(s): trailing commas dropped or invalid UTF-8 replaced by U+FFFD"
            ),
        });
    }
    res
}

/// The notice for a response that is an error or holds no posts.
fn response_notice(
    position: Position,
    status: Option<&Value>,
    message: Option<&Value>,
    has_posts: bool,
) -> Option<Notice> {
    let status = status.and_then(json_i64);
    let message = message.and_then(json_str);
    let text = match (status, message) {
        (Some(s), m) if s != 200 => format!(
            "API error response: status {s}{}",
            m.map(|m| format!(": {m}")).unwrap_or_default()
        ),
        (None, Some(m)) if !has_posts => format!("API error response: {m}"),
        _ if !has_posts => "no posts in this response".to_string(),
        _ => return None,
    };
    Some(Notice {
        kind: NoticeKind::Skipped,
        position,
        message: text,
    })
}

/// The parts of a response found in a root array, borrowed verbatim.
#[derive(Deserialize)]
struct Response<'a> {
    #[serde(default)]
    status: Option<Value>,
    #[serde(default)]
    message: Option<Value>,
    #[serde(borrow, default)]
    result: Option<ResponseResult<'a>>,
}

#[derive(Deserialize)]
struct ResponseResult<'a> {
    #[serde(borrow, default)]
    posts: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    post: Option<&'a RawValue>,
}

/// One element of a root array: a post, or a whole response (bounded by its page size).
#[allow(clippy::too_many_arguments)]
fn api_array_element(
    state: &mut ApiState,
    file: &Path,
    prefix: &str,
    index: usize,
    raw: &str,
    record: &mut u64,
    notices: &mut Vec<Notice>,
    sink: &mut dyn Sink,
) -> Result<(), Stop> {
    let is_response = serde_json::from_str::<Value>(raw)
        .ok()
        .and_then(|v| {
            v.as_object()
                .map(|o| o.contains_key("result") || o.contains_key("status"))
        })
        .unwrap_or(false);
    if !is_response {
        *record += 1;
        let pos = Position::record(file, *record, format!("{prefix}[{index}]"));
        return state.post(raw, pos, sink);
    }
    let resp = match serde_json::from_str::<Response<'_>>(raw) {
        Ok(r) => r,
        Err(e) => {
            *record += 1;
            let pos = Position::record(file, *record, format!("{prefix}[{index}]"));
            return sink.reject(reject_serde(NAME, pos, &e, raw));
        }
    };
    let mut posts: Vec<(String, &RawValue)> = Vec::new();
    if let Some(result) = &resp.result {
        for (j, p) in result.posts.iter().flatten().enumerate() {
            posts.push((format!("{prefix}[{index}].result.posts[{j}]"), p));
        }
        if let Some(p) = result.post {
            posts.push((format!("{prefix}[{index}].result.post"), p));
        }
    }
    let position = Position {
        pointer: Some(format!("{prefix}[{index}]")),
        ..Position::file(file)
    };
    notices.extend(response_notice(
        position,
        resp.status.as_ref(),
        resp.message.as_ref(),
        !posts.is_empty(),
    ));
    for (pointer, p) in posts {
        *record += 1;
        state.post(p.get(), Position::record(file, *record, pointer), sink)?;
    }
    Ok(())
}

/// The verbatim `account` object of a post.
#[derive(Deserialize)]
struct PostParts<'a> {
    #[serde(borrow, default)]
    account: Option<&'a RawValue>,
}

/// Per-file state: accounts and channels already emitted.
#[derive(Default)]
struct ApiState {
    accounts: HashSet<Key>,
    channels: HashSet<Key>,
}

fn platform_of(name: Option<&str>) -> Option<Platform> {
    let name = name?.trim().to_ascii_lowercase();
    Some(match name.as_str() {
        "facebook" => Platform::Facebook,
        "instagram" => Platform::Instagram,
        _ => Platform::Other,
    })
}

/// Item kind and liveness from a CrowdTangle post type (API or CSV spelling).
fn kind_of_type(t: &str) -> (ItemKind, bool) {
    let t = t.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    match t.as_str() {
        "video" | "native_video" | "youtube" | "vine" | "igtv" | "episode" | "reel" => {
            (ItemKind::Video, false)
        }
        "live_video" => (ItemKind::LiveStream, true),
        "live_video_complete" | "live_video_scheduled" => (ItemKind::LiveStream, false),
        _ => (ItemKind::Post, false),
    }
}

/// The canonical metric name of a `statistics.actual` counter.
fn metric_name(key: &str) -> Option<String> {
    let name = match key {
        "likeCount" | "favoriteCount" => "likes",
        "shareCount" => "shares",
        "commentCount" => "comments",
        "viewCount" => "views",
        _ => {
            let base = key.strip_suffix("Count")?;
            if base.is_empty() {
                return None;
            }
            return Some(base.to_ascii_lowercase());
        }
    };
    Some(name.to_string())
}

impl ApiState {
    fn post(&mut self, raw: &str, pos: Position, sink: &mut dyn Sink) -> Result<(), Stop> {
        let v: Value = match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(e) => return sink.reject(reject_serde(NAME, pos, &e, raw)),
        };
        if !v.is_object() {
            return sink.reject(reject(NAME, pos, None, "expected a JSON object", raw));
        }
        let s = |k: &str| v.get(k).and_then(json_str);
        let Some(id) = v.get("platformId").and_then(json_id) else {
            return sink.reject(reject(
                NAME,
                pos,
                Some("platformId"),
                "missing post id",
                raw,
            ));
        };
        let created = match v.get("date") {
            None | Some(Value::Null) => {
                return sink.reject(reject(NAME, pos, Some("date"), "missing post date", raw))
            }
            Some(d) => match d.as_str().and_then(parse_time) {
                Some(t) => t,
                None => {
                    return sink.reject(reject(
                        NAME,
                        pos,
                        Some("date"),
                        format!("unreadable date {d}"),
                        raw,
                    ))
                }
            },
        };
        let account = v.get("account").filter(|a| a.is_object());
        let platform = platform_of(v.get("platform").and_then(Value::as_str))
            .or_else(|| platform_of(account.and_then(|a| a.get("platform")?.as_str())))
            .unwrap_or(Platform::Other);

        let (kind, is_live) = kind_of_type(v.get("type").and_then(Value::as_str).unwrap_or(""));
        // Instagram CSV exports identify posts only by their shortcode (`/p/<shortcode>/`):
        // key Instagram posts by it here too, so the same post from CSV and API is one item.
        let id = match platform {
            Platform::Instagram => s("postUrl")
                .and_then(|u| post_id_from_url(&u))
                .unwrap_or(id),
            _ => id,
        };
        let mut item = Item::new(Key::new(platform, id), kind, Raw::new(API, raw));
        item.is_live = is_live;
        item.created_at = Some(created);
        item.observed_at = v
            .get("updated")
            .and_then(Value::as_str)
            .and_then(parse_time);
        item.text = s("message")
            .or_else(|| s("description"))
            .or_else(|| s("title"))
            .unwrap_or_default();
        item.hashtags = hashtags_in(&item.text);
        item.language = s("languageCode");
        item.url = s("postUrl");
        if let Some(links) = v.get("expandedLinks").and_then(Value::as_array) {
            for l in links {
                let link = l
                    .get("expanded")
                    .and_then(json_str)
                    .or_else(|| l.get("original").and_then(json_str));
                if let Some(link) = link {
                    if !item.links.contains(&link) {
                        item.links.push(link);
                    }
                }
            }
        }
        if item.links.is_empty() {
            item.links.extend(s("link"));
        }
        item.media = api_media(&v);
        if let Some(actual) = v
            .get("statistics")
            .and_then(|st| st.get("actual"))
            .and_then(Value::as_object)
        {
            for (k, n) in actual {
                let (Some(name), Some(n)) = (metric_name(k), json_i64(n)) else {
                    continue;
                };
                if k == "favoriteCount" && actual.contains_key("likeCount") {
                    continue;
                }
                item.metrics.insert(name, n);
            }
        }
        if let Some(n) = v.get("subscriberCount").and_then(json_i64) {
            item.metrics.insert("subscribers".into(), n);
        }

        let mut out = Vec::new();
        if let Some(a) = account {
            let a_raw = serde_json::from_str::<PostParts<'_>>(raw)
                .ok()
                .and_then(|p| p.account)
                .map(|r| r.get().to_string())
                .unwrap_or_else(|| a.to_string());
            // Instagram CSV exports name accounts only by handle: key them by `@handle`
            // here too (when known), so both paths meet in one account.
            let ig_handle = (platform == Platform::Instagram)
                .then(|| a.get("handle").and_then(json_str))
                .flatten()
                .map(|h| Key::handle(platform, &h));
            let key = ig_handle.or_else(|| {
                a.get("platformId")
                    .and_then(json_id)
                    .or_else(|| a.get("id").and_then(json_id).map(|i| format!("ct:{i}")))
                    .map(|k| Key::new(platform, k))
            });
            if let Some(key) = key {
                item.author = Some(key.clone());
                let as_str = |k: &str| a.get(k).and_then(json_str);
                let created = as_str("pageCreatedDate").and_then(|d| parse_time(&d));
                let followers = a.get("subscriberCount").and_then(json_i64);
                if self.accounts.insert(key.clone()) {
                    let mut acc = Account::new(key.clone(), Raw::new(API, a_raw.clone()));
                    acc.handle = as_str("handle");
                    acc.display_name = as_str("name");
                    acc.avatar_url = as_str("profileImage");
                    acc.url = as_str("url");
                    acc.verified = a.get("verified").and_then(Value::as_bool);
                    acc.followers = followers;
                    acc.bio = as_str("pageDescription");
                    acc.created_at = created;
                    out.push(Record::Account(acc));
                }
                let channel_kind = match a.get("accountType").and_then(Value::as_str) {
                    Some("facebook_page") => Some(ChannelKind::Page),
                    Some("facebook_group") => Some(ChannelKind::Group),
                    _ => None,
                };
                if let Some(ck) = channel_kind {
                    item.channel = Some(key.clone());
                    if self.channels.insert(key.clone()) {
                        let mut c = Channel::new(key, ck, Raw::new(API, a_raw));
                        c.name = as_str("name");
                        c.handle = as_str("handle");
                        c.description = as_str("pageDescription");
                        c.member_count = followers;
                        c.created_at = created;
                        out.push(Record::Channel(c));
                    }
                }
            }
        }
        out.push(Record::Item(item));
        for r in out {
            sink.record(r)?;
        }
        Ok(())
    }
}

fn api_media(v: &Value) -> Vec<MediaRef> {
    let Some(list) = v.get("media").and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for m in list {
        let kind = match m.get("type").and_then(Value::as_str) {
            Some("photo" | "image") => MediaKind::Photo,
            Some("video") => MediaKind::Video,
            _ => continue,
        };
        let Some(url) = m
            .get("full")
            .and_then(json_str)
            .or_else(|| m.get("url").and_then(json_str))
        else {
            continue;
        };
        let dim = |k: &str| {
            m.get(k)
                .and_then(json_i64)
                .and_then(|n| u32::try_from(n).ok())
        };
        let mut r = MediaRef::new(kind);
        r.url = Some(url);
        r.width = dim("width");
        r.height = dim("height");
        out.push(r);
    }
    let videos = out.iter().filter(|m| m.kind == MediaKind::Video).count();
    if videos == 1 {
        if let Some(ms) = v.get("videoLengthMS").and_then(json_i64).filter(|&n| n > 0) {
            if let Some(m) = out.iter_mut().find(|m| m.kind == MediaKind::Video) {
                m.duration_secs = Some(ms as f64 / 1000.0);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// CSV

/// The header of a CSV download: names as written and a case-insensitive index.
struct Columns {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Columns {
    fn new(record: &csv::ByteRecord) -> Self {
        let mut names = Vec::new();
        let mut index = HashMap::new();
        for (i, f) in record.iter().enumerate() {
            let name = String::from_utf8_lossy(f)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string();
            index.entry(name.to_lowercase()).or_insert(i);
            names.push(name);
        }
        Columns { names, index }
    }
    fn has(&self, name: &str) -> bool {
        self.index.contains_key(&name.to_lowercase())
    }
    /// The header as written, for reject fields.
    fn name<'a>(&'a self, name: &'a str) -> &'a str {
        self.index
            .get(&name.to_lowercase())
            .and_then(|&i| self.names.get(i))
            .map(String::as_str)
            .unwrap_or(name)
    }
}

/// One data row, fields decoded.
struct Row<'a> {
    cols: &'a Columns,
    fields: Vec<&'a str>,
}

impl Row<'_> {
    /// A non-empty, trimmed value of a column.
    fn get(&self, name: &str) -> Option<&str> {
        let &i = self.cols.index.get(&name.to_lowercase())?;
        self.fields
            .get(i)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
    fn first(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.get(n))
    }
    fn string(&self, names: &[&str]) -> Option<String> {
        self.first(names).map(str::to_string)
    }
    fn count(&self, names: &[&str]) -> Option<i64> {
        names.iter().find_map(|n| self.get(n).and_then(parse_count))
    }
    /// The row as a JSON object, header → value, in column order.
    fn raw_json(&self) -> String {
        let mut s = String::from("{");
        for (i, (name, value)) in self.cols.names.iter().zip(&self.fields).enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&Value::from(name.as_str()).to_string());
            s.push(':');
            s.push_str(&Value::from(*value).to_string());
        }
        s.push('}');
        s
    }
}

/// A count as written in CrowdTangle CSVs: `1,234`, `1 234`, `12.0`.
pub fn parse_count(s: &str) -> Option<i64> {
    let digits: String = s
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    if digits.is_empty() {
        return None;
    }
    if let Ok(n) = digits.parse::<i64>() {
        return Some(n);
    }
    let f: f64 = digits.parse().ok()?;
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

/// The UTC offset (seconds) of a time zone as CrowdTangle writes it.
fn zone_offset(zone: &str) -> Option<i32> {
    let z = zone.trim().to_ascii_uppercase();
    let hours = match z.as_str() {
        "UTC" | "GMT" | "Z" | "WET" => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        "CET" | "WEST" => 1,
        "CEST" | "EET" => 2,
        "EEST" | "MSK" => 3,
        _ => {
            let num = z
                .strip_prefix("UTC")
                .or_else(|| z.strip_prefix("GMT"))
                .unwrap_or(&z);
            return numeric_offset(num);
        }
    };
    Some(hours * 3600)
}

/// `+03`, `-0500`, `+05:30` as seconds.
fn numeric_offset(s: &str) -> Option<i32> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body: String = s[1..].chars().filter(|&c| c != ':').collect();
    if !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match body.len() {
        1 | 2 => (body.parse::<i32>().ok()?, 0),
        3 | 4 => {
            let split = body.len() - 2;
            (body[..split].parse().ok()?, body[split..].parse().ok()?)
        }
        _ => return None,
    };
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// `2021-01-05 10:00:03 EST` (or an offset, or RFC 3339) as UTC.
pub fn parse_csv_time(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let Some((local, zone)) = s.rsplit_once(' ') else {
        return Err(format!("no time zone in `{s}`"));
    };
    let naive = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(local.trim(), f).ok());
    let Some(naive) = naive else {
        return if NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").is_ok() {
            Err(format!("no time zone in `{s}`"))
        } else {
            Err(format!("unreadable time `{s}`"))
        };
    };
    let offset = zone_offset(zone).ok_or_else(|| format!("unknown time zone `{zone}`"))?;
    FixedOffset::east_opt(offset)
        .and_then(|o| o.from_local_datetime(&naive).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("unreadable time `{s}`"))
}

/// The post id in a Facebook or Instagram post URL.
pub fn post_id_from_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    for key in ["story_fbid", "fbid", "v"] {
        if let Some((_, v)) = parsed.query_pairs().find(|(k, _)| k == key) {
            if !v.is_empty() {
                return Some(v.into_owned());
            }
        }
    }
    let segs: Vec<&str> = parsed
        .path_segments()
        .map(|s| s.filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    for (i, s) in segs.iter().enumerate() {
        let next = segs.get(i + 1).copied();
        match *s {
            "posts" | "videos" | "permalink" | "p" | "reel" | "tv" => {
                if let Some(n) = next {
                    return Some(n.to_string());
                }
            }
            "photos" => {
                return segs[i + 1..]
                    .iter()
                    .rev()
                    .find(|x| x.bytes().all(|b| b.is_ascii_digit()))
                    .map(|x| x.to_string());
            }
            _ => {}
        }
    }
    None
}

/// Per-file CSV state.
struct CsvState {
    platform: Platform,
    accounts: HashSet<Key>,
    channels: HashSet<Key>,
}

fn read_csv(
    reader: Box<dyn BufRead + Send + '_>,
    file: &Path,
    sniffed: &Sniffed,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let line_offset = sniffed.skipped_lines;
    // With `\r\n` line ends the csv crate takes a record's position before consuming the
    // previous record's `\n`, so every record after the first is one line further down.
    let crlf_fix = u64::from(sniffed.crlf);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::ByteRecord::new();
    let mut cols: Option<Columns> = None;
    let mut state = CsvState {
        platform: Platform::Facebook,
        accounts: HashSet::new(),
        channels: HashSet::new(),
    };
    let mut row_no = 0u64;
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line() + line_offset);
                return Err(match e.into_kind() {
                    csv::ErrorKind::Io(io) => SourceError::Io {
                        file: file.to_path_buf(),
                        source: io,
                    },
                    other => SourceError::Syntax {
                        position: Position {
                            line,
                            ..Position::file(file)
                        },
                        message: format!("invalid CSV: {other:?}"),
                    },
                });
            }
        }
        let first_record = cols.is_none();
        let line = record
            .position()
            .map(|p| p.line() + line_offset + if first_record { 0 } else { crlf_fix });
        let Some(cols) = &cols else {
            let c = Columns::new(&record);
            state.platform = if c.has("Account") && !c.has("Facebook Id") {
                Platform::Instagram
            } else {
                Platform::Facebook
            };
            cols = Some(c);
            continue;
        };
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        row_no += 1;
        let pos = Position {
            line,
            record: Some(row_no),
            ..Position::file(file)
        };
        let lossy = || {
            record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect::<Vec<_>>()
                .join(",")
        };
        if record.len() != cols.names.len() {
            sink.reject(reject(
                NAME,
                pos,
                None,
                format!(
                    "expected {} fields, found {}",
                    cols.names.len(),
                    record.len()
                ),
                &lossy(),
            ))?;
            continue;
        }
        let mut fields = Vec::with_capacity(record.len());
        let mut bad_field = None;
        for (i, f) in record.iter().enumerate() {
            match std::str::from_utf8(f) {
                Ok(s) => fields.push(s),
                Err(e) => {
                    bad_field = Some((i, e));
                    break;
                }
            }
        }
        if let Some((i, e)) = bad_field {
            let field = cols.names.get(i).map(String::as_str);
            sink.reject(reject(
                NAME,
                pos,
                field,
                format!("not UTF-8: {e}"),
                &lossy(),
            ))?;
            continue;
        }
        let row = Row { cols, fields };
        match state.row(&row) {
            Ok(records) => {
                for r in records {
                    sink.record(r)?;
                }
            }
            Err((field, reason)) => {
                let field = cols.name(field).to_string();
                sink.reject(reject(NAME, pos, Some(&field), reason, &row.raw_json()))?;
            }
        }
    }
}

impl CsvState {
    fn row(&mut self, row: &Row<'_>) -> Result<Vec<Record>, (&'static str, String)> {
        let platform = self.platform;
        let url = row
            .get("URL")
            .ok_or(("URL", "missing post URL".to_string()))?;
        let time_col = if row.cols.has("Post Created") {
            Some("Post Created")
        } else if row.cols.has("Created") {
            Some("Created")
        } else {
            None
        };
        let created = match time_col {
            Some(col) => match row.get(col) {
                Some(t) => Some(parse_csv_time(t).map_err(|e| (col, e))?),
                None => return Err((col, "missing post time".to_string())),
            },
            None => None,
        };
        let fb_id = row.get("Facebook Id");
        let handle = row.get("User Name");
        let author = match platform {
            Platform::Instagram => handle.map(|h| Key::handle(platform, h)),
            _ => fb_id
                .map(|id| Key::new(platform, id))
                .or_else(|| handle.map(|h| Key::handle(platform, h))),
        };
        let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let key = match (post_id_from_url(url), fb_id, platform) {
            (Some(p), Some(f), Platform::Facebook) if is_digits(&p) && is_digits(f) => {
                format!("{f}_{p}")
            }
            (Some(p), _, _) => p,
            (None, _, _) => url.to_string(),
        };
        let raw = row.raw_json();
        let (kind, is_live) = kind_of_type(row.get("Type").unwrap_or(""));
        let mut item = Item::new(Key::new(platform, key), kind, Raw::new(CSV, raw.clone()));
        item.is_live = is_live;
        item.created_at = created;
        item.author = author.clone();
        item.url = Some(url.to_string());
        item.text = row
            .string(&["Message", "Description", "Title", "Link Text"])
            .unwrap_or_default();
        item.hashtags = hashtags_in(&item.text);
        if let Some(link) = row.first(&["Final Link", "Link"]) {
            if link != url {
                item.links.push(link.to_string());
            }
        }
        if let Some(photo) = row.get("Photo") {
            let mut m = MediaRef::new(MediaKind::Photo);
            m.url = Some(photo.to_string());
            item.media.push(m);
        }
        for (col, name) in [
            ("Likes", "likes"),
            ("Comments", "comments"),
            ("Shares", "shares"),
            ("Love", "love"),
            ("Wow", "wow"),
            ("Haha", "haha"),
            ("Sad", "sad"),
            ("Angry", "angry"),
            ("Care", "care"),
        ] {
            if let Some(n) = row.count(&[col]) {
                item.metrics.insert(name.into(), n);
            }
        }
        if let Some(n) = row.count(&["Post Views", "Views", "Total Views"]) {
            item.metrics.insert("views".into(), n);
        }
        let followers = row.count(&["Followers at Posting", "Likes at Posting"]);
        if let Some(n) = followers {
            item.metrics.insert("subscribers".into(), n);
        }

        let mut out = Vec::new();
        let name = row.string(&["Page Name", "Group Name", "Account"]);
        let created_page = row
            .get("Page Created")
            .and_then(|t| parse_csv_time(t).ok().or_else(|| parse_time(t)));
        if let Some(key) = author {
            if self.accounts.insert(key.clone()) {
                let mut a = Account::new(key.clone(), Raw::new(CSV, raw.clone()));
                a.handle = handle.map(str::to_string);
                a.display_name = name.clone();
                a.bio = row.string(&["Page Description"]);
                a.created_at = created_page;
                a.followers = followers;
                out.push(Record::Account(a));
            }
            let channel_kind = if platform != Platform::Facebook {
                None
            } else if row.get("Group Name").is_some() {
                Some(ChannelKind::Group)
            } else if row.get("Page Name").is_some() {
                Some(ChannelKind::Page)
            } else {
                None
            };
            if let Some(ck) = channel_kind {
                item.channel = Some(key.clone());
                if self.channels.insert(key.clone()) {
                    let mut c = Channel::new(key, ck, Raw::new(CSV, raw));
                    c.name = name;
                    c.handle = handle.map(str::to_string);
                    c.description = row.string(&["Page Description"]);
                    c.member_count = followers;
                    c.created_at = created_page;
                    out.push(Record::Channel(c));
                }
            }
        }
        out.push(Record::Item(item));
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{read_bytes, read_file, VecSink};

    fn path(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/crowdtangle")
            .join(name)
    }

    fn fixture(name: &str) -> VecSink {
        let (sink, res) = read_file(Format::Crowdtangle, &path(name));
        res.unwrap();
        sink
    }

    fn fb(id: &str) -> Key {
        Key::new(Platform::Facebook, id)
    }

    fn utc(s: &str) -> Option<DateTime<Utc>> {
        Some(parse_time(s).unwrap())
    }

    fn item<'a>(sink: &'a VecSink, key: &Key) -> &'a Item {
        sink.items().find(|i| &i.key == key).unwrap()
    }

    #[test]
    fn api_post_fields_are_mapped() {
        let sink = fixture("posts.json");
        assert_eq!(sink.count("item"), 5);
        assert_eq!(sink.count("account"), 4);
        assert_eq!(sink.count("channel"), 2);
        assert_eq!(sink.count("interaction"), 0);

        let p = item(&sink, &fb("100200300400_1122334455667788"));
        assert_eq!(p.kind, ItemKind::Post);
        assert!(!p.is_live);
        assert_eq!(p.author, Some(fb("100200300400")));
        assert_eq!(p.channel, Some(fb("100200300400")));
        assert_eq!(p.created_at, utc("2021-01-05T15:00:03Z"));
        assert_eq!(p.observed_at, utc("2021-01-06T08:12:44Z"));
        assert_eq!(p.text, "تقرير جديد عن الأوضاع في المنطقة #أخبار #تقرير");
        assert_eq!(p.hashtags, vec!["أخبار", "تقرير"]);
        assert_eq!(p.language.as_deref(), Some("ar"));
        assert_eq!(
            p.url.as_deref(),
            Some("https://www.facebook.com/examplenewsar/posts/1122334455667788")
        );
        assert_eq!(p.links, vec!["https://news.example.org/ar/report-1"]);
        assert_eq!(p.media.len(), 1);
        assert_eq!(p.media[0].kind, MediaKind::Photo);
        assert_eq!(
            p.media[0].url.as_deref(),
            Some("https://scontent.example/full/img1.jpg")
        );
        assert_eq!(
            (p.media[0].width, p.media[0].height),
            (Some(250), Some(130))
        );
        let m = |k: &str| p.metrics.get(k).copied();
        assert_eq!(m("likes"), Some(1200));
        assert_eq!(m("shares"), Some(340));
        assert_eq!(m("comments"), Some(56));
        assert_eq!(m("love"), Some(20));
        assert_eq!(m("wow"), Some(3));
        assert_eq!(m("haha"), Some(1));
        assert_eq!(m("sad"), Some(40));
        assert_eq!(m("angry"), Some(7));
        assert_eq!(m("thankful"), Some(0));
        assert_eq!(m("care"), Some(5));
        assert_eq!(m("subscribers"), Some(250000));
        assert_eq!(p.metrics.len(), 11, "expected counts are not metrics");
        assert_eq!(p.raw.source, "crowdtangle-api");
        assert!(p.raw.data.contains("\"legacyId\": 0"));

        let a = sink.accounts().next().unwrap();
        assert_eq!(a.key, fb("100200300400"));
        assert_eq!(a.handle.as_deref(), Some("examplenewsar"));
        assert_eq!(a.display_name.as_deref(), Some("أخبار المثال"));
        assert_eq!(
            a.avatar_url.as_deref(),
            Some("https://scontent.example/profile/50001.jpg")
        );
        assert_eq!(
            a.url.as_deref(),
            Some("https://www.facebook.com/100200300400")
        );
        assert_eq!(a.verified, Some(false));
        assert_eq!(a.followers, Some(250000));
        assert_eq!(a.bio.as_deref(), Some("صفحة إخبارية تجريبية"));
        assert_eq!(a.created_at, utc("2012-04-01T10:00:00Z"));
        assert!(a.raw.data.starts_with('{') && a.raw.data.contains("pageAdminTopCountry"));
        assert!(!a.raw.data.contains("platformId\": \"100200300400_"));

        let page = sink.channels().next().unwrap();
        assert_eq!(page.kind, ChannelKind::Page);
        assert_eq!(page.key, fb("100200300400"));
        assert_eq!(page.member_count, Some(250000));
    }

    #[test]
    fn api_groups_instagram_live_and_other_platforms() {
        let sink = fixture("posts.json");
        let g = item(&sink, &fb("500600700800_2233445566778899"));
        assert_eq!(g.kind, ItemKind::Video);
        assert_eq!(
            g.text, "مقطع مصور من الفعالية",
            "description when no message"
        );
        assert_eq!(g.channel, Some(fb("500600700800")));
        assert!(g.links.is_empty());
        assert_eq!(g.media.len(), 2);
        assert_eq!(g.media[0].kind, MediaKind::Video);
        assert_eq!(g.media[0].duration_secs, Some(95.5));
        assert_eq!(g.media[1].duration_secs, None);
        let group = sink.channels().nth(1).unwrap();
        assert_eq!(group.kind, ChannelKind::Group);
        assert_eq!(group.handle, None, "empty handle dropped");

        // Instagram posts and accounts are keyed as CSV exports can key them: by shortcode
        // and by handle.
        let ig_key = Key::new(Platform::Instagram, "CJxYz12AbCd");
        let ig = item(&sink, &ig_key);
        assert_eq!(
            ig.author,
            Some(Key::handle(Platform::Instagram, "rahhala.example"))
        );
        assert_eq!(ig.channel, None);
        assert_eq!(ig.metrics.get("likes"), Some(&870));
        assert_eq!(ig.hashtags, vec!["سفر"]);
        let ig_acc = sink
            .accounts()
            .find(|a| a.key.platform == Platform::Instagram);
        assert_eq!(ig_acc.unwrap().verified, Some(true));

        let live = item(&sink, &fb("100200300400_3344556677889900"));
        assert_eq!(live.kind, ItemKind::LiveStream);
        assert!(live.is_live);
        assert_eq!(
            live.links,
            vec!["https://www.facebook.com/examplenewsar/videos/3344556677889900/"]
        );
        assert_eq!(live.metrics.get("views"), Some(&500));

        let reddit = item(&sink, &Key::new(Platform::Other, "t3_abc123"));
        assert_eq!(reddit.author, Some(Key::new(Platform::Other, "ct:80004")));
        assert_eq!(reddit.text, "Discussion thread");
        assert_eq!(reddit.metrics.get("up"), Some(&15));
    }

    #[test]
    fn api_rejects_and_notices() {
        let sink = fixture("posts.json");
        assert_eq!(sink.rejects.len(), 2);
        let r = &sink.rejects[0];
        assert_eq!(r.field.as_deref(), Some("platformId"));
        assert_eq!(r.position.record, Some(6));
        assert_eq!(r.position.pointer.as_deref(), Some("result.posts[5]"));
        assert!(r.raw_excerpt.contains("منشور بلا معرف"));
        let r = &sink.rejects[1];
        assert_eq!(r.field.as_deref(), Some("date"));
        assert_eq!(r.position.pointer.as_deref(), Some("result.posts[6]"));
        assert_eq!(sink.notices.len(), 1);
        assert_eq!(sink.notices[0].kind, NoticeKind::Repaired);

        let sink = fixture("responses.jsonl");
        assert_eq!(sink.count("item"), 1);
        assert_eq!(
            sink.items().next().unwrap().key,
            fb("100200300400_4455667788990011")
        );
        let msgs: Vec<_> = sink.notices.iter().map(|n| n.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec![
                "API error response: status 401: Unauthorized: token missing or invalid",
                "no posts in this response"
            ]
        );
        assert_eq!(
            sink.notices[0].position.pointer.as_deref(),
            Some("document 2")
        );
    }

    #[test]
    fn api_root_arrays_of_posts_and_responses() {
        let sink = fixture("posts-array.json");
        let keys: Vec<_> = sink.items().map(|i| i.key.id.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "100200300400_5566778899001122",
                "100200300400_6677889900112233"
            ]
        );
        assert_eq!(sink.count("account"), 1);
        assert_eq!(sink.count("channel"), 1);
        assert_eq!(sink.rejects.len(), 1);
        assert_eq!(sink.rejects[0].position.pointer.as_deref(), Some("[1]"));
        assert_eq!(sink.rejects[0].position.record, Some(2));
        assert_eq!(sink.notices.len(), 1);
        assert_eq!(
            sink.notices[0].message,
            "API error response: status 429: Rate limit exceeded"
        );
        assert_eq!(
            sink.notices[0].position.pointer.as_deref(),
            Some("document 2: [1]")
        );
    }

    #[test]
    fn api_truncated_file_keeps_good_posts() {
        let (sink, res) = read_file(Format::Crowdtangle, &path("truncated.json"));
        let err = res.unwrap_err();
        assert_eq!(sink.count("item"), 2);
        let pos = err.position().unwrap();
        assert_eq!(pos.line, Some(5), "end of file after the cut third post");
        assert!(err.to_string().contains("truncated.json:5"), "{err}");

        let (sink, res) = read_bytes(
            Format::Crowdtangle,
            "a.json",
            b"[{\"platformId\": \"1\", \"date\": \"2021-01-01 00:00:00\"},\n{",
        );
        assert!(matches!(res, Err(SourceError::Syntax { .. })));
        assert_eq!(sink.count("item"), 1);
    }

    #[test]
    fn csv_facebook_pages() {
        let sink = fixture("facebook-pages.csv");
        assert_eq!(sink.count("item"), 3);
        assert_eq!(sink.count("account"), 2);
        assert_eq!(sink.count("channel"), 2);
        let p = item(&sink, &fb("100200300400_1122334455667788"));
        assert_eq!(p.created_at, utc("2021-01-05T15:00:03Z"), "EST");
        assert_eq!(p.kind, ItemKind::Post);
        assert_eq!(p.author, Some(fb("100200300400")));
        assert_eq!(p.channel, Some(fb("100200300400")));
        assert_eq!(p.text, "تقرير جديد عن الأوضاع في المنطقة #أخبار");
        assert_eq!(p.hashtags, vec!["أخبار"]);
        assert_eq!(p.links, vec!["https://news.example.org/ar/report-1"]);
        let m = |k: &str| p.metrics.get(k).copied();
        assert_eq!(m("likes"), Some(1200), "thousands separator");
        assert_eq!((m("comments"), m("shares")), (Some(56), Some(340)));
        assert_eq!(
            (m("love"), m("wow"), m("haha")),
            (Some(20), Some(3), Some(1))
        );
        assert_eq!(
            (m("sad"), m("angry"), m("care")),
            (Some(40), Some(7), Some(5))
        );
        assert_eq!(m("views"), Some(0));
        assert_eq!(m("subscribers"), Some(250000));
        assert_eq!(p.raw.source, "crowdtangle-csv");
        let raw: serde_json::Map<String, Value> = serde_json::from_str(&p.raw.data).unwrap();
        assert_eq!(raw["Page Name"], "أخبار المثال");
        assert_eq!(raw["Likes"], "1,200");
        assert!(
            p.raw.data.starts_with("{\"Page Name\":"),
            "header order, no BOM"
        );

        let v = item(&sink, &fb("100200300400_2233445566778800"));
        assert_eq!(v.kind, ItemKind::Video);
        assert_eq!(v.created_at, utc("2021-06-05T14:00:00Z"), "EDT");
        assert_eq!(v.text, "مقطع مصور، الجزء الأول\nوالجزء الثاني");
        assert_eq!(v.metrics.get("views"), Some(&12500));

        let s = item(&sink, &fb("900800700600_3344556677"));
        assert_eq!(s.created_at, utc("2021-01-07T20:30:00Z"), "+0300");
        assert_eq!(s.text, "وصف الصورة");
        assert_eq!(
            s.links,
            vec!["https://www.facebook.com/photo.php?fbid=3344556677"]
        );

        let a = sink.accounts().next().unwrap();
        assert_eq!(a.key, fb("100200300400"));
        assert_eq!(a.handle.as_deref(), Some("examplenewsar"));
        assert_eq!(a.display_name.as_deref(), Some("أخبار المثال"));
        assert_eq!(a.bio.as_deref(), Some("صفحة إخبارية تجريبية"));
        assert_eq!(a.created_at, utc("2012-04-01T10:00:00Z"));
        assert_eq!(a.followers, Some(250000));
        let c = sink.channels().next().unwrap();
        assert_eq!(c.kind, ChannelKind::Page);
        assert_eq!(c.name.as_deref(), Some("أخبار المثال"));
    }

    #[test]
    fn csv_bad_rows_are_rejected_with_line() {
        let sink = fixture("facebook-pages.csv");
        let got: Vec<_> = sink
            .rejects
            .iter()
            .map(|r| (r.position.line, r.position.record, r.field.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some(5), Some(3), Some("Post Created")),
                (Some(6), Some(4), None),
                (Some(7), Some(5), Some("Page Name")),
            ]
        );
        assert!(sink.rejects[0].reason.contains("unknown time zone `XYZ`"));
        assert!(sink.rejects[1]
            .reason
            .contains("expected 40 fields, found 5"));
        assert!(sink.rejects[2].reason.contains("UTF-8"));
        assert!(sink.rejects[0].to_string().contains("facebook-pages.csv:5"));
    }

    #[test]
    fn csv_facebook_groups() {
        let sink = fixture("facebook-groups.csv");
        assert_eq!(sink.count("item"), 2);
        assert_eq!(sink.count("account"), 1);
        assert_eq!(sink.count("channel"), 1);
        let p = item(&sink, &fb("500600700800_2233445566778899"));
        assert_eq!(p.created_at, utc("2021-01-05T16:30:00Z"), "CST, `Created`");
        assert_eq!(p.channel, Some(fb("500600700800")));
        assert_eq!(p.hashtags, vec!["الأخبار"]);
        assert_eq!(p.metrics.get("shares"), Some(&12));
        let live = item(&sink, &fb("500600700800_2233445566778900"));
        assert_eq!(live.kind, ItemKind::LiveStream);
        assert!(!live.is_live);
        assert_eq!(live.created_at, utc("2021-07-05T16:00:00Z"), "PDT");
        let c = sink.channels().next().unwrap();
        assert_eq!(c.kind, ChannelKind::Group);
        assert_eq!(c.name.as_deref(), Some("مجموعة المثال"));
        assert_eq!(c.handle, None);
        assert_eq!(sink.rejects.len(), 1);
        assert_eq!(sink.rejects[0].field.as_deref(), Some("Created"));
        assert_eq!(sink.rejects[0].position.line, Some(4));
    }

    #[test]
    fn csv_instagram() {
        let sink = fixture("instagram.csv");
        assert_eq!(sink.count("item"), 2);
        assert_eq!(sink.count("account"), 1);
        assert_eq!(sink.count("channel"), 0);
        let ig = |id: &str| Key::new(Platform::Instagram, id);
        let p = item(&sink, &ig("CJxYz12AbCd"));
        assert_eq!(
            p.author,
            Some(Key::handle(Platform::Instagram, "rahhala.example"))
        );
        assert_eq!(p.created_at, utc("2021-01-05T18:00:00Z"));
        assert_eq!(p.text, "صور من الجولة #سفر");
        assert!(p.links.is_empty(), "the link to the post itself is its url");
        assert_eq!(p.media.len(), 1);
        assert_eq!(
            p.media[0].url.as_deref(),
            Some("https://cdn.example/ig/1.jpg")
        );
        assert_eq!(p.metrics.get("likes"), Some(&870));
        assert_eq!(p.metrics.get("subscribers"), Some(&12345));
        let tv = item(&sink, &ig("CJzzz98XyZw"));
        assert_eq!(tv.kind, ItemKind::Video);
        assert_eq!(tv.text, "رحلة إلى الجبال");
        assert_eq!(tv.metrics.get("views"), Some(&20500));
        assert_eq!(tv.metrics.get("likes"), Some(&1020));
        let a = sink.accounts().next().unwrap();
        assert_eq!(a.display_name.as_deref(), Some("رحالة"));
        assert_eq!(a.followers, Some(12345));
        assert_eq!(sink.rejects.len(), 1);
        assert_eq!(sink.rejects[0].field.as_deref(), Some("URL"));
        assert_eq!(sink.rejects[0].position.line, Some(4));
    }

    #[test]
    fn csv_header_only_and_empty_files() {
        let (sink, res) = read_bytes(Format::Crowdtangle, "e.csv", b"");
        res.unwrap();
        assert!(sink.records.is_empty());
        let (sink, res) = read_bytes(Format::Crowdtangle, "h.csv", b"\n\nURL,Post Created\n");
        res.unwrap();
        assert!(sink.records.is_empty() && sink.rejects.is_empty());
        // Missing columns are tolerated: no time column, no author.
        let (sink, res) = read_bytes(
            Format::Crowdtangle,
            "m.csv",
            b"url,MESSAGE\nhttps://www.facebook.com/x/posts/42,hi\n",
        );
        res.unwrap();
        let it = sink.items().next().unwrap();
        assert_eq!(it.key, fb("42"));
        assert_eq!(
            (it.text.as_str(), it.created_at, &it.author),
            ("hi", None, &None)
        );
    }

    #[test]
    fn csv_crlf_line_numbers() {
        let text = "URL,Message,Post Created\r\n\
            https://www.facebook.com/a/posts/1,\"two\r\nlines\",2021-01-05 10:00:00 UTC\r\n\
            https://www.facebook.com/a/posts/2,x,2021-01-05 10:00:00 ABC\r\n\
            https://www.facebook.com/a/posts/3,y\r\n";
        let (sink, res) = read_bytes(Format::Crowdtangle, "c.csv", text.as_bytes());
        res.unwrap();
        assert_eq!(sink.items().next().unwrap().text, "two\r\nlines");
        let lines: Vec<_> = sink.rejects.iter().map(|r| r.position.line).collect();
        assert_eq!(lines, vec![Some(4), Some(5)]);
    }

    #[test]
    fn csv_times_counts_and_urls() {
        let t = |s: &str| parse_csv_time(s).map(|t| t.to_rfc3339());
        assert_eq!(
            t("2021-01-05 10:00:03 EST").unwrap(),
            "2021-01-05T15:00:03+00:00"
        );
        assert_eq!(
            t("2021-01-05 10:00 MDT").unwrap(),
            "2021-01-05T16:00:00+00:00"
        );
        assert_eq!(
            t("2021-01-05 10:00:00 +05:30").unwrap(),
            "2021-01-05T04:30:00+00:00"
        );
        assert_eq!(
            t("2021-01-05 10:00:00 GMT+3").unwrap(),
            "2021-01-05T07:00:00+00:00"
        );
        assert_eq!(
            t("2021-01-05 10:00:00 -03").unwrap(),
            "2021-01-05T13:00:00+00:00"
        );
        assert_eq!(
            t("2021-01-05T10:00:00Z").unwrap(),
            "2021-01-05T10:00:00+00:00"
        );
        assert!(t("2021-01-05 10:00:00 AST")
            .unwrap_err()
            .contains("unknown time zone"));
        assert!(t("2021-01-05 10:00:00")
            .unwrap_err()
            .contains("no time zone"));
        assert!(t("yesterday at noon").unwrap_err().contains("unreadable"));
        assert_eq!(parse_count("1,234,567"), Some(1234567));
        assert_eq!(parse_count("12.0"), Some(12));
        assert_eq!(parse_count("1.5"), None);
        assert_eq!(parse_count("n/a"), None);
        let id = |u: &str| post_id_from_url(u);
        assert_eq!(
            id("https://www.facebook.com/a/posts/123"),
            Some("123".into())
        );
        assert_eq!(
            id("https://www.facebook.com/a/videos/456/"),
            Some("456".into())
        );
        assert_eq!(
            id("https://www.facebook.com/permalink.php?story_fbid=789&id=1"),
            Some("789".into())
        );
        assert_eq!(
            id("https://www.facebook.com/a/photos/a.1/321/"),
            Some("321".into())
        );
        assert_eq!(
            id("https://www.instagram.com/p/CJxYz12AbCd/"),
            Some("CJxYz12AbCd".into())
        );
        assert_eq!(id("https://www.facebook.com/a"), None);
        assert_eq!(id("not a url"), None);
    }
}
