//! Analysing a stored media file once (hashes, metadata) and matching it against the banks.
//! `marsad media scan` drives this over the blob store; the future `image_hash_match`
//! detector (issue "analyze", crate `marsad-detect`) wraps [`analyze_file`] and
//! [`match_analysis`].

use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::decode::ImageHasher;
use crate::exif::MediaMetadata;
use crate::matcher::Matcher;
use crate::pdq::HashQuality;
use crate::video::{self, VideoHashes, VideoOptions};

/// What kind of media a file is, by its first bytes (then its MIME type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Image,
    Video,
    Other,
}

impl MediaKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Other => "other",
        }
    }
}

/// Sniff a file's kind from its magic bytes, falling back on the MIME type.
pub fn sniff_kind(path: &Path, mime: Option<&str>) -> MediaKind {
    let mut head = [0u8; 32];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = &head[..n];
    if n >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        return if matches!(
            brand,
            b"heic" | b"heix" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"avif"
        ) {
            MediaKind::Image
        } else {
            MediaKind::Video
        };
    }
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3])
        || (head.starts_with(b"RIFF") && head.get(8..11) == Some(b"AVI"))
    {
        return MediaKind::Video;
    }
    if image::guess_format(head).is_ok() {
        return MediaKind::Image;
    }
    match mime.unwrap_or("") {
        m if m.starts_with("image/") => MediaKind::Image,
        m if m.starts_with("video/") => MediaKind::Video,
        _ => MediaKind::Other,
    }
}

/// The analysis of one media file. Failures are recorded in `error`, not raised: a broken
/// file is a fact about the evidence, and the scan goes on.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub kind: MediaKind,
    pub md5: Option<String>,
    pub sha256: Option<String>,
    pub image: Option<HashQuality>,
    pub video: Option<VideoHashes>,
    pub metadata: Option<MediaMetadata>,
    pub error: Option<String>,
}

/// Hash a media file and read its metadata.
pub fn analyze_file(
    path: &Path,
    mime: Option<&str>,
    hasher: &mut ImageHasher,
    video_opts: &VideoOptions,
) -> Analysis {
    let kind = sniff_kind(path, mime);
    let mut a = Analysis {
        kind,
        md5: None,
        sha256: None,
        image: None,
        video: None,
        metadata: None,
        error: None,
    };
    match kind {
        MediaKind::Image => {
            match video::file_digests(path) {
                Ok((m, s)) => {
                    a.md5 = Some(m);
                    a.sha256 = Some(s);
                }
                Err(e) => a.error = Some(e.to_string()),
            }
            match hasher.hash_file(path) {
                Ok(h) => a.image = Some(h),
                Err(e) => a.error = Some(e.to_string()),
            }
            a.metadata = crate::exif::read_file(path).ok();
        }
        MediaKind::Video => match video::hash_video(path, video_opts) {
            Ok(v) => {
                a.md5 = Some(v.md5.clone());
                a.sha256 = Some(v.sha256.clone());
                a.video = Some(v);
                a.metadata = crate::exif::read_file(path)
                    .ok()
                    .filter(|m| *m != MediaMetadata::default());
            }
            Err(e) => {
                if let Ok((m, s)) = video::file_digests(path) {
                    a.md5 = Some(m);
                    a.sha256 = Some(s);
                }
                a.error = Some(e.to_string());
            }
        },
        MediaKind::Other => {
            if let Ok((m, s)) = video::file_digests(path) {
                a.md5 = Some(m);
                a.sha256 = Some(s);
            }
        }
    }
    a
}

/// A bank match of an analysed media file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MediaMatch {
    pub bank: String,
    /// `pdq` (perceptual), or `md5` / `sha256` (the file itself).
    pub signal: &'static str,
    /// The bank's value: a PDQ hash in hex, or `md5:<hex>` / `sha256:<hex>` for a file digest.
    pub bank_hash: String,
    pub label: String,
    pub group: String,
    pub content_type: String,
    pub source: String,
    /// Smallest distance (over frames, for a video).
    pub distance: u32,
    /// Quality of the matched image (or best matched frame).
    pub quality: u8,
    /// Videos: fraction of the good frames that matched this entry.
    pub frame_fraction: Option<f64>,
}

