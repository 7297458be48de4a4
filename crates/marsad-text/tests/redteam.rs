#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Red-team cases for the text engine, written independently of `evasion.tsv`:
//! `tests/fixtures/evasion_extra.tsv` (same columns as `evasion.tsv`, same span rule) and
//! `tests/fixtures/negatives_extra.tsv` (same columns as `negatives.tsv`), plus the seed
//! articles split into sentences (conformance, from `../shared/seeds`).
//!
//! The fixtures hold every case written, passing or not. The negatives must all pass; the
//! evasion cases are a ratchet (`KNOWN_EVASION_FAILURES` may only go down), and
//! `cargo test -- --ignored` lists exactly the ones that remain.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use marsad_text::lexicon::CATEGORIES;
use marsad_text::{Engine, Lexicon, ScanOptions};

const TACTICS: &[&str] = &[
    "tatweel",
    "diacritics",
    "invisible",
    "spacing",
    "repetition",
    "presentation_forms",
    "persian_letters",
    "dotless",
    "arabizi",
    "homoglyphs",
    "hashtags",
    "emoji",
    "clitics",
    "mixed",
];

/// Categories a news, counter-speech or seed sentence must never produce.
const NEWS_FORBIDDEN: &[&str] = &[
    "incitement",
    "recruitment",
    "weapons_sale",
    "glorification",
    "slogan",
];

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

/// Data rows (line number, fields) of a TSV fixture whose header is `header`.
fn rows(name: &str, header: &str) -> Vec<(usize, Vec<String>)> {
    let text = fixture(name);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(header), "{name}: header");
    let columns = header.split('\t').count();
    lines
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let f: Vec<String> = l.split('\t').map(str::to_string).collect();
            assert_eq!(f.len(), columns, "{name}:{}: {} columns", i + 2, f.len());
            (i + 2, f)
        })
        .collect()
}

fn evasion_rows() -> Vec<(usize, Vec<String>)> {
    rows("evasion_extra.tsv", "tactic\ttext\tterm\tcategory\tmatched")
}

fn negative_rows() -> Vec<(usize, Vec<String>)> {
    rows("negatives_extra.tsv", "text\tforbidden\tnote")
}

#[test]
fn extra_fixtures_are_well_formed() {
    let lex = Lexicon::defaults().unwrap();
    let known: HashSet<(&str, &str)> = lex
        .entries
        .iter()
        .map(|e| (e.term.as_str(), e.category.as_str()))
        .collect();
    let mut per_tactic: BTreeMap<&str, usize> = BTreeMap::new();
    let evasion = evasion_rows();
    for (line, f) in &evasion {
        let (tactic, text, term, category, matched) = (&f[0], &f[1], &f[2], &f[3], &f[4]);
        let tactic = TACTICS
            .iter()
            .find(|t| **t == tactic.as_str())
            .unwrap_or_else(|| panic!("evasion_extra.tsv:{line}: tactic {tactic}"));
        assert!(
            known.contains(&(term.as_str(), category.as_str())),
            "evasion_extra.tsv:{line}: no lexicon row ({term}, {category})"
        );
        assert!(
            !matched.is_empty() && text.contains(matched.as_str()),
            "evasion_extra.tsv:{line}: `{matched}` is not in the text"
        );
        *per_tactic.entry(tactic).or_default() += 1;
    }
    for t in TACTICS {
        let n = per_tactic.get(t).copied().unwrap_or(0);
        assert!(n >= 8, "evasion_extra.tsv: tactic {t} has {n} cases");
    }
    let negatives = negative_rows();
    for (line, f) in &negatives {
        assert!(!f[0].trim().is_empty() && !f[2].trim().is_empty());
        for c in f[1].split('|') {
            assert!(
                c == "*" || CATEGORIES.contains(&c),
                "negatives_extra.tsv:{line}: category {c}"
            );
        }
    }
    assert!(negatives.len() >= 40, "{} negative cases", negatives.len());
}

