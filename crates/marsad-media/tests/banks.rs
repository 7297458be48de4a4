#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Hash banks: formats, round trip, disabled and negative banks.

use marsad_media::{BankFormat, Banks, EntryDefaults, Hash256, Matcher};

const A: &str = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22";
const B: &str = "b0a10efd71cc3f429413d48d0ffffe12e34e0e17ada952a9d29684210aa9e5af";
const C: &str = "adad5a64b5a142e55362a09057dacd5ae63b847fc23794b766b319361fc93188";

fn near(h: &str, bits: usize) -> Hash256 {
    let mut x: Hash256 = h.parse().unwrap();
    for b in 0..bits {
        x.0[b % 4] ^= 1 << (b * 7 % 64);
    }
    x
}

#[test]
fn formats_round_trip_rejects_and_matching() {
    let ws = tempfile::tempdir().unwrap();
    let banks = Banks::new(ws.path());
    banks
        .create("isis-media", "known propaganda", false)
        .unwrap();
    assert!(banks.create("isis-media", "", false).is_err());
    assert!(banks.create("../x", "", false).is_err());

    // Marsad CSV, columns in any order, one bad hash, one bad quality.
    let csv = ws.path().join("in.csv");
    std::fs::write(
        &csv,
        format!("label,hash,group,content_type,quality\nflag,{A},outlet-a,flag,90\nlogo,{B},outlet-b,logo,\nbad,xyz,,,\nq,{C},,,101\n"),
    )
    .unwrap();
    let r = banks
        .import(
            "isis-media",
            &csv,
            BankFormat::Csv,
            &EntryDefaults::default(),
        )
        .unwrap();
    assert_eq!((r.read, r.imported, r.rejected), (4, 2, 2));
    assert_eq!(r.rejects[0].line, 4);
    assert_eq!(r.rejects[0].field, "hash");
    assert_eq!(r.rejects[1].field, "quality");
    // Idempotent.
    let r2 = banks
        .import(
            "isis-media",
            &csv,
            BankFormat::Csv,
            &EntryDefaults::default(),
        )
        .unwrap();
    assert_eq!((r2.imported, r2.duplicates), (0, 2));

    // Meta pdq-photo-hasher lines.
    let pdq = ws.path().join("in.pdq");
    std::fs::write(
        &pdq,
        format!("{C},100,/photos/leader.jpg\nnot-a-hash,1,x\n"),
    )
    .unwrap();
    let r = banks
        .import(
            "isis-media",
            &pdq,
            BankFormat::Pdq,
            &EntryDefaults::default(),
        )
        .unwrap();
    assert_eq!((r.imported, r.rejected), (1, 1));

    // ThreatExchange / HMA: only PDQ rows.
    let te = ws.path().join("te.csv");
    std::fs::write(
        &te,
        format!("signal_type,signal_value,tags\npdq,{A},te-flag\nvideo_md5,0123456789abcdef0123456789abcdef,vid\n"),
    )
    .unwrap();
    banks.create("te", "", false).unwrap();
    let r = banks
        .import(
            "te",
            &te,
            BankFormat::ThreatExchange,
            &EntryDefaults::default(),
        )
        .unwrap();
    assert_eq!((r.imported, r.skipped), (1, 1));

    // Export -> import into a new bank gives the same entries.
    let mut out = Vec::new();
    assert_eq!(
        banks
            .export("isis-media", BankFormat::Csv, &mut out)
            .unwrap(),
        3
    );
    let exported = ws.path().join("export.csv");
    std::fs::write(&exported, &out).unwrap();
    banks.create("copy", "", false).unwrap();
    banks
        .import(
            "copy",
            &exported,
            BankFormat::Csv,
            &EntryDefaults::default(),
        )
        .unwrap();
    assert_eq!(
        banks.entries("copy").unwrap(),
        banks.entries("isis-media").unwrap()
    );
    for fmt in [BankFormat::Pdq, BankFormat::ThreatExchange] {
        let mut out = Vec::new();
        banks.export("isis-media", fmt, &mut out).unwrap();
        let p = ws.path().join("x.out");
        std::fs::write(&p, &out).unwrap();
        banks.create("rt", "", false).unwrap();
        banks
            .import("rt", &p, fmt, &EntryDefaults::default())
            .unwrap();
        let a: Vec<_> = banks
            .entries("rt")
            .unwrap()
            .iter()
            .map(|e| (e.hash, e.quality))
            .collect();
        let b: Vec<_> = banks
            .entries("isis-media")
            .unwrap()
            .iter()
            .map(|e| (e.hash, e.quality))
            .collect();
        assert_eq!(a, b);
        std::fs::remove_dir_all(ws.path().join("banks/rt")).unwrap();
    }

    // Matching: near-duplicate of A found in both banks holding it, best first.
    let m = Matcher::load(&banks, &[]).unwrap();
    let q = near(A, 5);
    let out = m.match_hash(&q, 31, 10).unwrap();
    assert!(out.suppressed_by.is_none());
    let banks_hit: Vec<_> = out.matches.iter().map(|x| x.bank.as_str()).collect();
    assert_eq!(banks_hit, ["copy", "isis-media", "te"]);
    assert!(out.matches.iter().all(|x| x.distance == 5));
    assert_eq!(out.matches[1].label, "flag");
    assert_eq!(out.matches[1].group, "outlet-a");
    assert!(m
        .match_hash(&near(A, 40), 31, 10)
        .unwrap()
        .matches
        .is_empty());

    // Disabled bank: not matched; naming it explicitly is an error.
    banks.set_enabled("copy", false).unwrap();
    let m = Matcher::load(&banks, &[]).unwrap();
    let hit: Vec<_> = m
        .match_hash(&q, 31, 10)
        .unwrap()
        .matches
        .into_iter()
        .map(|x| x.bank)
        .collect();
    assert_eq!(hit, ["isis-media", "te"]);
    assert!(Matcher::load(&banks, &["copy".into()]).is_err());
    assert!(Matcher::load(&banks, &["nope".into()]).is_err());

    // Negative bank of benign images suppresses the match.
    banks.create("benign", "news agency photos", true).unwrap();
    let neg = ws.path().join("neg.pdq");
    std::fs::write(&neg, format!("{},100,agency.jpg\n", near(A, 3))).unwrap();
    banks
        .import("benign", &neg, BankFormat::Pdq, &EntryDefaults::default())
        .unwrap();
    let m = Matcher::load(&banks, &["isis-media".into()]).unwrap();
    let out = m.match_hash(&q, 31, 10).unwrap();
    assert!(out.matches.is_empty());
    assert_eq!(out.suppressed_by.unwrap().bank, "benign");
    // B is unaffected by the negative bank.
    assert_eq!(m.match_hash(&near(B, 2), 31, 10).unwrap().matches.len(), 1);

    let list = banks.list().unwrap();
    let names: Vec<_> = list
        .iter()
        .map(|s| (s.meta.name.as_str(), s.hashes, s.meta.enabled))
        .collect();
    assert_eq!(
        names,
        [
            ("benign", 1, true),
            ("copy", 3, false),
            ("isis-media", 3, true),
            ("te", 1, true)
        ]
    );
}

