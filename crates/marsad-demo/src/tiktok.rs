//! TikTok Research API responses, pretty-printed with four spaces as collectors save them,
//! several responses concatenated per file:
//! - `tiktok/videos.json`: `/v2/research/video/query/` pages of 100 videos;
//! - `tiktok/user_info.json`: one `/v2/research/user/info/` response per user, with the
//!   requested `username` added to `data` (the API does not return it);
//! - `tiktok/comments.json`: `/v2/research/video/comment/list/` responses.

use crate::cast;
use crate::corpus::{self, Lang, Person};
use crate::gen::{self, heavy, hex, pick, rng, spread, tag, tiktok_id, Text, BASE, DAYS, R};
use crate::out::{Indent, OutFile, Seen};
use crate::truth::{Mark, Scn};
use crate::{Ctx, DemoError, DemoFormat};
use marsad_model::Platform;
use rand::Rng;
use serde::Serialize;

const F: DemoFormat = DemoFormat::Tiktok;
const P: Platform = Platform::Tiktok;

#[derive(Serialize, Clone)]
struct Video {
    id: u64,
    create_time: i64,
    username: String,
    region_code: &'static str,
    video_description: String,
    music_id: u64,
    like_count: i64,
    comment_count: i64,
    share_count: i64,
    view_count: i64,
    video_duration: u32,
    hashtag_names: Vec<String>,
    effect_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    voice_to_text: Option<String>,
}

#[derive(Serialize)]
struct ApiStatus {
    code: &'static str,
    message: String,
    log_id: String,
}

#[derive(Serialize)]
struct VideoData {
    videos: Vec<Video>,
    cursor: u64,
    search_id: String,
    has_more: bool,
}

#[derive(Serialize)]
struct Response<T> {
    data: T,
    error: ApiStatus,
}

#[derive(Serialize)]
struct UserInfo {
    display_name: String,
    bio_description: String,
    avatar_url: String,
    is_verified: bool,
    follower_count: i64,
    following_count: i64,
    likes_count: i64,
    video_count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    bio_url: Option<String>,
    username: String,
}

#[derive(Serialize, Clone)]
struct Comment {
    id: u64,
    video_id: u64,
    text: String,
    like_count: i64,
    reply_count: i64,
    parent_comment_id: u64,
    create_time: i64,
}

#[derive(Serialize)]
struct CommentData {
    comments: Vec<Comment>,
    cursor: u64,
    has_more: bool,
}

#[derive(Serialize)]
struct Empty {}

fn log_id(r: &mut R, secs: i64) -> String {
    format!(
        "{}{}",
        gen::utc(secs).format("%Y%m%d%H%M%S"),
        hex(r, 20).to_uppercase()
    )
}

fn ok(r: &mut R, secs: i64) -> ApiStatus {
    ApiStatus {
        code: "ok",
        message: String::new(),
        log_id: log_id(r, secs),
    }
}

/// A TikTok account of the generated world.
#[derive(Clone)]
struct TtUser {
    username: String,
    display: String,
    bio: String,
    verified: bool,
    followers: i64,
    slot: u64,
}

fn pool_user(seed: u64, u: u64) -> TtUser {
    let mut r = rng(seed, tag("tt/user"), u);
    let p = Person::random(&mut r);
    let stem = p.handle(&mut r, u, 24);
    let username = if r.gen_bool(0.4) {
        stem.replacen('_', ".", 1)
    } else {
        stem
    };
    TtUser {
        display: p.display(&mut r),
        username,
        bio: pick(&mut r, corpus::BIOS).to_string(),
        verified: false,
        followers: heavy(&mut r, 30.0, 3.5),
        slot: 1000 + u,
    }
}

fn planted(
    slot: u64,
    username: &str,
    display: &str,
    bio: &str,
    followers: i64,
    verified: bool,
) -> TtUser {
    TtUser {
        username: username.into(),
        display: display.into(),
        bio: bio.into(),
        verified,
        followers,
        slot,
    }
}

