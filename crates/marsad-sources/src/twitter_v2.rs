//! `twitter-v2`: X (Twitter) API v2 JSON lines, as written by twarc2 and similar tools.
//!
//! Accepted inputs (one JSON object per line; a file may mix them):
//! - **response pages** `{"data", "includes", "meta", "errors", "matching_rules", "__twarc"}`
//!   from any tweet endpoint (search, timelines, lookup, filtered stream: `data` is an array
//!   or a single tweet) or user endpoint (lookup, followers, following: `data` holds users);
//! - **plain tweet objects**, including twarc's flattened form (`twarc2 flatten`): the tweet
//!   embeds `author`, `in_reply_to_user`, `referenced_tweets[].tweet`, `attachments.media`,
//!   the place merged into `geo` (or as `geo.place`) and its page's `__twarc`;
//! - **plain user objects** (flattened user lookups);
//! - **error lines** (`{"errors": [...]}` without data, a bare problem object, a stream's
//!   operational-disconnect).
//!
//! Mapping (see `docs/formats/twitter-v2.md` for the full table):
//! - tweets (`data`, `includes.tweets`, embedded referenced tweets) → [`Item`] `post`, key
//!   `id`; `author_id` → author; `note_tweet.text` (long posts) else `text`, with the API's
//!   `&amp;`/`&lt;`/`&gt;` decoded; `lang`; url `https://x.com/<username>/status/<id>` when
//!   the author's username is known, else `https://x.com/i/web/status/<id>`;
//!   `referenced_tweets` `retweeted`/`quoted`/`replied_to` → `repost_of`/`quote_of`/`reply_to`;
//!   `entities.mentions` (id from the mention, else resolved by username in `includes.users`);
//!   `entities.hashtags[].tag`; `entities.urls` (`expanded_url`, else `url`; entries carrying a
//!   `media_key` are the attachment's self-link and skipped); `attachments.media_keys` →
//!   media from `includes.media`; `geo.coordinates` → geo; `geo.place_id` → place from
//!   `includes.places`; `public_metrics` → metrics; `withheld.country_codes` → withheld_in;
//!   a later version of an edited tweet gets `edited_at` = its `created_at`;
//! - users (`includes.users`, user pages, flattened `author`/`in_reply_to_user`, user lines)
//!   → [`Account`] with status `active` at the retrieval time; `pinned_tweet_id` → a `pinned`
//!   [`Interaction`]; on `/2/users/:id/followers` and `/following` pages each listed user
//!   also yields a `follows` edge;
//! - API errors that state an account's fate ("User has been suspended", "Could not find
//!   user") → an [`Account`] with status `suspended` / `deleted` (keyed by id, or `@handle`
//!   when the error names a username whose id the page does not reveal); every other error
//!   → a `skipped` notice;
//! - `__twarc.retrieved_at` → `observed_at` of every record of the line.
//!
//! Reply, repost, quote and mention edges are item fields (derived by the store), never
//! emitted here. Each tweet and user is emitted at most once per line. Lines that are not
//! UTF-8 or not JSON are rejected with their line number and reading goes on; a line that
//! only parses after dropping trailing commas is read and reported by one `repaired` notice.

use crate::util::{
    excerpt, json_i64, json_id, json_str, json_time, read_line_capped, reject, Line, TolerantJson,
    MAX_LINE,
};
use crate::{Format, Input, Notice, NoticeKind, Position, Sink, Source, SourceError, Stop};
use chrono::{DateTime, Utc};
use marsad_model::{
    Account, AccountStatus, GeoPoint, Interaction, InteractionKind, Item, ItemKind, Key, MediaKind,
    MediaRef, Mention, Metrics, Node, Place, Platform, Raw, Record, StatusObservation,
};
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

const NAME: &str = "twitter-v2";
const X: Platform = Platform::X;
/// How deep embedded (flattened) tweets are followed: tweet → quoted tweet → its reply...
const MAX_DEPTH: u8 = 4;

/// Importer for X API v2 JSON lines (twarc2 output, flattened or not).
#[derive(Debug, Clone, Copy, Default)]
pub struct TwitterV2;

impl Source for TwitterV2 {
    fn format(&self) -> Format {
        Format::TwitterV2
    }

    fn read(&self, mut input: Input<'_>, sink: &mut dyn Sink) -> Result<(), SourceError> {
        let file = input.path.to_path_buf();
        let mut reader = Reader {
            file: &file,
            sink,
            records: 0,
            repaired: 0,
            first_repaired: None,
        };
        let mut buf = Vec::with_capacity(1 << 16);
        let mut line_no = 0u64;
        loop {
            let line = read_line_capped(&mut input.reader, &mut buf, MAX_LINE).map_err(|e| {
                SourceError::Io {
                    file: file.clone(),
                    source: e,
                }
            })?;
            match line {
                Line::Eof => break,
                Line::TooLong(n) => {
                    line_no += 1;
                    reader.sink.reject(reject(
                        NAME,
                        Position {
                            record: Some(line_no),
                            ..Position::line(&file, line_no)
                        },
                        None,
                        format!("line of {n} bytes is longer than the {MAX_LINE}-byte limit"),
                        "",
                    ))?;
                }
                Line::Read => {
                    line_no += 1;
                    reader.line(line_no, &buf)?;
                }
            }
        }
        reader.finish();
        Ok(())
    }
}

/// A record that cannot be mapped: the field to blame (if any) and why.
struct Bad {
    field: Option<String>,
    reason: String,
}

fn bad(field: Option<&str>, reason: impl Into<String>) -> Bad {
    Bad {
        field: field.map(str::to_string),
        reason: reason.into(),
    }
}

/// What a page's `includes` (or nothing, for plain objects) tells about the tweets.
#[derive(Default)]
struct Ctx {
    observed_at: Option<DateTime<Utc>>,
    /// user id → username.
    usernames: HashMap<String, String>,
    /// lower-case username → user id.
    user_ids: HashMap<String, String>,
    media: HashMap<String, MediaRef>,
    places: HashMap<String, Place>,
}

impl Ctx {
    fn add_user(&mut self, user: &Value) {
        let (Some(id), Some(name)) = (
            user.get("id").and_then(json_id),
            user.get("username").and_then(json_str),
        ) else {
            return;
        };
        let name = name.trim_start_matches('@').to_string();
        self.user_ids.insert(name.to_lowercase(), id.clone());
        self.usernames.insert(id, name);
    }
}

/// Who follows whom on a followers / following page.
enum Follow {
    /// Every listed user follows this account.
    FollowersOf(Key),
    /// This account follows every listed user.
    FollowedBy(Key),
}

/// Tweets and users already emitted from the current line, and the usernames whose id the
/// line's mentions revealed (to key suspended accounts named by username by their id).
#[derive(Default)]
struct Seen {
    tweets: HashSet<String>,
    users: HashSet<String>,
    mentioned: HashMap<String, String>,
}

struct Reader<'a> {
    file: &'a Path,
    sink: &'a mut dyn Sink,
    /// Objects (tweets, users, errors) visited so far in the file: `Position::record`.
    records: u64,
    repaired: u64,
    first_repaired: Option<u64>,
}

