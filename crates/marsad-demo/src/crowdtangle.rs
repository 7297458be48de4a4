//! CrowdTangle "Historical Data" CSV downloads, newest post first, times in UTC:
//! - `crowdtangle/facebook_pages.csv`: the Facebook pages header;
//! - `crowdtangle/instagram.csv`: the Instagram header.

use crate::cast;
use crate::corpus::{self, Lang, Person, PLACES, TEAMS};
use crate::gen::{self, b64url, heavy, pick, rng, spread, tag, BASE, DAYS, R};
use crate::out::{OutFile, Seen};
use crate::truth::{Mark, Scn};
use crate::{Ctx, DemoError, DemoFormat};
use marsad_model::Platform;
use rand::Rng;

const F: DemoFormat = DemoFormat::Crowdtangle;

const FB_HEADER: [&str; 40] = [
    "Page Name", "User Name", "Facebook Id", "Page Category", "Page Admin Top Country",
    "Page Description", "Page Created", "Likes at Posting", "Followers at Posting", "Post Created",
    "Post Created Date", "Post Created Time", "Type", "Total Interactions", "Likes", "Comments",
    "Shares", "Love", "Wow", "Haha", "Sad", "Angry", "Care", "Video Share Status",
    "Is Video Owner?", "Post Views", "Total Views", "Total Views For All Crossposts",
    "Video Length", "URL", "Message", "Link", "Final Link", "Image Text", "Link Text",
    "Description", "Sponsor Id", "Sponsor Name", "Sponsor Category",
    "Total Interactions (weighted  —  Likes 1x Shares 1x Comments 1x Love 1x Wow 1x Haha 1x Sad 1x Angry 1x Care 1x )",
];

const IG_HEADER: [&str; 20] = [
    "Account",
    "User Name",
    "Followers at Posting",
    "Post Created",
    "Post Created Date",
    "Post Created Time",
    "Type",
    "Total Interactions",
    "Likes",
    "Comments",
    "Views",
    "URL",
    "Link",
    "Photo",
    "Title",
    "Description",
    "Image Text",
    "Sponsor Id",
    "Sponsor Name",
    "Overperforming Score (weighted  —  Likes 1x Comments 1x )",
];

#[derive(Clone)]
struct Page {
    name: String,
    handle: String,
    id: u64,
    category: &'static str,
    description: String,
    created: i64,
    followers: i64,
    kind: PageKind,
    slot: u64,
}

#[derive(Clone, Copy, PartialEq)]
enum PageKind {
    News,
    Sports,
    Food,
    Community,
    Fun,
    Soldier,
    Observatory,
}

fn pool_page(seed: u64, u: u64) -> Page {
    let mut r = rng(seed, tag("ct/page"), u);
    let place = *pick(&mut r, PLACES);
    let (name, handle, category, kind, description) = match r.gen_range(0..5) {
        0 => (
            format!("{} اليوم", place.ar),
            format!("{}.today.{u}", place.en.to_lowercase()),
            "NEWS_SITE",
            PageKind::News,
            format!("أخبار {} لحظة بلحظة", place.ar),
        ),
        1 => {
            let team = *pick(&mut r, TEAMS);
            (
                format!("جمهور {team}"),
                format!("fans.club.{u}"),
                "SPORTS_TEAM",
                PageKind::Sports,
                format!("الصفحة الأولى لجماهير {team} 💪"),
            )
        }
        2 => {
            let who = pick(&mut r, corpus::MALE).0;
            (
                format!("مطبخ أم {who}"),
                format!("matbakh.om.{u}"),
                "FOOD_BEVERAGE_COMPANY",
                PageKind::Food,
                "أكلات عراقية بيتية 🍲".to_string(),
            )
        }
        3 => (
            format!("أهالي {}", place.ar),
            format!("ahali.{}.{u}", place.en.to_lowercase()),
            "COMMUNITY",
            PageKind::Community,
            format!("صفحة تجمع أهالي {} وأخبارهم", place.ar),
        ),
        _ => (
            "نكت عراقية 😂".to_string(),
            format!("iraqi.jokes.{u}"),
            "ENTERTAINMENT_WEBSITE",
            PageKind::Fun,
            "ضحك ووناسة".to_string(),
        ),
    };
    Page {
        name,
        handle,
        id: 100_000_000_000_000 + (u.wrapping_mul(2_654_435_761) + 99) % 900_000_000_000_000,
        category,
        description,
        created: r.gen_range(1_262_304_000..1_700_000_000),
        followers: heavy(&mut r, 2_000.0, 3.0),
        kind,
        slot: 1000 + u,
    }
}

