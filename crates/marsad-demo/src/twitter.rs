//! twarc2 output: X API v2 responses, one per line, as twarc writes them (`json.dumps`
//! defaults: `", "`/`": "` separators, non-ASCII escaped) with its `__twarc` metadata.
//!
//! - `twitter/stream_2026-10.jsonl`: a filtered stream captured live (one tweet per line with
//!   `matching_rules`), holding the planted scenarios, and one `operational-disconnect` error
//!   line as the API streams it;
//! - `twitter/search_2026-10.jsonl`: full-archive search pages of 100 tweets, newest first,
//!   about `scale` MB: everyday background, news, a football hashtag surge;
//! - `twitter/users_lookup.jsonl`: user lookups whose `errors` report the suspended accounts
//!   (one line has only errors).

use crate::cast;
use crate::corpus::{self, Person, PLACES};
use crate::gen::{self, alnum, heavy, pick, rng, snowflake, spread, tag, Seg, Text, BASE, DAYS, R};
use crate::out::{OutFile, Python, Seen};
use crate::truth::Scn;
use crate::{Ctx, DemoError, DemoFormat};
use marsad_model::Platform;
use rand::Rng;
use serde::Serialize;

const F: DemoFormat = DemoFormat::Twitter;
const P: Platform = Platform::X;
const TWARC_VERSION: &str = "2.14.0";

const FIELDS: &str = "expansions=author_id%2Cin_reply_to_user_id%2Creferenced_tweets.id%2Creferenced_tweets.id.author_id%2Centities.mentions.username%2Cattachments.media_keys%2Cgeo.place_id%2Cedit_history_tweet_ids&tweet.fields=attachments%2Cauthor_id%2Cconversation_id%2Ccreated_at%2Centities%2Cgeo%2Cid%2Cin_reply_to_user_id%2Clang%2Cpublic_metrics%2Ctext%2Cpossibly_sensitive%2Creferenced_tweets%2Creply_settings%2Cedit_history_tweet_ids&user.fields=created_at%2Cdescription%2Cid%2Clocation%2Cname%2Cpinned_tweet_id%2Cprofile_image_url%2Cprotected%2Cpublic_metrics%2Curl%2Cusername%2Cverified&media.fields=duration_ms%2Cheight%2Cmedia_key%2Cpreview_image_url%2Ctype%2Curl%2Cwidth%2Cpublic_metrics&place.fields=country%2Ccountry_code%2Cfull_name%2Cgeo%2Cid%2Cname%2Cplace_type";
const USER_FIELDS: &str = "user.fields=created_at%2Cdescription%2Cid%2Clocation%2Cname%2Cpinned_tweet_id%2Cprofile_image_url%2Cprotected%2Cpublic_metrics%2Curl%2Cusername%2Cverified";
const DEFAULT_AVATAR: &str =
    "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png";

#[derive(Serialize, Clone)]
struct UserMetrics {
    followers_count: i64,
    following_count: i64,
    tweet_count: i64,
    listed_count: i64,
    like_count: i64,
}

#[derive(Serialize, Clone)]
struct User {
    id: String,
    name: String,
    username: String,
    created_at: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<String>,
    profile_image_url: String,
    protected: bool,
    public_metrics: UserMetrics,
    url: String,
    verified: bool,
}

/// An account with the slot used for distinct counting.
#[derive(Clone)]
struct XUser {
    user: User,
    slot: u64,
}

impl XUser {
    fn id(&self) -> &str {
        &self.user.id
    }
    fn username(&self) -> &str {
        &self.user.username
    }
}

#[derive(Serialize, Clone)]
struct TagE {
    start: usize,
    end: usize,
    tag: String,
}

#[derive(Serialize, Clone)]
struct MentionE {
    start: usize,
    end: usize,
    username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
}

#[derive(Serialize, Clone)]
struct UrlE {
    start: usize,
    end: usize,
    url: String,
    expanded_url: String,
    display_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_key: Option<String>,
}

#[derive(Serialize, Clone, Default)]
struct Entities {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashtags: Vec<TagE>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mentions: Vec<MentionE>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    urls: Vec<UrlE>,
}

impl Entities {
    fn is_empty(&self) -> bool {
        self.hashtags.is_empty() && self.mentions.is_empty() && self.urls.is_empty()
    }
}

#[derive(Serialize, Clone)]
struct Ref {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
}

#[derive(Serialize, Clone)]
struct Attachments {
    media_keys: Vec<String>,
}

#[derive(Serialize, Clone)]
struct Point {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [f64; 2],
}

#[derive(Serialize, Clone)]
struct Geo {
    #[serde(skip_serializing_if = "Option::is_none")]
    coordinates: Option<Point>,
    place_id: String,
}

#[derive(Serialize, Clone)]
struct TweetMetrics {
    retweet_count: i64,
    reply_count: i64,
    like_count: i64,
    quote_count: i64,
    bookmark_count: i64,
    impression_count: i64,
}

#[derive(Serialize, Clone)]
struct Tweet {
    edit_history_tweet_ids: Vec<String>,
    id: String,
    text: String,
    author_id: String,
    created_at: String,
    conversation_id: String,
    lang: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_reply_to_user_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    referenced_tweets: Vec<Ref>,
    #[serde(skip_serializing_if = "Entities::is_empty")]
    entities: Entities,
    #[serde(skip_serializing_if = "Option::is_none")]
    attachments: Option<Attachments>,
    #[serde(skip_serializing_if = "Option::is_none")]
    geo: Option<Geo>,
    public_metrics: TweetMetrics,
    possibly_sensitive: bool,
    reply_settings: &'static str,
}

#[derive(Serialize, Clone)]
struct MediaMetrics {
    view_count: i64,
}

#[derive(Serialize, Clone)]
struct Media {
    media_key: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preview_image_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_ms: Option<i64>,
    width: u32,
    height: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_metrics: Option<MediaMetrics>,
}

#[derive(Serialize, Clone)]
struct PlaceGeo {
    #[serde(rename = "type")]
    kind: &'static str,
    bbox: [f64; 4],
    properties: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize, Clone)]
struct PlaceJson {
    full_name: String,
    id: String,
    country: &'static str,
    country_code: &'static str,
    name: String,
    place_type: &'static str,
    geo: PlaceGeo,
}

#[derive(Serialize, Default)]
struct Includes {
    users: Vec<User>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tweets: Vec<Tweet>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    media: Vec<Media>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    places: Vec<PlaceJson>,
}

#[derive(Serialize)]
struct Twarc {
    url: String,
    version: &'static str,
    retrieved_at: String,
}

