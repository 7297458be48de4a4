//! Whole-run tests: determinism, format validity, ground truth, scale, media.

use super::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;

fn run(dir: &Path, scale: u32, seed: u64, formats: Vec<DemoFormat>) -> DemoSummary {
    generate(
        dir,
        &DemoConfig {
            scale,
            seed,
            formats,
        },
    )
    .unwrap()
}

/// Every file under `dir`, relative, sorted.
fn walk(dir: &Path) -> Vec<String> {
    fn go(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                go(base, &p, out);
            } else {
                out.push(
                    p.strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut v = Vec::new();
    go(dir, dir, &mut v);
    v.sort();
    v
}

fn hashes(dir: &Path) -> BTreeMap<String, String> {
    walk(dir)
        .into_iter()
        .map(|rel| {
            let bytes = fs::read(dir.join(&rel)).unwrap();
            (rel, hex::encode(Sha256::digest(&bytes)))
        })
        .collect()
}

/// All JSON documents of a file: concatenated documents or JSON lines.
fn documents(path: &Path) -> Vec<Value> {
    let text = fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "jsonl") {
        return text
            .lines()
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
            })
            .collect();
    }
    serde_json::Deserializer::from_str(&text)
        .into_iter::<Value>()
        .map(|d| d.unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// Telegram chats of an export: (chat object, is it the single-chat layout).
fn telegram_chats(doc: &Value) -> Vec<&Value> {
    if doc.get("messages").is_some() {
        return vec![doc];
    }
    let mut v: Vec<&Value> = arr(&doc["chats"]["list"]).iter().collect();
    v.extend(arr(&doc["left_chats"]["list"]));
    v
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let sa = run(a.path(), 1, 7, vec![]);
    let sb = run(b.path(), 1, 7, vec![]);
    let (ha, hb) = (hashes(a.path()), hashes(b.path()));
    assert!(ha.len() > 100, "photos and exports: {}", ha.len());
    assert_eq!(ha, hb);
    assert_eq!(
        sa.files,
        sb.files
            .iter()
            .map(|f| DemoFile {
                path: a.path().join(&f.relative),
                ..f.clone()
            })
            .collect::<Vec<_>>()
    );
    run(c.path(), 1, 8, vec![]);
    let hc = hashes(c.path());
    let differing = ha.iter().filter(|(k, v)| hc.get(*k) != Some(v)).count();
    assert!(
        differing > ha.len() / 2,
        "a different seed changes the data"
    );
}

#[test]
fn every_file_parses_in_its_format_and_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let sum = run(dir.path(), 1, 1, vec![]);
    assert_eq!(sum.files.len(), 17);
    let formats: BTreeSet<&str> = sum.files.iter().map(|f| f.format.as_str()).collect();
    assert_eq!(formats.len(), 7);
    for f in &sum.files {
        assert!(f.path.is_file(), "{}", f.relative);
        assert_eq!(
            fs::metadata(&f.path).unwrap().len(),
            f.bytes,
            "{}",
            f.relative
        );
        assert!(f.relative.starts_with(f.format.dir()), "{}", f.relative);
        if f.relative.ends_with(".csv") {
            let mut rd = csv::Reader::from_path(&f.path).unwrap();
            let width = rd.headers().unwrap().len();
            let rows: Vec<_> = rd.records().map(|r| r.unwrap()).collect();
            assert!(rows.iter().all(|r| r.len() == width));
            assert_eq!(rows.len() as u64, f.items, "{}", f.relative);
        } else {
            let docs = documents(&f.path);
            assert!(!docs.is_empty(), "{}", f.relative);
        }
    }
    // Every other JSON file (the manifest) parses too; twarc lines are one response each.
    for rel in walk(dir.path())
        .iter()
        .filter(|r| r.ends_with(".json") || r.ends_with(".jsonl"))
    {
        documents(&dir.path().join(rel));
    }
    let stream = documents(&dir.path().join("twitter/stream_2026-10.jsonl"));
    let errors: Vec<&Value> = stream.iter().filter(|d| d.get("data").is_none()).collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["errors"][0]["title"], "operational-disconnect");
    for d in stream.iter().filter(|d| d.get("data").is_some()) {
        assert!(d["__twarc"]["retrieved_at"].is_string());
        assert!(d["matching_rules"].is_array());
    }
    for page in documents(&dir.path().join("twitter/search_2026-10.jsonl")) {
        assert!(arr(&page["data"]).len() <= 100);
        assert_eq!(
            arr(&page["data"]).len() as u64,
            page["meta"]["result_count"].as_u64().unwrap()
        );
        for t in arr(&page["data"]) {
            let author = s(&t["author_id"]);
            assert!(
                arr(&page["includes"]["users"])
                    .iter()
                    .any(|u| s(&u["id"]) == author),
                "author in includes"
            );
        }
    }
    // twarc writes ASCII (json.dumps ensure_ascii).
    assert!(fs::read(dir.path().join("twitter/search_2026-10.jsonl"))
        .unwrap()
        .is_ascii());
}