fn planted_pages() -> (Page, Page, Page, Page) {
    let news = Page {
        name: "الرافدين نيوز".into(),
        handle: "rafidain.news".into(),
        id: 283_741_029_384_756,
        category: "MEDIA_NEWS_COMPANY",
        description: "شبكة إخبارية عراقية مستقلة".into(),
        created: 1_334_220_000,
        followers: 1_840_000,
        kind: PageKind::News,
        slot: 1,
    };
    let observatory = Page {
        name: "مرصد الإعلام الرقمي".into(),
        handle: "digital.media.observatory".into(),
        id: 104_558_213_900_472,
        category: "NON_PROFIT_ORGANIZATION",
        description: "مرصد مستقل يرصد خطاب الكراهية والتطرف على الإنترنت".into(),
        created: 1_562_300_000,
        followers: 48_200,
        kind: PageKind::Observatory,
        slot: 2,
    };
    let soldier = Page {
        name: "أبو حيدر - يوميات جندي".into(),
        handle: "abuhaidar.diary".into(),
        id: cast::SOLDIER_FB_PAGE,
        category: "PERSONAL_BLOG",
        description: cast::SOLDIER_BIO.into(),
        created: 1_650_000_000,
        followers: 12_700,
        kind: PageKind::Soldier,
        slot: 3,
    };
    let fans = Page {
        name: "جمهور الزوراء - Al-Zawraa Fans".into(),
        handle: "zawraa.fans".into(),
        id: 166_310_552_009_871,
        category: "SPORTS_TEAM",
        description: "الصفحة الأولى لجماهير نادي الزوراء 💚".into(),
        created: 1_380_000_000,
        followers: 233_000,
        kind: PageKind::Sports,
        slot: 4,
    };
    (news, observatory, soldier, fans)
}

struct FbPost {
    secs: i64,
    kind: &'static str,
    message: String,
    link: Option<(String, String, String)>,
    video_secs: Option<u32>,
    reach: f64,
}

