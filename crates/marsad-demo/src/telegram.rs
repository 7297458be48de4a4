//! Telegram Desktop "Export chat history" / "Export Telegram data" JSON (`result.json`),
//! written the way tdesktop's `export_output_json.cpp` streams it: one-space indentation per
//! nesting level, the chat's `name`/`type`/`id` before `messages`, message fields in
//! tdesktop's order, `text` a string or an array of strings and entity objects, photos as
//! paths relative to the export folder.
//!
//! Two exports:
//! - `telegram/ChatExport_2026-10-15/result.json`: the outlet's public channel alone;
//! - `telegram/DataExport_2026-10-15/result.json`: an analyst's full account export with a
//!   news channel, groups, a personal chat and one left chat. This one is about `scale` MB.

use crate::cast;
use crate::corpus::{self, Lang, Person};
use crate::gen::{self, pick, rng, spread, tag, Seg, Text, BAGHDAD, BASE, DAYS, R};
use crate::out::{self, tdesktop, OutFile, Seen};
use crate::png;
use crate::truth::Scn;
use crate::{Ctx, DemoError, DemoFormat};
use marsad_model::Platform;
use rand::Rng;
use serde::Serialize;
use std::collections::VecDeque;

const F: DemoFormat = DemoFormat::Telegram;
const P: Platform = Platform::Telegram;

const NOT_INCLUDED: &str = "(File not included. Change data exporting settings to download.)";
const TOO_BIG: &str = "(File exceeds maximum size. Change data exporting settings to download.)";

const OUTLET_NAME: &str = "أعماق | Amaq";
pub(crate) const OUTLET_ID: u64 = 1_794_251_003;

/// A chat's key as the importer writes it (tdesktop's peer form): `channel<id>` for channels
/// and supergroups, `chat<id>` for basic groups, `user<id>` for private chats. Telegram
/// message keys are `<peer>/<message id>`.
pub(crate) fn peer(kind: &str, id: u64) -> String {
    if kind.ends_with("channel") || kind.ends_with("supergroup") {
        format!("channel{id}")
    } else if kind.ends_with("group") {
        format!("chat{id}")
    } else {
        format!("user{id}")
    }
}

/// The peer id tdesktop writes as `forwarded_from_id` for a channel the generator knows.
fn peer_of(name: &str) -> Option<String> {
    (name == OUTLET_NAME).then(|| format!("channel{OUTLET_ID}"))
}
const NEWS_NAME: &str = "الرافدين نيوز";
const NEWS_ID: u64 = 1_593_321_180;
const FRIENDS_ID: u64 = 4_092_317_756;
const MARKET_ID: u64 = 1_688_402_915;
const BAIJI_NAME: &str = "بيجي الآن | Baiji Now";
const BAIJI_ID: u64 = 1_720_938_811;
const ANSAR_NAME: &str = "منتدى الأنصار";
const ANSAR_ID: u64 = 1_831_177_420;
const FRIEND_ID: u64 = 5_127_734_409;
const DEALS_ID: u64 = 1_502_288_734;

const ANALYST_ID: u64 = 7_104_452_210;
const ANALYST_NAME: &str = "باحث المرصد";
const SOLDIER_ID: u64 = cast::SOLDIER_TG_ID;
const SOLDIER_NAME: &str = "أبو حيدر 🇮🇶";
const ANSAR_ADMIN: (&str, u64) = ("أبو عبد الله", 7_234_000_100);
const SYMPATHISERS: [(&str, u64); 6] = [
    ("غريب الديار", 7_234_000_101),
    ("صوت الحق", 7_234_000_102),
    ("مهاجر ١٤", 7_234_000_103),
    ("ابن الأنبار", 7_234_000_104),
    ("الصابر", 7_234_000_105),
    ("أبو البراء", 7_234_000_106),
];

/// Who wrote a message; `slot` identifies the account for distinct counting.
#[derive(Debug, Clone)]
struct Sender {
    name: String,
    id: String,
    slot: u64,
}

fn user(name: &str, id: u64, slot: u64) -> Sender {
    Sender {
        name: name.to_string(),
        id: format!("user{id}"),
        slot,
    }
}

fn channel_sender(name: &str, id: u64, slot: u64) -> Sender {
    Sender {
        name: name.to_string(),
        id: format!("channel{id}"),
        slot,
    }
}

#[derive(Serialize)]
struct Loc {
    latitude: f64,
    longitude: f64,
}

#[derive(Serialize)]
struct Reaction {
    #[serde(rename = "type")]
    kind: &'static str,
    count: u32,
    emoji: &'static str,
}

#[derive(Serialize)]
struct Entity {
    #[serde(rename = "type")]
    kind: &'static str,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    href: Option<String>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Part {
    Str(String),
    Obj(Entity),
}

