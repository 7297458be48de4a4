//! Entity extraction on the original text: URLs (normalised and classified), mentions,
//! hashtags, Iraqi phone numbers, e-mail addresses, coordinates (decimal and DMS), clock times,
//! times of day and dates in Arabic and English. Offsets are UTF-8 byte offsets into the text.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

/// One extracted entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    /// The normalised value (a URL, `@handle`, `#tag`, `+9647…`, `name@host`, `HH:MM`…).
    pub value: String,
    /// What kind of entity within its list (URL class, `decimal`/`dms`, `clock`/`period`/`date`).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub kind: &'static str,
    pub start: usize,
    pub end: usize,
    pub matched: String,
    /// Coordinates only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// Times only: a night-time reference (00:00–05:00, dawn prayer, "midnight"…).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub night: bool,
}

impl Entity {
    fn new(value: String, kind: &'static str, text: &str, start: usize, end: usize) -> Entity {
        // Marks written on the last letter (فجراً) belong to the entity.
        let end = end
            + text[end..]
                .chars()
                .take_while(|c| crate::chars::is_deleted(*c))
                .map(char::len_utf8)
                .sum::<usize>();
        Entity {
            value,
            kind,
            start,
            end,
            matched: text[start..end].to_string(),
            lat: None,
            lon: None,
            night: false,
        }
    }
}

/// Everything extracted from one text.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Entities {
    pub urls: Vec<Entity>,
    pub mentions: Vec<Entity>,
    pub hashtags: Vec<Entity>,
    pub phones: Vec<Entity>,
    pub emails: Vec<Entity>,
    pub coordinates: Vec<Entity>,
    pub times: Vec<Entity>,
    pub places: Vec<Entity>,
}

struct Patterns {
    url: Regex,
    email: Regex,
    phone: Regex,
    decimal: Regex,
    dms: Regex,
    clock: Regex,
    ar_hour: Regex,
    period: Regex,
    date_numeric: Regex,
    date_words: Regex,
    /// Cheap pre-checks: words without which `period` / `date_words` cannot match.
    period_words: aho_corasick::AhoCorasick,
    month_words: aho_corasick::AhoCorasick,
}

const PERIOD_WORDS: &[&str] = &[
    "الفجر",
    "الصبح",
    "الظهر",
    "العصر",
    "المغرب",
    "العشاء",
    "الغروب",
    "الشروق",
    "الليل",
    "الصفر",
    "midnight",
    "dawn",
    "dark",
    "zero",
    "fajr",
    "isha",
    "maghrib",
    "night",
];
const MONTH_WORDS: &[&str] = &[
    "كانون",
    "تشرين",
    "شباط",
    "اذار",
    "آذار",
    "نيسان",
    "ايار",
    "أيار",
    "حزيران",
    "تموز",
    "اب",
    "آب",
    "ايلول",
    "أيلول",
    "يناير",
    "فبراير",
    "مارس",
    "ابريل",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "اغسطس",
    "أغسطس",
    "سبتمبر",
    "اكتوبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
];

fn is_any_digit(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '٠'..='٩' | '۰'..='۹')
}

/// What a text has that the numeric patterns need, found in one pass: a cheap, conservative
/// pre-check (if a pattern can match, its flag is set).
#[derive(Debug, Default)]
struct Features {
    digits: usize,
    /// digit, `:`, digit (white space allowed around the colon).
    colon: bool,
    /// digit, `.` or `٫`, digit.
    dot: bool,
    /// digit, `-` `/` or `.`, digit.
    date_sep: bool,
}

fn features(text: &str) -> Features {
    let mut f = Features::default();
    let mut prev_digit = false;
    let mut pending: Option<char> = None;
    let mut space_used = false;
    for c in text.chars() {
        if is_any_digit(c) {
            f.digits += 1;
            match pending {
                Some(':' | '：') => f.colon = true,
                Some('.' | '٫') => {
                    f.dot = true;
                    f.date_sep = true;
                }
                Some(_) => f.date_sep = true,
                None => {}
            }
            pending = None;
            prev_digit = true;
            space_used = false;
            continue;
        }
        if c.is_whitespace() && !space_used && (prev_digit || pending.is_some()) {
            space_used = true;
            continue;
        }
        if prev_digit && matches!(c, ':' | '：' | '.' | '٫' | '-' | '/') {
            pending = Some(c);
            prev_digit = false;
            space_used = false;
            continue;
        }
        pending = None;
        prev_digit = false;
        space_used = false;
    }
    f
}

