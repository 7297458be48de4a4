//! Deterministic building blocks: per-item random streams, times, platform-shaped ids and
//! text with entities.
//!
//! Every generated object draws from its own random stream, seeded from
//! `(seed, stream, index)`. Object `i` therefore looks the same whichever order the files are
//! written in (newest-first API pages, oldest-first exports) and whichever formats are chosen.

use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub(crate) type R = ChaCha8Rng;

/// 2026-10-01T00:00:00Z: every generated time is relative to it.
pub(crate) const BASE: i64 = 1_790_812_800;
/// The background activity covers 14 days from [`BASE`].
pub(crate) const DAYS: i64 = 14;
/// Baghdad is UTC+3 all year.
pub(crate) const BAGHDAD: i64 = 3 * 3600;

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable 64-bit name for a stream ("tg/chat/3", "x/user").
pub(crate) fn tag(name: &str) -> u64 {
    // FNV-1a: stable across runs and platforms.
    let mut h = 0xCBF2_9CE4_8422_2325u64;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// The random stream of object `index` of `stream`.
pub(crate) fn rng(seed: u64, stream: u64, index: u64) -> R {
    R::seed_from_u64(splitmix(splitmix(seed ^ stream).wrapping_add(index)))
}

/// Seconds since the epoch at `day` days, `h:m:s` UTC after [`BASE`].
pub(crate) const fn at(day: i64, h: i64, m: i64, s: i64) -> i64 {
    BASE + day * 86_400 + h * 3600 + m * 60 + s
}

pub(crate) fn utc(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::UNIX_EPOCH)
}

pub(crate) fn utc_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::UNIX_EPOCH)
}

