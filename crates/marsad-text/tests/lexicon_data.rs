#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The shipped lexicons (`lexicons/*.csv`) and the engine's fixtures
//! (`tests/fixtures/evasion.tsv`, `tests/fixtures/negatives.tsv`) are consistent data: every row
//! loads and is documented, no row repeats another once folded, every fixture names a real
//! lexicon row. (Whether the engine matches the fixtures is tested with the engine.)

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use marsad_text::lexicon::CATEGORIES;
use marsad_text::{match_key, Lexicon};

const HEADER: &str = "term,category,weight,stance,note,neg_context,req_context";

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

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn lexicon_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("lexicons"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    files
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

#[test]
fn every_shipped_row_loads_and_is_documented() {
    let files = lexicon_files();
    assert!(files.len() >= 12, "lexicon files: {files:?}");
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(
            text.lines().next(),
            Some(HEADER),
            "{}: header row",
            path.display()
        );
        let lex = Lexicon::load(path).unwrap();
        assert!(!lex.is_empty(), "{}", path.display());
        let is_places = path.file_name().is_some_and(|n| n == "places.csv");
        for e in &lex.entries {
            assert!(
                CATEGORIES.contains(&e.category.as_str()),
                "{}: category {}",
                e.source,
                e.category
            );
            assert!(!e.note.trim().is_empty(), "{}: empty note", e.source);
            assert_eq!(
                e.category == "place",
                is_places,
                "{}: place rows belong in places.csv only",
                e.source
            );
            if is_places {
                let level = e.note.split(':').next().unwrap_or_default();
                assert!(
                    ["governorate", "district", "subdistrict", "city"].contains(&level),
                    "{}: note `{}`",
                    e.source,
                    e.note
                );
            }
        }
    }
}

#[test]
fn no_row_repeats_another_once_folded() {
    // Rows that differ only by what the engine folds (hamza, ى/ي, ة/ه, diacritics, case,
    // Persian letters...) are one row: the second would never be reported.
    let mut seen: HashMap<(String, String), String> = HashMap::new();
    let mut dups = Vec::new();
    for path in lexicon_files() {
        for e in Lexicon::load(&path).unwrap().entries {
            let key = (match_key(&e.term), e.category.clone());
            if let Some(first) = seen.get(&key) {
                dups.push(format!("{} repeats {} ({})", e.source, first, e.term));
            } else {
                seen.insert(key, e.source.clone());
            }
        }
    }
    assert!(dups.is_empty(), "{dups:#?}");
}

#[test]
fn evasion_fixture_names_real_rows_and_covers_every_tactic() {
    let lex = Lexicon::defaults().unwrap();
    let rows: HashSet<(&str, &str)> = lex
        .entries
        .iter()
        .map(|e| (e.term.as_str(), e.category.as_str()))
        .collect();
    let text = fixture("evasion.tsv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("tactic\ttext\tterm\tcategory\tmatched"));
    let mut per_tactic: HashMap<&str, usize> = HashMap::new();
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 5, "evasion.tsv line {}: {line}", i + 2);
        let (tactic, text, term, category, matched) = (f[0], f[1], f[2], f[3], f[4]);
        assert!(TACTICS.contains(&tactic), "line {}: tactic {tactic}", i + 2);
        assert!(
            rows.contains(&(term, category)),
            "line {}: no lexicon row ({term}, {category})",
            i + 2
        );
        assert!(
            !matched.is_empty() && text.contains(matched),
            "line {}: `{matched}` is not in the text",
            i + 2
        );
        *per_tactic.entry(tactic).or_default() += 1;
    }
    for t in TACTICS {
        let n = per_tactic.get(t).copied().unwrap_or(0);
        assert!(n >= 12, "tactic {t}: {n} cases");
    }
}

#[test]
fn negatives_fixture_is_well_formed() {
    let text = fixture("negatives.tsv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("text\tforbidden\tnote"));
    let mut n = 0;
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "negatives.tsv line {}: {line}", i + 2);
        assert!(!f[0].trim().is_empty() && !f[2].trim().is_empty());
        for c in f[1].split('|') {
            assert!(
                c == "*" || CATEGORIES.contains(&c),
                "line {}: category {c}",
                i + 2
            );
        }
        n += 1;
    }
    assert!(n >= 40, "{n} negative cases");
}
