//! `marsad graph ...` end to end: the demo dataset's planted network against its manifest,
//! the twarc conformance samples, and edge lists.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{marsad, ok};

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn json(data: &Path, args: &[&str]) -> Value {
    let mut a = vec!["graph"];
    a.extend_from_slice(args);
    a.push("--json");
    serde_json::from_str(&ok(&marsad(data, &a))).unwrap()
}

/// Generates the demo, imports every file in the listed order, returns (workspace, manifest).
fn demo() -> (tempfile::TempDir, Value) {
    let dir = tempfile::tempdir().unwrap();
    let gen = dir.path().join("gen");
    let data = dir.path().join("ws");
    ok(&marsad(
        &data,
        &["demo", "--generate", gen.to_str().unwrap()],
    ));
    ok(&marsad(&data, &["init"]));
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(gen.join("manifest.json")).unwrap()).unwrap();
    for f in manifest["files"].as_array().unwrap() {
        let path = gen.join(f["path"].as_str().unwrap());
        let out = marsad(
            &data,
            &[
                "import",
                "--json",
                "--format",
                f["format"].as_str().unwrap(),
                path.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.code() == Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The analyst's avatar images (the demo writes them; a user runs the same command).
    if let Some(a) = manifest["avatars"].as_str() {
        let out = marsad(
            &data,
            &["import-avatars", "--json", gen.join(a).to_str().unwrap()],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    (dir, manifest)
}

fn group<'a>(m: &'a Value, id: &str) -> &'a Value {
    m["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .chain(m["benign"].as_array().unwrap())
        .find(|g| g["id"] == id)
        .unwrap_or_else(|| panic!("no scenario {id}"))
}

/// `platform:id` keys of a scenario's accounts (and channels).
fn keys(m: &Value, id: &str) -> BTreeSet<String> {
    let g = group(m, id);
    g["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .chain(g["channels"].as_array().unwrap())
        .map(|a| {
            format!(
                "{}:{}",
                a["platform"].as_str().unwrap(),
                a["id"].as_str().unwrap()
            )
        })
        .collect()
}

fn benign_accounts(m: &Value) -> BTreeSet<String> {
    let mut b = keys(m, "benign-news");
    b.extend(keys(m, "benign-decoys"));
    b
}

#[test]
fn demo_network_is_found_and_benign_groups_are_not_flagged() {
    let (dir, m) = demo();
    let data = dir.path().join("ws");
    let outlet = keys(&m, "outlet-amplification");
    let benign = benign_accounts(&m);

    // Tiers: the outlet's Telegram channel and X account are official; the planted
    // amplifiers have a tier; no benign account has one.
    let t = json(&data, &["tiers"]);
    let mut tier_of = std::collections::BTreeMap::new();
    for c in t["communities"].as_array().unwrap() {
        for a in c["accounts"].as_array().unwrap() {
            tier_of.insert(
                a["node"].as_str().unwrap().to_string(),
                a["tier"].as_str().unwrap().to_string(),
            );
            assert!(!a["features"].as_array().unwrap().is_empty());
        }
    }
    let officials: BTreeSet<_> = tier_of
        .iter()
        .filter(|(_, t)| *t == "official")
        .map(|(k, _)| k.clone())
        .collect();
    assert!(
        officials
            .iter()
            .any(|k| k.starts_with("telegram:") && outlet.contains(k)),
        "{officials:?}"
    );
    assert!(
        officials
            .iter()
            .any(|k| k.starts_with("x:") && outlet.contains(k)),
        "{officials:?}"
    );
    let outlet_members: Vec<_> = outlet
        .iter()
        .filter(|k| k.starts_with("x:") || k.starts_with("telegram:user"))
        .collect();
    let tiered = outlet_members
        .iter()
        .filter(|k| tier_of.contains_key(**k))
        .count();
    assert!(
        tiered == outlet_members.len(),
        "{tiered} of {} outlet accounts tiered",
        outlet_members.len()
    );
    for b in &benign {
        assert!(
            !tier_of.contains_key(b),
            "benign {b} got tier {:?}",
            tier_of.get(b)
        );
    }

    // Hubs: the outlet's X account heads its community, amplified by its sympathisers.
    let h = json(&data, &["hubs", "--top", "50"]);
    let heads: BTreeSet<String> = h["top_per_community"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|rows| rows[0]["node"].as_str().map(str::to_string))
        .collect();
    let x_outlet: Vec<_> = officials.iter().filter(|k| k.starts_with("x:")).collect();
    assert!(x_outlet.iter().all(|k| heads.contains(*k)), "{heads:?}");
    let row = h["top_per_community"]
        .as_object()
        .unwrap()
        .values()
        .map(|rows| &rows[0])
        .find(|r| r["node"] == *x_outlet[0].as_str())
        .unwrap();
    assert!(row["amplifiers"].as_u64().unwrap() >= 10, "{row}");

    // Coordination: the swarm, only the swarm.
    let swarm = keys(&m, "journalist-mass-mention");
    let c = json(&data, &["coordination"]);
    let clusters = c["clusters"].as_array().unwrap();
    assert!(!clusters.is_empty());
    let mut covered = BTreeSet::new();
    for cl in clusters {
        assert_eq!(cl["category"], "coordination");
        for a in cl["accounts"].as_array().unwrap() {
            let k = a["node"].as_str().unwrap();
            assert!(
                swarm.contains(k),
                "{k} flagged as coordinated but not in the swarm"
            );
            covered.insert(k.to_string());
        }
        assert!(!cl["shared_items"].as_array().unwrap().is_empty());
    }
    assert!(
        covered.len() * 3 >= (swarm.len() - 1) * 2,
        "only {} of {} swarm accounts",
        covered.len(),
        swarm.len()
    );

    // Brigades: one target, the blogger, protected.
    let victim: BTreeSet<_> = group(&m, "journalist-mass-mention")["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["note"].as_str().unwrap().contains("victim") && a["platform"] == "x")
        .map(|a| format!("x:{}", a["id"].as_str().unwrap()))
        .collect();
    let b = json(&data, &["brigades"]);
    let brigades = b["brigades"].as_array().unwrap();
    assert!(!brigades.is_empty());
    for br in brigades {
        assert!(
            victim.contains(br["target"].as_str().unwrap()),
            "brigade against {}",
            br["target"]
        );
        assert_eq!(br["protect_target"], true);
        assert!(br["alert"]
            .as_str()
            .unwrap()
            .starts_with("possible brigade against @"));
    }
    assert!(brigades[0]["score"].as_f64().unwrap() >= 0.5);
    assert!(brigades[0]["sources"].as_array().unwrap().len() >= 25);

    // Successors: every re-created account, nothing else; lineage stored and shown.
    let recreated = group(&m, "suspension-recreation")["accounts"]
        .as_array()
        .unwrap()
        .clone();
    let s = json(&data, &["successors"]);
    let found: BTreeSet<(String, String)> = s["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["likely_successor"].is_null())
        .map(|f| {
            (
                f["predecessor"].as_str().unwrap().to_string(),
                f["likely_successor"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = recreated
        .chunks(2)
        .map(|p| {
            (
                format!("x:{}", p[0]["id"].as_str().unwrap()),
                format!("x:{}", p[1]["id"].as_str().unwrap()),
            )
        })
        .collect();
    assert_eq!(found, expected);
    // The re-created accounts re-use their predecessor's logo, re-encoded: compared by PDQ.
    for f in s["findings"].as_array().unwrap() {
        if f["likely_successor"].is_null() {
            continue;
        }
        let best = &f["candidates"][0];
        let pdq = best["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "avatar_pdq")
            .unwrap_or_else(|| panic!("no avatar_pdq: {best}"));
        assert!(pdq["value"].as_f64().unwrap() > 0.3, "{pdq}");
        assert!(pdq["note"]
            .as_str()
            .unwrap()
            .contains(" bits between avatar "));
    }
    // The generic silhouette shared by ten football fans is ignored as a default avatar.
    assert_eq!(s["avatars"]["shared_defaults"], 10, "{}", s["avatars"]);
    let lineage: BTreeSet<Vec<String>> = serde_json::from_value(s["lineage"].clone()).unwrap();
    for (a, b) in &expected {
        assert!(lineage.contains(&vec![a.clone(), b.clone()]), "{lineage:?}");
    }
    let again = json(&data, &["successors", "--no-store"]);
    assert_eq!(again["lineage"], s["lineage"], "stored lineage reads back");

    // Migration: the invite links, their first platform, the Rocket.Chat channel joined by
    // accounts that spread the links elsewhere.
    let mig = json(&data, &["migration"]);
    let links = mig["invite_links"].as_array().unwrap();
    let tg = links
        .iter()
        .find(|l| l["url"].as_str().unwrap().starts_with("t.me/+"))
        .unwrap();
    assert_eq!(tg["first_platform"], "telegram");
    assert!(tg["appearances"].as_array().unwrap().len() >= 2, "{tg}");
    // Joins are counted only into channels tied to the link: every one is in the scenario.
    let migration_channels = keys(&m, "invite-link-migration");
    for l in links {
        for j in l["joins"].as_array().unwrap() {
            assert!(
                migration_channels.contains(j["channel"].as_str().unwrap()),
                "{j}"
            );
        }
    }
    assert!(
        tg["joins"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["platform"] == "telegram" && j["joins"].as_u64().unwrap() >= 5),
        "{tg}"
    );
    let rc = links
        .iter()
        .find(|l| l["url"].as_str().unwrap().contains("/invite/"))
        .unwrap();
    let rc_channel = keys(&m, "invite-link-migration")
        .into_iter()
        .filter(|k| k.starts_with("rocketchat:"))
        .collect::<BTreeSet<_>>();
    let joined = rc["joins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| rc_channel.contains(j["channel"].as_str().unwrap()))
        .unwrap_or_else(|| panic!("{rc}"));
    assert!(
        joined["followed_from_other_platforms"]
            .as_array()
            .unwrap()
            .len()
            >= 5,
        "{joined}"
    );
    assert!(mig["identities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["platforms"].as_array().unwrap().len() >= 3));

    // Exports.
    let gexf = dir.path().join("g.gexf");
    ok(&marsad(
        &data,
        &[
            "graph",
            "export",
            "--format",
            "gexf",
            gexf.to_str().unwrap(),
        ],
    ));
    let text = std::fs::read_to_string(&gexf).unwrap();
    assert!(text.starts_with("<?xml") && text.contains("<spell ") && text.contains("official"));
    let csv_dir = dir.path().join("csv");
    ok(&marsad(
        &data,
        &[
            "graph",
            "export",
            "--format",
            "csv",
            csv_dir.to_str().unwrap(),
        ],
    ));
    // The exported edge list is valid input.
    let e = json(
        &data,
        &[
            "--edges",
            csv_dir.join("edges.csv").to_str().unwrap(),
            "communities",
        ],
    );
    assert!(e["modularity"].as_f64().unwrap() > 0.5);

    // Derived edges, built when asked for: the outlet's amplifiers share its links and
    // channels; the result is an edge list of those types only.
    let derived_dir = dir.path().join("derived");
    ok(&marsad(
        &data,
        &[
            "graph",
            "export",
            "--type",
            "co_channel,shared_link,shared_media",
            "--format",
            "csv",
            derived_dir.to_str().unwrap(),
        ],
    ));
    let edges = std::fs::read_to_string(derived_dir.join("edges.csv")).unwrap();
    let rows: Vec<&str> = edges.lines().skip(1).collect();
    assert!(!rows.is_empty(), "no derived edges");
    assert!(
        rows.iter().all(|r| r.contains("co_channel")
            || r.contains("shared_link")
            || r.contains("shared_media")),
        "{edges}"
    );
    assert!(rows
        .iter()
        .any(|r| outlet.iter().any(|k| r.contains(k.as_str()))));
}

#[test]
fn edge_list_input_and_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let karate =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../marsad-graph/tests/fixtures/karate.csv");
    let v = json(
        dir.path(),
        &["--edges", karate.to_str().unwrap(), "communities"],
    );
    // python-igraph 1.0.0 / networkx 3.6.1 best modularity on the karate club: 0.419790.
    assert!(v["modularity"].as_f64().unwrap() >= 0.4197 - 0.01, "{v}");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "source,target,weight\na,b,1\nb,c,oops\nc,a,2\n").unwrap();
    let out = marsad(
        dir.path(),
        &["graph", "--edges", bad.to_str().unwrap(), "hubs", "--json"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3") && err.contains("weight"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["edges"], 2, "good rows are kept");
    let out = marsad(
        dir.path(),
        &[
            "graph",
            "--type",
            "nonsense",
            "--edges",
            bad.to_str().unwrap(),
            "hubs",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    // No workspace: a clear error.
    let out = marsad(&dir.path().join("nowhere"), &["graph", "hubs"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("marsad init"));
}

fn shared_twitter() -> Option<PathBuf> {
    let p = std::env::var("MARSAD_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if p.join("formats/twitter-v2").is_dir() {
        Some(p.join("formats/twitter-v2"))
    } else {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "skipped: ../shared/data not found");
        None
    }
}

#[test]
fn conformance_twarc_cotweet_and_mentions() {
    let Some(dir) = shared_twitter() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("ws");
    ok(&marsad(&data, &["init"]));
    for f in ["cotweet.jsonl", "mentions_tweet.jsonl"] {
        let p = dir.join(f);
        ok(&marsad(
            &data,
            &[
                "import",
                "--json",
                "--format",
                "twitter-v2",
                p.to_str().unwrap(),
            ],
        ));
    }
    // cotweet.jsonl is one tweet by one account ("…cotwussy tested"); mentions_tweet.jsonl is
    // @BaldManGamer retweeting @S3NT1N3L17, whose tweet mentions 8 game studios. Nothing is
    // posted twice, so there is no co-post event; nobody is swarmed.
    let c = json(&data, &["coordination"]);
    assert_eq!(c["events"], 0);
    assert!(c["clusters"].as_array().unwrap().is_empty());
    let loose = json(&data, &["coordination", "--min-accounts", "2"]);
    assert_eq!(loose["events"], 0);
    let b = json(&data, &["brigades", "--min-sources", "2"]);
    assert!(b["brigades"].as_array().unwrap().is_empty());
    // Hubs: the retweeted account is amplified once, by the retweeter; the 8 mentions are
    // edges from the author to each studio.
    let h = json(&data, &["hubs"]);
    assert_eq!(
        h["edges"], 10,
        "1 repost + 1 mention of the retweeted author + 8 studio mentions"
    );
    let f = h["hub_followers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["hub"] == "x:1221317221714157569")
        .expect("the retweeted account is a top hub");
    assert_eq!(f["followers"][0]["node"], "x:68401342");
    assert_eq!(f["followers"][0]["kinds"]["repost"], 1);
    let mentions = json(&data, &["hubs", "--type", "mention"]);
    assert_eq!(mentions["edges"], 9);
}
