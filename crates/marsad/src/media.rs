//! `marsad hash`, `marsad match` and `marsad media ...`: PDQ hashes of image files, matching
//! them against the hash banks, and metadata (EXIF/GPS).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use marsad_media::{Banks, DecodeLimits, ImageHasher, Matcher};
use serde_json::json;

/// Decoding options shared by the commands that hash images: decompression-bomb limits and
/// optional thumbnailing.
#[derive(Debug, Args, Clone, Copy)]
pub struct LimitArgs {
    /// Shrink images larger than N x N pixels before hashing, as Pillow's
    /// `thumbnail((N, N))` does (Meta's pure-Python PDQ port uses 512). Default: hash the
    /// full-size image, like Meta's C++ `pdq-photo-hasher`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(64..))]
    max_side: Option<u32>,
    /// Refuse images with more pixels than this (decompression-bomb guard).
    #[arg(long, default_value_t = DecodeLimits::default().max_pixels)]
    max_pixels: u64,
    /// Refuse files larger than this many bytes.
    #[arg(long, default_value_t = DecodeLimits::default().max_bytes)]
    max_bytes: u64,
}

impl LimitArgs {
    fn hasher(&self) -> ImageHasher {
        ImageHasher::new(self.limits()).with_max_side(self.max_side)
    }

    fn limits(&self) -> DecodeLimits {
        DecodeLimits {
            max_bytes: self.max_bytes,
            max_pixels: self.max_pixels,
        }
    }
}

