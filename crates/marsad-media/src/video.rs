//! Video: vPDQ-style frame hashes through `ffmpeg` (a subprocess; a clear error when it is not
//! installed), whole-file MD5 and SHA-256, and Meta's vPDQ match measure.
//!
//! Frames are sampled at a fixed rate (default 1 frame/s) with `ffmpeg -vf fps=R`, written as
//! BMP into a temporary folder, and PDQ-hashed like images. Frame `i` is at `i / R` seconds.
//! A video matches another when a large enough fraction of its (good-quality) frames are
//! within the PDQ threshold of some frame of the other, in both directions, as in vPDQ.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use md5::Digest as _;
use serde::Serialize;

use crate::decode::{DecodeLimits, ImageHasher};
use crate::error::{MediaError, Result};
use crate::hash::Hash256;
use crate::index::HashIndex;

/// How frames are sampled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VideoOptions {
    /// Frames per second sampled (vPDQ's default is 1).
    pub fps: f64,
    /// At most this many frames (a 2-hour video at 1 fps is 7,200).
    pub max_frames: u32,
    /// Per-frame decoding limits.
    pub limits: DecodeLimits,
}

impl Default for VideoOptions {
    fn default() -> Self {
        VideoOptions {
            fps: 1.0,
            max_frames: 10_000,
            limits: DecodeLimits::default(),
        }
    }
}

/// One sampled frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FrameHash {
    /// 0-based index of the sampled frame.
    pub frame: u32,
    /// Its time in the video, in milliseconds.
    pub millis: u64,
    pub quality: u8,
    pub hash: Hash256,
}

/// Hashes of a video file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VideoHashes {
    pub md5: String,
    pub sha256: String,
    pub frames: Vec<FrameHash>,
}

/// MD5 and SHA-256 of a file, streamed.
pub fn file_digests(path: &Path) -> Result<(String, String)> {
    let mut f = std::fs::File::open(path).map_err(|e| MediaError::io(path, e))?;
    let mut md5 = md5::Md5::new();
    let mut sha = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|e| MediaError::io(path, e))?;
        if n == 0 {
            break;
        }
        md5.update(&buf[..n]);
        sha2::Digest::update(&mut sha, &buf[..n]);
    }
    Ok((
        hex::encode(md5.finalize()),
        hex::encode(sha2::Digest::finalize(sha)),
    ))
}

