//! Normalization keys with offset maps back to the original text.
//!
//! A [`Keys`] value holds up to four keys for one text (see `docs/text.md`):
//! - **plain** (the *match key*): compatibility decomposition, deletions, Arabic/Persian letter
//!   folding, ASCII digits, lower case, homoglyphs folded inside Latin-script words, letter runs
//!   collapsed, separators collapsed to one space, hashtags split on `_` and camelCase, emoji as
//!   `{token}` words;
//! - **joined**: the plain key with separators removed between single letters (and pairs), and
//!   punctuation removed between letters (`د.ا.ع.ش`, `داع_ش`, `d a e s h`);
//! - **skeleton**: the plain key in dotless rasm classes (Arabic) and leetspeak classes (Latin);
//! - **arabizi**: Arabizi words transliterated to an Arabic consonant skeleton.
//!
//! Every key character carries the byte span of the original characters it came from. Deleted
//! characters are attached to the character before them. Spans never decrease along a key, and
//! every span starts and ends on a character boundary of the original text.

use crate::arabizi;
use crate::chars::{
    emoji_token, fold, is_arabic_letter, is_cyrillic_or_greek, is_deleted, is_dotless_signal,
    is_latin_letter, is_letter, latin_homoglyph, latin_skeleton, rasm, TOKEN_NAMES,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Arabic,
    Latin,
    Digit,
    Other,
    Sep { ws: bool },
    Token { first: bool },
}

impl Kind {
    fn is_word(self) -> bool {
        matches!(self, Kind::Arabic | Kind::Latin | Kind::Digit | Kind::Other)
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Unit {
    c: char,
    start: u32,
    end: u32,
    kind: Kind,
    upper: bool,
    hashtag: bool,
    /// The unit belongs to a word with Arabic letters (set by the homoglyph pass).
    arabic_word: bool,
}

/// One character of a key and the original byte span it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KChar {
    pub c: char,
    pub start: u32,
    pub end: u32,
    /// For spaces: some of the separators it stands for were white space.
    pub ws: bool,
    /// Joined key only: [`WORD_START`] / [`WORD_END`] mark where the plain key's words began
    /// and ended before their separators were removed.
    pub brk: u8,
}

/// The character began a word of the plain key.
pub const WORD_START: u8 = 1;
/// The character ended a word of the plain key.
pub const WORD_END: u8 = 2;

/// Which key a match was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    Plain,
    Joined,
    Arabizi,
    Skeleton,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Plain => "plain",
            KeyKind::Joined => "joined",
            KeyKind::Arabizi => "arabizi",
            KeyKind::Skeleton => "skeleton",
        }
    }
}

/// A normalized key: its text and, per character of that text, the original byte span.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Key {
    pub text: String,
    /// Per character of `text`: the original span and the [`KChar::brk`] flags.
    chars: Vec<KChar>,
    /// Per character of `text`: the byte offset where it begins (ascending).
    pos: Vec<u32>,
}

impl Key {
    pub(crate) fn from_kchars(chars: Vec<KChar>) -> Key {
        let mut text = String::with_capacity(chars.len() * 2);
        let mut pos = Vec::with_capacity(chars.len());
        for k in &chars {
            pos.push(text.len() as u32);
            text.push(k.c);
        }
        Key { text, chars, pos }
    }

    /// The index of the character holding key byte `at` (`at < text.len()`).
    fn char_at(&self, at: usize) -> usize {
        self.pos
            .partition_point(|&p| p as usize <= at)
            .saturating_sub(1)
    }

    /// The [`WORD_START`] / [`WORD_END`] flags of the character at byte `at` (joined key).
    pub fn brk_at(&self, at: usize) -> u8 {
        if at >= self.text.len() {
            return 0;
        }
        self.chars.get(self.char_at(at)).map_or(0, |k| k.brk)
    }

    /// The original byte span of key bytes `[a, b)` (`a < b`, both on char boundaries).
    pub fn original_span(&self, a: usize, b: usize) -> Option<(usize, usize)> {
        if a >= b || b > self.text.len() {
            return None;
        }
        let first = self.chars.get(self.char_at(a))?;
        let last = self.chars.get(self.char_at(b - 1))?;
        Some((first.start as usize, last.end as usize))
    }