#[derive(Debug, Args)]
pub struct HashArgs {
    /// Also print the seven rotated/flipped variants (one line each, variant name last).
    #[arg(long)]
    dihedral: bool,
    /// JSON lines instead of Meta's `hash,quality,path` lines.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    limits: LimitArgs,
    /// Image files (JPEG, PNG, WebP, GIF first frame, BMP, TIFF; HEIC with heif-convert).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Bank(s) to match against (repeatable); default: every enabled bank. Enabled negative
    /// banks always apply.
    #[arg(long = "bank")]
    banks: Vec<String>,
    /// Largest Hamming distance that counts as a match (Meta recommends 31).
    #[arg(long, default_value_t = marsad_media::DEFAULT_MAX_DISTANCE, value_parser = clap::value_parser!(u32).range(0..=256))]
    max_distance: u32,
    /// At most this many matches per file.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    #[command(flatten)]
    limits: LimitArgs,
    /// Image files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum MediaCmd {
    /// Metadata of media files as JSON lines: GPS latitude/longitude/altitude, capture time,
    /// camera make/model, software (JPEG, TIFF, HEIC, PNG, WebP).
    Exif {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Hash the workspace's media files not hashed yet (by sha256), read their metadata, and
    /// match them against the enabled banks; matches are stored as findings.
    Scan(ScanArgs),
    /// The stored findings (bank matches of workspace media), as JSON lines, newest first.
    Findings,
    /// vPDQ-style frame hashes of videos (needs ffmpeg): JSON lines with md5, sha256, frames.
    Video {
        /// Frames sampled per second.
        #[arg(long, default_value_t = 1.0)]
        fps: f64,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Compare two videos as vPDQ does: the fraction of each one's frames matching the other.
    VideoMatch {
        query: PathBuf,
        target: PathBuf,
        #[arg(long, default_value_t = 1.0)]
        fps: f64,
        #[arg(long, default_value_t = marsad_media::DEFAULT_MAX_DISTANCE)]
        max_distance: u32,
        /// Frames below this PDQ quality are ignored.
        #[arg(long, default_value_t = 50)]
        min_quality: u8,
    },
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Largest Hamming distance that counts as a match.
    #[arg(long, default_value_t = marsad_media::DEFAULT_MAX_DISTANCE)]
    max_distance: u32,
    /// Hashes below this PDQ quality are not matched (Meta recommends 50).
    #[arg(long, default_value_t = 50)]
    min_quality: u8,
    /// Also match every media file hashed before (after banks changed).
    #[arg(long)]
    rematch: bool,
    /// Frames per second sampled from videos.
    #[arg(long, default_value_t = 1.0)]
    fps: f64,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Print nothing (`marsad analyze --json` runs the scan first).
    #[arg(skip)]
    quiet: bool,
}

fn exit(failed: usize) -> ExitCode {
    if failed > 0 {
        ExitCode::from(crate::EXIT_REJECTS)
    } else {
        ExitCode::SUCCESS
    }
}

/// `marsad hash`.
pub fn hash(args: HashArgs) -> Result<ExitCode> {
    let mut hasher = args.limits.hasher();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0;
    for p in &args.paths {
        let path = p.display();
        if args.dihedral {
            match hasher.dihedral_file(p) {
                Ok(d) => {
                    if args.json {
                        let variants: serde_json::Map<String, serde_json::Value> = d
                            .named()
                            .iter()
                            .map(|(n, h)| (n.to_string(), json!(h.to_string())))
                            .collect();
                        writeln!(
                            out,
                            "{}",
                            json!({"path": p, "hash": d.original, "quality": d.quality, "dihedral": variants})
                        )?;
                    } else {
                        for (name, h) in d.named() {
                            writeln!(out, "{h},{},{path},{name}", d.quality)?;
                        }
                    }
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("error: {e}");
                }
            }
        } else {
            match hasher.hash_file(p) {
                Ok(r) if args.json => writeln!(
                    out,
                    "{}",
                    json!({"path": p, "hash": r.hash, "quality": r.quality})
                )?,
                Ok(r) => writeln!(out, "{},{},{path}", r.hash, r.quality)?,
                Err(e) => {
                    failed += 1;
                    eprintln!("error: {e}");
                }
            }
        }
    }
    out.flush()?;
    Ok(exit(failed))
}

/// `marsad match`.
pub fn match_files(data: &Path, args: MatchArgs) -> Result<ExitCode> {
    let banks = Banks::new(data);
    let matcher = Matcher::load(&banks, &args.banks).context("loading hash banks")?;
    if matcher.positive_banks() == 0 {
        anyhow::bail!("no enabled hash bank to match against (create one with `marsad bank create NAME` and `marsad bank import`)");
    }
    let mut hasher = args.limits.hasher();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0;
    for p in &args.paths {
        // The file's digests first: an exact match needs no decoding, and a known-benign
        // digest (negative bank) suppresses every match.
        let exact = if matcher.exact_digests() > 0 {
            match marsad_media::video::file_digests(p) {
                Ok((md5, sha256)) => matcher.match_digests(Some(&md5), Some(&sha256)),
                Err(e) => {
                    failed += 1;
                    eprintln!("error: {e}");
                    continue;
                }
            }
        } else {
            marsad_media::matcher::ExactOutcome::default()
        };
        match hasher.hash_file(p) {
            Ok(r) => {
                let mut m = matcher
                    .match_hash(&r.hash, args.max_distance, args.limit)
                    .context("matching against the hash banks")?;
                if exact.suppressed_by.is_some() {
                    m.matches.clear();
                }
                writeln!(
                    out,
                    "{}",
                    json!({
                        "path": p,
                        "hash": r.hash,
                        "quality": r.quality,
                        "matched": !m.matches.is_empty() || !exact.matches.is_empty(),
                        "best_distance": if exact.matches.is_empty() { m.matches.first().map(|x| x.distance) } else { Some(0) },
                        "exact": exact.matches,
                        "matches": m.matches,
                        "suppressed_by": m.suppressed_by,
                        "exact_suppressed_by": exact.suppressed_by,
                    })
                )?;
            }
            Err(e) if !exact.matches.is_empty() => {
                // Not an image we can hash (a video, a document), but a known file.
                writeln!(
                    out,
                    "{}",
                    json!({
                        "path": p,
                        "matched": true,
                        "best_distance": 0,
                        "exact": exact.matches,
                        "matches": [],
                        "hash_error": e.to_string(),
                    })
                )?;
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
            }
        }
    }
    out.flush()?;
    Ok(exit(failed))
}

/// `marsad media ...`.
pub async fn media(ws: &marsad_store::Workspace, cmd: MediaCmd) -> Result<ExitCode> {
    match cmd {
        MediaCmd::Scan(args) => scan(ws, args).await,
        MediaCmd::Findings => {
            let store = ws
                .open()
                .await
                .with_context(|| format!("opening workspace {}", ws.root.display()))?;
            for f in store.media_findings().await? {
                println!("{}", serde_json::to_string(&f)?);
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        MediaCmd::Video { fps, paths } => {
            let opts = marsad_media::video::VideoOptions {
                fps,
                ..Default::default()
            };
            let mut failed = 0;
            for p in &paths {
                match marsad_media::video::hash_video(p, &opts) {
                    Ok(v) => println!(
                        "{}",
                        json!({"path": p, "md5": v.md5, "sha256": v.sha256, "fps": fps, "frames": v.frames})
                    ),
                    Err(e) => {
                        failed += 1;
                        eprintln!("error: {e}");
                    }
                }
            }
            Ok(exit(failed))
        }
        MediaCmd::VideoMatch {
            query,
            target,
            fps,
            max_distance,
            min_quality,
        } => {
            let opts = marsad_media::video::VideoOptions {
                fps,
                ..Default::default()
            };
            let q = marsad_media::video::hash_video(&query, &opts)?;
            let t = marsad_media::video::hash_video(&target, &opts)?;
            let m =
                marsad_media::video::match_videos(&q.frames, &t.frames, max_distance, min_quality);
            println!(
                "{}",
                json!({"query": query, "target": target, "identical_file": q.sha256 == t.sha256,
                       "query_matched": m.query_matched, "target_matched": m.target_matched,
                       "query_frames": m.query_frames, "target_frames": m.target_frames,
                       "match": m.is_match(0.8)})
            );
            Ok(ExitCode::SUCCESS)
        }
        MediaCmd::Exif { paths } => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let mut failed = 0;
            for p in &paths {
                match marsad_media::exif::read_file(p) {
                    Ok(m) => writeln!(out, "{}", json!({"path": p, "metadata": m}))?,
                    Err(e) => {
                        failed += 1;
                        eprintln!("error: {e}");
                    }
                }
            }
            out.flush()?;
            Ok(exit(failed))
        }
    }
}

/// The state of the hash banks (names, flags, entry counts) that matches depend on.
fn banks_state(ws: &marsad_store::Workspace) -> String {
    Banks::new(&ws.root)
        .list()
        .map(|l| serde_json::to_string(&l).unwrap_or_default())
        .unwrap_or_default()
}

/// Where the bank state of the last complete match is kept.
fn matched_state_path(ws: &marsad_store::Workspace) -> PathBuf {
    ws.root.join("media-banks.matched")
}

fn write_matched_state(ws: &marsad_store::Workspace, state: &str) -> Result<()> {
    let p = matched_state_path(ws);
    std::fs::write(&p, state).with_context(|| format!("writing {}", p.display()))
}

/// Hash and match the media files not analysed yet, as `marsad media scan` does (used by
/// `marsad import` after storing media and by `marsad analyze` before its detectors read the
/// media findings). When the hash banks changed since the last complete match (a bank
/// created, imported into, enabled or disabled), every stored hash is matched again first,
/// so media hashed at import time are matched against banks added later.
pub(crate) async fn scan_pending(
    ws: &marsad_store::Workspace,
    store: &marsad_store::SqliteStore,
    quiet: bool,
) -> Result<()> {
    let state = banks_state(ws);
    let rematch = std::fs::read_to_string(matched_state_path(ws))
        .ok()
        .as_deref()
        != Some(&state);
    if !rematch && store.pending_media(1).await?.is_empty() {
        return Ok(());
    }
    let args = ScanArgs {
        max_distance: marsad_media::DEFAULT_MAX_DISTANCE,
        min_quality: 50,
        rematch,
        fps: 1.0,
        json: false,
        quiet,
    };
    scan(ws, args).await?;
    if !rematch {
        // Nothing was stale: the new files were matched against the same banks.
        write_matched_state(ws, &state)?;
    }
    Ok(())
}

/// `marsad media scan`: incremental; a media file is analysed once (keyed by sha256).
async fn scan(ws: &marsad_store::Workspace, args: ScanArgs) -> Result<ExitCode> {
    use marsad_media::pipeline::{analyze_file, match_analysis, Analysis, MediaKind};
    use marsad_store::{MediaFinding, MediaHashRow};

    let store = ws
        .open()
        .await
        .with_context(|| format!("opening workspace {}", ws.root.display()))?;
    let banks = Banks::new(&ws.root);
    let state = banks_state(ws);
    let matcher = Matcher::load(&banks, &[]).context("loading hash banks")?;
    let blobs = ws.blobs();
    let video_opts = marsad_media::video::VideoOptions {
        fps: args.fps,
        ..Default::default()
    };
    let mut hasher = ImageHasher::default();
    let to_findings = |sha: &str, a: &Analysis| -> Result<Vec<MediaFinding>> {
        Ok(
            match_analysis(&matcher, a, args.max_distance, args.min_quality)
                .context("matching against the hash banks")?
                .into_iter()
                .map(|m| MediaFinding {
                    sha256: sha.to_string(),
                    bank: m.bank,
                    bank_hash: m.bank_hash.to_string(),
                    label: m.label,
                    group: m.group,
                    content_type: m.content_type,
                    source: m.source,
                    distance: i64::from(m.distance),
                    quality: Some(i64::from(m.quality)),
                    frame_fraction: m.frame_fraction,
                })
                .collect(),
        )
    };
    let (mut analysed, mut images, mut videos, mut errors, mut gps, mut new_findings) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    if args.rematch {
        for row in store.media_analyses().await? {
            let a = analysis_from_row(&row);
            let f = to_findings(&row.sha256, &a)?;
            new_findings += store.put_media_analysis(&[], &f).await?;
        }
    }
    loop {
        let pending = store.pending_media(200).await?;
        if pending.is_empty() {
            break;
        }
        let mut rows = Vec::with_capacity(pending.len());
        let mut findings = Vec::new();
        for p in &pending {
            let path = blobs.path_of(&p.sha256);
            let a = tokio::task::block_in_place(|| {
                analyze_file(&path, p.mime.as_deref(), &mut hasher, &video_opts)
            });
            analysed += 1;
            match a.kind {
                MediaKind::Image => images += 1,
                MediaKind::Video => videos += 1,
                MediaKind::Other => {}
            }
            if let Some(e) = &a.error {
                errors += 1;
                tracing::warn!(sha256 = %p.sha256, "{e}");
            }
            let has_gps = a.metadata.as_ref().is_some_and(|m| m.has_gps());
            gps += u64::from(has_gps);
            findings.extend(to_findings(&p.sha256, &a)?);
            rows.push(MediaHashRow {
                sha256: p.sha256.clone(),
                kind: if a.error.is_some() && a.image.is_none() && a.video.is_none() {
                    "error".into()
                } else {
                    a.kind.as_str().into()
                },
                md5: a.md5.clone(),
                pdq: a.image.map(|h| h.hash.to_string()),
                quality: a.image.map(|h| i64::from(h.quality)),
                frames: a
                    .video
                    .as_ref()
                    .map(|v| serde_json::to_string(&v.frames))
                    .transpose()?,
                metadata: a
                    .metadata
                    .as_ref()
                    .filter(|m| **m != Default::default())
                    .map(serde_json::to_string)
                    .transpose()?,
                has_gps,
                error: a.error.clone(),
            });
        }
        new_findings += store.put_media_analysis(&rows, &findings).await?;
    }
    let summary = json!({"analysed": analysed, "images": images, "videos": videos, "errors": errors,
                         "with_gps": gps, "new_findings": new_findings});
    if args.quiet {
        tracing::info!("media scan: {summary}");
    } else if args.json {
        println!("{summary}");
    } else {
        println!(
            "media scan: {analysed} analysed ({images} images, {videos} videos, {errors} unreadable), {gps} with GPS, {new_findings} new findings"
        );
    }
    store.close().await;
    if args.rematch {
        // Every stored hash is now matched against these banks.
        write_matched_state(ws, &state)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Rebuild what matching needs from a stored analysis row.
fn analysis_from_row(row: &marsad_store::MediaHashRow) -> marsad_media::pipeline::Analysis {
    use marsad_media::pipeline::{Analysis, MediaKind};
    let image = match (&row.pdq, row.quality) {
        (Some(h), Some(q)) => h.parse().ok().map(|hash| marsad_media::HashQuality {
            hash,
            quality: q.clamp(0, 100) as u8,
        }),
        _ => None,
    };
    let video = row.frames.as_deref().and_then(|f| {
        let frames: Vec<serde_json::Value> = serde_json::from_str(f).ok()?;
        let frames = frames
            .iter()
            .filter_map(|v| {
                Some(marsad_media::video::FrameHash {
                    frame: v.get("frame")?.as_u64()? as u32,
                    millis: v.get("millis")?.as_u64()?,
                    quality: v.get("quality")?.as_u64()?.min(100) as u8,
                    hash: v.get("hash")?.as_str()?.parse().ok()?,
                })
            })
            .collect();
        Some(marsad_media::video::VideoHashes {
            md5: row.md5.clone().unwrap_or_default(),
            sha256: row.sha256.clone(),
            frames,
        })
    });
    Analysis {
        kind: if video.is_some() {
            MediaKind::Video
        } else {
            MediaKind::Image
        },
        md5: row.md5.clone(),
        sha256: Some(row.sha256.clone()),
        image,
        video,
        metadata: None,
        error: row.error.clone(),
    }
}
