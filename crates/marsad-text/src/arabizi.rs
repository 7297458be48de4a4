//! Arabizi (Arabic written in Latin letters and digits): detection and transliteration to an
//! Arabic *consonant skeleton*, the form both Arabizi words and Arabic lexicon terms are
//! compared in (see `docs/text.md` for the table).
//!
//! Arabizi spells short vowels that Arabic script leaves out and leaves out letters Arabic
//! writes, so the two are compared without vowels: Arabic ا و ي ى ء are dropped except as the
//! first letter of a word (or of the word after the article ال), a word-final ه/ة is dropped,
//! letters Arabizi cannot tell apart share a class (ت ث ط; د ذ ض ظ; س ص; ح ه; ق ك), and doubled
//! letters are single. `da3esh` and `داعش` both become `دعش`; `5ilafa` and `خلافة` become `خلف`.
//! A construct-state `-at` (`dawlat el 5ilafa`) is matched by a pattern variant with ت, so the
//! Latin side never guesses: `3isabat` keeps its t (عصابات).

use crate::chars::is_arabic_letter;
use crate::normalize::KChar;

/// Common Arabizi words (Iraqi, Gulf, Levantine, Egyptian): evidence that a Latin text is Arabic.
const ARABIZI_WORDS: &[&str] = &[
    "el",
    "al",
    "il",
    "wa",
    "ya",
    "ana",
    "enta",
    "inta",
    "enti",
    "inti",
    "howa",
    "huwa",
    "hiya",
    "ehna",
    "e7na",
    "hal",
    "shu",
    "shoo",
    "esh",
    "eish",
    "sho",
    "shlon",
    "shlonak",
    "shlonkum",
    "wallah",
    "walla",
    "wallahi",
    "inshallah",
    "insha",
    "yalla",
    "yallah",
    "habibi",
    "3ala",
    "ala",
    "mesh",
    "mish",
    "bas",
    "kaman",
    "leh",
    "lesh",
    "laish",
    "lish",
    "shakd",
    "aku",
    "akoo",
    "maku",
    "hatha",
    "hadha",
    "hay",
    "hada",
    "hatha",
    "wayn",
    "ween",
    "dawla",
    "dawlah",
    "dawlat",
    "khilafa",
    "khilafah",
    "islamiya",
    "islamiyah",
    "islamiyya",
    "mujahid",
    "mujahideen",
    "mujahidin",
    "akhi",
    "ukhti",
    "ikhwa",
    "ikhwan",
    "shabab",
    "jund",
    "junud",
    "ansar",
    "baqiya",
    "baqiyah",
    "tatamaddad",
    "allahu",
    "akbar",
    "fi",
    "min",
    "mn",
    "3an",
    "ma3",
    "kul",
    "kol",
    "7ata",
    "hatta",
    "bil",
    "bel",
    "lil",
    "wel",
    "mal",
    "shay",
    "zain",
    "zen",
    "ghali",
    "a5i",
    "a5oya",
    "inshalla",
    // The movement's own vocabulary: Arabic words no other Latin-script language has.
    "wilayat",
    "wilaya",
    "wilayah",
    "tanzeem",
    "tanzim",
    "khawarij",
    "rawafidh",
    "rafidha",
    "murtadin",
    "murtaddin",
    "tawaghit",
    "taghut",
    "ghazwa",
    "ghazwat",
    "sahwat",
    "bay3a",
    "bayah",
    "inghimasi",
    "istishhadi",
    "kuffar",
    "shaheed",
    "shuhada",
    "mujahidoon",
];

/// Common Arabizi words that are also words of Spanish, Italian, French or English (`el`,
/// `la`, `min`, `mal`…): they do not flag a digit-less text on their own.
const SHARED_WORDS: &[&str] = &[
    "al", "ala", "ana", "bas", "el", "esh", "fi", "hal", "hay", "il", "kol", "kul", "leh", "lish",
    "mal", "min", "mn", "sho", "wa", "ya", "zen",
];

/// English function words: evidence that a Latin text is English, not Arabizi.
const ENGLISH_WORDS: &[&str] = &[
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "is", "are", "was", "were", "be",
    "with", "by", "at", "from", "this", "that", "it", "as", "not", "but", "have", "has", "had",
    "will", "would", "can", "i", "you", "he", "she", "we", "they", "my", "your", "our", "their",
    "his", "her", "its", "what", "who", "said", "says", "after", "about", "into", "than", "been",
];