#[derive(Serialize)]
struct Meta {
    newest_id: String,
    oldest_id: String,
    result_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
struct SearchPage {
    data: Vec<Tweet>,
    includes: Includes,
    meta: Meta,
    #[serde(rename = "__twarc")]
    twarc: Twarc,
}

#[derive(Serialize)]
struct Rule {
    id: String,
    tag: &'static str,
}

#[derive(Serialize)]
struct StreamLine {
    data: Tweet,
    includes: Includes,
    matching_rules: Vec<Rule>,
    #[serde(rename = "__twarc")]
    twarc: Twarc,
}

#[derive(Serialize)]
struct ApiError {
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    detail: String,
    title: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    disconnect_type: Option<&'static str>,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct UsersPage {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    data: Vec<User>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ApiError>,
    #[serde(rename = "__twarc")]
    twarc: Twarc,
}

#[derive(Serialize)]
struct ErrorLine {
    errors: Vec<ApiError>,
}

/// A tweet with everything its response needs in `includes`.
struct Entry {
    ms: i64,
    tweet: Tweet,
    users: Vec<XUser>,
    refs: Vec<Tweet>,
    media: Vec<Media>,
    places: Vec<PlaceJson>,
    truth: Vec<(Scn, &'static str)>,
    rule: &'static str,
}

fn twarc_time(secs: i64) -> String {
    gen::utc(secs).format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

fn place_json(i: usize) -> PlaceJson {
    let p = PLACES[i % PLACES.len()];
    PlaceJson {
        full_name: format!("{}, Iraq", p.en),
        id: format!("{:016x}", gen::tag(p.en) >> 1),
        country: "Iraq",
        country_code: "IQ",
        name: p.en.to_string(),
        place_type: "city",
        geo: PlaceGeo {
            kind: "Feature",
            bbox: [p.lon - 0.18, p.lat - 0.14, p.lon + 0.18, p.lat + 0.14],
            properties: serde_json::Map::new(),
        },
    }
}

/// Renders text the way the API returns it: URLs wrapped in t.co links, entity offsets in
/// code points. `limit` truncates with "…" (retweets are cut at 140 characters).
fn render(
    r: &mut R,
    text: &Text,
    ids: &[(String, String)],
    limit: Option<usize>,
) -> (String, Entities) {
    let mut out = String::new();
    let mut len = 0usize;
    let mut e = Entities::default();
    let limit = limit.unwrap_or(usize::MAX);
    for seg in &text.segs {
        let (piece, kind) = match seg {
            Seg::Plain(p) | Seg::Bold(p) => (p.clone(), 0),
            Seg::Hashtag(h) => (format!("#{h}"), 1),
            Seg::Mention(m) => (format!("@{m}"), 2),
            Seg::Url(_) | Seg::TextLink { .. } => (format!("https://t.co/{}", alnum(r, 10)), 3),
        };
        let n = piece.chars().count();
        if len + n > limit {
            if kind == 0 {
                let keep: String = piece.chars().take(limit.saturating_sub(len)).collect();
                out.push_str(&keep);
            }
            out.push('…');
            return (out, e);
        }
        let (start, end) = (len, len + n);
        match seg {
            Seg::Hashtag(h) => e.hashtags.push(TagE {
                start,
                end,
                tag: h.clone(),
            }),
            Seg::Mention(m) => e.mentions.push(MentionE {
                start,
                end,
                username: m.clone(),
                id: ids.iter().find(|(u, _)| u == m).map(|(_, id)| id.clone()),
            }),
            Seg::Url(u) | Seg::TextLink { href: u, .. } => {
                let bare = u
                    .trim_start_matches("https://")
                    .trim_start_matches("http://");
                let display = if bare.chars().count() > 26 {
                    format!("{}…", bare.chars().take(25).collect::<String>())
                } else {
                    bare.to_string()
                };
                e.urls.push(UrlE {
                    start,
                    end,
                    url: piece.clone(),
                    expanded_url: u.clone(),
                    display_url: display,
                    media_key: None,
                })
            }
            _ => {}
        }
        out.push_str(&piece);
        len = end;
    }
    (out, e)
}

fn metrics(r: &mut R, reach: f64) -> TweetMetrics {
    let likes = heavy(r, reach, 2.5);
    TweetMetrics {
        retweet_count: likes / r.gen_range(3..12),
        reply_count: likes / r.gen_range(4..20),
        like_count: likes,
        quote_count: likes / r.gen_range(20..80),
        bookmark_count: likes / r.gen_range(10..40),
        impression_count: likes * r.gen_range(20..90) + r.gen_range(20..400),
    }
}

struct TweetSpec<'a> {
    id: u64,
    ms: i64,
    author: &'a XUser,
    text: &'a Text,
    lang: &'static str,
}

/// An original tweet.
fn original(r: &mut R, s: &TweetSpec, ids: &[(String, String)], reach: f64) -> Tweet {
    let (text, entities) = render(r, s.text, ids, None);
    let id = s.id.to_string();
    Tweet {
        edit_history_tweet_ids: vec![id.clone()],
        id: id.clone(),
        text,
        author_id: s.author.id().to_string(),
        created_at: gen::iso_ms(s.ms),
        conversation_id: id,
        lang: s.lang,
        in_reply_to_user_id: None,
        referenced_tweets: Vec::new(),
        entities,
        attachments: None,
        geo: None,
        public_metrics: metrics(r, reach),
        possibly_sensitive: false,
        reply_settings: "everyone",
    }
}

/// A retweet of `orig` by `s.author` ("RT @user: …", cut at 140 characters).
fn retweet(
    r: &mut R,
    s: &TweetSpec,
    orig: &Tweet,
    orig_author: &XUser,
    orig_text: &Text,
    ids: &[(String, String)],
) -> Tweet {
    let mut t = Text::default();
    t.segs.push(Seg::Plain("RT ".into()));
    t.segs
        .push(Seg::Mention(orig_author.username().to_string()));
    t.segs.push(Seg::Plain(": ".into()));
    t.segs.extend(orig_text.segs.iter().cloned());
    let mut ids = ids.to_vec();
    ids.push((
        orig_author.username().to_string(),
        orig_author.id().to_string(),
    ));
    let (text, entities) = render(r, &t, &ids, Some(140));
    let id = s.id.to_string();
    Tweet {
        edit_history_tweet_ids: vec![id.clone()],
        id: id.clone(),
        text,
        author_id: s.author.id().to_string(),
        created_at: gen::iso_ms(s.ms),
        conversation_id: id,
        lang: orig.lang,
        in_reply_to_user_id: None,
        referenced_tweets: vec![Ref {
            kind: "retweeted",
            id: orig.id.clone(),
        }],
        entities,
        attachments: None,
        geo: None,
        public_metrics: TweetMetrics {
            impression_count: 0,
            bookmark_count: 0,
            ..orig.public_metrics.clone()
        },
        possibly_sensitive: false,
        reply_settings: "everyone",
    }
}

/// A reply: the text starts with the parent author's handle.
fn reply(
    r: &mut R,
    s: &TweetSpec,
    parent: &Tweet,
    parent_author: &XUser,
    ids: &[(String, String)],
) -> Tweet {
    let mut t = Text::default();
    t.segs
        .push(Seg::Mention(parent_author.username().to_string()));
    t.segs.push(Seg::Plain(" ".into()));
    t.segs.extend(s.text.segs.iter().cloned());
    let mut ids = ids.to_vec();
    ids.push((
        parent_author.username().to_string(),
        parent_author.id().to_string(),
    ));
    let spec = TweetSpec { text: &t, ..*s };
    let mut tw = original(r, &spec, &ids, 2.0);
    tw.conversation_id = parent.conversation_id.clone();
    tw.in_reply_to_user_id = Some(parent_author.id().to_string());
    tw.referenced_tweets = vec![Ref {
        kind: "replied_to",
        id: parent.id.clone(),
    }];
    tw
}

/// A quote tweet: the text ends with the link to the quoted tweet.
fn quote(
    r: &mut R,
    s: &TweetSpec,
    quoted: &Tweet,
    quoted_author: &XUser,
    ids: &[(String, String)],
) -> Tweet {
    let mut t = s.text.clone();
    t.segs.push(Seg::Plain(" ".into()));
    t.segs.push(Seg::Url(format!(
        "https://twitter.com/{}/status/{}",
        quoted_author.username(),
        quoted.id
    )));
    let spec = TweetSpec { text: &t, ..*s };
    let mut tw = original(r, &spec, ids, 4.0);
    tw.referenced_tweets = vec![Ref {
        kind: "quoted",
        id: quoted.id.clone(),
    }];
    tw
}

fn photo_media(r: &mut R, ms: i64, tw: &mut Tweet) -> Media {
    let key = format!(
        "3_{}",
        snowflake(ms - 2_000, r.gen_range(0..1000), r.gen_range(0..4096))
    );
    attach(r, tw, &key, "photo");
    Media {
        media_key: key,
        kind: "photo",
        url: Some(format!(
            "https://pbs.twimg.com/media/{}.jpg",
            gen::b64url(r, 15)
        )),
        preview_image_url: None,
        duration_ms: None,
        width: *pick(r, &[1200, 1080, 2048, 900]),
        height: *pick(r, &[900, 1350, 1536, 1200]),
        public_metrics: None,
    }
}

fn video_media(r: &mut R, ms: i64, tw: &mut Tweet) -> Media {
    let sf = snowflake(ms - 5_000, r.gen_range(0..1000), r.gen_range(0..4096));
    let key = format!("7_{sf}");
    attach(r, tw, &key, "video");
    Media {
        media_key: key,
        kind: "video",
        url: None,
        preview_image_url: Some(format!(
            "https://pbs.twimg.com/ext_tw_video_thumb/{sf}/pu/img/{}.jpg",
            gen::b64url(r, 16)
        )),
        duration_ms: Some(r.gen_range(5_000..140_000)),
        width: 1280,
        height: 720,
        public_metrics: Some(MediaMetrics {
            view_count: heavy(r, 50.0, 3.0),
        }),
    }
}

/// Adds the media key and the `pic.twitter.com` link the API appends to the text.
fn attach(r: &mut R, tw: &mut Tweet, key: &str, kind: &str) {
    tw.attachments = Some(Attachments {
        media_keys: vec![key.to_string()],
    });
    let link = format!("https://t.co/{}", alnum(r, 10));
    let start = tw.text.chars().count() + 1;
    tw.text.push(' ');
    tw.text.push_str(&link);
    tw.entities.urls.push(UrlE {
        start,
        end: start + 23,
        url: link,
        expanded_url: format!("https://twitter.com/i/web/status/{}/{kind}/1", tw.id),
        display_url: format!("pic.twitter.com/{}", alnum(r, 10)),
        media_key: Some(key.to_string()),
    });
}

/// The planted cast on X.
struct Cast {
    outlet: XUser,
    sympathisers: Vec<XUser>,
    burst: Vec<XUser>,
    chain_a: [XUser; 2],
    chain_b: [XUser; 2],
    blogger: XUser,
    swarm: Vec<XUser>,
    news: Vec<XUser>,
}

#[allow(clippy::too_many_arguments)]
fn planted_user(
    slot: u64,
    id: u64,
    username: &str,
    name: &str,
    created: i64,
    bio: &str,
    location: Option<&str>,
    followers: i64,
    avatar: &str,
) -> XUser {
    XUser {
        user: User {
            id: id.to_string(),
            name: name.to_string(),
            username: username.to_string(),
            created_at: gen::iso_ms(created * 1000),
            description: bio.to_string(),
            location: location.map(str::to_string),
            profile_image_url: avatar.to_string(),
            protected: false,
            public_metrics: UserMetrics {
                followers_count: followers,
                following_count: followers / 3 + 12,
                tweet_count: followers / 2 + 40,
                listed_count: followers / 200,
                like_count: followers + 90,
            },
            url: String::new(),
            verified: false,
        },
        slot,
    }
}

fn new_id(created: i64, k: u64) -> u64 {
    snowflake(created * 1000 + 137, 1000 + k % 24, 7 * k)
}

fn avatar(seed_path: &str, file: &str) -> String {
    format!("https://pbs.twimg.com/profile_images/{seed_path}/{file}_normal.jpg")
}

impl Cast {
    fn new(seed: u64) -> Cast {
        let mut slot = 0;
        let mut next = || {
            slot += 1;
            slot
        };
        let outlet_created = gen::at(-19, 14, 2, 0);
        let outlet = planted_user(
            next(),
            new_id(outlet_created, 1),
            "a3maq_news",
            "وكالة أعماق | Amaq",
            outlet_created,
            "وكالة أعماق الإخبارية [وصف بديل لأغراض الاختبار] #أعماق",
            None,
            2_140,
            &avatar("1833120045511000064", "amaq_logo"),
        );
        let symp_handles = [
            ("ghareeb_diyar", "غريب الديار"),
            ("sawt_alhaq_1", "صوت الحق"),
            ("muhajir_14", "مهاجر ١٤"),
            ("ibn_alanbar_", "ابن الأنبار"),
            ("alsaber_2026", "الصابر"),
            ("abu_albaraa_iq", "أبو البراء"),
            ("nasir_aldeen7", "ناصر الدين"),
            ("tawheed_voice", "صوت التوحيد"),
            ("ansar_media9", "إعلام الأنصار ٩"),
            ("fajr_1447", "فجر ١٤٤٧"),
            ("raya_sawda_", "الراية"),
            ("ghuraba_news", "أخبار الغرباء"),
        ];
        let sympathisers = symp_handles
            .iter()
            .enumerate()
            .map(|(k, (h, n))| {
                let created = gen::at(-200 + 13 * k as i64, 10 + k as i64, 0, 0);
                planted_user(
                    next(),
                    new_id(created, 100 + k as u64),
                    h,
                    n,
                    created,
                    "[وصف مؤيد بديل] #باقية_وتتمدد",
                    None,
                    40 + 37 * k as i64,
                    DEFAULT_AVATAR,
                )
            })
            .collect();
        let burst = (0..40u64)
            .map(|k| {
                let mut r = rng(seed, tag("x/burst"), k);
                let p = Person::random(&mut r);
                let created = gen::at(3, 20, 0, 0) + (k as i64 * 178) + r.gen_range(0..60);
                let handle = format!(
                    "{}{}",
                    corpus::capitalize(p.first_la),
                    r.gen_range(10_000_000..99_999_999u64)
                );
                let name = p.display(&mut r);
                planted_user(
                    next(),
                    new_id(created, 200 + k),
                    &handle,
                    &name,
                    created,
                    "",
                    None,
                    r.gen_range(0..4),
                    DEFAULT_AVATAR,
                )
            })
            .collect();
        let kh_avatar = |n: &str| avatar(n, "Kh4l1f4_n3ws");
        let a_old = gen::at(-48, 9, 30, 0);
        let a_new = gen::at(4, 11, 20, 0);
        let chain_a = [
            planted_user(
                next(),
                new_id(a_old, 300),
                "khilafa_news3",
                "أخبار الخلافة | 3",
                a_old,
                "أخبار الخلافة [وصف بديل لأغراض الاختبار] | الحساب 3 بعد الحذف",
                None,
                860,
                &kh_avatar("1824110093318664192"),
            ),
            planted_user(
                next(),
                new_id(a_new, 301),
                "khilafa_news4",
                "أخبار الخلافة | 4",
                a_new,
                "أخبار الخلافة [وصف بديل لأغراض الاختبار] | الحساب 4 بعد الحذف",
                None,
                35,
                &kh_avatar("1842990417266401280"),
            ),
        ];
        let b_old = gen::at(-63, 18, 45, 0);
        let b_new = gen::at(7, 14, 5, 0);
        let sawt = |n: &str| avatar(n, "sawt_k_logo");
        let chain_b = [
            planted_user(
                next(),
                new_id(b_old, 310),
                "sawt_alkhilafa",
                "صوت الخلافة 🔊",
                b_old,
                "صوت الخلافة [وصف بديل] #باقية_وتتمدد",
                None,
                1_210,
                &sawt("1818532140922880000"),
            ),
            planted_user(
                next(),
                new_id(b_new, 311),
                "sawt_alkhilafa2",
                "صوت الخلافة 🔊²",
                b_new,
                "صوت الخلافة [وصف بديل] #باقية_وتتمدد | عدنا",
                None,
                18,
                &sawt("1843808867390672896"),
            ),
        ];
        let blogger = planted_user(
            next(),
            3_078_123_456,
            cast::BLOGGER_X,
            cast::BLOGGER_NAME,
            1_425_808_000,
            cast::BLOGGER_BIO,
            Some("البصرة، العراق"),
            18_400,
            &avatar("1702331877761335296", "rusul_k"),
        );
        let swarm = (0..30u64)
            .map(|k| {
                let mut r = rng(seed, tag("x/swarm"), k);
                let p = Person::random(&mut r);
                let created = gen::at(
                    -60 + 2 * k as i64,
                    r.gen_range(8..23),
                    r.gen_range(0..60),
                    0,
                );
                let handle = p.handle(&mut r, 700 + k, 15);
                let name = p.display(&mut r);
                planted_user(
                    next(),
                    new_id(created, 400 + k),
                    &handle,
                    &name,
                    created,
                    "",
                    None,
                    r.gen_range(3..60),
                    DEFAULT_AVATAR,
                )
            })
            .collect();
        let news = vec![
            planted_user(
                next(),
                512_334_871,
                "rafidain_news",
                "الرافدين نيوز",
                1_334_220_000,
                "شبكة إخبارية عراقية مستقلة | أخبار عاجلة على مدار الساعة",
                Some("بغداد"),
                412_000,
                &avatar("1580021933117132800", "rafidain"),
            ),
            planted_user(
                next(),
                1_120_004_551_230_111_744,
                "iq_observatory",
                "مرصد الإعلام الرقمي",
                1_562_300_000,
                "مرصد مستقل يرصد خطاب الكراهية والتطرف على الإنترنت | Digital Media Observatory",
                Some("العراق"),
                23_600,
                &avatar("1610203384005935104", "observatory"),
            ),
            planted_user(
                next(),
                712_993_384_004_110_336,
                "tigris_daily",
                "Tigris Daily",
                1_459_900_000,
                "Independent English-language news from Iraq.",
                Some("Baghdad, Iraq"),
                58_900,
                &avatar("1499031150223310848", "tigris"),
            ),
        ];
        Cast {
            outlet,
            sympathisers,
            burst,
            chain_a,
            chain_b,
            blogger,
            swarm,
            news,
        }
    }
}

/// Background account `u` of the pool.
fn pool_user(seed: u64, u: u64) -> XUser {
    let mut r = rng(seed, tag("x/user"), u);
    let p = Person::random(&mut r);
    let created = r.gen_range(1_262_304_000i64..1_735_689_600);
    let id = if created < 1_451_606_400 {
        100_000_000 + (u.wrapping_mul(2_654_435_761) + 777) % 3_000_000_000
    } else {
        snowflake(created * 1000, (u >> 12) & 0x3FF, u & 0xFFF)
    };
    let handle = p.handle(&mut r, u, 15);
    let name = p.display(&mut r);
    let bio = *pick(&mut r, corpus::BIOS);
    let place = *pick(&mut r, PLACES);
    let location = if r.gen_bool(0.6) {
        Some(if r.gen_bool(0.5) {
            place.ar.to_string()
        } else {
            format!("{}, Iraq", place.en)
        })
    } else {
        None
    };
    let followers = heavy(&mut r, 20.0, 3.0);
    XUser {
        user: User {
            id: id.to_string(),
            name,
            username: handle,
            created_at: gen::iso_ms(created * 1000 + r.gen_range(0..1000)),
            description: bio.to_string(),
            location,
            profile_image_url: format!(
                "https://pbs.twimg.com/profile_images/{}/{}_normal.jpg",
                snowflake(created * 1000 + 86_400_000, 3, u & 0xFFF),
                gen::b64url(&mut r, 8)
            ),
            protected: false,
            public_metrics: UserMetrics {
                followers_count: followers,
                following_count: heavy(&mut r, 40.0, 1.5),
                tweet_count: heavy(&mut r, 100.0, 2.0),
                listed_count: followers / 150,
                like_count: heavy(&mut r, 200.0, 2.0),
            },
            url: String::new(),
            verified: false,
        },
        slot: 10_000 + u,
    }
}

struct Gen {
    seed: u64,
    count: u64,
    pool: u64,
}

#[derive(PartialEq)]
enum BgKind {
    Original,
    Retweet,
    Reply,
    Quote,
}

const BG: &str = "x/tweet";

impl Gen {
    fn kind(&self, r: &mut R) -> BgKind {
        match r.gen_range(0..100) {
            0..=61 => BgKind::Original,
            62..=79 => BgKind::Retweet,
            80..=93 => BgKind::Reply,
            _ => BgKind::Quote,
        }
    }

