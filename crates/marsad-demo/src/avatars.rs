//! Avatar images for the X cast, written as files the analyst was given
//! (`avatars/x/<handle>.<ext>`, the folder layout `marsad import-avatars` reads).
//!
//! Each logo is drawn in code (a procedural flag, seal, waves, ... with enough structure for
//! a PDQ quality of 100). A re-created account's avatar is its predecessor's image as a
//! platform would serve it again: decoded, shifted by at most a pixel, resized, re-encoded
//! as JPEG, so the file (and its name in the URL) differs but the PDQ hash stays within
//! 14-18 bits (a shift of 3 px on 400 moves these drawings 24-34 bits: PDQ is sensitive to
//! shifts). Benign accounts get their own drawings; ten long-standing background accounts
//! share one generic silhouette, the kind of default avatar successor ranking must ignore.

use crate::{out, DemoError};
use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, Rgb, RgbImage};
use std::path::Path;

/// The folder the avatars go into, relative to the generation folder.
pub const DIR: &str = "avatars";

/// A drawing, as a function of the position in the unit square.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Design {
    /// Black flag with a white seal ring and script-like strokes (khilafa_news).
    Seal,
    /// Dark green with concentric sound waves (sawt_alkhilafa).
    Waves,
    /// Red and white diagonal bands around a dark square (the outlet).
    Bands,
    /// Pastel portrait: face and shoulders on a gradient (the blogger).
    Portrait,
    /// Blue with two winding rivers (a news network).
    Rivers,
    /// An eye: ellipse, iris and rays (the observatory).
    Eye,
    /// A newspaper grid with a large T (an English news site).
    Columns,
    /// The generic grey silhouette (shared default avatar).
    Silhouette,
}

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    let t = t.clamp(0.0, 1.0);
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

impl Design {
    /// Colour at (x, y) in [0, 1]².
    fn at(self, x: f32, y: f32) -> [f32; 3] {
        let (cx, cy) = (x - 0.5, y - 0.5);
        let r = (cx * cx + cy * cy).sqrt();
        match self {
            Design::Seal => {
                let white = [240.0, 240.0, 235.0];
                let bg = mix([10.0, 10.0, 12.0], [70.0, 70.0, 75.0], (x + y) / 2.0);
                // An off-centre seal: a ring around a white disc with three thick strokes.
                let (sx, sy) = (x - 0.62, y - 0.40);
                let sr = (sx * sx + sy * sy).sqrt();
                if sr < 0.17 {
                    let stroke = (sy + 0.12).rem_euclid(0.09) < 0.045 && sx.abs() < 0.11;
                    return if stroke { [20.0, 20.0, 20.0] } else { white };
                }
                if (0.21..0.27).contains(&sr) {
                    return white;
                }
                // A banner in the lower left.
                if (0.76..0.88).contains(&y) && (0.08..0.66).contains(&x) {
                    return white;
                }
                bg
            }
            Design::Waves => {
                let light = [225.0, 240.0, 205.0];
                let bg = mix([60.0, 150.0, 90.0], [5.0, 30.0, 15.0], x * 0.8 + y * 0.2);
                // A crescent on the left, three bars of an equaliser on the right.
                let (ax, ay) = (x - 0.33, y - 0.5);
                let (bx, by) = (x - 0.42, y - 0.44);
                if ax * ax + ay * ay < 0.09 && bx * bx + by * by > 0.065 {
                    return light;
                }
                for (k, h) in [0.25f32, 0.45, 0.3].iter().enumerate() {
                    let x0 = 0.62 + 0.1 * k as f32;
                    if (x0..x0 + 0.06).contains(&x) && (0.8 - h..0.8).contains(&y) {
                        return light;
                    }
                }
                bg
            }
            Design::Bands => {
                if cx.abs() < 0.16 && cy.abs() < 0.16 {
                    return [30.0, 20.0, 20.0];
                }
                if ((x + y) * 6.0).fract() < 0.5 {
                    [200.0, 20.0, 30.0]
                } else {
                    [245.0, 240.0, 240.0]
                }
            }
            Design::Portrait => {
                let bg = mix(
                    [250.0, 214.0, 165.0],
                    [200.0, 160.0, 210.0],
                    x * 0.7 + y * 0.3,
                );
                let fy = cy + 0.12;
                if (cx * cx) / 0.03 + (fy * fy) / 0.045 < 1.0 {
                    return [120.0, 80.0, 60.0];
                }
                if y > 0.72 && cx.abs() < 0.38 - (y - 0.72) * -0.5 {
                    return [60.0, 60.0, 110.0];
                }
                bg
            }
            Design::Rivers => {
                let w1 = 0.35 + 0.1 * (x * 9.0).sin();
                let w2 = 0.65 + 0.08 * (x * 7.0 + 1.0).cos();
                if (y - w1).abs() < 0.05 || (y - w2).abs() < 0.04 {
                    return [235.0, 245.0, 255.0];
                }
                mix([20.0, 60.0, 150.0], [10.0, 30.0, 80.0], y)
            }
            Design::Eye => {
                let e = (cx * cx) / 0.16 + (cy * cy) / 0.04;
                if r < 0.09 {
                    return [10.0, 10.0, 10.0];
                }
                if r < 0.16 {
                    return [40.0, 120.0, 160.0];
                }
                if e < 1.0 {
                    return [250.0, 250.0, 250.0];
                }
                let angle = cy.atan2(cx);
                if (angle * 12.0 / std::f32::consts::PI).rem_euclid(2.0) < 0.6 && r < 0.48 {
                    return [250.0, 200.0, 60.0];
                }
                [60.0, 30.0, 80.0]
            }
            Design::Columns => {
                if (0.15..0.27).contains(&y) && cx.abs() < 0.35
                    || (0.15..0.85).contains(&y) && cx.abs() < 0.06
                {
                    return [20.0, 20.0, 20.0];
                }
                if y > 0.3 && (y * 30.0).fract() < 0.35 && cx.abs() > 0.1 && cx.abs() < 0.45 {
                    return [120.0, 120.0, 120.0];
                }
                [250.0, 248.0, 240.0]
            }
            Design::Silhouette => {
                let fg = [248.0, 249.0, 252.0];
                if r > 0.47 {
                    return [120.0, 128.0, 140.0];
                }
                let bg = mix([215.0, 220.0, 226.0], [140.0, 150.0, 162.0], (x + y) / 2.0);
                let fy = cy + 0.1;
                if cx * cx + fy * fy < 0.028 {
                    return fg;
                }
                let sy = y - 0.95;
                if (cx * cx) / 0.12 + (sy * sy) / 0.09 < 1.0 {
                    return fg;
                }
                bg
            }
        }
    }

