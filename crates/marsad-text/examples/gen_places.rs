//! Generates the `place` lexicon (`lexicons/places.csv`) from the Iraqi gazetteer.
//!
//! ```sh
//! cargo run -p marsad-text --example gen_places -- ../shared/data/geo > lexicons/places.csv
//! ```
//!
//! Reads `iraq-admin-names.json` (governorates → districts → sub-districts with English, Arabic
//! and Kurdish names) and `iraq-cities-coordinates.json` (towns with latitude/longitude) from the
//! folder given as the only argument, and writes the lexicon CSV
//! (`term,category,weight,stance,note,neg_context,req_context`) to stdout.
//!
//! The gazetteer is not clean (its README says so), so the names are reviewed here:
//! - governorates listed twice under different spellings are merged (`Anbar`/`Al Anbar`,
//!   `Babil`/`Babylon`, `Dhi Qar`/`Thi Qar`, `Duhok`/`Dohuk`, `Saladin`/`Salah al-Din`...);
//! - `محافظة`/`قضاء`/`ناحية` prefixes and ` District` suffixes are removed, `X (Y)` gives two names;
//! - Arabic names verified as wrong are corrected ([`CORRECTIONS`]), entries under the wrong
//!   governorate or too doubtful to keep are skipped ([`SKIP`]);
//! - empty names, names of one or two letters, names with digits only or stray symbols are dropped;
//! - names that are also ordinary words or country/person names (`المدينة`, `الفجر`, `الجزيرة`,
//!   `Hit`, `Balad`...) get a low weight and a `req_context` (the governorate's names or a
//!   place word such as حي/منطقة/قضاء/ناحية must appear nearby);
//! - English variants are added (with and without the article, `Falluja`/`Fallujah`,
//!   without apostrophes or macrons) and a few well-known alternative names ([`ALIASES`]);
//! - rows that the engine folds to the same match key (alef/hamza forms, ى/ي, ة/ه,
//!   Persian/Kurdish letters, case) are written once; a town from the coordinates file that is already an
//!   administrative unit only adds its coordinates to that row's note.

use std::collections::HashMap;
use std::error::Error;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Admin {
    provinces: Vec<Province>,
}

#[derive(Debug, Deserialize)]
struct Province {
    #[serde(rename = "engName", default)]
    eng: String,
    #[serde(rename = "arbName", default)]
    arb: String,
    #[serde(rename = "krdName", default)]
    krd: String,
    #[serde(default)]
    districts: Vec<District>,
    #[serde(default)]
    subdistricts: Vec<Unit>,
}

#[derive(Debug, Deserialize)]
struct District {
    #[serde(rename = "engName", default)]
    eng: String,
    #[serde(rename = "arbName", default)]
    arb: String,
    #[serde(rename = "krdName", default)]
    krd: String,
    #[serde(default)]
    subdistricts: Vec<Unit>,
}

#[derive(Debug, Deserialize)]
struct Unit {
    #[serde(rename = "engName", default)]
    eng: String,
    #[serde(rename = "arbName", default)]
    arb: String,
    #[serde(rename = "krdName", default)]
    krd: String,
}

#[derive(Debug, Deserialize)]
struct City {
    name: String,
    region: String,
    latitude: String,
    longitude: String,
}

/// Canonical governorates: English name, Arabic name, spellings used in the data files.
const GOVERNORATES: &[(&str, &str, &[&str])] = &[
    ("Baghdad", "بغداد", &["baghdad"]),
    ("Nineveh", "نينوى", &["nineveh", "ninawa", "ninewa"]),
    ("Al Anbar", "الأنبار", &["al anbar", "anbar"]),
    ("Babil", "بابل", &["babil", "babylon"]),
    ("Basra", "البصرة", &["basra", "basrah"]),
    ("Dhi Qar", "ذي قار", &["dhi qar", "thi qar"]),
    ("Diyala", "ديالى", &["diyala"]),
    ("Duhok", "دهوك", &["duhok", "dohuk", "dahuk"]),
    ("Erbil", "أربيل", &["erbil", "arbil", "hawler"]),
    (
        "Halabja",
        "حلبجة",
        &["halabja", "halabjah", "halabja governorate"],
    ),
    ("Karbala", "كربلاء", &["karbala", "kerbala"]),
    ("Kirkuk", "كركوك", &["kirkuk"]),
    ("Maysan", "ميسان", &["maysan", "missan"]),
    (
        "Muthanna",
        "المثنى",
        &["muthanna", "al muthanna", "al muthanna governorate"],
    ),
    ("Najaf", "النجف", &["najaf", "an najaf"]),
    (
        "Qadisiyyah",
        "القادسية",
        &["qadisiyyah", "al qadisiyah / al diwaniyah", "al qadisiyah"],
    ),
    (
        "Salah al-Din",
        "صلاح الدين",
        &["saladin", "salah al-din", "salah ad din"],
    ),
    (
        "Sulaymaniyah",
        "السليمانية",
        &["sulaymaniyah", "as sulaymaniyah"],
    ),
    ("Wasit", "واسط", &["wasit"]),
];