/// Match an analysis against the banks: any file by its MD5 / SHA-256 (exact), an image by
/// its PDQ hash, a video by each frame (reporting each matched entry once, with the fraction
/// of frames that matched it). Hashes below `min_quality` are not matched (Meta recommends
/// discarding quality < 50); negative banks suppress as in [`Matcher::match_hash`] and
/// [`Matcher::match_digests`] (a known-benign digest suppresses everything). Exact matches
/// come first, at distance 0.
pub fn match_analysis(
    matcher: &Matcher,
    a: &Analysis,
    max_distance: u32,
    min_quality: u8,
) -> crate::Result<Vec<MediaMatch>> {
    let exact = matcher.match_digests(a.md5.as_deref(), a.sha256.as_deref());
    if exact.suppressed_by.is_some() {
        return Ok(Vec::new());
    }
    let quality = a.image.map(|h| h.quality).unwrap_or(0);
    let mut out: Vec<MediaMatch> = exact
        .matches
        .into_iter()
        .map(|m| MediaMatch {
            bank: m.bank,
            signal: m.algorithm.as_str(),
            bank_hash: format!("{}:{}", m.algorithm.as_str(), m.digest),
            label: m.label,
            group: m.group,
            content_type: m.content_type,
            source: m.source,
            distance: 0,
            quality,
            frame_fraction: None,
        })
        .collect();
    out.extend(match_perceptual(matcher, a, max_distance, min_quality)?);
    Ok(out)
}

/// The PDQ part of [`match_analysis`].
fn match_perceptual(
    matcher: &Matcher,
    a: &Analysis,
    max_distance: u32,
    min_quality: u8,
) -> crate::Result<Vec<MediaMatch>> {
    let to_match = |m: crate::matcher::BankMatch, quality: u8| MediaMatch {
        bank: m.bank,
        signal: "pdq",
        bank_hash: m.hash.to_string(),
        label: m.label,
        group: m.group,
        content_type: m.content_type,
        source: m.source,
        distance: m.distance,
        quality,
        frame_fraction: None,
    };
    if let Some(h) = &a.image {
        if h.quality < min_quality {
            return Ok(Vec::new());
        }
        return Ok(matcher
            .match_hash(&h.hash, max_distance, usize::MAX)?
            .matches
            .into_iter()
            .map(|m| to_match(m, h.quality))
            .collect());
    }
    let Some(v) = &a.video else {
        return Ok(Vec::new());
    };
    let good: Vec<_> = v
        .frames
        .iter()
        .filter(|f| f.quality >= min_quality)
        .collect();
    let mut by_entry: Vec<(MediaMatch, usize)> = Vec::new();
    for f in &good {
        for m in matcher
            .match_hash(&f.hash, max_distance, usize::MAX)?
            .matches
        {
            let hex = m.hash.to_string();
            match by_entry
                .iter_mut()
                .find(|(e, _)| e.bank == m.bank && e.bank_hash == hex && e.label == m.label)
            {
                Some((e, n)) => {
                    *n += 1;
                    if m.distance < e.distance {
                        e.distance = m.distance;
                        e.quality = f.quality;
                    }
                }
                None => by_entry.push((to_match(m, f.quality), 1)),
            }
        }
    }
    let total = good.len().max(1) as f64;
    let mut out: Vec<MediaMatch> = by_entry
        .into_iter()
        .map(|(mut m, n)| {
            m.frame_fraction = Some(n as f64 / total);
            m
        })
        .collect();
    out.sort_by(|a, b| {
        a.distance
            .cmp(&b.distance)
            .then_with(|| a.bank.cmp(&b.bank))
    });
    Ok(out)
}
