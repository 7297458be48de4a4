//! `marsad rules test|check`: backtest a rule file over stored findings (prints what it would
//! raise, writes nothing), or validate it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use marsad_detect::rules::{Mode, RuleSet};
use marsad_store::Workspace;

use crate::search::terminal_safe;

#[derive(Debug, Subcommand)]
pub enum RulesCmd {
    /// Backtest: evaluate RULES over the stored findings and print the alerts it would
    /// raise (shadow rules included, marked); nothing is written.
    Test {
        rules: PathBuf,
        /// Only findings at or after this time (2024-05-01 or RFC 3339).
        #[arg(long, value_parser = crate::search::parse_since)]
        since: Option<DateTime<Utc>>,
        /// Print the evaluation as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Validate a rule file (exit 1 with the file, rule and field on error).
    Check { rules: PathBuf },
}

pub async fn run(ws: &Workspace, cmd: RulesCmd) -> Result<ExitCode> {
    match cmd {
        RulesCmd::Check { rules } => {
            let set = RuleSet::load(&rules)?;
            let shadow = set.rules.iter().filter(|r| r.mode == Mode::Shadow).count();
            println!(
                "{}: {} rule(s), {} in shadow mode",
                rules.display(),
                set.rules.len(),
                shadow
            );
            Ok(ExitCode::SUCCESS)
        }
        RulesCmd::Test { rules, since, json } => {
            let set = RuleSet::load(&rules)?;
            let store = crate::open(ws).await?;
            let eval =
                crate::analyze::evaluate_rules(&store, &set, since.map(|t| t.timestamp_micros()))
                    .await?;
            store.close().await;
            if json {
                println!("{}", serde_json::to_string_pretty(&eval)?);
                return Ok(ExitCode::SUCCESS);
            }
            let line = |a: &marsad_detect::rules::AlertDraft, tag: &str| {
                println!(
                    "{tag}{:<8} {:<11} {}  {}  {}  rules: {}; findings: {:?}",
                    a.priority.as_str(),
                    a.queue,
                    a.at.and_then(DateTime::from_timestamp_micros)
                        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| "-".into()),
                    terminal_safe(&a.account),
                    terminal_safe(if a.item.is_empty() { "-" } else { &a.item }),
                    a.rules.join(", "),
                    a.findings
                );
            };
            for a in &eval.alerts {
                line(a, "");
            }
            for a in &eval.shadow {
                line(a, "(shadow) ");
            }
            println!(
                "{}: would raise {} alert(s); shadow rules {} more",
                rules.display(),
                eval.alerts.len(),
                eval.shadow.len()
            );
            for (r, n) in &eval.matched {
                println!("  rule {r:<28} matched {n}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
