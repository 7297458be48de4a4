//! `marsad watch` (watchlists: personnel, protected, known-extremist) and `marsad geofence`
//! (sensitive sites), each with CSV import.
//!
//! Watchlist CSV: `list,platform,handle,names,note` (header required; `platform` empty for
//! any platform; `names` `|`-separated). Geofence CSV: `name,lat,lon,radius_m`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use marsad_detect::{Geofence, ListKind};
use marsad_model::Platform;
use marsad_store::{GeofenceRow, WatchRow, Workspace};

use crate::search::terminal_safe;

#[derive(Debug, Subcommand)]
pub enum WatchCmd {
    /// Add an account (or update its names and note).
    Add {
        /// personnel, protected or known-extremist.
        #[arg(long)]
        list: ListKind,
        /// The platform (x, telegram, tiktok…); omit for any platform.
        #[arg(long)]
        platform: Option<String>,
        /// Handle (with or without @) or platform id.
        #[arg(long)]
        handle: String,
        /// A name to find in texts (repeatable; Arabic and Latin script).
        #[arg(long = "name")]
        names: Vec<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Remove an entry.
    Remove {
        #[arg(long)]
        list: ListKind,
        #[arg(long)]
        platform: Option<String>,
        #[arg(long)]
        handle: String,
    },
    /// List every entry.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Import entries from CSV: list,platform,handle,names,note.
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum GeofenceCmd {
    /// Add (or move) a sensitive site: NAME LAT LON RADIUS_M.
    Add {
        name: String,
        #[arg(allow_negative_numbers = true)]
        lat: f64,
        #[arg(allow_negative_numbers = true)]
        lon: f64,
        radius_m: f64,
    },
    /// Remove a geofence.
    Remove { name: String },
    /// List geofences.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Import geofences from CSV: name,lat,lon,radius_m.
    Import { file: PathBuf },
}

fn platform_col(p: Option<&str>) -> Result<String> {
    match p.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(String::new()),
        Some(p) => Ok(p
            .parse::<Platform>()
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .as_str()
            .to_string()),
    }
}

fn watch_row(
    list: ListKind,
    platform: Option<&str>,
    handle: &str,
    names: Vec<String>,
    note: &str,
) -> Result<WatchRow> {
    let handle = marsad_detect::watch::handle_key(handle);
    if handle.is_empty() {
        bail!("handle is empty");
    }
    Ok(WatchRow {
        list: list.as_str().to_string(),
        platform: platform_col(platform)?,
        handle,
        names: names
            .into_iter()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect(),
        note: note.to_string(),
    })
}

/// Read a watchlist CSV: good rows and errors naming the line and field.
pub fn read_watch_csv(path: &Path) -> Result<(Vec<WatchRow>, Vec<String>)> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("opening {}", path.display()))?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(cl), Some(ch)) = (col("list"), col("handle")) else {
        bail!(
            "{}: the header needs at least `list` and `handle` columns",
            path.display()
        );
    };
    let (cp, cn, cnote) = (col("platform"), col("names"), col("note"));
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("{}:{line}: {e}", path.display()));
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").trim();
        let list = match get(Some(cl)).parse::<ListKind>() {
            Ok(l) => l,
            Err(e) => {
                errors.push(format!("{}:{line}: field `list`: {e}", path.display()));
                continue;
            }
        };
        let names = get(cn).split('|').map(str::to_string).collect();
        match watch_row(list, Some(get(cp)), get(Some(ch)), names, get(cnote)) {
            Ok(r) => rows.push(r),
            Err(e) => errors.push(format!("{}:{line}: {e:#}", path.display())),
        }
    }
    Ok((rows, errors))
}

/// Read a geofence CSV: good rows and errors naming the line and field.
pub fn read_geofence_csv(path: &Path) -> Result<(Vec<GeofenceRow>, Vec<String>)> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("opening {}", path.display()))?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("{}:{line}: {e}", path.display()));
                continue;
            }
        };
        let num = |c: usize, name: &str| -> std::result::Result<f64, String> {
            rec.get(c)
                .unwrap_or("")
                .trim()
                .parse::<f64>()
                .map_err(|e| format!("field `{name}`: {e}"))
        };
        let g = (|| -> std::result::Result<Geofence, String> {
            let g = Geofence {
                name: rec.get(0).unwrap_or("").trim().to_string(),
                lat: num(1, "lat")?,
                lon: num(2, "lon")?,
                radius_m: num(3, "radius_m")?,
            };
            g.validate()?;
            Ok(g)
        })();
        match g {
            Ok(g) => rows.push(GeofenceRow {
                name: g.name,
                lat: g.lat,
                lon: g.lon,
                radius_m: g.radius_m,
            }),
            Err(e) => errors.push(format!("{}:{line}: {e}", path.display())),
        }
    }
    Ok((rows, errors))
}