/// Function words of other languages written in Latin letters (Spanish, French, Italian,
/// Portuguese, Turkish, Kurdish, Indonesian/Malay, German): a text with any of them is not taken
/// for Arabizi without digit evidence (`el` is Spanish as well as Arabizi).
const FOREIGN_WORDS: &[&str] = &[
    "bir", "con", "da", "dan", "das", "de", "degil", "dei", "del", "della", "der", "des", "di",
    "die", "du", "e", "ein", "eine", "em", "est", "et", "ile", "ini", "itu", "ja", "la", "las",
    "le", "les", "lo", "los", "nicht", "para", "por", "que", "se", "sont", "su", "ta", "un", "una",
    "und", "une", "ve", "yang", "û",
];

fn is_foreign_word(w: &str) -> bool {
    static SORTED: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    sorted_contains(&SORTED, FOREIGN_WORDS, w)
}

fn is_arabizi_digit(c: char) -> bool {
    matches!(c, '2' | '3' | '5' | '6' | '7' | '8' | '9')
}

/// Does this lower-case Latin word use Arabizi digits as letters (`da3esh`, `5ilafa`, `7ayat`)?
/// Ordinals (`2nd`), units (`5g`, `3km`) and trailing numbers (`news23`) do not count.
pub fn is_arabizi_digit_word(w: &str) -> bool {
    if !w.bytes().any(|b| is_arabizi_digit(b as char)) {
        return false;
    }
    // Repeated digits (da333esh) are one letter drawn out.
    let mut squeezed = w.as_bytes().to_vec();
    squeezed.dedup_by(|a, b| a == b && a.is_ascii_digit());
    let w = match std::str::from_utf8(&squeezed) {
        Ok(w) => w,
        Err(_) => return false,
    };
    let b = w.as_bytes();
    let letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count();
    if letters < 2 || !b.iter().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    if matches!(
        w.trim_start_matches(|c: char| c.is_ascii_digit()),
        "st" | "nd"
            | "rd"
            | "th"
            | "g"
            | "k"
            | "km"
            | "m"
            | "kg"
            | "gb"
            | "mb"
            | "x"
            | "d"
            | "h"
            | "s"
            | "am"
            | "pm"
            | "min"
            | "mm"
            | "cm"
    ) {
        return false;
    }
    // A digit used as a letter has a letter on at least one side and is not part of a number.
    (0..b.len()).any(|i| {
        let c = b[i] as char;
        if !is_arabizi_digit(c) {
            return false;
        }
        let prev = i.checked_sub(1).map(|j| b[j]);
        let next = b.get(i + 1).copied();
        let prev_l = prev.is_some_and(|p| p.is_ascii_alphabetic());
        let next_l = next.is_some_and(|n| n.is_ascii_alphabetic());
        let prev_d = prev.is_some_and(|p| p.is_ascii_digit());
        let next_d = next.is_some_and(|n| n.is_ascii_digit());
        (prev_l || next_l) && !prev_d && !next_d && (next_l || i + 1 == b.len())
    })
}

/// Is `w` a common Arabizi word?
pub fn is_common_arabizi(w: &str) -> bool {
    static SORTED: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    sorted_contains(&SORTED, ARABIZI_WORDS, w)
}

fn is_english_word(w: &str) -> bool {
    static SORTED: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    sorted_contains(&SORTED, ENGLISH_WORDS, w)
}

