//! `marsad demo`: generate the demo dataset and (without `--generate`) import it into the
//! workspace, then show what is there.

use crate::{import, import_with_ctrl_c};
use anyhow::{Context, Result};
use marsad_demo::{DemoConfig, DemoFormat, DemoSummary};
use marsad_sources::Format;
use marsad_store::{Store, Workspace};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

fn config(scale: u32, seed: Option<u64>, only: &[String]) -> Result<DemoConfig> {
    let mut cfg = DemoConfig {
        scale,
        ..DemoConfig::default()
    };
    if let Some(seed) = seed {
        cfg.seed = seed;
    }
    cfg.formats = only
        .iter()
        .map(|s| {
            s.parse::<DemoFormat>()
                .with_context(|| format!("--only {s}"))
        })
        .collect::<Result<_>>()?;
    Ok(cfg)
}

fn generate(dir: &Path, cfg: &DemoConfig) -> Result<DemoSummary> {
    let summary = marsad_demo::generate(dir, cfg)
        .with_context(|| format!("generating the demo dataset in {}", dir.display()))?;
    println!(
        "generated {} items in {} files under {} (scale {}, seed {})",
        summary.total_items(),
        summary.files.len(),
        dir.display(),
        cfg.scale,
        cfg.seed
    );
    Ok(summary)
}

pub async fn run(
    ws: &Workspace,
    generate_into: Option<PathBuf>,
    scale: u32,
    seed: Option<u64>,
    only: &[String],
) -> Result<ExitCode> {
    let cfg = config(scale, seed, only)?;
    if let Some(dir) = generate_into {
        let summary = generate(&dir, &cfg)?;
        for f in &summary.files {
            println!(
                "  {:<18} {:<45} {:>9} items {:>11} bytes",
                f.format.as_str(),
                f.relative,
                f.items,
                f.bytes
            );
        }
        println!("ground truth: {}", summary.manifest.display());
        println!(
            "import with: marsad import --format FORMAT FILE (in the order listed), or run `marsad demo`"
        );
        return Ok(ExitCode::SUCCESS);
    }

    let tmp = tempfile::Builder::new()
        .prefix("marsad-demo-")
        .tempdir()
        .context("creating a temporary folder")?;
    let summary = generate(tmp.path(), &cfg)?;
    let store = ws
        .init()
        .await
        .with_context(|| format!("initialising workspace {}", ws.root.display()))?;
    let store: Arc<dyn Store> = Arc::new(store);
    let mut total = import::Report::default();
    for file in &summary.files {
        let format: Format = file
            .format
            .as_str()
            .parse()
            .map_err(anyhow::Error::msg)
            .context("demo format without an importer")?;
        let opts = import::Options {
            format,
            batch_size: 2000,
            rejects_path: ws.rejects_dir().join(format!(
                "{}-demo.jsonl",
                chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
            )),
            progress: true,
            dry_run: false,
        };
        let report = import_with_ctrl_c(ws, store.clone(), std::slice::from_ref(&file.path), &opts)
            .await
            .with_context(|| format!("importing {}", file.relative))?;
        for (_, s, failure) in &report.files {
            println!(
                "imported {:<45} read {:>7}, new {:>7}, updated {:>5}, duplicates {:>7}, rejected {}{}",
                file.relative,
                s.read,
                s.imported,
                s.updated,
                s.duplicates,
                s.rejected,
                failure.as_ref().map(|f| format!(" ({f})")).unwrap_or_default()
            );
        }
        total.absorb(report);
        if total.interrupted {
            break;
        }
    }
    if let (Some(dir), false) = (&summary.avatars, total.interrupted) {
        // The analyst's avatar images, imported the way a user would (hashed by the media
        // scan below); `marsad graph successors` compares them by PDQ.
        let sqlite = ws
            .open()
            .await
            .with_context(|| format!("opening workspace {}", ws.root.display()))?;
        let a = crate::avatars::import_avatars(
            ws,
            &sqlite,
            dir,
            None,
            ws.rejects_dir().join(format!(
                "{}-demo-avatars.jsonl",
                chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
            )),
        )
        .await
        .context("importing the demo avatars")?;
        sqlite.close().await;
        println!(
            "imported {:<45} read {:>7}, new {:>7}, duplicates {:>7}, rejected {}",
            "avatars/ (import-avatars)", a.read, a.imported, a.duplicates, a.rejected
        );
        total.total.rejected += a.rejected;
        total.rejects_file = total.rejects_file.take().or(a.rejects_file);
    }
    let t = &total.total;
    println!(
        "\nworkspace {}: read {}, imported {}, updated {}, duplicates {}, rejected {}; media files {} stored, {} referenced but not in the export",
        ws.root.display(),
        t.read,
        t.imported,
        t.updated,
        t.duplicates,
        t.rejected,
        total.media_stored,
        total.missing_media
    );
    let stats = store.stats().await.context("reading counts")?;
    println!("\n{}", crate::render_stats(&stats));
    if total.interrupted {
        println!("planted scenarios (ground truth for the detectors; see docs/demo.md):");
        for s in &summary.scenarios {
            println!("  [{}] {} — {}", s.expect, s.id, s.title);
        }
    } else {
        let sqlite = ws
            .open()
            .await
            .with_context(|| format!("opening workspace {}", ws.root.display()))?;
        analyze_demo(ws, &sqlite, &summary).await?;
        sqlite.close().await;
    }
    if let Some(f) = &total.rejects_file {
        eprintln!("rejected records: see {}", f.display());
    }
    Ok(crate::exit_code(&total))
}

