#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The text classifier end to end: reading fixtures (the OSACT 2022 trap), training,
//! explanations pointing at the right substrings, and the OSACT 2022 conformance floor
//! (runs when `../shared/data` exists).

use std::path::{Path, PathBuf};

use marsad_detect::text_classifier::data::{self, ColumnSpec, ReadError};
use marsad_detect::text_classifier::metrics::Counts;
use marsad_detect::text_classifier::{train, Example, Model, Objective, TrainOptions};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/classifier")
        .join(rel)
}

fn shared_data() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("MARSAD_SHARED_DATA") {
        return Some(PathBuf::from(p));
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if p.is_dir() {
        Some(p)
    } else {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "skipped: ../shared/data not found");
        None
    }
}

fn osact_spec() -> ColumnSpec {
    ColumnSpec {
        text_col: "Tweet".into(),
        labels: vec![
            "Offensive=OFF".parse().unwrap(),
            "hate:Hate=!NOT_HS".parse().unwrap(),
        ],
        no_header: false,
    }
}

fn read(path: &Path, spec: Option<&ColumnSpec>) -> (Vec<Example>, Vec<String>) {
    let mut src = data::open(path, None, spec).unwrap();
    let mut ok = Vec::new();
    let mut rejected = Vec::new();
    while let Some(r) = src.next_example() {
        match r {
            Ok(e) => ok.push(e),
            Err(ReadError::Record(r)) => rejected.push(r.to_string()),
            Err(ReadError::Fatal(e)) => panic!("{e}"),
        }
    }
    (ok, rejected)
}

#[test]
fn osact_like_csv_keeps_every_row() {
    let (ex, rejected) = read(&fixture("osact2022_like.csv"), Some(&osact_spec()));
    // 80 comma rows + the unbalanced-quote row + 12 tab rows; the short row is rejected.
    assert_eq!(ex.len(), 93);
    assert_eq!(rejected.len(), 1);
    assert!(
        rejected[0].contains("osact2022_like.csv:95"),
        "{rejected:?}"
    );
    let broken = &ex[80];
    assert_eq!(broken.text, " يا كلب بدون اقتباس مغلق");
    assert_eq!(broken.labels, ["offensive"]);
    assert_eq!(ex[81].text, "يا كلب \nانت");
    assert_eq!(ex[0].labels, ["hate", "offensive"]);
    assert!(ex[0].text.contains(", انت"), "{}", ex[0].text);
}

fn fixture_model() -> Model {
    let (ex, _) = read(&fixture("train.jsonl"), None);
    train(&ex, vec!["train.jsonl".into()], &TrainOptions::default())
        .unwrap()
        .0
}

#[test]
fn trained_fixture_model_generalises() {
    let m = fixture_model();
    let (test, rejected) = read(&fixture("test.jsonl"), None);
    assert_eq!(rejected.len(), 1);
    let mut c = Counts::default();
    for e in &test {
        let p = m.predict(&e.text);
        c.add(!p.labels.is_empty(), !e.labels.is_empty());
    }
    assert_eq!(c.f1(), 1.0, "{c:?}");
}

#[test]
fn explanations_point_at_the_right_substrings() {
    let m = fixture_model();
    // Evasion written into the text: the spans still cut out the original characters.
    let text = "صباح حـمـار 😡";
    let ex = m.explain(text, 5);
    assert!(!ex.is_empty());
    assert!(ex.iter().all(|c| c.label == "insult" && c.weight > 0.0));
    let w = ex.windows(2).all(|p| p[0].weight >= p[1].weight);
    assert!(w, "sorted by contribution: {ex:?}");
    for c in &ex {
        assert!(!c.spans.is_empty(), "{c:?}");
        for &(a, b) in &c.spans {
            let sub = &text[a..b];
            // The span's match key is the feature's n-gram (char/word features).
            if let Some(gram) = c
                .feature
                .strip_prefix("char:")
                .or_else(|| c.feature.strip_prefix("word:"))
            {
                assert_eq!(marsad_text::match_key(sub), gram, "{c:?} {sub:?}");
            }
        }
    }
    // The strongest evidence is inside "حـمـار" (as written, tatweel included).
    let start = text.find("حـمـار").unwrap();
    let end = start + "حـمـار".len();
    let top = &ex[0];
    assert!(
        top.spans.iter().any(|&(a, b)| a >= start && b <= end),
        "{top:?}"
    );
}

#[test]
fn threshold_objective_precision_is_respected() {
    let (ex, _) = read(&fixture("train.jsonl"), None);
    let opts = TrainOptions {
        objective: Objective::Precision(0.95),
        ..TrainOptions::default()
    };
    let (m, _) = train(&ex, vec![], &opts).unwrap();
    let v = m.header().labels[0].valid.clone().unwrap();
    assert!(v.precision >= 0.95, "{v:?}");
}

#[test]
fn osact2022_conformance() {
    let Some(root) = shared_data() else { return };
    let dir = root.join("text/osact2022");
    let spec = osact_spec();
    let (train_ex, rejected) = read(&dir.join("train.csv"), Some(&spec));
    // The trap: 8,887 rows, none lost.
    assert_eq!(train_ex.len(), 8887, "{rejected:?}");
    let opts = TrainOptions {
        objective: Objective::MacroF1,
        c: Some(1.0),
        ..TrainOptions::default()
    };
    let (m, _) = train(&train_ex, vec!["train.csv".into()], &opts).unwrap();
    let (dev, _) = read(&dir.join("dev.csv"), Some(&spec));
    assert_eq!(dev.len(), 1270);
    let mut counts = vec![Counts::default(); m.labels().len()];
    for e in &dev {
        let p = m.predict(&e.text);
        for (l, label) in m.labels().iter().enumerate() {
            counts[l].add(p.labels.contains(label), e.labels.contains(label));
        }
    }
    let f = |name: &str| {
        let l = m.labels().iter().position(|x| x == name).unwrap();
        counts[l].macro_f1()
    };
    // Measured 0.773 (offensive) and 0.748 (hate) with these options; floors a little below.
    let (off, hate) = (f("offensive"), f("hate"));
    eprintln!("osact2022 dev: offensive macro-F1 {off:.4}, hate macro-F1 {hate:.4}");
    assert!(off >= 0.75, "offensive macro-F1 {off}");
    assert!(hate >= 0.72, "hate macro-F1 {hate}");
}
