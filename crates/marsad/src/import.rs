//! `marsad import`: streams files through a [`Source`] into a [`Store`].
//!
//! The parser runs on a blocking thread and pushes prepared batches (fingerprinted,
//! compressed) through a bounded channel to the store, so parsing and writing overlap and
//! memory stays flat: at most `CHANNEL_BATCHES` batches are in flight. Each batch is one
//! transaction. Rejected records go to a JSON-lines reject file as they are found.

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use marsad_model::Record;
use marsad_sources::{Format, Input, Notice, NoticeKind, Reject, Sink, SourceError, Stop};
use marsad_store::{BlobStore, ImportRun, IngestCounts, Prepared, Store};
use serde::Serialize;
use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

const CHANNEL_BATCHES: usize = 4;

/// What an import did, as printed by `--json`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub read: u64,
    pub imported: u64,
    pub updated: u64,
    pub duplicates: u64,
    pub rejected: u64,
}

impl Report {
    /// Adds another import's report (the demo imports file by file).
    pub fn absorb(&mut self, other: Report) {
        self.total.merge(&other.total);
        self.files.extend(other.files);
        self.notices += other.notices;
        self.missing_media += other.missing_media;
        self.media_stored += other.media_stored;
        self.rejects_file = self.rejects_file.take().or(other.rejects_file);
        self.interrupted |= other.interrupted;
    }
}

impl Summary {
    fn add(&mut self, c: IngestCounts) {
        self.read += c.read;
        self.imported += c.imported;
        self.updated += c.updated;
        self.duplicates += c.duplicates;
    }
    fn merge(&mut self, o: &Summary) {
        self.read += o.read;
        self.imported += o.imported;
        self.updated += o.updated;
        self.duplicates += o.duplicates;
        self.rejected += o.rejected;
    }
}

/// Everything `marsad import` reports.
#[derive(Debug, Default)]
pub struct Report {
    pub total: Summary,
    pub files: Vec<(PathBuf, Summary, Option<String>)>,
    pub notices: u64,
    pub missing_media: u64,
    pub media_stored: u64,
    pub rejects_file: Option<PathBuf>,
    pub interrupted: bool,
}

/// How to import.
#[derive(Debug, Clone)]
pub struct Options {
    pub format: Format,
    pub batch_size: usize,
    /// Where rejected records are written (created on the first reject).
    pub rejects_path: PathBuf,
    pub progress: bool,
    /// Parse and validate only: nothing is stored (every record counts as read).
    pub dry_run: bool,
}

/// The reject file, shared by the parser threads; created lazily.
struct RejectFile {
    path: PathBuf,
    out: Option<BufWriter<File>>,
}

impl RejectFile {
    fn write(&mut self, r: &Reject) -> std::io::Result<()> {
        if self.out.is_none() {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let f = File::options().create(true).append(true).open(&self.path)?;
            self.out = Some(BufWriter::new(f));
        }
        if let Some(out) = self.out.as_mut() {
            serde_json::to_writer(&mut *out, r)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self.out.as_mut() {
            Some(o) => o.flush(),
            None => Ok(()),
        }
    }
}

/// Counts bytes read, for the progress bar.
struct Counting<R> {
    inner: R,
    bytes: u64,
    bar: ProgressBar,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        self.bar.set_position(self.bytes);
        Ok(n)
    }
}

/// The sink on the parser thread: prepares records, stores media files, batches.
struct PipeSink {
    /// Dropped when the parser is done, which ends the store loop.
    tx: Option<mpsc::Sender<Vec<Prepared>>>,
    batch: Vec<Prepared>,
    batch_size: usize,
    rejects: Arc<Mutex<RejectFile>>,
    rejected: u64,
    notices: u64,
    missing_media: u64,
    media_stored: u64,
    blobs: BlobStore,
    /// Relative media paths are resolved against this folder (the input file's), and files
    /// outside it are not read.
    base_dir: Option<PathBuf>,
    dry_run: bool,
    stop: Arc<AtomicBool>,
    error: Option<String>,
}

impl PipeSink {
    fn flush(&mut self) -> Result<(), Stop> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(self.batch_size));
        match &self.tx {
            Some(tx) => tx.blocking_send(batch).map_err(|_| Stop),
            None => Err(Stop),
        }
    }

    fn store_media(&mut self, record: &mut Record) {
        let Record::Item(item) = record else { return };
        for m in item.media.iter_mut() {
            // A hash given by the input (the generic schema, an export) counts only when
            // that blob is in this workspace's blob store; otherwise the file is hashed.
            if let Some(sha) = m.sha256.as_deref() {
                if marsad_store::is_sha256(sha) && self.blobs.path_of(sha).is_file() {
                    continue;
                }
                m.sha256 = None;
                m.size = None;
            }
            let Some(path) = m.path.as_deref() else {
                continue;
            };
            let file = match resolve_media(self.base_dir.as_deref(), path) {
                Ok(f) => f,
                Err(why) => {
                    self.missing_media += 1;
                    tracing::debug!(item = %item.key, path, "media file not stored: {why}");
                    continue;
                }
            };
            match self.blobs.put_file(&file, m.mime.as_deref()) {
                Ok(media) => {
                    m.sha256 = Some(media.sha256);
                    m.size = Some(media.size);
                    self.media_stored += 1;
                }
                Err(e) => {
                    self.missing_media += 1;
                    tracing::warn!(item = %item.key, "media file not stored: {e}");
                }
            }
        }
    }
}

