//! A web forum in Marsad's generic JSON-lines schema (`docs/jsonl-schema.md`), as a scraper of
//! `forum.example.net` (a reserved example domain) would write it: `web/forum_posts.jsonl`,
//! one [`marsad_model::Record`] per line, serialised by serde **without `raw`**, so the
//! importer keeps each line as the record's raw evidence. In file order:
//! - the boards (`channel` records, kind `channel`),
//! - the members (`account` records: handle, display name, join date, profile URL), the staff
//!   first, then everyone else in order of joining,
//! - the posts (`item` records, kind `forum_post`), thread by thread in order of each thread's
//!   first post; a thread's replies point at its opening post or at an earlier reply
//!   (`reply_to`), and `hashtags` / `links` are taken from the text.
//!
//! Keys: boards `forum.example.net/f/<board>`, members `forum.example.net/u/<handle>`, posts
//! `forum.example.net/t/<thread>/p/<n>` (`n` counts from 1, the opening post); every record's
//! `url` is `https://` followed by its key.

use crate::cast;
use crate::corpus::{self, Lang, Person};
use crate::gen::{self, heavy, one, pick, rng, skewed, spread, tag, utc, Text, BASE, DAYS, R};
use crate::out::OutFile;
use crate::truth::Scn;
use crate::{Ctx, DemoError, DemoFormat};
use marsad_model::{Account, Channel, ChannelKind, Item, ItemKind, Key, Platform, Raw, Record};
use rand::Rng;

const F: DemoFormat = DemoFormat::Forum;
const P: Platform = Platform::Web;
const HOST: &str = "forum.example.net";
const REL: &str = "web/forum_posts.jsonl";
/// Background thread `i` has the id `THREAD_BASE + 10 i + (0..3)`; a planted thread takes one
/// of the seven free ids just below the first background thread started after it, so thread
/// ids increase with the time of the first post, as a forum numbers them.
const THREAD_BASE: u64 = 48_210;
const WINDOW_END: i64 = BASE + DAYS * 86_400;

/// What every record is serialised with and then loses: the importer supplies the line.
const RAW_SUFFIX: &str = r#","raw":{"source":"","data":""}}"#;

struct Board {
    slug: &'static str,
    name: &'static str,
    description: &'static str,
    /// Share (in percent) of the background threads.
    weight: u32,
    /// Opening posts: a title line, then the body. Empty: everyday talk from the corpus.
    openers: &'static [&'static str],
    replies: &'static [&'static str],
}

const NEWS_BOARD: usize = 5;
const GENERAL_BOARD: usize = 6;

