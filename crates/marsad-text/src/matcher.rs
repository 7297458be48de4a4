//! Lexicon matching: one Aho-Corasick automaton per key, Arabic word boundaries that allow
//! clitics before a term and common suffixes after it, negative and required contexts.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::arabizi::pattern_skeletons;
use crate::chars::{is_arabic_letter, is_deleted, is_dotless_signal, rasm};
use crate::lexicon::{Entry, Lexicon, Stance};
use crate::normalize::{
    match_key, push_collapsing, skeleton_key, KChar, Key, KeyKind, Keys, WORD_END, WORD_START,
};

/// Characters of context (in the plain key) on each side of a match that `neg_context` and
/// `req_context` phrases are looked for in.
pub const CONTEXT_CHARS: usize = 80;

/// Proclitics allowed before an Arabic term: conjunctions و ف, prepositions ب ك ل, future س,
/// the article ال and لل (ل + ال), in their usual combinations.
/// Dialect forms too: `عال` (على + ال, `عالسيطرة`), `وعال`, and the vocative `يا` written
/// attached (`ياروافض`).
const PREFIXES: &[&str] = &[
    "", "و", "ف", "ب", "ك", "ل", "س", "ال", "وال", "فال", "بال", "كال", "لل", "ول", "فل", "وب",
    "فب", "وك", "فك", "وس", "فس", "ولل", "فلل", "وبال", "فبال", "وكال", "فكال", "عال", "وعال",
    "يا",
];
/// Proclitics allowed before a term that starts with ال (`ع` + `الرافضة` = `عالرافضة`).
const PREFIXES_ARTICLE: &[&str] = &["", "و", "ف", "ب", "ك", "وب", "فب", "وك", "فك", "ع", "وع"];
/// Proclitics allowed before the لل variant of a term that starts with ال.
const PREFIXES_LIL: &[&str] = &["", "و", "ف"];
/// Suffixes allowed after an Arabic term: nisba, plurals, duals, pronoun suffixes.
const SUFFIXES: &[&str] = &[
    "", "ي", "يه", "يين", "يون", "يات", "ات", "ون", "ين", "ان", "ه", "ها", "هم", "هما", "هن", "ك",
    "كم", "كن", "نا", "وا", "ا", "و", "تي", "تك", "ته", "تها", "تهم", "تنا", "تكم",
];
/// Suffixes allowed after a context phrase: pronoun suffixes only. Nisba and plural endings
/// make another word (`المركزي` is not `مركز`, `البيانات` is not `بيان`).
const CONTEXT_SUFFIXES: &[&str] = &["", "ه", "ها", "هم", "نا", "ك", "كم"];
/// Suffixes allowed after a Latin term.
const LATIN_SUFFIXES: &[&str] = &["", "s", "es"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Arabic,
    Latin,
    Token,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Normal,
    /// `لل` + term without its article.
    Lil,
    /// Final ة written ت before a suffix (دولتنا): needs a non-empty suffix.
    OpenTa,
    /// A single-word term ending in ة without it, followed by the feminine plural ات
    /// (`سيطرة` → `السيطرات`): needs the suffix to start with ات.
    FemPlural,
    /// A three-letter skeleton pattern: believed only where the span itself is written with
    /// dotless-only letters (ٮ ٯ ڡ ں), as short words collide in the rasm.
    Short,
}

#[derive(Debug)]
struct Pattern {
    entries: Vec<u32>,
    script: Script,
    variant: Variant,
    starts_with_article: bool,
}

#[derive(Debug)]
struct Automaton {
    ac: AhoCorasick,
    patterns: Vec<Pattern>,
}

#[derive(Default)]
struct AutomatonBuilder {
    strings: Vec<String>,
    index: HashMap<(String, u8), usize>,
    patterns: Vec<Pattern>,
}

impl AutomatonBuilder {
    fn add(&mut self, key: String, entry: u32, variant: Variant, plain: &str) {
        if key.is_empty() {
            return;
        }
        let script = if key.starts_with('{') {
            Script::Token
        } else if key.chars().any(is_arabic_letter) {
            Script::Arabic
        } else {
            Script::Latin
        };
        let tag = variant as u8;
        if let Some(&i) = self.index.get(&(key.clone(), tag)) {
            if !self.patterns[i].entries.contains(&entry) {
                self.patterns[i].entries.push(entry);
            }
            return;
        }
        self.index.insert((key.clone(), tag), self.strings.len());
        self.strings.push(key);
        self.patterns.push(Pattern {
            entries: vec![entry],
            script,
            variant,
            starts_with_article: plain.starts_with("ال") && plain.chars().count() > 3,
        });
    }

