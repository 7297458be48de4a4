//! # marsad-media: is this picture one we already know?
//!
//! PDQ perceptual hashing (Meta's algorithm, bit-compatible with the C++ reference on the same
//! pixels), named hash banks with labels, an exact multi-index Hamming search, EXIF/GPS
//! metadata, and video frame hashing (vPDQ-style) through `ffmpeg`.

pub mod bank;
pub mod decode;
pub mod error;
pub mod exact;
pub mod exif;
pub mod hash;
pub mod index;
pub mod matcher;
pub mod pdq;
pub mod pipeline;
pub mod video;

pub use bank::{BankEntry, BankFormat, BankMeta, Banks, EntryDefaults, ImportReport};
pub use decode::{thumbnail, thumbnail_size, DecodeLimits, ImageHasher};
pub use error::{MediaError, Result};
pub use hash::Hash256;
pub use index::{HashIndex, Hit};
pub use matcher::{BankMatch, MatchOutcome, Matcher, DEFAULT_MAX_DISTANCE};
pub use pdq::{Dihedral, HashQuality, PdqHasher};
