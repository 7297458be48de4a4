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

    // ThreatExchange / HMA: PDQ rows and file digests; other signal types are skipped.
    let te = ws.path().join("te.csv");
    std::fs::write(
        &te,
        format!("signal_type,signal_value,tags\npdq,{A},te-flag\nvideo_md5,0123456789abcdef0123456789abcdef,vid\nurl,https://example.org/x,link\n"),
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
    assert_eq!((r.imported, r.exact, r.skipped), (2, 1, 1));
    let exact = banks.exact_entries("te").unwrap();
    assert_eq!(exact.len(), 1);
    assert_eq!(exact[0].digest, "0123456789abcdef0123456789abcdef");
    assert_eq!(exact[0].label, "vid");
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

/// The layouts python-threatexchange 1.2 writes (read from its source): `threatexchange
/// dataset -P --csv` (`signal_type,signal_str,collab,category,tags`), `api fb_threatexchange
/// query` (`id,indicator,type,status,tags,owner_id`, type `HASH_PDQ`, `added_on` as
/// `2020-07-01T18:04:07+0000`), and the headerless local cache files `simple.<TYPE>.te`
/// (`indicator,first_descriptor_id,added_on,labels`; HMA adds `indicator_id` second).
#[test]
fn threatexchange_real_layouts() {
    let ws = tempfile::tempdir().unwrap();
    let banks = Banks::new(ws.path());
    let imp = |bank: &str, file: &str, body: String| {
        let p = ws.path().join(file);
        std::fs::write(&p, body).unwrap();
        banks.create(bank, "", false).unwrap();
        let r = banks
            .import(
                bank,
                &p,
                BankFormat::ThreatExchange,
                &EntryDefaults::default(),
            )
            .unwrap();
        (r, banks.entries(bank).unwrap())
    };
    let (r, e) = imp(
        "dataset",
        "collab.csv",
        format!(
            "signal_type,signal_str,collab,category,tags\npdq,{A},Sample Data,ADVERSARIAL,flag isis\nvideo_md5,0123456789abcdef0123456789abcdef,Sample Data,ADVERSARIAL,\n"
        ),
    );
    assert_eq!((r.imported, r.exact, r.skipped, r.rejected), (2, 1, 0, 0));
    assert_eq!(
        (
            e[0].label.as_str(),
            e[0].group.as_str(),
            e[0].content_type.as_str()
        ),
        ("flag isis", "Sample Data", "ADVERSARIAL")
    );

    let (r, e) = imp(
        "query",
        "query.csv",
        format!(
            "id,indicator,type,status,tags,owner_id,added_on\n1234,{A},HASH_PDQ,MALICIOUS,terrorism,999,2020-07-01T18:04:07+0000\n1235,abc,URI,MALICIOUS,,999,2020-07-01T18:04:07+0000\n"
        ),
    );
    assert_eq!(
        (r.imported, r.skipped, r.rejected),
        (1, 1, 0),
        "{:?}",
        r.rejects
    );
    assert_eq!(e[0].source, "1234");
    assert_eq!(e[0].group, "999");
    assert_eq!(
        e[0].added_at.unwrap().to_rfc3339(),
        "2020-07-01T18:04:07+00:00"
    );

    // CLI cache: 4 fields; a bad hash on line 2 is rejected with its line number.
    let (r, e) = imp(
        "cache",
        "simple.HASH_PDQ.te",
        format!("{A},5550001,2020-07-01T18:04:07+0000,flag\nnot-a-hash,5550002,2020-07-01T18:04:07+0000,x\n{B},5550003,2021-01-02T00:00:00+0000,leader photo\n"),
    );
    assert_eq!((r.imported, r.rejected), (2, 1));
    assert_eq!(r.rejects[0].line, 2);
    assert_eq!(
        (e[0].label.as_str(), e[0].source.as_str()),
        ("flag", "5550001")
    );
    assert_eq!(e[1].label, "leader photo");

    // HMA cache: 5 fields (indicator_id second).
    let (r, e) = imp(
        "hma",
        "simple.HASH_PDQ.te",
        format!("{A},777,5550001,2020-07-01T18:04:07+0000,flag\n"),
    );
    assert_eq!(r.imported, 1);
    assert_eq!((e[0].label.as_str(), e[0].source.as_str()), ("flag", "777"));

    // An MD5 cache file: file digests; a PDQ-length value there is rejected.
    let (r, _) = imp(
        "md5",
        "simple.HASH_MD5.te",
        format!("0123456789ABCDEF0123456789abcdef,5550001,2020-07-01T18:04:07+0000,known video\n{A},5550002,2020-07-01T18:04:07+0000,x\n"),
    );
    assert_eq!((r.imported, r.exact, r.rejected), (1, 1, 1));
    let exact = banks.exact_entries("md5").unwrap();
    assert_eq!(
        (
            exact[0].digest.as_str(),
            exact[0].label.as_str(),
            exact[0].source.as_str()
        ),
        ("0123456789abcdef0123456789abcdef", "known video", "5550001")
    );
    // A cache file of another signal type: every row skipped.
    let (r, _) = imp(
        "url",
        "simple.URI.te",
        format!("{A},5550001,2020-07-01T18:04:07+0000,x\n"),
    );
    assert_eq!((r.imported, r.skipped), (0, 1));
}

/// File digests match by equality, any file; a negative bank's digest suppresses.
#[test]
fn exact_digests_match_and_negative_digests_suppress() {
    use marsad_media::Matcher;
    let ws = tempfile::tempdir().unwrap();
    let banks = Banks::new(ws.path());
    let md5 = "d41d8cd98f00b204e9800998ecf8427e";
    let sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let csv = ws.path().join("exact.csv");
    std::fs::write(
        &csv,
        format!(
            "hash,label,algorithm\n{md5},empty-md5,md5\n{sha},empty-sha,SHA-256\n{A},flag,pdq\n"
        ),
    )
    .unwrap();
    banks.create("known", "", false).unwrap();
    let r = banks
        .import("known", &csv, BankFormat::Csv, &EntryDefaults::default())
        .unwrap();
    assert_eq!((r.imported, r.exact), (3, 2));
    // Both survive a CSV and a ThreatExchange export and re-import.
    for (fmt, name) in [
        (BankFormat::Csv, "te-csv"),
        (BankFormat::ThreatExchange, "te-te"),
    ] {
        let mut out = Vec::new();
        assert_eq!(banks.export("known", fmt, &mut out).unwrap(), 3);
        let p = ws.path().join(format!("{name}.out"));
        std::fs::write(&p, &out).unwrap();
        banks.create(name, "", false).unwrap();
        let r = banks
            .import(name, &p, fmt, &EntryDefaults::default())
            .unwrap();
        assert_eq!((r.imported, r.exact, r.rejected), (3, 2, 0), "{name}");
        assert_eq!(
            banks.exact_entries(name).unwrap(),
            banks.exact_entries("known").unwrap()
        );
    }

    let m = Matcher::load(&banks, &[]).unwrap();
    assert_eq!(m.exact_digests(), 2);
    let out = m.match_digests(Some(&md5.to_uppercase()), Some(sha));
    // Both digests, in each of the three banks holding them.
    assert_eq!(out.matches.len(), 6);
    assert!(out.suppressed_by.is_none());
    assert!(m
        .match_digests(Some("00000000000000000000000000000000"), None)
        .matches
        .is_empty());

    // The same MD5 in a negative bank: suppressed.
    let neg = ws.path().join("neg.csv");
    std::fs::write(&neg, format!("hash,label,algorithm\n{md5},benign,md5\n")).unwrap();
    banks.create("benign", "", true).unwrap();
    banks
        .import("benign", &neg, BankFormat::Csv, &EntryDefaults::default())
        .unwrap();
    let m = Matcher::load(&banks, &[]).unwrap();
    let out = m.match_digests(Some(md5), Some(sha));
    assert!(out.matches.is_empty());
    assert_eq!(out.suppressed_by.unwrap().bank, "benign");
    // The bank list counts digests.
    let list = banks.list().unwrap();
    let known = list.iter().find(|b| b.meta.name == "known").unwrap();
    assert_eq!((known.hashes, known.exact), (1, 2));
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