    /// The drawing at `size` × `size` pixels (2×2 supersampled).
    pub(crate) fn draw(self, size: u32) -> RgbImage {
        let s = size as f32;
        RgbImage::from_fn(size, size, |px, py| {
            let mut acc = [0.0f32; 3];
            for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let c = self.at((px as f32 + ox) / s, (py as f32 + oy) / s);
                for k in 0..3 {
                    acc[k] += c[k] / 4.0;
                }
            }
            Rgb(acc.map(|v| v.round().clamp(0.0, 255.0) as u8))
        })
    }
}

fn png_bytes(img: &RgbImage, name: &str) -> Result<Vec<u8>, DemoError> {
    let mut buf = Vec::new();
    image::codecs::png::PngEncoder::new(&mut buf)
        .write_image(
            img,
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| encode_err(name, e))?;
    Ok(buf)
}

fn jpeg_bytes(img: &RgbImage, quality: u8, name: &str) -> Result<Vec<u8>, DemoError> {
    let mut buf = Vec::new();
    JpegEncoder::new_with_quality(&mut buf, quality)
        .write_image(
            img,
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| encode_err(name, e))?;
    Ok(buf)
}

fn encode_err(name: &str, e: image::ImageError) -> DemoError {
    DemoError::Write {
        path: Path::new(DIR).join(name),
        source: std::io::Error::other(e.to_string()),
    }
}

/// How a platform serves an uploaded image again: shifted by `shift` pixels (cropped on
/// the top-left, edge pixels repeated on the other side), resized to `size`, re-encoded as
/// JPEG at `quality`.
pub(crate) fn reencode(
    original: &RgbImage,
    shift: u32,
    size: u32,
    quality: u8,
    name: &str,
) -> Result<Vec<u8>, DemoError> {
    let (w, h) = original.dimensions();
    let shifted = RgbImage::from_fn(w, h, |x, y| {
        *original.get_pixel((x + shift).min(w - 1), (y + shift).min(h - 1))
    });
    let resized =
        image::imageops::resize(&shifted, size, size, image::imageops::FilterType::Triangle);
    jpeg_bytes(&resized, quality, name)
}

/// One avatar file to write for an X handle.
pub(crate) enum Avatar {
    /// The drawing as a 400 px PNG.
    Original(Design),
    /// The drawing re-served: shifted, resized, JPEG.
    Reencoded {
        design: Design,
        shift: u32,
        size: u32,
        quality: u8,
    },
}

/// Writes `avatars/x/<handle>.png|jpg` for each (handle, avatar); returns the files written.
pub(crate) fn write_x(root: &Path, avatars: &[(String, Avatar)]) -> Result<u64, DemoError> {
    let mut n = 0;
    for (handle, a) in avatars {
        let (name, bytes) = match a {
            Avatar::Original(d) => {
                let name = format!("x/{handle}.png");
                let bytes = png_bytes(&d.draw(400), &name)?;
                (name, bytes)
            }
            Avatar::Reencoded {
                design,
                shift,
                size,
                quality,
            } => {
                let name = format!("x/{handle}.jpg");
                let bytes = reencode(&design.draw(400), *shift, *size, *quality, &name)?;
                (name, bytes)
            }
        };
        out::write_small(root, &format!("{DIR}/{name}"), &bytes)?;
        n += 1;
    }
    Ok(n)
}
