#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `marsad train`, `eval`, `classify` end to end on the classifier fixtures of marsad-detect.

mod common;

use std::path::{Path, PathBuf};

use common::{marsad, marsad_stdin, ok};

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../marsad-detect/tests/fixtures/classifier")
        .join(rel)
        .display()
        .to_string()
}

fn classify(data: &Path, model: &Path, extra: &[&str], input: &str) -> (i32, String) {
    let (data, model) = (data.to_str().unwrap(), model.to_str().unwrap());
    let mut args = vec!["--data", data, "classify", "--model", model];
    args.extend_from_slice(extra);
    let out = marsad_stdin(&args, input);
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn train_eval_classify() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    let model: PathBuf = dir.path().join("insult.model");
    let out = ok(&marsad(
        &data,
        &[
            "train",
            "--input",
            &fixture("train.jsonl"),
            "--out",
            model.to_str().unwrap(),
            "--json",
        ],
    ));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v["model"].as_str().unwrap().starts_with("insult@"), "{v}");
    assert_eq!(v["examples"], 240);

    // Eval: one bad record in test.jsonl -> exit 2, the rest evaluated.
    let e = marsad(
        &data,
        &[
            "eval",
            "--model",
            model.to_str().unwrap(),
            "--input",
            &fixture("test.jsonl"),
            "--json",
            "--perturb",
        ],
    );
    assert_eq!(e.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&e.stderr).contains("test.jsonl:41: field text"));
    let r: serde_json::Value = serde_json::from_slice(&e.stdout).unwrap();
    assert_eq!(r["examples"], 40);
    assert_eq!(r["labels"][0]["label"], "insult");
    assert_eq!(r["labels"][0]["f1"], 1.0);
    assert_eq!(r["labels"][0]["support"], 20);
    assert!(r["perturbed"]["tactics"]["tatweel"].is_array(), "{r}");

    // Classify with explanations; a line without text is reported, the others kept.
    let (code, out) = classify(
        &data,
        &model,
        &["--explain", "--top", "2"],
        "{\"id\":\"a\",\"text\":\"يا حمار\"}\n{\"id\":\"b\"}\n{\"id\":7,\"text\":\"قهوة الصباح\"}\n",
    );
    assert_eq!(code, 2);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["labels"][0], "insult");
    assert!(lines[0]["scores"]["insult"].as_f64().unwrap() > 0.5);
    let ex = lines[0]["explain"].as_array().unwrap();
    assert_eq!(ex.len(), 2);
    assert!(ex[0]["spans"][0].is_array());
    assert!(lines[1]["error"].as_str().unwrap().contains("text"));
    assert_eq!(lines[2]["id"], 7);
    assert_eq!(lines[2]["labels"].as_array().unwrap().len(), 0);
}

#[test]
fn csv_with_label_columns_and_holdout() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    let model = dir.path().join("o.model");
    let split = dir.path().join("split");
    let args = [
        "--input",
        &fixture("osact2022_like.csv"),
        "--text-col",
        "Tweet",
        "--label-col",
        "Offensive=OFF",
        "--label-col",
        "hate:Hate=!NOT_HS",
    ];
    let mut train = vec!["train", "--out", model.to_str().unwrap(), "--json"];
    train.extend(args);
    train.extend([
        "--holdout",
        "0.25",
        "--write-split",
        split.to_str().unwrap(),
    ]);
    let t = marsad(&data, &train);
    // The short row is rejected: exit 2, the model is still written.
    assert_eq!(
        t.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&t.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&t.stdout).unwrap();
    let held = v["held_out"].as_u64().unwrap();
    assert!(held > 5 && held < 50, "{v}");
    assert_eq!(v["examples"].as_u64().unwrap() + held, 93);
    let heldout = std::fs::read_to_string(split.join("heldout.jsonl")).unwrap();
    assert_eq!(heldout.lines().count() as u64, held);

    // Eval on the same file picks the held-out part by itself.
    let mut eval = vec!["eval", "--model", model.to_str().unwrap(), "--json"];
    eval.extend(args);
    let e = marsad(&data, &eval);
    assert!(String::from_utf8_lossy(&e.stderr).contains("held-out part"));
    let r: serde_json::Value = serde_json::from_slice(&e.stdout).unwrap();
    assert_eq!(r["examples"].as_u64().unwrap(), held);
}

#[test]
fn bad_models_and_missing_reviews_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    let bogus = dir.path().join("bogus.model");
    std::fs::write(&bogus, b"not a model at all").unwrap();
    let (code, _) = classify(&data, &bogus, &[], "");
    assert_eq!(code, 1);
    let e = marsad(
        &data,
        &[
            "eval",
            "--model",
            bogus.to_str().unwrap(),
            "--input",
            "x.jsonl",
        ],
    );
    assert_eq!(e.status.code(), Some(1));
    let err = String::from_utf8_lossy(&e.stderr);
    assert!(
        err.contains("bogus.model: not a usable model file"),
        "{err}"
    );

    let r = marsad(
        &data,
        &[
            "train",
            "--from-reviews",
            "--out",
            dir.path().join("m").to_str().unwrap(),
        ],
    );
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("no analyst review decisions yet"));
}
