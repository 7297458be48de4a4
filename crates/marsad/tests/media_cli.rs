//! `marsad hash`, `bank`, `match` and `media exif` end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{bank_of_images, marsad, ok};

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn picture(seed: u32) -> image::RgbImage {
    // Blocks of pseudo-random colours: plenty of structure (PDQ quality 100).
    image::RgbImage::from_fn(160, 120, move |x, y| {
        let k = (x / 20) * 31 + (y / 20) * 17 + seed * 101;
        let v = k.wrapping_mul(2_654_435_761) >> 8;
        image::Rgb([v as u8, (v >> 8) as u8, (v >> 16) as u8])
    })
}

#[test]
fn hash_bank_match_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    let known = dir.path().join("flag.png");
    let other = dir.path().join("other.png");
    let benign = dir.path().join("benign.png");
    picture(0).save(&known).unwrap();
    picture(2).save(&other).unwrap();
    picture(4).save(&benign).unwrap();
    // A re-encoded, resized copy of the known picture.
    let copy = dir.path().join("copy.jpg");
    image::DynamicImage::ImageRgb8(picture(0))
        .resize_exact(120, 90, image::imageops::FilterType::Triangle)
        .to_rgb8()
        .save(&copy)
        .unwrap();

    // hash: Meta's format, one line per file; a bad file is reported, the rest hashed, exit 2.
    let bad = dir.path().join("bad.jpg");
    std::fs::write(&bad, b"\xff\xd8\xff\xe0 not really").unwrap();
    let out = marsad(
        &data,
        &["hash", known.to_str().unwrap(), bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let line = stdout(&out);
    let fields: Vec<_> = line.trim().split(',').collect();
    assert_eq!(fields.len(), 3);
    assert_eq!(fields[0].len(), 64);
    assert!(fields[1].parse::<u8>().unwrap() <= 100);
    assert_eq!(fields[2], known.to_str().unwrap());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.jpg"));

    let json = ok(&marsad(
        &data,
        &["hash", "--json", "--dihedral", known.to_str().unwrap()],
    ));
    let v: Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["dihedral"].as_object().unwrap().len(), 8);
    assert_eq!(v["dihedral"]["original"], v["hash"]);
    let dih = ok(&marsad(
        &data,
        &["hash", "--dihedral", known.to_str().unwrap()],
    ));
    assert_eq!(dih.lines().count(), 8);

    // bank: create, import the hasher's output (pdq format), list, export.
    let hashes = dir.path().join("known.pdq");
    std::fs::write(
        &hashes,
        ok(&marsad(
            &data,
            &["hash", known.to_str().unwrap(), other.to_str().unwrap()],
        )),
    )
    .unwrap();
    ok(&marsad(
        &data,
        &[
            "bank",
            "create",
            "propaganda",
            "--description",
            "known outlet media",
        ],
    ));
    let imp = ok(&marsad(
        &data,
        &[
            "bank",
            "import",
            "propaganda",
            "--format",
            "pdq",
            "--group",
            "outlet-a",
            "--json",
            hashes.to_str().unwrap(),
        ],
    ));
    let r: Value = serde_json::from_str(imp.trim()).unwrap();
    assert_eq!(r["imported"], 2);
    let list = ok(&marsad(&data, &["bank", "list", "--json"]));
    let b: Value = serde_json::from_str(list.trim()).unwrap();
    assert_eq!(
        (
            b["name"].as_str(),
            b["hashes"].as_u64(),
            b["enabled"].as_bool()
        ),
        (Some("propaganda"), Some(2), Some(true))
    );
    let exported = ok(&marsad(&data, &["bank", "export", "propaganda"]));
    assert!(
        exported.starts_with("hash,quality,label,group,content_type,source,added_at,algorithm\n")
    );
    assert_eq!(exported.lines().count(), 3);
    assert!(exported.contains("outlet-a"));

    // match: the resized JPEG copy matches the known picture; the benign one matches nothing.
    let out = ok(&marsad(
        &data,
        &[
            "match",
            "--bank",
            "propaganda",
            copy.to_str().unwrap(),
            benign.to_str().unwrap(),
        ],
    ));
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["matched"], true, "{out}\n{exported}");
    let best = &lines[0]["matches"][0];
    assert_eq!(best["bank"], "propaganda");
    assert_eq!(best["label"], known.to_str().unwrap());
    assert_eq!(best["group"], "outlet-a");
    assert!(best["distance"].as_u64().unwrap() <= 31);
    assert_eq!(lines[1]["matched"], false);

    // A negative bank holding the known picture suppresses the match.
    ok(&marsad(&data, &["bank", "create", "benign", "--negative"]));
    let neg = dir.path().join("neg.pdq");
    std::fs::write(&neg, ok(&marsad(&data, &["hash", known.to_str().unwrap()]))).unwrap();
    ok(&marsad(
        &data,
        &[
            "bank",
            "import",
            "benign",
            "-f",
            "pdq",
            neg.to_str().unwrap(),
        ],
    ));
    let out = ok(&marsad(
        &data,
        &["match", "--bank", "propaganda", copy.to_str().unwrap()],
    ));
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["matched"], false);
    assert_eq!(v["suppressed_by"]["bank"], "benign");
    ok(&marsad(&data, &["bank", "disable", "benign"]));
    let out = ok(&marsad(&data, &["match", copy.to_str().unwrap()]));
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["matched"], true);

    // Disabled bank: nothing to match against is an error (exit 1) with a clear message.
    ok(&marsad(&data, &["bank", "disable", "propaganda"]));
    let out = marsad(&data, &["match", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no enabled hash bank"));
    let out = marsad(
        &data,
        &["match", "--bank", "propaganda", copy.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("disabled"));

    // media exif: a PNG without EXIF gives empty metadata.
    let out = ok(&marsad(&data, &["media", "exif", known.to_str().unwrap()]));
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v["metadata"]["gps_latitude"].is_null());
}

#[test]
fn hash_output_matches_meta_format_on_reference_images() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/pdq/images/reg-test-input/dih/bridge-1-original.jpg");
    if !p.exists() {
        eprintln!("skipped: ../shared/data not found");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&marsad(dir.path(), &["hash", p.to_str().unwrap()]));
    assert_eq!(
        out,
        format!(
            "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,100,{}\n",
            p.display()
        )
    );
}

