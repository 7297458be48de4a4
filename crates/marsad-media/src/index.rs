//! Exact Hamming search over PDQ hashes: multi-index hashing over 8 keys of 32 bits, with a
//! directory on each key's top bits and a one-byte fingerprint of the next 8 bits.
//!
//! **Pigeonhole.** The 256 bits are 8 "pairs" of 32 bits (pair `k` is bits `32k..32k+32`).
//! If two hashes differ in at most `t` bits, some pair differs in at most `s = t / 8` bits
//! (otherwise the 8 pairs would differ in at least `8 (s + 1) > t` bits). At `t = 31` that is
//! `s = 3`. So for each pair the index lists every hash by that pair's value, and a query
//! visits, in each of the 8 tables, every entry whose pair is within `s` of the query's pair.
//!
//! **Table.** Entries are ordered by the top `b` bits of the pair (the *prefix*; `b` is 19
//! at 10 M hashes, chosen from the size), with a directory of `2^b + 1` `u32` offsets. Each
//! entry keeps an 8-bit fingerprint: the pair's next 8 bits. A query enumerates the prefixes
//! within `s` of its own (`1 + b + C(b,2) + C(b,3)`: 1,160 per table at `b = 19`), and in each
//! such bucket keeps the entries with `d(prefix) + d(fingerprint) <= s` (a lower bound of the
//! pair's distance), scanning the fingerprints eight at a time with a SWAR popcount. Only
//! those candidates are verified with a full popcount over `[u64; 4]`. Nothing is
//! approximate: a hash within `t` has some pair within `s`, so it is a candidate in that
//! pair's table, and every candidate is verified, so the result is exactly what brute force
//! returns (property-tested, also for duplicates, skewed buckets and every `b`). Thresholds
//! above 31 (`s > 3`) fall back to brute force.
//!
//! **Layout, bytes per hash** (`n` hashes; everything the index holds in RAM):
//! - the hashes, 32 B, *sorted by table 0's prefix*: they are table 0 itself, so a hash's id
//!   is its position in that order and table 0 needs no id array;
//! - 8 fingerprint arrays, 8 × 1 B;
//! - 7 id arrays (tables 1-7), 7 × 3 B with 24-bit ids while `n <= 2^24`, 7 × 4 B beyond
//!   (the width is chosen at build time; ids never wrap);
//! - 8 directories, `8 × (2^b + 1) × 4` B: 1.68 B per hash at 10 M with `b = 19`,
//!   at most 2 B per hash for any `n >= 256` (`b <= log2(n) - 4`).
//!
//! That is 61 B + directories (62.7 B at 10 M), against 128 B for the previous layout (16
//! tables of `u32` id + `u16` partner chunk).
//!
//! **Search order.** For each table the search runs in stages (bucket bounds for every
//! probe; a branch-free pass touching each bucket; the fingerprint scan; the ids; the
//! verification), so that the random reads of a stage are independent and their cache misses
//! overlap instead of forming one dependent chain per entry.
//!
//! **Ids.** Because the hash array is sorted, ids are assigned by the build:
//! [`HashIndex::build`] and [`HashIndex::compact`] return the old → new id map, and callers
//! that keep data per id (the bank's row offsets) store it in index order. Hashes added after
//! the last build ([`HashIndex::add`]) get the next ids and live in a tail searched by brute
//! force until the caller compacts ([`HashIndex::should_compact`] says when the tail is worth
//! folding in). On disk ([`HashIndex::save`]) the arrays are written back to back and read
//! sequentially at load (no rebuild).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use crate::error::{MediaError, Result};
use crate::hash::{hamming, Hash256};

/// Number of 32-bit keys (pairs) and so of tables.
const TABLES: usize = 8;
/// Largest directory: the prefix plus the 8-bit fingerprint must fit in 32 bits.
pub const MAX_DIR_BITS: u32 = 24;
const MAGIC: &[u8; 8] = b"MRSDMIH2";
/// Magic of the first format (16 tables of id + partner chunk); recognised to say so.
const MAGIC_V1: &[u8; 8] = b"MRSDMIH1";
const HEADER: u64 = 24;

/// One search hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub distance: u32,
    pub id: u32,
}