#[test]
fn twitter_entities_point_at_their_text() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), 1, 3, vec![DemoFormat::Twitter]);
    let mut checked = 0;
    for name in ["stream_2026-10.jsonl", "search_2026-10.jsonl"] {
        for doc in documents(&dir.path().join("twitter").join(name)) {
            let mut tweets: Vec<&Value> = match &doc["data"] {
                Value::Array(a) => a.iter().collect(),
                Value::Object(_) => vec![&doc["data"]],
                _ => Vec::new(),
            };
            tweets.extend(arr(&doc["includes"]["tweets"]));
            for t in tweets {
                let text: Vec<char> = s(&t["text"]).chars().collect();
                let slice = |e: &Value| -> String {
                    let (a, b) = (
                        e["start"].as_u64().unwrap() as usize,
                        e["end"].as_u64().unwrap() as usize,
                    );
                    text[a..b].iter().collect()
                };
                for h in arr(&t["entities"]["hashtags"]) {
                    assert_eq!(slice(h), format!("#{}", s(&h["tag"])));
                    checked += 1;
                }
                for m in arr(&t["entities"]["mentions"]) {
                    assert_eq!(slice(m), format!("@{}", s(&m["username"])));
                    checked += 1;
                }
                for u in arr(&t["entities"]["urls"]) {
                    assert_eq!(slice(u), s(&u["url"]));
                    checked += 1;
                }
                let id: u64 = s(&t["id"]).parse().unwrap();
                let created = chrono::DateTime::parse_from_rfc3339(&s(&t["created_at"])).unwrap();
                // Snowflake ids carry their creation time.
                assert_eq!(
                    ((id >> 22) as i64 + 1_288_834_974_657) / 1000,
                    created.timestamp()
                );
            }
        }
    }
    assert!(checked > 300, "{checked}");
}

#[test]
fn telegram_ids_increase_per_chat_and_text_matches_entities() {
    let dir = tempfile::tempdir().unwrap();
    let sum = run(dir.path(), 1, 2, vec![DemoFormat::Telegram]);
    let mut chats = 0;
    let mut kinds = BTreeSet::new();
    let mut actions = BTreeSet::new();
    for f in &sum.files {
        let doc = &documents(&f.path)[0];
        for chat in telegram_chats(doc) {
            chats += 1;
            kinds.insert(s(&chat["type"]));
            let msgs = arr(&chat["messages"]);
            assert!(!msgs.is_empty());
            let ids: Vec<u64> = msgs.iter().map(|m| m["id"].as_u64().unwrap()).collect();
            assert!(
                ids.windows(2).all(|w| w[0] < w[1]),
                "ids increase in {}",
                chat["name"]
            );
            let times: Vec<i64> = msgs
                .iter()
                .map(|m| s(&m["date_unixtime"]).parse().unwrap())
                .collect();
            assert!(times.windows(2).all(|w| w[0] <= w[1]));
            for m in msgs {
                if let Some(a) = m.get("action") {
                    actions.insert(s(a));
                }
                let flat = match &m["text"] {
                    Value::String(t) => t.clone(),
                    Value::Array(parts) => parts
                        .iter()
                        .map(|p| if p.is_string() { s(p) } else { s(&p["text"]) })
                        .collect(),
                    other => panic!("text is {other}"),
                };
                let from_entities: String = arr(&m["text_entities"])
                    .iter()
                    .map(|e| s(&e["text"]))
                    .collect();
                assert_eq!(flat, from_entities);
                if let Some(pin) = m.get("message_id") {
                    assert!(
                        ids.contains(&pin.as_u64().unwrap()),
                        "pinned message exists"
                    );
                }
                if let Some(r) = m.get("reply_to_message_id") {
                    assert!(ids.contains(&r.as_u64().unwrap()), "reply target exists");
                }
            }
        }
    }
    assert_eq!(chats, 8, "one channel export, six chats and one left chat");
    for k in [
        "public_channel",
        "private_group",
        "public_supergroup",
        "private_supergroup",
        "personal_chat",
    ] {
        assert!(kinds.contains(k), "{k}");
    }
    for a in [
        "invite_members",
        "join_group_by_link",
        "pin_message",
        "group_call",
    ] {
        assert!(actions.contains(a), "{a}");
    }
    let full = &documents(
        &dir.path()
            .join("telegram/DataExport_2026-10-15/result.json"),
    )[0];
    assert!(full["about"].is_string() && full["personal_information"]["user_id"].is_u64());
}