fn ffmpeg() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn media_scan_hashes_imported_media_once_and_stores_findings() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    ok(&marsad(&data, &["init"]));
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    picture(0).save(input.join("flag.png")).unwrap();
    picture(3).save(input.join("holiday.png")).unwrap();
    std::fs::write(input.join("notes.bin"), b"just some bytes").unwrap();
    let mut video = false;
    if ffmpeg() {
        let st = Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=3:size=160x120:rate=10",
                "-pix_fmt",
                "yuv420p",
            ])
            .arg(input.join("clip.mp4"))
            .status()
            .unwrap();
        video = st.success();
    } else {
        eprintln!("skipped (video part): ffmpeg not installed");
    }
    let mut lines = vec![
        r#"{"key":{"platform":"telegram","id":"c1/1"},"kind":"message","text":"a","media":[{"kind":"photo","path":"flag.png"}]}"#.to_string(),
        r#"{"key":{"platform":"telegram","id":"c1/2"},"kind":"message","text":"b","media":[{"kind":"photo","path":"holiday.png"},{"kind":"file","path":"notes.bin"}]}"#.to_string(),
    ];
    if video {
        lines.push(r#"{"key":{"platform":"telegram","id":"c1/3"},"kind":"message","text":"v","media":[{"kind":"video","path":"clip.mp4"}]}"#.to_string());
    }
    let jsonl = input.join("items.jsonl");
    std::fs::write(&jsonl, lines.join("\n") + "\n").unwrap();
    ok(&marsad(
        &data,
        &[
            "import",
            "--format",
            "jsonl",
            "--no-media-scan",
            jsonl.to_str().unwrap(),
        ],
    ));

    // A bank with the flag; and, when ffmpeg is here, the video's frames.
    let bank_in = dir.path().join("bank.pdq");
    let mut bank = ok(&marsad(
        &data,
        &["hash", input.join("flag.png").to_str().unwrap()],
    ));
    if video {
        let v = ok(&marsad(
            &data,
            &["media", "video", input.join("clip.mp4").to_str().unwrap()],
        ));
        let v: Value = serde_json::from_str(v.trim()).unwrap();
        let frames = v["frames"].as_array().unwrap();
        assert_eq!(frames.len(), 3);
        assert_eq!(v["sha256"].as_str().unwrap().len(), 64);
        assert_eq!(v["md5"].as_str().unwrap().len(), 32);
        bank.push_str(&format!(
            "{},{},clip-frame\n",
            frames[1]["hash"].as_str().unwrap(),
            frames[1]["quality"]
        ));
    }
    std::fs::write(&bank_in, bank).unwrap();
    ok(&marsad(&data, &["bank", "create", "known"]));
    ok(&marsad(
        &data,
        &[
            "bank",
            "import",
            "known",
            "-f",
            "pdq",
            "--content-type",
            "flag",
            bank_in.to_str().unwrap(),
        ],
    ));

    let out = ok(&marsad(&data, &["media", "scan", "--json"]));
    let s: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(s["analysed"], if video { 4 } else { 3 });
    assert_eq!(s["images"], 2);
    assert_eq!(s["errors"], 0);
    assert_eq!(s["new_findings"], if video { 2 } else { 1 });

    let findings: Vec<Value> = ok(&marsad(&data, &["media", "findings"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let flag = findings
        .iter()
        .find(|f| f["content_type"] == "flag" && f["frame_fraction"].is_null())
        .unwrap();
    assert_eq!(flag["bank"], "known");
    assert_eq!(flag["distance"], 0);
    assert_eq!(flag["quality"], 100);
    assert_eq!(flag["sha256"].as_str().unwrap().len(), 64);
    if video {
        let v = findings
            .iter()
            .find(|f| !f["frame_fraction"].is_null())
            .unwrap();
        assert_eq!(v["label"], "clip-frame");
        assert!(v["frame_fraction"].as_f64().unwrap() > 0.0);
    }

    // Incremental: nothing new to hash, nothing new found; --rematch finds nothing new either.
    let s: Value =
        serde_json::from_str(ok(&marsad(&data, &["media", "scan", "--json"])).trim()).unwrap();
    assert_eq!(
        (s["analysed"].as_u64(), s["new_findings"].as_u64()),
        (Some(0), Some(0))
    );
    let s: Value =
        serde_json::from_str(ok(&marsad(&data, &["media", "scan", "--rematch", "--json"])).trim())
            .unwrap();
    assert_eq!(s["new_findings"], 0);

    // A bank added later: --rematch matches the already-hashed holiday picture.
    bank_of_images(&data, "later", &[&input.join("holiday.png")], &[]);
    let s: Value =
        serde_json::from_str(ok(&marsad(&data, &["media", "scan", "--json"])).trim()).unwrap();
    assert_eq!(s["new_findings"], 0);
    let s: Value =
        serde_json::from_str(ok(&marsad(&data, &["media", "scan", "--rematch", "--json"])).trim())
            .unwrap();
    assert_eq!(s["new_findings"], 1);
}

#[test]
fn import_hashes_and_matches_the_media_it_stores() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    ok(&marsad(&data, &["init"]));
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    picture(0).save(input.join("flag.png")).unwrap();
    picture(3).save(input.join("holiday.png")).unwrap();
    // The bank exists before the import.
    bank_of_images(&data, "known", &[&input.join("flag.png")], &[]);
    let jsonl = input.join("items.jsonl");
    std::fs::write(
        &jsonl,
        concat!(
            r#"{"key":{"platform":"telegram","id":"c1/1"},"kind":"message","text":"a","media":[{"kind":"photo","path":"flag.png"}]}"#,
            "\n",
            r#"{"key":{"platform":"telegram","id":"c1/2"},"kind":"message","text":"b","media":[{"kind":"photo","path":"holiday.png"}]}"#,
            "\n"
        ),
    )
    .unwrap();
    // --json: standard output stays one JSON summary (the scan is quiet).
    let out = ok(&marsad(
        &data,
        &[
            "import",
            "--format",
            "jsonl",
            "--json",
            jsonl.to_str().unwrap(),
        ],
    ));
    let summary: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(summary["imported"], 2);
    // The import hashed and matched both pictures: the flag is a finding already and there
    // is nothing left for `media scan`.
    let findings: Vec<Value> = ok(&marsad(&data, &["media", "findings"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["bank"], "known");
    assert_eq!(findings[0]["distance"], 0);
    let s: Value =
        serde_json::from_str(ok(&marsad(&data, &["media", "scan", "--json"])).trim()).unwrap();
    assert_eq!(s["analysed"], 0);
}

#[test]
fn max_side_hashes_a_thumbnail() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.png");
    let img = image::RgbImage::from_fn(1200, 700, |x, y| {
        image::Rgb([(x / 5) as u8, (y / 3) as u8, ((x + y) / 8) as u8])
    });
    img.save(&big).unwrap();
    let full = ok(&marsad(dir.path(), &["hash", big.to_str().unwrap()]));
    let thumb = ok(&marsad(
        dir.path(),
        &["hash", "--max-side", "512", big.to_str().unwrap()],
    ));
    // Same as hashing the thumbnail itself (Pillow's size for 1200x700 in 512: 512x299).
    assert_eq!(
        marsad_media::thumbnail_size(1200, 700, 512),
        Some((512, 299))
    );
    let small = dir.path().join("small.png");
    let dynamic = image::DynamicImage::ImageRgb8(img);
    let t = marsad_media::thumbnail(&dynamic, 512);
    t.to_rgb8().save(&small).unwrap();
    let of_small = ok(&marsad(dir.path(), &["hash", small.to_str().unwrap()]));
    let hash = |line: &str| line.split(',').next().unwrap().to_string();
    assert_eq!(hash(&thumb), hash(&of_small));
    assert_ne!(full, thumb);
    let bad = marsad(
        dir.path(),
        &["hash", "--max-side", "8", big.to_str().unwrap()],
    );
    assert!(!bad.status.success());
}

#[test]
fn file_digests_in_banks_match_any_file_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    ok(&marsad(&data, &["init"]));
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    // A document (not an image or a video) and an image, both known by their digests.
    std::fs::write(input.join("manual.pdf"), b"%PDF-1.4 a known manual").unwrap();
    picture(5).save(input.join("poster.png")).unwrap();
    let md5_of = |p: &std::path::Path| marsad_media::video::file_digests(p).unwrap().0;
    let bank = dir.path().join("known.csv");
    std::fs::write(
        &bank,
        format!(
            "signal_type,signal_value,tags\nHASH_MD5,{},manual\nphoto_md5,{},poster\n",
            md5_of(&input.join("manual.pdf")),
            md5_of(&input.join("poster.png")).to_uppercase()
        ),
    )
    .unwrap();
    ok(&marsad(&data, &["bank", "create", "known"]));
    let out = ok(&marsad(
        &data,
        &[
            "bank",
            "import",
            "known",
            "-f",
            "te",
            "--json",
            bank.to_str().unwrap(),
        ],
    ));
    let r: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (r["imported"].as_u64(), r["exact"].as_u64()),
        (Some(2), Some(2))
    );

    // `marsad match`: the poster matches exactly (distance 0) besides any PDQ match.
    let m: Value = serde_json::from_str(
        ok(&marsad(
            &data,
            &["match", input.join("poster.png").to_str().unwrap()],
        ))
        .trim(),
    )
    .unwrap();
    assert_eq!(m["matched"], true);
    assert_eq!(m["best_distance"], 0);
    assert_eq!(m["exact"][0]["label"], "poster");

    // Imported media: both files are findings, the document with `md5:` in bank_hash.
    let jsonl = input.join("items.jsonl");
    std::fs::write(
        &jsonl,
        r#"{"key":{"platform":"telegram","id":"c1/1"},"kind":"message","text":"a","media":[{"kind":"file","path":"manual.pdf"},{"kind":"photo","path":"poster.png"}]}"#.to_string() + "\n",
    )
    .unwrap();
    ok(&marsad(
        &data,
        &["import", "--format", "jsonl", jsonl.to_str().unwrap()],
    ));
    let findings: Vec<Value> = ok(&marsad(&data, &["media", "findings"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let manual = findings
        .iter()
        .find(|f| f["label"] == "manual")
        .unwrap_or_else(|| panic!("{findings:?}"));
    assert!(manual["bank_hash"].as_str().unwrap().starts_with("md5:"));
    assert_eq!(manual["distance"], 0);
    assert!(findings.iter().any(|f| f["label"] == "poster"));
}