#[test]
fn cached_index_follows_the_csv_and_survives_corruption() {
    let ws = tempfile::tempdir().unwrap();
    let banks = Banks::new(ws.path());
    banks.create("b", "", false).unwrap();
    let f = ws.path().join("one.pdq");
    std::fs::write(&f, format!("{A},90,first\n")).unwrap();
    banks
        .import("b", &f, BankFormat::Pdq, &EntryDefaults::default())
        .unwrap();
    let loaded = banks.load("b").unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded.entry(0).unwrap().label, "first");
    let dir = ws.path().join("banks/b");
    assert!(dir.join("index.mih").is_file() && dir.join("entries.off").is_file());
    // From the cache, same answer.
    assert_eq!(
        banks.load("b").unwrap().entry(0).unwrap().hash.to_string(),
        A
    );
    // An import (append) makes the cache stale at once, whatever the clock resolution.
    std::fs::write(&f, format!("{B},80,second\n")).unwrap();
    banks
        .import("b", &f, BankFormat::Pdq, &EntryDefaults::default())
        .unwrap();
    let loaded = banks.load("b").unwrap();
    assert_eq!(loaded.len(), 2);
    // Ids are the index's (sorted) order: each hit's id finds its own row.
    let hit = loaded.index.search(&B.parse().unwrap(), 0)[0];
    assert_eq!(loaded.entry(hit.id).unwrap().label, "second");
    let hit = loaded.index.search(&A.parse().unwrap(), 0)[0];
    assert_eq!(loaded.entry(hit.id).unwrap().label, "first");
    // Corrupt cache files are rebuilt, not trusted.
    std::fs::write(dir.join("entries.off"), b"junk").unwrap();
    std::fs::write(dir.join("index.mih"), b"junk").unwrap();
    let loaded = banks.load("b").unwrap();
    assert_eq!(loaded.len(), 2);
    let hit = loaded.index.search(&B.parse().unwrap(), 0)[0];
    assert_eq!(loaded.entry(hit.id).unwrap().quality, Some(80));
    assert_eq!(banks.count("b").unwrap(), 2);
}

#[test]
fn index_of_an_older_format_is_rebuilt() {
    let ws = tempfile::tempdir().unwrap();
    let banks = Banks::new(ws.path());
    banks.create("b", "", false).unwrap();
    let f = ws.path().join("two.pdq");
    std::fs::write(&f, format!("{A},90,first\n{B},80,second\n")).unwrap();
    banks
        .import("b", &f, BankFormat::Pdq, &EntryDefaults::default())
        .unwrap();
    banks.load("b").unwrap();
    let dir = ws.path().join("banks/b");
    // A format-1 index (128 B/hash layout) and row-order offsets, as older versions wrote.
    let mut old = b"MRSDMIH1".to_vec();
    old.extend_from_slice(&2u64.to_le_bytes());
    old.extend_from_slice(&[0u8; 256]);
    std::fs::write(dir.join("index.mih"), &old).unwrap();
    let loaded = banks.load("b").unwrap();
    assert_eq!(loaded.len(), 2);
    for (h, label) in [(A, "first"), (B, "second")] {
        let hits = loaded.index.search(&h.parse().unwrap(), 0);
        assert_eq!(hits.len(), 1);
        assert_eq!(loaded.entry(hits[0].id).unwrap().label, label);
    }
    let rebuilt = std::fs::read(dir.join("index.mih")).unwrap();
    assert_eq!(&rebuilt[..8], b"MRSDMIH2");
    // An offsets file of the older (row-order) version is not trusted either.
    let mut off = std::fs::read(dir.join("entries.off")).unwrap();
    off[..8].copy_from_slice(b"MRSDOFF1");
    std::fs::write(dir.join("entries.off"), &off).unwrap();
    let loaded = banks.load("b").unwrap();
    let hits = loaded.index.search(&B.parse().unwrap(), 0);
    assert_eq!(loaded.entry(hits[0].id).unwrap().label, "second");
    assert_eq!(
        &std::fs::read(dir.join("entries.off")).unwrap()[..8],
        b"MRSDOFF2"
    );
}