fn report_errors(errors: &[String]) -> ExitCode {
    for e in errors {
        eprintln!("rejected: {e}");
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_REJECTS)
    }
}

pub async fn watch(ws: &Workspace, cmd: WatchCmd) -> Result<ExitCode> {
    let store = crate::open(ws).await?;
    let code = match cmd {
        WatchCmd::Add {
            list,
            platform,
            handle,
            names,
            note,
        } => {
            let row = watch_row(list, platform.as_deref(), &handle, names, &note)?;
            let new = store.watch_add(std::slice::from_ref(&row)).await?;
            println!(
                "{} @{} on the {} list{}",
                if new > 0 { "added" } else { "updated" },
                terminal_safe(&row.handle),
                row.list,
                if row.platform.is_empty() {
                    " (any platform)".to_string()
                } else {
                    format!(" ({})", row.platform)
                }
            );
            ExitCode::SUCCESS
        }
        WatchCmd::Remove {
            list,
            platform,
            handle,
        } => {
            let p = platform_col(platform.as_deref())?;
            let h = marsad_detect::watch::handle_key(&handle);
            if store.watch_remove(list.as_str(), &p, &h).await? {
                println!("removed @{} from the {list} list", terminal_safe(&h));
                ExitCode::SUCCESS
            } else {
                eprintln!("error: @{} is not on the {list} list", terminal_safe(&h));
                ExitCode::FAILURE
            }
        }
        WatchCmd::List { json } => {
            let rows = store.watchlist().await?;
            for r in &rows {
                if json {
                    println!("{}", serde_json::to_string(r)?);
                } else {
                    println!(
                        "{:<16} {:<10} @{:<24} {}{}",
                        r.list,
                        if r.platform.is_empty() {
                            "*"
                        } else {
                            &r.platform
                        },
                        terminal_safe(&r.handle),
                        terminal_safe(&r.names.join(" | ")),
                        if r.note.is_empty() {
                            String::new()
                        } else {
                            format!("  ({})", terminal_safe(&r.note))
                        }
                    );
                }
            }
            ExitCode::SUCCESS
        }
        WatchCmd::Import { file } => {
            let (rows, errors) = read_watch_csv(&file)?;
            let new = store.watch_add(&rows).await?;
            println!(
                "{}: {} entries read, {new} new, {} rejected",
                file.display(),
                rows.len(),
                errors.len()
            );
            report_errors(&errors)
        }
    };
    store.close().await;
    Ok(code)
}

pub async fn geofence(ws: &Workspace, cmd: GeofenceCmd) -> Result<ExitCode> {
    let store = crate::open(ws).await?;
    let code = match cmd {
        GeofenceCmd::Add {
            name,
            lat,
            lon,
            radius_m,
        } => {
            let g = Geofence {
                name,
                lat,
                lon,
                radius_m,
            };
            g.validate().map_err(anyhow::Error::msg)?;
            let new = store
                .geofence_add(&[GeofenceRow {
                    name: g.name.clone(),
                    lat,
                    lon,
                    radius_m,
                }])
                .await?;
            println!(
                "{} geofence {} ({lat}, {lon}) radius {radius_m} m",
                if new > 0 { "added" } else { "updated" },
                terminal_safe(&g.name)
            );
            ExitCode::SUCCESS
        }
        GeofenceCmd::Remove { name } => {
            if store.geofence_remove(&name).await? {
                println!("removed geofence {}", terminal_safe(&name));
                ExitCode::SUCCESS
            } else {
                eprintln!("error: no geofence named {}", terminal_safe(&name));
                ExitCode::FAILURE
            }
        }
        GeofenceCmd::List { json } => {
            for g in store.geofences().await? {
                if json {
                    println!("{}", serde_json::to_string(&g)?);
                } else {
                    println!(
                        "{:<30} {:>10.5} {:>10.5} {:>9} m",
                        terminal_safe(&g.name),
                        g.lat,
                        g.lon,
                        g.radius_m
                    );
                }
            }
            ExitCode::SUCCESS
        }
        GeofenceCmd::Import { file } => {
            let (rows, errors) = read_geofence_csv(&file)?;
            let new = store.geofence_add(&rows).await?;
            println!(
                "{}: {} geofences read, {new} new, {} rejected",
                file.display(),
                rows.len(),
                errors.len()
            );
            report_errors(&errors)
        }
    };
    store.close().await;
    Ok(code)
}
