//! `marsad import-avatars`: avatar images the analyst was given, attached to stored accounts.
//!
//! Exports carry avatar URLs only and Marsad never downloads anything, so the images come as
//! files: a folder (`<platform>/<handle or id>.<ext>`, or `<handle or id>.<ext>` with
//! `--platform`) or a CSV manifest `platform,account,path[,observed_at]` (paths relative to
//! the manifest's folder, never outside it). Each image is checked (it must decode and hash
//! as an image), stored in the blob store by SHA-256 and in the `media` table, and linked to
//! its account in `account_avatars`; then the pending media scan hashes it (PDQ), as
//! `marsad media scan` would. The account is resolved as elsewhere: a platform id, else a
//! handle (`@handle` forces the handle, `name:` a display name); a handle several accounts
//! share is refused (give the platform id). Unknown accounts, unreadable files and bad rows
//! go to the reject file with the reason; everything good is kept; exit code 2.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use marsad_media::pipeline::{sniff_kind, MediaKind};
use marsad_media::ImageHasher;
use marsad_model::Platform;
use marsad_sources::{Position, Reject};
use marsad_store::{AccountMatch, NewAvatar, SqliteStore, Workspace};
use serde::Serialize;

const SOURCE: &str = "avatars";
/// Avatars stored per transaction.
const BATCH: usize = 500;

#[derive(Debug, Args)]
pub struct ImportAvatarsArgs {
    /// The platform of every image in a flat folder of `<handle or id>.<ext>` files (or of
    /// every manifest row without one). Without it, a folder holds one sub-folder per
    /// platform: `x/<handle>.jpg`, `telegram/<id>.png`, ...
    #[arg(long)]
    platform: Option<Platform>,
    /// Print the summary as JSON: {"read","imported","duplicates","rejected"}.
    #[arg(long)]
    json: bool,
    /// Where to write rejected files and rows (JSON lines); default:
    /// <data>/rejects/<time>-avatars.jsonl.
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// A folder of images, or a CSV manifest `platform,account,path[,observed_at]`.
    path: PathBuf,
}

/// What an avatar import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AvatarSummary {
    pub read: u64,
    pub imported: u64,
    pub duplicates: u64,
    pub rejected: u64,
    #[serde(skip)]
    pub rejects_file: Option<PathBuf>,
}

/// One image to attach: where it is, to whom, and where the claim comes from.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    platform: Option<Platform>,
    account: String,
    file: PathBuf,
    observed_at: Option<i64>,
    position: Position,
    raw: String,
}

/// The reject file, created on the first reject.
struct Rejects {
    path: PathBuf,
    out: Option<std::io::BufWriter<std::fs::File>>,
    count: u64,
}

impl Rejects {
    fn push(
        &mut self,
        position: Position,
        field: Option<&str>,
        reason: String,
        raw: &str,
    ) -> Result<()> {
        use std::io::Write;
        let r = Reject {
            source: SOURCE,
            position,
            field: field.map(str::to_string),
            reason,
            raw_excerpt: raw.chars().take(200).collect(),
        };
        tracing::warn!("rejected: {r}");
        if self.out.is_none() {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let f = std::fs::File::options()
                .create(true)
                .append(true)
                .open(&self.path)
                .with_context(|| format!("opening reject file {}", self.path.display()))?;
            self.out = Some(std::io::BufWriter::new(f));
        }
        if let Some(out) = self.out.as_mut() {
            serde_json::to_writer(&mut *out, &r)?;
            out.write_all(b"\n")
                .with_context(|| format!("writing reject file {}", self.path.display()))?;
        }
        self.count += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<Option<PathBuf>> {
        use std::io::Write;
        match self.out.as_mut() {
            Some(o) => {
                o.flush()
                    .with_context(|| format!("writing reject file {}", self.path.display()))?;
                Ok(Some(self.path.clone()))
            }
            None => Ok(None),
        }
    }
}

fn mime_of(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" | "jfif" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "heic" | "heif" => "image/heic",
        _ => return None,
    })
}

/// Sorted entries of a folder; hidden files (`.DS_Store`, ...) are skipped.
fn sorted_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).with_context(|| format!("reading folder {}", dir.display()))? {
        let e = e.with_context(|| format!("reading folder {}", dir.display()))?;
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        out.push(e.path());
    }
    out.sort();
    Ok(out)
}

fn file_entry(platform: Option<Platform>, file: PathBuf) -> Entry {
    let account = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Entry {
        platform,
        account,
        position: Position::file(&file),
        raw: file.display().to_string(),
        file,
        observed_at: None,
    }
}

