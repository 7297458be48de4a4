//! End-to-end tests of the `marsad` binary: import, idempotency, rejects, interruption,
//! export round trip, and the real samples in `../shared/data/formats` (when present).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{marsad, ok};

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn import_json(data: &Path, format: &str, files: &[PathBuf]) -> (Value, Option<i32>) {
    let mut args = vec!["import", "--json", "--format", format];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let out = marsad(data, &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, out.status.code())
}

fn stats(data: &Path) -> Value {
    serde_json::from_str(&ok(&marsad(data, &["stats", "--json"]))).unwrap()
}

fn shared_formats() -> Option<PathBuf> {
    let p = std::env::var("MARSAD_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if p.join("formats").is_dir() {
        Some(p.join("formats"))
    } else {
        // Written to the stderr handle itself, which the test harness does not capture, so
        // that the skip is visible in a normal `cargo test` run.
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "skipped: ../shared/data not found");
        None
    }
}

/// A generic-schema file with `n` items by `n / 10` authors, each mentioning another.
fn write_jsonl(path: &Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        let line = serde_json::json!({
            "key": {"platform": "web", "id": format!("forum/{i}")},
            "kind": "forum_post",
            "author": {"platform": "web", "id": format!("u{}", i % (n / 10).max(1))},
            "created_at": format!("2026-10-01T{:02}:{:02}:00Z", (i / 60) % 24, i % 60),
            "text": format!("منشور رقم {i} عن الطقس في بغداد"),
            "mentions": [{"handle": format!("user{}", (i + 1) % 50)}],
        });
        writeln!(f, "{line}").unwrap();
    }
    f.flush().unwrap();
}

#[test]
fn import_is_idempotent_and_reports_counts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    ok(&marsad(&data, &["init"]));
    let input = dir.path().join("posts.jsonl");
    write_jsonl(&input, 500);
    let (first, code) = import_json(&data, "jsonl", std::slice::from_ref(&input));
    assert_eq!(code, Some(0));
    assert_eq!(first["read"], 500);
    assert_eq!(first["imported"], 500);
    assert_eq!(first["rejected"], 0);
    let before = stats(&data);
    let (again, code) = import_json(&data, "jsonl", std::slice::from_ref(&input));
    assert_eq!(code, Some(0));
    assert_eq!(again["imported"], 0);
    assert_eq!(again["duplicates"], 500);
    assert_eq!(stats(&data), before, "re-import adds nothing");
    assert_eq!(before["items"]["web"]["forum_post"], 500);
    assert_eq!(before["interactions"]["web"]["mention"], 500);
}

