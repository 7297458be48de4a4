#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `marsad analyze`, `findings`, `alerts`, `rules`, `watch`, `geofence` end to end, the demo's
//! planted scenarios, and the precision guard on the seed news articles.

mod common;

use common::{bank_of_images, marsad, ok};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn jsonl_item(id: &str, author: &str, at: &str, text: &str) -> String {
    serde_json::json!({
        "type": "item",
        "key": {"platform": "web", "id": id},
        "kind": "forum_post",
        "author": {"platform": "web", "id": author},
        "created_at": at,
        "text": text,
    })
    .to_string()
}

fn import_lines(data: &Path, lines: &[String]) {
    let file = data.with_extension("jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    ok(&marsad(data, &["init"]));
    ok(&marsad(
        data,
        &["import", "--format", "jsonl", file.to_str().unwrap()],
    ));
}

fn analyze_json(data: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["analyze", "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(ok(&marsad(data, &args)).trim()).unwrap()
}

fn alerts(data: &Path) -> Vec<Value> {
    ok(&marsad(
        data,
        &["alerts", "list", "--json", "--limit", "100000"],
    ))
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect()
}

#[test]
fn demo_finds_every_planted_scenario_and_nothing_benign() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    let out = ok(&marsad(&data, &["demo"]));
    let report: Vec<&str> = out
        .lines()
        .filter(|l| {
            l.trim_start().starts_with("[alert]") || l.trim_start().starts_with("[no_alert]")
        })
        .collect();
    for id in [
        "outlet-amplification",
        "new-account-burst",
        "soldier-opsec-live",
        "journalist-mass-mention",
        "invite-link-migration",
    ] {
        let line = report
            .iter()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("{id}\n{out}"));
        assert!(line.contains("FOUND"), "{line}\n{out}");
    }
    for id in ["benign-news", "benign-decoys"] {
        let line = report
            .iter()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("{id}\n{out}"));
        assert!(line.contains("OK (no alert)"), "{line}\n{out}");
    }
    // The burst is explained with its size; the soldier's leak with the time and place.
    assert!(out.contains("40 x accounts created within"), "{out}");
    let all = alerts(&data);
    let queues: Vec<&str> = all.iter().map(|a| a["queue"].as_str().unwrap()).collect();
    for q in ["propaganda", "opsec", "threats", "networks"] {
        assert!(queues.contains(&q), "{q}: {queues:?}");
    }

    // Network findings feed the rules: the coordinated group, the brigade against the
    // journalist (the alert is about protecting her account) and the re-created accounts.
    let with_rule = |rule: &str| -> Vec<&Value> {
        all.iter()
            .filter(|a| a.to_string().contains(&format!("\"{rule}\"")))
            .collect()
    };
    assert!(!with_rule("coordinated-network").is_empty(), "{all:?}");
    assert!(!with_rule("ban-evasion").is_empty(), "{all:?}");
    let brigade = with_rule("brigade-against-target");
    assert!(
        brigade.iter().any(|a| a.to_string().contains("3078123456")),
        "{brigade:?}"
    );

    // Incremental: nothing changed, nothing re-analysed, no new alerts.
    let again = analyze_json(&data, &["--no-media"]);
    assert_eq!(again["account_findings_new"], 0, "{again}");
    assert_eq!(again["items_analysed"], 0, "{again}");
    assert_eq!(again["new_findings"], 0, "{again}");
    assert_eq!(again["alerts_new"], 0, "{again}");
    assert_eq!(alerts(&data).len(), all.len());

    // The opsec alert shows its evidence, the advice in both languages, highlighted spans.
    let opsec = all
        .iter()
        .filter(|a| a["queue"] == "opsec")
        .find(|a| a["item"].as_str().unwrap().starts_with("tiktok:"))
        .expect("tiktok live alert");
    let id = opsec["id"].as_i64().unwrap().to_string();
    let shown = ok(&marsad(&data, &["alerts", "show", &id]));
    assert!(
        shown.contains("advice (AR)") && shown.contains("advice (EN)"),
        "{shown}"
    );
    assert!(
        shown.contains("[بيجي]") || shown.contains("[السيطرة]"),
        "{shown}"
    );
    assert!(shown.contains("02:04"), "{shown}");
    let only_opsec = ok(&marsad(&data, &["alerts", "list", "--queue", "opsec"]));
    assert!(only_opsec
        .lines()
        .filter(|l| l.starts_with('#'))
        .all(|l| l.contains("opsec")));

    // Backtest of the same rules: the stored alerts, nothing written.
    let bt: Value = serde_json::from_str(&ok(&marsad(
        &data,
        &["rules", "test", &repo("rules/default.toml"), "--json"],
    )))
    .unwrap();
    assert_eq!(bt["alerts"].as_array().unwrap().len(), all.len());
    assert_eq!(alerts(&data).len(), all.len());
}

