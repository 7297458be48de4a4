#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Property tests: normalization is idempotent, offsets land on character boundaries and map
//! back to the original, nothing panics on arbitrary Unicode (including huge inputs).

use marsad_text::lang::ScriptCounts;
use marsad_text::{keys, match_key, Engine, KeyKind, KeyOptions, Lexicon};
use proptest::prelude::*;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(Lexicon::defaults().unwrap()).unwrap())
}

/// Text mixing the scripts and characters the normalizer cares about.
fn mixed_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "داعش",
        "الدولة",
        "الإسلامية",
        "ـ",
        "\u{064E}",
        "\u{0651}",
        "\u{06D6}",
        "\u{200D}",
        "\u{202E}",
        "ٮ",
        "ٯ",
        "ی",
        "ک",
        "ہ",
        "ﻻ",
        "ﺩ",
        "٣",
        "۷",
        "ISIS",
        "ІЅІЅ",
        "l",
        "1",
        "da3esh",
        "el",
        "#",
        "_",
        ".",
        " ",
        "\n",
        "🔫",
        "💣",
        "\u{FE0F}",
        "{weapon}",
        "{",
        "}",
        "@x",
        "t.me/",
        "https://",
        "www.",
        "ڕ",
        "ٹ",
        "ê",
        "\u{00A0}",
        "07701234567",
        "33.3,44.4",
        "°",
        "′",
        "الساعة",
        "فجراً",
        ":",
        "é",
        "ß",
        "İ",
        "ẞ",
        "ǅ",
        "ﬁ",
        "Ａ",
        "𝐀",
        "\u{0300}",
        "ا",
        "ل",
        "لل",
        "ي",
        "ى",
        "ة",
        "ؤ",
        "ئ",
        "ء",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(String::from), any::<String>()],
        0..24,
    )
    .prop_map(|v| v.concat())
}

fn check_spans(text: &str) {
    let k = keys(text, KeyOptions { all: true });
    for kind in [
        KeyKind::Plain,
        KeyKind::Joined,
        KeyKind::Skeleton,
        KeyKind::Arabizi,
    ] {
        let Some(key) = k.get(kind) else { continue };
        let mut last_start = 0;
        for (i, c) in key.text.char_indices() {
            let (s, e) = key.original_span(i, i + c.len_utf8()).unwrap();
            assert!(s <= e, "{kind:?} span {s}..{e}");
            assert!(
                text.is_char_boundary(s) && text.is_char_boundary(e),
                "{kind:?} {s}..{e}"
            );
            assert!(e <= text.len());
            assert!(s >= last_start, "{kind:?} spans go backwards");
            last_start = s;
        }
    }
}

fn check_scan(text: &str) {
    let r = engine().scan(text, Default::default());
    for m in &r.matches {
        assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
        assert_eq!(&text[m.start..m.end], m.matched);
    }
    let e = &r.entities;
    for x in e
        .urls
        .iter()
        .chain(&e.mentions)
        .chain(&e.hashtags)
        .chain(&e.phones)
        .chain(&e.emails)
        .chain(&e.coordinates)
        .chain(&e.times)
        .chain(&e.places)
    {
        assert_eq!(&text[x.start..x.end], x.matched);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn match_key_is_idempotent(text in mixed_text()) {
        let once = match_key(&text);
        prop_assert_eq!(match_key(&once), once.clone());
    }

    #[test]
    fn spans_are_char_boundaries_and_monotonic(text in mixed_text()) {
        check_spans(&text);
    }

    #[test]
    fn scan_never_panics_and_spans_map_back(text in mixed_text()) {
        check_scan(&text);
    }

    /// The language counts the normalizer gathers in its own pass are the standalone counts.
    #[test]
    fn script_counts_from_keys_match_standalone(text in mixed_text()) {
        let k = keys(&text, KeyOptions { all: false });
        prop_assert_eq!(k.signals.script, ScriptCounts::of(&text));
    }

    #[test]
    fn arbitrary_unicode(text in any::<String>()) {
        prop_assert_eq!(keys(&text, KeyOptions { all: false }).signals.script, ScriptCounts::of(&text));
        check_spans(&text);
        check_scan(&text);
        let once = match_key(&text);
        prop_assert_eq!(match_key(&once), once.clone());
    }
}

#[test]
fn huge_inputs() {
    // Long runs of one letter, of marks, of separators and of tokens, and a big mixed text.
    let cases = [
        "ا".repeat(200_000),
        "\u{064E}".repeat(200_000),
        "د ".repeat(100_000),
        "{".repeat(100_000),
        "🔫".repeat(50_000),
        "الدولة الإسلامية باقية ".repeat(20_000),
        "#".repeat(100_000) + &"a".repeat(100_000),
        "1".repeat(300_000),
    ];
    for (i, text) in cases.iter().enumerate() {
        let t = std::time::Instant::now();
        check_spans(text);
        let a = t.elapsed();
        check_scan(text);
        eprintln!("case {i}: spans {a:?} scan {:?}", t.elapsed() - a);
    }
}
