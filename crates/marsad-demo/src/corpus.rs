//! What the generated people write: everyday Iraqi posts in Modern Standard Arabic, Iraqi
//! dialect, English and Arabizi; news and counter-speech; and the placeholder-level phrases
//! of the planted scenarios (outlet names, slogans, hashtags; never operational content).

use crate::gen::{pick, R};
use rand::Rng;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Place {
    pub ar: &'static str,
    pub en: &'static str,
    pub lat: f64,
    pub lon: f64,
}

pub(crate) const PLACES: &[Place] = &[
    Place {
        ar: "بغداد",
        en: "Baghdad",
        lat: 33.3152,
        lon: 44.3661,
    },
    Place {
        ar: "البصرة",
        en: "Basra",
        lat: 30.5085,
        lon: 47.7804,
    },
    Place {
        ar: "الموصل",
        en: "Mosul",
        lat: 36.3400,
        lon: 43.1300,
    },
    Place {
        ar: "أربيل",
        en: "Erbil",
        lat: 36.1911,
        lon: 44.0092,
    },
    Place {
        ar: "النجف",
        en: "Najaf",
        lat: 32.0259,
        lon: 44.3462,
    },
    Place {
        ar: "كربلاء",
        en: "Karbala",
        lat: 32.6160,
        lon: 44.0249,
    },
    Place {
        ar: "الناصرية",
        en: "Nasiriyah",
        lat: 31.0439,
        lon: 46.2576,
    },
    Place {
        ar: "الحلة",
        en: "Hillah",
        lat: 32.4637,
        lon: 44.4199,
    },
    Place {
        ar: "الرمادي",
        en: "Ramadi",
        lat: 33.4258,
        lon: 43.2992,
    },
    Place {
        ar: "الفلوجة",
        en: "Fallujah",
        lat: 33.3496,
        lon: 43.7843,
    },
    Place {
        ar: "كركوك",
        en: "Kirkuk",
        lat: 35.4681,
        lon: 44.3922,
    },
    Place {
        ar: "السليمانية",
        en: "Sulaymaniyah",
        lat: 35.5613,
        lon: 45.4375,
    },
    Place {
        ar: "العمارة",
        en: "Amarah",
        lat: 31.8356,
        lon: 47.1448,
    },
    Place {
        ar: "الكوت",
        en: "Kut",
        lat: 32.5128,
        lon: 45.8182,
    },
    Place {
        ar: "الديوانية",
        en: "Diwaniyah",
        lat: 31.9929,
        lon: 44.9250,
    },
    Place {
        ar: "سامراء",
        en: "Samarra",
        lat: 34.1959,
        lon: 43.8857,
    },
    Place {
        ar: "تكريت",
        en: "Tikrit",
        lat: 34.6071,
        lon: 43.6782,
    },
    Place {
        ar: "بعقوبة",
        en: "Baqubah",
        lat: 33.7466,
        lon: 44.6437,
    },
    Place {
        ar: "دهوك",
        en: "Duhok",
        lat: 36.8669,
        lon: 42.9503,
    },
];

/// Baiji, where the planted soldier's checkpoint is.
pub(crate) const BAIJI: Place = Place {
    ar: "بيجي",
    en: "Baiji",
    lat: 34.9187,
    lon: 43.4935,
};

const HOODS: &[&str] = &[
    "الكرادة",
    "المنصور",
    "الأعظمية",
    "الكاظمية",
    "زيونة",
    "الجادرية",
    "اليرموك",
    "الدورة",
    "حي الشعب",
    "البياع",
    "حي الجامعة",
    "شارع فلسطين",
    "العشار",
    "الجزائر",
    "الزبير",
    "الدواسة",
    "المجموعة الثقافية",
    "حي العدل",
];

const ROADS: &[&str] = &[
    "طريق محمد القاسم",
    "جسر الجمهورية",
    "ساحة التحرير",
    "شارع فلسطين",
    "جسر الطابقين",
    "شارع الربيعي",
    "تقاطع الجادرية",
    "الطريق السريع",
    "شارع السعدون",
    "ساحة الطيران",
];

const ROADS_EN: &[&str] = &[
    "the Mohammed al-Qasim highway",
    "Jumhuriya bridge",
    "Tahrir square",
    "Palestine street",
    "the Jadriya intersection",
    "Saadoun street",
];