    fn author(&self, r: &mut R) -> XUser {
        let skew = gen::skewed(r);
        pool_user(self.seed, ((self.pool as f64) * skew) as u64 % self.pool)
    }

    fn time(&self, i: u64, r: &mut R) -> i64 {
        let t = spread(BASE, DAYS, i, self.count, r.gen());
        t * 1000 + r.gen_range(0..1000)
    }

    /// Background tweet `i`: its random stream's first draws are the kind and the time.
    fn entry(&self, i: u64) -> Entry {
        let mut r = rng(self.seed, tag(BG), i);
        let kind = self.kind(&mut r);
        let ms = self.time(i, &mut r);
        let id = snowflake(ms, (i >> 12) & 0x3FF, i & 0xFFF);
        let author = self.author(&mut r);
        if kind != BgKind::Original {
            if let Some(j) = self.earlier_original(i, &mut r) {
                let parent = self.entry(j);
                let (parent_tweet, parent_author, parent_text) =
                    (parent.tweet, parent.users[0].clone(), self.text_of(j).0);
                let spec_text = Text::parse(&self.line(&mut r));
                let s = TweetSpec {
                    id,
                    ms,
                    author: &author,
                    text: &spec_text,
                    lang: "ar",
                };
                let tweet = match kind {
                    BgKind::Retweet => {
                        retweet(&mut r, &s, &parent_tweet, &parent_author, &parent_text, &[])
                    }
                    BgKind::Reply => {
                        let s = TweetSpec {
                            lang: lang_of(&spec_text),
                            ..s
                        };
                        reply(&mut r, &s, &parent_tweet, &parent_author, &[])
                    }
                    _ => {
                        let s = TweetSpec {
                            lang: lang_of(&spec_text),
                            ..s
                        };
                        quote(&mut r, &s, &parent_tweet, &parent_author, &[])
                    }
                };
                return Entry {
                    ms,
                    tweet,
                    users: vec![author, parent_author],
                    refs: vec![parent_tweet],
                    media: Vec::new(),
                    places: Vec::new(),
                    truth: Vec::new(),
                    rule: "",
                };
            }
        }
        self.original_entry(&mut r, i, id, ms, author)
    }