#[derive(Serialize)]
#[serde(untagged)]
enum TgText {
    Str(String),
    Parts(Vec<Part>),
}

/// One message in tdesktop's field order.
#[derive(Serialize, Default)]
struct Msg {
    id: u64,
    #[serde(rename = "type")]
    kind: &'static str,
    date: String,
    date_unixtime: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    edited: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    edited_unixtime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actor_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    members: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inviter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    forwarded_from: Option<String>,
    /// Current tdesktop versions write the source's peer id next to its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    forwarded_from_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_to_message_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    photo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumbnail: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sticker_emoji: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mime_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location_information: Option<Loc>,
    text: Option<TgText>,
    text_entities: Vec<Entity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reactions: Option<Vec<Reaction>>,
}

impl Msg {
    fn at(kind: &'static str, secs: i64) -> Msg {
        Msg {
            kind,
            date: local_date(secs),
            date_unixtime: secs.to_string(),
            text: Some(TgText::Str(String::new())),
            ..Msg::default()
        }
    }

    fn message(secs: i64, from: &Sender, text: &Text) -> Msg {
        let mut m = Msg::at("message", secs);
        m.from = Some(from.name.clone());
        m.from_id = Some(from.id.clone());
        m.set_text(text);
        m
    }

    fn service(secs: i64, actor: &Sender, action: &'static str) -> Msg {
        let mut m = Msg::at("service", secs);
        m.actor = Some(actor.name.clone());
        m.actor_id = Some(actor.id.clone());
        m.action = Some(action);
        m
    }

    /// tdesktop: a lone plain part is written as a string, anything else as an array where
    /// plain parts are strings and entities objects; `text_entities` lists every part.
    fn set_text(&mut self, text: &Text) {
        let mut parts = Vec::new();
        let mut entities: Vec<Entity> = Vec::new();
        for seg in &text.segs {
            // Adjacent plain runs are one part in tdesktop.
            if let (Seg::Plain(p), Some(Part::Str(last))) = (seg, parts.last_mut()) {
                last.push_str(p);
                if let Some(e) = entities.last_mut() {
                    e.text.push_str(p);
                }
                continue;
            }
            let (kind, t, href) = match seg {
                Seg::Plain(p) => ("plain", p.clone(), None),
                Seg::Hashtag(h) => ("hashtag", format!("#{h}"), None),
                Seg::Mention(m) => ("mention", format!("@{m}"), None),
                Seg::Url(u) => ("link", u.clone(), None),
                Seg::Bold(b) => ("bold", b.clone(), None),
                Seg::TextLink { text, href } => ("text_link", text.clone(), Some(href.clone())),
            };
            if kind == "plain" {
                parts.push(Part::Str(t.clone()));
            } else {
                parts.push(Part::Obj(Entity {
                    kind,
                    text: t.clone(),
                    href: href.clone(),
                }));
            }
            entities.push(Entity {
                kind,
                text: t,
                href,
            });
        }
        self.text = Some(match parts.len() {
            0 => TgText::Str(String::new()),
            1 if matches!(parts[0], Part::Str(_)) => match parts.pop() {
                Some(Part::Str(s)) => TgText::Str(s),
                _ => TgText::Str(String::new()),
            },
            _ => TgText::Parts(parts),
        });
        self.text_entities = entities;
    }

    fn is_service(&self) -> bool {
        self.kind == "service"
    }
}

