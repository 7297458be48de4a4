//! The PDQ algorithm on a luma buffer, ported from Meta's C++ reference
//! (`pdq/cpp/hashing/pdqhashing.cpp`): two passes of a Jarosz box filter sized to the image,
//! decimation to 64x64, the 16x16 corner of the DCT (without the DC row/column), a threshold at
//! the median, and the gradient-based quality score on the 0-100 scale. Every step keeps the
//! reference's operation order and `f32` arithmetic, so the same luma gives the same bits.

use crate::hash::Hash256;

/// Smallest side PDQ hashes (the reference returns an all-zero hash below it).
pub const MIN_HASHABLE_DIM: usize = 5;
const NUM_JAROSZ_XY_PASSES: usize = 2;
const LUMA_FROM_R: f32 = 0.299;
const LUMA_FROM_G: f32 = 0.587;
const LUMA_FROM_B: f32 = 0.114;

/// A hash and its quality (0-100; Meta recommends discarding hashes with quality below 50).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct HashQuality {
    pub hash: Hash256,
    pub quality: u8,
}

/// The eight dihedral variants, in the order of Meta's `pdq-photo-hasher --dihedral` /
/// `pdqDihedralHash256esFromFloatLuma`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Dihedral {
    pub original: Hash256,
    pub rotate90: Hash256,
    pub rotate180: Hash256,
    pub rotate270: Hash256,
    pub flip_x: Hash256,
    pub flip_y: Hash256,
    pub flip_plus1: Hash256,
    pub flip_minus1: Hash256,
    pub quality: u8,
}

impl Dihedral {
    /// The eight hashes with their names.
    pub fn named(&self) -> [(&'static str, Hash256); 8] {
        [
            ("original", self.original),
            ("rotate90", self.rotate90),
            ("rotate180", self.rotate180),
            ("rotate270", self.rotate270),
            ("flipx", self.flip_x),
            ("flipy", self.flip_y),
            ("flipplus1", self.flip_plus1),
            ("flipminus1", self.flip_minus1),
        ]
    }
}

/// Luma of an 8-bit RGB pixel exactly as the reference computes it (`f32`, same order).
#[inline(always)]
pub fn luma(r: u8, g: u8, b: u8) -> f32 {
    LUMA_FROM_R * r as f32 + LUMA_FROM_G * g as f32 + LUMA_FROM_B * b as f32
}

/// A PDQ hasher: holds the DCT matrix and scratch buffers so repeated hashing allocates
/// nothing for same-size images.
#[derive(Debug, Clone)]
pub struct PdqHasher {
    dct: Box<[[f32; 64]; 16]>,
    scratch: Vec<f32>,
}

impl Default for PdqHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl PdqHasher {
    pub fn new() -> Self {
        let mut dct = Box::new([[0f32; 64]; 16]);
        let scale = (2.0f64 / 64.0).sqrt();
        for (i, row) in dct.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = (scale
                    * ((std::f64::consts::PI / 2.0 / 64.0) * (i + 1) as f64 * (2 * j + 1) as f64)
                        .cos()) as f32;
            }
        }
        PdqHasher {
            dct,
            scratch: Vec::new(),
        }
    }

    /// Hash a row-major luma buffer (`rows * cols` values, modified in place by the filter).
    /// Images smaller than 5x5 give the all-zero hash with quality 0, as in the reference.
    pub fn hash_luma(&mut self, luma: &mut [f32], rows: usize, cols: usize) -> HashQuality {
        match self.dct16(luma, rows, cols) {
            Some((block, quality)) => HashQuality {
                hash: block_to_hash(&block),
                quality,
            },
            None => HashQuality {
                hash: Hash256::default(),
                quality: 0,
            },
        }
    }

    /// The eight dihedral hashes of a luma buffer, from one DCT (as the reference does).
    pub fn dihedral_luma(&mut self, luma: &mut [f32], rows: usize, cols: usize) -> Dihedral {
        let Some((a, quality)) = self.dct16(luma, rows, cols) else {
            let z = Hash256::default();
            return Dihedral {
                original: z,
                rotate90: z,
                rotate180: z,
                rotate270: z,
                flip_x: z,
                flip_y: z,
                flip_plus1: z,
                flip_minus1: z,
                quality: 0,
            };
        };
        let t = |f: &dyn Fn(usize, usize, f32) -> (usize, usize, f32)| {
            let mut b = [[0f32; 16]; 16];
            for (i, row) in a.iter().enumerate() {
                for (j, &v) in row.iter().enumerate() {
                    let (bi, bj, bv) = f(i, j, v);
                    b[bi][bj] = bv;
                }
            }
            block_to_hash(&b)
        };
        let odd = |x: usize| x & 1 == 1;
        Dihedral {
            original: block_to_hash(&a),
            rotate90: t(&|i, j, v| (j, i, if odd(j) { v } else { -v })),
            rotate180: t(&|i, j, v| (i, j, if odd(i + j) { -v } else { v })),
            rotate270: t(&|i, j, v| (j, i, if odd(i) { v } else { -v })),
            flip_x: t(&|i, j, v| (i, j, if odd(i) { v } else { -v })),
            flip_y: t(&|i, j, v| (i, j, if odd(j) { v } else { -v })),
            flip_plus1: t(&|i, j, v| (j, i, v)),
            flip_minus1: t(&|i, j, v| (j, i, if odd(i + j) { -v } else { v })),
            quality,
        }
    }

    /// Filter, decimate and transform: the 16x16 DCT block and the quality.
    #[allow(clippy::needless_range_loop)] // index loops mirror the reference's summation order
    fn dct16(
        &mut self,
        luma: &mut [f32],
        rows: usize,
        cols: usize,
    ) -> Option<([[f32; 16]; 16], u8)> {
        if rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM || luma.len() < rows * cols {
            return None;
        }
        let luma = &mut luma[..rows * cols];
        let win_rows = jarosz_window(cols, 64);
        let win_cols = jarosz_window(rows, 64);
        self.scratch.resize(rows * cols, 0.0);
        for _ in 0..NUM_JAROSZ_XY_PASSES {
            box_along_rows(luma, &mut self.scratch, rows, cols, win_rows);
            box_along_cols(&self.scratch, luma, rows, cols, win_cols);
        }
        let mut b64 = [[0f32; 64]; 64];
        for (i, row) in b64.iter_mut().enumerate() {
            let ini = ((2 * i + 1) * rows) / 128;
            for (j, v) in row.iter_mut().enumerate() {
                let inj = ((2 * j + 1) * cols) / 128;
                *v = luma[ini * cols + inj];
            }
        }
        let quality = quality_metric(&b64);
        // 16x64 = D * A, then 16x16 = T * D^T, summed in the reference's order.
        let mut t = [[0f32; 64]; 16];
        for i in 0..16 {
            for j in 0..64 {
                let mut s = 0f32;
                for (k, row) in b64.iter().enumerate() {
                    s += self.dct[i][k] * row[j];
                }
                t[i][j] = s;
            }
        }
        let mut out = [[0f32; 16]; 16];
        for (i, orow) in out.iter_mut().enumerate() {
            for (j, v) in orow.iter_mut().enumerate() {
                let mut s = 0f32;
                for k in 0..64 {
                    s += t[i][k] * self.dct[j][k];
                }
                *v = s;
            }
        }
        Some((out, quality))
    }
}

