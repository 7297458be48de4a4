//! Rocket.Chat REST API v1 responses from the server `rc.example.org`, pretty-printed with
//! two spaces, several responses concatenated per file:
//! - `rocketchat/channels.info.json`: one `channels.info` response per channel;
//! - `rocketchat/channels.history.<name>.json`: `channels.history` pages of 100 messages,
//!   newest first (as the endpoint returns them), system messages (`t: "uj"`) included.

use crate::cast;
use crate::corpus::{self, Person};
use crate::gen::{self, heavy, iso_ms, pick, rc_id, rng, spread, tag, Text, R};
use crate::out::{Indent, OutFile, Seen};
use crate::truth::Scn;
use crate::{Ctx, DemoError, DemoFormat};
use marsad_model::Platform;
use rand::Rng;
use serde::Serialize;

const F: DemoFormat = DemoFormat::Rocketchat;
const P: Platform = Platform::Rocketchat;

#[derive(Serialize, Clone)]
struct U {
    #[serde(rename = "_id")]
    id: String,
    username: String,
    name: String,
}

#[derive(Serialize, Clone)]
struct Owner {
    #[serde(rename = "_id")]
    id: String,
    username: String,
}

#[derive(Serialize)]
struct ChannelInfo {
    #[serde(rename = "_id")]
    id: String,
    name: String,
    fname: String,
    t: &'static str,
    msgs: u64,
    #[serde(rename = "usersCount")]
    users_count: u64,
    u: Owner,
    #[serde(rename = "customFields")]
    custom_fields: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<String>,
    broadcast: bool,
    encrypted: bool,
    ts: String,
    ro: bool,
    default: bool,
    #[serde(rename = "sysMes")]
    sys_mes: bool,
    #[serde(rename = "_updatedAt")]
    updated_at: String,
}

#[derive(Serialize)]
struct InfoResponse {
    channel: ChannelInfo,
    success: bool,
}

#[derive(Serialize, Clone)]
struct UrlRef {
    url: String,
    meta: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize, Clone)]
struct MentionRef {
    #[serde(rename = "_id")]
    id: String,
    username: String,
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize, Clone)]
struct Message {
    #[serde(rename = "_id")]
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    t: Option<&'static str>,
    rid: String,
    msg: String,
    ts: String,
    u: U,
    #[serde(skip_serializing_if = "Option::is_none")]
    groupable: Option<bool>,
    #[serde(rename = "_updatedAt")]
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    urls: Option<Vec<UrlRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mentions: Option<Vec<MentionRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channels: Option<Vec<serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tmid: Option<String>,
    #[serde(rename = "editedAt", skip_serializing_if = "Option::is_none")]
    edited_at: Option<String>,
    #[serde(rename = "editedBy", skip_serializing_if = "Option::is_none")]
    edited_by: Option<Owner>,
}

#[derive(Serialize)]
struct HistoryResponse {
    messages: Vec<Message>,
    success: bool,
}

#[derive(Clone)]
struct RcUser {
    u: U,
    slot: u64,
}

fn pool_user(seed: u64, u: u64) -> RcUser {
    let mut r = rng(seed, tag("rc/user"), u);
    let p = Person::random(&mut r);
    let username = p.handle(&mut r, u, 20).replacen('_', ".", 1);
    RcUser {
        u: U {
            id: rc_id(&mut r),
            username,
            name: p.display(&mut r),
        },
        slot: 1000 + u,
    }
}

fn planted_user(seed: u64, slot: u64, username: &str, name: &str) -> RcUser {
    let mut r = rng(seed, tag("rc/planted-user"), slot);
    RcUser {
        u: U {
            id: rc_id(&mut r),
            username: username.into(),
            name: name.into(),
        },
        slot,
    }
}

struct Chan {
    id: String,
    name: &'static str,
    fname: &'static str,
    /// Background messages and the span they cover.
    count: u64,
    start: i64,
    days: i64,
    pool: (u64, u64),
    outlet: bool,
}