pub(crate) const TEAMS: &[&str] = &[
    "الزوراء",
    "القوة الجوية",
    "الشرطة",
    "الطلاب",
    "نفط البصرة",
    "الميناء",
    "الكرخ",
    "أربيل",
    "النجف",
    "زاخو",
    "الكهرباء",
    "النفط",
];

const FOODS: &[&str] = &[
    "دولمة",
    "تشريب",
    "مسكوف",
    "باچة",
    "كبة حلب",
    "قيمر وكاهي",
    "برياني",
    "فلافل",
    "كباب",
];

/// (Arabic, Latin) given names.
pub(crate) const MALE: &[(&str, &str)] = &[
    ("علي", "ali"),
    ("حسين", "hussein"),
    ("محمد", "mohammed"),
    ("أحمد", "ahmed"),
    ("عمر", "omar"),
    ("مصطفى", "mustafa"),
    ("حيدر", "haider"),
    ("كرار", "karrar"),
    ("مرتضى", "murtadha"),
    ("سجاد", "sajjad"),
    ("يوسف", "yousif"),
    ("عباس", "abbas"),
    ("زيد", "zaid"),
    ("ياسر", "yasir"),
    ("باسم", "basim"),
    ("سيف", "saif"),
    ("منتظر", "muntadher"),
    ("أيمن", "ayman"),
    ("طه", "taha"),
    ("خالد", "khalid"),
];

pub(crate) const FEMALE: &[(&str, &str)] = &[
    ("زينب", "zainab"),
    ("فاطمة", "fatima"),
    ("مريم", "maryam"),
    ("نور", "noor"),
    ("سارة", "sara"),
    ("رقية", "ruqaya"),
    ("هبة", "hiba"),
    ("دعاء", "duaa"),
    ("آية", "aya"),
    ("شهد", "shahad"),
    ("بنين", "baneen"),
    ("ملاك", "malak"),
    ("ريام", "riyam"),
    ("تبارك", "tabarak"),
];

pub(crate) const FAMILIES: &[(&str, &str)] = &[
    ("الجبوري", "aljubouri"),
    ("العبيدي", "alobaidi"),
    ("الساعدي", "alsaadi"),
    ("التميمي", "altamimi"),
    ("الدليمي", "aldulaimi"),
    ("الربيعي", "alrubaie"),
    ("الموسوي", "almusawi"),
    ("الكعبي", "alkaabi"),
    ("الشمري", "alshammari"),
    ("البياتي", "albayati"),
    ("العزاوي", "alazzawi"),
    ("الحسيني", "alhusseini"),
    ("الزبيدي", "alzubaidi"),
    ("الخفاجي", "alkhafaji"),
    ("العامري", "alamiri"),
    ("السامرائي", "alsamarrai"),
    ("الطائي", "altaai"),
    ("النعيمي", "alnuaimi"),
    ("الحمداني", "alhamdani"),
    ("الأسدي", "alasadi"),
];

/// A generated person: display name in Arabic script or Latin, and a Latin stem for handles.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub first_ar: &'static str,
    pub first_la: &'static str,
    pub family_ar: &'static str,
    pub family_la: &'static str,
    pub female: bool,
}

impl Person {
    pub fn random(r: &mut R) -> Person {
        let female = r.gen_bool(0.4);
        let (first_ar, first_la) = *pick(r, if female { FEMALE } else { MALE });
        let (family_ar, family_la) = *pick(r, FAMILIES);
        Person {
            first_ar,
            first_la,
            family_ar,
            family_la,
            female,
        }
    }

    /// A display name the way people write it: Arabic, Latin, or a kunya.
    pub fn display(&self, r: &mut R) -> String {
        match r.gen_range(0..6) {
            0 | 1 => format!("{} {}", self.first_ar, self.family_ar),
            2 => capitalize(self.first_la),
            3 => format!(
                "{} {}",
                capitalize(self.first_la),
                capitalize(&self.family_la[2..])
            ),
            4 if !self.female => format!("أبو {}", pick(r, MALE).0),
            4 => format!("أم {}", pick(r, MALE).0),
            _ => self.first_ar.to_string(),
        }
    }

