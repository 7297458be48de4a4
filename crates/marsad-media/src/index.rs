//! Exact Hamming search over PDQ hashes: multi-index hashing over 16 chunks of 16 bits,
//! with a pair filter.
//!
//! Pigeonhole, twice: the 256 bits are 8 pairs of 16-bit chunks. If two hashes differ in at
//! most `t` bits, some pair differs in at most `s = t / 8` bits (8 * (s + 1) > t), and if
//! `s <= 3` one chunk of that pair differs in at most one bit. So a query probes, in each of
//! the 16 chunk tables, its chunk value and its 16 one-bit neighbours (272 buckets), keeps
//! the entries whose *partner* chunk (stored inline, 2 bytes) brings the pair's distance to
//! at most `s`, and verifies only those with a full popcount over `[u64; 4]`. At `t = 31`
//! that is `s = 3`. Nothing is approximate: the result is exactly what brute force returns
//! (property-tested). Thresholds above 31 (`s > 3`) fall back to brute force.
//!
//! Layout: all hashes in one `Vec<[u64; 4]>` (id = position); for each chunk a bucket-offset
//! array (65,537 `u32`), the ids sorted by that chunk's value (`u32`) and their partner chunk
//! (`u16`): 32 + 16 x 6 = 128 bytes per hash. Built by counting sort. Hashes added after
//! the last build live in a small tail searched by brute force; [`HashIndex::compact`] folds
//! them in. On disk ([`HashIndex::save`]) the arrays are written back to back and read
//! sequentially at load (no rebuild).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use crate::error::{MediaError, Result};
use crate::hash::{hamming, Hash256};

const CHUNKS: usize = 16;
const BUCKETS: usize = 1 << 16;
const MAGIC: &[u8; 8] = b"MRSDMIH1";

/// One search hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub distance: u32,
    pub id: u32,
}

/// The multi-index.
#[derive(Debug, Clone, Default)]
pub struct HashIndex {
    hashes: Vec<[u64; 4]>,
    /// Number of hashes covered by the chunk tables (the rest is the brute-forced tail).
    built: usize,
    /// `CHUNKS * (BUCKETS + 1)` offsets into each table.
    offsets: Vec<u32>,
    /// `CHUNKS * built` ids; table `c` is `ids[c * built..(c + 1) * built]`.
    ids: Vec<u32>,
    /// The partner chunk (`c ^ 1`) of each entry of `ids`.
    partners: Vec<u16>,
}

#[inline(always)]
fn chunk(h: &[u64; 4], c: usize) -> usize {
    ((h[c / 4] >> (48 - 16 * (c % 4))) & 0xffff) as usize
}