/// A scripted message: time in ms, author, text or a join.
struct Planted {
    ms: i64,
    user: RcUser,
    text: Option<String>,
    truth: Option<(Scn, &'static str)>,
}

fn message(
    r: &mut R,
    ms: i64,
    rid: &str,
    user: &RcUser,
    text: &str,
    mentionable: &[RcUser],
) -> Message {
    let parsed = Text::parse(text);
    let mentions = parsed
        .mentions()
        .iter()
        .filter_map(|m| mentionable.iter().find(|u| &u.u.username == m))
        .map(|u| MentionRef {
            id: u.u.id.clone(),
            username: u.u.username.clone(),
            name: u.u.name.clone(),
            kind: "user",
        })
        .collect();
    let urls = parsed
        .urls()
        .into_iter()
        .map(|url| UrlRef {
            url,
            meta: serde_json::Map::new(),
        })
        .collect();
    Message {
        id: rc_id(r),
        t: None,
        rid: rid.into(),
        msg: text.into(),
        ts: iso_ms(ms),
        u: user.u.clone(),
        groupable: None,
        updated_at: iso_ms(ms + r.gen_range(5..120)),
        urls: Some(urls),
        mentions: Some(mentions),
        channels: Some(Vec::new()),
        tmid: None,
        edited_at: None,
        edited_by: None,
    }
}

fn join(r: &mut R, ms: i64, rid: &str, user: &RcUser) -> Message {
    Message {
        id: rc_id(r),
        t: Some("uj"),
        rid: rid.into(),
        msg: user.u.username.clone(),
        ts: iso_ms(ms),
        u: user.u.clone(),
        groupable: Some(false),
        updated_at: iso_ms(ms),
        urls: None,
        mentions: None,
        channels: None,
        tmid: None,
        edited_at: None,
        edited_by: None,
    }
}

pub(crate) fn generate(ctx: &mut Ctx) -> Result<(), DemoError> {
    let seed = ctx.seed;
    let n = ctx.scale;
    let admin = planted_user(seed, 1, "admin", "Server Admin");
    let outlet = planted_user(seed, 2, "amaq_media", "أعماق | Amaq");
    // The sympathisers reuse their X handles: a cross-platform link.
    let joiners: Vec<RcUser> = [
        ("ghareeb_diyar", "غريب الديار"),
        ("sawt_alhaq_1", "صوت الحق"),
        ("muhajir_14", "مهاجر ١٤"),
        ("ibn_alanbar_", "ابن الأنبار"),
        ("alsaber_2026", "الصابر"),
        ("abu_albaraa_iq", "أبو البراء"),
        ("nasir_aldeen7", "ناصر الدين"),
        ("tawheed_voice", "صوت التوحيد"),
        ("ansar_media9", "إعلام الأنصار"),
        ("fajr_1447", "فجر ١٤٤٧"),
        ("khilafa_news4", "أخبار الخلافة | 4"),
        ("ghuraba_news", "أخبار الغرباء"),
    ]
    .iter()
    .enumerate()
    .map(|(k, (h, name))| planted_user(seed, 10 + k as u64, h, name))
    .collect();
    let mut ids = rng(seed, tag("rc/channels"), 0);
    let chans = [
        Chan {
            id: "GENERAL".into(),
            name: "general",
            fname: "general",
            count: 160 * n,
            start: gen::BASE,
            days: gen::DAYS,
            pool: (0, 40 * n),
            outlet: false,
        },
        Chan {
            id: rc_id(&mut ids),
            name: "iraq-gamers",
            fname: "جيمرز العراق 🎮",
            count: 110 * n,
            start: gen::BASE,
            days: gen::DAYS,
            pool: (20 * n, 30 * n),
            outlet: false,
        },
        Chan {
            id: rc_id(&mut ids),
            name: "amaq",
            fname: "أعماق | Amaq",
            count: 40 * n,
            start: gen::at(5, 0, 0, 0),
            days: 9,
            pool: (0, 0),
            outlet: true,
        },
    ];
    let amaq_created = cast::MIGRATION - 30 * 60;

    // channels.info
    let mut out = OutFile::create(ctx.root, "rocketchat/channels.info.json")?;
    let mut seen = Seen::default();
    for c in &chans {
        let (owner, created, description, topic) = if c.outlet {
            (
                &outlet,
                amaq_created,
                Some("[وصف بديل لأغراض الاختبار] القناة الرسمية".to_string()),
                Some("#أعماق".to_string()),
            )
        } else {
            (&admin, gen::at(-400, 9, 0, 0), None, Some(String::new()))
        };
        seen.insert(owner.slot);
        let users = if c.outlet {
            joiners.len() as u64 + 1
        } else {
            c.pool.1 + 1
        };
        let resp = InfoResponse {
            channel: ChannelInfo {
                id: c.id.clone(),
                name: c.name.into(),
                fname: c.fname.into(),
                t: "c",
                msgs: c.count
                    + if c.outlet {
                        5 + joiners.len() as u64
                    } else {
                        0
                    },
                users_count: users,
                u: Owner {
                    id: owner.u.id.clone(),
                    username: owner.u.username.clone(),
                },
                custom_fields: serde_json::Map::new(),
                description,
                topic,
                broadcast: false,
                encrypted: false,
                ts: iso_ms(created * 1000 + 70),
                ro: false,
                default: c.name == "general",
                sys_mes: true,
                updated_at: iso_ms(gen::at(13, 23, 0, 0) * 1000 + 96),
            },
            success: true,
        };
        out.json(&resp, Indent::new(b"  ", 0))?;
        out.str("\n")?;
    }
    let w = out.finish()?;
    ctx.push(w, F, 0, seen.count());

    let t = &mut ctx.truth;
    for scn in [Scn::Outlet, Scn::Migration] {
        t.channel(
            scn,
            F,
            P,
            &chans[2].id,
            Some("amaq"),
            "the outlet's channel on the Rocket.Chat server it migrated to",
        );
        t.account(
            scn,
            F,
            P,
            &outlet.u.id,
            Some("amaq_media"),
            "the outlet's Rocket.Chat account",
        );
    }
    for j in &joiners {
        t.account(
            Scn::Migration,
            F,
            P,
            &j.u.id,
            Some(&j.u.username),
            "joined after the invite was posted (same handle as on X)",
        );
    }

    // channels.history per channel.
    for c in &chans {
        let mut planted: Vec<Planted> = Vec::new();
        if c.outlet {
            for (k, j) in joiners.iter().enumerate() {
                let ms = (cast::MIGRATION + 20 * 60 + k as i64 * 420) * 1000 + 311;
                planted.push(Planted {
                    ms,
                    user: j.clone(),
                    text: None,
                    truth: Some((Scn::Migration, "user joined the outlet's channel (uj)")),
                });
            }
            let first = gen::at(5, 12, 0, 0);
            for (k, text) in cast::DROP_TEXTS.iter().enumerate() {
                planted.push(Planted {
                    ms: (first + k as i64 * 7_200) * 1000 + 40,
                    user: outlet.clone(),
                    text: Some((*text).to_string()),
                    truth: Some((Scn::Outlet, "outlet content re-posted on Rocket.Chat")),
                });
            }
            planted.push(Planted {
                ms: (cast::MIGRATION - 25 * 60) * 1000,
                user: outlet.clone(),
                text: Some("أهلاً بالأنصار في سيرفرنا الجديد [نص بديل] #أعماق".into()),
                truth: Some((Scn::Migration, "welcome post of the new channel")),
            });
        }
        planted.sort_by_key(|p| std::cmp::Reverse(p.ms));
        let rel = format!("rocketchat/channels.history.{}.json", c.name);
        let mut out = OutFile::create(ctx.root, &rel)?;
        let mut seen = Seen::default();
        let total = c.count + planted.len() as u64;
        let mut bg = c.count;
        let mut pi = 0;
        let mut items = 0u64;
        let mut pending: Option<(Message, u64)> = None;
        let mentionable: Vec<RcUser> = joiners.iter().cloned().chain([outlet.clone()]).collect();
        while items < total {
            let mut page = Vec::with_capacity(100);
            while page.len() < 100 && items < total {
                if pending.is_none() && bg > 0 {
                    bg -= 1;
                    pending = Some(background(seed, c, bg, &outlet, &joiners, 0));
                }
                let take_planted = match (&pending, planted.get(pi)) {
                    (Some((m, _)), Some(p)) => iso_ms(p.ms) >= m.ts,
                    (None, Some(_)) => true,
                    _ => false,
                };
                if take_planted {
                    let p = &planted[pi];
                    pi += 1;
                    let mut r = rng(seed, tag(&format!("rc/planted/{}", c.name)), pi as u64);
                    let m = match &p.text {
                        Some(text) => message(&mut r, p.ms, &c.id, &p.user, text, &mentionable),
                        None => join(&mut r, p.ms, &c.id, &p.user),
                    };
                    if let Some((scn, note)) = p.truth {
                        ctx.truth.item(scn, F, P, &m.id, note);
                    }
                    seen.insert(p.user.slot);
                    page.push(m);
                } else if let Some((m, slot)) = pending.take() {
                    seen.insert(slot);
                    page.push(m);
                }
                items += 1;
            }
            out.json(
                &HistoryResponse {
                    messages: page,
                    success: true,
                },
                Indent::new(b"  ", 0),
            )?;
            out.str("\n")?;
        }
        let w = out.finish()?;
        ctx.push(w, F, items, seen.count());
    }
    Ok(())
}

/// Background message `i` of channel `c` and its author's slot.
fn background(
    seed: u64,
    c: &Chan,
    i: u64,
    outlet: &RcUser,
    joiners: &[RcUser],
    depth: u8,
) -> (Message, u64) {
    let mut r = rng(seed, tag(&format!("rc/msg/{}", c.name)), i);
    let secs = spread(c.start, c.days, i, c.count, r.gen());
    let ms = secs * 1000 + r.gen_range(0..1000);
    if c.outlet {
        let (user, text) = if r.gen_bool(0.4) {
            (outlet.clone(), corpus::any(&mut r, corpus::OUTLET_POSTS))
        } else {
            (
                pick(&mut r, joiners).clone(),
                pick(&mut r, corpus::SYMPATHISER_LINES).to_string(),
            )
        };
        let m = message(&mut r, ms, &c.id, &user, &text, &[]);
        return (m, user.slot);
    }
    let u: f64 = r.gen();
    let skew = u * u;
    let u = c.pool.0 + ((c.pool.1 as f64) * skew) as u64 % c.pool.1.max(1);
    let user = pool_user(seed, u);
    if r.gen_bool(0.03) {
        return (join(&mut r, ms, &c.id, &user), user.slot);
    }
    let mut mentionable = Vec::new();
    let mut text = if c.name == "iraq-gamers" && r.gen_bool(0.6) {
        pick(
            &mut r,
            &[
                "منو يلعب ببجي الليلة؟ 🎮",
                "اكو احد عنده كود خصم لفيفا؟",
                "السيرفر لاك هواية اليوم 😤",
                "gg wp 👏",
                "shako mako shabab, nil3ab?",
                "تحديث جديد نزل للعبة، حجمه 3 كيكا",
                "مين جرب اللعبة الجديدة؟",
                "يلا سكواد، عدنا مكان واحد",
            ],
        )
        .to_string()
    } else {
        let lang = corpus::random_lang(&mut r);
        corpus::everyday(&mut r, lang)
    };
    if r.gen_bool(0.08) {
        let other = pool_user(seed, c.pool.0 + r.gen_range(0..c.pool.1.max(1)));
        text = format!("@{} {text}", other.u.username);
        mentionable.push(other);
    }
    let mut m = message(&mut r, ms, &c.id, &user, &text, &mentionable);
    if r.gen_bool(0.05) {
        m.edited_at = Some(iso_ms(ms + heavy(&mut r, 20_000.0, 1.5)));
        m.edited_by = Some(Owner {
            id: user.u.id.clone(),
            username: user.u.username.clone(),
        });
    }
    if depth == 0 && i > 0 && r.gen_bool(0.05) {
        // A reply in a thread under an earlier message.
        let j = i - 1 - r.gen_range(0..i.min(50));
        let (parent, _) = background(seed, c, j, outlet, joiners, 1);
        if parent.t.is_none() {
            m.tmid = Some(parent.id);
        }
    }
    (m, user.slot)
}