const BOARDS: [Board; 7] = [
    Board {
        slug: "cars",
        name: "السيارات | Cars",
        description: "بيع وشراء وصيانة السيارات في العراق",
        weight: 16,
        openers: &[
            "{car} موديل {year} لو {car2}؟\nالميزانية حدود {mil} مليون، أريد سيارة اقتصادية للدوام ب{city4}. شنو تنصحون؟",
            "أسعار {car} ب{city4} هالأيام\nشفت {car} موديل {year} بـ{mil} مليون بمعرض ب{city4}، السعر مناسب لو مبالغ بيه؟",
            "مشكلة بمكيف السيارة\nالمكيف يطلع هوا حار بعد نص ساعة، {car} موديل {year}. اكو فيتر زين ب{hood}؟",
            "Used {car_en} prices in {city4_en}?\nLooking at a {year} {car_en} for {mil} million IQD in {city4_en}. Is that a fair price?",
            "نقل ملكية السيارة\nشكد ياخذ وقت نقل الملكية بمرور {city4}؟ وشنو الأوراق المطلوبة؟",
            "البنزين المحسن لو العادي؟\nسيارتي {car} {year}، الفرق يبين بالصرفية لو لا؟",
            "تجربتي مع {car} بعد سنتين\nالسيارة ممتازة بالطريق الخارجي، بس قطع الغيار ب{city4} صارت غالية.",
        ],
        replies: &[
            "السعر مبالغ بيه، دوّر بمعرض ثاني",
            "{car} ما تنلاوع، قطعها متوفرة وتنباع بسرعة",
            "روح لفيتر بشارع الصناعة، شغله مضمون 🔧",
            "That price is too high, check the car market on Friday first",
            "خليه يفحصها بالكومبيوتر قبل لا تشتري",
            "نقل الملكية صار أسرع، يوم واحد إذا الأوراق كاملة",
            "المحسن أحسن للمحرك بالصيف",
            "{mil} مليون؟ لا والله غالية",
            "بالبصرة نفس الموديل أرخص بمليونين",
            "Get the {car_en}, resale value is much better",
        ],
    },
    Board {
        slug: "football",
        name: "الرياضة وكرة القدم",
        description: "الدوري العراقي وأسود الرافدين والدوريات العالمية",
        weight: 18,
        openers: &[
            "مباراة {team} و{team2}\nمنو يتوقع النتيجة؟ اني أقول {team} يفوز بهدفين ⚽ #دوري_نجوم_العراق",
            "تشكيلة أسود الرافدين للتصفيات\nشنو رأيكم بالتشكيلة الجديدة؟ الدفاع يحتاج تعديل #أسود_الرافدين",
            "Iraq national team: who should start up front?\nThe coach keeps benching the young strikers. Thoughts? #IraqiLeague",
            "ملعب {city4} الدولي\nحضرت المباراة أمس بملعب {city4}، الجمهور كان رهيب 🔥",
            "ترتيب الدوري بعد الجولة {round}\n{team} بالصدارة و{team2} يلاحقه، الدوري هالسنة قوي",
            "أحسن لاعب بالدوري هالموسم؟\nاني أشوف مهاجم {team} أحسن واحد، وأنتم؟",
        ],
        replies: &[
            "{team} هالموسم ما يتوقف 💪",
            "الحكم ظلمنا بالشوط الثاني",
            "Agreed, the midfield was the problem",
            "إن شاء الله نتأهل لكأس العالم 🇮🇶",
            "الدفاع مهزوز، لازم يغير",
            "الجو بالملعب كان يجنن ❤️",
            "يا ريت يلعبون الشباب أكثر",
            "{team2} راح يفاجئكم، اصبروا",
            "il match kan 7elu wallah ⚽",
        ],
    },
    Board {
        slug: "exams",
        name: "التعليم والامتحانات",
        description: "الامتحانات الوزارية والقبول المركزي والجامعات",
        weight: 14,
        openers: &[
            "جدول الامتحانات الوزارية للسادس الإعدادي\nوزارة التربية نزلت الجدول لو بعد؟ اكو احد عنده الرابط الرسمي؟",
            "معدل القبول بطب {city4}\nشكد كان معدل القبول السنة الماضية؟ ابني معدله {avg}",
            "مصادر الفيزياء للسادس العلمي\nشنو أحسن ملزمة للفيزياء؟ الامتحان قريب 📚",
            "Studying in Iraq or abroad?\nMy cousin got into {uni_en} with a {avg} average. Is it worth staying?",
            "نتائج الدور الثاني\nمنو طلعت نتيجته؟ الموقع واكف عندي 😩",
            "الدراسة المسائية بجامعات {city4}\nالأجور شكد هالسنة؟ وهل الشهادة نفس الصباحي؟",
        ],
        replies: &[
            "الجدول بالموقع الرسمي للوزارة، لا تصدقون الصفحات",
            "ملزمة الأستاذ ممتازة، حليت بيها كل الأسئلة",
            "بالتوفيق للجميع 🎓",
            "Good luck, focus on past papers",
            "المعدل ارتفع هالسنة، الله يعين",
            "الموقع رجع اشتغل، جربوا هسه",
            "الشهادة نفسها بس الأجور غالية",
            "inshallah tin-ja7 🎓",
        ],
    },
    Board {
        slug: "jobs",
        name: "الوظائف | Jobs",
        description: "فرص العمل والتعيينات في بغداد والمحافظات",
        weight: 12,
        openers: &[
            "مطلوب محاسب ب{city4}\nشركة أهلية ب{city4} تحتاج محاسب خبرة سنتين، الراتب {salary} ألف. التقديم عن طريق الشركة مباشرة",
            "تعيينات وزارة الكهرباء\nاكو أخبار عن التعيينات الجديدة؟ قدمت من شهرين وماكو رد",
            "Hiring: English teacher in {city4_en}\nA private school in {city4_en} is hiring for the new term. Apply at the school office.",
            "شغل بالخاص لو حكومي؟\nعندي عرضين، واحد بشركة نفط بالبصرة وواحد حكومي بـ{salary} ألف. شتنصحون؟",
            "مطلوب مندوب مبيعات\nشركة توزيع ب{hood} تطلب مندوبين، الدوام من 8 إلى 4 والراتب {salary} ألف",
            "Software jobs in {city4_en}?\nFresh CS graduate here, any companies hiring juniors in {city4_en}?",
        ],
        replies: &[
            "الحكومي أضمن بس الخاص يعلمك أكثر",
            "قدمت، إن شاء الله يردون",
            "بالتوفيق 🌹",
            "Applied, thanks for sharing",
            "كم الراتب بالضبط؟",
            "الشركات النفطية بالبصرة رواتبها زينة بس الدوام صعب",
            "التعيينات متوقفة لحد ما تنزل الموازنة",
            "Try the tech hubs in Erbil, they hire juniors",
        ],
    },
    Board {
        slug: "prices",
        name: "الأسعار والأسواق",
        description: "أسعار الذهب والدولار والمواد في بغداد والبصرة والموصل وأربيل",
        weight: 16,
        openers: &[
            "أسعار الذهب اليوم ب{city4}\nمثقال الذهب عيار 21 صار {gold} ألف. ارتفاع لو نزول باچر؟",
            "سعر الدولار اليوم\nبورصة الكفاح: {fx} دينار لكل 100 دولار. شنو توقعاتكم؟",
            "أسعار الطماطة ب{city4}\nالكيلو صار بـ{veg} دينار، منين هالغلاء؟",
            "Rent prices in {city4_en}\nA two-bedroom flat in {city4_en} is now {rent} thousand IQD a month. Is that normal?",
            "أسعار الموبايلات\n{phone} وصل {price} ألف بشارع الصناعة، أرخص مكان وين؟",
            "إيجارات البيوت ب{city4}\nبيت 200 متر ب{hood} الإيجار {rent} ألف بالشهر، طبيعي؟",
            "أسعار المولدات الأهلية\nالأمبير صار بـ{amp} ألف ب{city4}، عدكم شكد؟",
        ],
        replies: &[
            "بالبصرة أرخص بشوية",
            "بأربيل الأسعار أعلى من بغداد",
            "بالموصل نفس السعر تقريباً",
            "الله يعين الناس",
            "Same in Erbil, everything went up",
            "جرب سوق الشورجة، أرخص",
            "الدولار إذا نزل الأسعار ما تنزل 😅",
            "عدنا الأمبير بـ{amp} ألف",
        ],
    },
    Board {
        slug: "news",
        name: "الأخبار والنقاش",
        description: "نقاش الأخبار المحلية والعالمية",
        weight: 8,
        openers: &[],
        replies: &[
            "خبر زين 👍",
            "إن شاء الله يطبقون",
            "وين الكهرباء بمنطقتنا؟",
            "Finally some good news",
            "ننتظر ونشوف",
            "منو مصدر الخبر؟",
            "الله يستر",
        ],
    },
    Board {
        slug: "general",
        name: "الاستراحة العامة",
        description: "سوالف وأحاديث عامة",
        weight: 16,
        openers: &[],
        replies: &[],
    },
];