struct Cast {
    soldier: TtUser,
    blogger: TtUser,
    news: TtUser,
    reuploaders: Vec<TtUser>,
}

impl Cast {
    fn new() -> Cast {
        Cast {
            soldier: planted(
                1,
                cast::SOLDIER_TT,
                "أبو حيدر 🇮🇶",
                cast::SOLDIER_BIO,
                3_420,
                false,
            ),
            blogger: planted(
                2,
                cast::BLOGGER_TT,
                cast::BLOGGER_NAME,
                cast::BLOGGER_BIO,
                27_800,
                false,
            ),
            news: planted(
                3,
                "rafidain.news",
                "الرافدين نيوز",
                "شبكة إخبارية عراقية مستقلة 📰",
                655_000,
                true,
            ),
            reuploaders: vec![
                planted(
                    4,
                    "ansar.media9",
                    "إعلام الأنصار",
                    "[وصف مؤيد بديل] #أعماق",
                    310,
                    false,
                ),
                planted(
                    5,
                    "ghuraba.clips",
                    "مقاطع الغرباء",
                    "[وصف بديل] 🏴",
                    128,
                    false,
                ),
                planted(6, "fajr1447", "فجر ١٤٤٧", "", 77, false),
            ],
        }
    }
}

struct PlantedVideo {
    video: Video,
    truth: Vec<(Scn, &'static str)>,
    comments: Vec<(i64, String, Mark)>,
}

fn video(
    r: &mut R,
    secs: i64,
    user: &TtUser,
    description: &str,
    duration: u32,
    reach: f64,
) -> Video {
    let text = Text::parse(description);
    let views = heavy(r, reach, 2.5);
    Video {
        id: tiktok_id(secs, r.gen()),
        create_time: secs,
        username: user.username.clone(),
        region_code: "IQ",
        video_description: description.to_string(),
        music_id: tiktok_id(secs - r.gen_range(86_400..40_000_000), r.gen()),
        like_count: views / r.gen_range(6..25),
        comment_count: views / r.gen_range(150..900),
        share_count: views / r.gen_range(80..400),
        view_count: views,
        video_duration: duration,
        hashtag_names: text.hashtags(),
        effect_ids: vec!["0".into()],
        voice_to_text: None,
    }
}

pub(crate) fn generate(ctx: &mut Ctx) -> Result<(), DemoError> {
    let cast = Cast::new();
    let planted = planted_videos(ctx.seed, &cast);
    let count = ctx.n(250);
    let pool = ctx.n(120);
    let seed = ctx.seed;

    // Videos, newest first.
    let mut out = OutFile::create(ctx.root, "tiktok/videos.json")?;
    let mut seen = Seen::default();
    let total = count + planted.len() as u64;
    let mut bg = count;
    let mut pi = 0;
    let mut written = 0u64;
    let mut page_no = 0u64;
    let mut pending: Option<(Video, u64)> = None;
    let search_id = {
        let mut r = rng(seed, tag("tt/search"), 0);
        format!(
            "{}",
            7_400_000_000_000_000_000u64 + r.gen_range(0..99_999_999_999_999_999)
        )
    };
    while written < total {
        let mut page = Vec::with_capacity(100);
        while page.len() < 100 && written < total {
            if pending.is_none() && bg > 0 {
                bg -= 1;
                pending = Some(background_video(seed, bg, count, pool));
            }
            let take_planted = match (&pending, planted.get(pi)) {
                (Some((v, _)), Some(p)) => p.video.create_time >= v.create_time,
                (None, Some(_)) => true,
                _ => false,
            };
            if take_planted {
                let p = &planted[pi];
                pi += 1;
                for (scn, note) in &p.truth {
                    ctx.truth.item(*scn, F, P, &p.video.id.to_string(), note);
                }
                page.push(p.video.clone());
            } else if let Some((v, u)) = pending.take() {
                seen.insert(1000 + u);
                page.push(v);
            }
            written += 1;
        }
        for v in &page {
            if let Some(u) = [&cast.soldier, &cast.blogger, &cast.news]
                .into_iter()
                .chain(cast.reuploaders.iter())
                .find(|u| u.username == v.username)
            {
                seen.insert(u.slot);
            }
        }
        page_no += 1;
        let mut r = rng(seed, tag("tt/page"), page_no);
        let resp = Response {
            data: VideoData {
                videos: page,
                cursor: page_no * 100,
                search_id: search_id.clone(),
                has_more: written < total,
            },
            error: ok(&mut r, gen::at(14, 8, 0, 0) + page_no as i64 * 3),
        };
        out.json(&resp, Indent::new(b"    ", 0))?;
        out.str("\n")?;
    }
    let w = out.finish()?;
    ctx.push(w, F, written, seen.count());

    // User info, one response per user.
    let mut out = OutFile::create(ctx.root, "tiktok/user_info.json")?;
    let mut infos = 0u64;
    let mut all: Vec<TtUser> = vec![
        cast.soldier.clone(),
        cast.blogger.clone(),
        cast.news.clone(),
    ];
    all.extend(cast.reuploaders.iter().cloned());
    let listed = ctx.n(30).min(pool);
    for u in 0..listed {
        all.push(pool_user(seed, u));
    }
    for (k, u) in all.iter().enumerate() {
        let mut r = rng(seed, tag("tt/info"), k as u64);
        let resp = Response {
            data: UserInfo {
                display_name: u.display.clone(),
                bio_description: u.bio.clone(),
                avatar_url: format!(
                    "https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/{}~c5_168x168.jpeg",
                    hex(&mut r, 32)
                ),
                is_verified: u.verified,
                follower_count: u.followers,
                following_count: r.gen_range(20..900),
                likes_count: u.followers * r.gen_range(3..30),
                video_count: r.gen_range(4..400),
                bio_url: (u.slot == 3).then(|| "https://www.rafidain-news.example".to_string()),
                username: u.username.clone(),
            },
            error: ok(&mut r, gen::at(14, 8, 30, 0) + k as i64),
        };
        out.json(&resp, Indent::new(b"    ", 0))?;
        out.str("\n")?;
        infos += 1;
    }
    // A lookup that failed: the account no longer exists.
    let mut r = rng(seed, tag("tt/info"), u64::MAX);
    let failed = Response {
        data: Empty {},
        error: ApiStatus {
            code: "invalid_params",
            message: "Invalid parameters: user does not exist or is private".into(),
            log_id: log_id(&mut r, gen::at(14, 8, 59, 0)),
        },
    };
    out.json(&failed, Indent::new(b"    ", 0))?;
    out.str("\n")?;
    let w = out.finish()?;
    ctx.push(w, F, 0, infos);

    // Comments: planted threads, then background videos that drew comments.
    let mut out = OutFile::create(ctx.root, "tiktok/comments.json")?;
    let mut comments = 0u64;
    for (k, p) in planted.iter().enumerate() {
        if p.comments.is_empty() {
            continue;
        }
        let mut r = rng(seed, tag("tt/pcomments"), k as u64);
        let list: Vec<Comment> = p
            .comments
            .iter()
            .map(|(secs, text, truth)| {
                let c = Comment {
                    id: tiktok_id(*secs, r.gen()),
                    video_id: p.video.id,
                    text: text.clone(),
                    like_count: r.gen_range(0..40),
                    reply_count: 0,
                    parent_comment_id: p.video.id,
                    create_time: *secs,
                };
                if let Some((scn, note)) = truth {
                    ctx.truth.item(*scn, F, P, &c.id.to_string(), note);
                }
                c
            })
            .collect();
        comments += list.len() as u64;
        write_comments(&mut out, &mut r, list)?;
    }
    for i in 0..count {
        let mut r = rng(seed, tag("tt/comments"), i);
        if !r.gen_bool(0.35) {
            continue;
        }
        let (v, _) = background_video(seed, i, count, pool);
        let n = r.gen_range(2..9);
        let mut list = Vec::with_capacity(n);
        for j in 0..n {
            let secs = v.create_time + r.gen_range(60..200_000);
            let top = j == 0 || r.gen_bool(0.75);
            let parent = if top {
                v.id
            } else {
                list.last().map(|c: &Comment| c.id).unwrap_or(v.id)
            };
            list.push(Comment {
                id: tiktok_id(secs, r.gen()),
                video_id: v.id,
                text: pick(&mut r, corpus::REACTIONS).to_string(),
                like_count: heavy(&mut r, 1.0, 2.0),
                reply_count: 0,
                parent_comment_id: parent,
                create_time: secs,
            });
        }
        comments += list.len() as u64;
        write_comments(&mut out, &mut r, list)?;
    }
    let w = out.finish()?;
    ctx.push(w, F, comments, 0);

    let t = &mut ctx.truth;
    t.account(
        Scn::Soldier,
        F,
        P,
        &format!("@{}", cast.soldier.username),
        Some(&cast.soldier.username),
        "soldier; bio names his unit",
    );
    t.account(
        Scn::MassMention,
        F,
        P,
        &format!("@{}", cast.blogger.username),
        Some(&cast.blogger.username),
        "the targeted journalist (victim)",
    );
    t.account(
        Scn::News,
        F,
        P,
        &format!("@{}", cast.news.username),
        Some(&cast.news.username),
        "news account",
    );
    for u in &cast.reuploaders {
        t.account(
            Scn::Outlet,
            F,
            P,
            &format!("@{}", u.username),
            Some(&u.username),
            "re-uploads outlet content with outlet hashtags",
        );
    }
    Ok(())
}

fn write_comments(out: &mut OutFile, r: &mut R, mut list: Vec<Comment>) -> Result<(), DemoError> {
    list.sort_by_key(|c| c.create_time);
    // Parents count their replies.
    let replies: Vec<(u64, i64)> = list
        .iter()
        .map(|c| {
            (
                c.id,
                list.iter().filter(|x| x.parent_comment_id == c.id).count() as i64,
            )
        })
        .collect();
    for (c, (_, n)) in list.iter_mut().zip(replies) {
        c.reply_count = n;
    }
    let last = list.last().map(|c| c.create_time).unwrap_or(BASE);
    let resp = Response {
        data: CommentData {
            cursor: list.len() as u64,
            comments: list,
            has_more: false,
        },
        error: ok(r, last + 86_400),
    };
    out.json(&resp, Indent::new(b"    ", 0))?;
    out.str("\n")
}

/// Background video `i` and the pool index of its author.
fn background_video(seed: u64, i: u64, count: u64, pool: u64) -> (Video, u64) {
    let mut r = rng(seed, tag("tt/video"), i);
    let secs = spread(BASE, DAYS, i, count, r.gen());
    let skew = gen::skewed(&mut r);
    let u = ((pool as f64) * skew) as u64 % pool;
    let user = pool_user(seed, u);
    let lang = if r.gen_bool(0.85) {
        Lang::Iraqi
    } else {
        corpus::random_lang(&mut r)
    };
    let mut desc = corpus::everyday(&mut r, lang);
    if r.gen_bool(0.5) {
        let tag = gen::one(
            &mut r,
            &[
                " #foryou",
                " #fyp",
                " #العراق",
                " #explore",
                " #بغداد",
                " #ضحك",
            ],
        );
        desc.push_str(tag);
    }
    let duration = r.gen_range(7..95);
    let mut v = video(&mut r, secs, &user, &desc, duration, 200.0);
    if r.gen_bool(0.1) {
        v.voice_to_text = Some(corpus::everyday(&mut r, Lang::Iraqi));
    }
    (v, u)
}

fn planted_videos(seed: u64, c: &Cast) -> Vec<PlantedVideo> {
    let mut v = Vec::new();
    let mut r = rng(seed, tag("tt/planted"), 0);
    // The soldier: two daytime videos, then the night "live" from the checkpoint.
    for (k, at) in [gen::at(1, 11, 20, 0), gen::at(2, 14, 5, 0)]
        .into_iter()
        .enumerate()
    {
        let desc = [
            "يوم جديد بالواجب 💪 #الجيش_العراقي",
            "فطور الشباب بالربيّة 😋 #جيش",
        ][k];
        v.push(PlantedVideo {
            video: video(&mut r, at, &c.soldier, desc, 24, 300.0),
            truth: vec![],
            comments: vec![],
        });
    }
    let live = cast::SOLDIER_LIVE + 4 * 60;
    let mut soldier_live = video(&mut r, live, &c.soldier, cast::SOLDIER_LIVE_TEXT, 58, 900.0);
    soldier_live.voice_to_text = Some("هلا بيكم، احنا هسه بالسيطرة، الجو بارد شوية".into());
    v.push(PlantedVideo {
        video: soldier_live,
        truth: vec![(
            Scn::Soldier,
            "night video 'live from the checkpoint near Baiji' at 02:04 Baghdad",
        )],
        comments: vec![],
    });
    // Re-uploads of the outlet's content.
    for (k, &drop) in cast::OUTLET_DROPS.iter().enumerate() {
        for j in 0..2 {
            let u = &c.reuploaders[(k + j) % c.reuploaders.len()];
            let at = drop + 3_600 * (2 + 5 * j as i64) + r.gen_range(0..1_800);
            let desc = format!(
                "[مقطع بديل لأغراض الاختبار] {}",
                [
                    "#أعماق #الدولة_الإسلامية #باقية_وتتمدد",
                    "#أعماق #باقية_وتتمدد"
                ][j]
            );
            v.push(PlantedVideo {
                video: video(&mut r, at, u, &desc, 44, 80.0),
                truth: vec![(
                    Scn::Outlet,
                    "re-upload of outlet content with the outlet hashtags",
                )],
                comments: vec![],
            });
        }
    }
    // The journalist's video and the report swarm in its comments.
    let post = gen::at(5, 17, 50, 0);
    let mut comments = Vec::new();
    for j in 0..6 {
        comments.push((
            post + 600 + j * 1_100,
            pick(&mut r, corpus::REACTIONS).to_string(),
            None,
        ));
    }
    for j in 0..20 {
        let at = cast::REPORT_SWARM + 300 + j * 24 + r.gen_range(0..20);
        comments.push((
            at,
            pick(&mut r, corpus::REPORT_COMMENTS).to_string(),
            Some((Scn::MassMention, "report-swarm comment")),
        ));
    }
    for j in 0..8 {
        let at = cast::MASS_MENTION + 40 + j * 31;
        comments.push((
            at,
            "ستدفعين الثمن 😡".to_string(),
            Some((Scn::MassMention, "placeholder threat comment")),
        ));
    }
    v.push(PlantedVideo {
        video: video(
            &mut r,
            post,
            &c.blogger,
            "تقريري الجديد عن عقود الكهرباء بالبصرة، شاركوه 👇 #البصرة #كهرباء",
            118,
            2_000.0,
        ),
        truth: vec![(
            Scn::MassMention,
            "the journalist's video targeted by the swarm",
        )],
        comments,
    });
    // News.
    for (k, text) in [corpus::NEWS_ISIS_AR[2], corpus::NEWS_ISIS_AR[0]]
        .into_iter()
        .enumerate()
    {
        let at = gen::at(6 + 4 * k as i64, 12, 0, 0);
        v.push(PlantedVideo {
            video: video(
                &mut r,
                at,
                &c.news,
                &format!("{text} #أخبار_العراق"),
                75,
                5_000.0,
            ),
            truth: vec![(Scn::News, "news video about ISIS")],
            comments: vec![],
        });
    }
    v.sort_by_key(|p| std::cmp::Reverse(p.video.create_time));
    v
}