#[test]
fn rejects_go_to_a_file_and_set_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    ok(&marsad(&data, &["init"]));
    let input = dir.path().join("mixed.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"key":{"platform":"web","id":"1"},"kind":"post","text":"good"}"#,
            "\n",
            r#"{"key":{"platform":"web","id":"2"},"kind":"poster"}"#,
            "\n",
            "{broken\n",
            r#"{"key":{"platform":"web","id":"3"},"kind":"post","text":"also good"}"#,
            "\n",
        ),
    )
    .unwrap();
    let rejects = dir.path().join("rejects.jsonl");
    let out = marsad(
        &data,
        &[
            "import",
            "--json",
            "-f",
            "jsonl",
            "--rejects",
            rejects.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "rejects give exit code 2");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["read"], 4);
    assert_eq!(v["imported"], 2);
    assert_eq!(v["rejected"], 2);
    let lines: Vec<Value> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["position"]["line"], 2);
    assert!(lines[0]["reason"].as_str().unwrap().contains("poster"));
    assert_eq!(lines[1]["position"]["line"], 3);
    assert!(lines[1]["position"]["file"]
        .as_str()
        .unwrap()
        .ends_with("mixed.jsonl"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rejected"), "{stderr}");
}

#[test]
fn a_broken_file_keeps_what_came_before() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    ok(&marsad(&data, &["init"]));
    let input = dir.path().join("result.json");
    std::fs::write(
        &input,
        r#"{"name":"قناة","type":"public_channel","id":42,"messages":[
{"id":1,"type":"message","date":"2026-10-01T01:00:00","date_unixtime":"1790000000","from":"قناة","from_id":"channel42","text":"اول"},
{"id":2,"type":"message","date":"2026-10-01T01:01:00","date_unixtime":"1790000060","from":"قناة","from_id":"channel42","text":"ثاني"},
{"id":3,"type":"mess"#,
    )
    .unwrap();
    let (v, code) = import_json(&data, "telegram-desktop", &[input]);
    assert_eq!(code, Some(2));
    assert_eq!(v["rejected"], 1, "the unreadable rest of the file");
    assert_eq!(stats(&data)["items"]["telegram"]["post"], 2);
}

#[test]
fn missing_workspace_and_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = marsad(&dir.path().join("nope"), &["stats"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("marsad init"), "{err}");
    let data = dir.path().join("ws");
    ok(&marsad(&data, &["init"]));
    let out = marsad(&data, &["import", "-f", "jsonl", "/no/such/file.jsonl"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/file.jsonl"));
    let out = marsad(&data, &["import", "-f", "myspace", "x"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("telegram-desktop"));
}

#[test]
fn export_round_trips_through_the_jsonl_importer() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    ok(&marsad(&a, &["init"]));
    let input = dir.path().join("posts.jsonl");
    write_jsonl(&input, 50);
    import_json(&a, "jsonl", &[input]);
    let export = dir.path().join("export.jsonl");
    ok(&marsad(
        &a,
        &[
            "export",
            "items",
            "--format",
            "jsonl",
            "--out",
            export.to_str().unwrap(),
        ],
    ));
    // Into the same workspace: nothing new.
    let (v, _) = import_json(&a, "jsonl", std::slice::from_ref(&export));
    assert_eq!(v["duplicates"], 50);
    // Into a fresh one: the same items, exported identically.
    let b = dir.path().join("b");
    ok(&marsad(&b, &["init"]));
    let (v, _) = import_json(&b, "jsonl", std::slice::from_ref(&export));
    assert_eq!(v["imported"], 50);
    let export_b = dir.path().join("export_b.jsonl");
    ok(&marsad(
        &b,
        &["export", "items", "--out", export_b.to_str().unwrap()],
    ));
    assert_eq!(
        std::fs::read_to_string(&export).unwrap(),
        std::fs::read_to_string(&export_b).unwrap()
    );
}

#[cfg(unix)]
#[test]
fn kill_9_mid_import_then_rerun_gives_the_clean_counts() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.jsonl");
    write_jsonl(&input, 100_000);

    let clean = dir.path().join("clean");
    ok(&marsad(&clean, &["init"]));
    import_json(&clean, "jsonl", std::slice::from_ref(&input));
    let expected = stats(&clean);

    let data = dir.path().join("killed");
    ok(&marsad(&data, &["init"]));
    let mut child = Command::new(env!("CARGO_BIN_EXE_marsad"))
        .arg("--data")
        .arg(&data)
        .args(["import", "--batch", "200", "-f", "jsonl"])
        .arg(&input)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some batches are committed, then kill -9 (SIGKILL).
    let started = std::time::Instant::now();
    let mut killed_mid_import = false;
    loop {
        std::thread::sleep(std::time::Duration::from_millis(20));
        if child.try_wait().unwrap().is_some() {
            break;
        }
        let n = stats(&data)["items"]["web"]["forum_post"]
            .as_u64()
            .unwrap_or(0);
        if n > 0 || started.elapsed().as_secs() > 60 {
            child.kill().unwrap();
            child.wait().unwrap();
            killed_mid_import = n < 100_000;
            break;
        }
    }
    let partial = stats(&data)["items"]["web"]["forum_post"]
        .as_u64()
        .unwrap_or(0);
    assert!(
        killed_mid_import,
        "the import finished before it could be killed"
    );
    assert!(partial < 100_000, "killed before the end: {partial}");
    let (v, code) = import_json(&data, "jsonl", &[input]);
    assert_eq!(code, Some(0));
    assert_eq!(
        v["duplicates"].as_u64().unwrap(),
        partial,
        "committed batches are kept"
    );
    assert_eq!(stats(&data), expected, "same counts as a clean import");
}

#[test]
fn every_shared_format_sample_imports() {
    let Some(formats) = shared_formats() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    ok(&marsad(&data, &["init"]));
    let files = |sub: &str, ext: &str| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(formats.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .collect();
        v.sort();
        v
    };
    // (format, files, expected exit code): streaming_output_with_error.jsonl has one
    // truncated line, which is rejected (exit 2); everything else imports cleanly.
    let plan = [
        ("twitter-v2", files("twitter-v2", "jsonl"), 2, 1),
        ("telegram-desktop", files("telegram-desktop", "json"), 0, 0),
        ("tiktok-research", files("tiktok", "json"), 0, 0),
        ("rocketchat", files("rocketchat", "json"), 0, 0),
        ("crowdtangle", files("crowdtangle", "json"), 0, 0),
    ];
    for (format, files, code, rejected) in &plan {
        assert!(!files.is_empty(), "{format}: no sample files");
        let (v, c) = import_json(&data, format, files);
        assert_eq!(c, Some(*code), "{format}: {v}");
        assert_eq!(v["rejected"], *rejected, "{format}: {v}");
        assert!(v["imported"].as_u64().unwrap() > 0, "{format}: {v}");
        // Idempotent on the real files too.
        let (again, _) = import_json(&data, format, files);
        assert_eq!(again["imported"], 0, "{format} re-import: {again}");
        assert_eq!(again["updated"], 0, "{format} re-import: {again}");
    }
    let s = stats(&data);
    for platform in ["x", "telegram", "tiktok", "rocketchat", "facebook"] {
        assert!(s["items"][platform].is_object(), "no {platform} items: {s}");
    }
    // Counts derived from the files (see the importer conformance tests for per-file counts):
    // Telegram: 250 messages of which 123 distinct keys (anonymised ids) + 1 channel.
    let tg: u64 = s["items"]["telegram"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(tg, 123);
    assert_eq!(s["channels"]["telegram"]["group"], 1);
    // TikTok: the same video twice in query-videos.json → 1 item; 1 account (user info).
    assert_eq!(s["items"]["tiktok"]["video"], 1);
    assert_eq!(s["accounts"]["tiktok"], 1);
    // Rocket.Chat: 1 message in history + 4 in messages; 3 joins.
    assert_eq!(s["items"]["rocketchat"]["message"], 5);
    assert_eq!(s["interactions"]["rocketchat"]["member_of"], 3);
    // CrowdTangle: 2 Facebook posts by 2 pages.
    assert_eq!(s["items"]["facebook"]["post"], 2);
}

#[test]
fn empty_files_and_the_wrong_format_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    ok(&marsad(&data, &["init"]));
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, b"").unwrap();
    let (v, code) = import_json(&data, "telegram-desktop", &[empty]);
    assert_eq!(code, Some(2), "{v}");
    assert_eq!(v["rejected"], 1);
    // A generic-schema file read as a Telegram export: nothing recognised.
    let jsonl = dir.path().join("posts.jsonl");
    write_jsonl(&jsonl, 3);
    let out = marsad(&data, &["import", "-f", "youtube", jsonl.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rejected"), "{stderr}");
    let dir_arg = marsad(
        &data,
        &["import", "-f", "jsonl", dir.path().to_str().unwrap()],
    );
    assert!(String::from_utf8_lossy(&dir_arg.stderr).contains("is a folder"));
}

/// A generated Telegram export with photo files, in `dir/gen`.
fn telegram_export(dir: &Path) -> PathBuf {
    let gen = dir.join("gen");
    let out = Command::new(env!("CARGO_BIN_EXE_marsad"))
        .args(["demo", "--generate"])
        .arg(&gen)
        .args(["--only", "telegram-desktop"])
        .output()
        .unwrap();
    ok(&out);
    std::fs::read_dir(gen.join("telegram"))
        .unwrap()
        .map(|e| e.unwrap().path().join("result.json"))
        .find(|p| p.is_file() && p.parent().unwrap().join("photos").is_dir())
        .expect("an export with photos")
}

#[test]
fn dry_run_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let export = telegram_export(dir.path());
    let data = dir.path().join("ws");
    ok(&marsad(&data, &["init"]));
    let out = marsad(
        &data,
        &[
            "import",
            "--dry-run",
            "--json",
            "-f",
            "telegram-desktop",
            export.to_str().unwrap(),
        ],
    );
    ok(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["read"].as_u64().unwrap() > 100, "{v}");
    assert_eq!(v["imported"], 0);
    let s = stats(&data);
    assert_eq!(s["media_files"], 0);
    assert!(s["items"].as_object().unwrap().is_empty(), "{s}");
    let blobs: Vec<_> = walk(&data.join("blobs"));
    assert!(blobs.is_empty(), "no blob written: {blobs:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_same_export_from_another_folder_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let export = telegram_export(dir.path());
    let data = dir.path().join("ws");
    ok(&marsad(&data, &["init"]));
    let (first, code) = import_json(&data, "telegram-desktop", std::slice::from_ref(&export));
    assert_eq!(code, Some(0), "{first}");
    let media = stats(&data)["media_files"].as_u64().unwrap();
    assert!(media > 0, "photos are stored");
    // Copy the export folder elsewhere and import the copy: the same observations.
    let copy = dir.path().join("copy");
    std::fs::create_dir_all(copy.join("photos")).unwrap();
    let src = export.parent().unwrap();
    std::fs::copy(&export, copy.join("result.json")).unwrap();
    for f in walk(&src.join("photos")) {
        std::fs::copy(&f, copy.join("photos").join(f.file_name().unwrap())).unwrap();
    }
    let (again, code) = import_json(&data, "telegram-desktop", &[copy.join("result.json")]);
    assert_eq!(code, Some(0), "{again}");
    assert_eq!(again["imported"], 0, "{again}");
    assert_eq!(again["updated"], 0, "{again}");
    assert_eq!(stats(&data)["media_files"].as_u64().unwrap(), media);
}

#[test]
fn media_hashes_from_the_input_are_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    ok(&marsad(&data, &["init"]));
    let input = dir.path().join("m.jsonl");
    std::fs::write(
        &input,
        r#"{"key":{"platform":"web","id":"1"},"kind":"post","media":[{"kind":"photo","sha256":"../../../../etc/passwd","size":123456789},{"kind":"photo","sha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":5}]}"#,
    )
    .unwrap();
    let (v, code) = import_json(&data, "jsonl", &[input]);
    assert_eq!(code, Some(0), "{v}");
    let s = stats(&data);
    assert_eq!(s["media_files"], 0, "no blob behind either hash: {s}");
    assert_eq!(s["media_refs"], 2, "the references are kept");
}