const GENERAL_TITLES: &[&str] = &["سوالف", "شكو ماكو", "سؤال", "استفسار", "يوميات"];
const GENERAL_TITLES_EN: &[&str] = &["Random thought", "Question", "Daily life", "Hello all"];
const NEWS_COMMENTS: &[&str] = &[
    "شنو رأيكم؟",
    "منقول من الصفحات الرسمية",
    "الخبر من الصبح، محد نزله هنا",
];
/// Replies that fit any thread.
const FORUM_REPLIES: &[&str] = &[
    "متابع 👀",
    "نفس السؤال عندي",
    "مشكور على الموضوع",
    "موضوع مفيد 👍",
    "لا والله ما ادري",
    "اي والله صدك",
    "up",
    "Thanks for the info",
    "following",
    "3ala rasi, mashkoor",
];
const THANKS: &[&str] = &[
    "شكراً للجميع على الردود 🌹",
    "تسلمون، استفدت هواية",
    "Thanks everyone!",
    "مشكورين، انحلت المشكلة ✅",
];

const CARS: &[(&str, &str)] = &[
    ("كامري", "Camry"),
    ("سوناتا", "Sonata"),
    ("لاندكروزر", "Land Cruiser"),
    ("كيا سيراتو", "Kia Cerato"),
    ("هونداي النترا", "Hyundai Elantra"),
    ("شفروليه ماليبو", "Chevrolet Malibu"),
    ("نيسان صني", "Nissan Sunny"),
    ("تويوتا كورولا", "Toyota Corolla"),
];
/// The four cities of the price talk.
const BIG4: &[(&str, &str)] = &[
    ("بغداد", "Baghdad"),
    ("البصرة", "Basra"),
    ("الموصل", "Mosul"),
    ("أربيل", "Erbil"),
];
const UNIS_EN: &[&str] = &[
    "the University of Baghdad",
    "the University of Basrah",
    "the University of Mosul",
    "Salahaddin University in Erbil",
];