    fn original_entry(&self, r: &mut R, i: u64, id: u64, ms: i64, author: XUser) -> Entry {
        let (text, mentioned) = self.text_of(i);
        let mut ids = Vec::new();
        let mut users = vec![author.clone()];
        if let Some(u) = mentioned {
            ids.push((u.username().to_string(), u.id().to_string()));
            users.push(u);
        }
        let s = TweetSpec {
            id,
            ms,
            author: &author,
            text: &text,
            lang: lang_of(&text),
        };
        let mut tweet = original(r, &s, &ids, 3.0);
        let mut media = Vec::new();
        let mut places = Vec::new();
        let roll: f64 = r.gen();
        if roll < 0.08 {
            media.push(photo_media(r, ms, &mut tweet));
        } else if roll < 0.10 {
            media.push(video_media(r, ms, &mut tweet));
        }
        if r.gen_bool(0.03) {
            let k = r.gen_range(0..PLACES.len());
            let place = place_json(k);
            let p = PLACES[k];
            let coordinates = r.gen_bool(0.4).then(|| Point {
                kind: "Point",
                coordinates: [
                    p.lon + r.gen_range(-0.05..0.05),
                    p.lat + r.gen_range(-0.05..0.05),
                ],
            });
            tweet.geo = Some(Geo {
                coordinates,
                place_id: place.id.clone(),
            });
            places.push(place);
        }
        Entry {
            ms,
            tweet,
            users,
            refs: Vec::new(),
            media,
            places,
            truth: Vec::new(),
            rule: "",
        }
    }