/// `(English name in the data, Arabic name in the data, corrected Arabic name)`. When the
/// Kurdish name in the data repeats the wrong Arabic one (same letters), it is dropped too.
const CORRECTIONS: &[(&str, &str, &str)] = &[
    ("Rashad", "رشا", "الرشاد"),
    ("Yachii", "ياشي", "يايجي"),
    ("Laylan", "لايلان", "ليلان"),
    ("Tazehkormatoo", "تازەخورماتوو", "تازة خورماتو"),
    ("Mela Abdulla", "ملا عبدولا", "ملا عبدالله"),
    ("Qerehnejir", "قرەهنجير", "قره هنجير"),
    ("Abeasi", "عباسي", "العباسي"),
    ("Zab", "زاب", "الزاب"),
    ("Haqlaniyah", "حقانية", "الحقلانية"),
    ("Aloos", "ألوش", "آلوس"),
    ("Al-Dayr", "الديار", "الدير"),
    ("Al-Siba", "الصيبة", "السيبة"),
    ("Al-Maqal", "المقل", "المعقل"),
    ("Baladrooz District", "قضاء بعقوبة", "بلدروز"),
    ("Buhriz", "بهارز", "بهرز"),
    ("Gherai'at", "الگرعيات", "الكريعات"),
    ("Aamel", "العامرية", "حي العامل"),
    ("Al-Chibayish", "الچبايش", "الجبايش"),
];

/// `(governorate, English name)` entries that are left out: wrong governorate in the data
/// (the right entry exists elsewhere) or a name that could not be verified.
const SKIP: &[(&str, &str)] = &[
    ("Kirkuk", "Rya"),
    ("Sulaymaniyah", "Chamchamal"), // listed as a sub-district of Kifri; the town row keeps it
    ("Muthanna", "Afak"),
    ("Muthanna", "Diwaniya"),
    ("Muthanna", "Hamza"),
    ("Salah al-Din", "Al-Hadhr"), // Hatra is in Nineveh
    ("Dhi Qar", "Al-Karmah"),     // Karmah is in Anbar; the Dhi Qar entry is unverified
];

/// Extra spellings: `(name as written in the data, alternatives)`.
const ALIASES: &[(&str, &[&str])] = &[
    ("Nassriya", &["Nasiriyah", "Nasiriya"]),
    ("Ba'quba", &["Baqubah", "Baquba"]),
    ("Baqubah", &["Baquba"]),
    ("Abeasi", &["Abbasi"]),
    ("Al-Mejar Al-Kabi", &["Al-Majar al-Kabir", "Majar al-Kabir"]),
    ("Tel Afar", &["Tal Afar", "Talafar"]),
    ("Tel Keppe", &["Tel Kaif", "Tilkaif"]),
    ("Mosul", &["Mawsil"]),
    ("Sinjar", &["Shingal"]),
    ("Sulaymaniyah", &["Slemani", "Sulaimaniyah"]),
    ("Erbil", &["Arbil", "Hawler"]),
    ("Duhok", &["Dohuk", "Dahuk"]),
    ("Nineveh", &["Ninawa", "Ninewa"]),
    ("Baiji", &["Bayji"]),
    ("Samarra", &["Samarrah"]),
    ("Shehnabad", &["Shahraban"]),
    ("تلعفر", &["تل عفر"]),
    ("جرف الصخر", &["جرف النصر"]),
    ("طوز خورماتو", &["طوزخورماتو"]),
    ("الموصل", &["موصل"]),
];