/// Fills the forum's own placeholders, then the corpus's.
fn fill(r: &mut R, template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        let key = &rest[open + 1..open + close];
        let value = match key {
            "city4" => pick(r, BIG4).0.to_string(),
            "city4_en" => pick(r, BIG4).1.to_string(),
            "car" | "car2" => pick(r, CARS).0.to_string(),
            "car_en" => pick(r, CARS).1.to_string(),
            "year" => r.gen_range(2012..2025).to_string(),
            "mil" => r.gen_range(12..46).to_string(),
            "avg" => format!("{}.{}", r.gen_range(88..100), r.gen_range(0..10)),
            "uni_en" => one(r, UNIS_EN).to_string(),
            "salary" => (50 * r.gen_range(12..31)).to_string(),
            "gold" => r.gen_range(455..530).to_string(),
            "veg" => (250 * r.gen_range(3..7)).to_string(),
            "rent" => (50 * r.gen_range(5..19)).to_string(),
            "round" => r.gen_range(5..16).to_string(),
            "amp" => (5 * r.gen_range(2..7)).to_string(),
            // The corpus's placeholders ({place}, {team}, {fx}, ...).
            _ => rest[open..=open + close].to_string(),
        };
        out.push_str(&value);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    corpus::fill(r, &out)
}

#[derive(Clone)]
struct Member {
    handle: String,
    display: String,
    created: i64,
}

impl Member {
    fn fixed(handle: &str, display: &str, created: i64) -> Member {
        Member {
            handle: handle.into(),
            display: display.into(),
            created,
        }
    }
    fn id(&self) -> String {
        format!("{HOST}/u/{}", self.handle)
    }
    fn key(&self) -> Key {
        Key::new(P, self.id())
    }
}

/// Background member `u` of `pool`: joined between mid-2013 and mid-September 2026, in order
/// of `u`.
fn pool_member(seed: u64, u: u64, pool: u64) -> Member {
    let mut r = rng(seed, tag("forum/member"), u);
    let p = Person::random(&mut r);
    let handle = p.handle(&mut r, u, 20);
    let display = p.display(&mut r);
    let (first, last) = (gen::at(-4_850, 0, 0, 0), gen::at(-16, 0, 0, 0));
    let x = (u as f64 + r.gen::<f64>()) / pool.max(1) as f64;
    Member {
        handle,
        display,
        created: first + ((last - first) as f64 * x) as i64,
    }
}

/// An active member: the oldest members post the most.
fn some_member(seed: u64, r: &mut R, pool: u64) -> Member {
    let u = (skewed(r) * pool as f64) as u64 % pool.max(1);
    pool_member(seed, u, pool)
}