fn repo(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn lexicon_change_reanalyses_and_supersedes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    import_lines(
        &data,
        &[
            jsonl_item("f/1", "u1", "2026-10-02T10:00:00Z", "باقية وتتمدد 🏴"),
            jsonl_item(
                "f/2",
                "u2",
                "2026-10-02T11:00:00Z",
                "سيعود المجد قريبا يا اخوة",
            ),
            jsonl_item("f/3", "u3", "2026-10-02T12:00:00Z", "الجو حار اليوم"),
        ],
    );
    let first = analyze_json(&data, &[]);
    assert_eq!(first["items_analysed"], 3, "{first}");
    assert_eq!(first["by_category"]["slogan"], 1, "{first}");
    assert_eq!(first["alerts_new"], 1, "{first}");
    // An analyst adds a slogan: keyword_match's version changes, every item is re-scanned
    // by it, and the new term is found.
    let lex = dir.path().join("extra.csv");
    std::fs::write(
        &lex,
        "term,category,weight,stance\nسيعود المجد,slogan,0.9,supporter\n",
    )
    .unwrap();
    let second = analyze_json(&data, &["--lexicon", lex.to_str().unwrap()]);
    assert_eq!(second["items_analysed"], 3, "{second}");
    assert_eq!(second["by_category"]["slogan"], 2, "{second}");
    assert_eq!(second["alerts_new"], 1, "{second}");
    // The same lexicon again: nothing to do.
    let third = analyze_json(&data, &["--lexicon", lex.to_str().unwrap()]);
    assert_eq!(third["items_analysed"], 0, "{third}");
    let listed = ok(&marsad(
        &data,
        &["findings", "list", "--category", "slogan", "--json"],
    ));
    assert_eq!(listed.lines().count(), 2, "{listed}");
    // --since and --detector restrict the run.
    let fourth = analyze_json(
        &data,
        &[
            "--since",
            "2026-10-02T11:30:00Z",
            "--detector",
            "opsec_leak",
        ],
    );
    assert_eq!(fourth["items_seen"], 1, "{fourth}");
    let bad = marsad(&data, &["analyze", "--detector", "nope"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown detector"));
}

/// A photo matching a hash bank: `marsad analyze` hashes the new media first, and the finding
/// carries the file's hash, the bank entry and the distance.
#[test]
fn image_hash_match_from_the_banks() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    image::RgbImage::from_fn(160, 120, |x, y| {
        let v = ((x / 20) * 31 + (y / 20) * 17).wrapping_mul(2_654_435_761) >> 8;
        image::Rgb([v as u8, (v >> 8) as u8, (v >> 16) as u8])
    })
    .save(input.join("flag.png"))
    .unwrap();
    let jsonl = input.join("items.jsonl");
    std::fs::write(
        &jsonl,
        r#"{"key":{"platform":"telegram","id":"c1/1"},"kind":"message","created_at":"2026-10-02T10:00:00Z","text":"صورة","media":[{"kind":"photo","path":"flag.png"}]}"#.to_string() + "\n",
    )
    .unwrap();
    ok(&marsad(&data, &["init"]));
    ok(&marsad(
        &data,
        &["import", "--format", "jsonl", jsonl.to_str().unwrap()],
    ));
    bank_of_images(
        &data,
        "known",
        &[&input.join("flag.png")],
        &["--content-type", "flag"],
    );
    let s = analyze_json(&data, &[]);
    assert_eq!(s["by_category"]["media_match"], 1, "{s}");
    let f: Value = serde_json::from_str(
        ok(&marsad(
            &data,
            &["findings", "list", "--category", "media_match", "--json"],
        ))
        .trim(),
    )
    .unwrap();
    let h = &f["evidence"]["hashes"][0];
    assert_eq!(h["bank"], "known");
    assert_eq!(h["distance"], 0);
    assert_eq!(h["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(h["pdq"].as_str().unwrap().len(), 64);
    assert_eq!(alerts(&data).len(), 1, "rule known-media");
}

#[test]
fn alerts_show_escapes_untrusted_text() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    import_lines(
        &data,
        &[jsonl_item(
            "f/1",
            "u1",
            "2026-10-02T10:00:00Z",
            "باقية وتتمدد \u{202E}txet\u{1b}[31m",
        )],
    );
    analyze_json(&data, &[]);
    let shown = ok(&marsad(&data, &["alerts", "show", "1"]));
    assert!(
        !shown.contains('\u{202E}') && !shown.contains('\u{1b}'),
        "{shown:?}"
    );
    assert!(shown.contains("\\u{202e}"), "{shown}");
    assert!(shown.contains("[باقية وتتمدد]"), "{shown}");
    let missing = marsad(&data, &["alerts", "show", "99"]);
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn watchlists_geofences_and_rule_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    ok(&marsad(&data, &["init"]));
    ok(&marsad(
        &data,
        &[
            "watch",
            "add",
            "--list",
            "protected",
            "--handle",
            "@Rusul_Writes",
            "--name",
            "رسل كاظم",
        ],
    ));
    ok(&marsad(
        &data,
        &[
            "watch",
            "add",
            "--list",
            "personnel",
            "--platform",
            "tiktok",
            "--handle",
            "abu_haidar.14",
        ],
    ));
    let csv = dir.path().join("w.csv");
    std::fs::write(
        &csv,
        "list,platform,handle,names,note\nknown-extremist,x,a3maq_news,,outlet\nfriends,x,bob,,\npersonnel,nowhere,x,,\n",
    )
    .unwrap();
    let imp = marsad(&data, &["watch", "import", csv.to_str().unwrap()]);
    assert_eq!(imp.status.code(), Some(2));
    let err = String::from_utf8_lossy(&imp.stderr);
    assert!(err.contains("w.csv:3") && err.contains("list"), "{err}");
    assert!(err.contains("w.csv:4"), "{err}");
    let list = ok(&marsad(&data, &["watch", "list", "--json"]));
    assert_eq!(list.lines().count(), 3, "{list}");
    assert!(list.contains("\"handle\":\"rusul_writes\""), "{list}");
    ok(&marsad(
        &data,
        &[
            "watch",
            "remove",
            "--list",
            "personnel",
            "--platform",
            "tiktok",
            "--handle",
            "abu_haidar.14",
        ],
    ));
    assert_eq!(ok(&marsad(&data, &["watch", "list"])).lines().count(), 2);

    ok(&marsad(
        &data,
        &[
            "geofence",
            "add",
            "Baiji refinery",
            "34.93",
            "43.49",
            "3000",
        ],
    ));
    ok(&marsad(
        &data,
        &["geofence", "add", "West", "10", "-77.5", "100"],
    ));
    let bad = marsad(&data, &["geofence", "add", "Nowhere", "95", "43", "10"]);
    assert_eq!(bad.status.code(), Some(1));
    let gcsv = dir.path().join("g.csv");
    std::fs::write(
        &gcsv,
        "name,lat,lon,radius_m\nBase,33.3,44.4,500\nBad,33.3,abc,500\n",
    )
    .unwrap();
    let g = marsad(&data, &["geofence", "import", gcsv.to_str().unwrap()]);
    assert_eq!(g.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&g.stderr).contains("g.csv:3: field `lon`"));
    assert_eq!(ok(&marsad(&data, &["geofence", "list"])).lines().count(), 3);

    // Rule files: checked with file, rule and field in the error.
    let rules = dir.path().join("r.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nid = \"x\"\ntitle = \"t\"\npriority = \"high\"\nqueue = \"q\"\nmin_score = 2\n",
    )
    .unwrap();
    let c = marsad(&data, &["rules", "check", rules.to_str().unwrap()]);
    assert_eq!(c.status.code(), Some(1));
    let e = String::from_utf8_lossy(&c.stderr);
    assert!(e.contains("r.toml") && e.contains("min_score"), "{e}");
    let good = ok(&marsad(
        &data,
        &["rules", "check", &repo("rules/default.toml")],
    ));
    assert!(good.contains("in shadow mode"), "{good}");
}

#[test]
fn shadow_rules_count_without_alerting() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    import_lines(
        &data,
        &[jsonl_item(
            "f/1",
            "u1",
            "2026-10-02T10:00:00Z",
            "باقية وتتمدد 🏴",
        )],
    );
    let rules = dir.path().join("shadow.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nid = \"trial\"\ntitle = \"t\"\npriority = \"high\"\nqueue = \"q\"\nmode = \"shadow\"\ncategories = [\"slogan\"]\n",
    )
    .unwrap();
    let s = analyze_json(&data, &["--rules", rules.to_str().unwrap()]);
    assert_eq!(s["alerts_new"], 0, "{s}");
    assert_eq!(s["shadow_alerts"], 1, "{s}");
    assert_eq!(s["rules_matched"]["trial"], 1, "{s}");
    assert!(alerts(&data).is_empty());
    let bt = ok(&marsad(
        &data,
        &[
            "rules",
            "test",
            rules.to_str().unwrap(),
            "--since",
            "2026-10-01",
        ],
    ));
    assert!(
        bt.contains("(shadow)") && bt.contains("would raise 0 alert(s); shadow rules 1 more"),
        "{bt}"
    );
}

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

