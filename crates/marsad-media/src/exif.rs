//! Media metadata: GPS position, capture time, camera and software from EXIF (JPEG, TIFF,
//! HEIF/HEIC, PNG, WebP containers, via `kamadak-exif`) and from video containers (MP4, MOV,
//! 3GP, Matroska: QuickTime `©xyz` location, creation time, make/model; via `nom-exif`). Photos sent as files keep this
//! metadata; a GPS position in a soldier's photo is an operational-security leak.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use exif::{In, Tag, Value};
use serde::Serialize;

use crate::error::{MediaError, Result};

/// What a media file's metadata says (fields absent from the file are `None`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MediaMetadata {
    /// Latitude in decimal degrees (south negative).
    pub gps_latitude: Option<f64>,
    /// Longitude in decimal degrees (west negative).
    pub gps_longitude: Option<f64>,
    /// Altitude in metres (below sea level negative).
    pub gps_altitude: Option<f64>,
    /// Capture time as recorded (`DateTimeOriginal`, else `DateTime`), EXIF form
    /// `YYYY:MM:DD HH:MM:SS`, with the offset when the file gives one.
    pub captured_at: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub software: Option<String>,
    /// EXIF orientation (1-8).
    pub orientation: Option<u32>,
}

impl MediaMetadata {
    /// Whether the file reveals a position.
    pub fn has_gps(&self) -> bool {
        self.gps_latitude.is_some() && self.gps_longitude.is_some()
    }
}

/// Read a file's metadata. A file without EXIF gives empty metadata, not an error.
pub fn read_file(path: &Path) -> Result<MediaMetadata> {
    if is_video_container(path) {
        return read_track(path);
    }
    let f = File::open(path).map_err(|e| MediaError::io(path, e))?;
    let mut r = BufReader::new(f);
    match exif::Reader::new().read_from_container(&mut r) {
        Ok(ex) => Ok(from_exif(&ex)),
        Err(exif::Error::NotFound(_)) => Ok(MediaMetadata::default()),
        Err(exif::Error::Io(e)) => Err(MediaError::io(path, e)),
        Err(exif::Error::NotSupported(_)) | Err(exif::Error::InvalidFormat(_))
            if !has_known_container(path) =>
        {
            Ok(MediaMetadata::default())
        }
        Err(e) => Err(MediaError::Format {
            path: path.to_path_buf(),
            reason: format!("unreadable EXIF: {e}"),
        }),
    }
}

/// ISO-BMFF with a video brand (MP4, MOV, 3GP; not HEIF/AVIF) or Matroska/WebM.
fn is_video_container(path: &Path) -> bool {
    let mut head = [0u8; 12];
    let ok = File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok();
    if !ok {
        return false;
    }
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return true;
    }
    &head[4..8] == b"ftyp"
        && !matches!(
            &head[8..12],
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" | b"avif"
        )
}

/// Metadata of a video container (nom-exif's track parser).
fn read_track(path: &Path) -> Result<MediaMetadata> {
    use nom_exif::TrackInfoTag as T;
    let info = match nom_exif::read_track(path) {
        Ok(i) => i,
        Err(e) => {
            return Err(MediaError::Format {
                path: path.to_path_buf(),
                reason: format!("unreadable video metadata: {e}"),
            })
        }
    };
    let text = |t: T| {
        info.get(t)
            .map(|v| v.to_string().trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let gps = info.gps_info();
    Ok(MediaMetadata {
        gps_latitude: gps.and_then(|g| g.latitude_decimal()),
        gps_longitude: gps.and_then(|g| g.longitude_decimal()),
        gps_altitude: gps.and_then(|g| g.altitude_meters()),
        captured_at: text(T::CreateDate),
        make: text(T::Make),
        model: text(T::Model),
        software: text(T::Software),
        orientation: None,
    })
}

fn has_known_container(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        ext.as_str(),
        "jpg" | "jpeg" | "tif" | "tiff" | "heic" | "heif"
    )
}

/// Read metadata from a raw EXIF/TIFF block.
pub fn read_raw(bytes: Vec<u8>) -> Option<MediaMetadata> {
    exif::Reader::new()
        .read_raw(bytes)
        .ok()
        .map(|e| from_exif(&e))
}

fn text(ex: &exif::Exif, tag: Tag) -> Option<String> {
    let f = ex.get_field(tag, In::PRIMARY)?;
    match &f.value {
        Value::Ascii(parts) => {
            let s: String = parts
                .iter()
                .map(|p| {
                    String::from_utf8_lossy(p)
                        .trim_end_matches('\0')
                        .trim()
                        .to_string()
                })
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            (!s.is_empty()).then_some(s)
        }
        _ => Some(f.display_value().to_string()),
    }
}

fn rationals(ex: &exif::Exif, tag: Tag) -> Option<Vec<f64>> {
    match &ex.get_field(tag, In::PRIMARY)?.value {
        Value::Rational(v) => Some(v.iter().map(|r| r.to_f64()).collect()),
        Value::SRational(v) => Some(v.iter().map(|r| r.to_f64()).collect()),
        _ => None,
    }
}

fn dms(ex: &exif::Exif, tag: Tag, ref_tag: Tag, negative: u8) -> Option<f64> {
    let v = rationals(ex, tag)?;
    let deg = v.first()? + v.get(1).unwrap_or(&0.0) / 60.0 + v.get(2).unwrap_or(&0.0) / 3600.0;
    if !deg.is_finite() {
        return None;
    }
    let r = match &ex.get_field(ref_tag, In::PRIMARY).map(|f| &f.value) {
        Some(Value::Ascii(p)) => p.first().and_then(|s| s.first().copied()),
        _ => None,
    };
    Some(if r.map(|c| c.to_ascii_uppercase()) == Some(negative) {
        -deg
    } else {
        deg
    })
}

fn from_exif(ex: &exif::Exif) -> MediaMetadata {
    let altitude = rationals(ex, Tag::GPSAltitude)
        .and_then(|v| v.first().copied())
        .filter(|a| a.is_finite())
        .map(|a| {
            let below = ex
                .get_field(Tag::GPSAltitudeRef, In::PRIMARY)
                .and_then(|f| f.value.get_uint(0))
                == Some(1);
            if below {
                -a
            } else {
                a
            }
        });
    let time = text(ex, Tag::DateTimeOriginal).or_else(|| text(ex, Tag::DateTime));
    let offset = text(ex, Tag::OffsetTimeOriginal).or_else(|| text(ex, Tag::OffsetTime));
    MediaMetadata {
        gps_latitude: dms(ex, Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S'),
        gps_longitude: dms(ex, Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W'),
        gps_altitude: altitude,
        captured_at: time.map(|t| match offset {
            Some(o) => format!("{t}{o}"),
            None => t,
        }),
        make: text(ex, Tag::Make),
        model: text(ex, Tag::Model),
        software: text(ex, Tag::Software),
        orientation: ex
            .get_field(Tag::Orientation, In::PRIMARY)
            .and_then(|f| f.value.get_uint(0)),
    }
}
