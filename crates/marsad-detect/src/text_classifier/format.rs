//! The model file format (version 1), little-endian:
//!
//! ```text
//! "MARSADTC"            8 bytes, magic
//! version               u32 (FORMAT_VERSION)
//! header_len            u32
//! header                JSON (`Header`: name, feature config, labels with Platt parameters,
//!                       thresholds and validation metrics, training fingerprint)
//! labels                u32 (L, equal to the header's label count)
//! features              u64 (F: hashed features seen in training)
//! F × { index u32, idf f32, L × weight f32 }   ascending index
//! L × bias f32
//! sha256                32 bytes, of everything above
//! ```
//!
//! A file from a newer format fails with [`ClassifierError::NewerModel`]; a file with another
//! magic, a bad checksum (corrupt or truncated), an unreadable header or an inconsistent body
//! fails with [`ClassifierError::BadModel`] saying what is wrong.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::{ClassifierError, Header, Model};

pub const MAGIC: &[u8; 8] = b"MARSADTC";
/// The newest format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// `table`: per feature, its idf then its `L` weights (stride `L + 1`).
fn encode(header_json: &[u8], table: &[f32], bias: &[f32]) -> Vec<u8> {
    let nl = bias.len();
    let stride = nl + 1;
    let seen = table.chunks_exact(stride).filter(|r| r[0] != 0.0).count();
    let mut out = Vec::with_capacity(64 + header_json.len() + seen * (8 + 4 * nl));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(header_json.len() as u32).to_le_bytes());
    out.extend_from_slice(header_json);
    out.extend_from_slice(&(nl as u32).to_le_bytes());
    out.extend_from_slice(&(seen as u64).to_le_bytes());
    for (j, row) in table.chunks_exact(stride).enumerate() {
        if row[0] == 0.0 {
            continue;
        }
        out.extend_from_slice(&(j as u32).to_le_bytes());
        for v in row {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    for b in bias {
        out.extend_from_slice(&b.to_le_bytes());
    }
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

/// Build a model from trained parts (computes its digest).
pub(crate) fn finish(
    header: Header,
    idf: Vec<f32>,
    weights: Vec<f32>,
    bias: Vec<f32>,
) -> Result<Model, ClassifierError> {
    // Through the encoder and back: the model in memory is exactly the one a file holds
    // (header floats included), and it keeps its header's JSON so saving it again writes the
    // same bytes (the same id).
    let header_json = serde_json::to_vec(&header)
        .map_err(|e| ClassifierError::Input(format!("model header: {e}")))?;
    let nl = bias.len();
    let mut table = vec![0f32; idf.len() * (nl + 1)];
    for (j, row) in table.chunks_exact_mut(nl + 1).enumerate() {
        row[0] = idf[j];
        row[1..].copy_from_slice(&weights[j * nl..j * nl + nl]);
    }
    drop((idf, weights));
    let bytes = encode(&header_json, &table, &bias);
    drop(table);
    decode(Path::new("(new model)"), &bytes)
}

pub(crate) fn save(model: &Model, path: &Path) -> Result<(), ClassifierError> {
    let (header_json, table, bias) = model.parts();
    let bytes = encode(header_json, table, bias);
    let io = |e| ClassifierError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let tmp = path.with_extension("tmp-write");
    std::fs::write(&tmp, &bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn f32(&mut self) -> Option<f32> {
        Some(f32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

pub(crate) fn load(path: &Path) -> Result<Model, ClassifierError> {
    let bytes = std::fs::read(path).map_err(|e| ClassifierError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    decode(path, &bytes)
}

pub(crate) fn decode(path: &Path, bytes: &[u8]) -> Result<Model, ClassifierError> {
    let bad = |reason: String| ClassifierError::BadModel {
        path: path.to_path_buf(),
        reason,
    };
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(bad(
            "it does not start with the Marsad classifier magic \"MARSADTC\"".into(),
        ));
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version > FORMAT_VERSION {
        return Err(ClassifierError::NewerModel {
            path: path.to_path_buf(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(bad("format version 0 does not exist".into()));
    }
    if bytes.len() < 12 + 32 {
        return Err(bad("truncated (shorter than the header)".into()));
    }
    let (content, trailer) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(content).as_slice() != trailer {
        return Err(bad(
            "checksum mismatch: the file is corrupt or truncated".into()
        ));
    }
    let digest = hex::encode(trailer);
    let mut c = Cursor { b: content, at: 12 };
    let trunc = || bad("truncated body".into());
    let hlen = c.u32().ok_or_else(trunc)? as usize;
    let hbytes = c.take(hlen).ok_or_else(trunc)?;
    let header: Header =
        serde_json::from_slice(hbytes).map_err(|e| bad(format!("header is not valid: {e}")))?;
    header
        .features
        .validate()
        .map_err(|e| bad(format!("feature config: {e}")))?;
    let nl = c.u32().ok_or_else(trunc)? as usize;
    if nl == 0 || nl != header.labels.len() {
        return Err(bad(format!(
            "body has {nl} label(s), header {}",
            header.labels.len()
        )));
    }
    let dim = header.features.dim();
    let seen = c.u64().ok_or_else(trunc)?;
    if seen > dim as u64 {
        return Err(bad(format!("{seen} features in a space of {dim}")));
    }
    let stride = nl + 1;
    let mut table = vec![0f32; dim * stride];
    let mut last: Option<u32> = None;
    for _ in 0..seen {
        let j = c.u32().ok_or_else(trunc)?;
        if j as usize >= dim || last.is_some_and(|l| j <= l) {
            return Err(bad(format!("feature index {j} out of order or range")));
        }
        last = Some(j);
        let v = c.f32().ok_or_else(trunc)?;
        if !v.is_finite() || v <= 0.0 {
            return Err(bad(format!("feature {j}: idf {v} is not positive")));
        }
        let row = &mut table[j as usize * stride..(j as usize + 1) * stride];
        row[0] = v;
        for slot in &mut row[1..] {
            let w = c.f32().ok_or_else(trunc)?;
            if !w.is_finite() {
                return Err(bad(format!("feature {j}: weight is not finite")));
            }
            *slot = w;
        }
    }
    let mut bias = Vec::with_capacity(nl);
    for _ in 0..nl {
        bias.push(c.f32().ok_or_else(trunc)?);
    }
    if c.at != content.len() {
        return Err(bad(format!(
            "{} unexpected byte(s) after the body",
            content.len() - c.at
        )));
    }
    Model::from_parts(header, hbytes.to_vec(), table, bias, digest)
}

#[cfg(test)]
mod tests {
    use super::super::{train, Example, TrainOptions};
    use super::*;

    fn model() -> Model {
        let data: Vec<Example> = (0..60)
            .map(|i| Example {
                text: if i % 2 == 0 {
                    format!("يا كلب يا حمار {i}")
                } else {
                    format!("صباح الخير يا صديقي {i}")
                },
                labels: if i % 2 == 0 {
                    vec!["insult".into()]
                } else {
                    vec![]
                },
            })
            .collect();
        train(&data, vec!["t".into()], &TrainOptions::default())
            .unwrap()
            .0
    }

    #[test]
    fn round_trip() {
        let m = model();
        let dir = std::env::temp_dir().join(format!("marsad-tc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("m.model");
        m.save(&p).unwrap();
        let back = Model::load(&p).unwrap();
        assert_eq!(back.header(), m.header());
        assert_eq!(back.id(), m.id());
        assert!(back.id().starts_with("model@"));
        for t in ["يا كلب", "صباح الخير", "شيء آخر"] {
            assert_eq!(back.predict(t), m.predict(t));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corrupt_truncated_newer_and_foreign_files_fail_clearly() {
        let m = model();
        let (h, t, b) = m.parts();
        let bytes = encode(h, t, b);
        let p = Path::new("x.model");
        let err = |b: &[u8]| decode(p, b).unwrap_err().to_string();

        let mut flipped = bytes.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x40;
        assert!(
            err(&flipped).contains("checksum mismatch"),
            "{}",
            err(&flipped)
        );

        let e = err(&bytes[..bytes.len() - 100]);
        assert!(e.contains("corrupt or truncated"), "{e}");

        let mut newer = bytes.clone();
        newer[8..12].copy_from_slice(&2u32.to_le_bytes());
        let e = err(&newer);
        assert!(
            e.contains("version 2 is newer") && e.contains("up to 1"),
            "{e}"
        );

        let e = err(b"{\"text\": \"not a model\"}");
        assert!(
            e.starts_with("x.model: not a usable model file") && e.contains("magic"),
            "{e}"
        );

        // A valid checksum over a broken header: the header error is named.
        let mut broken = bytes[..bytes.len() - 32].to_vec();
        broken[16] = b'!';
        let d = Sha256::digest(&broken);
        broken.extend_from_slice(&d);
        assert!(
            err(&broken).contains("header is not valid"),
            "{}",
            err(&broken)
        );
    }
}