/// The images of a folder: `<platform>/<account>.<ext>`, or `<account>.<ext>` with a
/// platform given. What does not fit is rejected with the reason.
fn folder_entries(
    dir: &Path,
    platform: Option<Platform>,
    rejects: &mut Rejects,
) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    for p in sorted_dir(dir)? {
        let shown = p.display().to_string();
        match (platform, p.is_dir()) {
            (Some(_), false) => out.push(file_entry(platform, p)),
            (Some(pl), true) => rejects.push(
                Position::file(&p),
                None,
                format!("a folder inside a --platform {pl} folder; images go directly in it"),
                &shown,
            )?,
            (None, false) => rejects.push(
                Position::file(&p),
                Some("platform"),
                "no platform: put the image in a <platform>/ folder (x/, telegram/, ...) or pass --platform".into(),
                &shown,
            )?,
            (None, true) => {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                match name.parse::<Platform>() {
                    Ok(pl) => {
                        for f in sorted_dir(&p)? {
                            if f.is_dir() {
                                rejects.push(
                                    Position::file(&f),
                                    None,
                                    "nested folder: images go directly in <platform>/".into(),
                                    &f.display().to_string(),
                                )?;
                            } else {
                                out.push(file_entry(Some(pl), f));
                            }
                        }
                    }
                    Err(e) => rejects.push(
                        Position::file(&p),
                        Some("platform"),
                        format!("folder name {name:?} is not a platform: {e}"),
                        &shown,
                    )?,
                }
            }
        }
    }
    Ok(out)
}

/// A manifest `platform,account,path[,observed_at]` (a header row naming the columns is
/// optional), read in chunks so memory does not grow with its length. Paths are relative to
/// the manifest's folder.
struct Manifest {
    path: PathBuf,
    base: PathBuf,
    rdr: csv::Reader<std::io::BufReader<std::fs::File>>,
    default_platform: Option<Platform>,
    /// Rows read so far.
    rows: u64,
}

impl Manifest {
    fn open(manifest: &Path, default_platform: Option<Platform>) -> Result<Manifest> {
        let base = manifest
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .unwrap_or(Path::new("."))
            .canonicalize()
            .with_context(|| format!("resolving the folder of {}", manifest.display()))?;
        let file = std::fs::File::open(manifest)
            .with_context(|| format!("opening manifest {}", manifest.display()))?;
        let rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(std::io::BufReader::new(file));
        Ok(Manifest {
            path: manifest.to_path_buf(),
            base,
            rdr,
            default_platform,
            rows: 0,
        })
    }

    /// Up to `max` good rows (bad ones go to `rejects`); empty at the end of the file.
    fn next_chunk(&mut self, max: usize, rejects: &mut Rejects) -> Result<Vec<Entry>> {
        let manifest = self.path.clone();
        let default_platform = self.default_platform;
        let mut out = Vec::new();
        let mut rec = csv::StringRecord::new();
        while out.len() < max {
            let i = self.rows;
            let line = i + 1;
            match self.rdr.read_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => self.rows += 1,
                Err(e) => {
                    self.rows += 1;
                    let line = e.position().map_or(line, |p| p.line());
                    rejects.push(
                        Position::line(&manifest, line),
                        None,
                        format!("bad CSV row: {e}"),
                        "",
                    )?;
                    if e.is_io_error() {
                        return Err(anyhow::Error::new(e)
                            .context(format!("reading manifest {}", manifest.display())));
                    }
                    continue;
                }
            }
            let rec = &rec;
            let line = rec.position().map_or(line, |p| p.line());
            let pos = Position::line(&manifest, line);
            let raw = rec.iter().collect::<Vec<_>>().join(",");
            if i == 0
                && rec
                    .get(0)
                    .is_some_and(|c| c.eq_ignore_ascii_case("platform"))
            {
                continue;
            }
            if rec.len() < 3 || rec.len() > 4 {
                rejects.push(
                    pos,
                    None,
                    format!(
                        "expected 3 or 4 columns (platform,account,path[,observed_at]), found {}",
                        rec.len()
                    ),
                    &raw,
                )?;
                continue;
            }
            let platform = match (rec.get(0).unwrap_or(""), default_platform) {
                ("", Some(p)) => p,
                ("", None) => {
                    rejects.push(
                        pos,
                        Some("platform"),
                        "empty platform (and no --platform)".into(),
                        &raw,
                    )?;
                    continue;
                }
                (s, _) => match s.parse::<Platform>() {
                    Ok(p) => p,
                    Err(e) => {
                        rejects.push(pos, Some("platform"), format!("{s:?}: {e}"), &raw)?;
                        continue;
                    }
                },
            };
            let account = rec.get(1).unwrap_or("").to_string();
            if account.is_empty() {
                rejects.push(pos, Some("account"), "empty account".into(), &raw)?;
                continue;
            }
            let path = rec.get(2).unwrap_or("");
            let file = match resolve_in(&self.base, path) {
                Ok(f) => f,
                Err(why) => {
                    rejects.push(pos, Some("path"), format!("{path:?}: {why}"), &raw)?;
                    continue;
                }
            };
            let observed_at = match rec.get(3).filter(|s| !s.is_empty()) {
                None => None,
                Some(s) => match marsad_graph::edges_csv::parse_time(s) {
                    Some(t) => Some(t),
                    None => {
                        rejects.push(
                            pos,
                            Some("observed_at"),
                            format!(
                                "{s:?}: expected RFC 3339, a date (YYYY-MM-DD) or Unix seconds"
                            ),
                            &raw,
                        )?;
                        continue;
                    }
                },
            };
            out.push(Entry {
                platform: Some(platform),
                account,
                file,
                observed_at,
                position: pos,
                raw,
            });
        }
        Ok(out)
    }
}