/// Governorate-level units that are missing from the gazetteer but matter for monitoring:
/// `(governorate, level, English, Arabic)`.
const SUPPLEMENT: &[(&str, &str, &str, &str)] = &[
    ("Kirkuk", "district", "Hawija", "الحويجة"),
    ("Kirkuk", "district", "Dibis", "الدبس"),
    ("Baghdad", "district", "Tarmiyah", "الطارمية"),
    ("Baghdad", "district", "Mahmudiya", "المحمودية"),
    ("Baghdad", "subdistrict", "Taji", "التاجي"),
    ("Nineveh", "subdistrict", "Qayyarah", "القيارة"),
    ("Nineveh", "subdistrict", "Bashiqa", "بعشيقة"),
];

/// Arabic names from the coordinates file (it only has English names). `None` = skip the row.
const CITY_ARABIC: &[(&str, Option<&str>)] = &[
    ("Abu Ghurayb", Some("أبو غريب")),
    ("Ad Dujayl", Some("الدجيل")),
    ("Al Qadisiyah", Some("الديوانية")), // the row is the city of Diwaniyah (see its slug)
    ("Al Falluja", Some("الفلوجة")),
    ("Al-Faw", Some("الفاو")),
    ("Al-Hindiya", Some("الهندية")),
    ("Al Kut", Some("الكوت")),
    ("Al Muqdadiya", Some("المقدادية")),
    ("Al Meshkhab", Some("المشخاب")),
    ("Al Musayyib", Some("المسيب")),
    ("Al Hayy", Some("الحي")),
    ("Al Hillah", Some("الحلة")),
    ("Al Amarah", Some("العمارة")),
    ("Al Aziziyah", Some("العزيزية")),
    ("Al-Hamdaniya", Some("الحمدانية")),
    ("Al Na'maniya", Some("النعمانية")),
    ("Al Rumaitha", Some("الرميثة")),
    ("Al Anbar", None), // a governorate name placed on the coordinates of Rutba
    ("Al-Samawa", Some("السماوة")),
    ("As Sulaymaniyah", Some("السليمانية")),
    ("Al Shatra", Some("الشطرة")),
    ("Al Shamiya", Some("الشامية")),
    ("Al-Zubair", Some("الزبير")),
    ("Al Suwaira", Some("الصويرة")),
    ("Baghdad", Some("بغداد")),
    ("Balad", Some("بلد")),
    ("Baqubah", Some("بعقوبة")),
    ("Basrah", Some("البصرة")),
    ("Batifa", Some("باتيفا")),
    ("Baiji", Some("بيجي")),
    ("Penjwin", Some("بنجوين")),
    ("Duhok", Some("دهوك")),
    ("Erbil", Some("أربيل")),
    ("Hajiawa", Some("حاجياوا")),
    ("Hit", Some("هيت")),
    ("Imam Qasim", Some("القاسم")),
    ("Chamchamal", Some("جمجمال")),
    ("Karbala", Some("كربلاء")),
    ("Khalis", Some("الخالص")),
    ("kifri", Some("كفري")),
    ("Kirkuk", Some("كركوك")),
    ("Koya", Some("كويسنجق")),
    ("Kufa", Some("الكوفة")),
    ("Mandali", Some("مندلي")),
    ("Mosul", Some("الموصل")),
    ("Al Ghammas", Some("الغماس")),
    ("Najaf", Some("النجف")),
    ("Nassriya", Some("الناصرية")),
    ("Nahiyat al Fuhud", Some("الفهود")),
    ("Nahiyat ash Shinafiyah", Some("الشنافية")),
    ("Hindiya", Some("الهندية")),
    ("Ramadi", Some("الرمادي")),
    ("Sinjar", Some("سنجار")),
    ("Soran", Some("سوران")),
    ("Samarra", Some("سامراء")),
    ("Sinah", None), // not verifiable
    ("Tallkayf", Some("تلكيف")),
    ("Tikrit", Some("تكريت")),
    ("Umm Qasr", Some("أم قصر")),
    ("Zakho", Some("زاخو")),
    ("Tuz Khurmatu", Some("طوز خورماتو")),
    ("Haditha", Some("حديثة")),
    ("Halabjah", Some("حلبجة")),
    ("Rawandz", Some("راوندوز")),
    ("Afaq", Some("عفك")),
    ("Ali Al-Gharbi", Some("علي الغربي")),
    ("Anah", Some("عانة")),
    ("Akre", Some("عقرة")),
];