    /// The first key byte whose original span ends after `orig` (for context windows).
    pub fn key_pos_at(&self, orig: usize) -> usize {
        let i = self.chars.partition_point(|k| (k.end as usize) <= orig);
        self.pos.get(i).map_or(self.text.len(), |&p| p as usize)
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Signals found while normalizing, used to decide whether lossy keys are trustworthy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Signals {
    /// Arabic letters seen (after folding).
    pub arabic_letters: u32,
    /// Arabic letters with dots seen.
    pub dotted_letters: u32,
    /// Letters only dotless writing uses (ٮ ٯ ڡ ں), or ى inside a word.
    pub dotless_marks: u32,
    /// Latin letters seen.
    pub latin_letters: u32,
    /// Latin words mixing letters and digits (leet or Arabizi).
    pub mixed_latin_words: u32,
    /// Separators removed by the joined key.
    pub joined_removed: u32,
    /// Letters per script, for language identification ([`crate::lang::decide`]).
    pub script: crate::lang::ScriptCounts,
}

impl Signals {
    /// The whole text looks written in dotless style: several Arabic letters, no dots at all.
    pub fn dotless_style(&self) -> bool {
        self.arabic_letters >= 4 && self.dotted_letters == 0
    }
}

/// All keys of one text.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    pub plain: Key,
    pub joined: Option<Key>,
    pub skeleton: Option<Key>,
    pub arabizi: Option<Key>,
    pub signals: Signals,
    pub arabizi_words: u32,
    pub latin_words: u32,
}

impl Keys {
    pub fn get(&self, kind: KeyKind) -> Option<&Key> {
        match kind {
            KeyKind::Plain => Some(&self.plain),
            KeyKind::Joined => self.joined.as_ref(),
            KeyKind::Skeleton => self.skeleton.as_ref(),
            KeyKind::Arabizi => self.arabizi.as_ref(),
        }
    }
}

/// Options for [`keys`].
#[derive(Debug, Clone, Copy)]
pub struct KeyOptions {
    /// Build the joined, skeleton and Arabizi keys even when no signal asks for them.
    pub all: bool,
}

/// Compute every key of `text`. Lossy keys (joined, skeleton, Arabizi) are only built when the
/// text shows a reason for them (or `opts.all`).
pub fn keys(text: &str, opts: KeyOptions) -> Keys {
    let (units, mut signals) = units(text);
    let plain = plain_chars(units, &mut signals);
    let joined = joined_key_chars(&plain, opts.all).map(|(joined, removed)| {
        signals.joined_removed = removed;
        Key::from_kchars(joined)
    });
    let want_skeleton = opts.all
        || signals.dotless_marks > 0
        || signals.dotless_style()
        || signals.mixed_latin_words > 0;
    let skeleton = want_skeleton.then(|| Key::from_kchars(skeleton_chars(&plain)));
    let (arabizi, az_words, latin_words) = if signals.latin_letters > 0 || opts.all {
        let (az, az_words, latin_words) = arabizi::arabizi_chars(text, &plain, opts.all);
        let key = (az_words > 0 || opts.all).then(|| Key::from_kchars(az));
        (key, az_words, latin_words)
    } else {
        (None, 0, 0)
    };
    Keys {
        plain: Key::from_kchars(plain),
        joined,
        skeleton,
        arabizi,
        signals,
        arabizi_words: az_words,
        latin_words,
    }
}

/// The plain (match) key of a text with its offset map (no other key is computed).
pub fn plain_key(text: &str) -> Key {
    let (units, mut signals) = units(text);
    Key::from_kchars(plain_chars(units, &mut signals))
}

fn key_string(chars: &[KChar]) -> String {
    chars.iter().map(|k| k.c).collect()
}

fn plain_of(text: &str) -> Vec<KChar> {
    let (units, mut signals) = units(text);
    plain_chars(units, &mut signals)
}

/// The plain (match) key of a text, as a string: what lexicon terms are normalized with.
pub fn match_key(text: &str) -> String {
    key_string(&plain_of(text))
}

/// The skeleton key of a text, as a string.
pub fn skeleton_key(text: &str) -> String {
    key_string(&skeleton_chars(&plain_of(text)))
}

/// The joined key of a text, as a string (separators between letters removed).
pub fn joined_key(text: &str) -> String {
    let plain = plain_of(text);
    match joined_key_chars(&plain, true) {
        Some((k, _)) => key_string(&k),
        None => key_string(&plain),
    }
}

/// The joined key's characters and how many separators it removed, when it differs from the
/// plain key (or always with `all`): emoji used as letter separators (`د🌹ا🌹ع🌹ش`) are removed
/// first, then [`joined_chars`].
fn joined_key_chars(plain: &[KChar], all: bool) -> Option<(Vec<KChar>, u32)> {
    let cleaned = drop_token_separators(plain);
    if !(all || cleaned.is_some() || may_join(plain)) {
        return None;
    }
    let (base, dropped) = match &cleaned {
        Some((v, n)) => (v.as_slice(), *n),
        None => (plain, 0),
    };
    let (joined, removed) = joined_chars(base);
    let removed = removed + dropped;
    (removed > 0 || all).then_some((joined, removed))
}

/// Emoji tokens (`{rose}`) standing between two single letters of one script are separators,
/// like the dots of `د.ا.ع.ش`: the plain key without them (and the space after each), with the
/// number removed; `None` when there is none.
fn drop_token_separators(plain: &[KChar]) -> Option<(Vec<KChar>, u32)> {
    if !plain.iter().any(|k| k.c == '{') {
        return None;
    }
    let words = word_bounds(plain);
    let single_letter = |w: (usize, usize)| w.1 - w.0 == 1 && is_letter(plain[w.0].c);
    let mut drop = vec![false; words.len()];
    let mut n = 0u32;
    for j in 1..words.len().saturating_sub(1) {
        let (a, w, b) = (words[j - 1], words[j], words[j + 1]);
        let token = plain[w.0].c == '{' && plain[w.1 - 1].c == '}';
        if token
            && single_letter(a)
            && single_letter(b)
            && is_arabic_letter(plain[a.0].c) == is_arabic_letter(plain[b.0].c)
        {
            drop[j] = true;
            n += 1;
        }
    }
    if n == 0 {
        return None;
    }
    let mut out = Vec::with_capacity(plain.len());
    for (j, &(a, b)) in words.iter().enumerate() {
        if drop[j] {
            continue;
        }
        out.extend_from_slice(&plain[a..b]);
        // The space after a kept word (a dropped token's space goes with it).
        if b < plain.len() {
            out.push(plain[b]);
        }
    }
    if out.last().is_some_and(|k| k.c == ' ') {
        out.pop();
    }
    Some((out, n))
}

#[cfg(test)]
pub(crate) fn plain_kchars(text: &str) -> Vec<KChar> {
    plain_of(text)
}

/// Everything the normalizer needs to know about one character of the Arabic block.
#[derive(Debug, Clone, Copy)]
struct ArabicInfo {
    c: char,
    kind: Kind,
    deleted: bool,
    dotless: bool,
    /// A dotted letter, or ي/ئ as written (ى folds to ي but has no dots).
    dotted: bool,
}

fn arabic_info(ch: char) -> ArabicInfo {
    static TABLE: std::sync::OnceLock<Vec<ArabicInfo>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (0x0600u32..=0x06FF)
            .map(|u| {
                let ch = char::from_u32(u).unwrap_or(' ');
                let c = fold(ch);
                let kind = classify(c);
                let dotted = (kind == Kind::Arabic && crate::chars::has_dots(c) && c != 'ي')
                    || ch == 'ي'
                    || ch == 'ئ';
                ArabicInfo {
                    c: if matches!(kind, Kind::Sep { .. }) {
                        ' '
                    } else {
                        c
                    },
                    kind,
                    deleted: is_deleted(ch),
                    dotless: is_dotless_signal(ch),
                    dotted,
                }
            })
            .collect()
    });
    table[(ch as u32 - 0x0600) as usize]
}