/// The multi-index.
#[derive(Debug, Clone)]
pub struct HashIndex {
    /// `[0, built)` sorted by table 0's prefix (stable); `[built, len)` the tail, in add order.
    hashes: Vec<[u64; 4]>,
    /// Number of hashes covered by the tables.
    built: usize,
    /// Prefix bits `b` of the directories.
    dir_bits: u32,
    /// `TABLES * (2^b + 1)` offsets; table `k`'s are `dirs[k * (2^b + 1)..]`.
    dirs: Vec<u32>,
    /// `TABLES * built` fingerprints; table `k`'s are `fps[k * built..(k + 1) * built]`.
    fps: Vec<u8>,
    /// `(TABLES - 1) * built` ids of `id_width` bytes (little-endian) for tables 1-7, then
    /// 3 zero bytes so that every id can be read as 4 bytes.
    ids: Vec<u8>,
    /// 3 or 4.
    id_width: usize,
}

/// Pair `k` (0-7) of a hash: bits `32k..32k+32`, most significant first.
#[inline(always)]
fn pair(h: &[u64; 4], k: usize) -> u32 {
    (h[k / 2] >> (32 - 32 * (k % 2))) as u32
}

#[inline(always)]
fn prefix(p: u32, b: u32) -> usize {
    (u64::from(p) >> (32 - b)) as usize
}

#[inline(always)]
fn fingerprint(p: u32, b: u32) -> u8 {
    (p >> (24 - b)) as u8
}

/// Directory bits for `n` hashes: 16-32 entries per bucket (so the directories take at
/// most 2 bytes per hash), between 4 and 20 bits; 19 at 10 M hashes.
fn default_dir_bits(n: usize) -> u32 {
    n.max(1).ilog2().saturating_sub(4).clamp(4, 20)
}

fn id_width(n: usize) -> usize {
    if n <= 1 << 24 {
        3
    } else {
        4
    }
}

/// The masks of at most `s` bits among the low `b`, with their bit counts: the prefixes a
/// query visits are its own XOR each mask (`1 + b + C(b,2) + C(b,3)` of them for `s = 3`).
fn probe_masks(b: u32, s: u32) -> Vec<(u32, u32)> {
    let mut v = vec![(0, 0)];
    for i in 0..b {
        let m1 = 1u32 << i;
        if s >= 1 {
            v.push((m1, 1));
        }
        for j in i + 1..b {
            let m2 = m1 | 1 << j;
            if s >= 2 {
                v.push((m2, 2));
            }
            for l in j + 1..b {
                if s >= 3 {
                    v.push((m2 | 1 << l, 3));
                }
            }
        }
    }
    v
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Calls `f(j)` for every `j` with `popcount(fps[j] ^ q) <= r`, eight bytes at a time.
#[inline(always)]
fn scan(fps: &[u8], q: u8, r: u32, mut f: impl FnMut(usize)) {
    let qq = u64::from(q) * LO;
    // A byte count c (0..=8) is <= r iff c + (127 - r) has its top bit clear; no carries
    // cross bytes since 8 + 127 < 256.
    let bias = u64::from(127 - r) * LO;
    let mut words = fps.chunks_exact(8);
    let mut base = 0;
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        let x = u64::from_le_bytes(b) ^ qq;
        let x = x - ((x >> 1) & 0x5555_5555_5555_5555);
        let x = (x & 0x3333_3333_3333_3333) + ((x >> 2) & 0x3333_3333_3333_3333);
        let counts = (x + (x >> 4)) & 0x0f0f_0f0f_0f0f_0f0f;
        let mut m = !(counts + bias) & HI;
        while m != 0 {
            f(base + (m.trailing_zeros() / 8) as usize);
            m &= m - 1;
        }
        base += 8;
    }
    for (j, &v) in words.remainder().iter().enumerate() {
        if (v ^ q).count_ones() <= r {
            f(base + j);
        }
    }
}

impl Default for HashIndex {
    /// An empty, built index (so that it can be saved and loaded like any other).
    fn default() -> Self {
        let b = default_dir_bits(0);
        HashIndex {
            hashes: Vec::new(),
            built: 0,
            dir_bits: b,
            dirs: vec![0; TABLES * ((1 << b) + 1)],
            fps: Vec::new(),
            ids: vec![0; 3],
            id_width: id_width(0),
        }
    }
}