/// Place names that are also ordinary words, person names or other countries' names: they only
/// count with a place context. Compared after [`key`] and without a leading article.
const AMBIGUOUS: &[&str] = &[
    // Arabic
    "مدينه",
    "حي",
    "علم",
    "فجر",
    "نصر",
    "قلعه",
    "اصلاح",
    "جزيره",
    "مشروع",
    "امام",
    "وحده",
    "حريه",
    "شعب",
    "صينيه",
    "قاهره",
    "تونس",
    "مغرب",
    "عدن",
    "جزاير",
    "نيل",
    "امين",
    "رشيد",
    "وليد",
    "غدير",
    "شعله",
    "ناصر",
    "قاسم",
    "تاميم",
    "دور",
    "دوره",
    "بلد",
    "خضر",
    "حمزه",
    "منصور",
    "كرمه",
    "رمانه",
    "سومر",
    "بيضاء",
    "بنوك",
    "عشتار",
    "طليعه",
    "غرف",
    "ديار",
    "دير",
    "رشاد",
    "قايم",
    "زبير",
    "سلمان",
    "فهود",
    "علي الصالح",
    "هيت",
    "حضر",
    "عظيم",
    "هاشميه",
    "بغدادي",
    "مشتل",
    "يرموك",
    "علويه",
    "اسكندريه",
    "حمار",
    "كنعان",
    "صالحيه",
    "خالديه",
    "زاب",
    "اشبيليه",
    "كفل",
    "شاميه",
    "هنديه",
    "عباسي",
    "مخمور",
    // English (lower case, without article, apostrophes and final h)
    "hit",
    "balad",
    "hero",
    "zab",
    "tunis",
    "maghreb",
    "adan",
    "haifa",
    "dora",
    "sumar",
    "ameen",
    "rasheed",
    "rashid",
    "kanan",
    "qasim",
    "hamza",
    "alam",
    "nasr",
    "fajr",
    "islah",
    "jazeera",
    "madina",
    "imam",
    "emam",
    "nile",
    "eshtar",
    "wahda",
    "hurriya",
    "shula",
    "ashti",
    "hai",
    "hayy",
    "tash",
    "baidha",
    "salman",
    "dur",
    "daur",
    "siniya",
    "nassir",
    "ghadeer",
    "waleed",
    "alwaleed",
    "qalaa",
    "karma",
    "dayr",
    "kifl",
    "mashrooa",
    "koks",
    "amee",
    "shorsh",
    "baghdadi",
    "alwiya",
    "yarmouk",
    "taameem",
    "zubair",
    "maqal",
    "sewell",
    "harir",
    "kalak",
    "piran",
    "khalidiya",
    "hashimiya",
    "qaim",
];

/// Place words that satisfy the `req_context` of an ambiguous name, next to the governorate names.
const PLACE_WORDS: &str =
    "حي|منطقة|قضاء|ناحية|district|subdistrict|neighbourhood|neighborhood|town";

#[derive(Debug)]
struct Row {
    term: String,
    level: &'static str,
    english: String,
    governorate: &'static str,
    coords: Option<(String, String)>,
    ambiguous: bool,
}

#[derive(Debug, Default)]
struct Lexicon {
    rows: Vec<Row>,
    by_key: HashMap<String, usize>,
}

impl Lexicon {
    /// Adds `term` unless an equivalent row exists; returns the index of the row holding it.
    fn add(
        &mut self,
        term: &str,
        level: &'static str,
        english: &str,
        gov: &'static str,
    ) -> Option<usize> {
        let term = clean(term)?;
        // Rows are equivalent when the engine folds them to the same match key.
        let k = marsad_text::match_key(&term);
        if let Some(&i) = self.by_key.get(&k) {
            return Some(i);
        }
        let ambiguous = is_ambiguous(&key(&term));
        self.rows.push(Row {
            term,
            level,
            english: english.to_string(),
            governorate: gov,
            coords: None,
            ambiguous,
        });
        let i = self.rows.len() - 1;
        self.by_key.insert(k, i);
        Some(i)
    }