const D: &str = r"[0-9٠-٩۰-۹]";

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let ac = |words: &[&str]| match aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(words)
        {
            Ok(a) => a,
            Err(e) => panic!("bad built-in word list: {e}"),
        };
        let re = |s: &str| match Regex::new(s) {
            Ok(r) => r,
            // The patterns are constants: a failure here is a bug caught by every test.
            Err(e) => panic!("bad built-in regex {s}: {e}"),
        };
        let months_ar = "كانون الثاني|كانون الاول|كانون الأول|تشرين الاول|تشرين الأول|تشرين الثاني|شباط|اذار|آذار|نيسان|ايار|أيار|حزيران|تموز|اب|آب|ايلول|أيلول|يناير|فبراير|مارس|ابريل|أبريل|مايو|يونيو|يوليو|اغسطس|أغسطس|سبتمبر|اكتوبر|أكتوبر|نوفمبر|ديسمبر";
        let months_en = "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec";
        Patterns {
            url: re(r"(?i)(?-u:\b)(?:(?:https?|hxxps?)://|www\.|(?:t\.me|telegram\.me|telegram\.dog|chat\.whatsapp\.com|wa\.me|whatsapp\.com|discord\.gg|discord\.com|discordapp\.com|tiktok\.com|vm\.tiktok\.com|x\.com|twitter\.com|facebook\.com|fb\.com|fb\.watch|instagram\.com|youtube\.com|youtu\.be|go\.rocket\.chat|open\.rocket\.chat)/)[^\s<>\x22'«»]+"),
            email: re(r"(?i)(?-u:\b)[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*\.[a-z]{2,24}(?-u:\b)"),
            phone: re(&format!(
                r"(?:^|[^0-9٠-٩۰-۹+])((?:(?:\+|00|٠٠)\s?(?:964|٩٦٤)[\s-]?|(?:964|٩٦٤)[\s-]?|[0٠۰])([7٧۷]{D}{{2}})[\s-]?({D}{{3}})[\s-]?({D}{{4}}))(?:$|[^0-9٠-٩۰-۹])"
            )),
            decimal: re(&format!(
                r"(?:^|[^0-9٠-٩۰-۹.])(-?{D}{{1,2}}[.٫]{D}{{3,}})\s*[,،;]?\s*(-?{D}{{1,3}}[.٫]{D}{{3,}})"
            )),
            dms: re(&format!(
                r#"({D}{{1,3}})\s*°\s*({D}{{1,2}})\s*['′’]\s*(?:({D}{{1,2}}(?:[.٫]{D}+)?)\s*(?:["″”]|''|′′))?\s*([NSns])[\s,،]*({D}{{1,3}})\s*°\s*({D}{{1,2}})\s*['′’]\s*(?:({D}{{1,2}}(?:[.٫]{D}+)?)\s*(?:["″”]|''|′′))?\s*([EWew])"#
            )),
            clock: re(&format!(
                r"(?i)(?:^|[^0-9٠-٩۰-۹:])({D}{{1,2}})\s?[:：]\s?({D}{{2}})(?:\s?(am|pm|a\.m\.|p\.m\.|ص|م|صباحا|صباحاً|مساء|مساءً|فجرا|فجراً|ليلا|ليلاً))?(?:$|[^0-9٠-٩۰-۹:])"
            )),
            ar_hour: re(&format!(
                r"(?:ال)?ساع[ةه]\s+((?:{D}{{1,2}})|الحادية عشرة?|الثانية عشرة?|الواحدة|الثانية|الثالثة|الرابعة|الخامسة|السادسة|السابعة|الثامنة|التاسعة|العاشرة|واحدة|ثنتين|ثلاث[ةه]?|اربع[ةه]?|أربع[ةه]?|خمس[ةه]?|ست[ةه]?|سبع[ةه]?|ثمان[يةه]*|تسع[ةه]?|عشر[ةه]?|احدعش|اثنعش|ثنعش)(?:\s?[:：]\s?({D}{{2}}))?(?:\s*(?:و\s*)?(?:نص|النصف|ربع|الربع|الا\s*ربع|إلا\s*ربع|الا\s*ثلث|ثلث))?(?:\s*(فجرا|فجراً|الفجر|صباحا|صباحاً|الصبح|الصباح|ظهرا|ظهراً|الظهر|عصرا|عصراً|العصر|مساء|مساءً|المساء|ليلا|ليلاً|بالليل|الليل|في الليل))?"
            )),
            period: re(r"(?i)(?:بعد|قبل|عند|وقت|مع|أذان|اذان)\s+(?:صلاة\s+|صلاه\s+)?(?:الفجر|الصبح|الظهر|العصر|المغرب|العشاء|الغروب|الشروق)|منتصف\s+الليل|نص\s+الليل|نصف\s+الليل|آخر\s+الليل|اخر\s+الليل|ساعة\s+الصفر|ساعه\s+الصفر|(?-u:\b)(?:midnight|at\s+dawn|before\s+dawn|after\s+dark|zero\s+hour|(?:at|after|before)\s+(?:fajr|isha|maghrib)|tonight|late\s+at\s+night|middle\s+of\s+the\s+night)(?-u:\b)"),
            date_numeric: re(&format!(
                r"(?:^|[^0-9٠-٩۰-۹])((?:{D}{{4}}[-/.]{D}{{1,2}}[-/.]{D}{{1,2}})|(?:{D}{{1,2}}[/.-]{D}{{1,2}}[/.-](?:{D}{{4}}|{D}{{2}})))(?:$|[^0-9٠-٩۰-۹])"
            )),
            period_words: ac(PERIOD_WORDS),
            month_words: ac(MONTH_WORDS),
            date_words: re(&format!(
                r"(?i)(?:(?-u:\b){D}{{1,2}}\s+(?:{months_en})(?-u:\b)(?:\s+{D}{{4}})?)|(?:(?-u:\b)(?:{months_en})\s+{D}{{1,2}}(?:st|nd|rd|th)?(?-u:\b)(?:,?\s+{D}{{4}})?)|(?:{D}{{1,2}}\s+(?:من\s+)?(?:شهر\s+)?(?:{months_ar})(?:\s+{D}{{4}})?)"
            )),
        }
    })
}

