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
    /// Shrink images whose longer side exceeds this before hashing, the way Pillow's
    /// `Image.thumbnail((n, n))` does (see [`thumbnail`]). `None` (the default) hashes the
    /// full-size image, as Meta's C++ `pdq-photo-hasher` and the `pdqhash` package do;
    /// `Some(512)` reproduces Meta's pure-Python port (`pdqhashing`), which thumbnails to
    /// 512 pixels first.
    pub max_side: Option<u32>,
    pdq: PdqHasher,
}

impl ImageHasher {
    pub fn new(limits: DecodeLimits) -> Self {
        ImageHasher {
            limits,
            max_side: None,
            pdq: PdqHasher::new(),
        }
    }

    /// The same hasher, thumbnailing images to at most `max_side` pixels first.
    pub fn with_max_side(mut self, max_side: Option<u32>) -> Self {
        self.max_side = max_side;
        self
    }

    fn luma_file(&self, path: &Path) -> Result<Luma> {
        let img = decode_file(path, &self.limits)?;
        Ok(match self.max_side {
            Some(n) => luma_of(&thumbnail(&img, n)),
            None => luma_of(&img),
        })
    }

    /// PDQ hash and quality of an image file.
    pub fn hash_file(&mut self, path: &Path) -> Result<HashQuality> {
        let mut l = self.luma_file(path)?;
        Ok(self.pdq.hash_luma(&mut l.data, l.rows, l.cols))
    }

    /// The eight dihedral hashes of an image file.
    pub fn dihedral_file(&mut self, path: &Path) -> Result<Dihedral> {
        let mut l = self.luma_file(path)?;
        Ok(self.pdq.dihedral_luma(&mut l.data, l.rows, l.cols))
    }

    /// PDQ hash of an image already in memory (e.g. a video frame).
    pub fn hash_image(&mut self, img: &DynamicImage) -> HashQuality {
        let mut l = match self.max_side {
            Some(n) => luma_of(&thumbnail(img, n)),
            None => luma_of(img),
        };
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

/// The size Pillow's `Image.thumbnail((max_side, max_side))` gives a `width x height` image:
/// `None` when it already fits, else the aspect-preserving size whose rounding keeps the
/// aspect ratio closest (Pillow's `round_aspect`), never below one pixel.
pub fn thumbnail_size(width: u32, height: u32, max_side: u32) -> Option<(u32, u32)> {
    let max_side = max_side.max(1);
    if width <= max_side && height <= max_side {
        return None;
    }
    let (w, h) = (f64::from(width), f64::from(height));
    let aspect = w / h;
    let side = f64::from(max_side);
    // Of floor(v) and ceil(v), the one `key` ranks lower (floor on ties), at least 1.
    let round_aspect = |v: f64, key: &dyn Fn(f64) -> f64| -> u32 {
        let (lo, hi) = (v.floor(), v.ceil());
        let pick = if key(hi) < key(lo) { hi } else { lo };
        pick.max(1.0) as u32
    };
    if 1.0 >= aspect {
        // Taller than wide: the height becomes max_side.
        let x = round_aspect(side * aspect, &|n| (aspect - n / side).abs());
        Some((x, max_side))
    } else {
        let y = round_aspect(side / aspect, &|n| {
            if n == 0.0 {
                0.0
            } else {
                (aspect - side / n).abs()
            }
        });
        Some((max_side, y))
    }
}

/// Shrinks an image to fit in `max_side x max_side` like Pillow's `thumbnail` (bicubic,
/// Catmull-Rom: Pillow's `BICUBIC` kernel, antialiased when shrinking). Images that already
/// fit are returned as they are. Pillow first reduces very large images by an integer factor
/// (`reducing_gap = 2`: JPEG DCT scaling or box averaging) when the image is more than twice
/// the wanted size; that step is done here by box averaging as well.
pub fn thumbnail(img: &DynamicImage, max_side: u32) -> std::borrow::Cow<'_, DynamicImage> {
    use std::borrow::Cow;
    let Some((tw, th)) = thumbnail_size(img.width(), img.height(), max_side) else {
        return Cow::Borrowed(img);
    };
    let rgb = img.to_rgb8();
    let (fx, fy) = (
        (img.width() / tw / 2).max(1),
        (img.height() / th / 2).max(1),
    );
    let reduced = if fx > 1 || fy > 1 {
        box_reduce(&rgb, fx, fy)
    } else {
        rgb
    };
    let out = image::imageops::resize(&reduced, tw, th, image::imageops::FilterType::CatmullRom);
    Cow::Owned(DynamicImage::ImageRgb8(out))
}

/// Averages `fx x fy` blocks (the last row/column of blocks averages what exists), as
/// Pillow's `Image.reduce` does.
fn box_reduce(img: &image::RgbImage, fx: u32, fy: u32) -> image::RgbImage {
    let (w, h) = img.dimensions();
    let (ow, oh) = (w.div_ceil(fx), h.div_ceil(fy));
    image::RgbImage::from_fn(ow, oh, |ox, oy| {
        let (x0, y0) = (ox * fx, oy * fy);
        let (x1, y1) = ((x0 + fx).min(w), (y0 + fy).min(h));
        let mut sum = [0u32; 3];
        for y in y0..y1 {
            for x in x0..x1 {
                let p = img.get_pixel(x, y).0;
                for c in 0..3 {
                    sum[c] += u32::from(p[c]);
                }
            }
        }
        let n = (x1 - x0) * (y1 - y0);
        image::Rgb(sum.map(|s| ((s + n / 2) / n) as u8))
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnail_sizes_follow_pillow() {
        // Values from Pillow 13.0's Image.thumbnail((512, 512)).
        assert_eq!(thumbnail_size(1600, 1004, 512), Some((512, 321)));
        assert_eq!(thumbnail_size(1004, 1600, 512), Some((321, 512)));
        assert_eq!(thumbnail_size(1000, 1000, 512), Some((512, 512)));
        assert_eq!(thumbnail_size(512, 300, 512), None);
        assert_eq!(thumbnail_size(100_000, 10, 512), Some((512, 1)));
        assert_eq!(thumbnail_size(10, 100_000, 512), Some((1, 512)));
    }

    #[test]
    fn thumbnail_keeps_small_images_and_shrinks_large_ones() {
        let small = DynamicImage::ImageRgb8(image::RgbImage::new(40, 30));
        assert!(matches!(
            thumbnail(&small, 512),
            std::borrow::Cow::Borrowed(_)
        ));
        // 3000x2000: reduced by 2 (box) then bicubic to 512x341; a flat colour stays flat.
        let big = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            3000,
            2000,
            image::Rgb([200, 100, 50]),
        ));
        let t = thumbnail(&big, 512);
        assert_eq!((t.width(), t.height()), (512, 341));
        assert!(t.to_rgb8().pixels().all(|p| p.0 == [200, 100, 50]));
    }

    #[test]
    fn box_reduce_averages_partial_blocks() {
        let img = image::RgbImage::from_fn(3, 1, |x, _| image::Rgb([x as u8 * 10, 0, 0]));
        let r = box_reduce(&img, 2, 1);
        assert_eq!(r.dimensions(), (2, 1));
        assert_eq!(r.get_pixel(0, 0).0[0], 5);
        assert_eq!(r.get_pixel(1, 0).0[0], 20);
    }
}
