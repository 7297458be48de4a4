//! Detection for Marsad: turning normalized text, media hashes and account facts into
//! explained findings.
//!
//! Modules are added per concern (the `Detector` contract and its detectors; the trainable
//! text classifier). See ARCHITECTURE.md for the codemap.

pub mod text_classifier;
