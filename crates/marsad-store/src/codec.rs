//! Encodings shared by the backends: compression, times, JSON columns.

use chrono::{DateTime, TimeZone, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// zstd level: fast; raw records are small and mostly text.
const ZSTD_LEVEL: i32 = -5;

thread_local! {
    /// One compression context per thread: creating one per record costs more than the
    /// compression itself.
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

pub fn compress(data: &[u8]) -> std::io::Result<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(zstd::bulk::Compressor::new(ZSTD_LEVEL)?);
        }
        match slot.as_mut() {
            Some(c) => c.compress(data),
            None => zstd::bulk::compress(data, ZSTD_LEVEL),
        }
    })
}

pub fn decompress(data: &[u8]) -> std::io::Result<Vec<u8>> {
    zstd::stream::decode_all(data)
}

/// UTC time to microseconds since the epoch.
pub fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub fn opt_micros(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(micros)
}

pub fn from_micros(us: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_micros(us).single()
}

/// A JSON column for a collection: NULL when empty.
pub fn json_col<T: Serialize + ?Sized>(v: &T, empty: bool) -> Option<String> {
    if empty {
        None
    } else {
        serde_json::to_string(v).ok()
    }
}

/// Reads a JSON column (NULL → default).
pub fn from_json_col<T: DeserializeOwned + Default>(
    s: Option<String>,
) -> Result<T, serde_json::Error> {
    match s {
        None => Ok(T::default()),
        Some(s) => serde_json::from_str(&s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compress_round_trip() {
        let data = "مرصد ".repeat(100);
        let z = compress(data.as_bytes()).unwrap();
        assert!(z.len() < data.len());
        assert_eq!(decompress(&z).unwrap(), data.as_bytes());
    }

    #[test]
    fn micros_round_trip() {
        let t = Utc.timestamp_opt(1_700_000_000, 123_456_000).unwrap();
        assert_eq!(from_micros(micros(t)), Some(t));
    }
}