fn ct_time(secs: i64) -> String {
    gen::utc(secs).format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn thousands(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn hms(secs: u32) -> String {
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// One Facebook row; returns the fields and the post id.
fn fb_row(r: &mut R, page: &Page, p: &FbPost) -> (Vec<String>, String) {
    let post_id = 10_000_000_000_000_000u64 + r.gen_range(0..89_999_999_999_999_999);
    let video = p.video_secs.is_some();
    let url = if video {
        format!("https://www.facebook.com/{}/videos/{post_id}/", page.handle)
    } else {
        format!("https://www.facebook.com/{}/posts/{post_id}", page.handle)
    };
    let likes = heavy(r, p.reach, 2.0);
    let comments = likes / r.gen_range(3..15);
    let shares = likes / r.gen_range(4..30);
    let love = likes / r.gen_range(3..10);
    let wow = likes / r.gen_range(40..200);
    let haha = if page.kind == PageKind::Fun {
        likes / 2
    } else {
        likes / r.gen_range(30..300)
    };
    let sad = likes / r.gen_range(50..400);
    let angry = likes / r.gen_range(60..500);
    let care = likes / r.gen_range(20..100);
    let total = likes + comments + shares + love + wow + haha + sad + angry + care;
    let views = if video {
        heavy(r, p.reach * 20.0, 2.0)
    } else {
        0
    };
    let (link, final_link, link_text, description) = match (&p.link, p.kind) {
        (Some((l, t, d)), _) => (l.clone(), l.clone(), t.clone(), d.clone()),
        (None, "Photo") => (
            format!(
                "https://www.facebook.com/{}/photos/a.{}/{post_id}/?type=3",
                page.handle,
                page.id % 1_000_000_000_000
            ),
            String::new(),
            String::new(),
            String::new(),
        ),
        (None, _) if video => (url.clone(), String::new(), String::new(), String::new()),
        _ => (String::new(), String::new(), String::new(), String::new()),
    };
    let followers = page.followers + r.gen_range(0..100);
    let row = vec![
        page.name.clone(),
        page.handle.clone(),
        page.id.to_string(),
        page.category.to_string(),
        "IQ".to_string(),
        page.description.clone(),
        gen::utc(page.created)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        (followers * 9 / 10).to_string(),
        followers.to_string(),
        ct_time(p.secs),
        gen::utc(p.secs).format("%Y-%m-%d").to_string(),
        gen::utc(p.secs).format("%H:%M:%S").to_string(),
        p.kind.to_string(),
        thousands(total),
        likes.to_string(),
        comments.to_string(),
        shares.to_string(),
        love.to_string(),
        wow.to_string(),
        haha.to_string(),
        sad.to_string(),
        angry.to_string(),
        care.to_string(),
        if video { "owned".into() } else { String::new() },
        if video { "Yes".into() } else { "-".into() },
        views.to_string(),
        views.to_string(),
        views.to_string(),
        p.video_secs.map(hms).unwrap_or_default(),
        url,
        p.message.clone(),
        link,
        final_link,
        String::new(),
        link_text,
        description,
        String::new(),
        String::new(),
        String::new(),
        total.to_string(),
    ];
    (row, post_id.to_string())
}

fn background_fb(seed: u64, i: u64, count: u64, pages: u64) -> (Page, FbPost) {
    let mut r = rng(seed, tag("ct/post"), i);
    let secs = spread(BASE, DAYS, i, count, r.gen());
    let page = pool_page(seed, ((pages as f64) * gen::skewed(&mut r)) as u64 % pages);
    let message = match page.kind {
        PageKind::News | PageKind::Observatory => corpus::any(&mut r, corpus::NEWS_ROUTINE),
        PageKind::Sports => corpus::fill(
            &mut r,
            "{team} يستعد لمواجهة {team2} في الجولة القادمة من دوري نجوم العراق ⚽",
        ),
        PageKind::Food => corpus::fill(&mut r, "طريقة عمل {food} على الأصول 😋 جربوها وكولولنا"),
        _ => {
            let lang = if r.gen_bool(0.7) {
                Lang::Iraqi
            } else {
                Lang::Msa
            };
            corpus::everyday(&mut r, lang)
        }
    };
    let roll = r.gen_range(0..100);
    let (kind, link, video_secs) = match roll {
        0..=39 => ("Photo", None, None),
        40..=59 if page.kind == PageKind::News => {
            let slug = r.gen_range(10_000..99_999);
            (
                "Link",
                Some((
                    format!("https://www.rafidain-news.example/news/{slug}"),
                    message.clone(),
                    "التفاصيل الكاملة على موقعنا".to_string(),
                )),
                None,
            )
        }
        60..=74 => ("Native Video", None, Some(r.gen_range(20..600))),
        _ => ("Status", None, None),
    };
    (
        page,
        FbPost {
            secs,
            kind,
            message,
            link,
            video_secs,
            reach: 40.0,
        },
    )
}

pub(crate) fn generate(ctx: &mut Ctx) -> Result<(), DemoError> {
    facebook(ctx)?;
    instagram(ctx)
}

fn write_rows(
    out: &mut OutFile,
    rows: impl Iterator<Item = Vec<String>>,
    header: &[&str],
) -> Result<(), DemoError> {
    let path = out.path().to_path_buf();
    let err = |e: csv::Error| DemoError::Write {
        path: path.clone(),
        source: e.into(),
    };
    let mut w = csv::WriterBuilder::new().from_writer(out.writer());
    w.write_record(header).map_err(err)?;
    for row in rows {
        w.write_record(&row).map_err(err)?;
    }
    w.flush().map_err(|source| DemoError::Write {
        path: path.clone(),
        source,
    })
}

fn facebook(ctx: &mut Ctx) -> Result<(), DemoError> {
    let seed = ctx.seed;
    let count = ctx.n(220);
    let pages = 25 + ctx.n(5);
    let (news, observatory, soldier, fans) = planted_pages();
    let mut planted: Vec<(Page, FbPost, Mark)> = Vec::new();
    let post = |secs, kind, message: &str, video_secs, reach| FbPost {
        secs,
        kind,
        message: message.into(),
        link: None,
        video_secs,
        reach,
    };
    for (k, text) in [0usize, 1, 4, 6]
        .iter()
        .map(|&k| (k, corpus::NEWS_ISIS_AR[k]))
    {
        let at = gen::at(1 + 3 * k as i64 / 2, 10, 40, 0);
        planted.push((
            news.clone(),
            post(at, "Photo", text, None, 400.0),
            Some((Scn::News, "news post about ISIS")),
        ));
    }
    for (k, text) in [
        corpus::NEWS_ISIS_AR[2],
        corpus::NEWS_ISIS_AR[3],
        corpus::NEWS_ISIS_AR[7],
    ]
    .into_iter()
    .enumerate()
    {
        let at = gen::at(4 + 3 * k as i64, 15, 0, 0);
        planted.push((
            observatory.clone(),
            post(at, "Status", text, None, 60.0),
            Some((Scn::News, "observatory counter-speech post")),
        ));
    }
    planted.push((
        soldier.clone(),
        post(
            gen::at(1, 12, 30, 0),
            "Photo",
            "الشباب بالواجب، الله يحفظهم 🇮🇶",
            None,
            50.0,
        ),
        None,
    ));
    planted.push((
        soldier.clone(),
        post(
            gen::at(2, 16, 0, 0),
            "Status",
            "شكراً لكل من دعالنا 🤲",
            None,
            30.0,
        ),
        None,
    ));
    planted.push((
        soldier.clone(),
        post(
            cast::SOLDIER_LIVE + 300,
            "Live Video",
            "بث مباشر من السيطرة قرب بيجي، سهرانين للصبح 💪🇮🇶",
            Some(2_820),
            90.0,
        ),
        Some((
            Scn::Soldier,
            "Facebook Live Video from the checkpoint at 02:05 Baghdad",
        )),
    ));
    planted.push((
        fans.clone(),
        post(
            gen::at(6, 21, 0, 0),
            "Live Video Complete",
            "بث مباشر: تحليل مباراة الزوراء والقوة الجوية مع الجمهور ⚽",
            Some(5_400),
            300.0,
        ),
        Some((Scn::Decoys, "football fans' live video at midnight Baghdad")),
    ));
    planted.sort_by_key(|p| std::cmp::Reverse(p.1.secs));

    let t = &mut ctx.truth;
    t.account(
        Scn::News,
        F,
        Platform::Facebook,
        &news.id.to_string(),
        Some(&news.handle),
        "news page",
    );
    t.account(
        Scn::News,
        F,
        Platform::Facebook,
        &observatory.id.to_string(),
        Some(&observatory.handle),
        "observatory page",
    );
    t.account(
        Scn::Soldier,
        F,
        Platform::Facebook,
        &soldier.id.to_string(),
        Some(&soldier.handle),
        "the soldier's page; description names his unit",
    );
    t.account(
        Scn::Decoys,
        F,
        Platform::Facebook,
        &fans.id.to_string(),
        Some(&fans.handle),
        "football fans' page",
    );

    let mut out = OutFile::create(ctx.root, "crowdtangle/facebook_pages.csv")?;
    let mut seen = Seen::default();
    let mut rows = 0u64;
    let mut truth = Vec::new();
    {
        let mut bg = count;
        let mut pi = 0;
        let mut pending: Option<(Page, FbPost)> = None;
        let mut k = 0u64;
        let iter = std::iter::from_fn(|| {
            if pending.is_none() && bg > 0 {
                bg -= 1;
                pending = Some(background_fb(seed, bg, count, pages));
            }
            let take_planted = match (&pending, planted.get(pi)) {
                (Some((_, b)), Some(p)) => p.1.secs >= b.secs,
                (None, Some(_)) => true,
                _ => false,
            };
            k += 1;
            let mut r = rng(seed, tag("ct/row"), k);
            let row = if take_planted {
                let (page, p, tr) = &planted[pi];
                pi += 1;
                seen.insert(page.slot);
                let (row, id) = fb_row(&mut r, page, p);
                if let Some(tr) = tr {
                    truth.push((tr.0, tr.1, id));
                }
                row
            } else {
                let (page, p) = pending.take()?;
                seen.insert(page.slot);
                fb_row(&mut r, &page, &p).0
            };
            rows += 1;
            Some(row)
        });
        write_rows(&mut out, iter, &FB_HEADER)?;
    }
    for (scn, note, id) in truth {
        ctx.truth.item(scn, F, Platform::Facebook, &id, note);
    }
    let w = out.finish()?;
    ctx.push(w, F, rows, seen.count());
    Ok(())
}

#[derive(Clone)]
struct IgAccount {
    name: String,
    username: String,
    followers: i64,
    slot: u64,
}

fn pool_ig(seed: u64, u: u64) -> IgAccount {
    let mut r = rng(seed, tag("ct/ig"), u);
    let p = Person::random(&mut r);
    IgAccount {
        name: p.display(&mut r),
        username: p.handle(&mut r, u, 30).replacen('_', ".", 1),
        followers: heavy(&mut r, 300.0, 3.0),
        slot: 1000 + u,
    }
}

fn ig_row(
    r: &mut R,
    a: &IgAccount,
    secs: i64,
    kind: &str,
    caption: &str,
    reach: f64,
) -> (Vec<String>, String) {
    let shortcode = b64url(r, 11);
    let url = format!("https://www.instagram.com/p/{shortcode}/");
    let likes = heavy(r, reach, 2.0);
    let comments = likes / r.gen_range(8..40);
    let views = if kind == "Video" {
        likes * r.gen_range(5..30)
    } else {
        0
    };
    let score: f64 = r.gen_range(-3.0..4.0);
    let row = vec![
        a.name.clone(),
        a.username.clone(),
        a.followers.to_string(),
        ct_time(secs),
        gen::utc(secs).format("%Y-%m-%d").to_string(),
        gen::utc(secs).format("%H:%M:%S").to_string(),
        kind.to_string(),
        thousands(likes + comments),
        likes.to_string(),
        comments.to_string(),
        views.to_string(),
        url.clone(),
        url,
        format!(
            "https://scontent-ams4-1.cdninstagram.com/v/t51.2885-15/{}_n.jpg",
            r.gen_range(300_000_000u64..499_999_999)
        ),
        String::new(),
        caption.to_string(),
        String::new(),
        String::new(),
        String::new(),
        format!("{score:.2}"),
    ];
    (row, shortcode)
}

fn instagram(ctx: &mut Ctx) -> Result<(), DemoError> {
    let seed = ctx.seed;
    let count = ctx.n(120);
    let accounts = 20 + ctx.n(4);
    let reposter = IgAccount {
        name: "إعلام الأنصار".into(),
        username: "ansar.media9".into(),
        followers: 210,
        slot: 1,
    };
    let news = IgAccount {
        name: "الرافدين نيوز".into(),
        username: "rafidain.news".into(),
        followers: 390_000,
        slot: 2,
    };
    let mut planted: Vec<(IgAccount, i64, &str, String, Mark)> = Vec::new();
    for (k, &drop) in cast::OUTLET_DROPS.iter().enumerate().take(3) {
        planted.push((
            reposter.clone(),
            drop + 5 * 3_600 + k as i64 * 600,
            "Photo",
            "[صورة بديلة لأغراض الاختبار] #أعماق #باقية_وتتمدد".into(),
            Some((Scn::Outlet, "Instagram repost with the outlet hashtags")),
        ));
    }
    planted.push((
        news.clone(),
        gen::at(3, 9, 30, 0),
        "Photo",
        format!("{} #أخبار_العراق", corpus::NEWS_ISIS_AR[0]),
        Some((Scn::News, "news post about ISIS")),
    ));
    planted.sort_by_key(|p| std::cmp::Reverse(p.1));
    let t = &mut ctx.truth;
    t.account(
        Scn::Outlet,
        F,
        Platform::Instagram,
        "@ansar.media9",
        Some("ansar.media9"),
        "reposts outlet content (same handle as on TikTok)",
    );
    t.account(
        Scn::News,
        F,
        Platform::Instagram,
        "@rafidain.news",
        Some("rafidain.news"),
        "news account",
    );

    let mut out = OutFile::create(ctx.root, "crowdtangle/instagram.csv")?;
    let mut seen = Seen::default();
    let mut rows = 0u64;
    let mut truth = Vec::new();
    {
        let mut bg = count;
        let mut pi = 0;
        let mut k = 0u64;
        let mut pending: Option<(IgAccount, i64, &'static str, String)> = None;
        let iter = std::iter::from_fn(|| {
            if pending.is_none() && bg > 0 {
                bg -= 1;
                let mut r = rng(seed, tag("ct/igpost"), bg);
                let secs = spread(BASE, DAYS, bg, count, r.gen());
                let a = pool_ig(
                    seed,
                    ((accounts as f64) * gen::skewed(&mut r)) as u64 % accounts,
                );
                let kind = *pick(&mut r, &["Photo", "Photo", "Album", "Video"]);
                let lang = if r.gen_bool(0.3) {
                    Lang::English
                } else {
                    Lang::Iraqi
                };
                let mut caption = corpus::everyday(&mut r, lang);
                if r.gen_bool(0.5) {
                    caption.push_str(" #iraq #baghdad #العراق");
                }
                pending = Some((a, secs, kind, caption));
            }
            let take_planted = match (&pending, planted.get(pi)) {
                (Some(b), Some(p)) => p.1 >= b.1,
                (None, Some(_)) => true,
                _ => false,
            };
            k += 1;
            let mut r = rng(seed, tag("ct/igrow"), k);
            let row = if take_planted {
                let (a, secs, kind, caption, tr) = &planted[pi];
                pi += 1;
                seen.insert(a.slot);
                let (row, code) = ig_row(&mut r, a, *secs, kind, caption, 200.0);
                if let Some(tr) = tr {
                    truth.push((tr.0, tr.1, code));
                }
                row
            } else {
                let (a, secs, kind, caption) = pending.take()?;
                seen.insert(a.slot);
                ig_row(&mut r, &a, secs, kind, &caption, 60.0).0
            };
            rows += 1;
            Some(row)
        });
        write_rows(&mut out, iter, &IG_HEADER)?;
    }
    for (scn, note, code) in truth {
        ctx.truth.item(scn, F, Platform::Instagram, &code, note);
    }
    let w = out.finish()?;
    ctx.push(w, F, rows, seen.count());
    Ok(())
}
