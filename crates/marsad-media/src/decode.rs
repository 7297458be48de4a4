//! Decoding images into PDQ luma: format sniffing, decompression-bomb limits, EXIF
//! orientation, HEIC through `heif-convert`.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use image::{DynamicImage, ImageDecoder, ImageReader};

use crate::error::{MediaError, Result};
use crate::pdq::{luma, Dihedral, HashQuality, PdqHasher};

/// Limits against decompression bombs. Both are checked before any pixel is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Largest accepted file, in bytes.
    pub max_bytes: u64,
    /// Largest accepted image, in pixels (width x height).
    pub max_pixels: u64,
}

impl Default for DecodeLimits {
    /// 100 MiB and 100 megapixels: above any real photo, far below what exhausts memory
    /// (a 100 Mpx image needs 300 MB of RGB and 800 MB of luma + scratch).
    fn default() -> Self {
        DecodeLimits {
            max_bytes: 100 * 1024 * 1024,
            max_pixels: 100_000_000,
        }
    }
}

/// A decoded image as PDQ luma, upright (EXIF orientation applied).
#[derive(Debug, Clone)]
pub struct Luma {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f32>,
}

/// Decodes image files and hashes them.
#[derive(Debug, Default)]
pub struct ImageHasher {
    pub limits: DecodeLimits,
    pdq: PdqHasher,
}

impl ImageHasher {
    pub fn new(limits: DecodeLimits) -> Self {
        ImageHasher {
            limits,
            pdq: PdqHasher::new(),
        }
    }

    /// PDQ hash and quality of an image file.
    pub fn hash_file(&mut self, path: &Path) -> Result<HashQuality> {
        let mut l = load_luma(path, &self.limits)?;
        Ok(self.pdq.hash_luma(&mut l.data, l.rows, l.cols))
    }

    /// The eight dihedral hashes of an image file.
    pub fn dihedral_file(&mut self, path: &Path) -> Result<Dihedral> {
        let mut l = load_luma(path, &self.limits)?;
        Ok(self.pdq.dihedral_luma(&mut l.data, l.rows, l.cols))
    }

    /// PDQ hash of an image already in memory (e.g. a video frame).
    pub fn hash_image(&mut self, img: &DynamicImage) -> HashQuality {
        let mut l = luma_of(img);
        self.pdq.hash_luma(&mut l.data, l.rows, l.cols)
    }

    /// PDQ hash of an encoded image in memory.
    pub fn hash_bytes(&mut self, bytes: &[u8], name: &Path) -> Result<HashQuality> {
        let img = decode_bytes(bytes, name, &self.limits)?;
        Ok(self.hash_image(&img))
    }
}

fn is_heif(head: &[u8]) -> bool {
    head.len() >= 12
        && &head[4..8] == b"ftyp"
        && matches!(
            &head[8..12],
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" | b"avif"
        )
}