    /// The text of background tweet `i` when it is an original, and the pool user it
    /// mentions (its own stream, so that a retweet can rebuild it).
    fn text_of(&self, i: u64) -> (Text, Option<XUser>) {
        let mut r = rng(self.seed, tag("x/text"), i);
        let mut s = self.line(&mut r);
        let mut mentioned = None;
        if r.gen_bool(0.08) {
            let u = pool_user(self.seed, r.gen_range(0..self.pool));
            s = format!("@{} {s}", u.username());
            mentioned = Some(u);
        }
        if r.gen_bool(0.05) {
            s.push_str(&format!(
                " https://www.rafidain-news.example/news/{}",
                r.gen_range(40_000..99_999)
            ));
        }
        (Text::parse(&s), mentioned)
    }

    fn line(&self, r: &mut R) -> String {
        let lang = corpus::random_lang(r);
        corpus::everyday(r, lang)
    }

    /// An original among the 300 background tweets before `i`.
    fn earlier_original(&self, i: u64, r: &mut R) -> Option<u64> {
        for _ in 0..8 {
            if i == 0 {
                return None;
            }
            let j = i - 1 - r.gen_range(0..i.min(300));
            let mut rj = rng(self.seed, tag(BG), j);
            if self.kind(&mut rj) == BgKind::Original {
                return Some(j);
            }
        }
        None
    }
}

fn lang_of(text: &Text) -> &'static str {
    let s = text.plain();
    let arabic = s
        .chars()
        .filter(|c| ('\u{0600}'..='\u{06FF}').contains(c))
        .count();
    let latin = s.chars().filter(|c| c.is_ascii_alphabetic()).count();
    // Arabizi writes some Arabic letters as digits inside words: 7abibi, 3ala, ta2akhar.
    let arabizi = s.split_whitespace().any(|w| {
        w.chars().any(|c| c.is_ascii_alphabetic())
            && w.chars().any(|c| matches!(c, '2' | '3' | '5' | '7' | '9'))
    });
    if arabic > latin {
        "ar"
    } else if arabizi {
        "und"
    } else {
        "en"
    }
}

struct Files<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    cast: Cast,
}

pub(crate) fn generate(ctx: &mut Ctx) -> Result<(), DemoError> {
    let cast = Cast::new(ctx.seed);
    let mut f = Files { ctx, cast };
    f.stream()?;
    f.search()?;
    f.lookups()?;
    f.truth_accounts();
    f.avatars()?;
    Ok(())
}

fn rng_planted(seed: u64, what: &str, k: u64) -> R {
    rng(seed, tag(&format!("x/planted/{what}")), k)
}

impl Files<'_, '_> {
    fn planted_id(ms: i64, k: u64) -> u64 {
        snowflake(ms, 1000 + (k >> 12) % 24, k & 0xFFF)
    }

    fn simple(&self, what: &str, k: u64, ms: i64, author: &XUser, text: &str, reach: f64) -> Entry {
        let mut r = rng_planted(self.ctx.seed, what, k);
        let text = Text::parse(text);
        let mut ids = Vec::new();
        let mut users = vec![author.clone()];
        for m in text.mentions() {
            if m == cast::BLOGGER_X {
                ids.push((m.clone(), self.cast.blogger.id().to_string()));
                users.push(self.cast.blogger.clone());
            }
        }
        let s = TweetSpec {
            id: Self::planted_id(ms, k),
            ms,
            author,
            text: &text,
            lang: lang_of(&text),
        };
        let tweet = original(&mut r, &s, &ids, reach);
        Entry {
            ms,
            tweet,
            users,
            refs: Vec::new(),
            media: Vec::new(),
            places: Vec::new(),
            truth: Vec::new(),
            rule: "",
        }
    }