/// The file a media path names: relative paths are taken from `base` (the input file's
/// folder, canonical) and must stay inside it, so an export cannot make Marsad read other
/// files.
fn resolve_media(base: Option<&Path>, path: &str) -> Result<PathBuf, &'static str> {
    let base = base.ok_or("the input folder cannot be resolved")?;
    let rel = Path::new(path);
    if rel.is_absolute() {
        return Err("absolute paths are not followed");
    }
    let file = base.join(rel).canonicalize().map_err(|_| "not found")?;
    if !file.starts_with(base) {
        return Err("outside the export folder");
    }
    if !file.is_file() {
        return Err("not a file");
    }
    Ok(file)
}

impl Sink for PipeSink {
    fn record(&mut self, mut record: Record) -> Result<(), Stop> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(Stop);
        }
        if !self.dry_run {
            self.store_media(&mut record);
        }
        match Prepared::new(record) {
            Ok(p) => self.batch.push(p),
            Err(e) => {
                self.error = Some(e.to_string());
                return Err(Stop);
            }
        }
        if self.batch.len() >= self.batch_size {
            self.flush()?;
        }
        Ok(())
    }

    fn reject(&mut self, reject: Reject) -> Result<(), Stop> {
        self.rejected += 1;
        tracing::warn!("rejected: {reject}");
        let mut f = self.rejects.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = f.write(&reject) {
            self.error = Some(format!(
                "cannot write reject file {}: {e}",
                f.path.display()
            ));
            return Err(Stop);
        }
        Ok(())
    }

    fn notice(&mut self, notice: Notice) {
        self.notices += 1;
        if notice.kind == NoticeKind::MissingMedia {
            tracing::warn!("missing media: {}: {}", notice.position, notice.message);
        } else {
            tracing::warn!("{}: {}", notice.position, notice.message);
        }
    }
}

/// Imports `paths` with one format into `store`.
pub async fn import(
    store: Arc<dyn Store>,
    blobs: BlobStore,
    paths: &[PathBuf],
    opts: &Options,
    stop: Arc<AtomicBool>,
) -> Result<Report> {
    let rejects = Arc::new(Mutex::new(RejectFile {
        path: opts.rejects_path.clone(),
        out: None,
    }));
    let mut report = Report::default();
    for path in paths {
        if stop.load(Ordering::Relaxed) {
            report.interrupted = true;
            break;
        }
        let (summary, failure, sink_stats) =
            import_file(&store, &blobs, path, opts, &rejects, &stop).await?;
        report.total.merge(&summary);
        report.notices += sink_stats.0;
        report.missing_media += sink_stats.1;
        report.media_stored += sink_stats.2;
        report.files.push((path.clone(), summary, failure));
        if stop.load(Ordering::Relaxed) {
            report.interrupted = true;
        }
    }
    let mut f = rejects.lock().unwrap_or_else(|p| p.into_inner());
    f.flush()
        .with_context(|| format!("writing reject file {}", f.path.display()))?;
    if f.out.is_some() {
        report.rejects_file = Some(f.path.clone());
    }
    Ok(report)
}

type SinkStats = (u64, u64, u64);