fn jarosz_window(old: usize, new: usize) -> usize {
    old.div_ceil(2 * new)
}

/// Quality: the sum of quantised absolute gradients of the 64x64 block, over 90, capped at 100
/// (integer arithmetic as in the reference).
#[allow(clippy::needless_range_loop)]
fn quality_metric(b: &[[f32; 64]; 64]) -> u8 {
    let mut sum: i64 = 0;
    for i in 0..63 {
        for j in 0..64 {
            let d = ((b[i][j] - b[i + 1][j]) * 100.0 / 255.0) as i32;
            sum += i64::from(d.abs());
        }
    }
    for row in b.iter() {
        for j in 0..63 {
            let d = ((row[j] - row[j + 1]) * 100.0 / 255.0) as i32;
            sum += i64::from(d.abs());
        }
    }
    (sum / 90).min(100) as u8
}

fn block_to_hash(b: &[[f32; 16]; 16]) -> Hash256 {
    let mut flat = [0f32; 256];
    for (i, row) in b.iter().enumerate() {
        flat[i * 16..i * 16 + 16].copy_from_slice(row);
    }
    let median = torben_median(&flat);
    let mut h = Hash256::default();
    for (k, &v) in flat.iter().enumerate() {
        if v > median {
            h.set_bit(k);
        }
    }
    h
}

/// Torben's median, as in the reference (returns the lower median for even counts).
fn torben_median(m: &[f32; 256]) -> f32 {
    let mut min = m[0];
    let mut max = m[0];
    for &v in &m[1..] {
        if v < min {
            min = v;
        }
        if v > max {
            max = v;
        }
    }
    let half = m.len().div_ceil(2);
    loop {
        let guess = (min + max) / 2.0;
        let (mut less, mut greater, mut equal) = (0usize, 0usize, 0usize);
        let mut maxltguess = min;
        let mut mingtguess = max;
        for &v in m {
            if v < guess {
                less += 1;
                if v > maxltguess {
                    maxltguess = v;
                }
            } else if v > guess {
                greater += 1;
                if v < mingtguess {
                    mingtguess = v;
                }
            } else {
                equal += 1;
            }
        }
        if less <= half && greater <= half {
            return if less >= half {
                maxltguess
            } else if less + equal >= half {
                guess
            } else {
                mingtguess
            };
        } else if less > greater {
            max = maxltguess;
        } else {
            min = mingtguess;
        }
    }
}