    /// The planted tweets captured by the filtered stream, in time order.
    fn stream_entries(&self) -> Vec<Entry> {
        let c = &self.cast;
        let mut v: Vec<Entry> = Vec::new();
        let mut k = 0u64;
        let mut next = || {
            k += 1;
            k
        };
        // 1. Outlet drops, retweets and quotes.
        for (d, (&at, text)) in cast::OUTLET_DROPS.iter().zip(cast::DROP_TEXTS).enumerate() {
            let ms = (at + 120) * 1000 + 410;
            let mut e = self.simple("drop", next(), ms, &c.outlet, text, 30.0);
            let mut r = rng_planted(self.ctx.seed, "drop-media", d as u64);
            e.media.push(photo_media(&mut r, ms, &mut e.tweet));
            e.truth = vec![(Scn::Outlet, "outlet's flagship post on X")];
            e.rule = "outlet";
            let (orig, orig_text) = (e.tweet.clone(), Text::parse(text));
            v.push(e);
            for (j, s) in c.sympathisers.iter().enumerate() {
                if (j + d) % 6 == 5 {
                    continue;
                }
                let kk = next();
                let mut r = rng_planted(self.ctx.seed, "rt", kk);
                let ms = ms + (90 + j as i64 * 420 + r.gen_range(0..300)) * 1000;
                let spec_text = Text::default();
                let sp = TweetSpec {
                    id: Self::planted_id(ms, kk),
                    ms,
                    author: s,
                    text: &spec_text,
                    lang: "ar",
                };
                let tweet = retweet(&mut r, &sp, &orig, &c.outlet, &orig_text, &[]);
                v.push(Entry {
                    ms,
                    tweet,
                    users: vec![s.clone(), c.outlet.clone()],
                    refs: vec![orig.clone()],
                    media: Vec::new(),
                    places: Vec::new(),
                    truth: vec![(Scn::Outlet, "sympathiser retweets the outlet")],
                    rule: "outlet",
                });
            }
            for j in 0..2 {
                let kk = next();
                let s = &c.sympathisers[(d * 2 + j) % c.sympathisers.len()];
                let mut r = rng_planted(self.ctx.seed, "quote", kk);
                let ms = ms + (1_800 + j as i64 * 2_400) * 1000;
                let line = Text::parse(gen::one(&mut r, corpus::SYMPATHISER_LINES));
                let sp = TweetSpec {
                    id: Self::planted_id(ms, kk),
                    ms,
                    author: s,
                    text: &line,
                    lang: "ar",
                };
                let tweet = quote(&mut r, &sp, &orig, &c.outlet, &[]);
                v.push(Entry {
                    ms,
                    tweet,
                    users: vec![s.clone(), c.outlet.clone()],
                    refs: vec![orig.clone()],
                    media: Vec::new(),
                    places: Vec::new(),
                    truth: vec![(Scn::Outlet, "sympathiser quotes the outlet")],
                    rule: "outlet",
                });
            }
        }
        // 6. Migration announcement.
        {
            let ms = (cast::MIGRATION + 120) * 1000 + 77;
            let mut e = self.simple(
                "migration",
                next(),
                ms,
                &c.outlet,
                &cast::migration_text(),
                20.0,
            );
            e.truth = vec![
                (
                    Scn::Migration,
                    "outlet posts the Telegram and Rocket.Chat invites",
                ),
                (Scn::Outlet, "outlet post"),
            ];
            e.rule = "outlet";
            let (orig, orig_text) = (e.tweet.clone(), Text::parse(&cast::migration_text()));
            v.push(e);
            for (j, s) in c.sympathisers.iter().take(5).enumerate() {
                let kk = next();
                let mut r = rng_planted(self.ctx.seed, "rt", kk);
                let ms = ms + (60 + j as i64 * 200 + r.gen_range(0..100)) * 1000;
                let empty = Text::default();
                let sp = TweetSpec {
                    id: Self::planted_id(ms, kk),
                    ms,
                    author: s,
                    text: &empty,
                    lang: "ar",
                };
                let tweet = retweet(&mut r, &sp, &orig, &c.outlet, &orig_text, &[]);
                v.push(Entry {
                    ms,
                    tweet,
                    users: vec![s.clone(), c.outlet.clone()],
                    refs: vec![orig.clone()],
                    media: Vec::new(),
                    places: Vec::new(),
                    truth: vec![(Scn::Migration, "retweet spreading the invite links")],
                    rule: "outlet",
                });
            }
            let ms = (cast::MIGRATION + 1_800) * 1000 + 5;
            let text = format!(
                "المتابعين الجدد، سيرفرنا على روكت شات 👇 {}",
                cast::RC_INVITE
            );
            let mut e = self.simple("migration", next(), ms, &c.chain_a[1], &text, 5.0);
            e.truth = vec![(
                Scn::Migration,
                "re-created account posts the Rocket.Chat invite",
            )];
            e.rule = "outlet";
            v.push(e);
        }
        // 2. Burst of new accounts, two tweets each.
        for (j, a) in c.burst.iter().enumerate() {
            for n in 0..2 {
                let kk = next();
                let mut r = rng_planted(self.ctx.seed, "burst", kk);
                let ms = (gen::at(3, 22, 0, 0)
                    + (j as i64 * 97 + n as i64 * 5_400)
                    + r.gen_range(0..90))
                    * 1000
                    + r.gen_range(0..1000);
                let lead = *pick(
                    &mut r,
                    &[
                        "[نص بديل]",
                        "[نص بديل] 🏴",
                        "[نص مؤيد بديل]",
                        "انشروا [نص بديل]",
                    ],
                );
                let text = format!("{lead} {}", corpus::BURST_TAGS);
                let mut e = self.simple("burst", kk, ms, a, &text, 0.3);
                e.truth = vec![(
                    Scn::Burst,
                    "tweet by a newly created account with the shared hashtags",
                )];
                e.rule = "outlet";
                v.push(e);
            }
        }
        // 3. Suspension chains.
        for (chain, before, after) in [
            (
                &c.chain_a,
                (gen::at(1, 9, 0, 0), gen::at(4, 5, 0, 0)),
                (gen::at(4, 12, 0, 0), gen::at(9, 0, 0, 0)),
            ),
            (
                &c.chain_b,
                (gen::at(1, 14, 0, 0), gen::at(7, 2, 0, 0)),
                (gen::at(7, 15, 0, 0), gen::at(12, 0, 0, 0)),
            ),
        ] {
            for (acc, (from, to), note) in [
                (&chain[0], before, "post by the account later suspended"),
                (&chain[1], after, "post by the re-created account"),
            ] {
                for n in 0..6i64 {
                    let kk = next();
                    let mut r = rng_planted(self.ctx.seed, "chain", kk);
                    let ms = (from + (to - from) * n / 6 + r.gen_range(0..3_000)) * 1000;
                    let text = format!(
                        "{} | [خبر بديل لأغراض الاختبار] #الدولة_الإسلامية",
                        acc.user.name.split(" | ").next().unwrap_or("أخبار الخلافة")
                    );
                    let mut e = self.simple("chain", kk, ms, acc, &text, 2.0);
                    e.truth = vec![(Scn::Recreated, note)];
                    e.rule = "outlet";
                    v.push(e);
                }
            }
        }
        // 5. The blogger's post, the mass mention and the report swarm.
        {
            let ms = gen::at(5, 17, 45, 0) * 1000 + 300;
            let text = "نشرت تقرير جديد عن عقود الكهرباء المتلكئة بالبصرة، الرابط 👇 https://www.basra-voices.example/2026/10/electricity-contracts";
            let mut e = self.simple("blogger", next(), ms, &c.blogger, text, 60.0);
            e.truth = vec![(
                Scn::MassMention,
                "the journalist's report that drew the swarm (the victim, not an attacker)",
            )];
            e.rule = "journalist";
            v.push(e);
        }
        for (j, a) in c.swarm.iter().enumerate() {
            let kk = next();
            let mut r = rng_planted(self.ctx.seed, "swarm", kk);
            let ms = (cast::MASS_MENTION + j as i64 * 9 + r.gen_range(0..9)) * 1000
                + r.gen_range(0..1000);
            let text = pick(&mut r, corpus::THREATS).replace("{h}", cast::BLOGGER_X);
            let mut e = self.simple("swarm", kk, ms, a, &text, 0.5);
            e.truth = vec![(
                Scn::MassMention,
                "near-identical placeholder threat mentioning the journalist",
            )];
            e.rule = "journalist";
            v.push(e);
        }
        for (j, a) in c.swarm.iter().take(15).enumerate() {
            let kk = next();
            let mut r = rng_planted(self.ctx.seed, "report", kk);
            let ms = (cast::REPORT_SWARM + j as i64 * 45 + r.gen_range(0..30)) * 1000
                + r.gen_range(0..1000);
            let text = pick(&mut r, corpus::REPORT_CALLS).replace("{h}", cast::BLOGGER_X);
            let mut e = self.simple("report", kk, ms, a, &text, 0.5);
            e.truth = vec![(
                Scn::MassMention,
                "report-style swarm against the journalist",
            )];
            e.rule = "journalist";
            v.push(e);
        }
        // News naming the outlet also matches the outlet rule: it must not alert.
        for (j, (acc, text)) in [
            (&c.news[1], corpus::NEWS_ISIS_AR[3]),
            (&c.news[2], corpus::NEWS_ISIS_EN[1]),
        ]
        .into_iter()
        .enumerate()
        {
            let ms = gen::at(6 + j as i64, 11, 5, 0) * 1000;
            let mut e = self.simple("news-stream", next(), ms, acc, text, 40.0);
            e.truth = vec![(
                Scn::News,
                "news naming the outlet (matches the outlet rule)",
            )];
            e.rule = "outlet";
            v.push(e);
        }
        v.sort_by_key(|e| e.ms);
        v
    }