impl HashIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Build from hashes (ids are their positions).
    pub fn from_hashes(hashes: Vec<Hash256>) -> Self {
        let mut ix = HashIndex {
            hashes: hashes.into_iter().map(|h| h.0).collect(),
            ..Default::default()
        };
        ix.compact();
        ix
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// The hash with this id.
    pub fn get(&self, id: u32) -> Option<Hash256> {
        self.hashes.get(id as usize).map(|h| Hash256(*h))
    }

    /// Add a hash; returns its id. Searchable at once (tail); the tables are rebuilt when the
    /// tail grows past 1/8 of the indexed hashes (and at least 4,096), so adds are amortised
    /// O(1) and queries never scan a large tail.
    pub fn add(&mut self, h: Hash256) -> u32 {
        let id = self.hashes.len() as u32;
        self.hashes.push(h.0);
        let tail = self.hashes.len() - self.built;
        if tail > 4096 && tail > self.built / 8 {
            self.compact();
        }
        id
    }

    /// Rebuild the chunk tables over every hash (counting sort per chunk).
    pub fn compact(&mut self) {
        let n = self.hashes.len();
        self.hashes.shrink_to_fit();
        self.offsets = vec![0u32; CHUNKS * (BUCKETS + 1)];
        self.ids = vec![0u32; CHUNKS * n];
        self.partners = vec![0u16; CHUNKS * n];
        for c in 0..CHUNKS {
            let off = &mut self.offsets[c * (BUCKETS + 1)..(c + 1) * (BUCKETS + 1)];
            for h in &self.hashes {
                off[chunk(h, c) + 1] += 1;
            }
            for b in 0..BUCKETS {
                off[b + 1] += off[b];
            }
            let mut next: Vec<u32> = off[..BUCKETS].to_vec();
            let table = &mut self.ids[c * n..(c + 1) * n];
            let partners = &mut self.partners[c * n..(c + 1) * n];
            for (id, h) in self.hashes.iter().enumerate() {
                let k = chunk(h, c);
                table[next[k] as usize] = id as u32;
                partners[next[k] as usize] = chunk(h, c ^ 1) as u16;
                next[k] += 1;
            }
        }
        self.built = n;
    }

    /// Bytes of memory held per hash (hashes + tables + offsets), for the benchmark.
    pub fn bytes_per_hash(&self) -> f64 {
        let bytes = self.hashes.capacity() * 32
            + self.ids.capacity() * 4
            + self.partners.capacity() * 2
            + self.offsets.capacity() * 4;
        bytes as f64 / self.hashes.len().max(1) as f64
    }

    /// Every hash within `max_distance` of `q`, sorted by (distance, id).
    pub fn search(&self, q: &Hash256, max_distance: u32) -> Vec<Hit> {
        let mut out = Vec::new();
        self.search_into(q, max_distance, &mut out);
        out
    }

    /// [`HashIndex::search`] into a reused vector (cleared first).
    pub fn search_into(&self, q: &Hash256, max_distance: u32, out: &mut Vec<Hit>) {
        out.clear();
        let q = &q.0;
        let pair_max = max_distance / (CHUNKS as u32 / 2);
        if pair_max > 3 || self.built == 0 {
            self.brute_range(q, max_distance, 0, self.hashes.len(), out);
        } else {
            let n = self.built;
            for c in 0..CHUNKS {
                let off = &self.offsets[c * (BUCKETS + 1)..(c + 1) * (BUCKETS + 1)];
                let table = &self.ids[c * n..(c + 1) * n];
                let partners = &self.partners[c * n..(c + 1) * n];
                let key = chunk(q, c);
                let qp = chunk(q, c ^ 1) as u16;
                let mut probe = |k: usize, dk: u32| {
                    let (a, b) = (off[k] as usize, off[k + 1] as usize);
                    for (&id, &p) in table[a..b].iter().zip(&partners[a..b]) {
                        if dk + (p ^ qp).count_ones() <= pair_max {
                            let d = hamming(q, &self.hashes[id as usize]);
                            if d <= max_distance {
                                out.push(Hit { distance: d, id });
                            }
                        }
                    }
                };
                probe(key, 0);
                if pair_max >= 2 {
                    // A pair within `pair_max <= 3` has a chunk within 1; with `pair_max <= 1`
                    // both chunks of the pair are probed exactly anyway.
                    for bit in 0..16 {
                        probe(key ^ (1 << bit), 1);
                    }
                }
            }
            self.brute_range(q, max_distance, self.built, self.hashes.len(), out);
        }
        out.sort_unstable();
        out.dedup();
    }

    fn brute_range(&self, q: &[u64; 4], t: u32, from: usize, to: usize, out: &mut Vec<Hit>) {
        for (i, h) in self.hashes[from..to].iter().enumerate() {
            let d = hamming(q, h);
            if d <= t {
                out.push(Hit {
                    distance: d,
                    id: (from + i) as u32,
                });
            }
        }
    }

    /// Brute force over every hash: the verifier the index is tested against.
    pub fn brute_force(&self, q: &Hash256, max_distance: u32) -> Vec<Hit> {
        let mut out = Vec::new();
        self.brute_range(&q.0, max_distance, 0, self.hashes.len(), &mut out);
        out.sort_unstable();
        out
    }

    /// Write the index (compacted first): magic, count, hashes, offsets, ids, little-endian.
    pub fn save(&mut self, path: &Path) -> Result<()> {
        if self.built != self.hashes.len() {
            self.compact();
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| MediaError::io(dir, e))?;
        {
            let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
            let io = |e| MediaError::io(path, e);
            w.write_all(MAGIC).map_err(io)?;
            w.write_all(&(self.hashes.len() as u64).to_le_bytes())
                .map_err(io)?;
            for h in &self.hashes {
                for word in h {
                    w.write_all(&word.to_le_bytes()).map_err(io)?;
                }
            }
            for v in self.offsets.iter().chain(self.ids.iter()) {
                w.write_all(&v.to_le_bytes()).map_err(io)?;
            }
            for v in &self.partners {
                w.write_all(&v.to_le_bytes()).map_err(io)?;
            }
            w.flush().map_err(io)?;
        }
        tmp.persist(path)
            .map_err(|e| MediaError::io(path, e.error))?;
        Ok(())
    }

    /// Read an index written by [`HashIndex::save`]; the file is read sequentially once.
    pub fn load(path: &Path) -> Result<Self> {
        let f = File::open(path).map_err(|e| MediaError::io(path, e))?;
        let file_len = f.metadata().map_err(|e| MediaError::io(path, e))?.len();
        let mut r = BufReader::with_capacity(1 << 20, f);
        let bad = |reason: &str| MediaError::Format {
            path: path.to_path_buf(),
            reason: format!("not a Marsad match index: {reason}"),
        };
        let mut head = [0u8; 16];
        r.read_exact(&mut head).map_err(|_| bad("too short"))?;
        if &head[..8] != MAGIC {
            return Err(bad("wrong magic"));
        }
        let mut nb = [0u8; 8];
        nb.copy_from_slice(&head[8..]);
        let n = u64::from_le_bytes(nb);
        let expect = 16
            + n * 32
            + (CHUNKS as u64 * (BUCKETS as u64 + 1) + CHUNKS as u64 * n) * 4
            + CHUNKS as u64 * n * 2;
        if n > u64::from(u32::MAX) || expect != file_len {
            return Err(bad(&format!(
                "{n} hashes need {expect} bytes, file has {file_len}"
            )));
        }
        let n = n as usize;
        let mut buf = vec![0u8; 1 << 20];
        let mut hashes: Vec<[u64; 4]> = Vec::with_capacity(n);
        let mut remaining = n * 32;
        while remaining > 0 {
            let len = remaining.min(buf.len());
            r.read_exact(&mut buf[..len])
                .map_err(|e| MediaError::io(path, e))?;
            for c in buf[..len].chunks_exact(32) {
                let mut h = [0u64; 4];
                for (k, w) in h.iter_mut().enumerate() {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&c[k * 8..k * 8 + 8]);
                    *w = u64::from_le_bytes(b);
                }
                hashes.push(h);
            }
            remaining -= len;
        }
        let read_u32s =
            |r: &mut BufReader<File>, count: usize, buf: &mut [u8]| -> Result<Vec<u32>> {
                let mut v = Vec::with_capacity(count);
                let mut remaining = count * 4;
                while remaining > 0 {
                    let len = remaining.min(buf.len());
                    r.read_exact(&mut buf[..len])
                        .map_err(|e| MediaError::io(path, e))?;
                    v.extend(
                        buf[..len]
                            .chunks_exact(4)
                            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
                    );
                    remaining -= len;
                }
                Ok(v)
            };
        let offsets = read_u32s(&mut r, CHUNKS * (BUCKETS + 1), &mut buf)?;
        let ids = read_u32s(&mut r, CHUNKS * n, &mut buf)?;
        let mut partners = Vec::with_capacity(CHUNKS * n);
        let mut remaining = CHUNKS * n * 2;
        while remaining > 0 {
            let len = remaining.min(buf.len());
            r.read_exact(&mut buf[..len])
                .map_err(|e| MediaError::io(path, e))?;
            partners.extend(
                buf[..len]
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]])),
            );
            remaining -= len;
        }
        // Structural check so a corrupt file cannot cause out-of-range reads.
        for c in 0..CHUNKS {
            let off = &offsets[c * (BUCKETS + 1)..(c + 1) * (BUCKETS + 1)];
            if off[0] != 0 || off[BUCKETS] as usize != n || off.windows(2).any(|w| w[0] > w[1]) {
                return Err(bad("corrupt bucket offsets"));
            }
        }
        if ids.iter().any(|&id| id as usize >= n) {
            return Err(bad("id out of range"));
        }
        Ok(HashIndex {
            hashes,
            built: n,
            offsets,
            ids,
            partners,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(words: [u64; 4]) -> Hash256 {
        Hash256(words)
    }

    #[test]
    fn finds_exact_and_near_and_tail() {
        let mut ix = HashIndex::from_hashes(vec![h([1, 2, 3, 4]), h([u64::MAX; 4])]);
        let q = h([1, 2, 3, 4 ^ 0b111]);
        assert_eq!(ix.search(&q, 31), vec![Hit { distance: 3, id: 0 }]);
        let id = ix.add(h([1, 2, 3, 5]));
        assert_eq!(id, 2);
        let hits = ix.search(&q, 31);
        assert_eq!(hits.len(), 2);
        assert_eq!(hits, ix.brute_force(&q, 31));
        assert!(ix.search(&q, 1).is_empty());
    }

    #[test]
    fn save_and_load_round_trip_and_reject_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ix.mih");
        let mut ix =
            HashIndex::from_hashes((0..100u64).map(|i| h([i, i * 7, !i, i << 3])).collect());
        ix.add(h([9, 9, 9, 9]));
        ix.save(&p).unwrap();
        let back = HashIndex::load(&p).unwrap();
        assert_eq!(back.len(), 101);
        let q = h([9, 9, 9, 8]);
        assert_eq!(back.search(&q, 31), ix.brute_force(&q, 31));
        std::fs::write(&p, b"garbage").unwrap();
        assert!(matches!(
            HashIndex::load(&p),
            Err(MediaError::Format { .. })
        ));
    }
}