    /// Adds an English name with its variants, an Arabic name and a Kurdish name for one unit.
    fn add_unit(
        &mut self,
        eng: &str,
        arb: &str,
        krd: &str,
        level: &'static str,
        gov: &'static str,
    ) {
        let parts_e = split_parens(&strip_affixes(eng));
        let parts_a = split_parens(&strip_affixes(arb));
        let parts_k = split_parens(&strip_affixes(krd));
        let english = parts_e.first().cloned().unwrap_or_default();
        for e in &parts_e {
            for v in english_variants(e) {
                self.add(&v, level, &english, gov);
            }
        }
        for a in parts_a.iter().chain(parts_k.iter()) {
            // Latin text in the Arabic or Kurdish field is another English spelling.
            let english_name = if english.is_empty() {
                a.clone()
            } else {
                english.clone()
            };
            if a.chars().any(|c| c.is_ascii_alphabetic()) {
                for v in english_variants(a) {
                    self.add(&v, level, &english_name, gov);
                }
            } else {
                self.add(a, level, &english_name, gov);
                for (from, alts) in ALIASES {
                    if *from == a.as_str() {
                        for alt in *alts {
                            self.add(alt, level, &english_name, gov);
                        }
                    }
                }
            }
        }
    }
}

/// A light fold (hamza, ى/ي, ة/ه, Kurdish letters, case, apostrophes, doubled letters) used to
/// compare names with the [`AMBIGUOUS`] list.
fn key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' | 'ی' | 'ێ' | 'ے' => 'ي',
            'ة' | 'ە' | 'ھ' | 'ہ' | 'ۀ' => 'ه',
            'ک' | 'ڪ' => 'ك',
            'ڵ' => 'ل',
            'ڕ' => 'ر',
            'ۆ' => 'و',
            'ؤ' => 'و',
            'ئ' => 'ي',
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => continue,
            'ā' => 'a',
            'ī' => 'i',
            'ū' => 'u',
            '\'' | '’' | '‘' | 'ʿ' | 'ʾ' | '`' => continue,
            '-' => ' ',
            c => c,
        };
        for l in c.to_lowercase() {
            out.push(l);
        }
    }
    // Collapse runs of the same letter (the engine folds doubled letters too).
    let mut folded = String::with_capacity(out.len());
    let mut prev = None;
    for c in out.split_whitespace().collect::<Vec<_>>().join(" ").chars() {
        if Some(c) != prev || c == ' ' {
            folded.push(c);
        }
        prev = Some(c);
    }
    folded
}

fn is_ambiguous(k: &str) -> bool {
    let bare = strip_article_key(k);
    let bare_ar = k.strip_prefix("ال").unwrap_or(k);
    let bare_en = bare.strip_suffix('h').unwrap_or(bare);
    AMBIGUOUS.iter().any(|a| {
        let a = key(a);
        a == k || a == bare || a == bare_ar || a == bare_en
    })
}

fn strip_article_key(k: &str) -> &str {
    for p in [
        "al ", "el ", "ad ", "ar ", "as ", "an ", "at ", "ash ", "az ", "ال",
    ] {
        if let Some(rest) = k.strip_prefix(p) {
            if rest.chars().count() > 2 {
                return rest;
            }
        }
    }
    k
}

/// Removes administrative prefixes/suffixes and normalises spaces.
fn strip_affixes(s: &str) -> String {
    let mut s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    for p in [
        "محافظة ",
        "پارێزگای ",
        "قضاء ",
        "قەزای ",
        "ناحية ",
        "ناحیەی ",
        "Nahiyat ",
    ] {
        if let Some(rest) = s.strip_prefix(p) {
            s = rest.to_string();
        }
    }
    // (" City" is kept: "Sadr City" without it would be a person's name.)
    for suf in [" District", " Governorate"] {
        if let Some(rest) = s.strip_suffix(suf) {
            s = rest.to_string();
        }
    }
    s
}