    /// A handle unique per `n`: `[a-z0-9_]`, at most `max` characters.
    pub fn handle(&self, r: &mut R, n: u64, max: usize) -> String {
        let fam = &self.family_la[2..];
        let mut h = match r.gen_range(0..4) {
            0 => format!("{}{}", self.first_la, n),
            1 => format!("{}_{}{}", self.first_la, &fam[..fam.len().min(4)], n),
            2 => format!("{}{}", fam, n),
            _ => format!("iq_{}{}", self.first_la, n),
        };
        if h.len() > max {
            let digits = n.to_string();
            let keep = max.saturating_sub(digits.len());
            h = format!(
                "{}{}",
                &self.first_la[..self.first_la.len().min(keep)],
                digits
            );
        }
        h
    }
}

pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

pub(crate) const BIOS: &[&str] = &[
    "طالب هندسة 🎓 جامعة بغداد",
    "بغدادي وأفتخر 🇮🇶",
    "مشجع الزوراء للأبد 💚⚽",
    "مصور هاوي 📷 | البصرة",
    "أحب القراءة والسفر ✈️",
    "صيدلانية 💊 | النجف",
    "Software developer | Erbil | coffee ☕",
    "Engineer. Football. Masgouf.",
    "3ashig il kora ⚽ | Basra",
    "مدرس لغة عربية 📚",
    "طبيبة أسنان 🦷 | كربلاء",
    "اللهم صل على محمد وآل محمد",
    "تاجر موبايلات 📱 شارع الصناعة",
    "",
    "",
];

/// Iraqi dialect.
const IRAQI: &[&str] = &[
    "شلونكم يا جماعة؟ اكو احد يعرف محل تصليح موبايلات زين ب{hood}؟",
    "ماكو كهرباء وطنية من الصبح، والمولدة هم طافية 😩",
    "هواية زحمة اليوم على {road}، لا تطلعون الا للضرورة 🚗",
    "شكو ماكو؟ صارلي زمان ما شايفكم",
    "يمعود خلي نروح نتعشى مسكوف على شارع أبو نواس الليلة 🐟",
    "الجو اليوم نار، {temp} درجة ب{place} 🥵",
    "منو راح يباوع مباراة {team} و{team2} الليلة؟ ⚽ #دوري_نجوم_العراق",
    "ألف مبروك لأخوي {name} الزواج 💍 الله يتمم عليكم بخير",
    "اكو احد عنده رقم مصلح سبالت ب{hood}؟ الله يخليكم",
    "الدولار نازل اليوم، {fx} بالبورصة",
    "ريوكنا اليوم قيمر وكاهي وچاي 😋 صباح الخير",
    "{team} اليوم لعب زين، بس الحكم ظلمنا 😤",
    "تعبت من الدوام، باچر عطلة لو لا؟",
    "اليوم عرس ابن عمي ب{place}، الدبكة للصبح 💃",
    "وين أطيب {food} ب{place}؟ دلوني",
    "شنو رأيكم بالسعر؟ آيفون 15 مستعمل بـ {price} الف",
    "الحمد لله خلصت امتحانات الكلية 🎓",
    "عدنا عزيمة اليوم، امي سوت {food} 😍",
    "طريق {road} مسدود بسبب تصليحات المجاري، دبروا طريق ثاني",
    "اكو مطر باچر؟ الجو غيم ب{place} 🌧",
    "والله اشتاقيت لأيام الجامعة، وين صرتوا؟",
    "منو يجي وياي للمتنبي الجمعة؟ 📚",
    "عاشت ايدك على الاكلة، تسلم 🙏",
    "هسه وصلت البيت، الطريق كان يخبل",
    "#{city_tag} الليلة حلوة هواية، الكورنيش مليان ناس",
];

/// Modern Standard Arabic, everyday news-like lines.
const MSA: &[&str] = &[
    "توقعات بارتفاع درجات الحرارة في {place} لتصل إلى {temp} درجة مئوية اليوم",
    "افتتاح معرض {place} للكتاب بمشاركة أكثر من 300 دار نشر #معرض_الكتاب",
    "انخفاض أسعار الطماطم في أسواق {place} مع بدء موسم الحصاد",
    "إغلاق جزئي لـ{road} لأعمال الصيانة حتى نهاية الأسبوع",
    "فوز {team} على {team2} بهدفين مقابل هدف في دوري نجوم العراق ⚽",
    "وزارة التربية تعلن موعد امتحانات نصف السنة",
    "حملة تطوعية لتنظيف ضفاف دجلة في {place} صباح الجمعة 🌿",
    "سعر صرف الدولار في بورصة الكفاح اليوم: {fx} دينار لكل 100 دولار",
    "مهرجان بابل للثقافات والفنون ينطلق الأسبوع المقبل 🎶",
    "الأنواء الجوية: أمطار خفيفة متوقعة على {place} خلال الساعات القادمة",
    "جمعة مباركة على الجميع 🌸",
    "صباح الخير من {place} ☀️",
];