/// ASCII digits for Arabic-Indic and Persian ones.
fn ascii_digits(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '٠'..='٩' => char::from_digit(c as u32 - 0x0660, 10),
            '۰'..='۹' => char::from_digit(c as u32 - 0x06F0, 10),
            '٫' => Some('.'),
            c => Some(c),
        })
        .collect()
}

const TRAILING: &[char] = &[
    '.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"', '،', '؛', '؟', '…', '>', '*',
];

/// Extract every entity but places (those come from the `place` lexicon).
pub fn extract(text: &str) -> Entities {
    let p = patterns();
    let mut out = Entities::default();
    let bytes = text.as_bytes();
    let has = |b: u8| bytes.contains(&b);

    if has(b'.') {
        for m in p.url.find_iter(text) {
            let mut end = m.end();
            let s = &text[m.start()..end];
            let trimmed = s.trim_end_matches(TRAILING);
            // Keep a closing parenthesis that balances one inside the URL.
            let trimmed = if s.len() > trimmed.len()
                && trimmed.contains('(')
                && s[trimmed.len()..].starts_with(')')
            {
                &s[..trimmed.len() + 1]
            } else {
                trimmed
            };
            end = m.start() + trimmed.len();
            if trimmed.len() < 6 {
                continue;
            }
            let (value, kind) = crate::entities::url::normalize_and_classify(trimmed);
            out.urls
                .push(Entity::new(value, kind, text, m.start(), end));
        }
    }
    if has(b'@') {
        // An address has a local part: some `@` follows a character an address may hold.
        let local =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
        let may_email = bytes.windows(2).any(|w| w[1] == b'@' && local(w[0]));
        for m in p.email.find_iter(if may_email { text } else { "" }) {
            if out
                .urls
                .iter()
                .any(|u| m.start() < u.end && u.start < m.end())
            {
                continue;
            }
            out.emails.push(Entity::new(
                m.as_str().to_ascii_lowercase(),
                "",
                text,
                m.start(),
                m.end(),
            ));
        }
        let handle_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
        for (start, end) in sigil_words(text, '@', handle_char) {
            let handle = text[start..end].trim_end_matches('.');
            if handle.len() < 2 {
                continue;
            }
            let inside = |v: &Vec<Entity>| v.iter().any(|e| start < e.end && e.start < end);
            if inside(&out.emails) || inside(&out.urls) {
                continue;
            }
            out.mentions.push(Entity::new(
                handle.to_ascii_lowercase(),
                "",
                text,
                start,
                start + handle.len(),
            ));
        }
    }
    if has(b'#') {
        let tag_char = |c: char| {
            c.is_alphanumeric()
                || c == '_'
                || c == '\u{200C}'
                || c == '\u{200D}'
                || crate::chars::is_deleted(c)
        };
        for (start, end) in sigil_words(text, '#', tag_char) {
            let tag = text[start..end].trim_end_matches('_');
            if !tag[1..].chars().any(char::is_alphabetic) {
                continue; // #1, #2024: numbering, not a hashtag
            }
            if out.urls.iter().any(|u| start < u.end && u.start < end) {
                continue;
            }
            let value = crate::normalize::match_key(tag);
            out.hashtags.push(Entity::new(
                format!("#{}", value.replace(' ', "_")),
                "",
                text,
                start,
                start + tag.len(),
            ));
        }
    }
    let feat = features(text);
    let digits = feat.digits;
    if digits >= 10 {
        for c in p.phone.captures_iter(text) {
            let (Some(m), Some(a), Some(b), Some(d)) = (c.get(1), c.get(2), c.get(3), c.get(4))
            else {
                continue;
            };
            let value = format!(
                "+964{}{}{}",
                ascii_digits(a.as_str()),
                ascii_digits(b.as_str()),
                ascii_digits(d.as_str())
            );
            out.phones
                .push(Entity::new(value, "iq_mobile", text, m.start(), m.end()));
        }
    }
    if digits >= 4 {
        if feat.dot {
            for c in p.decimal.captures_iter(text) {
                let (Some(a), Some(b)) = (c.get(1), c.get(2)) else {
                    continue;
                };
                let (Ok(lat), Ok(lon)) = (
                    ascii_digits(a.as_str()).parse::<f64>(),
                    ascii_digits(b.as_str()).parse::<f64>(),
                ) else {
                    continue;
                };
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                    continue;
                }
                let mut e =
                    Entity::new(format!("{lat},{lon}"), "decimal", text, a.start(), b.end());
                e.lat = Some(lat);
                e.lon = Some(lon);
                out.coordinates.push(e);
            }
        }
        if text.contains('°') {
            for c in p.dms.captures_iter(text) {
                let (Some(m), Some(lat), Some(lon)) =
                    (c.get(0), dms(&c, 1, 2, 3, 4), dms(&c, 5, 6, 7, 8))
                else {
                    continue;
                };
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                    continue;
                }
                let mut e = Entity::new(
                    format!("{lat:.6},{lon:.6}"),
                    "dms",
                    text,
                    m.start(),
                    m.end(),
                );
                e.lat = Some(lat);
                e.lon = Some(lon);
                out.coordinates.push(e);
            }
        }
    }
    times(text, p, &feat, &mut out);
    out
}