    /// Compile the patterns: a DFA for the keys every text has (fast search, slower build), a
    /// contiguous NFA for the keys few texts need (skeleton, Arabizi: fast build).
    fn build(self, kind: AhoCorasickKind) -> Result<Option<Automaton>, aho_corasick::BuildError> {
        if self.strings.is_empty() {
            return Ok(None);
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(&self.strings)?;
        Ok(Some(Automaton {
            ac,
            patterns: self.patterns,
        }))
    }
}

/// Why an engine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Lexicon(#[from] crate::lexicon::LexiconError),
    #[error("cannot build the matcher: {0}")]
    Automaton(#[from] aho_corasick::BuildError),
}

/// One lexicon match, with its exact span in the original text.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Match {
    pub term: String,
    pub category: String,
    pub stance: Stance,
    pub weight: f32,
    pub key: KeyKind,
    /// UTF-8 byte offsets into the original text.
    pub start: usize,
    pub end: usize,
    /// `text[start..end]`.
    pub matched: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Where the lexicon row came from (`file:line`).
    pub rule: String,
}

/// Compiled lexicons.
#[derive(Debug)]
pub struct Matcher {
    entries: Vec<Entry>,
    plain: Option<Automaton>,
    joined: Option<Automaton>,
    skeleton: Option<Automaton>,
    arabizi: Option<Automaton>,
}

/// Remove spaces and re-collapse letter runs (Arabic 2+ → 1, Latin 3+ → 1), as the joined key
/// does to text.
fn squeeze(key: &str) -> String {
    collapse_runs(key, true)
}

/// Collapse letter runs exactly as the keys do ([`push_collapsing`]), optionally removing
/// spaces first.
fn collapse_runs(key: &str, remove_spaces: bool) -> String {
    let mut out: Vec<KChar> = Vec::with_capacity(key.len());
    let mut run = 0usize;
    for c in key.chars().filter(|c| !(remove_spaces && *c == ' ')) {
        let k = KChar {
            c,
            start: 0,
            end: 0,
            ws: false,
            brk: 0,
        };
        push_collapsing(&mut out, &mut run, k, c != ' ');
    }
    out.into_iter().map(|k| k.c).collect()
}

