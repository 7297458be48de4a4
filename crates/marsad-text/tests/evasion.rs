#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The evasion suite: every tactic in `tests/fixtures/evasion.tsv` (at least 10 cases each)
//! must yield the expected lexicon term with the exact original span, and no text in
//! `tests/fixtures/negatives.tsv` may yield a forbidden category.

use std::collections::BTreeMap;
use std::path::Path;

use marsad_text::{Engine, ScanOptions};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn rows(name: &str, columns: usize) -> Vec<(usize, Vec<String>)> {
    fixture(name)
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let f: Vec<String> = l.split('\t').map(str::to_string).collect();
            assert_eq!(f.len(), columns, "{name}:{}: {} columns", i + 1, f.len());
            (i + 1, f)
        })
        .collect()
}

#[test]
fn evasion_suite() {
    let engine = Engine::with_defaults().unwrap();
    let mut per_tactic: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for (line, f) in rows("evasion.tsv", 5) {
        let (tactic, text, term, category, matched) = (&f[0], &f[1], &f[2], &f[3], &f[4]);
        let r = engine.scan(text, ScanOptions { keys: true });
        let ok = r
            .matches
            .iter()
            .any(|m| &m.term == term && &m.category == category && &m.matched == matched);
        let e = per_tactic.entry(tactic.clone()).or_default();
        e.0 += 1;
        if ok {
            e.1 += 1;
            // The span is exact: the offsets cut out the reported substring.
            let m = r.matches.iter().find(|m| &m.term == term).unwrap();
            assert_eq!(&text[m.start..m.end], m.matched);
        } else {
            failures.push(format!(
                "evasion.tsv:{line} [{tactic}] {text:?}: want {term} ({category}) = {matched:?}; got {:?}; keys {:?}",
                r.matches.iter().map(|m| (&m.term, &m.matched, m.key)).collect::<Vec<_>>(),
                r.keys
            ));
        }
    }
    for (tactic, (n, ok)) in &per_tactic {
        eprintln!("{tactic:20} {ok}/{n}");
        assert!(*n >= 10, "tactic {tactic} has only {n} cases");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn negatives() {
    let engine = Engine::with_defaults().unwrap();
    let mut failures = Vec::new();
    for (line, f) in rows("negatives.tsv", 3) {
        let (text, forbidden) = (&f[0], &f[1]);
        let r = engine.scan(text, ScanOptions::default());
        let bad: Vec<_> = r
            .matches
            .iter()
            .filter(|m| forbidden == "*" || forbidden.split('|').any(|c| c == m.category))
            .map(|m| {
                format!(
                    "{} ({}) = {:?} [{:?}]",
                    m.term, m.category, m.matched, m.key
                )
            })
            .collect();
        if !bad.is_empty() {
            failures.push(format!("negatives.tsv:{line} {text:?}: {}", bad.join(", ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