#[test]
fn photos_are_valid_pngs_and_some_are_missing_on_purpose() {
    let dir = tempfile::tempdir().unwrap();
    let sum = run(dir.path(), 1, 4, vec![DemoFormat::Telegram]);
    let pngs: Vec<String> = walk(dir.path())
        .into_iter()
        .filter(|r| r.ends_with(".png"))
        .collect();
    assert_eq!(pngs.len() as u64, sum.media_files);
    for rel in &pngs {
        let bytes = fs::read(dir.path().join(rel)).unwrap();
        crate::png::check::validate(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
    }
    let (mut referenced, mut missing, mut not_included, mut with_location) = (0, 0, 0, 0);
    for f in &sum.files {
        let base = f.path.parent().unwrap();
        for chat in telegram_chats(&documents(&f.path)[0]) {
            for m in arr(&chat["messages"]) {
                if let Some(p) = m.get("photo") {
                    referenced += 1;
                    let path = base.join(s(p));
                    if path.is_file() {
                        let (w, h) =
                            crate::png::check::validate(&fs::read(&path).unwrap()).unwrap();
                        assert_eq!(
                            (u64::from(w), u64::from(h)),
                            (m["width"].as_u64().unwrap(), m["height"].as_u64().unwrap())
                        );
                    } else {
                        missing += 1;
                    }
                }
                if m.get("file").is_some_and(|v| s(v).starts_with("(File")) {
                    not_included += 1;
                }
                if m.get("location_information").is_some() {
                    with_location += 1;
                }
            }
        }
    }
    assert_eq!(referenced, sum.media_files + sum.missing_media);
    assert_eq!(missing, sum.missing_media);
    assert!(missing > 0 && not_included > 0 && with_location > 0);
}

/// The natural keys each file provides, per platform, as the importers key them.
fn keys_in_files(sum: &DemoSummary) -> BTreeMap<&'static str, BTreeSet<String>> {
    let mut k: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let mut add = |p: &'static str, id: String| {
        k.entry(p).or_default().insert(id);
    };
    for f in &sum.files {
        match f.format {
            DemoFormat::Telegram => {
                for chat in telegram_chats(&documents(&f.path)[0]) {
                    let cid = tg_peer(chat);
                    add("telegram", cid.clone());
                    for m in arr(&chat["messages"]) {
                        add("telegram", format!("{cid}/{}", s(&m["id"])));
                        for who in ["from_id", "actor_id"] {
                            if let Some(v) = m.get(who) {
                                add("telegram", s(v));
                            }
                        }
                    }
                }
            }
            DemoFormat::Twitter => {
                for d in documents(&f.path) {
                    let data = match &d["data"] {
                        Value::Array(a) => a.clone(),
                        Value::Object(_) => vec![d["data"].clone()],
                        _ => Vec::new(),
                    };
                    for t in data
                        .iter()
                        .chain(arr(&d["includes"]["tweets"]))
                        .chain(arr(&d["includes"]["users"]))
                    {
                        add("x", s(&t["id"]));
                    }
                    for e in arr(&d["errors"]) {
                        if e.get("resource_id").is_some() {
                            add("x", s(&e["resource_id"]));
                        }
                    }
                }
            }
            DemoFormat::Tiktok => {
                for d in documents(&f.path) {
                    for v in arr(&d["data"]["videos"]) {
                        add("tiktok", s(&v["id"]));
                        add("tiktok", format!("@{}", s(&v["username"])));
                    }
                    for c in arr(&d["data"]["comments"]) {
                        add("tiktok", s(&c["id"]));
                    }
                    if let Some(u) = d["data"].get("username") {
                        add("tiktok", format!("@{}", s(u)));
                    }
                }
            }
            DemoFormat::Rocketchat => {
                for d in documents(&f.path) {
                    if let Some(c) = d.get("channel") {
                        add("rocketchat", s(&c["_id"]));
                        add("rocketchat", s(&c["u"]["_id"]));
                    }
                    for m in arr(&d["messages"]) {
                        add("rocketchat", s(&m["_id"]));
                        add("rocketchat", s(&m["u"]["_id"]));
                    }
                }
            }
            DemoFormat::Crowdtangle => {
                let mut rd = csv::Reader::from_path(&f.path).unwrap();
                let h = rd.headers().unwrap().clone();
                let col = |name: &str| h.iter().position(|x| x == name);
                let instagram = col("Facebook Id").is_none();
                for r in rd.records() {
                    let r = r.unwrap();
                    let url = r[col("URL").unwrap()].to_string();
                    let id = url
                        .trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .unwrap()
                        .to_string();
                    if instagram {
                        add("instagram", id);
                        add("instagram", format!("@{}", &r[col("User Name").unwrap()]));
                    } else {
                        add("facebook", id);
                        add("facebook", r[col("Facebook Id").unwrap()].to_string());
                    }
                }
            }
            DemoFormat::Youtube => {
                for d in documents(&f.path) {
                    for it in arr(&d["items"]) {
                        add("youtube", s(&it["id"]));
                        add("youtube", s(&it["snippet"]["channelId"]));
                        let top = &it["snippet"]["topLevelComment"];
                        for c in std::iter::once(top).chain(arr(&it["replies"]["comments"])) {
                            if c.is_object() {
                                add("youtube", s(&c["id"]));
                                add("youtube", s(&c["snippet"]["authorChannelId"]["value"]));
                            }
                        }
                    }
                }
            }
            DemoFormat::Forum => {
                for d in documents(&f.path) {
                    add("web", s(&d["key"]["id"]));
                }
            }
        }
    }
    k
}