/// One-dimensional box filter with the reference's four phases (window shrinks at the edges).
#[inline(always)]
fn box_1d(input: &[f32], output: &mut [f32], start: usize, len: usize, stride: usize, win: usize) {
    let half = (win + 2) / 2; // 7 -> 4, 8 -> 5
    let phase1 = half - 1;
    let phase2 = win - half + 1;
    let phase3 = len - win;
    let phase4 = half - 1;
    let (mut li, mut ri, mut oi) = (start, start, start);
    let mut sum = 0f32;
    let mut cur = 0f32;
    for _ in 0..phase1 {
        sum += input[ri];
        cur += 1.0;
        ri += stride;
    }
    for _ in 0..phase2 {
        sum += input[ri];
        cur += 1.0;
        output[oi] = sum / cur;
        ri += stride;
        oi += stride;
    }
    for _ in 0..phase3 {
        sum += input[ri];
        sum -= input[li];
        output[oi] = sum / cur;
        li += stride;
        ri += stride;
        oi += stride;
    }
    for _ in 0..phase4 {
        sum -= input[li];
        cur -= 1.0;
        output[oi] = sum / cur;
        li += stride;
        oi += stride;
    }
}

fn box_along_rows(input: &[f32], output: &mut [f32], rows: usize, cols: usize, win: usize) {
    for i in 0..rows {
        box_1d(input, output, i * cols, cols, 1, win);
    }
}

/// Column pass. Same arithmetic as the reference's per-column loop, done row-vector-wise
/// (all columns advance together) so memory is read sequentially; each column's sum sees
/// the same additions in the same order, so results are bit-identical.
fn box_along_cols(input: &[f32], output: &mut [f32], rows: usize, cols: usize, win: usize) {
    let half = (win + 2) / 2;
    let phase1 = half - 1;
    let phase2 = win - half + 1;
    let phase3 = rows - win;
    let phase4 = half - 1;
    let mut sum = vec![0f32; cols];
    let mut cur = 0f32;
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    for _ in 0..phase1 {
        for (s, v) in sum.iter_mut().zip(&input[ri * cols..ri * cols + cols]) {
            *s += *v;
        }
        cur += 1.0;
        ri += 1;
    }
    for _ in 0..phase2 {
        for (s, v) in sum.iter_mut().zip(&input[ri * cols..ri * cols + cols]) {
            *s += *v;
        }
        cur += 1.0;
        for (o, s) in output[oi * cols..oi * cols + cols].iter_mut().zip(&sum) {
            *o = *s / cur;
        }
        ri += 1;
        oi += 1;
    }
    for _ in 0..phase3 {
        let r = &input[ri * cols..ri * cols + cols];
        let l = &input[li * cols..li * cols + cols];
        for ((s, a), b) in sum.iter_mut().zip(r).zip(l) {
            *s += *a;
            *s -= *b;
        }
        for (o, s) in output[oi * cols..oi * cols + cols].iter_mut().zip(&sum) {
            *o = *s / cur;
        }
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..phase4 {
        for (s, v) in sum.iter_mut().zip(&input[li * cols..li * cols + cols]) {
            *s -= *v;
        }
        cur -= 1.0;
        for (o, s) in output[oi * cols..oi * cols + cols].iter_mut().zip(&sum) {
            *o = *s / cur;
        }
        li += 1;
        oi += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_cols(input: &[f32], rows: usize, cols: usize, win: usize) -> Vec<f32> {
        let mut out = vec![0f32; rows * cols];
        for j in 0..cols {
            box_1d(input, &mut out, j, rows, cols, win);
        }
        out
    }

    #[test]
    fn column_pass_is_bit_identical_to_strided_reference() {
        let (rows, cols) = (37, 23);
        let input: Vec<f32> = (0..rows * cols)
            .map(|i| ((i * 7919) % 255) as f32 * 0.731)
            .collect();
        for win in 1..8 {
            let mut out = vec![0f32; rows * cols];
            box_along_cols(&input, &mut out, rows, cols, win);
            assert_eq!(out, reference_cols(&input, rows, cols, win), "window {win}");
        }
    }

    #[test]
    fn tiny_images_hash_to_zero() {
        let mut h = PdqHasher::new();
        let mut buf = vec![10f32; 16];
        let r = h.hash_luma(&mut buf, 4, 4);
        assert_eq!(r.quality, 0);
        assert_eq!(r.hash, Hash256::default());
    }

    #[test]
    fn flat_image_has_zero_quality() {
        let mut h = PdqHasher::new();
        let mut buf = vec![128f32; 100 * 80];
        assert_eq!(h.hash_luma(&mut buf, 100, 80).quality, 0);
    }

    #[test]
    fn median_of_known_values() {
        let mut m = [0f32; 256];
        for (i, v) in m.iter_mut().enumerate() {
            *v = (255 - i) as f32;
        }
        assert_eq!(torben_median(&m), 127.0);
    }
}
