//! Typed errors of the media crate.

use std::path::PathBuf;

/// Errors from decoding, hashing, banks and indexes. Each names the file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: file is {bytes} bytes, over the limit of {limit} bytes (decompression-bomb guard; raise --max-bytes to allow)")]
    TooManyBytes {
        path: PathBuf,
        bytes: u64,
        limit: u64,
    },
    #[error("{path}: image is {width}x{height} = {pixels} pixels, over the limit of {limit} pixels (decompression-bomb guard; raise --max-pixels to allow)")]
    TooManyPixels {
        path: PathBuf,
        width: u32,
        height: u32,
        pixels: u64,
        limit: u64,
    },
    #[error("{path}: unsupported or unrecognised image format")]
    UnsupportedFormat { path: PathBuf },
    #[error("{path}: cannot decode image: {reason}")]
    Decode { path: PathBuf, reason: String },
    #[error("{path}: HEIC/HEIF needs `heif-convert` (Debian package libheif-examples), which is not installed")]
    HeifConverterMissing { path: PathBuf },
    #[error("{path}: `{tool}` failed: {reason}")]
    Tool {
        path: PathBuf,
        tool: &'static str,
        reason: String,
    },
    #[error("{path}: image is {width}x{height}; PDQ needs at least 5x5 pixels")]
    TooSmall {
        path: PathBuf,
        width: u32,
        height: u32,
    },
    #[error("{path}: {reason}")]
    Format { path: PathBuf, reason: String },
    #[error("{path}, line {line}: {reason}")]
    Record {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    #[error("match index: {0} hashes is more than the {max} one index can hold", max = u32::MAX)]
    IndexFull(usize),
    #[error("bank {0:?} not found")]
    NoSuchBank(String),
    #[error("bank {0:?} already exists")]
    BankExists(String),
    #[error(
        "invalid bank name {0:?}: use letters, digits, '-', '_' and '.' (not starting with '.')"
    )]
    BankName(String),
}

impl MediaError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        MediaError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result alias.
pub type Result<T, E = MediaError> = std::result::Result<T, E>;