/// Precision guard: the five seed articles (Arabic news about ISIS), imported as posts,
/// raise no propaganda, incitement or recruitment alert.
#[test]
fn seed_news_articles_raise_no_propaganda_alert() {
    let Some(seeds) = shared_seeds() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "{files:?}");
    let lines: Vec<String> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            jsonl_item(
                &format!("seed/{i}"),
                "newsdesk",
                "2026-10-03T01:30:00Z",
                &std::fs::read_to_string(f).unwrap(),
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    import_lines(&data, &lines);
    let s = analyze_json(&data, &[]);
    assert_eq!(s["items_analysed"], 5, "{s}");
    for a in alerts(&data) {
        let rules: Vec<&str> = a["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert!(
            !rules.iter().any(|r| [
                "propaganda",
                "incitement-recruitment",
                "classifier-propaganda"
            ]
            .contains(r)),
            "seed article raised {a}"
        );
        assert_ne!(a["queue"], "propaganda", "{a}");
    }
    let findings = ok(&marsad(&data, &["findings", "list", "--json"]));
    for l in findings.lines() {
        let f: Value = serde_json::from_str(l).unwrap();
        let c = f["category"].as_str().unwrap();
        assert!(
            !["incitement", "recruitment", "slogan", "glorification"].contains(&c),
            "{f}"
        );
    }
}