struct Post {
    author: Member,
    at: i64,
    edited: Option<i64>,
    text: String,
    /// The post number it replies to.
    reply_to: Option<u32>,
    truth: Vec<(Scn, &'static str)>,
}

struct Thread {
    id: u64,
    board: usize,
    posts: Vec<Post>,
}

impl Thread {
    fn start(&self) -> i64 {
        self.posts.first().map_or(BASE, |p| p.at)
    }
}

fn post(author: &Member, at: i64, text: String, reply_to: Option<u32>) -> Post {
    Post {
        author: author.clone(),
        at,
        edited: None,
        text,
        reply_to,
        truth: Vec::new(),
    }
}

fn post_id(thread: u64, n: u32) -> String {
    format!("{HOST}/t/{thread}/p/{n}")
}

fn board_id(b: usize) -> String {
    format!("{HOST}/f/{}", BOARDS[b].slug)
}

/// The random stream and first-post time of background thread `i` of `count`.
fn thread_start(seed: u64, count: u64, i: u64) -> (R, i64) {
    let mut r = rng(seed, tag("forum/thread"), i);
    let start = spread(BASE, DAYS, i, count, r.gen());
    (r, start)
}

fn opening(r: &mut R, board: usize) -> String {
    let b = &BOARDS[board];
    match board {
        NEWS_BOARD => format!(
            "{}\n{}",
            corpus::any(r, corpus::NEWS_ROUTINE),
            one(r, NEWS_COMMENTS)
        ),
        GENERAL_BOARD => {
            let lang = corpus::random_lang(r);
            let title = if lang == Lang::English {
                one(r, GENERAL_TITLES_EN)
            } else {
                one(r, GENERAL_TITLES)
            };
            format!("{title}\n{}", corpus::everyday(r, lang))
        }
        _ => {
            let t = one(r, b.openers);
            fill(r, t)
        }
    }
}

fn reply_text(r: &mut R, board: usize) -> String {
    let b = &BOARDS[board];
    if b.replies.is_empty() || r.gen_bool(0.25) {
        if r.gen_bool(0.5) {
            one(r, corpus::REACTIONS).to_string()
        } else {
            one(r, FORUM_REPLIES).to_string()
        }
    } else {
        let t = one(r, b.replies);
        fill(r, t)
    }
}

/// Background thread `i` of `count`: an opening post and 1–12 replies.
fn background(seed: u64, count: u64, pool: u64, i: u64) -> Thread {
    let (mut r, start) = thread_start(seed, count, i);
    let id = THREAD_BASE + 10 * i + r.gen_range(0..3);
    let mut w = r.gen_range(0..100);
    let board = BOARDS
        .iter()
        .position(|b| {
            let hit = w < b.weight;
            w = w.saturating_sub(b.weight);
            hit
        })
        .unwrap_or(GENERAL_BOARD);
    let opener = some_member(seed, &mut r, pool);
    let mut posts = vec![post(&opener, start, opening(&mut r, board), None)];
    let replies = r.gen_range(1..=12);
    let mut at = start;
    for _ in 0..replies {
        at += 45 + heavy(&mut r, 120.0, 2.2);
        if at >= WINDOW_END {
            break;
        }
        let n = posts.len() as u32 + 1;
        let (author, text) = if n > 2 && r.gen_bool(0.12) {
            (opener.clone(), one(&mut r, THANKS).to_string())
        } else {
            (some_member(seed, &mut r, pool), reply_text(&mut r, board))
        };
        let reply_to = if n > 2 && r.gen_bool(0.3) {
            r.gen_range(2..n)
        } else {
            1
        };
        let mut p = post(&author, at, text, Some(reply_to));
        if r.gen_bool(0.04) {
            p.edited = Some((at + heavy(&mut r, 60.0, 2.0)).min(WINDOW_END - 1));
        }
        posts.push(p);
    }
    Thread { id, board, posts }
}

/// The planted threads (thread ids are assigned later).
struct Cast {
    moderator: Member,
    news_desk: Member,
    /// The member re-posting the outlet (same handle as on X and Rocket.Chat).
    amplifier: Member,
    /// A sympathiser replying to him (same handle as on X and Rocket.Chat).
    sympathiser: Member,
}

fn cast_members() -> Cast {
    Cast {
        moderator: Member::fixed(
            "mod_rafidain",
            "مشرف عام | Moderator",
            gen::at(-4_900, 9, 0, 0),
        ),
        news_desk: Member::fixed(
            "iraq_news_desk",
            "أخبار العراق | مراسل المنتدى",
            gen::at(-2_610, 11, 30, 0),
        ),
        sympathiser: Member::fixed("ghareeb_diyar", "غريب الديار", gen::at(-11, 21, 14, 0)),
        amplifier: Member::fixed(
            "ansar_media9",
            "إعلام الأنصار",
            cast::OUTLET_DROPS[0] + 3 * 3600 + 17 * 60,
        ),
    }
}

/// The news threads about ISIS: (first post, opening post, replies). Benign.
const NEWS_THREADS: [(i64, &str, &[&str]); 4] = [
    (
        gen::at(2, 10, 15, 0),
        "القوات الأمنية تعتقل عنصرين من داعش في قضاء الشرقاط\nنقلاً عن خلية الإعلام الأمني: اعتقال عنصرين من داعش بعملية استباقية في قضاء الشرقاط. التفاصيل 👇\nhttps://news.example/iq/2026/10/03/sharqat-arrest",
        &[
            "عاشت ايد القوات الأمنية 👏 الله يحفظ العراق",
            "داعش ما يمثل أهل الشرقاط ولا أي عراقي",
            "الحمد لله، الأمن رجع للمناطق",
            "Well done to our security forces 🇮🇶",
        ],
    ),
    (
        gen::at(7, 13, 40, 0),
        "مرصد الإعلام الرقمي يحذر من حسابات تعيد نشر مواد منسوبة لوكالة أعماق\nالمرصد يدعو إلى عدم تداول هذه المواد والإبلاغ عنها، وهذا يشمل المنتديات أيضاً #لا_للتطرف\nhttps://news.example/iq/2026/10/08/observatory-warning",
        &[
            "صح، انتشرت هيچ منشورات هنا بالمنتدى، بلغوا المشرفين 👍",
            "لا تعيدون نشرها حتى للسخرية، بلغوا عنها وبس",
            "Reporting works, those accounts get removed fast",
            "#لا_للتطرف العراق أكبر منهم",
        ],
    ),
    (
        gen::at(9, 9, 30, 0),
        "Iraqi security forces arrest two ISIS suspects in Kirkuk province\nThe security media cell says the arrests followed an intelligence-led operation south of Kirkuk.\nhttps://news.example/en/2026/10/10/kirkuk-arrests",
        &[
            "Good news, thanks for sharing",
            "عاشت ايدهم، كركوك تستاهل الأمان",
            "Hope the families of the victims get justice",
        ],
    ),
    (
        gen::at(11, 19, 5, 0),
        "محكمة الجنايات المركزية تصدر حكماً بحق متهم بالانتماء لداعش\nالحكم صدر وفق قانون مكافحة الإرهاب بعد ثبوت الأدلة\nhttps://news.example/iq/2026/10/12/court-ruling",
        &[
            "العدالة تاخذ مجراها ⚖️",
            "الله يرحم الشهداء",
            "داعش لا يمثل الإسلام ولا يمثل أهل الموصل، مدينتنا أقوى من الإرهاب 💪 #الموصل_تنهض",
        ],
    ),
];

fn reposted(k: usize) -> String {
    format!(
        "منقول من قناة أعماق 👇\n{}\nباقية وتتمدد 🏴",
        cast::DROP_TEXTS[k]
    )
}

fn planted_threads(seed: u64, pool: u64, c: &Cast) -> Vec<Thread> {
    let mut threads = Vec::new();
    let drops = cast::OUTLET_DROPS;

    // The amplifier's thread in the news board: the four flagship posts re-posted six hours
    // after each drop, the invite links after the migration post, until a moderator closes
    // it.
    let mut r = rng(seed, tag("forum/planted"), 0);
    let objector = some_member(seed, &mut r, pool);
    let mut posts = Vec::new();
    let mut push = |mut p: Post, truth: &[(Scn, &'static str)]| {
        p.truth = truth.to_vec();
        posts.push(p);
    };
    const OUTLET: (Scn, &str) = (
        Scn::Outlet,
        "forum member re-posts the outlet's flagship post with its name and slogan",
    );
    push(
        post(
            &c.amplifier,
            drops[0] + 6 * 3600,
            format!("أعماق | آخر الإصدارات\n{}", reposted(0)),
            None,
        ),
        &[OUTLET],
    );
    push(
        post(
            &c.sympathiser,
            drops[0] + 6 * 3600 + 41 * 60,
            corpus::SYMPATHISER_LINES[0].to_string(),
            Some(1),
        ),
        &[(Scn::Outlet, "sympathiser cheers the re-post")],
    );
    push(
        post(
            &objector,
            gen::at(2, 8, 12, 0),
            "شنو هالمنشورات؟ يا مشرفين احذفوها 🚫".into(),
            Some(1),
        ),
        &[(
            Scn::News,
            "member asks the moderators to remove the outlet thread",
        )],
    );
    push(
        post(
            &c.amplifier,
            drops[1] + 6 * 3600 + 3 * 60,
            reposted(1),
            Some(1),
        ),
        &[OUTLET],
    );
    push(
        post(
            &c.amplifier,
            cast::MIGRATION + 2 * 3600 + 12 * 60,
            format!(
                "📌 قناة أعماق الاحتياطية والسيرفر الجديد 👇\n{}\n{}\nانشروها قبل الحذف، باقية وتتمدد #أعماق",
                cast::TG_INVITE,
                cast::RC_INVITE
            ),
            Some(1),
        ),
        &[
            (
                Scn::Migration,
                "forum member re-posts the outlet's Telegram and Rocket.Chat invite links",
            ),
            (Scn::Outlet, "outlet content re-posted on the forum"),
        ],
    );
    push(
        post(
            &c.sympathiser,
            cast::MIGRATION + 2 * 3600 + 50 * 60,
            "تم الانضمام ✅ [تعليق مؤيد بديل لأغراض الاختبار] #أعماق".into(),
            Some(5),
        ),
        &[(
            Scn::Migration,
            "sympathiser says he joined through the invite",
        )],
    );
    push(
        post(
            &c.amplifier,
            drops[2] + 6 * 3600 + 9 * 60,
            reposted(2),
            Some(1),
        ),
        &[OUTLET],
    );
    push(
        post(
            &c.amplifier,
            drops[3] + 5 * 3600 + 52 * 60,
            reposted(3),
            Some(1),
        ),
        &[OUTLET],
    );
    push(
        post(
            &c.moderator,
            drops[3] + 9 * 3600 + 20 * 60,
            "🔒 تم إغلاق الموضوع وحظر العضو. نشر مواد التنظيمات الإرهابية ممنوع في المنتدى ويتم الإبلاغ عنه للجهات المختصة.".into(),
            Some(1),
        ),
        &[(Scn::News, "moderator closes the outlet thread and bans the member")],
    );
    threads.push(Thread {
        id: 0,
        board: NEWS_BOARD,
        posts,
    });

    // The sympathiser spreads the invite links in the general board the next evening.
    let mut p = post(
        &c.sympathiser,
        cast::MIGRATION + 25 * 3600 + 7 * 60,
        format!(
            "روابط جديدة 👇\nالرابط الجديد للقناة بعد الحذف 👈 {}\nوسيرفر روكت شات 👈 {}\n#أعماق",
            cast::TG_INVITE,
            cast::RC_INVITE
        ),
        None,
    );
    p.truth = vec![(
        Scn::Migration,
        "sympathiser spreads the invite links in another board",
    )];
    threads.push(Thread {
        id: 0,
        board: GENERAL_BOARD,
        posts: vec![p],
    });

    // News and counter-speech about ISIS arrests and trials.
    for (k, (start, opener, replies)) in NEWS_THREADS.iter().enumerate() {
        let mut r = rng(seed, tag("forum/planted"), 1 + k as u64);
        let mut p = post(&c.news_desk, *start, (*opener).to_string(), None);
        p.truth = vec![(Scn::News, "news report about ISIS on the forum")];
        let mut posts = vec![p];
        let mut at = *start;
        for text in replies.iter() {
            at += r.gen_range(6 * 60..50 * 60);
            let mut p = post(
                &some_member(seed, &mut r, pool),
                at,
                (*text).to_string(),
                Some(1),
            );
            p.truth = vec![(Scn::News, "reply to the news: counter-speech")];
            posts.push(p);
        }
        threads.push(Thread {
            id: 0,
            board: NEWS_BOARD,
            posts,
        });
    }
    threads.sort_by_key(Thread::start);
    threads
}

/// Serialises `record` as one line of the generic schema, without its `raw` field.
fn write_record(out: &mut OutFile, record: &Record) -> Result<(), DemoError> {
    let to_err = |out: &OutFile, e: serde_json::Error| DemoError::Write {
        path: out.path().to_path_buf(),
        source: std::io::Error::from(e),
    };
    let full = serde_json::to_string(record).map_err(|e| to_err(out, e))?;
    let line = match full.strip_suffix(RAW_SUFFIX) {
        Some(head) => format!("{head}}}"),
        None => {
            // `raw` is not the last field any more: drop it from the value (fields sorted).
            let mut v = serde_json::to_value(record).map_err(|e| to_err(out, e))?;
            if let Some(o) = v.as_object_mut() {
                o.remove("raw");
            }
            serde_json::to_string(&v).map_err(|e| to_err(out, e))?
        }
    };
    out.str(&line)?;
    out.str("\n")
}

fn raw() -> Raw {
    Raw::new("", "")
}

fn account(m: &Member) -> Record {
    let mut a = Account::new(m.key(), raw());
    a.handle = Some(m.handle.clone());
    a.display_name = Some(m.display.clone());
    a.url = Some(format!("https://{}", m.id()));
    a.created_at = Some(utc(m.created));
    Record::Account(a)
}

fn item(t: &Thread, n: u32, p: &Post) -> Item {
    let id = post_id(t.id, n);
    let parsed = Text::parse(&p.text);
    let mut it = Item::new(Key::new(P, id.clone()), ItemKind::ForumPost, raw());
    it.author = Some(p.author.key());
    it.channel = Some(Key::new(P, board_id(t.board)));
    it.created_at = Some(utc(p.at));
    it.edited_at = p.edited.map(utc);
    it.text = p.text.clone();
    it.url = Some(format!("https://{id}"));
    it.reply_to = p.reply_to.map(|k| Key::new(P, post_id(t.id, k)));
    it.hashtags = parsed.hashtags();
    it.links = parsed.urls();
    it
}

pub(crate) fn generate(ctx: &mut Ctx) -> Result<(), DemoError> {
    let seed = ctx.seed;
    let count = ctx.n(40);
    let pool = ctx.n(30);
    let c = cast_members();
    let mut out = OutFile::create(ctx.root, REL)?;

    // Boards.
    for (b, board) in BOARDS.iter().enumerate() {
        let mut ch = Channel::new(Key::new(P, board_id(b)), ChannelKind::Channel, raw());
        ch.name = Some(board.name.into());
        ch.handle = Some(board.slug.into());
        ch.description = Some(board.description.into());
        ch.created_at = Some(utc(gen::at(-4_900, 9, 30 + b as i64, 0)));
        write_record(&mut out, &Record::Channel(ch))?;
    }

    // Members: the staff, then everyone else in order of joining.
    let mut accounts = 0u64;
    for m in [&c.moderator, &c.news_desk] {
        write_record(&mut out, &account(m))?;
        accounts += 1;
    }
    for u in 0..pool {
        write_record(&mut out, &account(&pool_member(seed, u, pool)))?;
        accounts += 1;
    }
    for m in [&c.sympathiser, &c.amplifier] {
        write_record(&mut out, &account(m))?;
        accounts += 1;
    }

    // Threads, in order of their first post; planted ones between the background threads.
    let mut planted = planted_threads(seed, pool, &c);
    let mut used = std::collections::BTreeMap::<u64, u64>::new();
    for t in &mut planted {
        // Background threads started at or before this one.
        let (mut lo, mut hi) = (0, count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if thread_start(seed, count, mid).1 <= t.start() {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        // Six planted threads: at most six of the seven free ids of a gap are taken.
        let slot = used.entry(lo).or_insert(0);
        t.id = THREAD_BASE + 10 * lo - 7 + *slot;
        *slot += 1;
    }
    let mut items = 0u64;
    let mut pi = 0;
    for i in 0..=count {
        let next = (i < count).then(|| background(seed, count, pool, i));
        while let Some(t) = planted.get(pi) {
            if next.as_ref().is_some_and(|b| b.start() <= t.start()) {
                break;
            }
            for (k, p) in t.posts.iter().enumerate() {
                let it = item(t, k as u32 + 1, p);
                for (scn, note) in &p.truth {
                    ctx.truth.item(*scn, F, P, &it.key.id, note);
                }
                write_record(&mut out, &Record::Item(it))?;
                items += 1;
            }
            pi += 1;
        }
        if let Some(t) = next {
            for (k, p) in t.posts.iter().enumerate() {
                write_record(&mut out, &Record::Item(item(&t, k as u32 + 1, p)))?;
                items += 1;
            }
        }
    }
    let w = out.finish()?;
    ctx.push(w, F, items, accounts);

    let t = &mut ctx.truth;
    for scn in [Scn::Outlet, Scn::Migration] {
        t.account(
            scn,
            F,
            P,
            &c.amplifier.id(),
            Some(&c.amplifier.handle),
            "forum member re-posting the outlet (same handle as on X and Rocket.Chat)",
        );
        t.account(
            scn,
            F,
            P,
            &c.sympathiser.id(),
            Some(&c.sympathiser.handle),
            "forum member cheering and spreading it (same handle as on X and Rocket.Chat)",
        );
    }
    t.account(
        Scn::News,
        F,
        P,
        &c.news_desk.id(),
        Some(&c.news_desk.handle),
        "news desk member posting reports about ISIS arrests and trials",
    );
    t.account(
        Scn::News,
        F,
        P,
        &c.moderator.id(),
        Some(&c.moderator.handle),
        "moderator who closed the outlet thread",
    );
    Ok(())
}