/// Words introduced by `sigil` (`@handle`, `#tag`): the sigil must not follow a word character
/// (so e-mail addresses and `a#b` are not mentions or tags). Returns byte ranges including the
/// sigil. Linear in the text.
fn sigil_words(text: &str, sigil: char, part: impl Fn(char) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c == sigil
            && !prev.is_some_and(|p| p.is_alphanumeric() || p == '_' || p == sigil || p == '&')
        {
            let mut end = i + c.len_utf8();
            let mut last = c;
            while let Some(&(j, d)) = iter.peek() {
                if !part(d) {
                    break;
                }
                end = j + d.len_utf8();
                last = d;
                iter.next();
            }
            if end > i + c.len_utf8() {
                out.push((i, end));
            }
            prev = Some(last);
            continue;
        }
        prev = Some(c);
    }
    out
}

fn dms(c: &regex::Captures<'_>, d: usize, m: usize, s: usize, h: usize) -> Option<f64> {
    let num = |i: usize| -> Option<f64> {
        c.get(i)
            .map(|x| ascii_digits(x.as_str()).parse::<f64>().ok())
            .unwrap_or(Some(0.0))
    };
    let (deg, min, sec) = (num(d)?, num(m)?, num(s)?);
    if min >= 60.0 || sec >= 60.0 {
        return None;
    }
    let v = deg + min / 60.0 + sec / 3600.0;
    let hemi = c.get(h)?.as_str().to_ascii_uppercase();
    Some(if hemi == "S" || hemi == "W" { -v } else { v })
}