const ENGLISH: &[&str] = &[
    "Traffic is crazy on {road_en} today, avoid it if you can",
    "Anyone watching the league game tonight? #IraqiLeague",
    "Best masgouf in Baghdad is still on Abu Nuwas street, change my mind 🐟",
    "{temp} degrees in {city_en} today. Stay hydrated everyone ☀️",
    "Power cut again in {city_en}. Third time this week.",
    "Great evening at the book market on Al-Mutanabbi Street 📚",
    "Congrats to my cousin on his wedding last night! 💍",
    "Looking for a good laptop repair shop in {city_en}, any recommendations?",
    "The dollar rate is finally dropping, {fx} IQD per 100 USD",
    "Humid and {temp} degrees in Basra. Classic.",
];

const ARABIZI: &[&str] = &[
    "shlonak 7abibi? inshallah nshoofak bil 3ers",
    "3ala rasi, ba3d shwaya ajeek",
    "wallah il jaw 7ar kulish il yom 🥵",
    "shako mako? sar zman ma shayfak",
    "yalla nroo7 natghada masgouf bil {city_az}?",
    "il match il lela ray7 ykoon 7elu inshallah ⚽",
    "ma aku kahraba mn il sub7 😩",
    "alf mabrook 3ala il takharuj 🎓",
    "7abibi la tit2akhar, il zaHma bil jisr",
    "inshallah il jum3a nroo7 lil bait ma3a il ahil",
];

/// Benign hashtags people add.
const TAGS: &[&str] = &[
    "بغداد",
    "العراق",
    "البصرة",
    "الموصل",
    "أسود_الرافدين",
    "جمعة_مباركة",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Iraqi,
    Msa,
    English,
    Arabizi,
}

pub(crate) fn random_lang(r: &mut R) -> Lang {
    match r.gen_range(0..100) {
        0..=49 => Lang::Iraqi,
        50..=74 => Lang::Msa,
        75..=89 => Lang::English,
        _ => Lang::Arabizi,
    }
}

/// An everyday post in `lang`, placeholders filled.
pub(crate) fn everyday(r: &mut R, lang: Lang) -> String {
    let t = match lang {
        Lang::Iraqi => pick(r, IRAQI),
        Lang::Msa => pick(r, MSA),
        Lang::English => pick(r, ENGLISH),
        Lang::Arabizi => pick(r, ARABIZI),
    };
    let mut s = fill(r, t);
    if lang != Lang::English && lang != Lang::Arabizi && r.gen_bool(0.15) {
        let tag = pick(r, TAGS);
        s.push_str(" #");
        s.push_str(tag);
    }
    s
}

/// Picks a template from `list` and fills it.
pub(crate) fn any(r: &mut R, list: &[&str]) -> String {
    let t = *pick(r, list);
    fill(r, t)
}