impl Reader<'_> {
    fn position(&mut self, line: u64, pointer: &str) -> Position {
        self.records += 1;
        Position {
            record: Some(self.records),
            pointer: (!pointer.is_empty()).then(|| pointer.to_string()),
            ..Position::line(self.file, line)
        }
    }

    fn reject(&mut self, position: Position, bad: Bad, raw: &str) -> Result<(), Stop> {
        self.sink.reject(reject(
            NAME,
            position,
            bad.field.as_deref(),
            bad.reason,
            raw,
        ))
    }

    fn finish(&mut self) {
        if self.repaired > 0 {
            let first = self.first_repaired.unwrap_or_default();
            self.sink.notice(Notice {
                kind: NoticeKind::Repaired,
                position: Position::line(self.file, first),
                message: format!(
                    "{} line(s) had trailing commas and were read without them (first: line {first})",
                    self.repaired
                ),
            });
        }
    }

    /// One line of the file: parse, classify, dispatch.
    fn line(&mut self, line_no: u64, bytes: &[u8]) -> Result<(), Stop> {
        let text = match std::str::from_utf8(bytes) {
            Ok(s) => s
                .trim_end_matches(['\n', '\r'])
                .trim_start_matches('\u{feff}'),
            Err(e) => {
                let lossy = String::from_utf8_lossy(bytes);
                let pos = Position::line(self.file, line_no);
                return self.reject(pos, bad(None, format!("not UTF-8: {e}")), &lossy);
            }
        };
        if text.trim().is_empty() {
            return Ok(());
        }
        let repaired: String;
        let (text, top) = match serde_json::from_str::<HashMap<String, &RawValue>>(text) {
            Ok(top) => (text, top),
            Err(err) => {
                let mut fixed = None;
                if let Some(s) = repair(text) {
                    repaired = s;
                    if let Ok(top) = serde_json::from_str::<HashMap<String, &RawValue>>(&repaired) {
                        fixed = Some((repaired.as_str(), top));
                    }
                }
                match fixed {
                    Some(found) => {
                        self.repaired += 1;
                        self.first_repaired.get_or_insert(line_no);
                        found
                    }
                    None => {
                        let mut pos = Position::line(self.file, line_no);
                        let reason = if err.is_data() {
                            "not a JSON object".to_string()
                        } else {
                            pos.column = (err.column() > 0).then_some(err.column() as u64);
                            format!("invalid JSON: {}", strip_position(&err.to_string()))
                        };
                        return self.reject(pos, bad(None, reason), text);
                    }
                }
            }
        };
        let has = |k: &str| top.contains_key(k);
        let object_line = has("id") && (has("text") || has("username") || has("note_tweet"));
        if !object_line && (has("data") || has("includes") || has("errors") || has("meta")) {
            return self.page(line_no, &top);
        }
        let observed_at = top
            .get("__twarc")
            .and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
            .and_then(|v| v.get("retrieved_at").and_then(json_time));
        let mut ctx = Ctx {
            observed_at,
            ..Ctx::default()
        };
        let raw = text.trim();
        let mut seen = Seen::default();
        if has("username") && !has("text") && !has("note_tweet") {
            let pos = self.position(line_no, "");
            return match serde_json::from_str::<Value>(raw) {
                Ok(v) => {
                    // The user is the author of its embedded pinned tweet.
                    ctx.add_user(&v);
                    self.user(&v, raw, pos, line_no, "", &ctx, &mut seen, None, 0)
                }
                Err(e) => self.reject(
                    pos,
                    bad(
                        None,
                        format!("invalid JSON: {}", strip_position(&e.to_string())),
                    ),
                    raw,
                ),
            };
        }
        if has("text") || has("note_tweet") || has("author_id") {
            let pos = self.position(line_no, "");
            return self.tweet_raw(raw, pos, line_no, "", &ctx, &mut seen, 0);
        }
        if has("title") && (has("detail") || has("type")) {
            let pos = self.position(line_no, "");
            return self.error(raw, pos, &ctx, &mut seen);
        }
        let pos = self.position(line_no, "");
        self.reject(
            pos,
            bad(
                None,
                "neither an API v2 response page nor a tweet, user or error object",
            ),
            raw,
        )
    }

    /// A response page: `data`, `includes`, `errors`, `__twarc`.
    fn page(&mut self, line_no: u64, top: &HashMap<String, &RawValue>) -> Result<(), Stop> {
        let twarc = top
            .get("__twarc")
            .and_then(|r| serde_json::from_str::<Value>(r.get()).ok());
        let observed_at = twarc
            .as_ref()
            .and_then(|v| v.get("retrieved_at"))
            .and_then(json_time);
        let follow = twarc
            .as_ref()
            .and_then(|v| v.get("url"))
            .and_then(Value::as_str)
            .and_then(follow_of);
        let mut ctx = Ctx {
            observed_at,
            ..Ctx::default()
        };

        let includes: HashMap<String, &RawValue> = match top.get("includes") {
            None => HashMap::new(),
            Some(r) => match serde_json::from_str(r.get()) {
                Ok(m) => m,
                Err(_) => {
                    if r.get() != "null" {
                        let pos = Position::line(self.file, line_no);
                        self.reject(
                            pos,
                            bad(Some("includes"), "`includes` is not an object"),
                            r.get(),
                        )?;
                    }
                    HashMap::new()
                }
            },
        };
        let mut lists: [Vec<&RawValue>; 4] = Default::default();
        for (slot, name) in lists.iter_mut().zip(["users", "tweets", "media", "places"]) {
            let Some(r) = includes.get(name) else {
                continue;
            };
            match serde_json::from_str::<Vec<&RawValue>>(r.get()) {
                Ok(v) => *slot = v,
                Err(_) if r.get() == "null" => {}
                Err(_) => {
                    let pos = Position::line(self.file, line_no);
                    let field = format!("includes.{name}");
                    let reason = format!("`{field}` is not an array");
                    self.reject(pos, bad(Some(&field), reason), r.get())?;
                }
            }
        }
        let [inc_users, inc_tweets, inc_media, inc_places] = lists;

        let data: Vec<(String, &RawValue)> = match top.get("data") {
            None => Vec::new(),
            Some(r) => {
                let t = r.get().trim_start();
                if t.starts_with('[') {
                    match serde_json::from_str::<Vec<&RawValue>>(r.get()) {
                        Ok(v) => v
                            .into_iter()
                            .enumerate()
                            .map(|(i, e)| (format!("data[{i}]"), e))
                            .collect(),
                        Err(_) => Vec::new(),
                    }
                } else if t.starts_with('{') {
                    vec![("data".to_string(), *r)]
                } else {
                    if t != "null" {
                        let pos = Position::line(self.file, line_no);
                        self.reject(
                            pos,
                            bad(Some("data"), "`data` is neither an array nor an object"),
                            r.get(),
                        )?;
                    }
                    Vec::new()
                }
            }
        };

        // Parse users once: they feed the context and are emitted below.
        let parse = |r: &RawValue| serde_json::from_str::<Value>(r.get()).ok();
        let data: Vec<(String, &RawValue, Option<Value>)> =
            data.into_iter().map(|(p, r)| (p, r, parse(r))).collect();
        let inc_users: Vec<(&RawValue, Option<Value>)> =
            inc_users.into_iter().map(|r| (r, parse(r))).collect();
        for (_, _, v) in &data {
            if let Some(v) = v.as_ref().filter(|v| is_user(v)) {
                ctx.add_user(v);
            }
        }
        for v in inc_users.iter().filter_map(|(_, v)| v.as_ref()) {
            ctx.add_user(v);
        }
        for m in inc_media.iter().filter_map(|r| parse(r)) {
            if let Some(media) = media_ref(&m) {
                if let Some(k) = media.platform_id.clone() {
                    ctx.media.insert(k, media);
                }
            }
        }
        for p in inc_places.iter().filter_map(|r| parse(r)) {
            if let Some(id) = p.get("id").and_then(json_id) {
                ctx.places.insert(id.clone(), place_of(&p, Some(id)));
            }
        }

        let mut seen = Seen::default();
        for (pointer, raw, value) in &data {
            let pos = self.position(line_no, pointer);
            let raw = raw.get();
            let Some(v) = value else {
                self.reject(pos, bad(None, "element is not valid JSON"), raw)?;
                continue;
            };
            if is_user(v) {
                self.user(
                    v,
                    raw,
                    pos,
                    line_no,
                    pointer,
                    &ctx,
                    &mut seen,
                    follow.as_ref(),
                    0,
                )?;
            } else if is_tweet(v) || v.get("id").is_none() {
                self.tweet(v, raw, pos, line_no, pointer, &ctx, &mut seen, 0)?;
            } else {
                self.reject(
                    pos,
                    bad(
                        None,
                        "data element is neither a tweet (`text`) nor a user (`username`)",
                    ),
                    raw,
                )?;
            }
        }
        for (i, (raw, value)) in inc_users.iter().enumerate() {
            let pointer = format!("includes.users[{i}]");
            let pos = self.position(line_no, &pointer);
            match value {
                Some(v) => self.user(
                    v,
                    raw.get(),
                    pos,
                    line_no,
                    &pointer,
                    &ctx,
                    &mut seen,
                    None,
                    0,
                )?,
                None => self.reject(pos, bad(None, "element is not valid JSON"), raw.get())?,
            }
        }
        for (i, raw) in inc_tweets.iter().enumerate() {
            let pointer = format!("includes.tweets[{i}]");
            let pos = self.position(line_no, &pointer);
            self.tweet_raw(raw.get(), pos, line_no, &pointer, &ctx, &mut seen, 0)?;
        }
        if let Some(errors) = top.get("errors") {
            let errors = serde_json::from_str::<Vec<&RawValue>>(errors.get())
                .unwrap_or_else(|_| vec![*errors]);
            for (i, raw) in errors.iter().enumerate() {
                let pos = self.position(line_no, &format!("errors[{i}]"));
                self.error(raw.get(), pos, &ctx, &mut seen)?;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn tweet_raw(
        &mut self,
        raw: &str,
        pos: Position,
        line_no: u64,
        pointer: &str,
        ctx: &Ctx,
        seen: &mut Seen,
        depth: u8,
    ) -> Result<(), Stop> {
        match serde_json::from_str::<Value>(raw) {
            Ok(v) => self.tweet(&v, raw, pos, line_no, pointer, ctx, seen, depth),
            Err(e) => self.reject(
                pos,
                bad(
                    None,
                    format!("invalid JSON: {}", strip_position(&e.to_string())),
                ),
                raw,
            ),
        }
    }

    /// A tweet object and, when flattened, the users and tweets embedded in it.
    #[allow(clippy::too_many_arguments)]
    fn tweet(
        &mut self,
        v: &Value,
        raw: &str,
        pos: Position,
        line_no: u64,
        pointer: &str,
        ctx: &Ctx,
        seen: &mut Seen,
        depth: u8,
    ) -> Result<(), Stop> {
        let item = match map_tweet(v, raw, ctx) {
            Ok(item) => item,
            Err(b) => return self.reject(pos, b, raw),
        };
        if !seen.tweets.insert(item.key.id.clone()) {
            return Ok(());
        }
        for m in &item.mentions {
            if let Some(k) = &m.account {
                seen.mentioned
                    .entry(m.handle.to_lowercase())
                    .or_insert_with(|| k.id.clone());
            }
        }
        self.sink.record(Record::Item(item))?;
        let embeds = ["author", "in_reply_to_user", "referenced_tweets"];
        if depth >= MAX_DEPTH || !embeds.iter().any(|k| v.get(k).is_some()) {
            return Ok(());
        }
        // Flattened: the embedded objects' own verbatim text is their raw record.
        let Ok(fields) = serde_json::from_str::<HashMap<String, &RawValue>>(raw) else {
            return Ok(());
        };
        for key in ["author", "in_reply_to_user"] {
            let Some(u) = fields.get(key) else { continue };
            let Ok(uv) = serde_json::from_str::<Value>(u.get()) else {
                continue;
            };
            if uv.get("username").is_some() {
                let p = join(pointer, key);
                let pos = self.position(line_no, &p);
                self.user(&uv, u.get(), pos, line_no, &p, ctx, seen, None, depth + 1)?;
            }
        }
        let refs = fields
            .get("referenced_tweets")
            .and_then(|r| serde_json::from_str::<Vec<HashMap<String, &RawValue>>>(r.get()).ok())
            .unwrap_or_default();
        for (i, r) in refs.iter().enumerate() {
            let Some(t) = r.get("tweet") else { continue };
            let Ok(tv) = serde_json::from_str::<Value>(t.get()) else {
                continue;
            };
            if is_tweet(&tv) {
                let p = join(pointer, &format!("referenced_tweets[{i}].tweet"));
                let pos = self.position(line_no, &p);
                self.tweet(&tv, t.get(), pos, line_no, &p, ctx, seen, depth + 1)?;
            }
        }
        Ok(())
    }

    /// A user object: the account, its pinned tweet edge, the follows edge of a followers /
    /// following page and, when flattened, the embedded pinned tweet.
    #[allow(clippy::too_many_arguments)]
    fn user(
        &mut self,
        v: &Value,
        raw: &str,
        pos: Position,
        line_no: u64,
        pointer: &str,
        ctx: &Ctx,
        seen: &mut Seen,
        follow: Option<&Follow>,
        depth: u8,
    ) -> Result<(), Stop> {
        let account = match map_user(v, raw, ctx.observed_at) {
            Ok(a) => a,
            Err(b) => return self.reject(pos, b, raw),
        };
        if !seen.users.insert(account.key.id.clone()) {
            return Ok(());
        }
        let key = account.key.clone();
        self.sink.record(Record::Account(account))?;
        if let Some(pinned) = v.get("pinned_tweet_id").and_then(json_id) {
            self.sink.record(Record::Interaction(Interaction {
                kind: InteractionKind::Pinned,
                source: Node::Account(key.clone()),
                target: Node::Item(Key::new(X, pinned)),
                at: None,
                item: None,
                raw: None,
            }))?;
        }
        if let Some(f) = follow {
            let (source, target) = match f {
                Follow::FollowersOf(k) => (key.clone(), k.clone()),
                Follow::FollowedBy(k) => (k.clone(), key.clone()),
            };
            if source != target {
                self.sink.record(Record::Interaction(Interaction {
                    kind: InteractionKind::Follows,
                    source: Node::Account(source),
                    target: Node::Account(target),
                    at: None,
                    item: None,
                    raw: None,
                }))?;
            }
        }
        if depth < MAX_DEPTH {
            if let Some(t) = v.get("pinned_tweet").filter(|t| is_tweet(t)) {
                if let Ok(fields) = serde_json::from_str::<HashMap<String, &RawValue>>(raw) {
                    if let Some(traw) = fields.get("pinned_tweet") {
                        let p = join(pointer, "pinned_tweet");
                        let pos = self.position(line_no, &p);
                        self.tweet(t, traw.get(), pos, line_no, &p, ctx, seen, depth + 1)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// An API error object: an account's fate, or a skipped notice.
    fn error(&mut self, raw: &str, pos: Position, ctx: &Ctx, seen: &mut Seen) -> Result<(), Stop> {
        let observed_at = ctx.observed_at;
        let v = serde_json::from_str::<Value>(raw).unwrap_or(Value::Null);
        match classify_error(&v) {
            ErrorMeaning::Account {
                mut key,
                handle,
                status,
                detail,
            } => {
                // An account named by username: its id, if the page revealed it.
                if let Some(h) = handle.as_deref().map(str::to_lowercase) {
                    if let Some(id) = ctx.user_ids.get(&h).or_else(|| seen.mentioned.get(&h)) {
                        key = Key::new(X, id.clone());
                    }
                }
                if !seen.users.insert(key.id.clone()) {
                    return Ok(());
                }
                let mut account = Account::new(key, Raw::new(NAME, raw));
                account.handle = handle;
                account.status = Some(StatusObservation {
                    status,
                    at: observed_at,
                    source: format!("{NAME}: {detail}"),
                });
                account.observed_at = observed_at;
                self.sink.record(Record::Account(account))
            }
            ErrorMeaning::Skip(message) => {
                self.sink.notice(Notice {
                    kind: NoticeKind::Skipped,
                    position: pos,
                    message,
                });
                Ok(())
            }
        }
    }
}

/// The line with trailing commas dropped, if there were any.
fn repair(text: &str) -> Option<String> {
    let reader = TolerantJson::new(text.as_bytes());
    let repairs = reader.repairs();
    let mut out = String::with_capacity(text.len());
    let mut reader = reader;
    reader.read_to_string(&mut out).ok()?;
    (repairs.load(std::sync::atomic::Ordering::Relaxed) > 0).then_some(out)
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn join(pointer: &str, key: &str) -> String {
    if pointer.is_empty() {
        key.to_string()
    } else {
        format!("{pointer}.{key}")
    }
}

fn is_user(v: &Value) -> bool {
    v.get("username").is_some() && !is_tweet(v)
}

fn is_tweet(v: &Value) -> bool {
    ["text", "note_tweet", "author_id", "edit_history_tweet_ids"]
        .iter()
        .any(|k| v.get(k).is_some())
}

/// `https://api.twitter.com/2/users/:id/followers` (or `/following`).
fn follow_of(url: &str) -> Option<Follow> {
    let u = url::Url::parse(url).ok()?;
    let segs: Vec<&str> = u.path_segments()?.collect();
    match segs.as_slice() {
        ["2", "users", id, "followers"] if is_numeric(id) => {
            Some(Follow::FollowersOf(Key::new(X, *id)))
        }
        ["2", "users", id, "following"] if is_numeric(id) => {
            Some(Follow::FollowedBy(Key::new(X, *id)))
        }
        _ => None,
    }
}

fn is_numeric(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The API HTML-escapes `&`, `<` and `>` in tweet text; one pass undoes it.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let (rep, n) = if tail.starts_with("&amp;") {
            ("&", 5)
        } else if tail.starts_with("&lt;") {
            ("<", 4)
        } else if tail.starts_with("&gt;") {
            (">", 4)
        } else {
            ("&", 1)
        };
        out.push_str(rep);
        rest = &tail[n..];
    }
    out.push_str(rest);
    out
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(json_str).collect())
        .unwrap_or_default()
}

fn push_unique(list: &mut Vec<String>, s: String) {
    if !list.contains(&s) {
        list.push(s);
    }
}

/// Maps one tweet object to an item.
fn map_tweet(t: &Value, raw: &str, ctx: &Ctx) -> Result<Item, Bad> {
    if !t.is_object() {
        return Err(bad(None, "tweet is not a JSON object"));
    }
    let id = t
        .get("id")
        .and_then(json_id)
        .ok_or_else(|| bad(Some("id"), "missing or invalid tweet id"))?;
    let mut item = Item::new(Key::new(X, &id), ItemKind::Post, Raw::new(NAME, raw));
    let author_obj = t.get("author").filter(|a| a.is_object());
    let author_id = t
        .get("author_id")
        .and_then(json_id)
        .or_else(|| author_obj.and_then(|a| a.get("id")).and_then(json_id));
    item.author = author_id.as_ref().map(|a| Key::new(X, a));
    item.created_at = t.get("created_at").and_then(json_time);
    let text = t
        .pointer("/note_tweet/text")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .or_else(|| t.get("text").and_then(Value::as_str));
    item.text = text.map(unescape).unwrap_or_default();
    item.language = t.get("lang").and_then(json_str);
    let username = author_obj
        .and_then(|a| a.get("username"))
        .and_then(json_str)
        .or_else(|| {
            author_id
                .as_ref()
                .and_then(|a| ctx.usernames.get(a).cloned())
        });
    item.url = Some(match username {
        Some(u) => format!("https://x.com/{}/status/{id}", u.trim_start_matches('@')),
        None => format!("https://x.com/i/web/status/{id}"),
    });

    for r in t
        .get("referenced_tweets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(rid) = r.get("id").and_then(json_id) else {
            continue;
        };
        let slot = match r.get("type").and_then(Value::as_str) {
            Some("retweeted") => &mut item.repost_of,
            Some("quoted") => &mut item.quote_of,
            Some("replied_to") => &mut item.reply_to,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(Key::new(X, rid));
        }
    }

    let entity_sets = [t.get("entities"), t.pointer("/note_tweet/entities")];
    for ents in entity_sets.into_iter().flatten() {
        for m in ents
            .get("mentions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(handle) = m.get("username").and_then(json_str) else {
                continue;
            };
            let handle = handle.trim_start_matches('@').to_string();
            let account = m
                .get("id")
                .and_then(json_id)
                .or_else(|| ctx.user_ids.get(&handle.to_lowercase()).cloned())
                .map(|id| Key::new(X, id));
            let mention = Mention { handle, account };
            if !item.mentions.contains(&mention) {
                item.mentions.push(mention);
            }
        }
        for h in ents
            .get("hashtags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(tag) = h.get("tag").and_then(json_str) {
                push_unique(&mut item.hashtags, tag.trim_start_matches('#').to_string());
            }
        }
        for u in ents
            .get("urls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if u.get("media_key").and_then(json_id).is_some() {
                continue;
            }
            let link = u
                .get("expanded_url")
                .and_then(json_str)
                .or_else(|| u.get("url").and_then(json_str));
            if let Some(link) = link {
                push_unique(&mut item.links, link);
            }
        }
    }

    // Media: embedded objects (flattened) first, then keys resolved through `includes`.
    if let Some(list) = t.pointer("/attachments/media").and_then(Value::as_array) {
        item.media.extend(list.iter().filter_map(media_ref));
    }
    for key in t
        .pointer("/attachments/media_keys")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(json_id)
    {
        if item
            .media
            .iter()
            .any(|m| m.platform_id.as_deref() == Some(&key))
        {
            continue;
        }
        let media = ctx.media.get(&key).cloned().unwrap_or_else(|| {
            let mut m = MediaRef::new(kind_of_key(&key).unwrap_or(MediaKind::File));
            m.platform_id = Some(key.clone());
            m
        });
        item.media.push(media);
    }

    if let Some(geo) = t.get("geo").filter(|g| g.is_object()) {
        if let Some(c) = geo
            .pointer("/coordinates/coordinates")
            .and_then(Value::as_array)
        {
            if let [lon, lat] = c.as_slice() {
                if let (Some(lon), Some(lat)) = (lon.as_f64(), lat.as_f64()) {
                    item.geo = GeoPoint::new(lat, lon);
                }
            }
        }
        let place_id = geo.get("place_id").and_then(json_id);
        let merged = ["full_name", "name", "country_code"]
            .iter()
            .any(|k| geo.get(k).is_some());
        item.place = if let Some(p) = geo.get("place").filter(|p| p.is_object()) {
            Some(place_of(p, place_id))
        } else if merged {
            Some(place_of(geo, place_id))
        } else {
            place_id.map(|pid| {
                ctx.places.get(&pid).cloned().unwrap_or(Place {
                    id: Some(pid),
                    ..Place::default()
                })
            })
        };
    }

    if let Some(pm) = t.get("public_metrics") {
        item.metrics = metrics(
            pm,
            &[
                ("retweet_count", "reposts"),
                ("reply_count", "replies"),
                ("like_count", "likes"),
                ("quote_count", "quotes"),
                ("impression_count", "views"),
                ("bookmark_count", "bookmarks"),
            ],
        );
    }
    item.withheld_in = strings(t.pointer("/withheld/country_codes"));
    if let Some(history) = t.get("edit_history_tweet_ids").and_then(Value::as_array) {
        if history.len() > 1 && history.first().and_then(json_id).as_deref() != Some(&id) {
            item.edited_at = item.created_at;
        }
    }
    item.observed_at = ctx.observed_at;
    Ok(item)
}

fn metrics(v: &Value, names: &[(&str, &str)]) -> Metrics {
    names
        .iter()
        .filter_map(|(from, to)| v.get(*from).and_then(json_i64).map(|n| (to.to_string(), n)))
        .collect()
}

/// The kind a media key's numeric prefix stands for (`3_` photo, `7_`/`13_` video,
/// `16_` animated GIF).
fn kind_of_key(key: &str) -> Option<MediaKind> {
    match key.split_once('_')?.0 {
        "3" => Some(MediaKind::Photo),
        "7" | "13" => Some(MediaKind::Video),
        "16" => Some(MediaKind::AnimatedGif),
        _ => None,
    }
}

/// A media object of `includes.media` (or flattened `attachments.media`).
fn media_ref(m: &Value) -> Option<MediaRef> {
    if !m.is_object() {
        return None;
    }
    let key = m.get("media_key").and_then(json_id);
    let kind = match m.get("type").and_then(Value::as_str) {
        Some("photo") => MediaKind::Photo,
        Some("video") => MediaKind::Video,
        Some("animated_gif") => MediaKind::AnimatedGif,
        _ => key
            .as_deref()
            .and_then(kind_of_key)
            .unwrap_or(MediaKind::File),
    };
    let mut r = MediaRef::new(kind);
    r.platform_id = key;
    // Videos and GIFs have no `url`: take the best MP4 variant, else the preview image.
    let best = m
        .get("variants")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v.get("content_type").and_then(Value::as_str) == Some("video/mp4"))
        .filter_map(|v| {
            let url = v.get("url").and_then(json_str)?;
            Some((v.get("bit_rate").and_then(json_i64).unwrap_or(0), url))
        })
        .max_by_key(|(rate, _)| *rate);
    if let Some(url) = m.get("url").and_then(json_str) {
        r.url = Some(url);
    } else if let Some((_, url)) = best {
        r.url = Some(url);
        r.mime = Some("video/mp4".to_string());
    } else {
        r.url = m.get("preview_image_url").and_then(json_str);
    }
    let dim = |k: &str| {
        m.get(k)
            .and_then(json_i64)
            .and_then(|n| u32::try_from(n).ok())
    };
    r.width = dim("width");
    r.height = dim("height");
    r.duration_secs = m
        .get("duration_ms")
        .and_then(json_i64)
        .filter(|ms| *ms >= 0)
        .map(|ms| ms as f64 / 1000.0);
    Some(r)
}

/// A place object (`includes.places`, flattened `geo`).
fn place_of(p: &Value, fallback_id: Option<String>) -> Place {
    let bbox = p
        .pointer("/geo/bbox")
        .and_then(Value::as_array)
        .and_then(|b| {
            let v: Vec<f64> = b.iter().filter_map(Value::as_f64).collect();
            <[f64; 4]>::try_from(v).ok()
        });
    Place {
        id: p.get("id").and_then(json_id).or(fallback_id),
        name: p.get("name").and_then(json_str),
        full_name: p.get("full_name").and_then(json_str),
        country_code: p.get("country_code").and_then(json_str),
        bbox,
    }
}

/// Maps one user object to an account.
fn map_user(u: &Value, raw: &str, observed_at: Option<DateTime<Utc>>) -> Result<Account, Bad> {
    if !u.is_object() {
        return Err(bad(None, "user is not a JSON object"));
    }
    let id = u
        .get("id")
        .and_then(json_id)
        .ok_or_else(|| bad(Some("id"), "missing or invalid user id"))?;
    let mut a = Account::new(Key::new(X, id), Raw::new(NAME, raw));
    let s = |k: &str| u.get(k).and_then(json_str);
    a.handle = s("username").map(|h| h.trim_start_matches('@').to_string());
    a.display_name = s("name");
    a.bio = s("description");
    a.avatar_url = s("profile_image_url");
    // `url` is a t.co link; its expansion is in `entities.url.urls`.
    a.url = s("url").map(|short| {
        u.pointer("/entities/url/urls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|e| e.get("url").and_then(json_str).as_deref() == Some(&short))
            .and_then(|e| e.get("expanded_url").and_then(json_str))
            .unwrap_or(short)
    });
    a.location = s("location");
    a.created_at = u.get("created_at").and_then(json_time);
    if let Some(pm) = u.get("public_metrics") {
        a.followers = pm.get("followers_count").and_then(json_i64);
        a.following = pm.get("following_count").and_then(json_i64);
        a.metrics = metrics(
            pm,
            &[
                ("tweet_count", "posts"),
                ("listed_count", "listed"),
                ("like_count", "likes"),
            ],
        );
    }
    a.verified = u.get("verified").and_then(Value::as_bool);
    if let Some(at) = observed_at {
        a.status = Some(StatusObservation {
            status: AccountStatus::Active,
            at: Some(at),
            source: format!("{NAME}: user object returned by the API"),
        });
    }
    a.observed_at = observed_at;
    Ok(a)
}

enum ErrorMeaning {
    Account {
        key: Key,
        handle: Option<String>,
        status: AccountStatus,
        detail: String,
    },
    Skip(String),
}

/// What an API error object means: a suspended or deleted account, or nothing to import.
fn classify_error(e: &Value) -> ErrorMeaning {
    let s = |k: &str| e.get(k).and_then(json_str);
    let title = s("title");
    let detail = s("detail").or_else(|| s("message"));
    let kind = s("type").unwrap_or_default();
    let resource_type = s("resource_type");
    let parameter = s("parameter").unwrap_or_default();
    let value = e
        .get("value")
        .and_then(json_id)
        .or_else(|| e.get("resource_id").and_then(json_id));
    let d = detail.as_deref().unwrap_or_default().to_lowercase();
    let about_user = match resource_type.as_deref() {
        Some(t) => t == "user",
        None => d.starts_with("user has been suspended") || d.starts_with("could not find user"),
    };
    let status = if d.contains("has been suspended") {
        Some(AccountStatus::Suspended)
    } else if d.starts_with("could not find user")
        || (kind.ends_with("/resource-not-found") && title.as_deref() == Some("Not Found Error"))
    {
        Some(AccountStatus::Deleted)
    } else {
        None
    };
    if let (true, Some(status), Some(value)) = (about_user, status, value) {
        let by_name = parameter.contains("username") || !is_numeric(&value);
        let (key, handle) = if by_name {
            let h = value.trim_start_matches('@').to_string();
            (Key::handle(X, &h), Some(h))
        } else {
            (Key::new(X, value), None)
        };
        let detail = detail.unwrap_or_else(|| format!("{status}"));
        return ErrorMeaning::Account {
            key,
            handle,
            status,
            detail,
        };
    }
    let message = match (title, detail) {
        (Some(t), Some(d)) => format!("API error skipped: {t}: {d}"),
        (Some(t), None) => format!("API error skipped: {t}"),
        (None, Some(d)) => format!("API error skipped: {d}"),
        (None, None) => format!("API error skipped: {}", excerpt(&e.to_string())),
    };
    ErrorMeaning::Skip(message)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::{read_bytes, read_file, Reject, VecSink};
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/twitter-v2")
            .join(name)
    }

    fn read(name: &str) -> VecSink {
        let (sink, res) = read_file(Format::TwitterV2, &fixture(name));
        res.unwrap();
        sink
    }

    fn x(id: &str) -> Key {
        Key::new(X, id)
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn item<'a>(sink: &'a VecSink, id: &str) -> &'a Item {
        sink.items()
            .find(|i| i.key == x(id))
            .unwrap_or_else(|| panic!("no item {id}"))
    }

    fn account<'a>(sink: &'a VecSink, key: &Key) -> &'a Account {
        sink.accounts()
            .find(|a| &a.key == key)
            .unwrap_or_else(|| panic!("no account {key}"))
    }

    #[test]
    fn search_page_counts_and_dedupe() {
        let sink = read("search_page.jsonl");
        // Line 1: 4 data tweets + 1 new of 2 includes.tweets (the other repeats data[0]);
        // line 2: the pinned tweet of a followers page.
        assert_eq!(sink.count("item"), 6);
        // Line 1: 2 users + 1 suspended; line 2: 2 followers + 1 deleted.
        assert_eq!(sink.count("account"), 6);
        // 2 pins + 2 follows.
        assert_eq!(sink.count("interaction"), 4);
        assert_eq!(sink.count("channel"), 0);
        assert!(sink.rejects.is_empty(), "{:?}", sink.rejects);
        let ids: HashSet<_> = sink.items().map(|i| i.key.id.clone()).collect();
        assert_eq!(ids.len(), 6, "no tweet twice from one line");
        for r in &sink.records {
            assert_eq!(r.platform(), Platform::X);
        }
    }

    #[test]
    fn tweet_fields_are_mapped() {
        let sink = read("search_page.jsonl");
        let line1 = std::fs::read_to_string(fixture("search_page.jsonl")).unwrap();
        let i = item(&sink, "1600000000000000010");
        assert_eq!(i.kind, ItemKind::Post);
        assert_eq!(i.author, Some(x("1354000000000000001")));
        assert_eq!(i.created_at, Some(t("2022-12-12T06:30:00Z")));
        assert!(i.text.starts_with("صباح الخير من بغداد"), "{}", i.text);
        assert_eq!(i.language.as_deref(), Some("ar"));
        assert_eq!(
            i.url.as_deref(),
            Some("https://x.com/baghdad_weather/status/1600000000000000010")
        );
        assert_eq!(i.hashtags, vec!["بغداد", "طقس"]);
        // The mention without an id is resolved through includes.users when possible.
        assert_eq!(
            i.mentions,
            vec![
                Mention {
                    handle: "CityNewsDesk".into(),
                    account: Some(x("2200000002"))
                },
                Mention {
                    handle: "nobody_known".into(),
                    account: None
                },
            ]
        );
        // The pic.twitter.com self-link (it has a media_key) is not a link.
        assert_eq!(i.links, vec!["https://weather.example.org/baghdad/today"]);
        assert_eq!(i.media.len(), 2);
        let photo = &i.media[0];
        assert_eq!(photo.kind, MediaKind::Photo);
        assert_eq!(
            photo.url.as_deref(),
            Some("https://pbs.twimg.com/media/FkAbCdEfGh.jpg")
        );
        assert_eq!(photo.platform_id.as_deref(), Some("3_1600000000000000100"));
        assert_eq!((photo.width, photo.height), (Some(1200), Some(800)));
        let video = &i.media[1];
        assert_eq!(video.kind, MediaKind::Video);
        assert!(video.url.as_deref().unwrap().ends_with("1280x720/high.mp4"));
        assert_eq!(video.mime.as_deref(), Some("video/mp4"));
        assert_eq!(video.duration_secs, Some(15.5));
        let geo = i.geo.unwrap();
        assert_eq!((geo.lat, geo.lon), (33.3152, 44.3661));
        let place = i.place.as_ref().unwrap();
        assert_eq!(place.id.as_deref(), Some("0a1b2c3d4e5f6a7b"));
        assert_eq!(place.full_name.as_deref(), Some("بغداد, العراق"));
        assert_eq!(place.name.as_deref(), Some("بغداد"));
        assert_eq!(place.country_code.as_deref(), Some("IQ"));
        assert_eq!(place.bbox, Some([44.2, 33.2, 44.5, 33.45]));
        let m: Vec<(&str, i64)> = i.metrics.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(
            m,
            vec![
                ("bookmarks", 3),
                ("likes", 31),
                ("quotes", 1),
                ("replies", 2),
                ("reposts", 4),
                ("views", 2048)
            ]
        );
        assert_eq!(i.withheld_in, vec!["DE", "FR"]);
        assert_eq!(i.edited_at, None);
        assert_eq!(i.observed_at, Some(t("2022-12-12T09:00:00Z")));
        assert_eq!(i.raw.source, "twitter-v2");
        assert!(i.raw.data.starts_with("{\"id\": \"1600000000000000010\""));
        assert!(line1.contains(&i.raw.data), "raw is the verbatim element");
        assert!(i.derived_interactions().len() == 2, "two mentions");
    }

    #[test]
    fn references_edits_long_posts_and_fallbacks() {
        let sink = read("search_page.jsonl");
        let rt = item(&sink, "1600000000000000011");
        assert_eq!(rt.repost_of, Some(x("1599999999999999999")));
        assert!(
            rt.text.ends_with("delays & detours <22:00-05:00>"),
            "{}",
            rt.text
        );
        let orig = item(&sink, "1599999999999999999");
        assert_eq!(
            orig.url.as_deref(),
            Some("https://x.com/CityNewsDesk/status/1599999999999999999")
        );
        assert_eq!(
            orig.text,
            "Road works on the airport road tonight: expect delays & detours <22:00-05:00>"
        );

        let ed = item(&sink, "1600000000000000013");
        assert_eq!(ed.reply_to, Some(x("1600000000000000010")));
        assert_eq!(ed.quote_of, Some(x("1599999999999999999")));
        assert_eq!(ed.repost_of, None);
        // A later version of an edited tweet: edited at its own creation time.
        assert_eq!(ed.edited_at, Some(t("2022-12-12T07:05:00Z")));
        // note_tweet: the full text and its entities.
        assert!(ed.text.ends_with("#دليل_المدينة"), "{}", ed.text);
        assert!(!ed.text.contains('…'));
        assert_eq!(ed.hashtags, vec!["دليل_المدينة"]);
        assert_eq!(
            ed.links,
            vec!["https://twitter.com/i/web/status/1600000000000000013"]
        );

        // Unknown author: generic url; media key absent from includes: kind from its prefix.
        let gif = item(&sink, "1600000000000000014");
        assert_eq!(
            gif.url.as_deref(),
            Some("https://x.com/i/web/status/1600000000000000014")
        );
        assert_eq!(gif.media.len(), 1);
        assert_eq!(gif.media[0].kind, MediaKind::AnimatedGif);
        assert_eq!(gif.media[0].url, None);
        assert_eq!(
            gif.media[0].platform_id.as_deref(),
            Some("16_1600000000000000300")
        );
        assert_eq!(gif.language.as_deref(), Some("und"));
    }

    #[test]
    fn users_pins_follows_and_account_states() {
        let sink = read("search_page.jsonl");
        let a = account(&sink, &x("1354000000000000001"));
        assert_eq!(a.handle.as_deref(), Some("baghdad_weather"));
        assert_eq!(a.display_name.as_deref(), Some("طقس بغداد"));
        assert_eq!(a.bio.as_deref(), Some("نشرة الطقس اليومية لمدينة بغداد"));
        assert_eq!(a.location.as_deref(), Some("بغداد، العراق"));
        assert_eq!(
            a.avatar_url.as_deref(),
            Some("https://pbs.twimg.com/profile_images/1/a_normal.jpg")
        );
        assert_eq!(
            a.url.as_deref(),
            Some("https://weather.example.org/baghdad")
        );
        assert_eq!(a.created_at, Some(t("2021-02-04T09:10:11Z")));
        assert_eq!((a.followers, a.following), (Some(1520), Some(87)));
        assert_eq!(a.metrics.get("posts"), Some(&4410));
        assert_eq!(a.metrics.get("listed"), Some(&12));
        assert_eq!(a.metrics.get("likes"), Some(&301));
        assert_eq!(a.verified, Some(false));
        assert_eq!(a.observed_at, Some(t("2022-12-12T09:00:00Z")));
        let st = a.status.as_ref().unwrap();
        assert_eq!(st.status, AccountStatus::Active);
        assert_eq!(st.at, a.observed_at);
        assert_eq!(account(&sink, &x("2200000002")).verified, Some(true));

        // Suspended, named by username: a `@handle` key, the error as raw.
        let s = account(&sink, &Key::handle(X, "old_station"));
        assert_eq!(s.handle.as_deref(), Some("old_station"));
        let st = s.status.as_ref().unwrap();
        assert_eq!(st.status, AccountStatus::Suspended);
        assert_eq!(st.at, Some(t("2022-12-12T09:00:00Z")));
        assert_eq!(
            st.source,
            "twitter-v2: User has been suspended: [old_station]."
        );
        assert!(s.raw.data.contains("\"title\": \"Forbidden\""));
        let d = account(&sink, &x("6600000006"));
        assert_eq!(d.status.as_ref().unwrap().status, AccountStatus::Deleted);
        assert_eq!(d.observed_at, Some(t("2022-12-12T09:05:00Z")));

        let edges: Vec<_> = sink.interactions().collect();
        assert_eq!(edges[0].kind, InteractionKind::Pinned);
        assert_eq!(edges[0].source, Node::Account(x("1354000000000000001")));
        assert_eq!(edges[0].target, Node::Item(x("1600000000000000001")));
        let follows: Vec<_> = edges
            .iter()
            .filter(|e| e.kind == InteractionKind::Follows)
            .map(|e| (e.source.key().id.as_str(), e.target.key().id.as_str()))
            .collect();
        assert_eq!(
            follows,
            vec![
                ("4400000004", "1354000000000000001"),
                ("5500000005", "1354000000000000001")
            ]
        );
        // The pinned tweet of the followers page is an item with its author's url.
        assert_eq!(
            item(&sink, "1500000000000000044").url.as_deref(),
            Some("https://x.com/tea_house_iq/status/1500000000000000044")
        );
    }

    #[test]
    fn errors_that_are_not_account_states_are_skipped() {
        let sink = read("search_page.jsonl");
        let skipped: Vec<_> = sink
            .notices
            .iter()
            .filter(|n| n.kind == NoticeKind::Skipped)
            .collect();
        assert_eq!(skipped.len(), 2);
        assert_eq!(skipped[0].position.line, Some(1));
        assert_eq!(skipped[0].position.pointer.as_deref(), Some("errors[1]"));
        assert!(skipped[0]
            .message
            .contains("Not Found Error: Could not find tweet with referenced_tweets.id"));
        assert_eq!(skipped[1].position.line, Some(4));
        assert!(skipped[1].message.contains("operational-disconnect"));
        assert!(skipped[1].message.contains("disconnected upstream"));
    }

    #[test]
    fn flattened_tweets_and_embedded_objects() {
        let sink = read("flattened.jsonl");
        let text = std::fs::read_to_string(fixture("flattened.jsonl")).unwrap();
        // Line 1: the tweet and its quoted tweet; line 2: a reply; line 3: a pinned tweet.
        assert_eq!(sink.count("item"), 4);
        // souq_daily, green_farm (line 1), both again as author / in_reply_to_user (line 2),
        // green_farm again as a user line (line 3).
        assert_eq!(sink.count("account"), 5);
        assert_eq!(
            sink.count("interaction"),
            3,
            "green_farm's pin, once per line"
        );
        assert!(sink.rejects.is_empty(), "{:?}", sink.rejects);

        let q = item(&sink, "1615100000000000002");
        assert_eq!(q.author, Some(x("7700000007")));
        assert_eq!(
            q.url.as_deref(),
            Some("https://x.com/souq_daily/status/1615100000000000002")
        );
        assert_eq!(q.quote_of, Some(x("1615000000000000001")));
        assert_eq!(q.mentions[0].account, Some(x("8800000008")));
        assert_eq!(
            q.media.len(),
            1,
            "embedded media is not repeated by media_keys"
        );
        assert_eq!(
            q.media[0].url.as_deref(),
            Some("https://pbs.twimg.com/media/FnTomato.jpg")
        );
        let place = q.place.as_ref().unwrap();
        assert_eq!(place.id.as_deref(), Some("1b2c3d4e5f6a7b8c"));
        assert_eq!(place.full_name.as_deref(), Some("البصرة, العراق"));
        assert_eq!(place.bbox, Some([47.7, 30.4, 47.9, 30.6]));
        assert_eq!(q.observed_at, Some(t("2023-01-20T12:00:00Z")));
        assert!(
            q.raw.data.contains("\"__twarc\""),
            "the whole line is the raw"
        );

        // The embedded quoted tweet is an item of its own, its raw the embedded object.
        let inner = item(&sink, "1615000000000000001");
        assert_eq!(inner.author, Some(x("8800000008")));
        assert_eq!(
            inner.url.as_deref(),
            Some("https://x.com/green_farm/status/1615000000000000001")
        );
        assert!(inner
            .raw
            .data
            .starts_with("{\"id\": \"1615000000000000001\""));
        assert!(text.contains(&inner.raw.data));
        assert_eq!(inner.observed_at, Some(t("2023-01-20T12:00:00Z")));
        let market = account(&sink, &x("7700000007"));
        assert_eq!(market.display_name.as_deref(), Some("السوق اليومي"));
        assert!(market.raw.data.starts_with("{\"id\": \"7700000007\""));

        // Numeric ids are kept exactly; `geo.place` form.
        let r = item(&sink, "1615200000000000003");
        assert_eq!(r.author, Some(x("8800000008")));
        assert_eq!(r.reply_to, Some(x("1615100000000000002")));
        assert_eq!(
            r.place.as_ref().unwrap().country_code.as_deref(),
            Some("IQ")
        );

        // A flattened user line with its embedded pinned tweet.
        let pinned = item(&sink, "1610000000000000001");
        assert_eq!(
            pinned.url.as_deref(),
            Some("https://x.com/green_farm/status/1610000000000000001")
        );
        assert_eq!(pinned.observed_at, Some(t("2023-01-20T12:10:00Z")));
    }

    #[test]
    fn bad_records_are_rejected_and_reading_goes_on() {
        let sink = read("broken.jsonl");
        let ids: Vec<_> = sink.items().map(|i| i.key.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "1620000000000000001",
                "1620000000000000002",
                "1620000000000000004",
                "1620000000000000006"
            ]
        );
        let r: Vec<&Reject> = sink.rejects.iter().collect();
        assert_eq!(r.len(), 5, "{r:?}");
        // A tweet without an id among good ones.
        assert_eq!(r[0].position.line, Some(2));
        assert_eq!(r[0].position.pointer.as_deref(), Some("data[1]"));
        assert_eq!(r[0].field.as_deref(), Some("id"));
        assert!(r[0].raw_excerpt.contains("تغريدة بلا معرف"));
        // A malformed optional field is dropped, not fatal.
        assert_eq!(item(&sink, "1620000000000000004").created_at, None);
        assert_eq!(r[1].position.line, Some(3));
        assert!(r[1].reason.starts_with("not UTF-8"));
        assert_eq!(r[2].position.line, Some(4));
        assert_eq!(r[2].reason, "not a JSON object");
        assert_eq!(r[3].position.line, Some(5));
        assert!(r[3].reason.starts_with("neither an API v2 response page"));
        // The truncated last line: the good records before it are kept.
        assert_eq!(r[4].position.line, Some(7));
        assert!(r[4].reason.starts_with("invalid JSON"), "{}", r[4].reason);
        assert!(r[4].to_string().contains("broken.jsonl:7"), "{}", r[4]);
        // Trailing commas: read, and reported once.
        let repaired: Vec<_> = sink
            .notices
            .iter()
            .filter(|n| n.kind == NoticeKind::Repaired)
            .collect();
        assert_eq!(repaired.len(), 1);
        assert_eq!(repaired[0].position.line, Some(6));
        assert_eq!(
            item(&sink, "1620000000000000006").observed_at,
            Some(t("2023-02-01T12:00:00Z"))
        );
    }

    #[test]
    fn error_classification() {
        let cls = |s: &str| classify_error(&serde_json::from_str(s).unwrap());
        let ErrorMeaning::Account { key, status, .. } = cls(
            r#"{"value":"123","detail":"User has been suspended: [123].","title":"Forbidden","resource_type":"user","parameter":"author_id","type":"https://api.twitter.com/2/problems/resource-not-found"}"#,
        ) else {
            panic!("not an account")
        };
        assert_eq!((key, status), (x("123"), AccountStatus::Suspended));
        let ErrorMeaning::Account { key, status, .. } = cls(
            r#"{"value":"gone_user","detail":"Could not find user with usernames: [gone_user].","title":"Not Found Error","resource_type":"user","parameter":"usernames","type":"https://api.twitter.com/2/problems/resource-not-found"}"#,
        ) else {
            panic!("not an account")
        };
        assert_eq!(
            (key, status),
            (Key::handle(X, "gone_user"), AccountStatus::Deleted)
        );
        // A protected user is not a state the model knows: skipped.
        assert!(matches!(
            cls(
                r#"{"value":"9","detail":"Sorry, you are not authorized to see the user with id: [9].","title":"Authorization Error","resource_type":"user","type":"https://api.twitter.com/2/problems/not-authorized-for-resource"}"#
            ),
            ErrorMeaning::Skip(_)
        ));
        assert!(matches!(
            cls(r#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#),
            ErrorMeaning::Skip(m) if m == "API error skipped: Too Many Requests: Too Many Requests"
        ));
    }

    #[test]
    fn single_tweet_data_and_bare_problem_lines() {
        let input = concat!(
            r#"{"data": {"id": "1", "text": "a &amp;amp; b", "author_id": "2"}, "includes": {"users": [{"id": "2", "username": "u2", "name": "U"}]}, "matching_rules": [{"id": 1377649934414049282, "tag": null}]}"#,
            "\r\n",
            r#"{"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}"#,
            "\n",
        );
        let (sink, res) = read_bytes(Format::TwitterV2, "s.jsonl", input.as_bytes());
        res.unwrap();
        let i = item(&sink, "1");
        assert_eq!(i.text, "a &amp; b", "entities are decoded once");
        assert_eq!(i.url.as_deref(), Some("https://x.com/u2/status/1"));
        assert_eq!(i.observed_at, None);
        let a = account(&sink, &x("2"));
        assert_eq!(a.status, None, "no active status without a retrieval time");
        assert_eq!(sink.notices.len(), 1);
        assert_eq!(sink.notices[0].position.line, Some(2));
        assert_eq!(
            sink.notices[0].message,
            "API error skipped: Unauthorized: Unauthorized"
        );
    }

    #[test]
    fn stop_is_propagated() {
        struct Stopper;
        impl Sink for Stopper {
            fn record(&mut self, _: Record) -> Result<(), Stop> {
                Err(Stop)
            }
            fn reject(&mut self, _: Reject) -> Result<(), Stop> {
                Err(Stop)
            }
            fn notice(&mut self, _: Notice) {}
        }
        let path = fixture("search_page.jsonl");
        let input = Input::open(&path).unwrap();
        let err = TwitterV2.read(input, &mut Stopper).unwrap_err();
        assert!(matches!(err, SourceError::Stopped(_)));
    }

    #[test]
    fn helpers() {
        assert_eq!(unescape("&lt;b&gt; &amp;&amp; &quot; &"), "<b> && &quot; &");
        assert_eq!(kind_of_key("13_99"), Some(MediaKind::Video));
        assert_eq!(kind_of_key("nope"), None);
        assert!(matches!(
            follow_of("https://api.twitter.com/2/users/12/following?max_results=1000"),
            Some(Follow::FollowedBy(k)) if k == x("12")
        ));
        assert!(follow_of("https://api.twitter.com/2/users/by?usernames=a").is_none());
    }
}
