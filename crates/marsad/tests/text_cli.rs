//! `marsad scan-text` (the public JSON-lines contract) and `marsad search` end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{marsad, marsad_stdin};

use serde_json::Value;
use std::process::Output;

fn run(args: &[&str], stdin: &str) -> Output {
    marsad_stdin(args, stdin)
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn scan_text_contract() {
    let input = concat!(
        r#"{"id":"p1","text":"بايعوا الـــدولـــة الإسلامية و د.ا.ع.ش https://t.me/+AbC الساعة ٣ فجراً في الموصل"}"#,
        "\n",
        "ISlS claimed it, police said\n",
        "\n",
        r#"{"id":7,"text":"wallah da3esh"}"#,
        "\n",
    );
    let out = run(&["scan-text", "--keys"], input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = lines(&out);
    assert_eq!(v.len(), 3, "one line out per non-empty line in");
    let texts = [
        "بايعوا الـــدولـــة الإسلامية و د.ا.ع.ش https://t.me/+AbC الساعة ٣ فجراً في الموصل",
        "ISlS claimed it, police said",
        "wallah da3esh",
    ];
    for (out, text) in v.iter().zip(texts) {
        for m in out["matches"].as_array().unwrap() {
            let (s, e) = (
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(&text[s..e], m["matched"].as_str().unwrap());
            for f in ["term", "category", "stance", "key", "rule"] {
                assert!(m.get(f).is_some(), "match field {f}");
            }
        }
        for list in [
            "urls",
            "mentions",
            "hashtags",
            "phones",
            "emails",
            "coordinates",
            "times",
            "places",
        ] {
            for e in out["entities"][list].as_array().unwrap() {
                let (s, t) = (
                    e["start"].as_u64().unwrap() as usize,
                    e["end"].as_u64().unwrap() as usize,
                );
                assert_eq!(&text[s..t], e["matched"].as_str().unwrap());
            }
        }
        assert!(out["keys"]["plain"].is_string());
    }
    assert_eq!(v[0]["id"], "p1");
    assert_eq!(v[0]["lang"], "ar");
    let terms: Vec<&str> = v[0]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["term"].as_str().unwrap())
        .collect();
    assert!(terms.contains(&"الدولة الإسلامية"), "{terms:?}");
    assert!(terms.contains(&"داعش"), "{terms:?}");
    assert_eq!(v[0]["entities"]["urls"][0]["kind"], "telegram_invite");
    assert_eq!(v[0]["entities"]["times"][0]["night"], true);
    assert_eq!(v[0]["entities"]["places"][0]["value"], "الموصل");
    assert_eq!(v[1]["id"], 2, "plain lines are numbered");
    assert_eq!(v[1]["lang"], "en");
    assert_eq!(v[1]["matches"][0]["key"], "skeleton");
    assert_eq!(v[2]["id"], 7);
    assert_eq!(v[2]["arabizi"], true);
    assert_eq!(v[2]["matches"][0]["term"], "داعش");
}

#[test]
fn scan_text_bad_lines_and_user_lexicons() {
    let dir = tempfile::tempdir().unwrap();
    let lex = dir.path().join("mine.csv");
    std::fs::write(
        &lex,
        "term,category,weight,stance,note\nقناة النصر,outlet,0.8,supporter,test outlet\n",
    )
    .unwrap();
    let input =
        "{\"id\":\"a\",\"text\":\"تابعوا قناة النصر\"}\n{\"id\":\"b\",\"tex\n{\"id\":\"c\"}\n";
    let out = run(
        &[
            "scan-text",
            "--no-default-lexicon",
            "--lexicon",
            lex.to_str().unwrap(),
        ],
        input,
    );
    assert_eq!(out.status.code(), Some(2), "bad lines → exit 2");
    let v = lines(&out);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["matches"][0]["term"], "قناة النصر");
    assert!(v[0]["matches"][0]["rule"]
        .as_str()
        .unwrap()
        .ends_with("mine.csv:2"));
    assert_eq!(v[1]["line"], 2);
    assert!(v[1]["error"]
        .as_str()
        .unwrap()
        .contains("not a JSON object"));
    assert_eq!(v[2]["id"], "c");
    assert!(v[2]["error"].as_str().unwrap().contains("text"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 2") && stderr.contains("line 3"),
        "{stderr}"
    );

    // A bad lexicon is an error naming file, line and field.
    std::fs::write(&lex, "term,category,weight\nx,hate,7\n").unwrap();
    let out = run(&["scan-text", "--lexicon", lex.to_str().unwrap()], "x\n");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mine.csv:2") && stderr.contains("weight"),
        "{stderr}"
    );
}

#[test]
fn search_after_import() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    let file = dir.path().join("posts.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"key":{"platform":"web","id":"f/1"},"kind":"forum_post","created_at":"2026-10-01T10:00:00Z","text":"بيان جديد من الـــدولـــة الإسلامية"}"#, "\n",
            r#"{"key":{"platform":"x","id":"2"},"kind":"post","created_at":"2026-10-03T10:00:00Z","text":"اعتقال عناصر من داعش في \u001b[31mالأنبار"}"#, "\n",
            r#"{"key":{"platform":"x","id":"3"},"kind":"post","created_at":"2026-10-04T10:00:00Z","text":"مباراة اليوم"}"#, "\n",
        ),
    )
    .unwrap();
    assert!(marsad(&data, &["init"]).status.success());
    let out = marsad(
        &data,
        &["import", "--format", "jsonl", file.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        data.join("index").is_dir(),
        "import builds the search index"
    );

    let out = marsad(&data, &["search", "الدولة", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = lines(&out);
    assert_eq!(v.len(), 1);
    let text = v[0]["text"].as_str().unwrap();
    let h = &v[0]["highlights"][0];
    let (a, b) = (
        h[0].as_u64().unwrap() as usize,
        h[1].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[a..b], "الـــدولـــة");

    let out = marsad(
        &data,
        &["search", "داعش OR الدولة", "--platform", "x", "--json"],
    );
    assert_eq!(lines(&out).len(), 1);
    let out = marsad(
        &data,
        &[
            "search",
            "الدولة OR داعش",
            "--since",
            "2026-10-02",
            "--json",
        ],
    );
    assert_eq!(lines(&out).len(), 1);

    // Terminal output escapes control characters from untrusted text.
    let out = marsad(&data, &["search", "داعش"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains('\u{1b}'),
        "raw escape in terminal output: {stdout:?}"
    );
    assert!(stdout.contains("\\u{001b}"), "{stdout}");
}