/// Whether `ffmpeg` can be run.
pub fn ffmpeg_available() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Sample and hash a video's frames.
pub fn hash_video(path: &Path, opts: &VideoOptions) -> Result<VideoHashes> {
    if !(opts.fps > 0.0 && opts.fps.is_finite()) {
        return Err(MediaError::Format {
            path: path.to_path_buf(),
            reason: format!("frame rate must be positive, got {}", opts.fps),
        });
    }
    let (md5, sha256) = file_digests(path)?;
    let dir = tempfile::tempdir().map_err(|e| MediaError::io(path, e))?;
    let pattern: PathBuf = dir.path().join("%06d.bmp");
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(path)
        .args(["-vf", &format!("fps={}", opts.fps), "-frames:v"])
        .arg(opts.max_frames.to_string())
        .arg(&pattern)
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(MediaError::Tool {
                path: path.to_path_buf(),
                tool: "ffmpeg",
                reason: "ffmpeg is not installed (Debian: apt-get install ffmpeg)".into(),
            })
        }
        Err(e) => return Err(MediaError::io(path, e)),
    };
    if !out.status.success() {
        return Err(MediaError::Tool {
            path: path.to_path_buf(),
            tool: "ffmpeg",
            reason: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .map_err(|e| MediaError::io(dir.path(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "bmp"))
        .collect();
    files.sort();
    let mut hasher = ImageHasher::new(opts.limits);
    let mut frames = Vec::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        let hq = hasher.hash_file(f).map_err(|e| MediaError::Decode {
            path: path.to_path_buf(),
            reason: format!("frame {i}: {e}"),
        })?;
        frames.push(FrameHash {
            frame: i as u32,
            millis: (i as f64 * 1000.0 / opts.fps).round() as u64,
            quality: hq.quality,
            hash: hq.hash,
        });
    }
    if frames.is_empty() {
        return Err(MediaError::Decode {
            path: path.to_path_buf(),
            reason: "ffmpeg produced no frames (not a video, or an empty one)".into(),
        });
    }
    Ok(VideoHashes {
        md5,
        sha256,
        frames,
    })
}

/// vPDQ match of two videos.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VideoMatch {
    /// Fraction (0-1) of the query's distinct good frames within the threshold of a target frame.
    pub query_matched: f64,
    /// Fraction (0-1) of the target's distinct good frames within the threshold of a query frame.
    pub target_matched: f64,
    /// Distinct good frames compared on each side.
    pub query_frames: usize,
    pub target_frames: usize,
}

impl VideoMatch {
    /// vPDQ's decision: both fractions at least `min_fraction` (Meta uses 0.8 by default).
    pub fn is_match(&self, min_fraction: f64) -> bool {
        self.query_matched >= min_fraction && self.target_matched >= min_fraction
    }
}

fn distinct_good(frames: &[FrameHash], min_quality: u8) -> Vec<Hash256> {
    let mut v: Vec<Hash256> = frames
        .iter()
        .filter(|f| f.quality >= min_quality)
        .map(|f| f.hash)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Compare two videos' frame hashes as vPDQ does: frames below `min_quality` are dropped,
/// duplicates collapsed, and each side's fraction of frames that have a match on the other
/// side within `max_distance` is reported.
pub fn match_videos(
    query: &[FrameHash],
    target: &[FrameHash],
    max_distance: u32,
    min_quality: u8,
) -> VideoMatch {
    let q = distinct_good(query, min_quality);
    let t = distinct_good(target, min_quality);
    let fraction = |a: &[Hash256], b: &[Hash256]| -> f64 {
        if a.is_empty() {
            return 0.0;
        }
        // Building fails only past 2^32 frames; then compare every pair instead.
        let hit = match HashIndex::build(b.to_vec()) {
            Ok((ix, _)) => a
                .iter()
                .filter(|h| !ix.search(h, max_distance).is_empty())
                .count(),
            Err(_) => a
                .iter()
                .filter(|h| {
                    b.iter()
                        .any(|x| crate::hash::hamming(&h.0, &x.0) <= max_distance)
                })
                .count(),
        };
        hit as f64 / a.len() as f64
    };
    VideoMatch {
        query_matched: fraction(&q, &t),
        target_matched: fraction(&t, &q),
        query_frames: q.len(),
        target_frames: t.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(i: u32, h: [u64; 4], q: u8) -> FrameHash {
        FrameHash {
            frame: i,
            millis: u64::from(i) * 1000,
            quality: q,
            hash: Hash256(h),
        }
    }

    #[test]
    fn fractions_follow_vpdq() {
        let a = [1u64, 2, 3, 4];
        let b = [u64::MAX, 0, u64::MAX, 0];
        let c = [0x0f0f, 0xf0f0, 0x1234, 0x5678];
        let query = vec![f(0, a, 90), f(1, a, 90), f(2, b, 90), f(3, c, 10)];
        let target = vec![f(0, [1, 2, 3, 5], 80), f(1, [!1, !2, !3, !4], 80)];
        let m = match_videos(&query, &target, 31, 50);
        // Query: distinct good frames {a, b}; a matches. Target: {~a, !a}; ~a matches.
        assert_eq!(m.query_frames, 2);
        assert_eq!(m.target_frames, 2);
        assert_eq!(m.query_matched, 0.5);
        assert_eq!(m.target_matched, 0.5);
        assert!(!m.is_match(0.8));
        assert!(m.is_match(0.5));
        assert_eq!(match_videos(&[], &target, 31, 50).query_matched, 0.0);
    }
}
