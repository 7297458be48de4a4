//! The 256-bit PDQ hash value: hex form, bit layout, Hamming distance.

use std::fmt;
use std::str::FromStr;

/// A 256-bit PDQ hash.
///
/// Stored as four `u64` words in the order of Meta's hex form: `words[0]` holds the first 16
/// hex digits. The hex form is the one every PDQ implementation prints (64 lowercase digits,
/// the 16-bit word for DCT row 15 first).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash256(pub [u64; 4]);

/// Why a string is not a PDQ hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseHashError {
    #[error("a PDQ hash has 64 hex digits, found {0} characters")]
    Length(usize),
    #[error("not a hex digit in PDQ hash at position {0}")]
    Digit(usize),
}

impl Hash256 {
    /// Number of bits that differ.
    #[inline]
    pub fn distance(&self, other: &Hash256) -> u32 {
        hamming(&self.0, &other.0)
    }

    /// Sets bit `k` in Meta's numbering (`k = 16 * row + column` of the 16x16 DCT block; bit
    /// `k` is bit `k % 16` of 16-bit word `k / 16`, and word 15 is printed first).
    #[inline]
    pub fn set_bit(&mut self, k: usize) {
        // Word w (0..16) occupies hex digits [(15-w)*4, (15-w)*4+4): u64 index (15-w)/4,
        // shift 16 * (3 - (15-w)%4) within that u64.
        let w = k / 16;
        let pos = 15 - w;
        let shift = 16 * (3 - (pos % 4)) + (k % 16);
        self.0[pos / 4] |= 1u64 << shift;
    }

    /// Bit `k` in Meta's numbering (see [`Hash256::set_bit`]).
    #[inline]
    pub fn bit(&self, k: usize) -> bool {
        let w = k / 16;
        let pos = 15 - w;
        let shift = 16 * (3 - (pos % 4)) + (k % 16);
        (self.0[pos / 4] >> shift) & 1 == 1
    }

    /// The 32 bytes in hex order.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, w) in self.0.iter().enumerate() {
            out[i * 8..i * 8 + 8].copy_from_slice(&w.to_be_bytes());
        }
        out
    }

    /// From 32 bytes in hex order.
    pub fn from_bytes(b: &[u8; 32]) -> Self {
        let mut words = [0u64; 4];
        for (i, w) in words.iter_mut().enumerate() {
            let mut chunk = [0u8; 8];
            chunk.copy_from_slice(&b[i * 8..i * 8 + 8]);
            *w = u64::from_be_bytes(chunk);
        }
        Hash256(words)
    }

    /// 16-bit chunk `i` (0..16) in hex order (chunk 0 = the first four hex digits).
    #[inline]
    pub fn chunk16(&self, i: usize) -> u16 {
        (self.0[i / 4] >> (48 - 16 * (i % 4))) as u16
    }
}

/// Hamming distance of two hashes as `[u64; 4]` (the verifier used everywhere).
#[inline(always)]
pub fn hamming(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] ^ b[0]).count_ones()
        + (a[1] ^ b[1]).count_ones()
        + (a[2] ^ b[2]).count_ones()
        + (a[3] ^ b[3]).count_ones()
}

impl fmt::Display for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for w in &self.0 {
            write!(f, "{w:016x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash256({self})")
    }
}

impl FromStr for Hash256 {
    type Err = ParseHashError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.len() != 64 {
            return Err(ParseHashError::Length(s.len()));
        }
        let mut words = [0u64; 4];
        for (i, w) in words.iter_mut().enumerate() {
            let part = s
                .get(i * 16..i * 16 + 16)
                .ok_or(ParseHashError::Digit(i * 16))?;
            if let Some(p) = part.bytes().position(|c| !c.is_ascii_hexdigit()) {
                return Err(ParseHashError::Digit(i * 16 + p));
            }
            *w = u64::from_str_radix(part, 16).map_err(|_| ParseHashError::Digit(i * 16))?;
        }
        Ok(Hash256(words))
    }
}

impl serde::Serialize for Hash256 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Hash256 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_bits() {
        let s = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22";
        let h: Hash256 = s.parse().unwrap();
        assert_eq!(h.to_string(), s);
        assert_eq!(Hash256::from_bytes(&h.to_bytes()), h);
        assert_eq!(h.chunk16(0), 0xf8f8);
        assert_eq!(h.chunk16(15), 0x9b22);
        // Bit 0 is the lowest bit of the last word (0x9b22 is even).
        assert!(!h.bit(0));
        assert!(h.bit(1));
        assert!(h.bit(255)); // top bit of 0xf8f8
        let mut z = Hash256::default();
        z.set_bit(255);
        assert_eq!(z.to_string(), format!("8{}", "0".repeat(63)));
        z.set_bit(0);
        assert_eq!(z.distance(&Hash256::default()), 2);
        assert!("xyz".parse::<Hash256>().is_err());
        assert_eq!(
            "g".repeat(64).parse::<Hash256>(),
            Err(ParseHashError::Digit(0))
        );
    }
}