/// Three accounts typing the same sentence once within a minute is chance; the same three
/// co-posting twice is coordination (and raises the `coordinated-network` alert).
#[test]
fn coordination_needs_repetition_or_a_large_event() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    let mut lines = Vec::new();
    for (i, a) in ["b1", "b2", "b3"].iter().enumerate() {
        lines.push(jsonl_item(
            &format!("b{i}"),
            a,
            &format!("2026-10-01T10:00:{:02}Z", i * 10),
            "see you all at the market tomorrow",
        ));
    }
    for (i, a) in ["c1", "c2", "c3"].iter().enumerate() {
        lines.push(jsonl_item(
            &format!("c{i}a"),
            a,
            &format!("2026-10-01T11:00:{:02}Z", i * 10),
            "vote for the list number seven today",
        ));
        lines.push(jsonl_item(
            &format!("c{i}b"),
            a,
            &format!("2026-10-02T12:00:{:02}Z", i * 10),
            "spread this message to everyone you know",
        ));
    }
    import_lines(&data, &lines);
    analyze_json(&data, &[]);
    let found: Vec<Value> = ok(&marsad(
        &data,
        &["findings", "list", "--category", "coordination", "--json"],
    ))
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    let text = found[0].to_string();
    assert!(text.contains("web:c1") && text.contains("web:c3"), "{text}");
    assert!(!text.contains("web:b1"), "{text}");
    assert!(text.contains("repeated"), "{text}");
}