impl HashIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Build from hashes. Returns the index and, for each input position, the id the hash
    /// got (ids follow the index's own order, see the module doc).
    pub fn build(hashes: Vec<Hash256>) -> Result<(Self, Vec<u32>)> {
        let b = default_dir_bits(hashes.len());
        Self::build_with_dir_bits(hashes, b)
    }

    /// [`HashIndex::build`] with `b` directory bits (clamped to 1..=[`MAX_DIR_BITS`]); for
    /// tests and tuning. Later compactions choose `b` from the size again.
    pub fn build_with_dir_bits(hashes: Vec<Hash256>, b: u32) -> Result<(Self, Vec<u32>)> {
        let mut ix = HashIndex {
            hashes: hashes.into_iter().map(|h| h.0).collect(),
            ..Default::default()
        };
        // `rebuild` replaces every derived array.
        let map = ix.rebuild(b.clamp(1, MAX_DIR_BITS))?;
        Ok((ix, map))
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Hashes added since the last build, searched by brute force.
    pub fn tail_len(&self) -> usize {
        self.hashes.len() - self.built
    }

    /// Directory bits of the current build.
    pub fn dir_bits(&self) -> u32 {
        self.dir_bits
    }

    /// The hash with this id.
    pub fn get(&self, id: u32) -> Option<Hash256> {
        self.hashes.get(id as usize).map(|h| Hash256(*h))
    }

    /// Add a hash; returns its id (the next one), valid until the next [`HashIndex::compact`].
    /// Searchable at once, in the brute-forced tail.
    pub fn add(&mut self, h: Hash256) -> Result<u32> {
        let id = u32::try_from(self.hashes.len())
            .map_err(|_| MediaError::IndexFull(self.hashes.len() + 1))?;
        self.hashes.push(h.0);
        Ok(id)
    }

    /// Whether the tail is big enough (over 4,096 hashes and 1/8 of the indexed ones) that
    /// compacting pays: adds then stay amortised O(1) and queries never scan a large tail.
    pub fn should_compact(&self) -> bool {
        let tail = self.tail_len();
        tail > 4096 && tail > self.built / 8
    }

    /// Rebuild the tables over every hash, tail included. Returns the old → new id map (one
    /// entry per hash): ids change because the hash array is kept in table 0's order.
    pub fn compact(&mut self) -> Result<Vec<u32>> {
        let b = default_dir_bits(self.hashes.len());
        self.rebuild(b)
    }

    fn rebuild(&mut self, b: u32) -> Result<Vec<u32>> {
        let n = self.hashes.len();
        if u32::try_from(n).is_err() {
            return Err(MediaError::IndexFull(n));
        }
        let nb = 1usize << b;
        let mut dirs = vec![0u32; TABLES * (nb + 1)];
        // Counts and exclusive starts of table `k`'s buckets, over `hashes`.
        let count = |dir: &mut [u32], hashes: &[[u64; 4]], k: usize| -> Vec<u32> {
            for h in hashes {
                dir[prefix(pair(h, k), b) + 1] += 1;
            }
            for i in 0..nb {
                dir[i + 1] += dir[i];
            }
            dir[..nb].to_vec()
        };
        // Table 0: the hashes themselves, counting-sorted (stably) by prefix.
        let mut next = count(&mut dirs[..nb + 1], &self.hashes, 0);
        let mut new_of_old = Vec::with_capacity(n);
        for h in &self.hashes {
            let p = prefix(pair(h, 0), b);
            new_of_old.push(next[p]);
            next[p] += 1;
        }
        let mut sorted = vec![[0u64; 4]; n];
        for (h, &new) in self.hashes.iter().zip(&new_of_old) {
            sorted[new as usize] = *h;
        }
        self.hashes = sorted;
        let hashes = &self.hashes;
        let mut fps = vec![0u8; TABLES * n];
        for (f, h) in fps[..n].iter_mut().zip(hashes) {
            *f = fingerprint(pair(h, 0), b);
        }
        let w = id_width(n);
        let mut ids = vec![0u8; (TABLES - 1) * n * w + 3];
        for k in 1..TABLES {
            let mut next = count(&mut dirs[k * (nb + 1)..(k + 1) * (nb + 1)], hashes, k);
            let fps = &mut fps[k * n..(k + 1) * n];
            let ids = &mut ids[(k - 1) * n * w..k * n * w];
            for (id, h) in hashes.iter().enumerate() {
                let p = pair(h, k);
                let slot = &mut next[prefix(p, b)];
                let pos = *slot as usize;
                *slot += 1;
                fps[pos] = fingerprint(p, b);
                ids[pos * w..(pos + 1) * w].copy_from_slice(&(id as u32).to_le_bytes()[..w]);
            }
        }
        self.dirs = dirs;
        self.fps = fps;
        self.ids = ids;
        self.id_width = w;
        self.dir_bits = b;
        self.built = n;
        Ok(new_of_old)
    }

    /// Bytes of memory the index holds (hashes, directories, fingerprints, ids, tail), from
    /// the allocated capacities.
    pub fn ram_bytes(&self) -> usize {
        self.hashes.capacity() * 32
            + self.dirs.capacity() * 4
            + self.fps.capacity()
            + self.ids.capacity()
    }

    /// [`HashIndex::ram_bytes`] per hash, for the benchmark.
    pub fn bytes_per_hash(&self) -> f64 {
        self.ram_bytes() as f64 / self.hashes.len().max(1) as f64
    }

    /// Every hash within `max_distance` of `q`, sorted by (distance, id).
    pub fn search(&self, q: &Hash256, max_distance: u32) -> Vec<Hit> {
        let mut out = Vec::new();
        self.search_into(q, max_distance, &mut out);
        out
    }

    #[inline(always)]
    fn id_at(&self, k: usize, pos: usize) -> usize {
        let w = self.id_width;
        let i = ((k - 1) * self.built + pos) * w;
        let mut b = [0u8; 4];
        b.copy_from_slice(&self.ids[i..i + 4]);
        let v = u32::from_le_bytes(b);
        if w == 3 {
            (v & 0x00ff_ffff) as usize
        } else {
            v as usize
        }
    }

    /// [`HashIndex::search`] into a reused vector (cleared first).
    pub fn search_into(&self, q: &Hash256, max_distance: u32, out: &mut Vec<Hit>) {
        out.clear();
        let q = &q.0;
        let t = max_distance;
        let s = t / TABLES as u32;
        if s > 3 || self.built == 0 {
            self.brute_range(q, t, 0, self.hashes.len(), out);
        } else {
            let (n, b) = (self.built, self.dir_bits);
            let nb = 1usize << b;
            let probes = probe_masks(b, s);
            // Each stage runs over a whole table before the next, so that its loads (bucket
            // bounds, fingerprints, ids, hashes: random reads into arrays far larger than the
            // caches) are independent and overlap, instead of one dependent chain per entry.
            let mut ranges: Vec<(u32, u32, u32)> = Vec::with_capacity(probes.len());
            let mut cands: Vec<u32> = Vec::with_capacity(1024);
            for k in 0..TABLES {
                let dir = &self.dirs[k * (nb + 1)..(k + 1) * (nb + 1)];
                let fps = &self.fps[k * n..(k + 1) * n];
                let qp = pair(q, k);
                let (key, qfp) = (prefix(qp, b), fingerprint(qp, b));
                // Every prefix within `s` of the query's, with the fingerprint budget left:
                // `d(prefix) + d(fingerprint) <= s`.
                ranges.clear();
                ranges.extend(probes.iter().map(|&(m, dp)| {
                    let p = key ^ m as usize;
                    (dir[p], dir[p + 1], s - dp)
                }));
                // Touch each bucket's first and last fingerprint: a branch-free loop of
                // independent loads, so the cache misses overlap; the scan below, whose
                // branches depend on the data, then reads from cache.
                let mut touch = 0u8;
                for &(lo, hi, _) in &ranges {
                    let (lo, hi) = (lo as usize, hi as usize);
                    if lo < hi {
                        touch ^= fps[lo] ^ fps[hi - 1];
                    }
                }
                std::hint::black_box(touch);
                cands.clear();
                for &(lo, hi, r) in &ranges {
                    scan(&fps[lo as usize..hi as usize], qfp, r, |j| {
                        cands.push(lo + j as u32);
                    });
                }
                if k > 0 {
                    for c in cands.iter_mut() {
                        *c = self.id_at(k, *c as usize) as u32;
                    }
                }
                for &id in &cands {
                    let h = &self.hashes[id as usize];
                    // The pair's own distance first (one popcount), then the whole hash.
                    if (pair(h, k) ^ qp).count_ones() <= s {
                        let d = hamming(q, h);
                        if d <= t {
                            out.push(Hit { distance: d, id });
                        }
                    }
                }
            }
            self.brute_range(q, t, self.built, self.hashes.len(), out);
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

    /// Write the index, little-endian: magic, count, directory bits, id width, then the
    /// hashes, directories, fingerprints and ids. The index must be compacted (no tail):
    /// ids are fixed by the build, so saving does not renumber behind the caller's back.
    pub fn save(&self, path: &Path) -> Result<()> {
        if self.tail_len() != 0 {
            return Err(MediaError::Format {
                path: path.to_path_buf(),
                reason: format!(
                    "match index has {} hashes added since the last build; compact before saving",
                    self.tail_len()
                ),
            });
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| MediaError::io(dir, e))?;
        {
            let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
            let io = |e| MediaError::io(path, e);
            w.write_all(MAGIC).map_err(io)?;
            w.write_all(&(self.hashes.len() as u64).to_le_bytes())
                .map_err(io)?;
            w.write_all(&self.dir_bits.to_le_bytes()).map_err(io)?;
            w.write_all(&(self.id_width as u32).to_le_bytes())
                .map_err(io)?;
            for h in &self.hashes {
                for word in h {
                    w.write_all(&word.to_le_bytes()).map_err(io)?;
                }
            }
            for v in &self.dirs {
                w.write_all(&v.to_le_bytes()).map_err(io)?;
            }
            w.write_all(&self.fps).map_err(io)?;
            let id_bytes = (TABLES - 1) * self.built * self.id_width;
            w.write_all(&self.ids[..id_bytes]).map_err(io)?;
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
            reason: format!("not a usable Marsad match index: {reason}"),
        };
        let mut head = [0u8; HEADER as usize];
        let got = read_full(&mut r, &mut head).map_err(|e| MediaError::io(path, e))?;
        if got >= 8 && &head[..8] == MAGIC_V1 {
            return Err(bad(
                "written in format 1 (128 bytes per hash) by an older Marsad; rebuild it",
            ));
        }
        if got < 8 || &head[..8] != MAGIC {
            return Err(bad("wrong magic"));
        }
        if got < head.len() {
            return Err(bad("truncated header"));
        }
        let word = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&head[i..i + 8]);
            u64::from_le_bytes(b)
        };
        let n = word(8);
        let (b, w) = (word(16) as u32, (word(16) >> 32) as u32);
        if n > u64::from(u32::MAX) {
            return Err(bad(&format!("{n} hashes is more than an index can hold")));
        }
        if !(1..=MAX_DIR_BITS).contains(&b) {
            return Err(bad(&format!(
                "directory bits {b} not in 1..={MAX_DIR_BITS}"
            )));
        }
        if w as usize != id_width(n as usize) {
            return Err(bad(&format!("id width {w} is wrong for {n} hashes")));
        }
        let nb = 1u64 << b;
        let tables = TABLES as u64;
        let expect =
            HEADER + n * 32 + tables * (nb + 1) * 4 + tables * n + (tables - 1) * n * u64::from(w);
        if expect != file_len {
            return Err(bad(&format!(
                "{n} hashes need {expect} bytes, file has {file_len}"
            )));
        }
        let (n, nb, w) = (n as usize, nb as usize, w as usize);
        let io = |e| MediaError::io(path, e);
        let mut buf = vec![0u8; 1 << 20];
        let mut hashes: Vec<[u64; 4]> = Vec::with_capacity(n);
        let mut remaining = n * 32;
        while remaining > 0 {
            let len = remaining.min(buf.len());
            r.read_exact(&mut buf[..len]).map_err(io)?;
            for c in buf[..len].chunks_exact(32) {
                let mut h = [0u64; 4];
                for (k, x) in h.iter_mut().enumerate() {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&c[k * 8..k * 8 + 8]);
                    *x = u64::from_le_bytes(b);
                }
                hashes.push(h);
            }
            remaining -= len;
        }
        let dir_len = TABLES * (nb + 1);
        let mut dirs = Vec::with_capacity(dir_len);
        let mut remaining = dir_len * 4;
        while remaining > 0 {
            let len = remaining.min(buf.len());
            r.read_exact(&mut buf[..len]).map_err(io)?;
            dirs.extend(
                buf[..len]
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
            remaining -= len;
        }
        let mut fps = vec![0u8; TABLES * n];
        r.read_exact(&mut fps).map_err(io)?;
        let id_bytes = (TABLES - 1) * n * w;
        let mut ids = vec![0u8; id_bytes + 3];
        r.read_exact(&mut ids[..id_bytes]).map_err(io)?;
        // Structural checks, so that a corrupt file cannot cause out-of-range reads.
        for dir in dirs.chunks_exact(nb + 1) {
            if dir[0] != 0 || dir[nb] as usize != n || dir.windows(2).any(|x| x[0] > x[1]) {
                return Err(bad("corrupt directory"));
            }
        }
        // Table 0 is the hash array itself: each hash must sit in its prefix's bucket with its
        // fingerprint (one sequential pass; catches a damaged hash or directory).
        for (p, win) in dirs[..nb + 1].windows(2).enumerate() {
            let (lo, hi) = (win[0] as usize, win[1] as usize);
            if hashes[lo..hi].iter().zip(&fps[lo..hi]).any(|(h, &f)| {
                let k = pair(h, 0);
                prefix(k, b) != p || fingerprint(k, b) != f
            }) {
                return Err(bad("hashes do not match table 0"));
            }
        }
        let mask = if w == 3 { 0x00ff_ffff } else { u32::MAX };
        if ids[..id_bytes].chunks_exact(w).any(|c| {
            let mut b = [0u8; 4];
            b[..w].copy_from_slice(c);
            (u32::from_le_bytes(b) & mask) as usize >= n
        }) {
            return Err(bad("id out of range"));
        }
        Ok(HashIndex {
            hashes,
            built: n,
            dir_bits: b,
            dirs,
            fps,
            ids,
            id_width: w,
        })
    }
}

