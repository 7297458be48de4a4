//! A minimal PNG encoder: 8-bit RGB, filter 0, zlib with stored (uncompressed) deflate
//! blocks, CRC-32 per chunk and Adler-32 over the image data. Enough for valid tiny photos.

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// CRC-32 (ISO-HDLC, the one PNG and zip use), bitwise.
pub(crate) fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for part in parts {
        for &b in *part {
            crc ^= u32::from(b);
            for _ in 0..8 {
                let mask = (crc & 1).wrapping_neg();
                crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
            }
        }
    }
    !crc
}

/// Adler-32 as zlib defines it.
pub(crate) fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

/// Encodes an RGB image; `pixel(x, y)` gives each pixel's colour.
pub(crate) fn encode_rgb(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    let mut raw = Vec::with_capacity((height * (1 + 3 * width)) as usize);
    for y in 0..height {
        raw.push(0); // filter type None
        for x in 0..width {
            raw.extend_from_slice(&pixel(x, y));
        }
    }
    let mut z = vec![0x78, 0x01];
    let mut blocks = raw.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        z.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        z.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());

    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);

    let mut out = Vec::with_capacity(z.len() + 64);
    out.extend_from_slice(&SIGNATURE);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A small "photo": sky, horizon and ground in colours picked from `tone`, so different
/// photos differ in bytes.
pub(crate) fn photo(width: u32, height: u32, tone: u64) -> Vec<u8> {
    let t = tone.to_le_bytes();
    let sky = [60 + t[0] % 80, 90 + t[1] % 80, 160 + t[2] % 90];
    let ground = [120 + t[3] % 90, 90 + t[4] % 70, 40 + t[5] % 60];
    let horizon = height / 2 + u32::from(t[6]) % (height / 4 + 1);
    encode_rgb(width, height, |x, y| {
        let shade = ((x * 7 + y * 3) % 16) as u8;
        let base = if y < horizon { sky } else { ground };
        [
            base[0].saturating_add(shade),
            base[1].saturating_add(shade / 2),
            base[2].saturating_sub(shade),
        ]
    })
}

#[cfg(test)]
pub(crate) mod check {
    //! A PNG checker used by the tests: signature, chunk CRCs, IHDR, zlib header, stored
    //! blocks and Adler-32, and the decompressed size against the dimensions.
    use super::*;

    pub fn validate(png: &[u8]) -> Result<(u32, u32), String> {
        if png.len() < 8 || png[..8] != SIGNATURE {
            return Err("bad signature".into());
        }
        let mut pos = 8;
        let mut dims = None;
        let mut idat = Vec::new();
        let mut seen_end = false;
        while pos < png.len() {
            if pos + 12 > png.len() {
                return Err("truncated chunk".into());
            }
            let len = u32::from_be_bytes(png[pos..pos + 4].try_into().unwrap()) as usize;
            let kind = &png[pos + 4..pos + 8];
            let data = &png[pos + 8..pos + 8 + len];
            let crc = u32::from_be_bytes(png[pos + 8 + len..pos + 12 + len].try_into().unwrap());
            if crc != crc32(&[kind, data]) {
                return Err(format!("bad CRC in {}", String::from_utf8_lossy(kind)));
            }
            match kind {
                b"IHDR" => {
                    let w = u32::from_be_bytes(data[0..4].try_into().unwrap());
                    let h = u32::from_be_bytes(data[4..8].try_into().unwrap());
                    if data[8..13] != [8, 2, 0, 0, 0] {
                        return Err("unexpected IHDR".into());
                    }
                    dims = Some((w, h));
                }
                b"IDAT" => idat.extend_from_slice(data),
                b"IEND" => seen_end = true,
                _ => {}
            }
            pos += 12 + len;
        }
        let (w, h) = dims.ok_or("no IHDR")?;
        if !seen_end {
            return Err("no IEND".into());
        }
        if idat.len() < 6
            || idat[0] != 0x78
            || (u16::from(idat[0]) << 8 | u16::from(idat[1])) % 31 != 0
        {
            return Err("bad zlib header".into());
        }
        let mut raw = Vec::new();
        let mut p = 2;
        loop {
            let header = idat[p];
            if header & 0b110 != 0 {
                return Err("not a stored block".into());
            }
            let len = u16::from_le_bytes([idat[p + 1], idat[p + 2]]);
            let nlen = u16::from_le_bytes([idat[p + 3], idat[p + 4]]);
            if len != !nlen {
                return Err("LEN/NLEN mismatch".into());
            }
            raw.extend_from_slice(&idat[p + 5..p + 5 + len as usize]);
            p += 5 + len as usize;
            if header & 1 == 1 {
                break;
            }
        }
        let adler = u32::from_be_bytes(idat[p..p + 4].try_into().unwrap());
        if adler != adler32(&raw) {
            return Err("bad Adler-32".into());
        }
        if raw.len() != (h * (1 + 3 * w)) as usize {
            return Err("image data size does not match IHDR".into());
        }
        Ok((w, h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_checksums() {
        assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
        assert_eq!(crc32(&[b"IEND"]), 0xAE42_6082);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn photos_are_valid_png() {
        for (w, h) in [(1, 1), (40, 30), (300, 250)] {
            let png = photo(w, h, 0xDEAD_BEEF_1234_5678);
            assert_eq!(check::validate(&png), Ok((w, h)));
        }
        let mut bad = photo(8, 8, 1);
        let n = bad.len();
        bad[n - 20] ^= 1;
        assert!(check::validate(&bad).is_err());
    }
}