/// Binary search in a word list sorted once (the lists are asked once per Latin word).
fn sorted_contains(
    cell: &std::sync::OnceLock<Vec<&'static str>>,
    words: &[&'static str],
    w: &str,
) -> bool {
    cell.get_or_init(|| {
        let mut v = words.to_vec();
        v.sort_unstable();
        v
    })
    .binary_search(&w)
    .is_ok()
}

/// Is `w` (lower case) an English function word?
pub fn is_english_function_word(w: &str) -> bool {
    is_english_word(w)
}

/// Text-level Arabizi decision from word counts.
pub fn looks_arabizi(latin_words: u32, digit_words: u32, common: u32, english: u32) -> bool {
    if latin_words == 0 {
        return false;
    }
    let lw = latin_words as f32;
    let english_ratio = english as f32 / lw;
    if english_ratio >= 0.25 && digit_words < 2 {
        return false;
    }
    digit_words >= 2
        || (digit_words >= 1 && (digit_words + common) as f32 / lw >= 0.2)
        || (common >= 2 && common as f32 / lw >= 0.3)
}

/// The digit-less case (`wilayat kirkuk tatabanna el hujum`): at least three Latin words, two
/// common Arabizi words of which one is not also a word of another language ([`SHARED_WORDS`]),
/// together one in five of the Latin words, and not one English or other-language function
/// word.
fn looks_arabizi_without_digits(
    latin_words: u32,
    common: u32,
    distinctive: u32,
    english: u32,
    foreign: u32,
) -> bool {
    latin_words >= 3
        && common >= 2
        && distinctive >= 1
        && english == 0
        && foreign == 0
        && common * 5 >= latin_words
}

/// Free-standing proclitics that carry the article: `wel` (و+ال), `bel`/`bil` (ب+ال),
/// `fel`/`fil` (في+ال), `lel`/`lil` (ل+ال), `3al` (على+ال). Arabic terms are matched without
/// their proclitics, so only the article is kept.
fn is_article_proclitic(t: &str) -> bool {
    matches!(
        t,
        "wel" | "wal" | "wil" | "bel" | "bil" | "fel" | "fil" | "lel" | "lil" | "3al"
    )
}

/// The conjunction `wa` written as its own word: Arabic attaches it (وتتمدد), and the
/// patterns have a form without it, so it is dropped.
fn is_free_conjunction(t: &str) -> bool {
    matches!(t, "wa" | "w" | "we" | "wi" | "u")
}

/// `3'` غ, `7'` خ, `9'` ض, `6'` ظ: a digit with an apostrophe (the plain key has split the word
/// there).
fn apostrophe_letter(digit: &str) -> Option<char> {
    Some(match digit {
        "3" => 'غ',
        "7" => 'خ',
        "9" => 'ض',
        "6" => 'ظ',
        _ => return None,
    })
}

/// Arabizi letter classes shared by both sides of the comparison.
fn class(c: char) -> char {
    match c {
        'ث' | 'ط' => 'ت',
        'ذ' | 'ض' | 'ظ' => 'د',
        'ص' => 'س',
        'ح' => 'ه',
        'ق' => 'ك',
        'ى' => 'ي',
        _ => c,
    }
}

fn is_weak(c: char) -> bool {
    matches!(c, 'ا' | 'و' | 'ي' | 'ى' | 'ء')
}

/// Letters Arabizi writers spell more than one way, and the other letters (of the phrase's
/// skeleton classes) those spellings stand for: ذ is `dh`, `th` or `z`; ظ is `dh`, `z` or `th`;
/// ث is `th` or `s`.
const ALT_SPELLINGS: &[(char, &[char])] = &[('ذ', &['ث', 'ز']), ('ظ', &['ز', 'ث']), ('ث', &['س'])];

/// At most this many skeletons per lexicon term (variants multiply).
const MAX_PATTERNS: usize = 16;

/// The consonant skeletons an Arabic plain-key phrase is matched with: the base form; when a
/// word before the last ends in ة/ه, the construct form with ت (`dawlat el 5ilafa` =
/// دولة الخلافة); when a later word starts with the conjunction و, the form without it
/// (`baqiya wa tatamaddad` = باقية وتتمدد: the Latin side drops a free-standing `wa`); and the
/// forms where ذ ظ ث are spelled as other letters ([`ALT_SPELLINGS`]: `tanzeem` = تنظيم,
/// `sanithba7kum` = سنذبحكم). Empty when the phrase is too short to compare safely.
pub fn pattern_skeletons(plain: &str) -> Vec<String> {
    if pattern_skeleton(plain).is_none() {
        return Vec::new();
    }
    let words: Vec<&str> = plain.split(' ').filter(|w| !w.is_empty()).collect();
    let mut phrases: Vec<String> = vec![plain.to_string()];
    if words.len() > 1 && words[..words.len() - 1].iter().any(|w| w.ends_with('ه')) {
        let construct: Vec<String> = words
            .iter()
            .enumerate()
            .map(|(i, w)| match w.strip_suffix('ه') {
                Some(stem) if i + 1 < words.len() => format!("{stem}ت"),
                _ => (*w).to_string(),
            })
            .collect();
        phrases.push(construct.join(" "));
    }
    // A conjunction و on a later word (وتتمدد): also without it.
    let n = phrases.len();
    for i in 0..n {
        let ws: Vec<&str> = phrases[i].split(' ').collect();
        if ws.len() > 1
            && ws[1..]
                .iter()
                .any(|w| w.starts_with('و') && w.chars().count() >= 4)
        {
            let dropped: Vec<&str> = ws
                .iter()
                .enumerate()
                .map(|(j, w)| match w.strip_prefix('و') {
                    Some(rest) if j > 0 && rest.chars().count() >= 3 => rest,
                    _ => w,
                })
                .collect();
            phrases.push(dropped.join(" "));
        }
    }
    // Other spellings of ذ ظ ث, one letter position at a time, combined up to the cap.
    let mut i = 0;
    while i < phrases.len() && phrases.len() < MAX_PATTERNS {
        let p = phrases[i].clone();
        for (pos, c) in p.char_indices() {
            let Some((_, alts)) = ALT_SPELLINGS.iter().find(|(a, _)| *a == c) else {
                continue;
            };
            for alt in *alts {
                let mut v = String::with_capacity(p.len());
                v.push_str(&p[..pos]);
                v.push(*alt);
                v.push_str(&p[pos + c.len_utf8()..]);
                if phrases.len() < MAX_PATTERNS && !phrases.contains(&v) {
                    phrases.push(v);
                }
            }
        }
        i += 1;
    }
    let mut out: Vec<String> = Vec::new();
    for p in &phrases {
        if let Some(v) = pattern_skeleton(p) {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// The consonant skeleton of an Arabic plain-key phrase, or `None` when it has fewer than three
/// consonants (too short to compare safely) or contains no Arabic.
pub fn pattern_skeleton(plain: &str) -> Option<String> {
    let mut out = String::with_capacity(plain.len());
    let mut consonants = 0;
    for (wi, word) in plain.split(' ').filter(|w| !w.is_empty()).enumerate() {
        if !word.chars().all(is_arabic_letter) {
            return None;
        }
        if wi > 0 {
            out.push(' ');
        }
        let (article, stem) = match word.strip_prefix("ال") {
            Some(rest) if rest.chars().count() >= 2 => (true, rest),
            _ => (false, word),
        };
        if article {
            out.push_str("ال");
        }
        let mut w = String::new();
        for (i, c) in stem.chars().enumerate() {
            if i > 0 && is_weak(c) {
                continue;
            }
            let c = class(c);
            if w.ends_with(c) {
                continue;
            }
            w.push(c);
        }
        if w.chars().count() > 1 && w.ends_with('ه') {
            w.pop();
        }
        consonants += w.chars().filter(|c| !is_weak(*c)).count();
        out.push_str(&w);
    }
    (consonants >= 3).then_some(out)
}

fn consonant(c: char) -> Option<char> {
    Some(match c {
        'b' | 'p' => 'ب',
        't' => 'ت',
        'd' => 'د',
        'r' => 'ر',
        'z' => 'ز',
        's' => 'س',
        'c' | 'k' | 'x' => 'ك',
        'q' | 'g' | '8' => 'ق',
        '9' => 'ص',
        'f' | 'v' => 'ف',
        'j' => 'ج',
        'l' => 'ل',
        'm' => 'م',
        'n' => 'ن',
        'h' | '7' => 'ح',
        '3' => 'ع',
        '5' => 'خ',
        '6' => 'ط',
        _ => return None,
    })
}

/// Transliterate one lower-case Latin word into classed consonant-skeleton key chars.
/// `stem_initial` says whether the word's first letter is a word start (vowels become ا).
fn space_at(at: u32) -> KChar {
    KChar {
        c: ' ',
        start: at,
        end: at,
        ws: true,
        brk: 0,
    }
}

fn transliterate(word: &[KChar], stem_initial: bool, out: &mut Vec<KChar>) {
    let mut w: Vec<KChar> = Vec::with_capacity(word.len());
    let n = word.len();
    let mut i = 0;
    while i < n {
        let k = word[i];
        let next = word.get(i + 1).map(|k| k.c);
        let digraph = match (k.c, next) {
            ('s' | 'c', Some('h')) => Some('ش'),
            ('k', Some('h')) => Some('خ'),
            ('g', Some('h')) => Some('غ'),
            ('t', Some('h')) => Some('ث'),
            ('d', Some('h')) => Some('ذ'),
            _ => None,
        };
        let (c, len) = if let Some(d) = digraph {
            (Some(d), 2)
        } else if i == 0 && stem_initial && matches!(k.c, 'a' | 'e' | 'i' | 'o' | 'u' | '2') {
            (Some('ا'), 1)
        } else if i == 0 && stem_initial && k.c == 'w' {
            (Some('و'), 1)
        } else if i == 0 && stem_initial && k.c == 'y' {
            (Some('ي'), 1)
        } else {
            (consonant(k.c), 1)
        };
        let end = word[i + len - 1].end;
        match c {
            Some(c) => {
                let c = class(c);
                match w.last_mut() {
                    Some(last) if last.c == c => last.end = end,
                    _ => w.push(KChar {
                        c,
                        start: k.start,
                        end,
                        ws: false,
                        brk: 0,
                    }),
                }
            }
            None => {
                if let Some(last) = w.last_mut() {
                    last.end = end;
                }
            }
        }
        i += len;
    }
    // A word-final h (or ta marbuta) is dropped, as in the pattern skeleton.
    if w.len() > 1 && w.last().is_some_and(|k| k.c == 'ه') {
        if let Some(last) = w.pop() {
            if let Some(prev) = w.last_mut() {
                prev.end = last.end;
            }
        }
    }
    // Leading vowels we dropped before the first kept letter stay outside the span.
    out.extend(w);
}

const SUN_ARTICLES: &[(&str, &str)] = &[
    ("ad", "d"),
    ("ed", "d"),
    ("ash", "sh"),
    ("esh", "sh"),
    ("as", "s"),
    ("es", "s"),
    ("at", "t"),
    ("et", "t"),
    ("ar", "r"),
    ("er", "r"),
    ("an", "n"),
    ("en", "n"),
    ("az", "z"),
    ("ez", "z"),
    ("ath", "th"),
    ("adh", "dh"),
];

/// Build the Arabizi key from the plain key: Latin words chosen for transliteration become
/// consonant skeletons (the article `el`/`al` and assimilated forms join the next word); every
/// other word is left out. Returns the key, the number of Arabizi words and of Latin words.
pub(crate) fn arabizi_chars(text: &str, plain: &[KChar], all: bool) -> (Vec<KChar>, u32, u32) {
    // Words of the plain key.
    let mut words: Vec<&[KChar]> = Vec::new();
    let mut start = 0;
    for (i, k) in plain.iter().enumerate() {
        if k.c == ' ' {
            if i > start {
                words.push(&plain[start..i]);
            }
            start = i + 1;
        }
    }
    if plain.len() > start {
        words.push(&plain[start..]);
    }
    let text_of = |w: &[KChar]| -> String { w.iter().map(|k| k.c).collect() };
    let mut buf = String::with_capacity(32);
    let mut latin_words = 0u32;
    let (mut digit_words, mut common, mut english, mut foreign) = (0u32, 0u32, 0u32, 0u32);
    let mut distinctive = 0u32;
    let mut is_latin = vec![false; words.len()];
    let mut is_digit_word = vec![false; words.len()];
    // `3'azwa`: the digit word glued by an apostrophe to the Latin word after it.
    let mut glued: Vec<Option<char>> = vec![None; words.len()];
    for i in 0..words.len().saturating_sub(1) {
        let (w, next) = (words[i], words[i + 1]);
        if w.len() != 1 || !next.iter().all(|k| k.c.is_ascii_alphanumeric()) {
            continue;
        }
        let between = text
            .get(w[0].end as usize..next[0].start as usize)
            .unwrap_or("");
        if matches!(between, "'" | "\u{2019}" | "`" | "\u{2018}") {
            if let Some(c) = apostrophe_letter(&w[0].c.to_string()) {
                glued[i] = Some(c);
            }
        }
    }
    for (i, w) in words.iter().enumerate() {
        if glued[i].is_some() {
            digit_words += 1;
            is_latin[i] = true;
            is_digit_word[i] = true;
            continue;
        }
        if w.iter().all(|k| k.c.is_ascii_alphanumeric())
            && w.iter().any(|k| k.c.is_ascii_alphabetic())
        {
            latin_words += 1;
            is_latin[i] = true;
            buf.clear();
            buf.extend(w.iter().map(|k| k.c));
            let t = buf.as_str();
            if is_arabizi_digit_word(t) {
                digit_words += 1;
                is_digit_word[i] = true;
            } else if is_common_arabizi(t) {
                common += 1;
                if !SHARED_WORDS.contains(&t) {
                    distinctive += 1;
                }
            } else if is_english_word(t) {
                english += 1;
            } else if is_foreign_word(t) {
                foreign += 1;
            }
        }
    }
    let text_flag = looks_arabizi(latin_words, digit_words, common, english)
        || (digit_words == 0
            && looks_arabizi_without_digits(latin_words, common, distinctive, english, foreign));
    if !text_flag && digit_words == 0 && !all {
        return (Vec::new(), 0, latin_words);
    }
    let mut out: Vec<KChar> = Vec::new();
    let mut i = 0;
    let mut emitted_words = 0u32;
    while i < words.len() {
        let w = words[i];
        if !is_latin[i] {
            // Only Latin words are transliterated or act as articles.
            i += 1;
            continue;
        }
        let t = text_of(w);
        let next_latin = i + 1 < words.len() && is_latin[i + 1];
        if let (Some(letter), true) = (glued[i], next_latin) {
            // `3'azwa` = غزوة: the dotted letter, then the rest of the word (not word-initial).
            if !out.is_empty() {
                out.push(space_at(w[0].start));
            }
            out.push(KChar {
                c: class(letter),
                start: w[0].start,
                end: words[i + 1][0].start,
                ws: false,
                brk: 0,
            });
            let mut rest = Vec::new();
            transliterate(words[i + 1], false, &mut rest);
            for k in rest {
                match out.last_mut() {
                    Some(last) if last.c == k.c => last.end = k.end,
                    _ => out.push(k),
                }
            }
            emitted_words += 1;
            i += 2;
            continue;
        }
        if next_latin && (text_flag || all) && is_free_conjunction(&t) {
            i += 1;
            continue;
        }
        let chosen = is_latin[i]
            && (is_digit_word[i] || text_flag || all)
            && (is_common_arabizi(&t) || !is_english_word(&t));
        // The article el/al (or an assimilated sun-letter article, or a proclitic carrying it)
        // joins the next word.
        let article = next_latin
            && (text_flag || is_digit_word.get(i + 1).copied().unwrap_or(false) || all)
            && (matches!(t.as_str(), "el" | "al" | "il" | "l")
                || is_article_proclitic(&t)
                || SUN_ARTICLES
                    .iter()
                    .any(|(a, first)| t == *a && text_of(words[i + 1]).starts_with(first)));
        if article {
            if !out.is_empty() {
                out.push(KChar {
                    c: ' ',
                    start: w[0].start,
                    end: w[0].start,
                    ws: true,
                    brk: 0,
                });
            }
            // ا stands for the article's vowel, ل for the rest of it (`el`, `ash`, `l`); a
            // proclitic before it (`wel`, `bil`) stays outside the span.
            let w = if is_article_proclitic(&t) {
                &w[w.len() - 2..]
            } else {
                w
            };
            let (alef, lam) = if w.len() >= 2 {
                ((w[0].start, w[0].end), (w[1].start, w[w.len() - 1].end))
            } else {
                ((w[0].start, w[0].start), (w[0].start, w[0].end))
            };
            out.push(KChar {
                c: 'ا',
                start: alef.0,
                end: alef.1,
                ws: false,
                brk: 0,
            });
            out.push(KChar {
                c: 'ل',
                start: lam.0,
                end: lam.1,
                ws: false,
                brk: 0,
            });
            transliterate(words[i + 1], true, &mut out);
            emitted_words += 1;
            i += 2;
            continue;
        }
        if chosen {
            if !out.is_empty() {
                out.push(KChar {
                    c: ' ',
                    start: w[0].start,
                    end: w[0].start,
                    ws: true,
                    brk: 0,
                });
            }
            // An attached article: eldawla, al5ilafa.
            let attached = (t.starts_with("el") || t.starts_with("al")) && w.len() >= 5;
            if attached {
                let s = w[0].start;
                out.push(KChar {
                    c: 'ا',
                    start: s,
                    end: w[0].end,
                    ws: false,
                    brk: 0,
                });
                out.push(KChar {
                    c: 'ل',
                    start: w[1].start,
                    end: w[1].end,
                    ws: false,
                    brk: 0,
                });
                transliterate(&w[2..], true, &mut out);
            } else {
                transliterate(w, true, &mut out);
            }
            emitted_words += 1;
        }
        i += 1;
    }
    let az = if text_flag {
        emitted_words
    } else {
        digit_words
    };
    (
        out,
        az.max(u32::from(all && emitted_words > 0)),
        latin_words,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::plain_kchars;

    fn az(text: &str) -> String {
        arabizi_chars(text, &plain_kchars(text), false)
            .0
            .iter()
            .map(|k| k.c)
            .collect()
    }

    fn pat(term: &str) -> String {
        pattern_skeleton(&crate::normalize::match_key(term)).unwrap_or_default()
    }

    #[test]
    fn digit_words() {
        assert!(is_arabizi_digit_word("da3esh"));
        assert!(is_arabizi_digit_word("5ilafa"));
        assert!(is_arabizi_digit_word("ma3"));
        assert!(!is_arabizi_digit_word("2nd"));
        assert!(!is_arabizi_digit_word("5g"));
        assert!(!is_arabizi_digit_word("covid19"));
        assert!(!is_arabizi_digit_word("news23"));
    }

    #[test]
    fn arabizi_matches_arabic_skeleton() {
        assert_eq!(az("da3esh"), pat("داعش"));
        assert_eq!(az("5ilafa"), pat("خلافة"));
        assert_eq!(az("el 5ilafa"), pat("الخلافة"));
        assert!(az("el dawla el islamiya wallah").starts_with(&pat("الدولة الإسلامية")));
        assert!(
            pattern_skeletons(&crate::normalize::match_key("دولة الخلافة"))
                .contains(&az("dawlat el 5ilafa"))
        );
        assert_eq!(az("3isabat"), pat("عصابات"));
    }

    #[test]
    fn other_spellings_proclitics_and_apostrophe_letters() {
        let pats = |t: &str| pattern_skeletons(&crate::normalize::match_key(t));
        // ظ written z, ذ written th, ص written 9.
        assert!(pats("تنظيم الدولة").contains(&az("tanzeem el dawla")));
        assert!(pats("سنذبحكم").contains(&az("sanithba7kum")));
        assert_eq!(az("9a7wat"), pat("صحوات"));
        // A free-standing wa is the attached و; wel/bil carry the article.
        assert!(pats("باقية وتتمدد").contains(&az("baqiya wa tatamaddad")));
        assert_eq!(
            az("wel dawla el islamiya"),
            pattern_skeleton(&crate::normalize::match_key("الدولة الإسلامية")).unwrap()
        );
        // 3' is غ.
        assert_eq!(az("3'azwa mubaraka"), pat("غزوة مباركة"));
        assert_eq!(az("3azwa mubaraka ya shabab"), "عز مبرك ي شب");
    }

    #[test]
    fn digit_less_arabizi_needs_a_distinctive_word() {
        assert_ne!(az("wilayat kirkuk tatabanna el hujum"), "");
        // Spanish shares `el` with Arabizi: not enough.
        assert_eq!(
            az("el gobierno anuncia nuevas medidas contra el terrorismo"),
            ""
        );
        assert_eq!(az("el presidente visita la ciudad"), "");
    }

    #[test]
    fn english_is_not_arabizi() {
        assert_eq!(az("The state said the attack was foiled"), "");
        assert!(!looks_arabizi(6, 0, 0, 3));
    }

    #[test]
    fn short_terms_have_no_pattern() {
        assert_eq!(pattern_skeleton("في"), None);
        assert_eq!(pattern_skeleton("isis"), None);
    }
}