/// `X (Y)` and `X(Y)` give `X` and `Y`.
fn split_parens(s: &str) -> Vec<String> {
    s.split(['(', ')'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Accepts a name or explains nothing and drops it: empty, one or two letters, no letters,
/// or characters that do not belong in a place name.
fn clean(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    if letters <= 2 {
        return None;
    }
    let ok = s.chars().all(|c| {
        c.is_alphanumeric()
            || matches!(
                c,
                ' ' | '-' | '\'' | '’' | '\u{064B}'..='\u{065F}' | '\u{0670}'
            )
    });
    if !ok {
        return None;
    }
    Some(s)
}

/// English spellings: as given, without the article, with `Al-`/`Al ` forms, without
/// apostrophes or macrons, and with/without a final `h` after `a`.
fn english_variants(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |v: String| {
        if !out.contains(&v) {
            out.push(v);
        }
    };
    let plain: String = name
        .chars()
        .filter(|c| !matches!(c, '\'' | '’' | '‘' | 'ʿ' | 'ʾ' | '`'))
        .map(|c| match c {
            'ā' => 'a',
            'ī' => 'i',
            'ū' => 'u',
            c => c,
        })
        .collect();
    let mut bases = vec![name.to_string(), plain.clone()];
    let lower = plain.to_lowercase();
    for p in [
        "al-", "al ", "el-", "el ", "ad-", "ad ", "ar-", "ar ", "as-", "as ", "an-", "an ", "at-",
        "at ", "ash-", "ash ", "az-", "az ",
    ] {
        if lower.starts_with(p) {
            let rest = &plain[p.len()..];
            if rest.chars().filter(|c| c.is_alphabetic()).count() > 2 {
                let mut chars = rest.chars();
                let rest = match chars.next() {
                    Some(f) => f.to_uppercase().chain(chars).collect::<String>(),
                    None => String::new(),
                };
                bases.push(rest.clone());
                bases.push(format!("Al-{rest}"));
                bases.push(format!("Al {rest}"));
            }
            break;
        }
    }
    for b in bases {
        push(b.clone());
        let bl = b.to_lowercase();
        if bl.ends_with("ah") && bl.len() > 5 {
            push(b[..b.len() - 1].to_string());
        } else if (bl.ends_with("iya") || bl.ends_with("ja") || bl.ends_with("wa")) && bl.len() > 4
        {
            push(format!("{b}h"));
        }
        for (from, alts) in ALIASES {
            if *from == b.as_str() {
                for alt in *alts {
                    push((*alt).to_string());
                }
            }
        }
    }
    out
}

fn governorate(name: &str) -> Option<(&'static str, &'static str)> {
    let n = strip_affixes(name).to_lowercase();
    GOVERNORATES
        .iter()
        .find(|(_, _, aliases)| aliases.contains(&n.as_str()))
        .map(|(en, ar, _)| (*en, *ar))
}

fn skipped(gov: &str, eng: &str) -> bool {
    SKIP.iter().any(|(g, e)| *g == gov && *e == eng)
}

/// The Arabic name after [`CORRECTIONS`], and the Kurdish name unless it repeats a wrong
/// Arabic name (Kurdish fields of the corrected entries are copies of the wrong spelling).
fn corrected<'a>(eng: &str, arb: &'a str, krd: &'a str) -> (&'a str, &'a str) {
    match CORRECTIONS.iter().find(|(e, a, _)| *e == eng && *a == arb) {
        Some((_, wrong, fixed)) => {
            let wrong_key = key(wrong);
            let k = key(krd);
            let stripped = k.strip_prefix("ال").unwrap_or(&k).to_string();
            let wrong_stripped = wrong_key
                .strip_prefix("ال")
                .unwrap_or(&wrong_key)
                .to_string();
            let krd = if k == wrong_key || stripped == wrong_stripped {
                ""
            } else {
                krd
            };
            (fixed, krd)
        }
        None => (arb, krd),
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Box<dyn Error>> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_reader(BufReader::new(file))
        .map_err(|e| format!("{}: {e}", path.display()).into())
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: gen_places GEO_DIR > lexicons/places.csv (GEO_DIR = ../shared/data/geo)")?;
    let admin: Admin = read_json(&dir.join("iraq-admin-names.json"))?;
    let cities: Vec<City> = read_json(&dir.join("iraq-cities-coordinates.json"))?;

    let mut lex = Lexicon::default();
    // Governorates first, then districts, then sub-districts, so that a name shared by several
    // levels (Fallujah the district and the sub-district) is described by the larger unit.
    for (en, ar, aliases) in GOVERNORATES {
        for v in english_variants(en) {
            lex.add(&v, "governorate", en, en);
        }
        lex.add(ar, "governorate", en, en);
        for a in *aliases {
            if !a.contains('/') && !a.contains("governorate") {
                let titled: String = a
                    .split(' ')
                    .map(|w| {
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_uppercase().chain(c).collect::<String>())
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                lex.add(&titled, "governorate", en, en);
            }
        }
    }
    let mut known = Vec::new();
    for p in &admin.provinces {
        let Some((gov, _)) = governorate(&p.eng) else {
            eprintln!("gen_places: skipped province with unknown name {:?}", p.eng);
            continue;
        };
        lex.add_unit(&p.eng, &p.arb, &p.krd, "governorate", gov);
        known.push((p, gov));
    }
    for (p, gov) in &known {
        for d in &p.districts {
            if !skipped(gov, &d.eng) {
                let (arb, krd) = corrected(&d.eng, &d.arb, &d.krd);
                lex.add_unit(&d.eng, arb, krd, "district", gov);
            }
        }
    }
    for (en, level, name, ar) in SUPPLEMENT {
        if let Some((gov, _)) = governorate(en) {
            for v in english_variants(name) {
                lex.add(&v, level, name, gov);
            }
            lex.add(ar, level, name, gov);
        }
    }
    for (p, gov) in &known {
        let subs = p
            .districts
            .iter()
            .flat_map(|d| d.subdistricts.iter())
            .chain(p.subdistricts.iter());
        for s in subs {
            if !skipped(gov, &s.eng) {
                let (arb, krd) = corrected(&s.eng, &s.arb, &s.krd);
                lex.add_unit(&s.eng, arb, krd, "subdistrict", gov);
            }
        }
    }
    for c in &cities {
        let Some((gov, _)) = governorate(&c.region) else {
            eprintln!(
                "gen_places: skipped town {:?} in unknown region {:?}",
                c.name, c.region
            );
            continue;
        };
        let arabic = CITY_ARABIC
            .iter()
            .find(|(n, _)| *n == c.name)
            .map(|(_, a)| *a);
        let arabic = match arabic {
            Some(Some(a)) => a,
            Some(None) => continue,
            None => {
                eprintln!(
                    "gen_places: no Arabic name known for town {:?}; English only",
                    c.name
                );
                ""
            }
        };
        let coords = match (
            c.latitude.trim().parse::<f64>(),
            c.longitude.trim().parse::<f64>(),
        ) {
            (Ok(lat), Ok(lon)) if (29.0..=38.0).contains(&lat) && (38.0..=49.0).contains(&lon) => {
                Some((
                    c.latitude.trim().to_string(),
                    c.longitude.trim().to_string(),
                ))
            }
            _ => {
                eprintln!(
                    "gen_places: town {:?} has coordinates outside Iraq; kept without them",
                    c.name
                );
                None
            }
        };
        let english = {
            let name = strip_affixes(&c.name);
            let mut ch = name.chars();
            ch.next()
                .map(|f| f.to_uppercase().chain(ch).collect::<String>())
                .unwrap_or_default()
        };
        let english = if c.name == "Al Qadisiyah" {
            "Al Diwaniyah".to_string()
        } else {
            english
        };
        let mut idx = Vec::new();
        for v in english_variants(&english) {
            idx.extend(lex.add(&v, "city", &english, gov));
        }
        if !arabic.is_empty() {
            idx.extend(lex.add(arabic, "city", &english, gov));
        }
        for i in idx {
            if let Some(row) = lex.rows.get_mut(i) {
                if row.coords.is_none() && row.governorate == gov {
                    row.coords = coords.clone();
                }
            }
        }
    }

    let gov_names: HashMap<&str, &str> =
        GOVERNORATES.iter().map(|(en, ar, _)| (*en, *ar)).collect();
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record([
        "term",
        "category",
        "weight",
        "stance",
        "note",
        "neg_context",
        "req_context",
    ])?;
    for r in &lex.rows {
        let weight = match (r.ambiguous, r.level) {
            (true, _) => "0.3",
            (false, "governorate") => "0.9",
            (false, "district" | "city") => "0.8",
            _ => "0.7",
        };
        let mut note = format!("{}: {}; {}", r.level, r.english, r.governorate);
        if let Some((lat, lon)) = &r.coords {
            note.push_str(&format!("; {lat},{lon}"));
        }
        let req = if r.ambiguous {
            let ar = gov_names.get(r.governorate).copied().unwrap_or_default();
            // A context word that the name itself contains (حي in الحي) would always be found.
            let own = key(&r.term);
            let words: Vec<&str> = [ar, r.governorate]
                .into_iter()
                .chain(PLACE_WORDS.split('|'))
                .filter(|w| !own.contains(&key(w)))
                .collect();
            words.join("|")
        } else {
            String::new()
        };
        out.write_record([
            r.term.as_str(),
            "place",
            weight,
            "",
            note.as_str(),
            "",
            req.as_str(),
        ])?;
    }
    out.flush()?;
    Ok(())
}
