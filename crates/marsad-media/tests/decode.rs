#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Decoding: formats, decompression bombs, truncated files.

use marsad_media::{DecodeLimits, ImageHasher, MediaError};

fn picture() -> image::RgbImage {
    image::RgbImage::from_fn(120, 90, |x, y| {
        let (dx, dy) = (x as i32 - 40, y as i32 - 50);
        let ring = ((dx * dx + dy * dy) / 40).min(255) as u8;
        image::Rgb([ring, (y * 2) as u8, (x * 2) as u8])
    })
}

#[test]
fn png_gif_webp_bmp_hash_like_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let img = picture();
    let mut h = ImageHasher::default();
    let png = dir.path().join("a.png");
    img.save(&png).unwrap();
    let reference = h.hash_file(&png).unwrap();
    assert!(reference.quality > 0);
    for ext in ["bmp", "webp", "tiff"] {
        let p = dir.path().join(format!("a.{ext}"));
        img.save(&p).unwrap();
        // Lossless formats: the same pixels, the same hash.
        assert_eq!(h.hash_file(&p).unwrap(), reference, "{ext}");
    }
    // GIF is palettised: a four-colour picture survives it exactly (first frame hashed).
    let blocks = image::RgbImage::from_fn(120, 90, |x, y| {
        let c = [[200, 30, 30], [20, 20, 20], [240, 240, 240], [30, 120, 200]];
        image::Rgb(c[((x / 30 + y / 30) % 4) as usize])
    });
    let (gif, png4) = (dir.path().join("b.gif"), dir.path().join("b.png"));
    image::DynamicImage::ImageRgb8(blocks.clone())
        .to_rgba8()
        .save(&gif)
        .unwrap();
    blocks.save(&png4).unwrap();
    assert_eq!(h.hash_file(&gif).unwrap(), h.hash_file(&png4).unwrap());
    // Wrong extension does not matter: the format is sniffed.
    let odd = dir.path().join("a.dat");
    std::fs::copy(&png, &odd).unwrap();
    assert_eq!(h.hash_file(&odd).unwrap(), reference);
}

#[test]
fn decompression_bombs_are_refused_before_decoding() {
    let dir = tempfile::tempdir().unwrap();
    // A PNG declaring 20000 x 20000 pixels (400 Mpx, 1.2 GB of RGB once decoded) in a few
    // bytes: the header alone must be enough to refuse it.
    let p = dir.path().join("bomb.png");
    {
        let f = std::fs::File::create(&p).unwrap();
        let mut enc = png::Encoder::new(std::io::BufWriter::new(f), 20_000, 20_000);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        w.write_chunk(png::chunk::IDAT, &[0x78, 0x9c]).unwrap();
        let _ = w.finish();
    }
    let mut h = ImageHasher::default();
    let err = h.hash_file(&p).unwrap_err();
    assert!(
        matches!(
            err,
            MediaError::TooManyPixels {
                pixels: 400_000_000,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("bomb.png"));
    assert!(err.to_string().contains("decompression-bomb"));

    // Byte limit.
    let mut small = ImageHasher::new(DecodeLimits {
        max_bytes: 10,
        ..Default::default()
    });
    assert!(matches!(
        small.hash_file(&p).unwrap_err(),
        MediaError::TooManyBytes { .. }
    ));
}

#[test]
fn truncated_jpeg_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&picture())
        .unwrap();
    let p = dir.path().join("cut.jpg");
    std::fs::write(&p, &jpeg[..jpeg.len() / 3]).unwrap();
    let mut h = ImageHasher::default();
    match h.hash_file(&p) {
        Err(e @ MediaError::Decode { .. }) => {
            let s = e.to_string();
            assert!(s.contains("cut.jpg"), "{s}");
            assert!(s.contains("truncated") || s.contains("corrupt"), "{s}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    // Not an image at all.
    let t = dir.path().join("notes.txt");
    std::fs::write(&t, "hello").unwrap();
    assert!(matches!(
        h.hash_file(&t),
        Err(MediaError::UnsupportedFormat { .. })
    ));
    // Too small for PDQ.
    let tiny = dir.path().join("tiny.png");
    image::RgbImage::new(3, 3).save(&tiny).unwrap();
    assert!(matches!(
        h.hash_file(&tiny),
        Err(MediaError::TooSmall { .. })
    ));
}

#[test]
fn heic_without_converter_is_a_clear_error() {
    if std::process::Command::new("heif-convert")
        .arg("--help")
        .output()
        .is_ok()
    {
        eprintln!("skipped: heif-convert is installed (this checks the error without it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("photo.heic");
    let mut bytes = vec![0, 0, 0, 24];
    bytes.extend_from_slice(b"ftypheic");
    bytes.extend_from_slice(&[0; 12]);
    std::fs::write(&p, bytes).unwrap();
    let err = ImageHasher::default().hash_file(&p).unwrap_err();
    assert!(
        matches!(err, MediaError::HeifConverterMissing { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("heif-convert"));
}