/// Fills `{place}`-style placeholders.
pub(crate) fn fill(r: &mut R, template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let key = &rest[open + 1..open + close];
        let place = *pick(r, PLACES);
        let value = match key {
            "place" => place.ar.to_string(),
            "city_en" => place.en.to_string(),
            "city_az" => place.en.to_lowercase(),
            "city_tag" => place.ar.to_string(),
            "hood" => pick(r, HOODS).to_string(),
            "road" => pick(r, ROADS).to_string(),
            "road_en" => pick(r, ROADS_EN).to_string(),
            "team" => pick(r, TEAMS).to_string(),
            "team2" => pick(r, &TEAMS[..6]).to_string(),
            "food" => pick(r, FOODS).to_string(),
            "name" => pick(r, MALE).0.to_string(),
            "temp" => r.gen_range(31..47).to_string(),
            "fx" => format!("{},{}", r.gen_range(141..149), 50 * r.gen_range(0..20)),
            "price" => (25 * r.gen_range(20..40)).to_string(),
            "num" => r.gen_range(500..540).to_string(),
            "phone" => pick(r, PHONES).to_string(),
            "bat" => r.gen_range(78..101).to_string(),
            other => format!("{{{other}}}"),
        };
        out.push_str(&value);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

const PHONES: &[&str] = &[
    "آيفون 13 برو",
    "آيفون 14",
    "آيفون 11",
    "سامسونج S23",
    "سامسونج A54",
    "شاومي نوت 12",
    "ريلمي 11",
    "بلاي ستيشن 5",
];

/// Posts in a buy-and-sell group.
pub(crate) const MARKET: &[&str] = &[
    "للبيع {phone} نظيف جداً، البطارية {bat}٪، السعر {price} الف، المكان {hood}",
    "مطلوب {phone} مستعمل بحالة جيدة، الميزانية {price} الف",
    "عدنا اكسسوارات وشواحن أصلية، التوصيل لكل مناطق بغداد 🚚",
    "{phone} للبيع أو المراوس، كارتونه وملحقاته موجودة",
    "محل تصليح بـ{hood}: تبديل شاشات وبطاريات بأسعار مناسبة 🔧",
    "منو عنده {phone} للبيع؟ يكون نظيف",
];

pub(crate) const MARKET_REPLIES: &[&str] = &[
    "بكم؟",
    "لسه موجود؟",
    "وين المكان بالضبط؟",
    "آخر سعر؟",
    "خاص",
    "ينباع؟",
    "تم البيع ✅",
];

/// A local community group in Baiji.
pub(crate) const COMMUNITY: &[&str] = &[
    "اكو كهرباء بحي العسكري؟ عدنا طافية من الصبح",
    "مطلوب سائق خط من بيجي لتكريت الصبح 🚐",
    "افتتاح مخبز جديد قرب السوق الكبير، الصمون حار 😋",
    "الجو اليوم غبار، ديروا بالكم على الأطفال",
    "مبروك للأخ {name} المولود الجديد 🎉",
    "منو يعرف دوام دائرة الجوازات بتكريت؟",
    "مباراة الحي الجمعة العصر بالملعب الشعبي ⚽",
    "صيدلية خفر الليلة بشارع المستشفى 💊",
];

/// Short reactions in comments and replies.
pub(crate) const REACTIONS: &[&str] = &[
    "عاشت ايدك 👏",
    "والله حلو ❤️",
    "😂😂😂",
    "صدگ؟",
    "الله يحفظكم",
    "تسلم",
    "منو هذا؟",
    "احسنت",
    "mashallah 😍",
    "3ash 👏",
    "نورت",
    "الله يوفقك",
    "هههههه",
    "Love it",
    "اي والله",
    "شكد حلو",
    "موفقين 🌹",
];

/// Everyday replies in a chat.
pub(crate) const CHAT_REPLIES: &[&str] = &[
    "اي تمام",
    "هسه اجي",
    "ماكو مشكلة",
    "اكيد",
    "ان شاء الله",
    "منو راح يجي؟",
    "شكراً حبيبي",
    "لا والله ما ادري",
    "yalla",
    "ok 👍",
    "تدلل",
    "على راسي",
    "وين صرت؟",
    "باچر نحچي",
];

// ---------------------------------------------------------------------------------------
// News and counter-speech (benign: must never alert).

/// Planted news reports about ISIS and counter-speech, Arabic.
pub(crate) const NEWS_ISIS_AR: &[&str] = &[
    "القوات الأمنية تعتقل عنصرين من داعش في قضاء الشرقاط بعملية استباقية",
    "قيادة العمليات المشتركة: تفكيك خلية إرهابية تابعة لداعش جنوب كركوك",
    "مرصد الإعلام الرقمي يحذر من حسابات داعش على تيك توك ويدعو إلى الإبلاغ عنها",
    "مرصد الإعلام الرقمي: حسابات تعيد نشر مواد منسوبة لوكالة أعماق، نرجو عدم تداولها",
    "محكمة الجنايات المركزية تصدر حكماً بحق متهم بالانتماء لداعش",
    "تقرير: تراجع نشاط حسابات التنظيم على منصات التواصل بعد حملات الحذف",
    "داعش لا يمثل الإسلام ولا يمثل أهل الموصل، مدينتنا أقوى من الإرهاب 💪 #الموصل_تنهض",
    "#لا_للتطرف حملة شبابية في الأنبار لمواجهة خطاب الكراهية على الإنترنت",
];

/// Planted news reports about ISIS and counter-speech, English.
pub(crate) const NEWS_ISIS_EN: &[&str] = &[
    "Iraqi security forces arrest two ISIS suspects in Kirkuk province",
    "Digital media observatory warns of ISIS-linked accounts re-uploading Amaq material on TikTok",
    "Baghdad court sentences a man convicted of ISIS membership",
    "Counter-extremism workshop for young bloggers held in Mosul #CounterExtremism",
];

/// Routine news lines (background of news accounts).
pub(crate) const NEWS_ROUTINE: &[&str] = &[
    "عاجل | الأنواء الجوية: ارتفاع درجات الحرارة في {place} خلال الأيام المقبلة",
    "وزارة الكهرباء: إضافة 500 ميغاواط إلى المنظومة الوطنية في {place}",
    "بالصور | افتتاح جسر جديد في {place} لتخفيف الزحام",
    "نتائج دوري نجوم العراق: {team} يتغلب على {team2}",
    "سعر صرف الدولار في بورصة الكفاح: {fx} دينار لكل 100 دولار",
    "مجلس المحافظة يعلن عطلة رسمية في {place} يوم الخميس",
    "انطلاق حملة تلقيح ضد الحصبة في مدارس {place}",
    "إغلاق {road} مؤقتاً لأعمال الصيانة",
];

// ---------------------------------------------------------------------------------------
// Planted scenario phrases. Placeholder level only: outlet names, slogans, hashtags and a
// bracketed stand-in where real propaganda would be.

/// What the outlet posts (Arabic), `{num}` an issue number.
pub(crate) const OUTLET_POSTS: &[&str] = &[
    "📢 وكالة أعماق | [نص دعائي بديل لأغراض الاختبار] #الدولة_الإسلامية #أعماق",
    "أعماق | إصدار مرئي جديد [عنوان بديل] … باقية وتتمدد #أعماق",
    "صحيفة النبأ – العدد {num} [محتوى بديل لأغراض الاختبار] #النبأ #الدولة_الإسلامية",
    "مؤسسة ناشر | [بيان بديل لأغراض الاختبار] دولة الخلافة باقية #ناشر",
    "أعماق | خبر عاجل [نص بديل] #الدولة_الإسلامية #باقية_وتتمدد",
];

pub(crate) const OUTLET_POSTS_EN: &[&str] = &[
    "Amaq Agency | [placeholder outlet text for testing] #IS #Amaq",
    "Amaq | new release [placeholder title] … baqiya wa tatamadad",
];

/// What sympathisers add when reposting.
pub(crate) const SYMPATHISER_LINES: &[&str] = &[
    "باقية وتتمدد 🏴 #الدولة_الإسلامية",
    "انشروا [نص بديل] #أعماق",
    "دولة الخلافة باقية #باقية_وتتمدد",
    "[تعليق مؤيد بديل لأغراض الاختبار] #الدولة_الإسلامية",
];

/// The hashtags the burst accounts all use.
pub(crate) const BURST_TAGS: &str = "#الدولة_الإسلامية #باقية_وتتمدد";

/// The swarm's placeholder threat against the journalist; `{h}` is the handle.
pub(crate) const THREATS: &[&str] = &[
    "ستدفعين الثمن يا @{h} 😡",
    "@{h} ستدفعين الثمن",
    "ستدفعين الثمن يا @{h} #خائنة",
    "يا @{h} ستدفعين الثمن قريباً",
    "ستدفعين الثمن يا @{h}!!",
];

/// The report-style swarm.
pub(crate) const REPORT_CALLS: &[&str] = &[
    "بلغوا عن حساب @{h} 🚫 #بلغوا_عن_الحساب",
    "بلغوا عن حساب @{h} #بلغوا_عن_الحساب",
    "Report @{h} 🚫 #ReportHer",
    "بلغوا عن @{h} كلكم 🚫 #بلغوا_عن_الحساب",
];

/// Comments of the report swarm on TikTok (comments carry no author in the Research API).
pub(crate) const REPORT_COMMENTS: &[&str] = &[
    "بلغوا على الحساب 🚫",
    "بلغوا على الحساب 🚫🚫",
    "الكل يبلغ على الحساب",
    "بلغوا على الحساب #بلغوا_عن_الحساب",
];
