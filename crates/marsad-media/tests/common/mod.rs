//! Helpers shared by the conformance tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `../shared/data` beside the repository (or `$MARSAD_SHARED_DATA`), or `None` after
/// printing the skip notice. Users' machines do not have it; CI does.
pub fn shared_data() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("MARSAD_SHARED_DATA") {
        return Some(PathBuf::from(p));
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if p.is_dir() {
        Some(p)
    } else {
        // Written to the stderr handle itself, which the test harness does not capture, so
        // that the skip is visible in a normal `cargo test` run.
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "skipped: ../shared/data not found");
        None
    }
}

/// A file in this crate's `tests/fixtures` folder.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}