fn classify(c: char) -> Kind {
    if is_arabic_letter(c) {
        Kind::Arabic
    } else if is_latin_letter(c) {
        Kind::Latin
    } else if c.is_ascii_digit() {
        Kind::Digit
    } else if c.is_alphanumeric() {
        Kind::Other
    } else {
        Kind::Sep {
            ws: c.is_whitespace(),
        }
    }
}

/// Push the units of the token `{name}`; `span(i)` gives the original span of its i-th char.
fn push_token(out: &mut Vec<Unit>, name: &str, span: impl Fn(usize) -> (u32, u32)) {
    let token = ['{'].into_iter().chain(name.chars()).chain(['}']);
    for (i, c) in token.enumerate() {
        let (start, end) = span(i);
        out.push(Unit {
            c,
            start,
            end,
            kind: Kind::Token { first: i == 0 },
            upper: false,
            hashtag: false,
            arabic_word: false,
        });
    }
}

fn units(text: &str) -> (Vec<Unit>, Signals) {
    let mut out: Vec<Unit> = Vec::with_capacity(text.len());
    let mut signals = Signals::default();
    let mut script = crate::lang::ScriptCounter::default();
    let mut in_hashtag = false;
    let mut decomposed: Vec<char> = Vec::with_capacity(4);
    let mut skip_to = 0usize;
    let mut maksura_pending = false;
    for (s, ch) in text.char_indices() {
        script.push(ch, text, s);
        if s < skip_to {
            continue;
        }
        let start = s as u32;
        let end = (s + ch.len_utf8()) as u32;
        if ch == '{' {
            // A token written out (`{weapon}`) is the token itself.
            let rest = &text.as_bytes()[s + 1..];
            let close = rest.iter().take(16).position(|b| *b == b'}');
            if let Some(name) = close
                .and_then(|c| text.get(s + 1..s + 1 + c))
                .filter(|n| TOKEN_NAMES.contains(n))
            {
                // Each character of the written token stands for itself.
                push_token(&mut out, name, |i| (start + i as u32, start + i as u32 + 1));
                skip_to = s + name.len() + 2;
                continue;
            }
        }
        if ch.is_ascii() {
            maksura_pending = false;
            let (c, kind, upper) = if ch.is_ascii_alphabetic() {
                (
                    ch.to_ascii_lowercase(),
                    Kind::Latin,
                    ch.is_ascii_uppercase(),
                )
            } else if ch.is_ascii_digit() {
                (ch, Kind::Digit, false)
            } else {
                let ws = ch.is_ascii_whitespace() || ch.is_ascii_control();
                if ch == '#' {
                    in_hashtag = true;
                } else if ws {
                    in_hashtag = false;
                }
                (' ', Kind::Sep { ws }, false)
            };
            if kind == Kind::Latin {
                signals.latin_letters += 1;
            }
            out.push(Unit {
                c,
                start,
                end,
                kind,
                upper,
                hashtag: in_hashtag,
                arabic_word: false,
            });
            continue;
        }
        if ('\u{0600}'..='\u{06FF}').contains(&ch) {
            // The Arabic block (the hot path): one table lookup decides everything.
            let info = arabic_info(ch);
            if info.deleted {
                if let Some(last) = out.last_mut() {
                    last.end = end;
                }
                continue;
            }
            if maksura_pending && info.kind == Kind::Arabic {
                signals.dotless_marks += 1;
            }
            maksura_pending = ch == 'ى';
            signals.dotless_marks += u32::from(info.dotless);
            signals.dotted_letters += u32::from(info.dotted);
            match info.kind {
                Kind::Arabic => signals.arabic_letters += 1,
                Kind::Sep { ws: true } => in_hashtag = false,
                _ => {}
            }
            out.push(Unit {
                c: info.c,
                start,
                end,
                kind: info.kind,
                upper: false,
                hashtag: in_hashtag,
                arabic_word: false,
            });
            continue;
        }
        if is_deleted(ch) {
            if let Some(last) = out.last_mut() {
                last.end = end;
            }
            continue;
        }
        maksura_pending = false;
        if let Some(name) = emoji_token(ch) {
            push_token(&mut out, name, |_| (start, end));
            continue;
        }
        if is_dotless_signal(ch) {
            signals.dotless_marks += 1;
        }
        decomposed.clear();
        unicode_normalization::char::decompose_compatible(ch, |d| decomposed.push(d));
        for &d in &decomposed {
            if is_deleted(d) {
                if let Some(last) = out.last_mut() {
                    last.end = end;
                }
                continue;
            }
            let mut lower = d;
            let mut upper = false;
            if d.is_uppercase() {
                let mut l = d.to_lowercase();
                if let (Some(one), None) = (l.next(), l.next()) {
                    lower = one;
                    upper = true;
                }
            }
            let c = fold(lower);
            let kind = classify(c);
            match kind {
                Kind::Arabic => {
                    signals.arabic_letters += 1;
                    if crate::chars::has_dots(c) && c != 'ي' {
                        signals.dotted_letters += 1;
                    }
                }
                Kind::Latin => signals.latin_letters += 1,
                Kind::Sep { ws } if ws => in_hashtag = false,
                _ => {}
            }
            let c = if matches!(kind, Kind::Sep { .. }) {
                ' '
            } else {
                c
            };
            out.push(Unit {
                c,
                start,
                end,
                kind,
                upper,
                hashtag: in_hashtag,
                arabic_word: false,
            });
        }
    }
    signals.script = script.counts();
    (out, signals)
}