/// Decode a file (any supported format) into an upright image, enforcing the limits.
pub fn decode_file(path: &Path, limits: &DecodeLimits) -> Result<DynamicImage> {
    let meta = std::fs::metadata(path).map_err(|e| MediaError::io(path, e))?;
    if meta.len() > limits.max_bytes {
        return Err(MediaError::TooManyBytes {
            path: path.to_path_buf(),
            bytes: meta.len(),
            limit: limits.max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    File::open(path)
        .and_then(|f| {
            BufReader::new(f)
                .take(limits.max_bytes + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(|e| MediaError::io(path, e))?;
    if is_heif(&bytes) {
        return decode_heif(path, limits);
    }
    decode_bytes(&bytes, path, limits)
}

/// Decode encoded bytes (`name` is used in errors only).
pub fn decode_bytes(bytes: &[u8], name: &Path, limits: &DecodeLimits) -> Result<DynamicImage> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(MediaError::TooManyBytes {
            path: name.to_path_buf(),
            bytes: bytes.len() as u64,
            limit: limits.max_bytes,
        });
    }
    let reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| MediaError::io(name, e))?;
    if reader.format().is_none() {
        return Err(MediaError::UnsupportedFormat {
            path: name.to_path_buf(),
        });
    }
    if reader.format() == Some(image::ImageFormat::Jpeg) && jpeg_is_truncated(bytes) {
        return Err(MediaError::Decode {
            path: name.to_path_buf(),
            reason: "JPEG is truncated (no end-of-image marker after the last scan)".into(),
        });
    }
    let mut reader = reader;
    let mut il = image::Limits::default();
    // Allocation cap: the RGBA16 worst case of the pixel limit, plus slack for decoders.
    il.max_alloc = Some(limits.max_pixels.saturating_mul(8).saturating_add(64 << 20));
    reader.limits(il);
    let mut decoder = reader.into_decoder().map_err(|e| decode_err(name, e))?;
    let (w, h) = decoder.dimensions();
    let pixels = u64::from(w) * u64::from(h);
    if pixels > limits.max_pixels {
        return Err(MediaError::TooManyPixels {
            path: name.to_path_buf(),
            width: w,
            height: h,
            pixels,
            limit: limits.max_pixels,
        });
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| decode_err(name, e))?;
    img.apply_orientation(orientation);
    if img.width() < 5 || img.height() < 5 {
        return Err(MediaError::TooSmall {
            path: name.to_path_buf(),
            width: img.width(),
            height: img.height(),
        });
    }
    Ok(img)
}

/// A JPEG whose last scan (SOS, `FF DA`) is not followed by an end-of-image marker
/// (`FF D9`) was cut off: decoders would fill the missing part with grey and hash it.
/// Inside entropy-coded data `FF` is always stuffed, so `FF D9` there is the real EOI; an
/// embedded EXIF thumbnail's markers come before the main image's scans.
fn jpeg_is_truncated(bytes: &[u8]) -> bool {
    let last_sos = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match last_sos {
        None => true,
        Some(i) => !bytes[i..].windows(2).any(|w| w == [0xFF, 0xD9]),
    }
}

fn decode_err(path: &Path, e: image::ImageError) -> MediaError {
    match e {
        image::ImageError::Unsupported(_) => MediaError::UnsupportedFormat {
            path: path.to_path_buf(),
        },
        image::ImageError::Limits(l) => MediaError::Decode {
            path: path.to_path_buf(),
            reason: format!("decoder memory limit exceeded (decompression-bomb guard): {l}"),
        },
        other => {
            let mut reason = other.to_string();
            let lower = reason.to_ascii_lowercase();
            if lower.contains("eof") || lower.contains("end of") || lower.contains("exhausted") {
                reason = format!("file is truncated or corrupt ({reason})");
            }
            MediaError::Decode {
                path: path.to_path_buf(),
                reason,
            }
        }
    }
}

/// HEIC/HEIF through Debian's `heif-convert` (libheif-examples): converted to a temporary PNG.
fn decode_heif(path: &Path, limits: &DecodeLimits) -> Result<DynamicImage> {
    let dir = tempfile::tempdir().map_err(|e| MediaError::io(path, e))?;
    let out: PathBuf = dir.path().join("frame.png");
    let status = Command::new("heif-convert").arg(path).arg(&out).output();
    match status {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(MediaError::HeifConverterMissing {
                path: path.to_path_buf(),
            })
        }
        Err(e) => Err(MediaError::io(path, e)),
        Ok(o) if !o.status.success() => Err(MediaError::Tool {
            path: path.to_path_buf(),
            tool: "heif-convert",
            reason: String::from_utf8_lossy(&o.stderr).trim().to_string(),
        }),
        Ok(_) => {
            let bytes = std::fs::read(&out).map_err(|e| MediaError::io(&out, e))?;
            decode_bytes(&bytes, path, limits)
        }
    }
}

/// Load a file as PDQ luma.
pub fn load_luma(path: &Path, limits: &DecodeLimits) -> Result<Luma> {
    let img = decode_file(path, limits)?;
    Ok(luma_of(&img))
}

/// PDQ luma of a decoded image (8-bit RGB as the reference sees it; alpha ignored).
pub fn luma_of(img: &DynamicImage) -> Luma {
    let (cols, rows) = (img.width() as usize, img.height() as usize);
    let mut data = Vec::with_capacity(rows * cols);
    match img {
        DynamicImage::ImageRgb8(b) => {
            data.extend(b.as_raw().chunks_exact(3).map(|p| luma(p[0], p[1], p[2])));
        }
        DynamicImage::ImageRgba8(b) => {
            data.extend(b.as_raw().chunks_exact(4).map(|p| luma(p[0], p[1], p[2])));
        }
        DynamicImage::ImageLuma8(b) => {
            data.extend(b.as_raw().iter().map(|&v| luma(v, v, v)));
        }
        other => {
            let rgb = other.to_rgb8();
            data.extend(rgb.as_raw().chunks_exact(3).map(|p| luma(p[0], p[1], p[2])));
        }
    }
    Luma { rows, cols, data }
}
