//! YouTube Data API v3 responses as the API returns them (two-space pretty JSON), several
//! responses concatenated per file:
//! - `youtube/videos.json`: `videos.list` pages of up to 50 videos (`part=snippet,
//!   contentDetails,statistics,liveStreamingDetails`), statistics as strings;
//! - `youtube/comment_threads.json`: one `commentThreads.list` response per commented video.

use crate::corpus::{self, Lang, Person, TEAMS};
use crate::gen::{self, b64url, heavy, iso, pick, rng, spread, tag, BASE, DAYS, R};
use crate::out::{Indent, OutFile, Seen};
use crate::truth::{Mark, Scn};
use crate::{Ctx, DemoError, DemoFormat};
use marsad_model::Platform;
use rand::Rng;
use serde::Serialize;

const F: DemoFormat = DemoFormat::Youtube;
const P: Platform = Platform::Youtube;

#[derive(Serialize, Clone)]
struct Thumb {
    url: String,
    width: u32,
    height: u32,
}

#[derive(Serialize, Clone)]
struct Thumbs {
    default: Thumb,
    medium: Thumb,
    high: Thumb,
}

#[derive(Serialize, Clone)]
struct Localized {
    title: String,
    description: String,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Snippet {
    published_at: String,
    channel_id: String,
    title: String,
    description: String,
    thumbnails: Thumbs,
    channel_title: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    category_id: &'static str,
    live_broadcast_content: &'static str,
    default_language: &'static str,
    localized: Localized,
    default_audio_language: &'static str,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct ContentDetails {
    duration: String,
    dimension: &'static str,
    definition: &'static str,
    caption: &'static str,
    licensed_content: bool,
    content_rating: serde_json::Map<String, serde_json::Value>,
    projection: &'static str,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Statistics {
    view_count: String,
    like_count: String,
    favorite_count: String,
    comment_count: String,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct LiveDetails {
    actual_start_time: String,
    scheduled_start_time: String,
    concurrent_viewers: String,
    active_live_chat_id: String,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Video {
    kind: &'static str,
    etag: String,
    id: String,
    snippet: Snippet,
    content_details: ContentDetails,
    statistics: Statistics,
    #[serde(skip_serializing_if = "Option::is_none")]
    live_streaming_details: Option<LiveDetails>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    total_results: usize,
    results_per_page: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListResponse<T> {
    kind: &'static str,
    etag: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page_token: Option<String>,
    items: Vec<T>,
    page_info: PageInfo,
}

#[derive(Serialize, Clone)]
struct ChannelRef {
    value: String,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct CommentSnippet {
    channel_id: String,
    video_id: String,
    text_display: String,
    text_original: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_id: Option<String>,
    author_display_name: String,
    author_profile_image_url: String,
    author_channel_url: String,
    author_channel_id: ChannelRef,
    can_rate: bool,
    viewer_rating: &'static str,
    like_count: i64,
    published_at: String,
    updated_at: String,
}

#[derive(Serialize, Clone)]
struct Comment {
    kind: &'static str,
    etag: String,
    id: String,
    snippet: CommentSnippet,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ThreadSnippet {
    channel_id: String,
    video_id: String,
    top_level_comment: Comment,
    can_reply: bool,
    total_reply_count: usize,
    is_public: bool,
}

#[derive(Serialize)]
struct Replies {
    comments: Vec<Comment>,
}

#[derive(Serialize)]
struct Thread {
    kind: &'static str,
    etag: String,
    id: String,
    snippet: ThreadSnippet,
    #[serde(skip_serializing_if = "Option::is_none")]
    replies: Option<Replies>,
}

#[derive(Clone)]
struct YtChannel {
    id: String,
    title: String,
    handle: String,
    slot: u64,
}

fn channel_id(r: &mut R) -> String {
    format!("UC{}", b64url(r, 22))
}

fn pool_channel(seed: u64, u: u64) -> YtChannel {
    let mut r = rng(seed, tag("yt/channel"), u);
    let p = Person::random(&mut r);
    let title = match r.gen_range(0..4) {
        0 => format!("مطبخ {}", p.first_ar),
        1 => format!("{} Vlogs", corpus::capitalize(p.first_la)),
        2 => format!("ستوديو {}", pick(&mut r, TEAMS)),
        _ => p.display(&mut r),
    };
    YtChannel {
        id: channel_id(&mut r),
        title,
        handle: format!("@{}", p.handle(&mut r, u, 24)),
        slot: 1000 + u,
    }
}

fn commenter(seed: u64, u: u64) -> YtChannel {
    let mut r = rng(seed, tag("yt/commenter"), u);
    let p = Person::random(&mut r);
    let handle = format!("@{}", p.handle(&mut r, u, 24));
    YtChannel {
        id: channel_id(&mut r),
        title: handle.clone(),
        handle,
        slot: 100_000_000 + u,
    }
}

fn thumbs(id: &str) -> Thumbs {
    let t = |q: &str, w, h| Thumb {
        url: format!("https://i.ytimg.com/vi/{id}/{q}.jpg"),
        width: w,
        height: h,
    };
    Thumbs {
        default: t("default", 120, 90),
        medium: t("mqdefault", 320, 180),
        high: t("hqdefault", 480, 360),
    }
}

fn iso_duration(secs: u32) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut d = String::from("PT");
    if h > 0 {
        d.push_str(&format!("{h}H"));
    }
    if m > 0 {
        d.push_str(&format!("{m}M"));
    }
    if s > 0 || (h == 0 && m == 0) {
        d.push_str(&format!("{s}S"));
    }
    d
}

struct VideoSpec<'a> {
    secs: i64,
    channel: &'a YtChannel,
    title: String,
    description: String,
    tags: Vec<String>,
    category: &'static str,
    duration: u32,
    reach: f64,
    lang: &'static str,
    live: Option<i64>,
}

fn video(r: &mut R, s: &VideoSpec) -> Video {
    let id = b64url(r, 11);
    let views = heavy(r, s.reach, 2.5);
    let live = s.live.map(|viewers| LiveDetails {
        actual_start_time: iso(s.secs + 95),
        scheduled_start_time: iso(s.secs),
        concurrent_viewers: viewers.to_string(),
        active_live_chat_id: format!("Cg0KC{}", b64url(r, 26)),
    });
    Video {
        kind: "youtube#video",
        etag: b64url(r, 27),
        snippet: Snippet {
            published_at: iso(s.secs),
            channel_id: s.channel.id.clone(),
            title: s.title.clone(),
            description: s.description.clone(),
            thumbnails: thumbs(&id),
            channel_title: s.channel.title.clone(),
            tags: s.tags.clone(),
            category_id: s.category,
            live_broadcast_content: if live.is_some() { "live" } else { "none" },
            default_language: s.lang,
            localized: Localized {
                title: s.title.clone(),
                description: s.description.clone(),
            },
            default_audio_language: s.lang,
        },
        content_details: ContentDetails {
            duration: if live.is_some() {
                "P0D".into()
            } else {
                iso_duration(s.duration)
            },
            dimension: "2d",
            definition: "hd",
            caption: "false",
            licensed_content: false,
            content_rating: serde_json::Map::new(),
            projection: "rectangular",
        },
        statistics: Statistics {
            view_count: views.to_string(),
            like_count: (views / r.gen_range(15..60)).to_string(),
            favorite_count: "0".into(),
            comment_count: (views / r.gen_range(100..600)).to_string(),
        },
        live_streaming_details: live,
        id,
    }
}

fn background(seed: u64, i: u64, count: u64, channels: u64) -> (Video, u64) {
    let mut r = rng(seed, tag("yt/video"), i);
    let secs = spread(BASE, DAYS, i, count, r.gen());
    let u = ((channels as f64) * gen::skewed(&mut r)) as u64 % channels;
    let ch = pool_channel(seed, u);
    let (title, category, tags) = match r.gen_range(0..4) {
        0 => (
            corpus::fill(&mut r, "طريقة عمل {food} العراقية على أصولها 😋"),
            "26",
            vec!["طبخ عراقي".to_string(), "اكلات عراقية".into()],
        ),
        1 => (
            corpus::fill(&mut r, "ملخص مباراة {team} و{team2} | دوري نجوم العراق"),
            "17",
            vec!["دوري نجوم العراق".to_string(), "كرة القدم".into()],
        ),
        2 => (
            corpus::fill(&mut r, "جولة في أسواق {place} 🇮🇶 Vlog"),
            "19",
            vec!["العراق".to_string(), "vlog".into()],
        ),
        _ => (corpus::everyday(&mut r, Lang::Iraqi), "22", Vec::new()),
    };
    let description = format!(
        "{}\n\nتابعونا على إنستغرام: https://www.instagram.com/{}/\n#العراق",
        corpus::everyday(&mut r, Lang::Msa),
        ch.handle.trim_start_matches('@')
    );
    let duration = r.gen_range(45..1_500);
    let spec = VideoSpec {
        secs,
        channel: &ch,
        title,
        description,
        tags,
        category,
        duration,
        reach: 400.0,
        lang: "ar",
        live: None,
    };
    (video(&mut r, &spec), u)
}

fn comment(
    r: &mut R,
    video: &Video,
    author: &YtChannel,
    text: &str,
    secs: i64,
    parent: Option<&str>,
) -> Comment {
    let id = match parent {
        Some(p) => format!("{p}.{}", b64url(r, 22)),
        None => format!(
            "Ug{}{}4AaABAg",
            pick(r, &["z", "w", "x", "y"]),
            b64url(r, 19)
        ),
    };
    Comment {
        kind: "youtube#comment",
        etag: b64url(r, 27),
        id,
        snippet: CommentSnippet {
            channel_id: video.snippet.channel_id.clone(),
            video_id: video.id.clone(),
            text_display: text.to_string(),
            text_original: text.to_string(),
            parent_id: parent.map(str::to_string),
            author_display_name: author.handle.clone(),
            author_profile_image_url: format!(
                "https://yt3.ggpht.com/ytc/{}=s48-c-k-c0x00ffffff-no-rj",
                b64url(r, 40)
            ),
            author_channel_url: format!("http://www.youtube.com/{}", author.handle),
            author_channel_id: ChannelRef {
                value: author.id.clone(),
            },
            can_rate: true,
            viewer_rating: "none",
            like_count: heavy(r, 1.0, 2.0),
            published_at: iso(secs),
            updated_at: iso(secs),
        },
    }
}

pub(crate) fn generate(ctx: &mut Ctx) -> Result<(), DemoError> {
    let seed = ctx.seed;
    let count = ctx.n(50);
    let channels = 10 + ctx.n(2);
    let commenters = ctx.n(150);
    let mut r = rng(seed, tag("yt/planted"), 0);
    let news = YtChannel {
        id: "UCr4fId41nNeWs0bSeRvAtE".into(),
        title: "الرافدين نيوز".into(),
        handle: "@rafidain.news".into(),
        slot: 1,
    };
    let observatory = YtChannel {
        id: "UC0bServAt0ryDiGiTaLMeD".into(),
        title: "مرصد الإعلام الرقمي".into(),
        handle: "@digital.observatory".into(),
        slot: 2,
    };
    let studio = YtChannel {
        id: "UCst4di0AlMalaAbbKur4Iq".into(),
        title: "ستوديو الملاعب".into(),
        handle: "@studio.almalaab".into(),
        slot: 3,
    };
    let mut planted: Vec<(Video, Mark, &YtChannel)> = Vec::new();
    let news_specs = [
        (&news, corpus::NEWS_ISIS_AR[0], gen::at(2, 13, 0, 0)),
        (&news, corpus::NEWS_ISIS_AR[4], gen::at(9, 13, 0, 0)),
        (
            &observatory,
            "كيف نكشف حسابات التطرف على الإنترنت؟ | مرصد الإعلام الرقمي",
            gen::at(6, 16, 0, 0),
        ),
    ];
    for (ch, title, secs) in news_specs {
        let spec = VideoSpec {
            secs,
            channel: ch,
            title: title.to_string(),
            description: format!(
                "{title}\n\nللمزيد: https://www.rafidain-news.example\n#أخبار_العراق #لا_للتطرف"
            ),
            tags: vec!["أخبار العراق".into(), "داعش".into()],
            category: "25",
            duration: r.gen_range(120..900),
            reach: 3_000.0,
            lang: "ar",
            live: None,
        };
        planted.push((
            video(&mut r, &spec),
            Some((Scn::News, "news / counter-speech video about ISIS")),
            ch,
        ));
    }
    let live = VideoSpec {
        secs: gen::at(6, 20, 30, 0),
        channel: &studio,
        title: "🔴 بث مباشر | العراق والسعودية - تحليل وتفاعل مع الجمهور".into(),
        description: "بث مباشر للتحليل والتفاعل مع الجمهور ⚽ شاركونا توقعاتكم\n#أسود_الرافدين"
            .into(),
        tags: vec!["أسود الرافدين".into(), "بث مباشر".into()],
        category: "17",
        duration: 0,
        reach: 5_000.0,
        lang: "ar",
        live: Some(4_812),
    };
    planted.push((
        video(&mut r, &live),
        Some((Scn::Decoys, "football live stream at 23:30 Baghdad")),
        &studio,
    ));
    planted.sort_by_key(|p| std::cmp::Reverse(p.0.snippet.published_at.clone()));

    // videos.list pages, newest first.
    let mut out = OutFile::create(ctx.root, "youtube/videos.json")?;
    let mut seen = Seen::default();
    let total = count + planted.len() as u64;
    let (mut bg, mut pi, mut items) = (count, 0, 0u64);
    let mut pending: Option<(Video, u64)> = None;
    let mut commented: Vec<Video> = Vec::new();
    let mut page_no = 0u64;
    while items < total {
        let mut page = Vec::with_capacity(50);
        while page.len() < 50 && items < total {
            if pending.is_none() && bg > 0 {
                bg -= 1;
                pending = Some(background(seed, bg, count, channels));
            }
            let take_planted = match (&pending, planted.get(pi)) {
                (Some((v, _)), Some(p)) => p.0.snippet.published_at >= v.snippet.published_at,
                (None, Some(_)) => true,
                _ => false,
            };
            if take_planted {
                let (v, truth, ch) = &planted[pi];
                pi += 1;
                seen.insert(ch.slot);
                if let Some((scn, note)) = truth {
                    ctx.truth.item(*scn, F, P, &v.id, note);
                    ctx.truth
                        .account(*scn, F, P, &ch.id, Some(&ch.handle), "channel");
                }
                page.push(v.clone());
            } else if let Some((v, u)) = pending.take() {
                seen.insert(1000 + u);
                page.push(v);
            }
            items += 1;
        }
        page_no += 1;
        let mut r = rng(seed, tag("yt/page"), page_no);
        let n = page.len();
        let resp = ListResponse {
            kind: "youtube#videoListResponse",
            etag: b64url(&mut r, 27),
            next_page_token: None,
            items: page,
            page_info: PageInfo {
                total_results: n,
                results_per_page: n,
            },
        };
        out.json(&resp, Indent::new(b"  ", 0))?;
        out.str("\n")?;
    }
    let w = out.finish()?;
    ctx.push(w, F, items, seen.count());

    // commentThreads.list, one response per commented video.
    let mut out = OutFile::create(ctx.root, "youtube/comment_threads.json")?;
    let mut seen = Seen::default();
    let mut comments = 0u64;
    commented.extend(planted.iter().map(|p| p.0.clone()));
    let planted_count = commented.len() as u64;
    for k in 0..planted_count + count {
        let v = if k < planted_count {
            commented[k as usize].clone()
        } else {
            let (v, _) = background(seed, k - planted_count, count, channels);
            v
        };
        let mut r = rng(seed, tag("yt/threads"), k);
        if k >= planted_count && !r.gen_bool(0.4) {
            continue;
        }
        let published = chrono::DateTime::parse_from_rfc3339(&v.snippet.published_at)
            .map(|d| d.timestamp())
            .unwrap_or(BASE);
        let mut threads = Vec::new();
        for _ in 0..r.gen_range(3..11) {
            let author = commenter(seed, r.gen_range(0..commenters));
            seen.insert(author.slot);
            let secs = published + r.gen_range(120..250_000);
            let text = if r.gen_bool(0.6) {
                pick(&mut r, corpus::REACTIONS).to_string()
            } else {
                corpus::everyday(&mut r, Lang::Iraqi)
            };
            let top = comment(&mut r, &v, &author, &text, secs, None);
            let mut replies = Vec::new();
            if r.gen_bool(0.25) {
                for j in 0..r.gen_range(1..3) {
                    let a = commenter(seed, r.gen_range(0..commenters));
                    seen.insert(a.slot);
                    let t = pick(&mut r, corpus::CHAT_REPLIES).to_string();
                    replies.push(comment(
                        &mut r,
                        &v,
                        &a,
                        &t,
                        secs + 600 * (j + 1),
                        Some(&top.id),
                    ));
                }
            }
            comments += 1 + replies.len() as u64;
            threads.push(Thread {
                kind: "youtube#commentThread",
                etag: b64url(&mut r, 27),
                id: top.id.clone(),
                snippet: ThreadSnippet {
                    channel_id: v.snippet.channel_id.clone(),
                    video_id: v.id.clone(),
                    top_level_comment: top,
                    can_reply: true,
                    total_reply_count: replies.len(),
                    is_public: true,
                },
                replies: (!replies.is_empty()).then_some(Replies { comments: replies }),
            });
        }
        let n = threads.len();
        let resp = ListResponse {
            kind: "youtube#commentThreadListResponse",
            etag: b64url(&mut r, 27),
            next_page_token: None,
            items: threads,
            page_info: PageInfo {
                total_results: n,
                results_per_page: 20,
            },
        };
        out.json(&resp, Indent::new(b"  ", 0))?;
        out.str("\n")?;
    }
    let w = out.finish()?;
    ctx.push(w, F, comments, seen.count());
    Ok(())
}