    fn record_truth(&mut self, e: &Entry) {
        for (scn, note) in &e.truth {
            self.ctx.truth.item(*scn, F, P, &e.tweet.id, note);
        }
    }

    fn stream(&mut self) -> Result<(), DemoError> {
        let entries = self.stream_entries();
        let url = format!("https://api.twitter.com/2/tweets/search/stream?{FIELDS}");
        let mut out = OutFile::create(self.ctx.root, "twitter/stream_2026-10.jsonl")?;
        let mut seen = Seen::default();
        let mut disconnected = false;
        let rule_ids = [
            ("outlet", "1843000000000000001"),
            ("journalist", "1843000000000000002"),
        ];
        for e in &entries {
            if !disconnected && e.ms >= gen::at(7, 0, 0, 0) * 1000 {
                disconnected = true;
                out.json(
                    &ErrorLine {
                        errors: vec![ApiError {
                            parameter: None,
                            resource_id: None,
                            value: None,
                            detail: "This stream has been disconnected upstream for operational reasons.".into(),
                            title: "operational-disconnect",
                            resource_type: None,
                            disconnect_type: Some("UpstreamOperationalDisconnect"),
                            kind: "https://api.twitter.com/2/problems/operational-disconnect",
                        }],
                    },
                    Python,
                )?;
                out.str("\n")?;
            }
            let mut includes = Includes::default();
            fill_includes(&mut includes, e, &mut seen);
            let rule = rule_ids
                .iter()
                .find(|(t, _)| *t == e.rule)
                .copied()
                .unwrap_or(rule_ids[0]);
            let line = StreamLine {
                data: e.tweet.clone(),
                includes,
                matching_rules: vec![Rule {
                    id: rule.1.to_string(),
                    tag: rule.0,
                }],
                twarc: Twarc {
                    url: url.clone(),
                    version: TWARC_VERSION,
                    retrieved_at: twarc_time(e.ms / 1000 + 2),
                },
            };
            out.json(&line, Python)?;
            out.str("\n")?;
            self.record_truth(e);
        }
        let written = out.finish()?;
        self.ctx
            .push(written, F, entries.len() as u64, seen.count());
        Ok(())
    }

    /// Planted tweets of the search file: news, the football surge, the blogger.
    fn search_planted(&self) -> Vec<Entry> {
        let c = &self.cast;
        let mut v = Vec::new();
        let mut k = 5_000u64;
        let mut next = || {
            k += 1;
            k
        };
        let news_ar = [0usize, 1, 2, 4, 5, 6, 7];
        for (j, &n) in news_ar.iter().enumerate() {
            let acc = if n == 2 || n == 5 {
                &c.news[1]
            } else {
                &c.news[0]
            };
            let ms = (gen::at(1 + j as i64 * 2 % 13, 8 + j as i64, 30, 0)) * 1000 + 120;
            let mut e = self.simple("news", next(), ms, acc, corpus::NEWS_ISIS_AR[n], 80.0);
            e.truth = vec![(Scn::News, "news report / counter-speech about ISIS")];
            v.push(e);
        }
        for (j, text) in corpus::NEWS_ISIS_EN.iter().enumerate() {
            let ms = gen::at(2 + j as i64 * 3, 13, 10, 0) * 1000 + 900;
            let mut e = self.simple("news", next(), ms, &c.news[2], text, 40.0);
            e.truth = vec![(Scn::News, "English news about ISIS")];
            v.push(e);
        }
        // Football surge: long-standing accounts, one hashtag, two and a half hours.
        for j in 0..60u64 {
            let kk = next();
            let mut r = rng_planted(self.ctx.seed, "football", kk);
            let author = pool_user(self.ctx.seed, r.gen_range(0..300));
            let ms = (gen::at(1, 17, 0, 0) + j as i64 * 150 + r.gen_range(0..140)) * 1000
                + r.gen_range(0..1000);
            let line = *pick(
                &mut r,
                &[
                    "يلا يا أسود 🦁 #أسود_الرافدين #العراق_السعودية",
                    "هدف عالمي 🔥🔥 #أسود_الرافدين",
                    "الله عليك يا أيمن ⚽ #أسود_الرافدين #العراق_السعودية",
                    "Come on Iraq! #أسود_الرافدين",
                    "الحكم ظالم بس احنا أقوى #أسود_الرافدين",
                ],
            );
            let mut e = self.simple("football", kk, ms, &author, line, 5.0);
            e.truth = vec![(
                Scn::Decoys,
                "football hashtag surge by long-standing accounts",
            )];
            v.push(e);
        }
        v.sort_by_key(|e| std::cmp::Reverse(e.ms));
        v
    }

    fn search(&mut self) -> Result<(), DemoError> {
        let gen = Gen {
            seed: self.ctx.seed,
            count: self.ctx.n(600),
            pool: self.ctx.n(300),
        };
        let planted = self.search_planted();
        let mut out = OutFile::create(self.ctx.root, "twitter/search_2026-10.jsonl")?;
        let mut seen = Seen::default();
        let query = "%28lang%3Aar%20OR%20lang%3Aen%29%20place_country%3AIQ%20-is%3Anullcast";
        let base_url = format!(
            "https://api.twitter.com/2/tweets/search/all?{FIELDS}&max_results=100&start_time=2026-10-01T00%3A00%3A00Z&end_time=2026-10-15T00%3A00%3A00Z&query={query}"
        );
        let total = gen.count + planted.len() as u64;
        let mut bg = gen.count; // background indices left, generated newest first
        let mut pi = 0;
        let mut page_no = 0u64;
        let mut token: Option<String> = None;
        let mut items = 0u64;
        let mut pending: Option<Entry> = None;
        while items < total {
            let mut page: Vec<Entry> = Vec::with_capacity(100);
            while page.len() < 100 && items < total {
                if pending.is_none() && bg > 0 {
                    bg -= 1;
                    pending = Some(gen.entry(bg));
                }
                let take_planted = match (&pending, planted.get(pi)) {
                    (Some(b), Some(p)) => p.ms >= b.ms,
                    (None, Some(_)) => true,
                    _ => false,
                };
                if take_planted {
                    page.push(clone_entry(&planted[pi]));
                    pi += 1;
                } else if let Some(b) = pending.take() {
                    page.push(b);
                }
                items += 1;
            }
            page_no += 1;
            let mut r = rng(self.ctx.seed, tag("x/page"), page_no);
            let next_token = (items < total)
                .then(|| format!("b26v89c19zqg8o3f{}", alnum(&mut r, 29).to_lowercase()));
            let mut includes = Includes::default();
            for e in &page {
                fill_includes(&mut includes, e, &mut seen);
                self.record_truth(e);
            }
            let url = match &token {
                Some(t) => format!("{base_url}&next_token={t}"),
                None => base_url.clone(),
            };
            let body = SearchPage {
                meta: Meta {
                    newest_id: page.first().map(|e| e.tweet.id.clone()).unwrap_or_default(),
                    oldest_id: page.last().map(|e| e.tweet.id.clone()).unwrap_or_default(),
                    result_count: page.len(),
                    next_token: next_token.clone(),
                },
                data: page.into_iter().map(|e| e.tweet).collect(),
                includes,
                twarc: Twarc {
                    url,
                    version: TWARC_VERSION,
                    retrieved_at: twarc_time(gen::at(14, 9, 30, 0) + page_no as i64 * 2),
                },
            };
            out.json(&body, Python)?;
            out.str("\n")?;
            token = next_token;
        }
        let written = out.finish()?;
        self.ctx.push(written, F, items, seen.count());
        Ok(())
    }