async fn import_file(
    store: &Arc<dyn Store>,
    blobs: &BlobStore,
    path: &Path,
    opts: &Options,
    rejects: &Arc<Mutex<RejectFile>>,
    stop: &Arc<AtomicBool>,
) -> Result<(Summary, Option<String>, SinkStats)> {
    let run_id = if opts.dry_run {
        None
    } else {
        Some(
            store
                .begin_import(opts.format.as_str(), &path.display().to_string())
                .await
                .context("recording the import")?,
        )
    };
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let bar = if opts.progress && std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        bar
    } else {
        ProgressBar::hidden()
    };

    let (tx, mut rx) = mpsc::channel::<Vec<Prepared>>(CHANNEL_BATCHES);
    let mut sink = PipeSink {
        tx: Some(tx),
        batch: Vec::with_capacity(opts.batch_size),
        batch_size: opts.batch_size,
        rejects: rejects.clone(),
        rejected: 0,
        notices: 0,
        missing_media: 0,
        media_stored: 0,
        blobs: blobs.clone(),
        // Resolved once per file: media paths are checked against it.
        base_dir: path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .and_then(|p| p.canonicalize().ok()),
        dry_run: opts.dry_run,
        stop: stop.clone(),
        error: None,
    };
    let format = opts.format;
    let owned_path = path.to_path_buf();
    let parser_bar = bar.clone();
    let parser = tokio::task::spawn_blocking(move || {
        let res = (|| {
            let file = File::open(&owned_path).map_err(|e| SourceError::Io {
                file: owned_path.clone(),
                source: e,
            })?;
            let reader = Counting {
                inner: file,
                bytes: 0,
                bar: parser_bar,
            };
            let input = Input::new(&owned_path, BufReader::with_capacity(1 << 20, reader));
            format.source().read(input, &mut sink)?;
            sink.flush()?;
            Ok::<(), SourceError>(())
        })();
        // Deliver what was read before a failure or an interruption.
        let _ = sink.flush();
        sink.tx = None;
        (res, sink)
    });

    let mut summary = Summary::default();
    let mut store_error = None;
    while let Some(batch) = rx.recv().await {
        if opts.dry_run {
            summary.read += batch.len() as u64;
            bar.set_message(format!("{} records", summary.read));
            continue;
        }
        match store.ingest(batch).await {
            Ok(c) => {
                summary.add(c);
                bar.set_message(format!("{} records", summary.read));
            }
            Err(e) => {
                store_error = Some(e);
                break;
            }
        }
    }
    drop(rx);
    let (res, sink) = parser.await.context("the parser thread failed")?;
    bar.finish_and_clear();
    summary.rejected += sink.rejected;
    let sink_stats = (sink.notices, sink.missing_media, sink.media_stored);

    let mut failure = None;
    if let Some(e) = store_error {
        let run = run_of(opts.format, path, &summary, "failed", Some(e.to_string()));
        if let Some(id) = run_id {
            let _ = store.finish_import(id, &run).await;
        }
        return Err(
            anyhow::Error::new(e).context(format!("storing records from {}", path.display()))
        );
    }
    if let Some(e) = sink.error {
        anyhow::bail!("importing {}: {e}", path.display());
    }
    let res = match res {
        // An empty file, or one where everything was skipped as unrecognised: most likely
        // the wrong --format. (A recognised but empty API page is fine.)
        Ok(()) if summary.read == 0
            && summary.rejected == 0
            && (size == 0 || sink.notices > 0) =>
        {
            Err(SourceError::Syntax {
            position: marsad_sources::Position::file(path),
            message: format!(
                "no {} records found in this file (empty, or not this format? see `marsad import --help`)",
                opts.format
            ),
            })
        }
        other => other,
    };
    match res {
        Ok(()) => {}
        Err(SourceError::Stopped(_)) => failure = Some("interrupted".to_string()),
        Err(e) => {
            // A fatal problem with the file: everything before it is stored; the rest of the
            // file is one rejected record.
            summary.rejected += 1;
            let position = e
                .position()
                .cloned()
                .unwrap_or_else(|| marsad_sources::Position::file(path));
            let reject = Reject {
                source: opts.format.as_str(),
                position,
                field: None,
                reason: format!("file not read to its end: {e}"),
                raw_excerpt: String::new(),
            };
            tracing::error!("{e}");
            let mut f = rejects.lock().unwrap_or_else(|p| p.into_inner());
            f.write(&reject)
                .with_context(|| format!("writing reject file {}", f.path.display()))?;
            failure = Some(e.to_string());
        }
    }
    summary.read += summary.rejected;
    let status = match (&failure, summary.rejected) {
        (Some(f), _) if f == "interrupted" => "interrupted",
        (Some(_), _) => "failed",
        (None, 0) => "ok",
        (None, _) => "rejects",
    };
    let run = run_of(opts.format, path, &summary, status, failure.clone());
    if let Some(id) = run_id {
        store
            .finish_import(id, &run)
            .await
            .context("recording the import")?;
    }
    Ok((summary, failure, sink_stats))
}

fn run_of(
    format: Format,
    path: &Path,
    s: &Summary,
    status: &str,
    message: Option<String>,
) -> ImportRun {
    ImportRun {
        format: format.as_str().to_string(),
        path: path.display().to_string(),
        status: status.to_string(),
        read: s.read,
        imported: s.imported,
        updated: s.updated,
        duplicates: s.duplicates,
        rejected: s.rejected,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_paths_stay_inside_the_export_folder() {
        let dir = tempfile::tempdir().unwrap();
        let export = dir.path().join("export");
        std::fs::create_dir_all(export.join("photos")).unwrap();
        std::fs::write(export.join("photos/a.png"), b"x").unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"x").unwrap();
        let canonical = export.canonicalize().unwrap();
        let base = Some(canonical.as_path());
        assert!(resolve_media(base, "photos/a.png").is_ok());
        assert_eq!(resolve_media(base, "photos/none.png"), Err("not found"));
        assert_eq!(
            resolve_media(base, "../secret.txt"),
            Err("outside the export folder")
        );
        let abs = dir.path().join("secret.txt");
        assert_eq!(
            resolve_media(base, abs.to_str().unwrap()),
            Err("absolute paths are not followed")
        );
        assert_eq!(resolve_media(base, "photos"), Err("not a file"));
    }
}