impl Matcher {
    pub fn new(lexicon: Lexicon) -> Result<Matcher, EngineError> {
        let mut plain = AutomatonBuilder::default();
        let mut joined = AutomatonBuilder::default();
        let mut skeleton = AutomatonBuilder::default();
        let mut arabizi = AutomatonBuilder::default();
        for (i, e) in lexicon.entries.iter().enumerate() {
            let i = i as u32;
            let key = match_key(&e.term);
            if key.is_empty() {
                continue;
            }
            plain.add(key.clone(), i, Variant::Normal, &key);
            if key.contains(' ') && !key.starts_with('{') {
                // Multi-word terms written run together (`#باقيةوتتمدد`, `#amaqagency`,
                // `دولة‌الخلافة` with a zero-width joiner), as one word.
                let run_together = squeeze(&key);
                if run_together.chars().filter(|c| c.is_alphanumeric()).count() >= 6 {
                    plain.add(run_together, i, Variant::Normal, &key);
                }
            }
            let arabic = key.chars().any(is_arabic_letter);
            if arabic {
                if let Some(rest) = key.strip_prefix("ال") {
                    if rest.chars().count() >= 2 {
                        plain.add(
                            collapse_runs(&format!("لل{rest}"), false),
                            i,
                            Variant::Lil,
                            &key,
                        );
                    }
                }
                if let Some(stem) = key.strip_suffix('ه') {
                    if stem.chars().count() >= 3 && !stem.ends_with(' ') {
                        plain.add(
                            collapse_runs(&format!("{stem}ت"), false),
                            i,
                            Variant::OpenTa,
                            &key,
                        );
                        if !key.contains(' ') {
                            plain.add(stem.to_string(), i, Variant::FemPlural, &key);
                        }
                    }
                }
            }
            let letters = key.chars().filter(|c| c.is_alphanumeric()).count();
            if letters >= 3 && !key.starts_with('{') {
                joined.add(squeeze(&key), i, Variant::Normal, &key);
                if key.contains(' ') {
                    // Multi-word terms whose words were spaced out one by one keep their spaces.
                    joined.add(key.clone(), i, Variant::Normal, &key);
                }
            }
            let skel = skeleton_key(&e.term);
            match skel.chars().filter(|c| c.is_alphanumeric()).count() {
                n if n >= 4 => skeleton.add(skel, i, Variant::Normal, &key),
                3 if arabic && !skel.contains(' ') => skeleton.add(skel, i, Variant::Short, &key),
                _ => {}
            }
            if arabic {
                for p in pattern_skeletons(&key) {
                    arabizi.add(p, i, Variant::Normal, &key);
                }
            }
        }
        Ok(Matcher {
            entries: lexicon.entries,
            plain: plain.build(AhoCorasickKind::DFA)?,
            joined: joined.build(AhoCorasickKind::DFA)?,
            skeleton: skeleton.build(AhoCorasickKind::ContiguousNFA)?,
            arabizi: arabizi.build(AhoCorasickKind::ContiguousNFA)?,
        })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn automaton(&self, kind: KeyKind) -> Option<&Automaton> {
        match kind {
            KeyKind::Plain => self.plain.as_ref(),
            KeyKind::Joined => self.joined.as_ref(),
            KeyKind::Skeleton => self.skeleton.as_ref(),
            KeyKind::Arabizi => self.arabizi.as_ref(),
        }
    }

    /// Find every lexicon match in `text` given its keys. Matches are non-overlapping: the
    /// longer span wins, then the plain key over joined, Arabizi and skeleton. Rows whose terms
    /// fold to the same key all match the same span.
    pub fn find(&self, text: &str, keys: &Keys) -> Vec<Match> {
        let mut candidates: Vec<(KeyKind, usize, usize, u32)> = Vec::new(); // kind, start, end, pattern
        for kind in [
            KeyKind::Plain,
            KeyKind::Joined,
            KeyKind::Arabizi,
            KeyKind::Skeleton,
        ] {
            let (Some(key), Some(auto)) = (keys.get(kind), self.automaton(kind)) else {
                continue;
            };
            for m in auto.ac.find_overlapping_iter(&key.text) {
                let p = &auto.patterns[m.pattern().as_usize()];
                if !boundaries_ok(key, text, m.start(), m.end(), p, kind) {
                    continue;
                }
                let Some((s, e)) = key.original_span(m.start(), m.end()) else {
                    continue;
                };
                if kind == KeyKind::Skeleton && !skeleton_trusted(text, s, e, keys, p.script) {
                    continue;
                }
                if p.variant == Variant::Short && !text[s..e].chars().any(is_dotless_signal) {
                    continue;
                }
                if kind == KeyKind::Joined && !joined_span_ok(&text[s..e]) {
                    continue;
                }
                candidates.push((kind, s, e, m.pattern().as_u32()));
            }
        }
        // Choose: longer spans first (a phrase over a word inside it), then by key priority
        // (plain, joined, Arabizi, skeleton), then leftmost.
        candidates.sort_by(|a, b| {
            (b.2 - b.1)
                .cmp(&(a.2 - a.1))
                .then(a.0.cmp(&b.0))
                .then(a.1.cmp(&b.1))
        });
        // Kept spans are disjoint, so the one starting last before a candidate's end decides
        // whether it overlaps.
        let mut taken: std::collections::BTreeMap<usize, usize> = Default::default();
        let mut emitted: std::collections::HashSet<(usize, usize, u32)> = Default::default();
        let mut out = Vec::new();
        for (kind, s, e, pat) in candidates {
            let same_span = taken.get(&s) == Some(&e);
            let overlaps = taken
                .range(..e)
                .next_back()
                .is_some_and(|(&ts, &te)| s < te && ts < e);
            if overlaps && !same_span {
                continue;
            }
            let Some(auto) = self.automaton(kind) else {
                continue;
            };
            let mut any = false;
            for &ei in &auto.patterns[pat as usize].entries {
                let entry = &self.entries[ei as usize];
                if !context_ok(entry, &keys.plain, s, e) || !emitted.insert((s, e, ei)) {
                    continue;
                }
                any = true;
                out.push(Match {
                    term: entry.term.clone(),
                    category: entry.category.clone(),
                    stance: entry.stance,
                    weight: entry.weight,
                    key: kind,
                    start: s,
                    end: e,
                    matched: text[s..e].to_string(),
                    note: entry.note.clone(),
                    rule: entry.source.clone(),
                });
            }
            if any && !same_span {
                taken.insert(s, e);
            }
        }
        out.sort_by(|a, b| a.start.cmp(&b.start).then(a.end.cmp(&b.end)));
        out
    }
}

/// Longest proclitic / suffix sequence (in characters) any rule allows, plus one.
const MAX_AFFIX: usize = 6;

/// The proclitics before `start` and the suffixes after `end` within the same word. Looks at
/// most [`MAX_AFFIX`] characters each way (constant time, however long the word): a longer
/// attachment is no allowed affix, and `None` says so.
fn word_bounds(key: &str, start: usize, end: usize) -> (Option<&str>, Option<&str>) {
    let mut ws = start;
    let mut prefix_ok = false;
    for (n, (i, c)) in key[..start].char_indices().rev().enumerate() {
        if c == ' ' {
            prefix_ok = true;
            break;
        }
        if n >= MAX_AFFIX {
            break;
        }
        ws = i;
    }
    if ws == 0 || key[..start].chars().rev().take(MAX_AFFIX + 1).count() <= MAX_AFFIX {
        prefix_ok |= key[..ws].is_empty() || key[..ws].ends_with(' ');
    }
    let mut we = end;
    let mut suffix_ok = false;
    for (n, (i, c)) in key[end..].char_indices().enumerate() {
        if c == ' ' {
            suffix_ok = true;
            break;
        }
        if n >= MAX_AFFIX {
            break;
        }
        we = end + i + c.len_utf8();
    }
    suffix_ok |= we == key.len();
    (
        prefix_ok.then(|| &key[ws..start]),
        suffix_ok.then(|| &key[end..we]),
    )
}

/// Is `s` in `set`, directly or — when the term's edge letter stands for a collapsed run
/// (`edge` is `Some`) — once the letter the key collapsed into it is put back (`ال` + `لواء` is
/// keyed `الواء`: the prefix seen is `ا`)?
fn affix_ok(s: &str, set: &[&str], kind: KeyKind, edge: Option<char>, before: bool) -> bool {
    if in_set(s, set, kind) {
        return true;
    }
    let Some(c) = edge.filter(|c| is_arabic_letter(*c) || kind == KeyKind::Skeleton) else {
        return false;
    };
    let restored = if before {
        format!("{s}{c}")
    } else {
        format!("{c}{s}")
    };
    in_set(&restored, set, kind)
}

fn in_set(s: &str, set: &[&str], kind: KeyKind) -> bool {
    if kind == KeyKind::Skeleton {
        set.iter()
            .any(|p| p.chars().count() == s.chars().count() && p.chars().map(rasm).eq(s.chars()))
    } else {
        set.contains(&s)
    }
}

/// Like [`word_bounds`], but on the joined key the words are the plain key's words before
/// their separators were removed ([`WORD_START`] / [`WORD_END`] flags): a match must start at
/// such a word's start (after allowed proclitics) and end at its end (before allowed suffixes).
fn joined_bounds(key: &Key, start: usize, end: usize) -> (Option<&str>, Option<&str>) {
    let k = key.text.as_str();
    let mut prefix = None;
    let mut at = start;
    for _ in 0..=MAX_AFFIX {
        if key.brk_at(at) & WORD_START != 0 {
            prefix = Some(&k[at..start]);
            break;
        }
        match k[..at].chars().next_back() {
            Some(' ') => {
                prefix = Some(&k[at..start]);
                break;
            }
            Some(c) => at -= c.len_utf8(),
            None => {
                prefix = Some(&k[..start]);
                break;
            }
        }
    }
    let mut suffix = None;
    let mut at = k[..end]
        .char_indices()
        .next_back()
        .map(|(i, _)| i)
        .unwrap_or(start);
    for _ in 0..=MAX_AFFIX {
        let c_len = k[at..].chars().next().map(char::len_utf8).unwrap_or(0);
        if key.brk_at(at) & WORD_END != 0 {
            suffix = Some(&k[end.min(at + c_len)..at + c_len]);
            break;
        }
        let next = at + c_len;
        match k[next..].chars().next() {
            Some(' ') | None => {
                suffix = Some(&k[end.min(next)..next]);
                break;
            }
            Some(_) => at = next,
        }
    }
    (prefix, suffix)
}

/// Does the key character at byte `at` stand for a run of two or more original letters (a
/// collapsed doubling), so that an affix may have lost its edge letter into it?
fn collapsed_at(key: &Key, text: &str, at: usize) -> bool {
    let Some(c) = key.text[at..].chars().next() else {
        return false;
    };
    key.original_span(at, at + c.len_utf8())
        .map(|(s, e)| {
            text[s..e]
                .chars()
                .filter(|c| crate::chars::is_letter(*c))
                .count()
                >= 2
        })
        .unwrap_or(false)
}

fn boundaries_ok(
    key: &Key,
    text: &str,
    start: usize,
    end: usize,
    p: &Pattern,
    kind: KeyKind,
) -> bool {
    let k = key.text.as_str();
    let bounds = if kind == KeyKind::Joined {
        joined_bounds(key, start, end)
    } else {
        word_bounds(k, start, end)
    };
    let (Some(prefix), Some(suffix)) = bounds else {
        return p.script == Script::Token;
    };
    let first = k[start..end]
        .chars()
        .next()
        .filter(|_| collapsed_at(key, text, start));
    let last_at = k[..end]
        .char_indices()
        .next_back()
        .map(|(i, _)| i)
        .unwrap_or(start);
    let last = k[start..end]
        .chars()
        .next_back()
        .filter(|_| collapsed_at(key, text, last_at));
    match p.script {
        Script::Token => true,
        Script::Latin => {
            // Latin terms are whole words; a digit or letter glued before is another word.
            prefix.is_empty() && in_set(suffix, LATIN_SUFFIXES, kind)
        }
        Script::Arabic => {
            if kind == KeyKind::Arabizi {
                return (prefix.is_empty() || prefix == "ال") && suffix.is_empty();
            }
            let prefixes = match p.variant {
                Variant::Lil => PREFIXES_LIL,
                _ if p.starts_with_article => PREFIXES_ARTICLE,
                _ => PREFIXES,
            };
            if !affix_ok(prefix, prefixes, kind, first, true) {
                return false;
            }
            if p.variant == Variant::OpenTa {
                return !suffix.is_empty() && affix_ok(suffix, SUFFIXES, kind, last, false);
            }
            if p.variant == Variant::FemPlural {
                return suffix
                    .strip_prefix("ات")
                    .is_some_and(|rest| in_set(rest, SUFFIXES, kind));
            }
            affix_ok(suffix, SUFFIXES, kind, last, false)
        }
    }
}

/// A skeleton match is only believed when the text is written without dots there: the span
/// contains a letter only dotless writing uses (or ى inside a word), the whole text is dotless,
/// or (Latin) the span mixes letters with look-alike digits or `l`.
fn skeleton_trusted(text: &str, s: usize, e: usize, keys: &Keys, script: Script) -> bool {
    let span = &text[s..e];
    match script {
        Script::Arabic => {
            keys.signals.dotless_style()
                || span.chars().any(is_dotless_signal)
                || span.char_indices().any(|(i, c)| {
                    c == 'ى' && span[i + c.len_utf8()..].chars().any(is_arabic_letter)
                })
        }
        Script::Latin => span
            .chars()
            .any(|c| c.is_ascii_digit() || c == 'l' || c == '|'),
        Script::Token => false,
    }
}

/// A joined match is believed when something was actually joined inside it (else the plain key
/// decided), and — when white space was removed — one of the pieces is a chunk of at most two
/// letters, as spaced-out writing has (`دا عش`, `الدو لة`); two ordinary words side by side
/// are not read as one.
fn joined_span_ok(span: &str) -> bool {
    if !span.chars().any(|c| !c.is_alphanumeric() && !is_deleted(c)) {
        return false;
    }
    if !span.chars().any(char::is_whitespace) {
        return true;
    }
    span.split(|c: char| !c.is_alphanumeric() && !is_deleted(c))
        .filter(|p| !p.is_empty())
        .any(|p| p.chars().filter(|c| crate::chars::is_letter(*c)).count() <= 2)
}

/// The plain-key text within [`CONTEXT_CHARS`] of the original span `[s, e)`.
fn context_window(plain: &Key, s: usize, e: usize) -> &str {
    let text = &plain.text;
    let a = plain.key_pos_at(s).min(text.len());
    let b = plain.key_pos_at(e).min(text.len());
    let b = b.max(a);
    let start = text[..a]
        .char_indices()
        .rev()
        .nth(CONTEXT_CHARS - 1)
        .map(|(i, _)| i)
        .unwrap_or(0);
    let end = text[b..]
        .char_indices()
        .nth(CONTEXT_CHARS)
        .map(|(i, _)| b + i)
        .unwrap_or(text.len());
    &text[start..end]
}

/// Does `phrase` occur in `window` as whole words (proclitics before and suffixes after are
/// allowed, as for terms)? `مركز` is not found in `المركزي`, nor `بيان` in `البيانات`.
fn has_phrase(window: &str, phrase: &str) -> bool {
    let arabic = phrase.chars().any(is_arabic_letter);
    window.match_indices(phrase).any(|(i, m)| {
        let (prefix, suffix) = word_bounds(window, i, i + m.len());
        match (prefix, suffix) {
            (Some(p), Some(s)) if arabic => PREFIXES.contains(&p) && CONTEXT_SUFFIXES.contains(&s),
            (Some(p), Some(s)) => p.is_empty() && LATIN_SUFFIXES.contains(&s),
            _ => false,
        }
    })
}

fn context_ok(entry: &Entry, plain: &Key, s: usize, e: usize) -> bool {
    if entry.neg_context.is_empty() && entry.req_context.is_empty() {
        return true;
    }
    let window = context_window(plain, s, e);
    if entry.neg_context.iter().any(|p| has_phrase(window, p)) {
        return false;
    }
    entry.req_context.is_empty() || entry.req_context.iter().any(|p| has_phrase(window, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{keys, KeyOptions};

    fn matcher(csv: &str) -> Matcher {
        Matcher::new(Lexicon::parse(csv.as_bytes(), "t").unwrap()).unwrap()
    }

    fn find(m: &Matcher, text: &str) -> Vec<(String, String, KeyKind)> {
        m.find(text, &keys(text, KeyOptions { all: false }))
            .into_iter()
            .map(|x| (x.term, x.matched, x.key))
            .collect()
    }

    pub(super) const LEX: &str = "term,category,weight,stance,note,neg_context,req_context\n\
        داعش,group_name,1,opponent,,,\n\
        الدولة الإسلامية,group_name,1,supporter,,,\n\
        دولة الخلافة,group_name,1,supporter,,,\n\
        مؤسسة الفرقان,outlet,1,supporter,,للتراث|مخطوطات,\n\
        الحياة,outlet,0.5,supporter,,,مركز\n\
        isis,group_name,1,opponent,,,\n\
        🔫,weapons_sale,0.3,,,,\n";

    #[test]
    fn clitics_and_suffixes() {
        let m = matcher(LEX);
        assert_eq!(find(&m, "والدولة الإسلامية")[0].1, "الدولة الإسلامية");
        assert_eq!(find(&m, "للدولة الإسلامية")[0].1, "للدولة الإسلامية");
        assert_eq!(find(&m, "بداعش")[0].1, "داعش");
        assert_eq!(find(&m, "الدواعش داعشيين")[0].1, "داعش");
        assert_eq!(find(&m, "دولتنا دولة الخلافة").len(), 1);
        assert!(find(&m, "مداعشة").is_empty());
        assert!(find(&m, "crisis").is_empty());
        assert_eq!(find(&m, "ISIS's claim")[0].1, "ISIS");
    }

    #[test]
    fn contexts() {
        let m = matcher(LEX);
        assert!(find(&m, "مؤسسة الفرقان للتراث الإسلامي").is_empty());
        assert_eq!(find(&m, "إصدار جديد من مؤسسة الفرقان").len(), 1);
        assert!(find(&m, "الحياة جميلة").is_empty());
        assert_eq!(find(&m, "مركز الحياة للإعلام").len(), 1);
    }

    #[test]
    fn evasion_keys() {
        let m = matcher(LEX);
        assert_eq!(
            find(&m, "هؤلاء د ا ع ش"),
            vec![("داعش".into(), "د ا ع ش".into(), KeyKind::Joined)]
        );
        assert_eq!(find(&m, "ٮاٯىه دولة الحلاڡه")[0].2, KeyKind::Skeleton);
        assert_eq!(find(&m, "ISlS")[0].2, KeyKind::Skeleton);
        assert_eq!(
            find(&m, "wallah da3esh"),
            vec![("داعش".into(), "da3esh".into(), KeyKind::Arabizi)]
        );
        assert_eq!(find(&m, "🔫 للبيع")[0].1, "🔫");
    }
}