/// tdesktop writes `date` in the exporting machine's local time; the analyst is in Baghdad.
fn local_date(secs: i64) -> String {
    gen::utc(secs + BAGHDAD)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

fn photo_stamp(secs: i64) -> String {
    gen::utc(secs + BAGHDAD)
        .format("%d-%m-%Y_%H-%M-%S")
        .to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Outlet,
    News,
    Friends,
    Market,
    Community,
    Ansar,
    Personal,
    Deals,
}

struct ChatSpec {
    name: String,
    kind: &'static str,
    id: u64,
    style: Style,
    /// Background messages.
    count: u64,
    first_id: u64,
    /// Members drawn from the user pool: `[start, start + len)`.
    pool: (u64, u64),
    /// Folder for media, relative to the export root (`photos/` or `chats/chat_003/photos/`).
    media_dir: String,
}

enum Body {
    Post {
        from: Sender,
        text: Text,
        photo: bool,
        forwarded_from: Option<String>,
        reply_to: Option<&'static str>,
    },
    Location {
        from: Sender,
        lat: f64,
        lon: f64,
    },
    GroupCall {
        actor: Sender,
        duration: u64,
    },
    Join {
        actor: Sender,
        inviter: String,
    },
    Pin {
        actor: Sender,
        target: &'static str,
    },
}

/// A scripted message merged into a chat's background at its time.
struct Planted {
    at: i64,
    key: &'static str,
    body: Body,
    truth: Vec<(Scn, &'static str)>,
}

fn post(
    at: i64,
    key: &'static str,
    from: &Sender,
    text: &str,
    truth: Vec<(Scn, &'static str)>,
) -> Planted {
    Planted {
        at,
        key,
        body: Body::Post {
            from: from.clone(),
            text: Text::parse(text),
            photo: false,
            forwarded_from: None,
            reply_to: None,
        },
        truth,
    }
}

struct Writer<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    export_dir: &'static str,
    seen: Seen,
    items: u64,
}

/// Background user `u` of the export's user pool.
fn pool_user(seed: u64, u: u64) -> Sender {
    let mut r = rng(seed, tag("tg/user"), u);
    let person = Person::random(&mut r);
    let name = person.display(&mut r);
    // A bijection onto ten-digit ids, so distinct users never share an id.
    let id = 1_000_000_000 + (u.wrapping_mul(2_654_435_761) + 12_345) % 5_000_000_000;
    user(&name, id, 1000 + u)
}

impl Writer<'_, '_> {
    fn pool_user(&self, u: u64) -> Sender {
        pool_user(self.ctx.seed, u)
    }

    fn member(&self, r: &mut R, spec: &ChatSpec) -> Sender {
        let u: f64 = r.gen();
        let skew = u * u;
        let u = spec.pool.0 + ((spec.pool.1 as f64) * skew) as u64 % spec.pool.1.max(1);
        self.pool_user(u)
    }

    /// A photo for message time `secs`: most are written as PNGs, every eleventh is left
    /// out on purpose (missing media); `force` always writes it.
    fn photo(
        &mut self,
        spec: &ChatSpec,
        n: u64,
        secs: i64,
        force: bool,
    ) -> Result<(String, u32, u32), DemoError> {
        let mut r = rng(self.ctx.seed, tag(&format!("tg/photo/{}", spec.id)), n);
        let (w, h) = *pick(&mut r, &[(32, 24), (24, 32), (32, 18), (28, 28)]);
        let rel = format!("{}photo_{n}@{}.png", spec.media_dir, photo_stamp(secs));
        if force || n % 11 != 5 {
            let bytes = png::photo(w, h, r.gen());
            out::write_small(
                self.ctx.root,
                &format!("telegram/{}/{rel}", self.export_dir),
                &bytes,
            )?;
            self.ctx.media_files += 1;
        } else {
            self.ctx.missing_media += 1;
        }
        Ok((rel, w, h))
    }

    /// Writes one chat object (name, type, id, messages) at key indentation `k`.
    fn chat(
        &mut self,
        out: &mut OutFile,
        k: usize,
        spec: &ChatSpec,
        mut planted: Vec<Planted>,
    ) -> Result<(), DemoError> {
        let ind = " ".repeat(k);
        out.str(&format!(
            "\n{ind}\"name\": {},\n{ind}\"type\": \"{}\",\n{ind}\"id\": {},\n{ind}\"messages\": [",
            json_str(&spec.name),
            spec.kind,
            spec.id
        ))?;
        planted.sort_by_key(|p| p.at);
        let chat_tag = tag(&format!("tg/chat/{}", spec.id));
        let mut ids = rng(self.ctx.seed, chat_tag, u64::MAX);
        let mut state = ChatState {
            next_id: spec.first_id,
            photos: 0,
            recent: VecDeque::new(),
            keys: Vec::new(),
            first: true,
        };
        let mut pi = 0;
        for i in 0..spec.count {
            let mut r = rng(self.ctx.seed, chat_tag, i);
            let t = spread(BASE, DAYS, i, spec.count, r.gen());
            while pi < planted.len() && planted[pi].at <= t {
                self.emit_planted(out, k, spec, &mut state, &mut ids, &planted[pi])?;
                pi += 1;
            }
            let (msg, sender) = self.background(&mut r, spec, &mut state, t)?;
            self.emit(out, k, &mut state, &mut ids, msg, sender.slot)?;
        }
        while pi < planted.len() {
            self.emit_planted(out, k, spec, &mut state, &mut ids, &planted[pi])?;
            pi += 1;
        }
        out.str(&format!("\n{ind}]"))?;
        Ok(())
    }

    fn emit(
        &mut self,
        out: &mut OutFile,
        k: usize,
        st: &mut ChatState,
        ids: &mut R,
        mut msg: Msg,
        slot: u64,
    ) -> Result<u64, DemoError> {
        // Gaps where messages were deleted before the export.
        if ids.gen_bool(0.04) {
            st.next_id += ids.gen_range(1..4);
        }
        let id = st.next_id;
        st.next_id += 1;
        msg.id = id;
        if !msg.is_service() {
            st.recent.push_back(id);
            if st.recent.len() > 40 {
                st.recent.pop_front();
            }
        }
        out.str(if st.first { "\n" } else { ",\n" })?;
        st.first = false;
        out.str(&" ".repeat(k + 1))?;
        out.json(&msg, tdesktop(k + 1))?;
        self.seen.insert(slot);
        self.items += 1;
        Ok(id)
    }

    fn emit_planted(
        &mut self,
        out: &mut OutFile,
        k: usize,
        spec: &ChatSpec,
        st: &mut ChatState,
        ids: &mut R,
        p: &Planted,
    ) -> Result<(), DemoError> {
        let lookup =
            |st: &ChatState, key: &str| st.keys.iter().find(|(k, _)| *k == key).map(|(_, id)| *id);
        let (msg, slot) = match &p.body {
            Body::Post {
                from,
                text,
                photo,
                forwarded_from,
                reply_to,
            } => {
                let mut m = Msg::message(p.at, from, text);
                m.forwarded_from = forwarded_from.clone();
                m.forwarded_from_id = forwarded_from.as_deref().and_then(peer_of);
                m.reply_to_message_id = reply_to.and_then(|key| lookup(st, key));
                if *photo {
                    st.photos += 1;
                    let (path, w, h) = self.photo(spec, st.photos, p.at, true)?;
                    m.photo = Some(path);
                    m.width = Some(w);
                    m.height = Some(h);
                }
                (m, from.slot)
            }
            Body::Location { from, lat, lon } => {
                let mut m = Msg::message(p.at, from, &Text::default());
                m.location_information = Some(Loc {
                    latitude: *lat,
                    longitude: *lon,
                });
                (m, from.slot)
            }
            Body::GroupCall { actor, duration } => {
                let mut m = Msg::service(p.at, actor, "group_call");
                m.duration = Some(*duration);
                (m, actor.slot)
            }
            Body::Join { actor, inviter } => {
                let mut m = Msg::service(p.at, actor, "join_group_by_link");
                m.inviter = Some(inviter.clone());
                (m, actor.slot)
            }
            Body::Pin { actor, target } => {
                let mut m = Msg::service(p.at, actor, "pin_message");
                m.message_id = lookup(st, target);
                (m, actor.slot)
            }
        };
        let id = self.emit(out, k, st, ids, msg, slot)?;
        if !p.key.is_empty() {
            st.keys.push((p.key, id));
        }
        for (scn, note) in &p.truth {
            self.ctx.truth.item(
                *scn,
                F,
                P,
                &format!("{}/{id}", peer(spec.kind, spec.id)),
                note,
            );
        }
        Ok(())
    }

    fn background(
        &mut self,
        r: &mut R,
        spec: &ChatSpec,
        st: &mut ChatState,
        t: i64,
    ) -> Result<(Msg, Sender), DemoError> {
        let (sender, mut msg) = match spec.style {
            Style::Outlet => {
                let s = channel_sender(OUTLET_NAME, OUTLET_ID, 1);
                let list = if r.gen_bool(0.1) {
                    corpus::OUTLET_POSTS_EN
                } else {
                    corpus::OUTLET_POSTS
                };
                let text = Text::parse(&corpus::any(r, list));
                let m = Msg::message(t, &s, &text);
                (s, m)
            }
            Style::News => {
                let s = channel_sender(NEWS_NAME, NEWS_ID, 2);
                let mut text = Text::parse(&corpus::any(r, corpus::NEWS_ROUTINE));
                if r.gen_bool(0.3) {
                    text.segs.push(Seg::Plain("\n".into()));
                    text.segs.push(Seg::TextLink {
                        text: "التفاصيل".into(),
                        href: format!(
                            "https://www.rafidain-news.example/news/{}",
                            40_000 + r.gen_range(0..60_000)
                        ),
                    });
                }
                if r.gen_bool(0.2) {
                    text.segs.insert(0, Seg::Bold("عاجل".into()));
                    text.segs.insert(1, Seg::Plain(" | ".into()));
                }
                let m = Msg::message(t, &s, &text);
                (s, m)
            }
            Style::Personal => {
                let s = if r.gen_bool(0.5) {
                    user(ANALYST_NAME, ANALYST_ID, 3)
                } else {
                    user("أبو علي", FRIEND_ID, 4)
                };
                let line = if r.gen_bool(0.6) {
                    pick(r, corpus::CHAT_REPLIES).to_string()
                } else {
                    corpus::everyday(r, Lang::Iraqi)
                };
                let m = Msg::message(t, &s, &Text::parse(&line));
                (s, m)
            }
            Style::Ansar => {
                let s = if r.gen_bool(0.5) {
                    let (n, id) = SYMPATHISERS[r.gen_range(0..SYMPATHISERS.len())];
                    user(n, id, 20 + (id - SYMPATHISERS[0].1))
                } else {
                    self.member(r, spec)
                };
                if r.gen_bool(0.35) {
                    let text = Text::parse(&corpus::any(r, corpus::OUTLET_POSTS));
                    let mut m = Msg::message(t, &s, &text);
                    m.forwarded_from = Some(OUTLET_NAME.to_string());
                    m.forwarded_from_id = peer_of(OUTLET_NAME);
                    (s, m)
                } else {
                    let line = if r.gen_bool(0.5) {
                        pick(r, corpus::SYMPATHISER_LINES).to_string()
                    } else {
                        pick(r, corpus::CHAT_REPLIES).to_string()
                    };
                    let m = Msg::message(t, &s, &Text::parse(&line));
                    (s, m)
                }
            }
            Style::Friends | Style::Market | Style::Community | Style::Deals => {
                let s = self.member(r, spec);
                if r.gen_bool(0.02) {
                    // Membership changes.
                    let m = if spec.kind == "private_group" {
                        let mut m = Msg::service(t, &s, "invite_members");
                        m.members = Some(vec![self.member(r, spec).name]);
                        m
                    } else {
                        let mut m = Msg::service(t, &s, "join_group_by_link");
                        m.inviter = Some(self.pool_user(spec.pool.0).name);
                        m
                    };
                    return Ok((m, s));
                }
                let line = match spec.style {
                    Style::Market | Style::Deals => {
                        if r.gen_bool(0.35) && !st.recent.is_empty() {
                            pick(r, corpus::MARKET_REPLIES).to_string()
                        } else {
                            corpus::any(r, corpus::MARKET)
                        }
                    }
                    Style::Community if r.gen_bool(0.5) => corpus::any(r, corpus::COMMUNITY),
                    _ => {
                        if r.gen_bool(0.25) {
                            pick(r, corpus::CHAT_REPLIES).to_string()
                        } else {
                            let lang = if r.gen_bool(0.2) {
                                Lang::Arabizi
                            } else {
                                corpus::random_lang(r)
                            };
                            let line = corpus::everyday(r, lang);
                            if r.gen_bool(0.06) {
                                // Addressing someone by username: a `mention` entity.
                                let p = Person::random(r);
                                let n = r.gen_range(1..999);
                                format!("@{} {line}", p.handle(r, n, 24))
                            } else {
                                line
                            }
                        }
                    }
                };
                let m = Msg::message(t, &s, &Text::parse(&line));
                (s, m)
            }
        };
        let roll: f64 = r.gen();
        let photo_share = match spec.style {
            Style::Outlet => 0.25,
            Style::News => 0.12,
            Style::Market | Style::Deals => 0.1,
            _ => 0.02,
        };
        if roll < photo_share {
            st.photos += 1;
            let (path, w, h) = self.photo(spec, st.photos, t, false)?;
            msg.photo = Some(path);
            msg.width = Some(w);
            msg.height = Some(h);
            if r.gen_bool(0.3) && !matches!(spec.style, Style::Outlet | Style::News) {
                msg.set_text(&Text::default());
            }
        } else if roll < photo_share + 0.03 && !matches!(spec.style, Style::Outlet | Style::News) {
            msg.set_text(&Text::default());
            msg.file = Some(NOT_INCLUDED);
            msg.thumbnail = Some(NOT_INCLUDED);
            msg.media_type = Some("sticker");
            msg.sticker_emoji = Some(*pick(r, &["😂", "👍", "❤️", "😩", "🙏", "😍"]));
            msg.width = Some(512);
            msg.height = Some(512);
        } else if roll < photo_share + 0.05 && !matches!(spec.style, Style::Outlet | Style::News) {
            msg.set_text(&Text::default());
            msg.file = Some(NOT_INCLUDED);
            msg.media_type = Some("voice_message");
            msg.mime_type = Some("audio/ogg");
            msg.duration_seconds = Some(r.gen_range(2..75));
        } else if roll < photo_share + 0.06 {
            msg.file = Some(if r.gen_bool(0.5) {
                TOO_BIG
            } else {
                NOT_INCLUDED
            });
            msg.thumbnail = Some(NOT_INCLUDED);
            msg.media_type = Some("video_file");
            msg.mime_type = Some("video/mp4");
            msg.duration_seconds = Some(r.gen_range(10..400));
            msg.width = Some(1280);
            msg.height = Some(720);
        }
        if matches!(
            spec.style,
            Style::Friends | Style::Community | Style::Personal | Style::Ansar
        ) && r.gen_bool(0.25)
        {
            if let Some(&target) = st.recent.get(r.gen_range(0..st.recent.len().max(1))) {
                msg.reply_to_message_id = Some(target);
            }
        }
        if r.gen_bool(0.04) {
            let e = t + r.gen_range(30..900);
            msg.edited = Some(local_date(e));
            msg.edited_unixtime = Some(e.to_string());
        }
        if matches!(spec.style, Style::News | Style::Outlet) && r.gen_bool(0.6) {
            let mut rs = vec![Reaction {
                kind: "emoji",
                count: r.gen_range(3..400),
                emoji: "👍",
            }];
            if r.gen_bool(0.5) {
                rs.push(Reaction {
                    kind: "emoji",
                    count: r.gen_range(1..80),
                    emoji: gen::one(r, &["❤", "🔥", "😢", "🙏"]),
                });
            }
            msg.reactions = Some(rs);
        }
        Ok((msg, sender))
    }
}

struct ChatState {
    next_id: u64,
    photos: u64,
    recent: VecDeque<u64>,
    keys: Vec<(&'static str, u64)>,
    first: bool,
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

pub(crate) fn generate(ctx: &mut Ctx) -> Result<(), DemoError> {
    channel_export(ctx)?;
    account_export(ctx)
}

/// The outlet's public channel, exported alone.
fn channel_export(ctx: &mut Ctx) -> Result<(), DemoError> {
    let outlet = channel_sender(OUTLET_NAME, OUTLET_ID, 1);
    let spec = ChatSpec {
        name: OUTLET_NAME.into(),
        kind: "public_channel",
        id: OUTLET_ID,
        style: Style::Outlet,
        count: ctx.n(110),
        first_id: 1_204,
        pool: (0, 1),
        media_dir: "photos/".into(),
    };
    let cid = peer("public_channel", OUTLET_ID);
    let acc = outlet.id.clone();
    for scn in [Scn::Outlet, Scn::Migration] {
        ctx.truth.channel(
            scn,
            F,
            P,
            &cid,
            None,
            "the outlet's public Telegram channel",
        );
        ctx.truth.account(
            scn,
            F,
            P,
            &acc,
            None,
            "the outlet channel as author of its posts",
        );
    }
    let mut planted = Vec::new();
    for (k, (&at, text)) in cast::OUTLET_DROPS.iter().zip(cast::DROP_TEXTS).enumerate() {
        let mut p = post(
            at,
            DROP_KEYS[k],
            &outlet,
            text,
            vec![(Scn::Outlet, "flagship outlet post")],
        );
        if let Body::Post { photo, .. } = &mut p.body {
            *photo = true;
        }
        planted.push(p);
    }
    planted.push(post(
        cast::MIGRATION,
        "migration",
        &outlet,
        &cast::migration_text(),
        vec![(
            Scn::Migration,
            "outlet post advertising a Telegram invite link and a Rocket.Chat invite",
        )],
    ));

    let rel = "ChatExport_2026-10-15/result.json";
    let mut out = OutFile::create(ctx.root, &format!("telegram/{rel}"))?;
    out.str("{")?;
    let mut w = Writer {
        ctx,
        export_dir: "ChatExport_2026-10-15",
        seen: Seen::default(),
        items: 0,
    };
    w.chat(&mut out, 1, &spec, planted)?;
    out.str("\n}\n")?;
    let (items, accounts) = (w.items, w.seen.count());
    let written = out.finish()?;
    ctx.push(written, F, items, accounts);
    Ok(())
}

const DROP_KEYS: [&str; 4] = ["drop0", "drop1", "drop2", "drop3"];

/// The analyst's full account export.
fn account_export(ctx: &mut Ctx) -> Result<(), DemoError> {
    let n = ctx.scale;
    let soldier = user(SOLDIER_NAME, SOLDIER_ID, 10);
    let admin = user(ANSAR_ADMIN.0, ANSAR_ADMIN.1, 19);
    let symp: Vec<Sender> = SYMPATHISERS
        .iter()
        .enumerate()
        .map(|(i, (name, id))| user(name, *id, 20 + i as u64))
        .collect();
    let news = channel_sender(NEWS_NAME, NEWS_ID, 2);

    let mut chats: Vec<(ChatSpec, Vec<Planted>)> = Vec::new();
    let mut idx = 0;
    let mut spec = |name: &str,
                    kind: &'static str,
                    id: u64,
                    style: Style,
                    count: u64,
                    first_id: u64,
                    pool: (u64, u64)| {
        idx += 1;
        ChatSpec {
            name: name.into(),
            kind,
            id,
            style,
            count,
            first_id,
            pool,
            media_dir: format!("chats/chat_{idx:03}/photos/"),
        }
    };

    // 1. News channel with the planted ISIS news (benign).
    let mut news_planted = Vec::new();
    for (k, text) in corpus::NEWS_ISIS_AR.iter().enumerate() {
        let at = gen::at(1 + k as i64 * 3 / 2, 9 + (k as i64 * 5) % 9, 15, 0);
        news_planted.push(post(
            at,
            "",
            &news,
            text,
            vec![(Scn::News, "news report / counter-speech about ISIS")],
        ));
    }
    chats.push((
        spec(
            NEWS_NAME,
            "public_channel",
            NEWS_ID,
            Style::News,
            270 * n,
            88_412,
            (0, 1),
        ),
        news_planted,
    ));

    // 2. Friends from college, with a benign evening group call.
    let friends_pool = (0, 24);
    let mut friends_planted = Vec::new();
    let caller = pool_user(ctx.seed, 3);
    friends_planted.push(Planted {
        at: gen::at(8, 17, 0, 0),
        key: "",
        body: Body::GroupCall {
            actor: caller,
            duration: 1_860,
        },
        truth: vec![(
            Scn::Decoys,
            "evening group call among friends (20:00 Baghdad)",
        )],
    });
    chats.push((
        spec(
            "شلة الكلية 🎓",
            "private_group",
            FRIENDS_ID,
            Style::Friends,
            500 * n,
            1,
            friends_pool,
        ),
        friends_planted,
    ));

    // 3. Buy-and-sell group.
    chats.push((
        spec(
            "سوق بغداد للموبايلات 📱",
            "public_supergroup",
            MARKET_ID,
            Style::Market,
            450 * n,
            152_330,
            (20, 30 * n + 20),
        ),
        Vec::new(),
    ));

    // 4. Baiji community group: the soldier's night group call, photo and location.
    let call = cast::SOLDIER_LIVE;
    let baiji_planted = vec![
        post(
            gen::at(2, 10, 12, 0),
            "",
            &soldier,
            "اني بالواجب هالاسبوع بالسيطرة، دعواتكم 🤲",
            vec![],
        ),
        Planted {
            at: call,
            key: "call",
            body: Body::GroupCall {
                actor: soldier.clone(),
                duration: 2_820,
            },
            truth: vec![(
                Scn::Soldier,
                "group call (live video chat) started by the soldier at 02:00 Baghdad",
            )],
        },
        Planted {
            at: call + 21 * 60,
            key: "photo",
            body: Body::Post {
                from: soldier.clone(),
                text: Text::parse("هاي السيطرة مالتنا الليلة 🌙 الله يحفظ الشباب"),
                photo: true,
                forwarded_from: None,
                reply_to: None,
            },
            truth: vec![(Scn::Soldier, "photo from the checkpoint at night")],
        },
        Planted {
            at: call + 22 * 60,
            key: "",
            body: Body::Location {
                from: soldier.clone(),
                lat: corpus::BAIJI.lat,
                lon: corpus::BAIJI.lon,
            },
            truth: vec![(
                Scn::Soldier,
                "location shared right after the photo, near Baiji",
            )],
        },
    ];
    chats.push((
        spec(
            BAIJI_NAME,
            "public_supergroup",
            BAIJI_ID,
            Style::Community,
            360 * n,
            40_118,
            (40 + 30 * n, 25 * n + 20),
        ),
        baiji_planted,
    ));

    // 5. Sympathisers' group: forwards of the outlet's posts, invite links, a pin, joins.
    let mut ansar = Vec::new();
    for (k, (&at, text)) in cast::OUTLET_DROPS.iter().zip(cast::DROP_TEXTS).enumerate() {
        for j in 0..3 {
            let s = &symp[(k + j * 2) % symp.len()];
            let at = at + 7 * 60 + j as i64 * 11 * 60 + k as i64 * 60;
            ansar.push(Planted {
                at,
                key: "",
                body: Body::Post {
                    from: s.clone(),
                    text: Text::parse(text),
                    photo: j == 0,
                    forwarded_from: Some(OUTLET_NAME.into()),
                    reply_to: None,
                },
                truth: vec![(
                    Scn::Outlet,
                    "sympathiser forwards the outlet's flagship post into the group",
                )],
            });
        }
    }
    ansar.push(Planted {
        at: cast::MIGRATION + 7 * 60,
        key: "",
        body: Body::Post {
            from: symp[0].clone(),
            text: Text::parse(&cast::migration_text()),
            photo: false,
            forwarded_from: Some(OUTLET_NAME.into()),
            reply_to: None,
        },
        truth: vec![(Scn::Migration, "forward of the outlet's migration post")],
    });
    ansar.push(post(
        cast::MIGRATION + 15 * 60,
        "rc_invite",
        &admin,
        &format!(
            "سيرفرنا الجديد على روكت شات، سجلوا قبل ما ينحذف 👇\n{}",
            cast::RC_INVITE
        ),
        vec![(Scn::Migration, "admin posts the Rocket.Chat invite")],
    ));
    ansar.push(Planted {
        at: cast::MIGRATION + 16 * 60,
        key: "",
        body: Body::Pin {
            actor: admin.clone(),
            target: "rc_invite",
        },
        truth: vec![(Scn::Migration, "the invite is pinned")],
    });
    ansar.push(post(
        cast::MIGRATION + 18 * 60,
        "",
        &symp[3],
        &format!("والقناة الاحتياطية هنا 👈 {}", cast::TG_INVITE),
        vec![(
            Scn::Migration,
            "sympathiser reposts the Telegram invite link",
        )],
    ));
    for j in 0..5u64 {
        let joiner = pool_user(ctx.seed, 5000 + j);
        ansar.push(Planted {
            at: cast::MIGRATION + (30 + 13 * j as i64) * 60,
            key: "",
            body: Body::Join {
                actor: joiner,
                inviter: admin.name.clone(),
            },
            truth: vec![(
                Scn::Migration,
                "joined by invite link after the announcement",
            )],
        });
    }
    chats.push((
        spec(
            ANSAR_NAME,
            "private_supergroup",
            ANSAR_ID,
            Style::Ansar,
            140 * n,
            3_310,
            (60 + 55 * n, 15),
        ),
        ansar,
    ));

    // 6. A personal chat.
    chats.push((
        spec(
            "أبو علي",
            "personal_chat",
            FRIEND_ID,
            Style::Personal,
            110 * n,
            210_554,
            (0, 1),
        ),
        Vec::new(),
    ));

    // Left chat.
    let left = spec(
        "عروض البصرة 🛍️",
        "public_supergroup",
        DEALS_ID,
        Style::Deals,
        40 * n,
        77_090,
        (80 + 55 * n, 20 * n + 10),
    );

    // Truth for the accounts and channels.
    let t = &mut ctx.truth;
    t.channel(
        Scn::News,
        F,
        P,
        &peer("public_channel", NEWS_ID),
        None,
        "news channel",
    );
    t.account(Scn::News, F, P, &news.id, None, "news channel as author");
    t.channel(
        Scn::Soldier,
        F,
        P,
        &peer("public_supergroup", BAIJI_ID),
        None,
        "community group where the soldier goes live",
    );
    t.account(Scn::Soldier, F, P, &soldier.id, None, "the soldier");
    t.channel(
        Scn::Decoys,
        F,
        P,
        &peer("private_group", FRIENDS_ID),
        None,
        "friends' group with an evening call",
    );
    for scn in [Scn::Outlet, Scn::Migration] {
        t.channel(
            scn,
            F,
            P,
            &peer("private_supergroup", ANSAR_ID),
            None,
            "sympathisers' group",
        );
    }
    for s in &symp {
        t.account(
            Scn::Outlet,
            F,
            P,
            &s.id,
            None,
            "sympathiser forwarding outlet posts",
        );
    }
    t.account(
        Scn::Migration,
        F,
        P,
        &admin.id,
        None,
        "group admin posting and pinning the invite",
    );

    write_account_export(ctx, "DataExport_2026-10-15", chats, left)
}

#[derive(Serialize)]
struct PersonalInfo {
    user_id: u64,
    first_name: &'static str,
    last_name: &'static str,
    phone_number: &'static str,
    username: &'static str,
    bio: &'static str,
}

fn write_account_export(
    ctx: &mut Ctx,
    export_dir: &'static str,
    chats: Vec<(ChatSpec, Vec<Planted>)>,
    left: ChatSpec,
) -> Result<(), DemoError> {
    let mut out = OutFile::create(ctx.root, &format!("telegram/{export_dir}/result.json"))?;
    out.str("{\n \"about\": ")?;
    out.str(&json_str(
        "Here is the data you requested. Remember: Telegram is ad free, it doesn't sell your data, and it doesn't show you ads based on your data.",
    ))?;
    out.str(",\n \"personal_information\": ")?;
    out.json(
        &PersonalInfo {
            user_id: ANALYST_ID,
            first_name: "باحث",
            last_name: "المرصد",
            phone_number: "+964 700 000 0000",
            username: "@marsad_demo_analyst",
            bio: "حساب بحثي لمرصد الإعلام الرقمي (بيانات تجريبية)",
        },
        tdesktop(1),
    )?;
    out.str(",\n \"chats\": {\n  \"about\": \"This page lists all chats from this export.\",\n  \"list\": [")?;
    let mut w = Writer {
        ctx,
        export_dir,
        seen: Seen::default(),
        items: 0,
    };
    for (i, (spec, planted)) in chats.into_iter().enumerate() {
        out.str(if i == 0 { "\n   {" } else { ",\n   {" })?;
        w.chat(&mut out, 4, &spec, planted)?;
        out.str("\n   }")?;
    }
    out.str("\n  ]\n },\n \"left_chats\": {\n  \"about\": \"This page lists all supergroups and channels from this export that you've left.\",\n  \"list\": [\n   {")?;
    w.chat(&mut out, 4, &left, Vec::new())?;
    out.str("\n   }\n  ]\n }\n}\n")?;
    let (items, accounts) = (w.items, w.seen.count());
    let written = out.finish()?;
    ctx.push(written, F, items, accounts);
    Ok(())
}