fn hour_word(w: &str) -> Option<u32> {
    let w = w.trim_start_matches("ال");
    Some(match w {
        "واحده" | "واحدة" => 1,
        "ثانيه" | "ثانية" | "ثنتين" => 2,
        "ثالثه" | "ثالثة" | "ثلاث" | "ثلاثه" | "ثلاثة" => 3,
        "رابعه" | "رابعة" | "اربع" | "أربع" | "اربعه" | "اربعة" | "أربعة" => {
            4
        }
        "خامسه" | "خامسة" | "خمس" | "خمسه" | "خمسة" => 5,
        "سادسه" | "سادسة" | "ست" | "سته" | "ستة" => 6,
        "سابعه" | "سابعة" | "سبع" | "سبعه" | "سبعة" => 7,
        "ثامنه" | "ثامنة" | "ثمان" | "ثمانيه" | "ثمانية" | "ثمانة" => {
            8
        }
        "تاسعه" | "تاسعة" | "تسع" | "تسعه" | "تسعة" => 9,
        "عاشره" | "عاشرة" | "عشر" | "عشره" | "عشرة" => 10,
        "احدعش" => 11,
        "اثنعش" | "ثنعش" => 12,
        _ if w.starts_with("حادية") => 11,
        _ if w.starts_with("ثانية عشر") => 12,
        _ => return None,
    })
}

fn is_night_word(w: &str) -> bool {
    matches!(
        w,
        "فجرا" | "فجراً" | "الفجر" | "ليلا" | "ليلاً" | "بالليل" | "الليل" | "في الليل"
    )
}

fn times(text: &str, p: &Patterns, feat: &Features, out: &mut Entities) {
    if feat.colon {
        for c in p.clock.captures_iter(text) {
            let (Some(h), Some(m)) = (c.get(1), c.get(2)) else {
                continue;
            };
            let (Ok(mut hour), Ok(min)) = (
                ascii_digits(h.as_str()).parse::<u32>(),
                ascii_digits(m.as_str()).parse::<u32>(),
            ) else {
                continue;
            };
            if hour > 23 || min > 59 {
                continue;
            }
            let suffix = c.get(3).map(|s| s.as_str().to_lowercase());
            let pm = suffix
                .as_deref()
                .is_some_and(|s| s.starts_with('p') || s == "م" || s.starts_with("مساء"));
            let am = suffix.as_deref().is_some_and(|s| {
                s.starts_with('a') || s == "ص" || s.starts_with("صباح") || s.starts_with("فجر")
            });
            let late = suffix
                .as_deref()
                .is_some_and(|s| s.starts_with("ليل") || s.starts_with("مساء"));
            if (pm || (late && hour >= 6)) && hour < 12 {
                hour += 12;
            }
            if am && hour == 12 {
                hour = 0;
            }
            let night_suffix = suffix
                .as_deref()
                .is_some_and(|s| s.starts_with("فجر") || s.starts_with("ليل"));
            let end = c.get(3).map(|s| s.end()).unwrap_or(m.end());
            let mut e = Entity::new(format!("{hour:02}:{min:02}"), "clock", text, h.start(), end);
            e.night = !(5..22).contains(&hour) || night_suffix;
            out.times.push(e);
        }
    }
    if text.contains("ساع") {
        for c in p.ar_hour.captures_iter(text) {
            let (Some(m), Some(h)) = (c.get(0), c.get(1)) else {
                continue;
            };
            let hs = ascii_digits(h.as_str());
            let Some(mut hour) = hs.parse::<u32>().ok().or_else(|| hour_word(&hs)) else {
                continue;
            };
            if hour > 24 {
                continue;
            }
            let minutes = c
                .get(2)
                .and_then(|x| ascii_digits(x.as_str()).parse::<u32>().ok())
                .filter(|m| *m < 60)
                .unwrap_or(0);
            let part = c.get(3).map(|x| x.as_str()).unwrap_or("");
            let night = is_night_word(part);
            let evening = matches!(part, "مساء" | "مساءً" | "المساء" | "عصرا" | "عصراً" | "العصر");
            if (evening || (night && hour >= 6)) && hour < 12 {
                hour += 12;
            }
            let mut e = Entity::new(
                format!("{:02}:{minutes:02}", hour % 24),
                "clock",
                text,
                m.start(),
                m.end(),
            );
            e.night = night || hour % 24 < 5;
            out.times.push(e);
        }
    }
    let periods = if p.period_words.is_match(text) {
        p.period.find_iter(text).collect()
    } else {
        Vec::new()
    };
    for m in periods {
        let s = m.as_str().to_lowercase();
        let value = if s.contains("الفجر")
            || s.contains("الصبح")
            || s.contains("fajr")
            || s.contains("dawn")
        {
            "dawn"
        } else if s.contains("الليل")
            || s.contains("midnight")
            || s.contains("night")
            || s.contains("tonight")
            || s.contains("after dark")
        {
            "night"
        } else if s.contains("الصفر") || s.contains("zero") {
            "zero_hour"
        } else if s.contains("المغرب") || s.contains("الغروب") || s.contains("maghrib")
        {
            "sunset"
        } else if s.contains("العشاء") || s.contains("isha") {
            "evening"
        } else if s.contains("الشروق") {
            "sunrise"
        } else {
            "day"
        };
        let mut e = Entity::new(value.to_string(), "period", text, m.start(), m.end());
        e.night = matches!(value, "dawn" | "night");
        out.times.push(e);
    }
    if feat.digits > 0 {
        let numeric = feat.date_sep;
        for c in p
            .date_numeric
            .captures_iter(if numeric { text } else { "" })
        {
            let Some(m) = c.get(1) else { continue };
            if out
                .coordinates
                .iter()
                .chain(&out.phones)
                .chain(&out.urls)
                .any(|e| m.start() < e.end && e.start < m.end())
            {
                continue;
            }
            out.times.push(Entity::new(
                ascii_digits(m.as_str()),
                "date",
                text,
                m.start(),
                m.end(),
            ));
        }
        let words = p.month_words.is_match(text);
        for m in p.date_words.find_iter(if words { text } else { "" }) {
            out.times.push(Entity::new(
                ascii_digits(m.as_str()),
                "date",
                text,
                m.start(),
                m.end(),
            ));
        }
    }
    out.times.sort_by_key(|e| (e.start, e.end));
    // Drop a time contained in another (a clock inside an Arabic hour phrase).
    let mut kept: Vec<Entity> = Vec::with_capacity(out.times.len());
    for e in out.times.drain(..) {
        if let Some(last) = kept.last_mut() {
            if e.start >= last.start && e.end <= last.end {
                last.night |= e.night;
                continue;
            }
            if e.start <= last.start && e.end >= last.end {
                let night = last.night;
                *last = e;
                last.night |= night;
                continue;
            }
        }
        kept.push(e);
    }
    out.times = kept;
}