    fn lookups(&mut self) -> Result<(), DemoError> {
        let c = &self.cast;
        let suspended = |u: &XUser| ApiError {
            parameter: Some("ids"),
            resource_id: Some(u.id().to_string()),
            value: Some(u.id().to_string()),
            detail: format!("User has been suspended: [{}].", u.id()),
            title: "Forbidden",
            resource_type: Some("user"),
            disconnect_type: None,
            kind: "https://api.twitter.com/2/problems/resource-not-found",
        };
        let url = |users: &[&XUser]| {
            let ids: Vec<&str> = users.iter().map(|u| u.id()).collect();
            format!(
                "https://api.twitter.com/2/users?ids={}&{USER_FIELDS}",
                ids.join("%2C")
            )
        };
        let burst_gone: Vec<&XUser> = c.burst.iter().step_by(8).collect();
        let mut lines: Vec<(i64, Vec<&XUser>, Vec<&XUser>)> = vec![
            (
                gen::at(4, 8, 0, 0),
                vec![&c.outlet, &c.chain_b[0], &c.blogger],
                vec![&c.chain_a[0]],
            ),
            (
                gen::at(7, 9, 0, 0),
                vec![],
                vec![&c.chain_a[0], &c.chain_b[0]],
            ),
        ];
        let mut last_ok = vec![&c.outlet, &c.chain_a[1], &c.chain_b[1], &c.blogger];
        last_ok.extend(c.news.iter());
        let mut last_gone = vec![&c.chain_a[0], &c.chain_b[0]];
        last_gone.extend(burst_gone.iter().copied());
        lines.push((gen::at(13, 22, 0, 0), last_ok, last_gone));

        let mut out = OutFile::create(self.ctx.root, "twitter/users_lookup.jsonl")?;
        let mut seen = Seen::default();
        for (at, ok, gone) in &lines {
            let mut all: Vec<&XUser> = ok.clone();
            all.extend(gone.iter().copied());
            for u in &all {
                seen.insert(u.slot);
            }
            let page = UsersPage {
                data: ok.iter().map(|u| u.user.clone()).collect(),
                errors: gone.iter().map(|u| suspended(u)).collect(),
                twarc: Twarc {
                    url: url(&all),
                    version: TWARC_VERSION,
                    retrieved_at: twarc_time(*at),
                },
            };
            out.json(&page, Python)?;
            out.str("\n")?;
        }
        let written = out.finish()?;
        self.ctx.push(written, F, 0, seen.count());
        Ok(())
    }

    /// Avatar images the analyst was given for the X cast (`avatars/x/<handle>.*`): the
    /// re-created accounts re-use their predecessor's logo re-encoded; benign accounts have
    /// their own; ten football fans share the generic silhouette (a default avatar).
    fn avatars(&mut self) -> Result<(), DemoError> {
        use crate::avatars::{Avatar, Design};
        let c = &self.cast;
        let name = |u: &XUser| u.username().to_string();
        let mut v = vec![
            (name(&c.chain_a[0]), Avatar::Original(Design::Seal)),
            (
                name(&c.chain_a[1]),
                Avatar::Reencoded {
                    design: Design::Seal,
                    shift: 1,
                    size: 200,
                    quality: 72,
                },
            ),
            (name(&c.chain_b[0]), Avatar::Original(Design::Waves)),
            (
                name(&c.chain_b[1]),
                Avatar::Reencoded {
                    design: Design::Waves,
                    shift: 0,
                    size: 240,
                    quality: 80,
                },
            ),
            (name(&c.outlet), Avatar::Original(Design::Bands)),
            (name(&c.blogger), Avatar::Original(Design::Portrait)),
            (name(&c.news[0]), Avatar::Original(Design::Rivers)),
            (name(&c.news[1]), Avatar::Original(Design::Eye)),
            (name(&c.news[2]), Avatar::Original(Design::Columns)),
        ];
        let fans: std::collections::BTreeSet<String> = self
            .search_planted()
            .iter()
            .filter(|e| {
                e.truth
                    .iter()
                    .any(|(s, note)| *s == Scn::Decoys && note.contains("football"))
            })
            .filter_map(|e| e.users.first().map(name))
            .collect();
        for (k, fan) in fans.into_iter().take(10).enumerate() {
            let a = if k % 4 == 3 {
                // The same default picture, served at another size.
                Avatar::Reencoded {
                    design: Design::Silhouette,
                    shift: 0,
                    size: 128,
                    quality: 85,
                }
            } else {
                Avatar::Original(Design::Silhouette)
            };
            v.push((fan, a));
        }
        self.ctx.avatar_files += crate::avatars::write_x(self.ctx.root, &v)?;
        self.ctx.avatars = Some(self.ctx.root.join(crate::avatars::DIR));
        Ok(())
    }

    fn truth_accounts(&mut self) {
        let c = &self.cast;
        let t = &mut self.ctx.truth;
        let acc = |t: &mut crate::truth::Truth, scn: Scn, u: &XUser, note: &str| {
            t.account(scn, F, P, u.id(), Some(u.username()), note);
        };
        acc(t, Scn::Outlet, &c.outlet, "the outlet's X account");
        for s in &c.sympathisers {
            acc(t, Scn::Outlet, s, "sympathiser amplifying the outlet");
        }
        for b in &c.burst {
            acc(t, Scn::Burst, b, "account created in the two-hour burst");
        }
        acc(
            t,
            Scn::Recreated,
            &c.chain_a[0],
            "suspended (error line in users_lookup.jsonl)",
        );
        acc(
            t,
            Scn::Recreated,
            &c.chain_a[1],
            "re-created hours later: near-identical name, bio, avatar",
        );
        acc(
            t,
            Scn::Recreated,
            &c.chain_b[0],
            "suspended (error line in users_lookup.jsonl)",
        );
        acc(
            t,
            Scn::Recreated,
            &c.chain_b[1],
            "re-created hours later: near-identical name, bio, avatar",
        );
        acc(
            t,
            Scn::MassMention,
            &c.blogger,
            "the targeted journalist (victim)",
        );
        for s in &c.swarm {
            acc(t, Scn::MassMention, s, "swarm account");
        }
        acc(
            t,
            Scn::Migration,
            &c.outlet,
            "the outlet announcing its new servers",
        );
        acc(
            t,
            Scn::Migration,
            &c.chain_a[1],
            "re-created account spreading the Rocket.Chat invite",
        );
        for n in &c.news {
            acc(t, Scn::News, n, "news / observatory account");
        }
    }
}

fn clone_entry(e: &Entry) -> Entry {
    Entry {
        ms: e.ms,
        tweet: e.tweet.clone(),
        users: e.users.clone(),
        refs: e.refs.clone(),
        media: e.media.clone(),
        places: e.places.clone(),
        truth: e.truth.clone(),
        rule: e.rule,
    }
}

/// Adds an entry's expansions to a response's `includes`, once per id.
fn fill_includes(inc: &mut Includes, e: &Entry, seen: &mut Seen) {
    for u in &e.users {
        seen.insert(u.slot);
        if !inc.users.iter().any(|x| x.id == u.user.id) {
            inc.users.push(u.user.clone());
        }
    }
    for t in &e.refs {
        if !inc.tweets.iter().any(|x| x.id == t.id) {
            inc.tweets.push(t.clone());
        }
    }
    for m in &e.media {
        inc.media.push(m.clone());
    }
    for p in &e.places {
        if !inc.places.iter().any(|x| x.id == p.id) {
            inc.places.push(p.clone());
        }
    }
}
