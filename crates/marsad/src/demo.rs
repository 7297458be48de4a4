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
    println!("planted scenarios (ground truth for the detectors; see docs/demo.md):");
    for s in &summary.scenarios {
        println!("  [{}] {} — {}", s.expect, s.id, s.title);
    }
    if let Some(f) = &total.rejects_file {
        eprintln!("rejected records: see {}", f.display());
    }
    Ok(crate::exit_code(&total))
}