/// `2026-10-01T02:13:00Z`
pub(crate) fn iso(secs: i64) -> String {
    utc(secs).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `2026-10-01T02:13:00.000Z` (X API v2, Rocket.Chat).
pub(crate) fn iso_ms(ms: i64) -> String {
    utc_ms(ms).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Activity weight per Baghdad hour: quiet between 02:00 and 07:00, busiest in the evening.
const HOURLY: [u32; 24] = [
    5, 3, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 8, 8, 7, 7, 8, 9, 10, 11, 12, 12, 10, 8,
];

/// The time of background object `i` of `count` spread over `days` days from `start`:
/// non-decreasing in `i`, following the Baghdad daily rhythm. `u` in `[0, 1)` places the
/// object inside its slot.
pub(crate) fn spread(start: i64, days: i64, i: u64, count: u64, u: f64) -> i64 {
    let total: u32 = HOURLY.iter().sum();
    let count = count.max(1) as f64;
    let x = ((i as f64 + u) / count).clamp(0.0, 0.999_999_999) * days as f64;
    let day = x.floor();
    let mut want = (x - day) * f64::from(total);
    // Walk the UTC hours of the day (00:00 UTC is 03:00 in Baghdad).
    let mut secs = 0.0;
    for k in 0..24 {
        let w = f64::from(HOURLY[(k + 3) % 24]);
        if want < w {
            secs += want / w * 3600.0;
            want = -1.0;
            break;
        }
        want -= w;
        secs += 3600.0;
    }
    if want >= 0.0 {
        secs = 86_399.0;
    }
    start + day as i64 * 86_400 + secs as i64
}

/// Is `secs` at night in Baghdad (00:00 to 05:59 local)?
#[cfg(test)]
pub(crate) fn baghdad_night(secs: i64) -> bool {
    let h = (secs + BAGHDAD).rem_euclid(86_400) / 3600;
    h < 6
}

/// Twitter's epoch for snowflake ids.
const TWEPOCH_MS: i64 = 1_288_834_974_657;

/// An X snowflake id for a millisecond time; `worker` (10 bits) and `seq` (12 bits) keep ids
/// made in the same millisecond apart.
pub(crate) fn snowflake(ms: i64, worker: u64, seq: u64) -> u64 {
    (((ms - TWEPOCH_MS).max(0) as u64) << 22) | ((worker & 0x3FF) << 12) | (seq & 0xFFF)
}

/// A TikTok id: unix seconds in the high 32 bits.
pub(crate) fn tiktok_id(secs: i64, low: u32) -> u64 {
    ((secs.max(0) as u64) << 32) | u64::from(low)
}

const RC_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";

pub(crate) fn pick_chars(r: &mut R, alphabet: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| char::from(alphabet[r.gen_range(0..alphabet.len())]))
        .collect()
}

/// A Rocket.Chat `Random.id()`: 17 characters of Meteor's unmistakable alphabet.
pub(crate) fn rc_id(r: &mut R) -> String {
    pick_chars(r, RC_ALPHABET, 17)
}

pub(crate) fn b64url(r: &mut R, n: usize) -> String {
    pick_chars(r, B64URL, n)
}

pub(crate) fn alnum(r: &mut R, n: usize) -> String {
    pick_chars(r, ALNUM, n)
}

pub(crate) fn hex(r: &mut R, n: usize) -> String {
    pick_chars(r, HEX, n)
}

/// A heavy-tailed count (followers, views): `base * 10^(spread * u)`.
pub(crate) fn heavy(r: &mut R, base: f64, spread: f64) -> i64 {
    let u: f64 = r.gen();
    (base * pow10(spread * u)) as i64
}

/// `10^x` for `x >= 0` with only additions and multiplications (IEEE-exact, so the same bits
/// on every platform, unlike the C library's `pow`).
pub(crate) fn pow10(x: f64) -> f64 {
    let whole = x.floor();
    let mut result = 1.0;
    for _ in 0..(whole as u32) {
        result *= 10.0;
    }
    // e^y for y = frac * ln 10 in [0, 2.31): the Taylor series to 24 terms.
    let y = (x - whole) * std::f64::consts::LN_10;
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..24 {
        term *= y / f64::from(k);
        sum += term;
    }
    result * sum
}

/// A uniform draw skewed towards 0 (`u^1.5`), for picking active accounts more often.
pub(crate) fn skewed(r: &mut R) -> f64 {
    let u: f64 = r.gen();
    u * u.sqrt()
}

/// One of the strings of `items`.
pub(crate) fn one<'a>(r: &mut R, items: &[&'a str]) -> &'a str {
    items[r.gen_range(0..items.len())]
}

pub(crate) fn pick<'a, T>(r: &mut R, items: &'a [T]) -> &'a T {
    &items[r.gen_range(0..items.len())]
}