#[test]
fn manifest_keys_exist_in_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let sum = run(dir.path(), 1, 5, vec![]);
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(&sum.manifest).unwrap()).unwrap();
    let have = keys_in_files(&sum);
    let groups: Vec<&Value> = arr(&manifest["scenarios"])
        .iter()
        .chain(arr(&manifest["benign"]))
        .collect();
    let ids: Vec<String> = groups.iter().map(|g| s(&g["id"])).collect();
    assert_eq!(
        ids,
        [
            "outlet-amplification",
            "new-account-burst",
            "suspension-recreation",
            "soldier-opsec-live",
            "journalist-mass-mention",
            "invite-link-migration",
            "benign-news",
            "benign-decoys"
        ]
    );
    let mut total = 0;
    for g in &groups {
        let keys: Vec<&Value> = ["accounts", "channels", "items"]
            .iter()
            .flat_map(|k| arr(&g[*k]))
            .collect();
        assert!(!arr(&g["items"]).is_empty(), "{} lists items", g["id"]);
        for key in keys {
            let platform = s(&key["platform"]);
            let id = s(&key["id"]);
            assert!(
                have.get(platform.as_str())
                    .is_some_and(|set| set.contains(&id)),
                "{}: {platform}:{id} ({}) not found",
                g["id"],
                key["note"]
            );
            total += 1;
        }
    }
    assert!(total > 300, "{total}");
    assert_eq!(sum.scenarios.len(), 8);
    assert_eq!(
        sum.scenarios
            .iter()
            .filter(|s| s.expect == "no_alert")
            .count(),
        2
    );
    let soldier = groups
        .iter()
        .find(|g| g["id"] == "soldier-opsec-live")
        .unwrap();
    let platforms: Vec<String> = arr(&soldier["platforms"]).iter().map(s).collect();
    assert_eq!(platforms, ["tiktok", "facebook", "telegram"]);
}

