//! `marsad hash`, `marsad match` and `marsad media ...`: PDQ hashes of image files, matching
//! them against the hash banks, and metadata (EXIF/GPS).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use marsad_media::{Banks, DecodeLimits, ImageHasher, Matcher};
use serde_json::json;

/// Decompression-bomb limits, shared by the commands that decode images.
#[derive(Debug, Args, Clone, Copy)]
pub struct LimitArgs {
    /// Refuse images with more pixels than this (decompression-bomb guard).
    #[arg(long, default_value_t = DecodeLimits::default().max_pixels)]
    max_pixels: u64,
    /// Refuse files larger than this many bytes.
    #[arg(long, default_value_t = DecodeLimits::default().max_bytes)]
    max_bytes: u64,
}

impl LimitArgs {
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
    let mut hasher = ImageHasher::new(args.limits.limits());
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
    let mut hasher = ImageHasher::new(args.limits.limits());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0;
    for p in &args.paths {
        match hasher.hash_file(p) {
            Ok(r) => {
                let m = matcher.match_hash(&r.hash, args.max_distance, args.limit);
                writeln!(
                    out,
                    "{}",
                    json!({
                        "path": p,
                        "hash": r.hash,
                        "quality": r.quality,
                        "matched": !m.matches.is_empty(),
                        "best_distance": m.matches.first().map(|x| x.distance),
                        "matches": m.matches,
                        "suppressed_by": m.suppressed_by,
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
pub fn media(cmd: MediaCmd) -> Result<ExitCode> {
    match cmd {
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
