#![allow(clippy::unwrap_used, clippy::expect_used)]
//! EXIF metadata from a JPEG made here: GPS, time, camera, software, orientation.

use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use marsad_media::exif::read_file;

/// A small JPEG with an EXIF block (APP1) carrying the given fields.
fn jpeg_with_exif(fields: &[Field]) -> Vec<u8> {
    let img = image::RgbImage::from_fn(32, 24, |x, y| {
        image::Rgb([(x * 8) as u8, (y * 10) as u8, 90])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&img)
        .unwrap();
    let mut w = Writer::new();
    for f in fields {
        w.push_field(f);
    }
    let mut tiff = std::io::Cursor::new(Vec::new());
    w.write(&mut tiff, false).unwrap();
    let tiff = tiff.into_inner();
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let len = (app1.len() + 2) as u16;
    let mut out = jpeg[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn r(num: u32, denom: u32) -> Rational {
    Rational { num, denom }
}

fn ascii(tag: Tag, s: &str) -> Field {
    Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![s.as_bytes().to_vec()]),
    }
}

#[test]
fn gps_time_camera_software_from_a_jpeg() {
    // Mosul: 36°20'06.0"N 43°07'48.0"E, 223.5 m.
    let fields = vec![
        ascii(Tag::GPSLatitudeRef, "N"),
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(36, 1), r(20, 1), r(6, 1)]),
        },
        ascii(Tag::GPSLongitudeRef, "E"),
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(43, 1), r(7, 1), r(48, 1)]),
        },
        Field {
            tag: Tag::GPSAltitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Byte(vec![0]),
        },
        Field {
            tag: Tag::GPSAltitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(447, 2)]),
        },
        ascii(Tag::Make, "Samsung"),
        ascii(Tag::Model, "SM-A515F"),
        ascii(Tag::Software, "A515FXXU4CTJ1"),
        ascii(Tag::DateTimeOriginal, "2024:03:05 14:22:09"),
        Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![1]),
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("phone.jpg");
    std::fs::write(&p, jpeg_with_exif(&fields)).unwrap();
    let m = read_file(&p).unwrap();
    assert!(m.has_gps());
    assert!((m.gps_latitude.unwrap() - 36.335).abs() < 1e-9);
    assert!((m.gps_longitude.unwrap() - 43.13).abs() < 1e-9);
    assert!((m.gps_altitude.unwrap() - 223.5).abs() < 1e-9);
    assert_eq!(m.captured_at.as_deref(), Some("2024:03:05 14:22:09"));
    assert_eq!(m.make.as_deref(), Some("Samsung"));
    assert_eq!(m.model.as_deref(), Some("SM-A515F"));
    assert_eq!(m.software.as_deref(), Some("A515FXXU4CTJ1"));
    assert_eq!(m.orientation, Some(1));
    // The file still hashes (EXIF does not disturb decoding).
    let mut h = marsad_media::ImageHasher::default();
    h.hash_file(&p).unwrap();

    // South/west references give negative coordinates.
    let fields = vec![
        ascii(Tag::GPSLatitudeRef, "S"),
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(33, 1), r(30, 1), r(0, 1)]),
        },
        ascii(Tag::GPSLongitudeRef, "W"),
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(70, 1), r(15, 1), r(0, 1)]),
        },
    ];
    let p2 = dir.path().join("sw.jpg");
    std::fs::write(&p2, jpeg_with_exif(&fields)).unwrap();
    let m = read_file(&p2).unwrap();
    assert_eq!(
        (m.gps_latitude, m.gps_longitude),
        (Some(-33.5), Some(-70.25))
    );
    assert_eq!(m.gps_altitude, None);
}

#[test]
fn no_exif_is_empty_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("plain.png");
    image::RgbImage::new(8, 8).save(&p).unwrap();
    let m = read_file(&p).unwrap();
    assert!(!m.has_gps());
    assert_eq!(m, Default::default());
}

#[test]
fn gps_and_time_from_mov_and_mp4() {
    if !marsad_media::video::ffmpeg_available() {
        eprintln!("skipped: ffmpeg not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for name in ["phone.mov", "phone.mp4"] {
        let p = dir.path().join(name);
        let st = std::process::Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=64x48:rate=5",
                "-t",
                "1",
                "-pix_fmt",
                "yuv420p",
            ])
            .args(["-metadata", "location=+36.3350+043.1300+223.500/"])
            .args(["-metadata", "creation_time=2024-03-05T14:22:09Z"])
            .arg(&p)
            .status()
            .unwrap();
        assert!(st.success());
        let m = read_file(&p).unwrap();
        eprintln!("{name}: {m:?}");
        assert!(
            m.captured_at
                .as_deref()
                .unwrap()
                .starts_with("2024-03-05T14:22:09"),
            "{name}: {m:?}"
        );
        // QuickTime `©xyz` location atom (MOV: read by nom-exif; MP4's `udta/©xyz`: by our
        // box walker).
        assert!((m.gps_latitude.unwrap() - 36.335).abs() < 1e-3, "{name}");
        assert!((m.gps_longitude.unwrap() - 43.13).abs() < 1e-3, "{name}");
        assert!((m.gps_altitude.unwrap() - 223.5).abs() < 1e-3, "{name}");
    }
}

mod common;

/// A real phone photo in the PDQ data set carries GPS (an OPSEC leak of the kind we look for).
#[test]
fn gps_from_the_reference_phone_photo() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let p = data.join("pdq/images/reg-test-input/exif-rotn/exif-rotn-6.jpg");
    let m = read_file(&p).unwrap();
    assert!(m.has_gps());
    assert!((m.gps_latitude.unwrap() - 38.977935).abs() < 1e-6);
    assert!((m.gps_longitude.unwrap() + 77.023202).abs() < 1e-6);
    assert_eq!(m.make.as_deref(), Some("samsung"));
    assert_eq!(m.model.as_deref(), Some("SM-G930V"));
    assert_eq!(m.orientation, Some(6));
    assert_eq!(m.captured_at.as_deref(), Some("2017:11:07 22:14:06"));
}