#[test]
fn planted_scenarios_have_their_shape() {
    let dir = tempfile::tempdir().unwrap();
    let sum = run(dir.path(), 1, 6, vec![]);
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(&sum.manifest).unwrap()).unwrap();
    let group = |id: &str| {
        arr(&manifest["scenarios"])
            .iter()
            .chain(arr(&manifest["benign"]))
            .find(|g| g["id"] == id)
            .unwrap()
            .clone()
    };
    let ids = |g: &Value, what: &str, platform: &str| -> BTreeSet<String> {
        arr(&g[what])
            .iter()
            .filter(|k| k["platform"] == platform)
            .map(|k| s(&k["id"]))
            .collect()
    };

    // Tweets and users of the stream and lookups, by id.
    let mut tweets: BTreeMap<String, Value> = BTreeMap::new();
    let mut users: BTreeMap<String, Value> = BTreeMap::new();
    let mut suspended = BTreeSet::new();
    for name in [
        "stream_2026-10.jsonl",
        "search_2026-10.jsonl",
        "users_lookup.jsonl",
    ] {
        for d in documents(&dir.path().join("twitter").join(name)) {
            match &d["data"] {
                Value::Object(_) => {
                    tweets.insert(s(&d["data"]["id"]), d["data"].clone());
                }
                Value::Array(a) => {
                    for x in a {
                        if x.get("text").is_some() {
                            tweets.insert(s(&x["id"]), x.clone());
                        } else {
                            users.insert(s(&x["id"]), x.clone());
                        }
                    }
                }
                _ => {}
            }
            for u in arr(&d["includes"]["users"]) {
                users.insert(s(&u["id"]), u.clone());
            }
            for e in arr(&d["errors"]) {
                if s(&e["detail"]).starts_with("User has been suspended") {
                    suspended.insert(s(&e["value"]));
                }
            }
        }
    }
    let secs = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(&s(v))
            .unwrap()
            .timestamp()
    };

    // 2. Forty accounts created within two hours, all tweeting the same hashtags.
    let burst = group("new-account-burst");
    let created: Vec<i64> = ids(&burst, "accounts", "x")
        .iter()
        .map(|id| secs(&users[id]["created_at"]))
        .collect();
    assert_eq!(created.len(), 40);
    assert!(created.iter().max().unwrap() - created.iter().min().unwrap() <= 2 * 3600);
    for id in ids(&burst, "items", "x") {
        let tags: Vec<String> = arr(&tweets[&id]["entities"]["hashtags"])
            .iter()
            .map(|h| s(&h["tag"]))
            .collect();
        assert_eq!(tags, ["الدولة_الإسلامية", "باقية_وتتمدد"]);
    }

    // 3. Suspended, then re-created with a near-identical profile hours later.
    let handle = |name: &str| {
        users
            .values()
            .find(|u| u["username"] == name)
            .unwrap()
            .clone()
    };
    for (old, new) in [
        ("khilafa_news3", "khilafa_news4"),
        ("sawt_alkhilafa", "sawt_alkhilafa2"),
    ] {
        let (o, n) = (handle(old), handle(new));
        assert!(
            suspended.contains(&s(&o["id"])),
            "{old} suspended by an error line"
        );
        assert!(!suspended.contains(&s(&n["id"])));
        let gap = secs(&n["created_at"]);
        assert!(gap > secs(&o["created_at"]));
        assert_eq!(
            s(&o["profile_image_url"]).rsplit('/').next(),
            s(&n["profile_image_url"]).rsplit('/').next()
        );
        assert_eq!(
            s(&o["name"]).split(' ').next(),
            s(&n["name"]).split(' ').next()
        );
    }

    // 5. Thirty mentions of the journalist within five minutes.
    let mm = group("journalist-mass-mention");
    let mentions: Vec<&Value> = ids(&mm, "items", "x")
        .iter()
        .map(|id| &tweets[id])
        .filter(|t| s(&t["text"]).contains("ستدفعين الثمن"))
        .collect();
    assert_eq!(mentions.len(), 30);
    let times: Vec<i64> = mentions.iter().map(|t| secs(&t["created_at"])).collect();
    assert!(times.iter().max().unwrap() - times.iter().min().unwrap() <= 300);
    let authors: BTreeSet<String> = mentions.iter().map(|t| s(&t["author_id"])).collect();
    assert_eq!(authors.len(), 30);
    assert!(mentions.iter().all(|t| arr(&t["entities"]["mentions"])
        .iter()
        .any(|m| m["username"] == "rusul_writes" && m["id"].is_string())));

    // 4. The soldier's Telegram items are at night in Baghdad.
    let soldier = group("soldier-opsec-live");
    let export = &documents(
        &dir.path()
            .join("telegram/DataExport_2026-10-15/result.json"),
    )[0];
    let mut night = 0;
    for chat in telegram_chats(export) {
        for m in arr(&chat["messages"]) {
            let key = format!("{}/{}", tg_peer(chat), s(&m["id"]));
            if ids(&soldier, "items", "telegram").contains(&key) {
                assert!(crate::gen::baghdad_night(
                    s(&m["date_unixtime"]).parse().unwrap()
                ));
                night += 1;
            }
        }
    }
    assert_eq!(night, 3);

    // 6. Invite links next to outlet content.
    let all = fs::read_to_string(
        dir.path()
            .join("telegram/ChatExport_2026-10-15/result.json"),
    )
    .unwrap();
    assert!(all.contains("https://t.me/+") && all.contains("https://rc.example.org/invite/"));
}

