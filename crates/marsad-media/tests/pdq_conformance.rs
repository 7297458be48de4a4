#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Conformance against Meta's published PDQ reference values in `../shared/data/pdq`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use marsad_media::{DecodeLimits, Hash256, ImageHasher};

/// (implementation, image path relative to `pdq/images`, expected hash) from every file in
/// `pdq/reference`.
fn published(pdq: &Path) -> Vec<(&'static str, String, Hash256)> {
    let reference = pdq.join("reference");
    let hex64 = |s: &str| -> Option<Hash256> {
        let t = s.trim().trim_matches('"');
        if t.len() == 64 {
            t.parse().ok()
        } else {
            None
        }
    };
    let mut out = Vec::new();
    // C++: `pdq-photo-hasher reg_test/input/dih/bridge-*jpg` in the README.
    let cpp = std::fs::read_to_string(reference.join("cpp-bin-README.md")).unwrap();
    for line in cpp.lines() {
        if let Some((h, p)) = line.split_once(',') {
            if let (Some(h), Some(name)) = (hex64(h), p.strip_prefix("reg_test/input/")) {
                out.push(("cpp", format!("reg-test-input/{}", name.trim()), h));
            }
        }
    }
    // Python (pure-Python port with PIL): pairs of (path, hash) lines.
    let py = std::fs::read_to_string(reference.join("python-pdq_test.py")).unwrap();
    let mut last_path: Option<String> = None;
    for line in py.lines() {
        let t = line.trim().trim_end_matches(',');
        if let Some(rest) = t.strip_prefix("SAMPLE_MEDIA + \"") {
            last_path = Some(rest.trim_end_matches('"').to_string());
        } else if let Some(h) = hex64(t) {
            if let Some(p) = last_path.take() {
                out.push(("python", p, h));
            }
        }
    }
    // WASM: CSV FilePath,Hash.
    let wasm = std::fs::read_to_string(reference.join("wasm-PDQMD5TestData.csv")).unwrap();
    for line in wasm.lines().skip(1) {
        if let Some((p, h)) = line.split_once(',') {
            if let (Some(h), Some(rel)) = (hex64(h), p.strip_prefix("../../../../data/")) {
                out.push(("wasm", rel.to_string(), h));
            }
        }
    }
    // Java: the bridge hashes asserted in PDQHasherTest.
    let java = std::fs::read_to_string(reference.join("java-PDQHasherTest.java")).unwrap();
    let mut files = Vec::new();
    for line in java.lines() {
        if let Some(i) = line.find("../data/") {
            let rest = &line[i + "../data/".len()..];
            if let Some(end) = rest.find('"') {
                files.push(rest[..end].to_string());
            }
        }
        if let Some(i) = line.find("toString(), \"") {
            let rest = &line[i + "toString(), \"".len()..];
            if let (Some(h), Some(f)) = (rest.get(..64).and_then(hex64), files.last()) {
                out.push(("java", f.clone(), h));
            }
        }
    }
    out
}

#[test]
fn hashes_agree_with_every_published_reference() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let pdq = data.join("pdq");
    let images = pdq.join("images");
    let refs = published(&pdq);
    assert!(
        refs.len() >= 40,
        "parsed only {} reference values",
        refs.len()
    );
    let mut hasher = ImageHasher::new(DecodeLimits::default());
    // Meta's pure-Python port (`pdqhashing`) thumbnails every image to 512 pixels with
    // Pillow before hashing (`img.thumbnail((512, 512))` in `PDQHasher.fromFile`), so its
    // values are compared with our hash of the same thumbnail (`--max-side 512`).
    let mut thumb_hasher = ImageHasher::new(DecodeLimits::default()).with_max_side(Some(512));
    let mut full_vs_python = Vec::new();
    let mut hist: BTreeMap<u32, usize> = BTreeMap::new();
    let mut by_impl: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    let mut worst = Vec::new();
    let mut checked = 0;
    for (imp, rel, expected) in &refs {
        let path: PathBuf = images.join(rel);
        if !path.exists() {
            eprintln!("reference {imp} {rel}: image not in the data set, not compared");
            continue;
        }
        let full = hasher.hash_file(&path).unwrap();
        let got = if *imp == "python" {
            full_vs_python.push(full.hash.distance(expected));
            thumb_hasher.hash_file(&path).unwrap()
        } else {
            full
        };
        let d = got.hash.distance(expected);
        *hist.entry(d).or_default() += 1;
        by_impl.entry(imp).or_default().push(d);
        checked += 1;
        // small.jpg decodes to the same pixels everywhere: bit-identical to every reference.
        // (wee.jpg, a 34x42 progressive JPEG, decodes 2 bits apart with zune-jpeg and with
        // jpeg-decoder alike; libjpeg-turbo's progressive rounding differs from both.)
        if rel.ends_with("small.jpg") {
            assert_eq!(got.hash, *expected, "{imp} {rel}");
        }
        if rel.ends_with("wee.jpg") {
            assert!(d <= 2, "{imp} {rel}: {d}");
        }
        if d > 10 {
            worst.push(format!(
                "{imp} {rel}: got {} want {expected} distance {d}",
                got.hash
            ));
        }
    }
    eprintln!("PDQ distance to published reference values ({checked} comparisons):");
    for (d, n) in &hist {
        eprintln!("  distance {d:2}: {n}");
    }
    for (imp, ds) in &by_impl {
        let max = ds.iter().max().unwrap();
        let exact = ds.iter().filter(|&&d| d == 0).count();
        eprintln!(
            "  {imp:6}: {} values, {exact} identical, max distance {max}",
            ds.len()
        );
    }
    eprintln!(
        "  python values vs our full-size hash (no thumbnail): max distance {}",
        full_vs_python.iter().max().copied().unwrap_or(0)
    );
    assert!(checked >= 40);
    assert!(worst.is_empty(), "over tolerance:\n{}", worst.join("\n"));
}