/// Reads until `buf` is full or end of file; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(words: [u64; 4]) -> Hash256 {
        Hash256(words)
    }

    #[test]
    fn swar_scan_agrees_with_scalar() {
        let fps: Vec<u8> = (0..200u32).map(|i| (i * 37 % 256) as u8).collect();
        for len in [0, 1, 7, 8, 9, 17, 200] {
            for q in [0u8, 0xff, 0x5a, 3] {
                for r in 0..=3 {
                    let mut got = Vec::new();
                    scan(&fps[..len], q, r, |j| got.push(j));
                    let want: Vec<usize> = (0..len)
                        .filter(|&j| (fps[j] ^ q).count_ones() <= r)
                        .collect();
                    assert_eq!(got, want, "len {len} q {q} r {r}");
                }
            }
        }
    }

    #[test]
    fn finds_exact_and_near_and_tail() {
        let (mut ix, map) = HashIndex::build(vec![h([1, 2, 3, 4]), h([u64::MAX; 4])]).unwrap();
        let q = h([1, 2, 3, 4 ^ 0b111]);
        assert_eq!(
            ix.search(&q, 31),
            vec![Hit {
                distance: 3,
                id: map[0]
            }]
        );
        let id = ix.add(h([1, 2, 3, 5])).unwrap();
        assert_eq!(id, 2);
        assert_eq!(ix.tail_len(), 1);
        let hits = ix.search(&q, 31);
        assert_eq!(hits.len(), 2);
        assert_eq!(hits, ix.brute_force(&q, 31));
        assert!(ix.search(&q, 1).is_empty());
        let remap = ix.compact().unwrap();
        assert_eq!(ix.tail_len(), 0);
        assert_eq!(ix.get(remap[2]), Some(h([1, 2, 3, 5])));
        assert_eq!(ix.search(&q, 31), ix.brute_force(&q, 31));
    }

    #[test]
    fn ids_are_24_bit_up_to_2_pow_24_then_32_bit() {
        assert_eq!(id_width(0), 3);
        assert_eq!(id_width(1 << 24), 3);
        assert_eq!(id_width((1 << 24) + 1), 4);
        // The 4-byte path: force it on a small index and check search still agrees.
        let hs: Vec<Hash256> = (0..500u64)
            .map(|i| h([i.wrapping_mul(0x9e37_79b9_7f4a_7c15), i, !i, i << 7]))
            .collect();
        let (mut ix, _) = HashIndex::build(hs).unwrap();
        let mut wide = vec![0u8; (TABLES - 1) * ix.built * 4 + 3];
        for k in 1..TABLES {
            for pos in 0..ix.built {
                let id = ix.id_at(k, pos) as u32;
                let i = ((k - 1) * ix.built + pos) * 4;
                wide[i..i + 4].copy_from_slice(&id.to_le_bytes());
            }
        }
        let q = ix.get(17).unwrap();
        let before = ix.search(&q, 31);
        ix.ids = wide;
        ix.id_width = 4;
        assert_eq!(ix.search(&q, 31), before);
        assert_eq!(before, ix.brute_force(&q, 31));
    }

    #[test]
    fn save_and_load_round_trip_and_reject_garbage_and_old_format() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ix.mih");
        let (mut ix, _) =
            HashIndex::build((0..100u64).map(|i| h([i, i * 7, !i, i << 3])).collect()).unwrap();
        ix.add(h([9, 9, 9, 9])).unwrap();
        assert!(matches!(ix.save(&p), Err(MediaError::Format { .. })));
        ix.compact().unwrap();
        ix.save(&p).unwrap();
        let back = HashIndex::load(&p).unwrap();
        assert_eq!(back.len(), 101);
        assert_eq!(back.tail_len(), 0);
        let q = h([9, 9, 9, 8]);
        assert_eq!(back.search(&q, 31), ix.brute_force(&q, 31));
        assert_eq!(back.search(&q, 31), back.brute_force(&q, 31));
        std::fs::write(&p, b"garbage").unwrap();
        assert!(matches!(
            HashIndex::load(&p),
            Err(MediaError::Format { .. })
        ));
        let mut old = b"MRSDMIH1".to_vec();
        old.extend_from_slice(&[0u8; 64]);
        std::fs::write(&p, &old).unwrap();
        let e = HashIndex::load(&p).unwrap_err().to_string();
        assert!(e.contains("older Marsad"), "{e}");
    }

    #[test]
    fn a_new_index_takes_adds_and_saves() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("new.mih");
        let mut ix = HashIndex::new();
        ix.save(&p).unwrap();
        assert!(HashIndex::load(&p).unwrap().is_empty());
        assert_eq!(ix.add(h([5, 6, 7, 8])).unwrap(), 0);
        assert_eq!(ix.search(&h([5, 6, 7, 9]), 31).len(), 1);
        ix.compact().unwrap();
        ix.save(&p).unwrap();
        let back = HashIndex::load(&p).unwrap();
        assert_eq!(
            back.search(&h([5, 6, 7, 9]), 1),
            vec![Hit { distance: 1, id: 0 }]
        );
    }

    #[test]
    fn load_rejects_a_damaged_hash() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ix.mih");
        let (ix, _) =
            HashIndex::build((0..50u64).map(|i| h([i << 40, i, i, i])).collect()).unwrap();
        ix.save(&p).unwrap();
        let mut bytes = std::fs::read(&p).unwrap();
        bytes[HEADER as usize + 7] ^= 0x80; // top bit of the first hash's word 0
        std::fs::write(&p, &bytes).unwrap();
        let e = HashIndex::load(&p).unwrap_err().to_string();
        assert!(e.contains("do not match table 0"), "{e}");
    }

    #[test]
    fn load_rejects_out_of_range_ids() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ix.mih");
        let (ix, _) = HashIndex::build((0..50u64).map(|i| h([i, i, i, i])).collect()).unwrap();
        ix.save(&p).unwrap();
        let mut bytes = std::fs::read(&p).unwrap();
        let last = bytes.len() - 1;
        bytes[last] = 0xff; // the top byte of the last 24-bit id
        std::fs::write(&p, &bytes).unwrap();
        let e = HashIndex::load(&p).unwrap_err().to_string();
        assert!(e.contains("id out of range"), "{e}");
    }
}