/// A piece of text with its entities, rendered differently by each platform.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seg {
    Plain(String),
    /// Without the `#`.
    Hashtag(String),
    /// Without the `@`.
    Mention(String),
    Url(String),
    /// Telegram formatting entities news channels use.
    Bold(String),
    TextLink {
        text: String,
        href: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Text {
    pub segs: Vec<Seg>,
}

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Text {
    /// Splits a written sentence into plain text, `#hashtags`, `@mentions` and URLs.
    pub fn parse(s: &str) -> Text {
        let mut t = Text::default();
        let mut plain = String::new();
        let chars: Vec<char> = s.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let rest_starts = |p: &str| chars[i..].iter().take(p.len()).copied().eq(p.chars());
            let prev_ok = i == 0 || !is_tag_char(chars[i - 1]);
            if rest_starts("https://") || rest_starts("http://") {
                let end = (i..chars.len())
                    .find(|&j| chars[j].is_whitespace())
                    .unwrap_or(chars.len());
                t.push_plain(&mut plain);
                t.segs.push(Seg::Url(chars[i..end].iter().collect()));
                i = end;
            } else if (c == '#' || c == '@') && prev_ok {
                let mut end = i + 1;
                while end < chars.len()
                    && (is_tag_char(chars[end]) || (c == '@' && chars[end] == '.'))
                {
                    end += 1;
                }
                // A trailing dot belongs to the sentence, not the handle.
                while end > i + 1 && chars[end - 1] == '.' {
                    end -= 1;
                }
                if end == i + 1 {
                    plain.push(c);
                    i += 1;
                    continue;
                }
                t.push_plain(&mut plain);
                let word: String = chars[i + 1..end].iter().collect();
                t.segs.push(if c == '#' {
                    Seg::Hashtag(word)
                } else {
                    Seg::Mention(word)
                });
                i = end;
            } else {
                plain.push(c);
                i += 1;
            }
        }
        t.push_plain(&mut plain);
        t
    }

    fn push_plain(&mut self, plain: &mut String) {
        if !plain.is_empty() {
            self.segs.push(Seg::Plain(std::mem::take(plain)));
        }
    }

    /// The text as a reader sees it.
    pub fn plain(&self) -> String {
        let mut s = String::new();
        for seg in &self.segs {
            match seg {
                Seg::Plain(p) | Seg::Bold(p) => s.push_str(p),
                Seg::Hashtag(h) => {
                    s.push('#');
                    s.push_str(h);
                }
                Seg::Mention(m) => {
                    s.push('@');
                    s.push_str(m);
                }
                Seg::Url(u) => s.push_str(u),
                Seg::TextLink { text, .. } => s.push_str(text),
            }
        }
        s
    }

    pub fn hashtags(&self) -> Vec<String> {
        self.segs
            .iter()
            .filter_map(|s| match s {
                Seg::Hashtag(h) => Some(h.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn mentions(&self) -> Vec<String> {
        self.segs
            .iter()
            .filter_map(|s| match s {
                Seg::Mention(m) => Some(m.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn urls(&self) -> Vec<String> {
        self.segs
            .iter()
            .filter_map(|s| match s {
                Seg::Url(u) => Some(u.clone()),
                Seg::TextLink { href, .. } => Some(href.clone()),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_splits_entities() {
        let t = Text::parse("شوفوا #بغداد_اليوم يا @rusul_writes. https://t.me/+AbC?x=#1 تمام");
        assert_eq!(
            t.segs,
            vec![
                Seg::Plain("شوفوا ".into()),
                Seg::Hashtag("بغداد_اليوم".into()),
                Seg::Plain(" يا ".into()),
                Seg::Mention("rusul_writes".into()),
                Seg::Plain(". ".into()),
                Seg::Url("https://t.me/+AbC?x=#1".into()),
                Seg::Plain(" تمام".into()),
            ]
        );
        assert_eq!(
            t.plain(),
            "شوفوا #بغداد_اليوم يا @rusul_writes. https://t.me/+AbC?x=#1 تمام"
        );
        assert_eq!(Text::parse("a # b a@b").segs.len(), 1);
    }

    #[test]
    fn spread_is_monotonic_and_in_window() {
        let n = 5000;
        let mut last = 0;
        for i in 0..n {
            let t = spread(BASE, DAYS, i, n, 0.5);
            assert!(t >= last);
            assert!((BASE..BASE + DAYS * 86_400).contains(&t));
            last = t;
        }
        let night = (0..n)
            .filter(|&i| baghdad_night(spread(BASE, DAYS, i, n, 0.5)))
            .count();
        assert!(night < (n as usize) / 8, "{night}");
    }

    #[test]
    fn pow10_is_accurate() {
        for (x, want) in [
            (0.0, 1.0),
            (1.0, 10.0),
            (2.5, 316.227_766_016_837_94),
            (3.3, 1_995.262_314_968_879_5),
        ] {
            assert!((pow10(x) - want).abs() / want < 1e-12, "{x}");
        }
    }

    #[test]
    fn snowflakes_order_by_time() {
        let a = snowflake(BASE * 1000, 1, 0);
        let b = snowflake(BASE * 1000 + 1, 0, 0);
        assert!(a < b);
        assert_eq!(a >> 22, (BASE * 1000 - TWEPOCH_MS) as u64);
        assert!(tiktok_id(BASE, 7) >> 32 == BASE as u64);
    }
}
