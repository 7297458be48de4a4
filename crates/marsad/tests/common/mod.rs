//! Helpers shared by the binary's integration tests: run `marsad` on a workspace, assert it
//! succeeded.
#![allow(dead_code, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Run `marsad --data DATA ARGS...` and wait for it.
pub fn marsad(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marsad"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run marsad")
}

/// Assert success (showing both streams if not) and return stdout.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Run `marsad ARGS...` (no `--data` added) with `stdin` as standard input and wait for it.
pub fn marsad_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_marsad"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run marsad");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for marsad")
}

/// Create hash bank `name` in the workspace from the PDQ hashes of `images` (`marsad hash`
/// output imported in Meta's pdq format), with extra `bank import` arguments.
pub fn bank_of_images(data: &Path, name: &str, images: &[&Path], extra: &[&str]) {
    let paths: Vec<&str> = images
        .iter()
        .map(|p| p.to_str().expect("utf-8 path"))
        .collect();
    let mut args = vec!["hash"];
    args.extend(&paths);
    let file = data.with_extension(format!("{name}.pdq"));
    std::fs::write(&file, ok(&marsad(data, &args))).expect("write the bank file");
    ok(&marsad(data, &["bank", "create", name]));
    let mut args = vec!["bank", "import", name, "-f", "pdq"];
    args.extend(extra);
    args.push(file.to_str().expect("utf-8 path"));
    ok(&marsad(data, &args));
}