/// A manifest path: relative to the manifest's folder (canonical) and inside it.
fn resolve_in(base: &Path, path: &str) -> Result<PathBuf, &'static str> {
    if path.is_empty() {
        return Err("empty path");
    }
    let rel = Path::new(path);
    if rel.is_absolute() {
        return Err("absolute paths are not followed (give it relative to the manifest)");
    }
    let file = base.join(rel).canonicalize().map_err(|_| "not found")?;
    if !file.starts_with(base) {
        return Err("outside the manifest's folder");
    }
    if !file.is_file() {
        return Err("not a file");
    }
    Ok(file)
}

/// Imports avatar images from a folder or a manifest into the workspace (no media scan).
pub(crate) async fn import_avatars(
    ws: &Workspace,
    store: &SqliteStore,
    path: &Path,
    platform: Option<Platform>,
    rejects_path: PathBuf,
) -> Result<AvatarSummary> {
    let mut rejects = Rejects {
        path: rejects_path,
        out: None,
        count: 0,
    };
    // A folder is listed (sorted) at once; a manifest is read in chunks.
    let (mut listed, mut manifest) = if path.is_dir() {
        (Some(folder_entries(path, platform, &mut rejects)?), None)
    } else if path.is_file() {
        (None, Some(Manifest::open(path, platform)?))
    } else {
        anyhow::bail!("{}: no such file or folder", path.display());
    };
    let blobs = ws.blobs();
    let mut hasher = ImageHasher::default();
    let mut summary = AvatarSummary::default();
    let mut batch: Vec<NewAvatar> = Vec::new();
    loop {
        let chunk = match (&mut listed, &mut manifest) {
            (Some(v), _) => std::mem::take(v),
            (None, Some(m)) => m.next_chunk(BATCH, &mut rejects)?,
            (None, None) => Vec::new(),
        };
        if chunk.is_empty() {
            break;
        }
        for e in chunk {
            let Some(platform) = e.platform else {
                rejects.push(e.position, Some("platform"), "no platform".into(), &e.raw)?;
                continue;
            };
            let platform_id = match store
                .resolve_account(platform.as_str(), &e.account)
                .await
                .context("resolving accounts")?
            {
                AccountMatch::Found(id) => id,
                AccountMatch::NotFound => {
                    rejects.push(
                        e.position,
                        Some("account"),
                        format!(
                            "no {platform} account {:?} in the workspace (import the export that has it first)",
                            e.account
                        ),
                        &e.raw,
                    )?;
                    continue;
                }
                AccountMatch::Ambiguous(ids) => {
                    rejects.push(
                        e.position,
                        Some("account"),
                        format!(
                            "{:?} names several {platform} accounts ({}); give the platform id",
                            e.account,
                            ids.join(", ")
                        ),
                        &e.raw,
                    )?;
                    continue;
                }
            };
            // The file must be an image that decodes and hashes (the media scan hashes it again
            // from the blob store; an avatar without a hash would be useless).
            let file = e.file.clone();
            let checked = tokio::task::block_in_place(|| {
                if sniff_kind(&file, None) != MediaKind::Image {
                    return Err("not an image file (JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC)".into());
                }
                hasher
                    .hash_file(&file)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            });
            if let Err(why) = checked {
                rejects.push(e.position, Some("path"), why, &e.raw)?;
                continue;
            }
            let mime = mime_of(&e.file);
            let media = match blobs.put_file(&e.file, mime) {
                Ok(m) => m,
                Err(err) => {
                    rejects.push(e.position, Some("path"), err.to_string(), &e.raw)?;
                    continue;
                }
            };
            batch.push(NewAvatar {
                platform: platform.as_str().to_string(),
                platform_id,
                sha256: media.sha256,
                mime: mime.map(str::to_string),
                size: media.size,
                source: match e.position.line {
                    Some(l) => format!("{}:{l}", e.position.file.display()),
                    None => e.position.file.display().to_string(),
                },
                observed_at: e.observed_at,
            });
            if batch.len() >= BATCH {
                let c = store.add_avatars(&batch).await.context("storing avatars")?;
                summary.imported += c.imported;
                summary.duplicates += c.duplicates;
                batch.clear();
            }
        }
    }
    if !batch.is_empty() {
        let c = store.add_avatars(&batch).await.context("storing avatars")?;
        summary.imported += c.imported;
        summary.duplicates += c.duplicates;
    }
    summary.rejected = rejects.count;
    // Every folder entry and manifest row is imported, a duplicate, or rejected.
    summary.read = summary.imported + summary.duplicates + summary.rejected;
    summary.rejects_file = rejects.finish()?;
    Ok(summary)
}

