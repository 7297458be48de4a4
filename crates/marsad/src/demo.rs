//! `marsad demo`: generate the demo dataset and import it.

use anyhow::{bail, Result};
use marsad_store::Workspace;
use std::path::PathBuf;
use std::process::ExitCode;

pub async fn run(
    _ws: &Workspace,
    _generate: Option<PathBuf>,
    _scale: u32,
    _seed: u64,
    _only: &[String],
) -> Result<ExitCode> {
    bail!("the demo generator is being written")
}