/// Fold Cyrillic/Greek look-alikes inside Latin-script words (never in Arabic words).
fn fold_homoglyph_words(units: &mut [Unit]) {
    let mut i = 0;
    while i < units.len() {
        if !units[i].kind.is_word() {
            i += 1;
            continue;
        }
        let mut j = i;
        let (mut latin, mut arabic, mut other, mut mappable) = (false, false, 0usize, 0usize);
        while j < units.len() && units[j].kind.is_word() {
            match units[j].kind {
                Kind::Latin => latin = true,
                Kind::Arabic => arabic = true,
                Kind::Other => {
                    other += 1;
                    if is_cyrillic_or_greek(units[j].c) && latin_homoglyph(units[j].c).is_some() {
                        mappable += 1;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        if arabic {
            for u in &mut units[i..j] {
                u.arabic_word = true;
            }
        }
        if !arabic && other > 0 && (latin || mappable == other) {
            for u in &mut units[i..j] {
                if u.kind == Kind::Other {
                    if let Some(l) = latin_homoglyph(u.c) {
                        u.c = l;
                        u.kind = if l.is_ascii_digit() {
                            Kind::Digit
                        } else {
                            Kind::Latin
                        };
                    }
                }
            }
        }
        i = j;
    }
}

/// What the current word of the plain key mixes, for the skeleton key's signal.
#[derive(Default)]
struct WordState {
    latin: bool,
    digit: bool,
    upper_i: bool,
    lower_l: bool,
    /// Upper-case letters and lower-case letters other than `l`.
    upper: u32,
    lower_other: bool,
}

impl WordState {
    fn add(&mut self, u: &Unit) {
        match u.kind {
            Kind::Digit => self.digit = true,
            Kind::Latin => {
                self.latin = true;
                self.upper_i |= u.c == 'i' && u.upper;
                self.lower_l |= u.c == 'l' && !u.upper;
                self.upper += u32::from(u.upper);
                self.lower_other |= !u.upper && u.c != 'l';
            }
            _ => {}
        }
    }

    /// A Latin word with digits, with both `I` and `l` (ISlS), or in capitals but for its
    /// `l`s (lSlS) may be leetspeak.
    fn close(&mut self, signals: &mut Signals) {
        let caps_with_l = self.lower_l && self.upper >= 2 && !self.lower_other;
        if self.latin && (self.digit || (self.upper_i && self.lower_l) || caps_with_l) {
            signals.mixed_latin_words += 1;
        }
        *self = WordState::default();
    }
}

fn plain_chars(mut units: Vec<Unit>, signals: &mut Signals) -> Vec<KChar> {
    // The word pass only changes something for look-alike letters and for camelCase hashtags.
    if units
        .iter()
        .any(|u| u.kind == Kind::Other || (u.upper && u.hashtag))
    {
        fold_homoglyph_words(&mut units);
    }
    let mut out: Vec<KChar> = Vec::with_capacity(units.len());
    let mut run = 0usize; // length of the current run of identical letters in the input
    let mut prev_kind: Option<Kind> = None;
    let mut prev_unit: Option<Unit> = None;
    let mut word = WordState::default();
    for u in units {
        match u.kind {
            Kind::Sep { ws } => {
                word.close(signals);
                run = 0;
                match out.last_mut() {
                    Some(last) if last.c == ' ' => {
                        last.end = u.end;
                        last.ws |= ws;
                    }
                    Some(_) => out.push(KChar {
                        c: ' ',
                        start: u.start,
                        end: u.end,
                        ws,
                        brk: 0,
                    }),
                    None => {}
                }
            }
            Kind::Token { first } => {
                word.close(signals);
                run = 0;
                if first {
                    if let Some(last) = out.last() {
                        if last.c != ' ' {
                            out.push(KChar {
                                c: ' ',
                                start: u.start,
                                end: u.start,
                                ws: true,
                                brk: 0,
                            });
                        }
                    }
                }
                out.push(KChar {
                    c: u.c,
                    start: u.start,
                    end: u.end,
                    ws: false,
                    brk: 0,
                });
            }
            _ => {
                if let Some(pk) = prev_kind {
                    let after_token = matches!(pk, Kind::Token { .. });
                    let camel = u.hashtag
                        && !u.arabic_word
                        && u.upper
                        && pk == Kind::Latin
                        && u.kind == Kind::Latin
                        && prev_unit.is_some_and(|p| !p.upper && p.hashtag);
                    if after_token || camel {
                        word.close(signals);
                        run = 0;
                        out.push(KChar {
                            c: ' ',
                            start: u.start,
                            end: u.start,
                            ws: true,
                            brk: 0,
                        });
                    }
                }
                word.add(&u);
                let k = KChar {
                    c: u.c,
                    start: u.start,
                    end: u.end,
                    ws: false,
                    brk: 0,
                };
                let in_run = run > 0;
                push_collapsing(&mut out, &mut run, k, in_run);
            }
        }
        prev_kind = Some(u.kind);
        prev_unit = Some(u);
    }
    word.close(signals);
    if out.last().is_some_and(|l| l.c == ' ') {
        out.pop();
    }
    out
}

/// Can the joined key differ from the plain one: is there a separator without white space, or
/// two single-character words in a row?
fn may_join(plain: &[KChar]) -> bool {
    let mut word_len = 0usize;
    let mut prev_len = usize::MAX;
    for k in plain {
        if k.c == ' ' {
            if !k.ws {
                return true;
            }
            if prev_len != usize::MAX && word_len > 0 && prev_len.min(word_len) <= 3 {
                return true;
            }
            prev_len = word_len;
            word_len = 0;
        } else {
            word_len += 1;
        }
    }
    prev_len != usize::MAX && word_len > 0 && prev_len.min(word_len) <= 3
}

/// How long a run of one letter may grow before it folds to a single letter: Arabic letters 2
/// (doubling is written with shadda), other letters 3 (English doubles are real: `kill`),
/// dotless placeholders ٮ ٯ ڡ and non-letters never (each ٮ may stand for another letter).
pub(crate) fn collapse_threshold(c: char) -> usize {
    if is_dotless_signal(c) {
        usize::MAX
    } else if is_arabic_letter(c) {
        2
    } else if is_letter(c) {
        3
    } else {
        usize::MAX
    }
}

/// Push `k`, folding it into the run of identical letters it continues (when `may_extend`):
/// the one rule every key and every term uses. `run` counts the letters of the current run.
#[inline]
pub(crate) fn push_collapsing(out: &mut Vec<KChar>, run: &mut usize, k: KChar, may_extend: bool) {
    if !(may_extend && out.last().is_some_and(|l| l.c == k.c)) {
        *run = 1;
        out.push(k);
        return;
    }
    *run += 1;
    let from = collapse_threshold(k.c);
    if *run < from {
        out.push(k);
        return;
    }
    if *run == from && from == 3 {
        // The run had two kept letters: fold the second into the first.
        if let Some(second) = out.pop() {
            if let Some(first) = out.last_mut() {
                first.end = second.end;
                first.brk |= second.brk;
            }
        }
    }
    if let Some(last) = out.last_mut() {
        last.end = k.end;
        last.brk |= k.brk;
    }
}

/// Word lengths (in chars) and kinds of the plain key, for the joined key's rule.
fn word_bounds(chars: &[KChar]) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut start = 0;
    for (i, k) in chars.iter().enumerate() {
        if k.c == ' ' {
            if i > start {
                words.push((start, i));
            }
            start = i + 1;
        }
    }
    if chars.len() > start {
        words.push((start, chars.len()));
    }
    words
}

fn is_letter_word(w: &[KChar]) -> bool {
    w.iter().all(|k| is_letter(k.c)) && w.first().is_none_or(|k| k.c != '{')
}

/// The joined key: separators removed between letter words of one script when they are
/// punctuation (`داع_ش`, `د.ا.ع.ش`), or white space next to a chunk of at most three letters
/// (`د ا ع ش`, `دا عش`, `الدو لة الإسلا مية`). Every character remembers whether it began or
/// ended a plain-key word ([`KChar::brk`]): a joined match must start and end on those
/// boundaries (the matcher checks), so `ضد د ا ع ش` finds داعش without gluing ضد to it. Letter runs are collapsed again afterwards. Returns the key and how many separators
/// were removed.
fn joined_chars(plain: &[KChar]) -> (Vec<KChar>, u32) {
    // One pass: each word is copied with its boundary flags; the separator before it is
    // dropped when the rule says so. `chunk_gap`: the dropped separator was white space between
    // chunks, so letters may not collapse across it.
    let n = plain.len();
    let mut out: Vec<KChar> = Vec::with_capacity(n);
    let mut removed = 0u32;
    let mut run = 0usize;
    let mut chunk_gap = false;
    let mut prev: Option<(usize, usize)> = None;
    let word_end = |from: usize| {
        plain[from..]
            .iter()
            .position(|k| k.c == ' ')
            .map_or(n, |p| from + p)
    };
    let mut i = 0;
    while i < n {
        if plain[i].c == ' ' {
            let next = (i + 1, word_end(i + 1));
            let rule = match prev {
                Some(a) if a.1 == i && next.1 > next.0 => join_rule(plain, a, i, next),
                _ => 0,
            };
            if rule == 0 {
                push_collapsing(&mut out, &mut run, plain[i], false);
                chunk_gap = false;
            } else {
                removed += 1;
                chunk_gap = rule == 2;
            }
            i += 1;
            continue;
        }
        let end = word_end(i);
        let last = end - i - 1;
        for (j, &k) in plain[i..end].iter().enumerate() {
            let mut k = k;
            if j == 0 {
                k.brk |= WORD_START;
            }
            if j == last {
                k.brk |= WORD_END;
            }
            let may_extend = !chunk_gap;
            chunk_gap = false;
            push_collapsing(&mut out, &mut run, k, may_extend);
        }
        prev = Some((i, end));
        i = end;
    }
    if removed == 0 {
        return (plain.to_vec(), 0);
    }
    (out, removed)
}

/// Whether the separator at `sep` between words `a` and `b` (char ranges of `plain`) goes from
/// the joined key: 0 no, 1 between single letters or punctuation (letters may collapse across
/// it), 2 white space between short chunks (`دا عش`, `الدو لة`).
fn join_rule(plain: &[KChar], a: (usize, usize), sep: usize, b: (usize, usize)) -> u8 {
    let (la, lb) = (a.1 - a.0, b.1 - b.0);
    let single = la == 1 && lb == 1;
    let ws = plain[sep].ws;
    if ws && !single && la.min(lb) > 3 {
        return 0;
    }
    let (wa, wb) = (&plain[a.0..a.1], &plain[b.0..b.1]);
    if !is_letter_word(wa) || !is_letter_word(wb) {
        return 0;
    }
    if is_arabic_letter(wa[0].c) != is_arabic_letter(wb[0].c) {
        return 0;
    }
    if !ws || single {
        1
    } else {
        2
    }
}

/// The skeleton key: Arabic letters in rasm classes (runs of one class collapsed); inside Latin
/// words, leetspeak classes.
fn skeleton_chars(plain: &[KChar]) -> Vec<KChar> {
    let mut mapped = plain.to_vec();
    for (a, b) in word_bounds(plain) {
        let w = &plain[a..b];
        let latin = w.iter().any(|k| k.c.is_ascii_alphabetic());
        let arabic = w.iter().any(|k| is_arabic_letter(k.c));
        for k in &mut mapped[a..b] {
            if arabic {
                k.c = rasm(k.c);
            } else if latin {
                k.c = latin_skeleton(k.c);
            }
        }
    }
    // Letters that became one class in a row (بيت → ٮٮٮ) are one: a dotless text cannot tell
    // `ٮٮ` for تت from `ٮ` for ت, so neither side may keep the difference.
    let mut out: Vec<KChar> = Vec::with_capacity(mapped.len());
    for k in mapped {
        match out.last_mut() {
            Some(last) if last.c == k.c && is_arabic_letter(k.c) => last.end = k.end,
            _ => out.push(k),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span<'a>(text: &'a str, key: &Key, needle: &str) -> &'a str {
        let a = key.text.find(needle).expect("needle in key");
        let (s, e) = key.original_span(a, a + needle.len()).expect("span");
        &text[s..e]
    }

    #[test]
    fn plain_key_folds_arabic_evasion() {
        assert_eq!(match_key("الـــدولـــة الإسلاميّة"), "الدوله الاسلاميه");
        assert_eq!(match_key("دااااعش"), "داعش");
        assert_eq!(match_key("دا\u{200D}عش"), "داعش");
        assert_eq!(match_key("ﺩﺍﻋﺶ"), "داعش");
        assert_eq!(match_key("دولة الخلافہ"), "دوله الخلافه");
        assert_eq!(match_key("٣ فجرا"), "3 فجرا");
    }

    #[test]
    fn plain_key_latin() {
        assert_eq!(match_key("ISIS"), "isis");
        assert_eq!(match_key("ІЅІЅ"), "isis");
        assert_eq!(match_key("Dаesh"), "daesh");
        assert_eq!(match_key("kiiiill"), "kill");
        assert_eq!(match_key("good"), "good");
        assert_eq!(match_key("#IslamicState"), "islamic state");
        assert_eq!(match_key("IslamicState"), "islamicstate");
        assert_eq!(match_key("#دولة_الخلافة"), "دوله الخلافه");
        assert_eq!(match_key("🔫للبيع"), "{weapon} لبيع");
        assert_eq!(match_key("💥💣"), "{explosion} {explosion}");
        assert_eq!(match_key("Ｉｓｉｓ"), "isis");
    }

    #[test]
    fn cyrillic_words_stay_cyrillic() {
        assert_eq!(match_key("привет"), "привет");
    }

    #[test]
    fn spans_cover_marks_and_tatweel() {
        let text = "قال: الـــدولـــةُ باقية";
        let k = keys(text, KeyOptions { all: true });
        assert_eq!(span(text, &k.plain, "الدوله"), "الـــدولـــةُ");
        let text = "دااااعش";
        let k = keys(text, KeyOptions { all: true });
        assert_eq!(span(text, &k.plain, "داعش"), "دااااعش");
    }

    #[test]
    fn joined_key_rules() {
        assert_eq!(joined_key("د ا ع ش"), "داعش");
        assert_eq!(joined_key("د.ا.ع.ش"), "داعش");
        assert_eq!(joined_key("د🌹ا🌹ع🌹ش"), "داعش");
        assert!(joined_key("الموت لـ د 🌹 ا 🌹 ع 🌹 ش").ends_with("داعش"));
        // An emoji between words is not a letter separator.
        assert_eq!(joined_key("صباح 🌹 الخير"), "صباح {rose} الخير");
        assert_eq!(joined_key("داع_ش"), "داعش");
        assert_eq!(joined_key("d.a.e.s.h"), "daesh");
        assert_eq!(joined_key("في البيت"), "فيالبيت");
        assert_eq!(joined_key("الدولة الإسلامية"), "الدوله الاسلاميه");
        let text = "هؤلاء د ا ع ش";
        let k = keys(text, KeyOptions { all: false });
        let j = k.joined.expect("joined key");
        assert_eq!(span(text, &j, "داعش"), "د ا ع ش");
    }

    #[test]
    fn skeleton_key_rules() {
        assert_eq!(skeleton_key("داعش"), skeleton_key("داعس"));
        assert_eq!(skeleton_key("الدولة"), skeleton_key("الدوله"));
        assert_eq!(skeleton_key("ISlS"), "isis");
        assert_eq!(skeleton_key("1SIS"), "isis");
        assert_eq!(skeleton_key("خلافة"), skeleton_key("حلاڡه"));
    }

    #[test]
    fn lossy_keys_only_with_signals() {
        let k = keys("اخبار الطقس اليوم", KeyOptions { all: false });
        assert!(k.joined.is_none());
        assert!(k.skeleton.is_none());
        assert!(k.arabizi.is_none());
        let k = keys("ٮاٯىه", KeyOptions { all: false });
        assert!(k.skeleton.is_some());
    }
}