pub mod url {
    //! URL normalisation and classification.

    /// Query parameters that only track the reader.
    const TRACKING: &[&str] = &[
        "fbclid",
        "gclid",
        "igshid",
        "igsh",
        "si",
        "feature",
        "ref",
        "ref_src",
        "ref_url",
        "s",
        "t",
        "mibextid",
        "_rdr",
        "__cft__",
        "__tn__",
        "is_from_webapp",
        "sender_device",
    ];

    /// Normalise (scheme, lower-case host without `www.`/`m.`/`mobile.`, tracking parameters
    /// and fragment removed, `hxxp` defanging undone) and classify a URL.
    pub fn normalize_and_classify(raw: &str) -> (String, &'static str) {
        let mut s = raw.to_string();
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("hxxp") {
            s = format!("http{}", &s[4..]);
        }
        let lower = s.to_ascii_lowercase();
        if !lower.starts_with("http://") && !lower.starts_with("https://") {
            s = format!("https://{s}");
        }
        let Ok(mut u) = url::Url::parse(&s) else {
            return (raw.to_string(), "other");
        };
        u.set_fragment(None);
        let host = u
            .host_str()
            .unwrap_or("")
            .trim_start_matches("www.")
            .trim_start_matches("m.")
            .trim_start_matches("mobile.")
            .to_ascii_lowercase();
        let _ = u.set_host(Some(&host));
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                !k.starts_with("utm_") && !TRACKING.contains(&k.as_str())
            })
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if pairs.is_empty() {
            u.set_query(None);
        } else {
            u.query_pairs_mut().clear().extend_pairs(pairs);
        }
        let kind = classify(&host, u.path(), u.query().unwrap_or(""));
        let mut out = u.to_string();
        if out.ends_with('/') && u.path() == "/" && u.query().is_none() {
            out.pop();
        }
        (out, kind)
    }

    fn seg(path: &str) -> Vec<&str> {
        path.split('/').filter(|s| !s.is_empty()).collect()
    }

    /// The class of a URL from its host and path.
    pub fn classify(host: &str, path: &str, query: &str) -> &'static str {
        let p = seg(path);
        let first = p.first().copied().unwrap_or("");
        match host {
            "t.me" | "telegram.me" | "telegram.dog" => {
                if first.starts_with('+') || first == "joinchat" || first == "addlist" {
                    "telegram_invite"
                } else if first.is_empty() {
                    "other"
                } else if first == "s" || first == "c" || p.len() >= 2 {
                    if p.len() >= 2
                        && p.last()
                            .is_some_and(|x| x.chars().all(|c| c.is_ascii_digit()))
                    {
                        "telegram_post"
                    } else {
                        "telegram_channel"
                    }
                } else {
                    "telegram_channel"
                }
            }
            "chat.whatsapp.com" => "whatsapp_invite",
            "wa.me" | "api.whatsapp.com" => "whatsapp_contact",
            "whatsapp.com" if first == "channel" => "whatsapp_channel",
            "discord.gg" => "discord_invite",
            "discord.com" | "discordapp.com" if first == "invite" => "discord_invite",
            "go.rocket.chat" | "open.rocket.chat"
                if first == "invite" || query.contains("invite") =>
            {
                "rocketchat_invite"
            }
            "tiktok.com" | "vm.tiktok.com" | "vt.tiktok.com" => {
                if host != "tiktok.com" || p.iter().any(|s| *s == "video" || *s == "photo") {
                    "tiktok_post"
                } else if first.starts_with('@') {
                    "tiktok_profile"
                } else {
                    "other"
                }
            }
            "x.com" | "twitter.com" => {
                if p.get(1) == Some(&"status") {
                    "x_post"
                } else if !first.is_empty()
                    && !matches!(
                        first,
                        "search" | "hashtag" | "i" | "intent" | "home" | "explore"
                    )
                {
                    "x_profile"
                } else {
                    "other"
                }
            }
            "t.co" => "shortener",
            "facebook.com" | "fb.com" | "fb.watch" => {
                if host == "fb.watch"
                    || matches!(
                        first,
                        "watch"
                            | "reel"
                            | "story.php"
                            | "permalink.php"
                            | "photo.php"
                            | "photo"
                            | "video.php"
                            | "share"
                    )
                    || p.iter()
                        .any(|s| matches!(*s, "posts" | "videos" | "photos" | "permalink"))
                {
                    "facebook_post"
                } else if first == "groups" {
                    "facebook_group"
                } else if !first.is_empty() {
                    "facebook_profile"
                } else {
                    "other"
                }
            }
            "instagram.com" => match first {
                "p" | "reel" | "reels" | "tv" | "stories" => "instagram_post",
                "" | "explore" | "accounts" => "other",
                _ => "instagram_profile",
            },
            "youtube.com" | "youtu.be" | "music.youtube.com" => {
                if host == "youtu.be" || matches!(first, "watch" | "shorts" | "live" | "embed") {
                    "youtube_video"
                } else if first.starts_with('@') || matches!(first, "channel" | "c" | "user") {
                    "youtube_channel"
                } else {
                    "other"
                }
            }
            h if h.contains("rocket.chat") || h.contains("rocketchat") => {
                if first == "invite" {
                    "rocketchat_invite"
                } else {
                    "rocketchat_server"
                }
            }
            _ => {
                // Self-hosted Rocket.Chat: /invite/<token> and room paths.
                if first == "invite" && p.len() == 2 {
                    "rocketchat_invite"
                } else if matches!(first, "channel" | "group" | "direct") && p.len() == 2 {
                    "rocketchat_room"
                } else {
                    "other"
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_classified() {
        let cases = [
            (
                "انضموا https://t.me/+AbCdEf123 الآن",
                "telegram_invite",
                "https://t.me/+AbCdEf123",
            ),
            (
                "t.me/joinchat/XYZ",
                "telegram_invite",
                "https://t.me/joinchat/XYZ",
            ),
            (
                "قناتنا t.me/amaq_news،",
                "telegram_channel",
                "https://t.me/amaq_news",
            ),
            (
                "https://t.me/amaq_news/123",
                "telegram_post",
                "https://t.me/amaq_news/123",
            ),
            (
                "https://chat.whatsapp.com/Gx12",
                "whatsapp_invite",
                "https://chat.whatsapp.com/Gx12",
            ),
            ("discord.gg/abc", "discord_invite", "https://discord.gg/abc"),
            (
                "https://chat.example.org/invite/Ab12Cd",
                "rocketchat_invite",
                "https://chat.example.org/invite/Ab12Cd",
            ),
            (
                "https://www.TikTok.com/@user/video/7312?is_from_webapp=1",
                "tiktok_post",
                "https://tiktok.com/@user/video/7312",
            ),
            (
                "https://x.com/someone/status/1?s=20",
                "x_post",
                "https://x.com/someone/status/1",
            ),
            (
                "https://m.facebook.com/groups/123",
                "facebook_group",
                "https://facebook.com/groups/123",
            ),
            (
                "https://www.instagram.com/p/Cx1/?igsh=abc",
                "instagram_post",
                "https://instagram.com/p/Cx1/",
            ),
            (
                "https://youtu.be/dQw4w9?si=x",
                "youtube_video",
                "https://youtu.be/dQw4w9",
            ),
            (
                "hxxps://example.com/a?utm_source=x&id=3#frag",
                "other",
                "https://example.com/a?id=3",
            ),
        ];
        for (text, kind, value) in cases {
            let e = extract(text);
            assert_eq!(e.urls.len(), 1, "{text}");
            assert_eq!(e.urls[0].kind, kind, "{text}");
            assert_eq!(e.urls[0].value, value, "{text}");
            assert_eq!(&text[e.urls[0].start..e.urls[0].end], e.urls[0].matched);
        }
    }

    #[test]
    fn mentions_hashtags_emails() {
        let e = extract("@Amaq_News و #دولة_الخلافة و #IslamicState، mail x.y@Example.org");
        assert_eq!(e.mentions.len(), 1);
        assert_eq!(e.mentions[0].value, "@amaq_news");
        assert_eq!(e.hashtags.len(), 2);
        assert_eq!(e.hashtags[0].value, "#دوله_الخلافه");
        assert_eq!(e.hashtags[1].value, "#islamic_state");
        assert_eq!(e.emails[0].value, "x.y@example.org");
    }

    #[test]
    fn iraqi_phones() {
        for (t, v) in [
            ("اتصل 07701234567", "+9647701234567"),
            ("+964 770 123 4567", "+9647701234567"),
            ("٠٧٧٠١٢٣٤٥٦٧ للبيع", "+9647701234567"),
            ("00964-780-123-4567", "+9647801234567"),
        ] {
            let e = extract(t);
            assert_eq!(e.phones.len(), 1, "{t}");
            assert_eq!(e.phones[0].value, v);
        }
        assert!(extract("رقم 123456789012345").phones.is_empty());
    }

    #[test]
    fn coordinates() {
        let e = extract("الموقع 33.3152, 44.3661 قرب");
        assert_eq!(e.coordinates[0].lat, Some(33.3152));
        let e = extract("33°18′55″N 44°21′58″E");
        assert_eq!(e.coordinates.len(), 1);
        let lat = e.coordinates[0].lat.unwrap();
        assert!((lat - 33.3153).abs() < 0.001);
        assert!(extract("version 1.2345").coordinates.is_empty());
    }

    #[test]
    fn times_arabic_and_english() {
        let e = extract("الواجب الساعة ٣ فجراً بعد صلاة الفجر");
        assert_eq!(e.times.len(), 2, "{:?}", e.times);
        assert_eq!(e.times[0].value, "03:00");
        assert!(e.times[0].night);
        assert_eq!(e.times[1].value, "dawn");
        let e = extract("shift starts 02:30, ends 10:00 pm");
        assert_eq!(e.times[0].value, "02:30");
        assert!(e.times[0].night);
        assert_eq!(e.times[1].value, "22:00");
        let e = extract("on 2024-05-01 and ١٥ أيار 2024 and 5 May");
        assert_eq!(e.times.iter().filter(|t| t.kind == "date").count(), 3);
    }
}

#[cfg(test)]
mod more_time_tests {
    use super::*;

    #[test]
    fn night_hours_minutes_and_twelve() {
        let e = extract("الساعة 10:30 مساءً عند السيطرة");
        assert_eq!(e.times.len(), 1, "{:?}", e.times);
        assert_eq!(e.times[0].value, "22:30");
        let e = extract("الموعد 11:30 ليلاً");
        assert_eq!(e.times[0].value, "23:30");
        assert!(e.times[0].night);
        let e = extract("الساعة الثانية عشرة ظهرا");
        assert_eq!(e.times[0].value, "12:00");
    }
}