/// Hashes from the Python `pdqhash` 0.2.8 package (Meta's C++ core fed PIL-decoded RGB),
/// computed once on these images and saved as `fixtures/pdqhash-python-0.2.8.csv`
/// (`hash,quality,path`; see docs/media.md for the command).
#[test]
fn agrees_with_python_pdqhash_package() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let images = data.join("pdq/images");
    let table = std::fs::read_to_string(common::fixture("pdqhash-python-0.2.8.csv")).unwrap();
    let mut hasher = ImageHasher::new(DecodeLimits::default());
    let (mut n, mut identical, mut max, mut qdiff) = (0, 0, 0, 0);
    let mut hist: BTreeMap<u32, usize> = BTreeMap::new();
    for line in table.lines() {
        let mut f = line.splitn(3, ',');
        let (h, q, rel) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        let want: Hash256 = h.parse().unwrap();
        let q: u8 = q.parse().unwrap();
        let path = images.join(rel);
        if rel.contains("exif-rotn") {
            // PIL does not apply EXIF orientation; we do (compared in its own test).
            continue;
        }
        let got = hasher.hash_file(&path).unwrap();
        let d = got.hash.distance(&want);
        *hist.entry(d).or_default() += 1;
        n += 1;
        identical += usize::from(d == 0);
        max = max.max(d);
        qdiff = qdiff.max(got.quality.abs_diff(q));
        assert!(d <= 8, "{rel}: got {} want {want}, distance {d}", got.hash);
    }
    eprintln!("vs Python pdqhash: {n} images, {identical} identical, max distance {max}, max quality difference {qdiff}; histogram {hist:?}");
    assert!(n >= 30);
    assert!(identical * 2 > n, "identical on most: {identical} of {n}");
}

#[test]
fn bridge_mods_stay_within_match_threshold() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let dir = data.join("pdq/images/bridge-mods");
    let mut hasher = ImageHasher::new(DecodeLimits::default());
    let orig = hasher.hash_file(&dir.join("aaa-orig.jpg")).unwrap().hash;
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert!(names.len() >= 11);
    for p in names {
        let h = hasher.hash_file(&p).unwrap().hash;
        let d = h.distance(&orig);
        eprintln!(
            "bridge-mods {}: distance {d}",
            p.file_name().unwrap().to_string_lossy()
        );
        assert!(d <= 31, "{} is {d} bits from the original", p.display());
    }
}

#[test]
fn dihedral_set_matches_rotated_and_flipped_files() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let dir = data.join("pdq/images/reg-test-input/dih");
    let mut hasher = ImageHasher::new(DecodeLimits::default());
    let dih = hasher
        .dihedral_file(&dir.join("bridge-1-original.jpg"))
        .unwrap();
    let files = [
        ("original", "bridge-1-original.jpg"),
        ("rotate90", "bridge-2-rotate-90.jpg"),
        ("rotate180", "bridge-3-rotate-180.jpg"),
        ("rotate270", "bridge-4-rotate-270.jpg"),
        ("flipx", "bridge-5-flipx.jpg"),
        ("flipy", "bridge-6-flipy.jpg"),
        ("flipplus1", "bridge-7-flip-plus-1.jpg"),
        ("flipminus1", "bridge-8-flip-minus-1.jpg"),
    ];
    let named = dih.named();
    for ((name, file), (dname, dhash)) in files.iter().zip(named.iter()) {
        assert_eq!(name, dname);
        let direct = hasher.hash_file(&dir.join(file)).unwrap().hash;
        let d = direct.distance(dhash);
        eprintln!("dihedral {name}: hash of {file} is {d} bits from the variant");
        assert!(d <= 16, "{name}: {d} bits from the hash of {file}");
        // And each variant is far from the other files' hashes (the right one is picked).
        for (_, other) in files.iter().filter(|(n, _)| n != name) {
            let o = hasher.hash_file(&dir.join(other)).unwrap().hash;
            assert!(o.distance(dhash) > d, "{name} closer to {other}");
        }
    }
}

#[test]
fn exif_orientation_is_applied_before_hashing() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let p = data.join("pdq/images/reg-test-input/exif-rotn/exif-rotn-6.jpg");
    let mut hasher = ImageHasher::new(DecodeLimits::default());
    let upright = hasher.hash_file(&p).unwrap();
    // The stored pixels are rotated; orientation 6 means "rotate 90° clockwise to view".
    // The hash of the raw pixels' 90°-clockwise variant is the upright hash.
    let raw = image::ImageReader::open(&p).unwrap().decode().unwrap();
    let raw_hash = hasher.hash_image(&raw).hash;
    let rotated = hasher.hash_image(&raw.rotate90()).hash;
    eprintln!(
        "exif-rotn-6: upright {} raw {} distance {}",
        upright.hash,
        raw_hash,
        upright.hash.distance(&raw_hash)
    );
    assert_eq!(upright.hash, rotated);
    assert!(upright.hash.distance(&raw_hash) > 31);
}
