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
        let mut m = read_track(path)?;
        if !m.has_gps() {
            // Android phones and ffmpeg write the location as a `udta/©xyz` box in MP4, which
            // the track parser does not read.
            if let Some((lat, lon, alt)) = bmff_location(path) {
                m.gps_latitude = Some(lat);
                m.gps_longitude = Some(lon);
                m.gps_altitude = m.gps_altitude.or(alt);
            }
        }
        return Ok(m);
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

/// The location of an ISO-BMFF file: QuickTime's `udta/©xyz` (ISO 6709 text,
/// `+36.3350+043.1300+223.500/`, as Android phones write it) or 3GPP's `udta/loci` (fixed-point
/// longitude, latitude, altitude, as ffmpeg's MP4 muxer writes it), under `moov` or a `trak`.
/// Boxes are walked with seeks (the media data is never read); `None` when there is none or
/// it does not parse.
fn bmff_location(path: &Path) -> Option<(f64, f64, Option<f64>)> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    // (start, end, depth) of box lists still to walk.
    let mut todo = vec![(0u64, len, 0u8)];
    while let Some((start, end, depth)) = todo.pop() {
        let mut pos = start;
        while pos + 8 <= end {
            f.seek(SeekFrom::Start(pos)).ok()?;
            let mut h = [0u8; 8];
            f.read_exact(&mut h).ok()?;
            let mut size = u64::from(u32::from_be_bytes([h[0], h[1], h[2], h[3]]));
            let kind = [h[4], h[5], h[6], h[7]];
            let mut header = 8u64;
            if size == 1 {
                let mut big = [0u8; 8];
                f.read_exact(&mut big).ok()?;
                size = u64::from_be_bytes(big);
                header = 16;
            } else if size == 0 {
                size = end - pos;
            }
            if size < header || pos + size > end {
                break;
            }
            match &kind {
                b"moov" | b"trak" | b"udta" if depth < 4 => {
                    todo.push((pos + header, pos + size, depth + 1));
                }
                [0xA9, b'x', b'y', b'z'] if size - header <= 512 => {
                    let mut body = vec![0u8; (size - header) as usize];
                    f.read_exact(&mut body).ok()?;
                    // QuickTime user-data text: u16 length, u16 language, then the text.
                    let n = usize::from(u16::from_be_bytes([*body.first()?, *body.get(1)?]));
                    let text = body.get(4..4 + n).unwrap_or(body.get(4..)?);
                    if let Some(loc) = parse_iso6709(&String::from_utf8_lossy(text)) {
                        return Some(loc);
                    }
                }
                b"loci" if size - header <= 4096 => {
                    let mut body = vec![0u8; (size - header) as usize];
                    f.read_exact(&mut body).ok()?;
                    if let Some(loc) = parse_loci(&body) {
                        return Some(loc);
                    }
                }
                _ => {}
            }
            pos += size;
        }
    }
    None
}

/// A 3GPP `loci` box body (TS 26.244): version and flags (4 bytes), language (2), a
/// NUL-terminated place name, a role byte, then longitude, latitude and altitude as signed
/// 16.16 fixed-point numbers.
fn parse_loci(body: &[u8]) -> Option<(f64, f64, Option<f64>)> {
    let name_end = 6 + body.get(6..)?.iter().position(|&b| b == 0)?;
    let at = name_end + 2;
    let fixed = |i: usize| -> Option<f64> {
        let b = body.get(at + 4 * i..at + 4 * i + 4)?;
        Some(f64::from(i32::from_be_bytes([b[0], b[1], b[2], b[3]])) / 65536.0)
    };
    let (lon, lat, alt) = (fixed(0)?, fixed(1)?, fixed(2));
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return None;
    }
    Some((lat, lon, alt))
}

/// `±DD.DDDD±DDD.DDDD[±AAA.AAA][CRS]/` in decimal degrees (ISO 6709 as phones write it).
fn parse_iso6709(s: &str) -> Option<(f64, f64, Option<f64>)> {
    let s = s.trim().trim_end_matches('/');
    let mut parts: Vec<f64> = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if (c == '+' || c == '-') && !cur.is_empty() {
            parts.push(cur.parse().ok()?);
            cur.clear();
        }
        if c.is_ascii_digit() || c == '.' || c == '+' || c == '-' {
            cur.push(c);
        } else {
            // A coordinate reference system suffix (`CRSWGS_84`) ends the numbers.
            break;
        }
    }
    if !cur.is_empty() {
        parts.push(cur.parse().ok()?);
    }
    let (lat, lon) = (*parts.first()?, *parts.get(1)?);
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return None;
    }
    Some((lat, lon, parts.get(2).copied()))
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

#[cfg(test)]
mod tests {
    use super::{parse_iso6709, parse_loci};

    #[test]
    fn loci_as_ffmpeg_writes_it() {
        // The body ffmpeg wrote for location=+36.3350+043.1300+223.500/.
        let body = [
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0x2b, 0x21, 0x47, 0, 0x24, 0x55, 0xc2, 0, 0xdf, 0x80, 0,
            b'e', b'a', b'r', b't', b'h', 0, 0,
        ];
        let (lat, lon, alt) = parse_loci(&body).unwrap();
        assert!((lat - 36.335).abs() < 1e-4 && (lon - 43.13).abs() < 1e-4);
        assert!((alt.unwrap() - 223.5).abs() < 1e-4);
        assert_eq!(parse_loci(&[0, 0, 0]), None);
    }

    #[test]
    fn iso6709_as_phones_write_it() {
        assert_eq!(
            parse_iso6709("+36.3350+043.1300+223.500/"),
            Some((36.335, 43.13, Some(223.5)))
        );
        assert_eq!(
            parse_iso6709("-33.8688+151.2093/"),
            Some((-33.8688, 151.2093, None))
        );
        assert_eq!(
            parse_iso6709("+33.3128+044.3615CRSWGS_84/"),
            Some((33.3128, 44.3615, None))
        );
        assert_eq!(parse_iso6709("+95.0+010.0/"), None);
        assert_eq!(parse_iso6709("garbage"), None);
    }
}