#[test]
fn scale_two_doubles_the_items() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let one = run(a.path(), 1, 9, vec![]);
    let two = run(b.path(), 2, 9, vec![]);
    let ratio = two.total_items() as f64 / one.total_items() as f64;
    assert!((1.85..=2.1).contains(&ratio), "{ratio}");
    assert!(one.total_items() > 3_000, "{}", one.total_items());
    let bytes = |s: &DemoSummary, rel: &str| {
        s.files.iter().find(|f| f.relative == rel).unwrap().bytes as f64
    };
    for rel in [
        "telegram/DataExport_2026-10-15/result.json",
        "twitter/search_2026-10.jsonl",
    ] {
        let r = bytes(&two, rel) / bytes(&one, rel);
        assert!((1.9..=2.1).contains(&r), "{rel}: {r}");
        assert!(
            (0.8e6..1.3e6).contains(&bytes(&one, rel)),
            "{rel}: about 1 MB at scale 1"
        );
    }
    // The planted truth does not grow.
    assert_eq!(
        one.scenarios.iter().map(|s| s.keys).collect::<Vec<_>>(),
        two.scenarios.iter().map(|s| s.keys).collect::<Vec<_>>()
    );
}

#[test]
fn a_format_subset_writes_the_same_files_alone() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run(a.path(), 1, 11, vec![]);
    let only = run(
        b.path(),
        1,
        11,
        vec![DemoFormat::Twitter, DemoFormat::Telegram],
    );
    assert!(only
        .files
        .iter()
        .all(|f| matches!(f.format, DemoFormat::Telegram | DemoFormat::Twitter)));
    let (ha, hb) = (hashes(a.path()), hashes(b.path()));
    for (rel, h) in &hb {
        if rel != "manifest.json" {
            assert_eq!(ha.get(rel), Some(h), "{rel}");
        }
    }
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(&only.manifest).unwrap()).unwrap();
    for g in arr(&manifest["scenarios"])
        .iter()
        .chain(arr(&manifest["benign"]))
    {
        for p in arr(&g["platforms"]) {
            assert!(p == "telegram" || p == "x", "{p}");
        }
    }
}

#[test]
fn errors_are_typed_and_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = DemoConfig {
        scale: 0,
        ..DemoConfig::default()
    };
    assert!(matches!(
        generate(dir.path(), &cfg),
        Err(DemoError::Config(_))
    ));
    let file = dir.path().join("not-a-dir");
    fs::write(&file, b"x").unwrap();
    let err = generate(&file, &DemoConfig::default()).unwrap_err();
    assert!(err.to_string().contains("not-a-dir"), "{err}");
    // A folder where a file must go.
    let blocked = dir.path().join("blocked");
    fs::create_dir_all(blocked.join("twitter/stream_2026-10.jsonl")).unwrap();
    let err = generate(
        &blocked,
        &DemoConfig {
            formats: vec![DemoFormat::Twitter],
            ..DemoConfig::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(&err, DemoError::Write { path, .. } if path.ends_with("stream_2026-10.jsonl")),
        "{err}"
    );
}

#[test]
fn format_names() {
    for f in DemoFormat::ALL {
        assert_eq!(f.as_str().parse::<DemoFormat>().unwrap(), f);
        assert_eq!(f.dir().parse::<DemoFormat>().unwrap(), f);
    }
    assert_eq!("x".parse::<DemoFormat>().unwrap(), DemoFormat::Twitter);
    for alias in ["forum", "web", "jsonl", "Forum"] {
        assert_eq!(alias.parse::<DemoFormat>().unwrap(), DemoFormat::Forum);
    }
    assert!("myspace"
        .parse::<DemoFormat>()
        .unwrap_err()
        .to_string()
        .contains("telegram"));
}

/// The forum file's lines as generic-schema records (a dummy `raw` added, as the importer
/// adds the line itself).
fn forum_records(path: &Path) -> Vec<marsad_model::Record> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut v: Value = serde_json::from_str(line).unwrap();
            let o = v.as_object_mut().unwrap();
            assert!(!o.contains_key("raw"), "line {}: raw is omitted", i + 1);
            assert!(o.contains_key("type"), "line {}: tagged", i + 1);
            o.insert(
                "raw".into(),
                serde_json::json!({"source": "jsonl", "data": line}),
            );
            serde_json::from_value(v).unwrap_or_else(|e| panic!("line {}: {e}: {line}", i + 1))
        })
        .collect()
}