/// Load the demo's watchlists and geofences, analyse the workspace with the default rules,
/// and print where each planted scenario was found (and that the benign groups raised
/// nothing), checked against the ground truth in `manifest.json`.
async fn analyze_demo(
    ws: &Workspace,
    store: &marsad_store::SqliteStore,
    summary: &DemoSummary,
) -> Result<()> {
    let (watch, errors) = crate::watch::read_watch_csv(&summary.watchlists)?;
    anyhow::ensure!(errors.is_empty(), "demo watchlists: {errors:?}");
    store.watch_add(&watch).await?;
    let (fences, errors) = crate::watch::read_geofence_csv(&summary.geofences)?;
    anyhow::ensure!(errors.is_empty(), "demo geofences: {errors:?}");
    store.geofence_add(&fences).await?;
    println!(
        "\nwatchlists: {} entries ({}); geofences: {} ({})",
        watch.len(),
        summary.watchlists.display(),
        fences.len(),
        summary.geofences.display()
    );
    let args = crate::analyze::AnalyzeArgs::default();
    crate::media::scan_pending(ws, store, false).await?;
    let setup = crate::analyze::setup(ws, store, &args).await?;
    for s in &setup.skipped {
        println!("notice: skipped {s}");
    }
    let s = crate::analyze::analyze(store, &setup, &args, true).await?;
    print!("\n{}", crate::analyze::render_summary(&s));
    let report = scenario_report(store, &summary.manifest).await?;
    print!("{report}");
    Ok(())
}

/// Where each manifest group's records appear in the stored alerts.
pub(crate) async fn scenario_report(
    store: &marsad_store::SqliteStore,
    manifest: &Path,
) -> Result<String> {
    use std::collections::BTreeSet;
    use std::fmt::Write as _;
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let m: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", manifest.display()))?;
    // Every alert with the item and account keys it touches.
    let alerts = store.alerts(None, i64::MAX).await?;
    let mut touched: Vec<(marsad_store::AlertRow, BTreeSet<String>, String)> = Vec::new();
    for a in alerts {
        let mut keys: BTreeSet<String> = BTreeSet::new();
        keys.insert(a.account.clone());
        if !a.item.is_empty() {
            keys.insert(a.item.clone());
        }
        let mut explanation = String::new();
        for f in store.findings_by_id(&a.findings).await? {
            let f: marsad_detect::Finding = serde_json::from_str(&f.body)?;
            if explanation.is_empty() {
                explanation = f.explanation.en.clone();
            }
            for x in &f.evidence.features {
                if x.name == "accounts" {
                    for k in x.value.as_array().into_iter().flatten() {
                        if let Some(k) = k.as_str() {
                            keys.insert(k.to_string());
                        }
                    }
                }
            }
        }
        touched.push((a, keys, explanation));
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nplanted scenarios (ground truth: {}):",
        manifest.display()
    );
    let groups = m["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(m["benign"].as_array().into_iter().flatten());
    for g in groups {
        let id = g["id"].as_str().unwrap_or("?");
        let expect = g["expect"].as_str().unwrap_or("?");
        let mut keys: BTreeSet<String> = BTreeSet::new();
        for part in ["accounts", "channels", "items"] {
            for k in g[part].as_array().into_iter().flatten() {
                if let (Some(p), Some(i)) = (k["platform"].as_str(), k["id"].as_str()) {
                    keys.insert(format!("{p}:{i}"));
                }
            }
        }
        let hits: Vec<&(marsad_store::AlertRow, BTreeSet<String>, String)> = touched
            .iter()
            .filter(|(_, k, _)| k.iter().any(|x| keys.contains(x)))
            .collect();
        let mut queues: BTreeSet<&str> = BTreeSet::new();
        let mut rules: BTreeSet<&str> = BTreeSet::new();
        for (a, _, _) in &hits {
            queues.insert(&a.queue);
            for r in &a.rules {
                rules.insert(r);
            }
        }
        let verdict = match (expect, hits.is_empty()) {
            ("alert", false) => "FOUND",
            ("alert", true) => "MISSED",
            (_, true) => "OK (no alert)",
            (_, false) => "FALSE POSITIVE",
        };
        let _ = writeln!(
            out,
            "  [{expect}] {id:<26} {verdict}: {} alert(s){}",
            hits.len(),
            if hits.is_empty() {
                String::new()
            } else {
                format!(
                    " — queues {}; rules {}",
                    queues.into_iter().collect::<Vec<_>>().join(", "),
                    rules.into_iter().collect::<Vec<_>>().join(", ")
                )
            }
        );
        // One example per queue: the highest priority, earliest alert.
        let mut shown: BTreeSet<&str> = BTreeSet::new();
        let mut by_rank: Vec<&&(marsad_store::AlertRow, BTreeSet<String>, String)> =
            hits.iter().collect();
        by_rank.sort_by_key(|(a, _, _)| {
            (
                std::cmp::Reverse(a.priority.parse::<marsad_detect::Severity>().ok()),
                a.id,
            )
        });
        for (a, _, why) in by_rank {
            if !shown.insert(a.queue.as_str()) {
                continue;
            }
            let _ = writeln!(
                out,
                "      e.g. alert #{} [{}, {}] {}: {}",
                a.id,
                a.priority,
                a.queue,
                crate::search::terminal_safe(if a.item.is_empty() {
                    &a.account
                } else {
                    &a.item
                }),
                crate::search::terminal_safe(why)
            );
        }
    }
    let _ = writeln!(out, "see `marsad alerts list` and `marsad alerts show ID`");
    Ok(out)
}
