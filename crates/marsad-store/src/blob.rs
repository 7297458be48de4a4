//! A content-addressed blob store on disk: `<root>/<ab>/<cd>/<sha256>`.
//!
//! Files are streamed through SHA-256 into a temporary file in `<root>/tmp` and renamed into
//! place, so a crash never leaves a partial blob under a hash name; storing the same bytes
//! twice keeps one copy.

use marsad_model::Media;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> BlobError + '_ {
    move |source| BlobError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Content-addressed storage for media files.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BlobStore { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates the folders.
    pub fn ensure(&self) -> Result<(), BlobError> {
        let tmp = self.root.join("tmp");
        fs::create_dir_all(&tmp).map_err(io_err(&tmp))
    }

    /// The blob's path relative to the root.
    pub fn rel_path(sha256: &str) -> String {
        let a = sha256.get(0..2).unwrap_or("00");
        let b = sha256.get(2..4).unwrap_or("00");
        format!("{a}/{b}/{sha256}")
    }

    /// The blob's absolute path.
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.root.join(Self::rel_path(sha256))
    }

    /// Stores a file's bytes; returns the media record (hash, size, path).
    pub fn put_file(&self, src: &Path, mime: Option<&str>) -> Result<Media, BlobError> {
        let f = File::open(src).map_err(io_err(src))?;
        self.put_reader(f, src, mime)
    }

    /// Stores bytes read from `reader` (`name` is used in error messages).
    pub fn put_reader(
        &self,
        mut reader: impl Read,
        name: &Path,
        mime: Option<&str>,
    ) -> Result<Media, BlobError> {
        let tmp_dir = self.root.join("tmp");
        // Folders are created when missing, not checked on every file.
        let mut tmp = match tempfile::NamedTempFile::new_in(&tmp_dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                self.ensure()?;
                tempfile::NamedTempFile::new_in(&tmp_dir).map_err(io_err(&tmp_dir))?
            }
            other => other.map_err(io_err(&tmp_dir))?,
        };
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut size = 0u64;
        loop {
            let n = reader.read(&mut buf).map_err(io_err(name))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            tmp.write_all(&buf[..n]).map_err(io_err(tmp.path()))?;
            size += n as u64;
        }
        let sha = hex::encode(hasher.finalize());
        let rel = Self::rel_path(&sha);
        let dest = self.root.join(&rel);
        if !dest.exists() {
            let persist_err = |e: tempfile::PersistError| BlobError::Io {
                path: dest.clone(),
                source: e.error,
            };
            match tmp.persist(&dest) {
                Ok(_) => {}
                Err(e) if e.error.kind() == io::ErrorKind::NotFound => {
                    if let Some(parent) = dest.parent() {
                        fs::create_dir_all(parent).map_err(io_err(parent))?;
                    }
                    e.file.persist(&dest).map_err(persist_err)?;
                }
                Err(e) => return Err(persist_err(e)),
            }
        }
        Ok(Media {
            sha256: sha,
            mime: mime.map(str::to_string),
            size,
            blob_path: rel,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_is_content_addressed_and_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::new(dir.path().join("blobs"));
        let src = dir.path().join("a.bin");
        fs::write(&src, b"hello").unwrap();
        let m1 = store.put_file(&src, Some("text/plain")).unwrap();
        let m2 = store
            .put_reader(&b"hello"[..], Path::new("mem"), None)
            .unwrap();
        assert_eq!(
            m1.sha256,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(m1.sha256, m2.sha256);
        assert_eq!(m1.size, 5);
        assert_eq!(fs::read(store.path_of(&m1.sha256)).unwrap(), b"hello");
        assert_eq!(m1.blob_path, format!("2c/f2/{}", m1.sha256));
        assert_eq!(
            fs::read_dir(dir.path().join("blobs/tmp")).unwrap().count(),
            0
        );
    }

    #[test]
    fn missing_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::new(dir.path());
        let err = store
            .put_file(&dir.path().join("nope.jpg"), None)
            .unwrap_err();
        assert!(err.to_string().contains("nope.jpg"), "{err}");
    }
}