#[test]
fn forum_lines_are_generic_schema_records() {
    use marsad_model::{ChannelKind, ItemKind, Platform, Record};
    let dir = tempfile::tempdir().unwrap();
    let sum = run(dir.path(), 1, 12, vec![DemoFormat::Forum]);
    assert_eq!(sum.files.len(), 1);
    let f = &sum.files[0];
    assert_eq!(f.relative, "web/forum_posts.jsonl");
    assert_eq!(f.format.as_str(), "jsonl");
    let recs = forum_records(&f.path);
    let (mut boards, mut members) = (BTreeSet::new(), BTreeSet::new());
    let mut posts: BTreeMap<String, i64> = BTreeMap::new();
    let (mut threads, mut last_thread) = (BTreeSet::new(), 0u64);
    let (mut arabic, mut english, mut replies, mut tagged, mut linked) = (0, 0, 0, 0, 0);
    let end = crate::gen::BASE + crate::gen::DAYS * 86_400;
    for rec in &recs {
        assert_eq!(rec.platform(), Platform::Web);
        match rec {
            Record::Channel(c) => {
                assert!(members.is_empty() && posts.is_empty(), "boards come first");
                assert_eq!(c.kind, ChannelKind::Channel);
                assert!(c.key.id.starts_with("forum.example.net/f/"));
                assert!(c.name.as_deref().is_some_and(|n| !n.is_empty()));
                boards.insert(c.key.clone());
            }
            Record::Account(a) => {
                assert!(posts.is_empty(), "members before posts");
                let handle = a.handle.clone().unwrap();
                assert_eq!(a.key.id, format!("forum.example.net/u/{handle}"));
                assert!(a.display_name.is_some());
                assert!(a.created_at.is_some());
                assert_eq!(a.url, Some(format!("https://{}", a.key.id)));
                assert!(members.insert(a.key.clone()), "{handle} listed once");
            }
            Record::Item(it) => {
                assert_eq!(it.kind, ItemKind::ForumPost);
                let (thread, n) = it.key.id["forum.example.net/t/".len()..]
                    .split_once("/p/")
                    .unwrap();
                let (thread, n): (u64, u32) = (thread.parse().unwrap(), n.parse().unwrap());
                if thread != last_thread {
                    assert!(thread > last_thread, "thread ids increase through the file");
                    assert!(threads.insert(thread));
                    assert_eq!(n, 1, "a thread starts with its opening post");
                    last_thread = thread;
                }
                assert_eq!(it.url, Some(format!("https://{}", it.key.id)));
                assert!(
                    members.contains(it.author.as_ref().unwrap()),
                    "author listed"
                );
                assert!(
                    boards.contains(it.channel.as_ref().unwrap()),
                    "board listed"
                );
                let at = it.created_at.unwrap().timestamp();
                assert!((crate::gen::BASE..end).contains(&at), "{}", it.key.id);
                if let Some(e) = it.edited_at {
                    assert!(e.timestamp() >= at);
                }
                match &it.reply_to {
                    Some(parent) => {
                        replies += 1;
                        assert!(parent
                            .id
                            .starts_with(&format!("forum.example.net/t/{thread}/p/")));
                        let parent_at = posts[&parent.id];
                        assert!(parent_at <= at, "a reply follows its parent");
                    }
                    None => assert_eq!(n, 1),
                }
                for h in &it.hashtags {
                    assert!(it.text.contains(&format!("#{h}")), "{h}");
                    tagged += 1;
                }
                for l in &it.links {
                    assert!(it.text.contains(l.as_str()), "{l}");
                    assert!(
                        l.starts_with("https://t.me/+")
                            || l.contains(".example/")
                            || l.contains(".example.org/"),
                        "{l}"
                    );
                    linked += 1;
                }
                if it.text.is_ascii() {
                    english += 1;
                }
                if it
                    .text
                    .chars()
                    .any(|c| ('\u{0600}'..='\u{06ff}').contains(&c))
                {
                    arabic += 1;
                }
                assert!(posts.insert(it.key.id.clone(), at).is_none());
            }
            Record::Interaction(_) => panic!("no interaction records"),
        }
    }
    assert_eq!(boards.len(), 7);
    assert_eq!(members.len() as u64, f.accounts);
    assert_eq!(posts.len() as u64, f.items);
    assert!(
        (200..600).contains(&posts.len()),
        "a few hundred posts: {}",
        posts.len()
    );
    assert!(threads.len() > 40);
    assert!(
        arabic > posts.len() / 2 && english > 20,
        "{arabic} {english}"
    );
    assert!(replies > posts.len() / 2 && tagged > 10 && linked >= 6);

    // The planted posts are in the file, under their scenarios, with platform web.
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(&sum.manifest).unwrap()).unwrap();
    let text_of = |id: &str| {
        recs.iter()
            .find_map(|r| match r {
                Record::Item(it) if it.key.id == id => Some(it.text.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{id} not in the file"))
    };
    let group = |id: &str| {
        arr(&manifest["scenarios"])
            .iter()
            .chain(arr(&manifest["benign"]))
            .find(|g| g["id"] == id)
            .unwrap()
            .clone()
    };
    let outlet = group("outlet-amplification");
    assert_eq!(arr(&outlet["platforms"]), [Value::from("web")]);
    let reposts: Vec<String> = arr(&outlet["items"])
        .iter()
        .map(|k| text_of(&s(&k["id"])))
        .collect();
    assert!(reposts.len() >= 5);
    assert_eq!(
        reposts
            .iter()
            .filter(|t| t.contains("أعماق") && t.contains("باقية وتتمدد"))
            .count(),
        5,
        "four flagship re-posts and the invite post carry the outlet name and slogan"
    );
    let migration = group("invite-link-migration");
    let invites = arr(&migration["items"])
        .iter()
        .map(|k| text_of(&s(&k["id"])))
        .filter(|t| {
            t.contains("https://t.me/+Qm9XcL2vTzE4NjU0")
                && t.contains("https://rc.example.org/invite/k7Hq2N")
        })
        .count();
    assert_eq!(invites, 2);
    let handles: BTreeSet<String> = arr(&migration["accounts"])
        .iter()
        .map(|k| s(&k["handle"]))
        .collect();
    assert!(handles.contains("ansar_media9") && handles.contains("ghareeb_diyar"));
    let news = group("benign-news");
    let news_texts: Vec<String> = arr(&news["items"])
        .iter()
        .map(|k| text_of(&s(&k["id"])))
        .collect();
    assert!(news_texts.iter().any(|t| t.contains("داعش")));
    assert!(
        news_texts.iter().any(|t| t.contains("أعماق")),
        "news naming the outlet"
    );
    assert!(news_texts.iter().any(|t| t.contains("ISIS")));
    // Background posts never mention ISIS or the outlet.
    let planted_ids: BTreeSet<String> = [
        "outlet-amplification",
        "invite-link-migration",
        "benign-news",
    ]
    .iter()
    .flat_map(|g| {
        arr(&group(g)["items"])
            .iter()
            .map(|k| s(&k["id"]))
            .collect::<Vec<_>>()
    })
    .collect();
    for rec in &recs {
        if let Record::Item(it) = rec {
            if !planted_ids.contains(&it.key.id) {
                for word in ["داعش", "أعماق", "ISIS", "Amaq", "t.me"] {
                    assert!(!it.text.contains(word), "{}: {}", it.key.id, it.text);
                }
            }
        }
    }
}

#[test]
fn forum_is_deterministic_and_linear_in_scale() {
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let one = run(dirs[0].path(), 1, 13, vec![DemoFormat::Forum]);
    run(dirs[1].path(), 1, 13, vec![DemoFormat::Forum]);
    run(dirs[2].path(), 1, 14, vec![DemoFormat::Forum]);
    let two = run(dirs[3].path(), 2, 13, vec![DemoFormat::Forum]);
    let rel = "web/forum_posts.jsonl";
    let read = |d: &tempfile::TempDir| fs::read(d.path().join(rel)).unwrap();
    assert_eq!(read(&dirs[0]), read(&dirs[1]), "same seed, same bytes");
    assert_ne!(read(&dirs[0]), read(&dirs[2]), "another seed, other bytes");
    let ratio = two.files[0].items as f64 / one.files[0].items as f64;
    assert!((1.75..=2.25).contains(&ratio), "{ratio}");
    let accounts = two.files[0].accounts as f64 / one.files[0].accounts as f64;
    assert!((1.8..=2.1).contains(&accounts), "{accounts}");
    assert_eq!(
        one.scenarios.iter().map(|s| s.keys).collect::<Vec<_>>(),
        two.scenarios.iter().map(|s| s.keys).collect::<Vec<_>>(),
        "the planted truth does not grow"
    );
    // The same file whether or not the other formats are generated.
    let all = tempfile::tempdir().unwrap();
    run(all.path(), 1, 13, vec![]);
    assert_eq!(read(&dirs[0]), fs::read(all.path().join(rel)).unwrap());
}

/// A chat's key as the importer writes it (tdesktop's peer form).
fn tg_peer(chat: &serde_json::Value) -> String {
    crate::telegram::peer(
        chat["type"].as_str().unwrap_or_default(),
        chat["id"].as_u64().unwrap(),
    )
}