/// Every failing evasion case, as a readable line.
fn evasion_failures(engine: &Engine) -> (Vec<String>, BTreeMap<String, (usize, usize)>) {
    let mut per_tactic: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for (line, f) in evasion_rows() {
        let (tactic, text, term, category, matched) = (&f[0], &f[1], &f[2], &f[3], &f[4]);
        let r = engine.scan(text, ScanOptions { keys: true });
        let hit = r
            .matches
            .iter()
            .find(|m| &m.term == term && &m.category == category && &m.matched == matched);
        let e = per_tactic.entry(tactic.clone()).or_default();
        e.0 += 1;
        match hit {
            Some(m) => {
                e.1 += 1;
                assert_eq!(&text[m.start..m.end], m.matched, "offsets cut the span");
            }
            None => failures.push(format!(
                "evasion_extra.tsv:{line} [{tactic}] {text:?}: want {term} ({category}) = {matched:?}; got {:?}; keys {:?}",
                r.matches.iter().map(|m| (&m.term, &m.matched, m.key)).collect::<Vec<_>>(),
                r.keys
            )),
        }
    }
    (failures, per_tactic)
}

/// Cases of `evasion_extra.tsv` the engine does not pass yet (a ratchet: lower it as the engine
/// improves; `cargo test -p marsad-text --test redteam -- --ignored` lists them).
const KNOWN_EVASION_FAILURES: usize = 9;

#[test]
fn evasion_extra_ratchet() {
    let engine = Engine::with_defaults().unwrap();
    let (failures, _) = evasion_failures(&engine);
    assert!(
        failures.len() <= KNOWN_EVASION_FAILURES,
        "{} failures (known: {KNOWN_EVASION_FAILURES}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
#[ignore = "lists every red-team evasion case the engine does not pass yet"]
fn evasion_extra_suite() {
    let engine = Engine::with_defaults().unwrap();
    let (failures, per_tactic) = evasion_failures(&engine);
    for (tactic, (n, ok)) in &per_tactic {
        eprintln!("{tactic:20} {ok}/{n}");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Forbidden matches in `text`, as readable strings.
fn forbidden_matches(engine: &Engine, text: &str, forbidden: &[&str]) -> Vec<String> {
    engine
        .scan(text, ScanOptions::default())
        .matches
        .iter()
        .filter(|m| forbidden == ["*"] || forbidden.contains(&m.category.as_str()))
        .map(|m| {
            format!(
                "{} ({}) = {:?} [{:?}]",
                m.term, m.category, m.matched, m.key
            )
        })
        .collect()
}

#[test]
fn negatives_extra_suite() {
    let engine = Engine::with_defaults().unwrap();
    let mut failures = Vec::new();
    for (line, f) in negative_rows() {
        let forbidden: Vec<&str> = f[1].split('|').collect();
        let bad = forbidden_matches(&engine, &f[0], &forbidden);
        if !bad.is_empty() {
            failures.push(format!(
                "negatives_extra.tsv:{line} {:?}: {}",
                f[0],
                bad.join(", ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `../shared/seeds` beside the repository, or `None` after printing the skip notice.
fn shared_seeds() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    if p.is_dir() {
        Some(p)
    } else {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "skipped: ../shared/seeds not found");
        None
    }
}

/// Sentences of an article: split on line breaks and sentence punctuation.
fn sentences(text: &str) -> Vec<&str> {
    text.split(['\n', '.', '،', '؟', '!', '?', '؛'])
        .map(str::trim)
        .filter(|s| s.chars().filter(|c| c.is_alphabetic()).count() >= 8)
        .collect()
}

#[test]
fn seed_article_sentences_are_reporting() {
    let Some(dir) = shared_seeds() else { return };
    let engine = Engine::with_defaults().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "seed articles: {files:?}");
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        for s in sentences(&text) {
            checked += 1;
            let bad = forbidden_matches(&engine, s, NEWS_FORBIDDEN);
            if !bad.is_empty() {
                failures.push(format!("{}: {s:?}: {}", path.display(), bad.join(", ")));
            }
        }
    }
    assert!(checked >= 50, "{checked} seed sentences");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
