#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Video frame hashing through ffmpeg (skipped when ffmpeg is not installed).

use std::path::Path;
use std::process::Command;

use marsad_media::video::{ffmpeg_available, hash_video, match_videos, VideoOptions};

fn make(out: &Path, source: &str, size: &str, extra: &[&str]) {
    let st = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("{source}=size={size}:rate=25"))
        .args(["-t", "6"])
        .args(extra)
        .args(["-pix_fmt", "yuv420p"])
        .arg(out)
        .status()
        .unwrap();
    assert!(st.success());
}

#[test]
fn reencoded_video_matches_and_other_video_does_not() {
    if !ffmpeg_available() {
        eprintln!("skipped: ffmpeg not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (orig, small, other) = (
        dir.path().join("orig.mp4"),
        dir.path().join("small.webm"),
        dir.path().join("other.mp4"),
    );
    make(&orig, "testsrc2", "320x240", &[]);
    // Same content, smaller, another codec and quality.
    make(
        &small,
        "testsrc2",
        "320x240",
        &["-vf", "scale=160:120", "-c:v", "libvpx", "-b:v", "200k"],
    );
    make(&other, "life", "320x240", &[]);
    let opts = VideoOptions::default();
    let a = hash_video(&orig, &opts).unwrap();
    let b = hash_video(&small, &opts).unwrap();
    let c = hash_video(&other, &opts).unwrap();
    assert_eq!(a.frames.len(), 6);
    assert_eq!(a.frames[2].frame, 2);
    assert_eq!(a.frames[2].millis, 2000);
    assert_eq!(a.md5.len(), 32);
    assert_ne!(a.sha256, b.sha256);
    let same = match_videos(&a.frames, &b.frames, 31, 50);
    let diff = match_videos(&a.frames, &c.frames, 31, 50);
    eprintln!("re-encoded: {same:?}\nother: {diff:?}");
    assert!(same.is_match(0.8), "{same:?}");
    assert!(!diff.is_match(0.8), "{diff:?}");
    assert_eq!(diff.query_matched, 0.0);
    // Not a video: a clear error.
    let txt = dir.path().join("x.mp4");
    std::fs::write(&txt, b"nope").unwrap();
    let err = hash_video(&txt, &opts).unwrap_err().to_string();
    assert!(err.contains("x.mp4") && err.contains("ffmpeg"), "{err}");
}
