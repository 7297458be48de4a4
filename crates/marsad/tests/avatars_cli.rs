//! `marsad import-avatars` end to end: a folder and a manifest with bad rows (reject file,
//! exit code 2, good images kept), the media scan that follows, and `graph successors`
//! ranking the successor with the re-encoded avatar above one with a different avatar.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{marsad, ok};

use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/avatars")
}

fn rejects(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn reason_for<'a>(rows: &'a [Value], needle: &str) -> &'a Value {
    rows.iter()
        .find(|r| r.to_string().contains(needle))
        .unwrap_or_else(|| panic!("no reject mentioning {needle}: {rows:?}"))
}

#[test]
fn import_avatars_then_successors_use_the_pdq_distance() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    let fx = fixtures();
    ok(&marsad(&data, &["init"]));
    ok(&marsad(
        &data,
        &[
            "import",
            "--format",
            "jsonl",
            fx.join("accounts.jsonl").to_str().unwrap(),
        ],
    ));

    // Folder: x/<handle>.<ext>; an unknown account and a text file are rejected.
    let rej1 = dir.path().join("rejects-folder.jsonl");
    let out = marsad(
        &data,
        &[
            "import-avatars",
            "--json",
            "--rejects",
            rej1.to_str().unwrap(),
            fx.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Top-level files (accounts.jsonl, manifest.csv) have no platform folder: rejected too.
    assert_eq!(s["imported"], 3, "{s}");
    assert_eq!(s["rejected"], 4, "{s}");
    assert_eq!(s["read"], 7, "{s}");
    let r = rejects(&rej1);
    assert_eq!(r.len(), 4);
    let unknown = reason_for(&r, "nobody");
    assert_eq!(unknown["field"], "account");
    assert!(unknown["reason"]
        .as_str()
        .unwrap()
        .contains("no x account \"nobody\""));
    let text = reason_for(&r, "sawt_news.txt");
    assert_eq!(text["field"], "path");
    assert!(text["reason"].as_str().unwrap().contains("not an image"));
    assert_eq!(reason_for(&r, "manifest.csv")["field"], "platform");

    // Imported once: a second run adds nothing.
    let again = marsad(
        &data,
        &[
            "import-avatars",
            "--json",
            "--platform",
            "x",
            fx.join("x").to_str().unwrap(),
            "--rejects",
            dir.path().join("r2.jsonl").to_str().unwrap(),
        ],
    );
    let s: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        (s["imported"].as_u64(), s["duplicates"].as_u64()),
        (Some(0), Some(3))
    );

    // Manifest: platform,account,path[,observed_at]; every bad row names its line and field.
    let rej3 = dir.path().join("rejects-manifest.jsonl");
    let out = marsad(
        &data,
        &[
            "import-avatars",
            "--json",
            "--rejects",
            rej3.to_str().unwrap(),
            fx.join("manifest.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            s["read"].as_u64(),
            s["imported"].as_u64(),
            s["duplicates"].as_u64(),
            s["rejected"].as_u64()
        ),
        (Some(7), Some(0), Some(2), Some(5)),
        "{s}"
    );
    let r = rejects(&rej3);
    let by_line = |l: u64| {
        r.iter()
            .find(|x| x["position"]["line"] == l)
            .unwrap_or_else(|| panic!("no reject on line {l}: {r:?}"))
    };
    assert_eq!(by_line(4)["field"], "account");
    assert!(by_line(4)["reason"]
        .as_str()
        .unwrap()
        .contains("several x accounts (4001, 4002)"));
    assert_eq!(by_line(5)["field"], "path");
    assert_eq!(by_line(6)["field"], "account");
    assert_eq!(by_line(7)["field"], "observed_at");
    assert_eq!(by_line(8)["field"], "path");

    // import-avatars ran the media scan: nothing is left to hash.
    let scan: Value =
        serde_json::from_str(&ok(&marsad(&data, &["media", "scan", "--json"]))).unwrap();
    assert_eq!(scan["analysed"], 0, "{scan}");

    // Successors: the account with the re-encoded avatar ranks above the one with a
    // different avatar, all else equal; the explanation names both images and the distance.
    let out = ok(&marsad(&data, &["graph", "successors", "--json"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["predecessor"] == "x:1001")
        .unwrap();
    assert_eq!(f["likely_successor"], "x:2001", "{f}");
    let c = f["candidates"].as_array().unwrap();
    assert_eq!(c[0]["node"], "x:2001");
    let feature = |c: &Value, name: &str| -> Option<Value> {
        c["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == name)
            .cloned()
    };
    let pdq = feature(&c[0], "avatar_pdq").expect("avatar_pdq on the successor");
    let sim = pdq["value"].as_f64().unwrap();
    assert!(sim > 0.3 && sim < 1.0, "{pdq}");
    let note = pdq["note"].as_str().unwrap();
    let bits: u32 = note.split(' ').next().unwrap().parse().unwrap();
    assert!((1..=31).contains(&bits), "{note}");
    assert!((sim - (1.0 - f64::from(bits) / 32.0)).abs() < 1e-9);
    let other = c.iter().find(|x| x["node"] == "x:2002").unwrap();
    assert_eq!(feature(other, "avatar_pdq").unwrap()["value"], 0.0);
    assert!(c[0]["score"].as_f64().unwrap() > other["score"].as_f64().unwrap());
    // Both sha256s are the stored images'.
    let sha = |p: &str| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(std::fs::read(fx.join(p)).unwrap()))
    };
    assert!(note.contains(&sha("x/raya_media.png")), "{note}");
    assert!(note.contains(&sha("x/raya_media2.jpg")), "{note}");
    assert!(f["explanation"]
        .as_str()
        .unwrap()
        .contains(&format!("avatar PDQ {bits} bits")));
    assert_eq!(v["avatars"]["accounts"], 3, "{}", v["avatars"]);
}