/// `marsad import-avatars`.
pub async fn run(ws: &Workspace, args: ImportAvatarsArgs) -> Result<ExitCode> {
    let store = ws
        .open()
        .await
        .with_context(|| format!("opening workspace {}", ws.root.display()))?;
    let rejects_path = args.rejects.clone().unwrap_or_else(|| {
        ws.rejects_dir().join(format!(
            "{}-avatars.jsonl",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
        ))
    });
    let s = import_avatars(ws, &store, &args.path, args.platform, rejects_path).await?;
    // Hash the new images now (PDQ for the successor ranking), as `marsad media scan` does.
    crate::media::scan_pending(ws, &store, args.json)
        .await
        .context("hashing the avatar images")?;
    store.close().await;
    if args.json {
        println!("{}", serde_json::to_string(&s)?);
    } else {
        println!(
            "{}: read {}, imported {}, duplicates {}, rejected {}",
            args.path.display(),
            s.read,
            s.imported,
            s.duplicates,
            s.rejected
        );
    }
    if let Some(f) = &s.rejects_file {
        eprintln!("{} avatar(s) rejected: see {}", s.rejected, f.display());
    }
    Ok(if s.rejected > 0 {
        ExitCode::from(crate::EXIT_REJECTS)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_stay_inside_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("m");
        std::fs::create_dir_all(base.join("img")).unwrap();
        std::fs::write(base.join("img/a.png"), b"x").unwrap();
        std::fs::write(dir.path().join("secret.png"), b"x").unwrap();
        let base = base.canonicalize().unwrap();
        assert!(resolve_in(&base, "img/a.png").is_ok());
        assert_eq!(resolve_in(&base, "img/b.png"), Err("not found"));
        assert_eq!(
            resolve_in(&base, "../secret.png"),
            Err("outside the manifest's folder")
        );
        assert!(resolve_in(&base, dir.path().join("secret.png").to_str().unwrap()).is_err());
        assert_eq!(resolve_in(&base, "img"), Err("not a file"));
        assert_eq!(resolve_in(&base, ""), Err("empty path"));
    }

    #[test]
    fn manifest_rows_are_read_or_rejected_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.png"), b"x").unwrap();
        let m = dir.path().join("avatars.csv");
        std::fs::write(
            &m,
            "platform,account,path,observed_at\n\
             x,khilafa_news3,a.png,2026-01-02\n\
             ,@sawt,a.png\n\
             myspace,bob,a.png\n\
             x,bob,missing.png\n\
             x,bob,a.png,yesterday\n\
             x,,a.png\n\
             x,bob\n",
        )
        .unwrap();
        let mut rejects = Rejects {
            path: dir.path().join("rejects.jsonl"),
            out: None,
            count: 0,
        };
        let mut manifest = Manifest::open(&m, Some(Platform::Telegram)).unwrap();
        let mut e = manifest.next_chunk(1, &mut rejects).unwrap();
        assert_eq!(e.len(), 1, "chunks of one good row");
        e.extend(manifest.next_chunk(10, &mut rejects).unwrap());
        assert!(manifest.next_chunk(10, &mut rejects).unwrap().is_empty());
        rejects.finish().unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].platform, Some(Platform::X));
        assert_eq!(e[0].account, "khilafa_news3");
        assert_eq!(e[0].position.line, Some(2));
        assert_eq!(
            e[0].observed_at,
            marsad_graph::edges_csv::parse_time("2026-01-02")
        );
        assert_eq!(e[1].platform, Some(Platform::Telegram));
        assert_eq!(rejects.count, 5);
        let text = std::fs::read_to_string(dir.path().join("rejects.jsonl")).unwrap();
        let rows: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let fields: Vec<_> = rows.iter().map(|r| r["field"].clone()).collect();
        assert_eq!(
            fields,
            vec![
                serde_json::json!("platform"),
                serde_json::json!("path"),
                serde_json::json!("observed_at"),
                serde_json::json!("account"),
                serde_json::Value::Null
            ]
        );
        assert_eq!(rows[0]["position"]["line"], 4);
        assert_eq!(rows[0]["source"], "avatars");
    }
}
