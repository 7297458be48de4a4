//! `marsad train`, `marsad eval`, `marsad classify`: the trainable text classifier
//! (`marsad_detect::text_classifier`).

use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use marsad_detect::text_classifier::data::{
    self, in_fraction, ColumnSpec, FileKind, LabelCol, ReadError, SALT_HOLDOUT,
};
use marsad_detect::text_classifier::metrics::{average_precision, Counts, Objective};
use marsad_detect::text_classifier::perturb::{self, Tactic};
use marsad_detect::text_classifier::{
    train, Example, FeatureConfig, Model, PredictScratch, TrainOptions,
};
use serde::Serialize;

/// How input files are read (shared by train and eval).
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input files: JSON lines {"text","labels":[...]} (.jsonl), or CSV/TSV (.csv/.tsv) with
    /// --text-col and --label-col.
    #[arg(long = "input", value_name = "FILE", num_args = 1..)]
    inputs: Vec<PathBuf>,
    /// Read every input as this format instead of guessing from the extension.
    #[arg(long, value_parser = ["jsonl", "csv", "tsv"])]
    format: Option<String>,
    /// CSV/TSV: the text column (header name, or 1-based number).
    #[arg(long)]
    text_col: Option<String>,
    /// CSV/TSV: a label, as [LABEL:]COLUMN=VALUE (VALUE: `A|B` alternatives, `HS*` prefix,
    /// `!NOT_HS` negation); the label defaults to the column name in lower case. Repeatable.
    #[arg(long = "label-col", value_name = "[LABEL:]COLUMN=VALUE")]
    label_cols: Vec<LabelCol>,
    /// CSV/TSV: the file has no header row (give columns by number).
    #[arg(long)]
    no_header: bool,
    /// Evaluation hold-out fraction: train leaves it out, eval reads only it (split by the
    /// text's match key with --seed, so duplicates stay on one side).
    #[arg(long, value_name = "FRAC")]
    holdout: Option<f64>,
    /// Seed of the splits (and of the SVM's example order).
    #[arg(long)]
    seed: Option<u64>,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Where to write the model file.
    #[arg(long, value_name = "MODEL", required_unless_present = "from_reviews")]
    out: Option<PathBuf>,
    /// Train from the workspace's analyst review decisions (the review queue).
    #[arg(long)]
    from_reviews: bool,
    /// Labels to learn (comma-separated; default: every label in the data).
    #[arg(long, value_delimiter = ',')]
    labels: Vec<String>,
    /// Cross-validation folds for C, Platt scaling and thresholds (out-of-fold scores over
    /// all the training data; the final model is fitted on all of it). 0: use --valid-frac.
    #[arg(long, default_value_t = 5)]
    cv: u32,
    /// With --cv 0: fraction of the training data kept aside for C, calibration and
    /// thresholds.
    #[arg(long, default_value_t = 0.1)]
    valid_frac: f64,
    /// Regularisation constant C, or `auto`: chosen per label by out-of-fold PR-AUC among
    /// 0.1, 0.3 and 1 (three times the training work).
    #[arg(long, default_value = "1")]
    c: String,
    /// Do not weigh classes by inverse frequency.
    #[arg(long)]
    no_class_weight: bool,
    /// Scale features by their naive-Bayes log-count ratio per label (NB-SVM).
    #[arg(long)]
    nb: bool,
    /// What the per-label threshold maximises on the validation split: f1, macro-f1, or
    /// precision=P (the highest recall at precision >= P).
    #[arg(long, default_value = "f1")]
    threshold_for: Objective,
    /// log2 of the hashed feature space.
    #[arg(long, default_value_t = 20)]
    bits: u32,
    /// Character n-gram lengths, MIN-MAX.
    #[arg(long, default_value = "2-5")]
    char_ngrams: String,
    /// Word n-grams up to this length (0: none).
    #[arg(long, default_value_t = 2)]
    word_ngrams: u32,
    /// Character n-grams also cross word boundaries (by default they stay inside each word
    /// padded with spaces, as scikit-learn's char_wb; word bigrams span words).
    #[arg(long)]
    cross_word: bool,
    /// Add the text engine's signals (lexicon categories, Arabizi flag, language).
    #[arg(long)]
    signals: bool,
    /// Leave out symbol features (emoji and punctuation the match key drops).
    #[arg(long)]
    no_symbols: bool,
    /// Do not read runs of letters written apart (ك ل ب) as the word they spell.
    #[arg(long)]
    no_join_letters: bool,
    /// Model name (default: the output file's stem).
    #[arg(long)]
    name: Option<String>,
    /// Also write the examples trained on and the held-out ones as JSON lines
    /// (DIR/train.jsonl, DIR/heldout.jsonl), e.g. for a peer to use the same split.
    #[arg(long, value_name = "DIR")]
    write_split: Option<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The model file.
    #[arg(long, value_name = "MODEL")]
    model: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Also evaluate on evasion-perturbed texts (each tactic alone and mixed) and report the
    /// macro-F1 drop.
    #[arg(long)]
    perturb: bool,
    /// Share of words (3+ letters) each perturbation changes.
    #[arg(long, default_value_t = 0.3)]
    perturb_rate: f64,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// The model file.
    #[arg(long, value_name = "MODEL")]
    model: PathBuf,
    /// Add the top contributing features with their spans in the text.
    #[arg(long)]
    explain: bool,
    /// Features per label with --explain.
    #[arg(long, default_value_t = 5)]
    top: usize,
}

fn column_spec(a: &InputArgs) -> Option<ColumnSpec> {
    a.text_col.as_ref().map(|t| ColumnSpec {
        text_col: t.clone(),
        labels: a.label_cols.clone(),
        no_header: a.no_header,
    })
}

fn file_kind(a: &InputArgs) -> Option<FileKind> {
    a.format.as_deref().map(|f| match f {
        "csv" => FileKind::Csv,
        "tsv" => FileKind::Tsv,
        _ => FileKind::Jsonl,
    })
}

/// Read examples from every input; rejected records are reported on stderr and counted.
fn read_inputs(a: &InputArgs, mut keep: impl FnMut(Example)) -> Result<u64> {
    if a.inputs.is_empty() {
        bail!("no input: give --input FILE...");
    }
    let spec = column_spec(a);
    let mut rejected = 0u64;
    for p in &a.inputs {
        let mut src = data::open(p, file_kind(a), spec.as_ref())?;
        while let Some(r) = src.next_example() {
            match r {
                Ok(e) => keep(e),
                Err(ReadError::Record(rej)) => {
                    rejected += 1;
                    if rejected <= 20 {
                        eprintln!("rejected: {rej}");
                    }
                }
                Err(ReadError::Fatal(e)) => return Err(e).context("reading the input"),
            }
        }
    }
    if rejected > 20 {
        eprintln!("... {} more rejected record(s)", rejected - 20);
    }
    Ok(rejected)
}

#[derive(Serialize)]
struct TrainSummary<'a> {
    model: String,
    out: &'a Path,
    examples: u64,
    train: u64,
    valid: u64,
    held_out: u64,
    rejected: u64,
    seconds: f64,
    labels: &'a [marsad_detect::text_classifier::LabelParams],
}

pub fn train_cmd(args: TrainArgs) -> Result<ExitCode> {
    if args.from_reviews {
        // The hook: a `LabelledSource` over the review queue's decisions. The queue arrives
        // with the alerts/cases work; until then there is nothing to train on.
        bail!(
            "this workspace has no analyst review decisions yet (the review queue is not built); \
             train from labelled files with --input FILE..."
        );
    }
    let Some(out) = args.out.clone() else {
        bail!("--out MODEL is required");
    };
    let (cmin, cmax) = args
        .char_ngrams
        .split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
        .with_context(|| format!("--char-ngrams {:?}: expected MIN-MAX", args.char_ngrams))?;
    let features = FeatureConfig {
        bits: args.bits,
        char_min: cmin,
        char_max: cmax,
        cross_word: args.cross_word,
        word_max: args.word_ngrams,
        signals: args.signals,
        symbols: !args.no_symbols,
        join_letters: !args.no_join_letters,
    };
    features.validate().map_err(anyhow::Error::msg)?;
    let c = match args.c.as_str() {
        "auto" => None,
        v => match v.parse::<f64>() {
            Ok(c) if c > 0.0 && c.is_finite() => Some(c),
            _ => bail!("--c {v:?}: expected a positive number or auto"),
        },
    };
    let seed = args.input.seed.unwrap_or(42);
    let holdout = args.input.holdout.unwrap_or(0.0);
    if !(0.0..0.9).contains(&holdout) {
        bail!("--holdout must be in [0, 0.9), got {holdout}");
    }
    let mut examples = Vec::new();
    let mut held = Vec::new();
    let rejected = read_inputs(&args.input, |e| {
        if in_fraction(&e.text, seed, SALT_HOLDOUT, holdout) {
            held.push(e);
        } else {
            examples.push(e);
        }
    })?;
    let held_out = held.len() as u64;
    if let Some(dir) = &args.write_split {
        write_split(dir, &examples, &held)?;
    }
    drop(held);
    let name = args.name.clone().unwrap_or_else(|| {
        out.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into())
    });
    let opts = TrainOptions {
        name,
        features,
        labels: (!args.labels.is_empty()).then(|| args.labels.clone()),
        valid_frac: args.valid_frac,
        cv: args.cv,
        seed,
        c,
        class_weight: !args.no_class_weight,
        nb: args.nb,
        objective: args.threshold_for,
        holdout,
        ..TrainOptions::default()
    };
    let sources = args.input.inputs.iter().map(|p| source_name(p)).collect();
    let (model, report) = train(&examples, sources, &opts).context("training")?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    model
        .save(&out)
        .with_context(|| format!("writing {}", out.display()))?;
    let h = model.header();
    let summary = TrainSummary {
        model: model.id(),
        out: &out,
        examples: examples.len() as u64,
        train: h.training.train_examples,
        valid: h.training.valid_examples,
        held_out,
        rejected,
        seconds: report.seconds,
        labels: &h.labels,
    };
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        println!(
            "{}: model {} — {} examples ({} train, {} validation, {} held out), {} rejected, {:.2} s",
            out.display(),
            summary.model,
            summary.examples,
            summary.train,
            summary.valid,
            held_out,
            rejected,
            report.seconds
        );
        for l in &h.labels {
            let v = l
                .valid
                .as_ref()
                .map(|v| {
                    format!(
                        "validation P {:.3} R {:.3} F1 {:.3} macro-F1 {:.3} PR-AUC {:.3}",
                        v.precision, v.recall, v.f1, v.macro_f1, v.pr_auc
                    )
                })
                .unwrap_or_else(|| "no validation".into());
            println!(
                "  {:<14} C {:<4} threshold {:.3}  {}/{} positive  {}",
                l.label,
                l.c,
                l.threshold,
                l.train_positives,
                l.train_positives + l.train_negatives,
                v
            );
        }
    }
    Ok(if rejected > 0 {
        ExitCode::from(crate::EXIT_REJECTS)
    } else {
        ExitCode::SUCCESS
    })
}

/// How an input file is named in a model's provenance: its canonical path when it has one.
fn source_name(p: &Path) -> String {
    std::fs::canonicalize(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

fn write_split(dir: &Path, train: &[Example], held: &[Example]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, set) in [("train.jsonl", train), ("heldout.jsonl", held)] {
        let p = dir.join(name);
        let f = std::fs::File::create(&p).with_context(|| format!("creating {}", p.display()))?;
        let mut w = BufWriter::new(f);
        for e in set {
            serde_json::to_writer(
                &mut w,
                &serde_json::json!({"text": e.text, "labels": e.labels}),
            )?;
            w.write_all(b"\n")?;
        }
        w.flush()
            .with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}

#[derive(Debug, Serialize, Clone)]
struct LabelReport {
    label: String,
    support: u64,
    precision: f64,
    recall: f64,
    f1: f64,
    f1_negative: f64,
    /// Mean F1 of the label and its absence (OSACT's binary macro-F1).
    macro_f1: f64,
    pr_auc: f64,
    threshold: f32,
    #[serde(flatten)]
    counts: Counts,
}

#[derive(Debug, Serialize, Clone)]
struct Report {
    examples: u64,
    labels: Vec<LabelReport>,
    /// Mean over labels of the label's F1.
    macro_f1: f64,
    /// Mean over labels of the binary macro-F1.
    mean_binary_macro_f1: f64,
}

struct Acc {
    counts: Vec<Counts>,
    scored: Vec<Vec<(f32, bool)>>,
    n: u64,
}

impl Acc {
    fn new(nl: usize) -> Acc {
        Acc {
            counts: vec![Counts::default(); nl],
            scored: vec![Vec::new(); nl],
            n: 0,
        }
    }
    fn add(&mut self, model: &Model, scores: &[f32], truth: &[bool]) {
        self.n += 1;
        for (l, over) in model.over_threshold(scores).into_iter().enumerate() {
            self.counts[l].add(over, truth[l]);
            self.scored[l].push((scores[l], truth[l]));
        }
    }
    fn report(mut self, model: &Model) -> Report {
        let labels: Vec<LabelReport> = model
            .labels()
            .iter()
            .enumerate()
            .map(|(l, name)| {
                let c = self.counts[l];
                LabelReport {
                    label: name.clone(),
                    support: c.support(),
                    precision: c.precision(),
                    recall: c.recall(),
                    f1: c.f1(),
                    f1_negative: c.f1_negative(),
                    macro_f1: c.macro_f1(),
                    pr_auc: average_precision(&mut self.scored[l]),
                    threshold: model.header().labels[l].threshold,
                    counts: c,
                }
            })
            .collect();
        let k = labels.len().max(1) as f64;
        Report {
            examples: self.n,
            macro_f1: labels.iter().map(|l| l.f1).sum::<f64>() / k,
            mean_binary_macro_f1: labels.iter().map(|l| l.macro_f1).sum::<f64>() / k,
            labels,
        }
    }
}

#[derive(Serialize)]
struct Perturbed {
    rate: f64,
    /// Every tactic drawn at random per word.
    mixed: Report,
    /// Mean binary macro-F1 drop (clean minus mixed), in points (×100).
    drop_points: f64,
    /// Per tactic: mean binary macro-F1 and its drop in points.
    tactics: BTreeMap<&'static str, (f64, f64)>,
}

#[derive(Serialize)]
struct EvalOut {
    model: String,
    held_out: Option<f64>,
    seed: u64,
    rejected: u64,
    #[serde(flatten)]
    clean: Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    perturbed: Option<Perturbed>,
}

pub fn eval_cmd(args: EvalArgs) -> Result<ExitCode> {
    let model =
        Model::load(&args.model).with_context(|| format!("loading {}", args.model.display()))?;
    let h = model.header();
    // Evaluating on the file a model was trained on with --holdout: use the same split, so
    // the examples it learned from are never counted.
    let mut holdout = args.input.holdout;
    let mut seed = args.input.seed.unwrap_or(h.training.seed);
    let trained_on = args
        .input
        .inputs
        .iter()
        .any(|p| h.training.sources.contains(&source_name(p)));
    if trained_on && holdout.is_none() && h.training.holdout == 0.0 {
        eprintln!(
            "warning: the model was trained on this input (without --holdout): these figures measure memorisation, not generalisation"
        );
    }
    if trained_on && holdout.is_none() && h.training.holdout > 0.0 {
        holdout = Some(h.training.holdout);
        seed = h.training.seed;
        eprintln!(
            "note: the model was trained on this file with --holdout {}: evaluating on that held-out part (seed {seed})",
            h.training.holdout
        );
    }
    let nl = model.labels().len();
    let mut clean = Acc::new(nl);
    let mut mixed = Acc::new(nl);
    let mut per_tactic: Vec<Acc> = perturb::ALL.iter().map(|_| Acc::new(nl)).collect();
    let mut ctx = PredictScratch::default();
    let mut scores = Vec::new();
    let mut seen_labels = std::collections::BTreeSet::new();
    let mut index = 0u64;
    let rejected = read_inputs(&args.input, |e| {
        if let Some(f) = holdout {
            if !in_fraction(&e.text, seed, SALT_HOLDOUT, f) {
                return;
            }
        }
        seen_labels.extend(e.labels.iter().cloned());
        let truth: Vec<bool> = model
            .labels()
            .iter()
            .map(|l| e.labels.contains(l))
            .collect();
        model.scores_into(&e.text, &mut ctx, &mut scores);
        clean.add(&model, &scores, &truth);
        if args.perturb {
            let s = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let t = perturb::perturb(&e.text, None, args.perturb_rate, s);
            model.scores_into(&t, &mut ctx, &mut scores);
            mixed.add(&model, &scores, &truth);
            for (k, tac) in perturb::ALL.iter().enumerate() {
                let t = perturb::perturb(&e.text, Some(*tac), args.perturb_rate, s);
                model.scores_into(&t, &mut ctx, &mut scores);
                per_tactic[k].add(&model, &scores, &truth);
            }
        }
        index += 1;
    })?;
    if clean.n == 0 {
        bail!("no examples to evaluate");
    }
    let missing: Vec<&String> = model
        .labels()
        .iter()
        .filter(|l| !seen_labels.contains(*l))
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "warning: no example in the input has label(s) {missing:?}: check --label-col names match the model's labels {:?}",
            model.labels()
        );
    }
    let clean = clean.report(&model);
    let perturbed = args.perturb.then(|| {
        let mixed = mixed.report(&model);
        let base = clean.mean_binary_macro_f1;
        let tactics = perturb::ALL
            .iter()
            .zip(per_tactic)
            .map(|(t, acc): (&Tactic, Acc)| {
                let r = acc.report(&model);
                (
                    t.name(),
                    (
                        r.mean_binary_macro_f1,
                        (base - r.mean_binary_macro_f1) * 100.0,
                    ),
                )
            })
            .collect();
        Perturbed {
            rate: args.perturb_rate,
            drop_points: (base - mixed.mean_binary_macro_f1) * 100.0,
            mixed,
            tactics,
        }
    });
    let out = EvalOut {
        model: model.id(),
        held_out: holdout,
        seed,
        rejected,
        clean,
        perturbed,
    };
    if args.json {
        println!("{}", serde_json::to_string(&out)?);
    } else {
        print_eval(&out);
    }
    Ok(if rejected > 0 {
        ExitCode::from(crate::EXIT_REJECTS)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_eval(o: &EvalOut) {
    println!(
        "model {} — {} examples{}",
        o.model,
        o.clean.examples,
        o.held_out
            .map(|f| format!(" (held-out fraction {f}, seed {})", o.seed))
            .unwrap_or_default()
    );
    println!(
        "{:<14} {:>7} {:>9} {:>7} {:>7} {:>8} {:>7} {:>6} {:>6} {:>6} {:>6}",
        "label",
        "support",
        "precision",
        "recall",
        "F1",
        "macro-F1",
        "PR-AUC",
        "tp",
        "fp",
        "fn",
        "tn"
    );
    for l in &o.clean.labels {
        println!(
            "{:<14} {:>7} {:>9.3} {:>7.3} {:>7.3} {:>8.3} {:>7.3} {:>6} {:>6} {:>6} {:>6}",
            l.label,
            l.support,
            l.precision,
            l.recall,
            l.f1,
            l.macro_f1,
            l.pr_auc,
            l.counts.tp,
            l.counts.fp,
            l.counts.fn_,
            l.counts.tn
        );
    }
    println!(
        "macro-F1 over labels {:.3}; mean binary macro-F1 {:.3}",
        o.clean.macro_f1, o.clean.mean_binary_macro_f1
    );
    if let Some(p) = &o.perturbed {
        println!(
            "perturbed (rate {}): mean binary macro-F1 {:.3}, drop {:.2} points",
            p.rate, p.mixed.mean_binary_macro_f1, p.drop_points
        );
        for (t, (f, d)) in &p.tactics {
            println!("  {t:<12} {f:.3}  drop {d:.2}");
        }
    }
}

#[derive(Serialize)]
struct ClassifyOut<'a> {
    id: serde_json::Value,
    scores: BTreeMap<&'a str, f32>,
    labels: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<Vec<marsad_detect::text_classifier::Contribution>>,
}

#[derive(Serialize)]
struct ErrOut {
    id: serde_json::Value,
    line: u64,
    error: String,
}

pub fn classify_cmd(args: ClassifyArgs) -> Result<ExitCode> {
    let model =
        Model::load(&args.model).with_context(|| format!("loading {}", args.model.display()))?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut line = String::new();
    let mut n = 0u64;
    let mut errors = 0u64;
    let mut ctx = PredictScratch::default();
    let mut scores = Vec::new();
    loop {
        line.clear();
        if input.read_line(&mut line).context("reading stdin")? == 0 {
            break;
        }
        n += 1;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: std::result::Result<(serde_json::Value, String), (serde_json::Value, String)> =
            match serde_json::from_str::<serde_json::Value>(&line) {
                Ok(serde_json::Value::Object(mut o)) => {
                    let id = o.remove("id").unwrap_or(serde_json::Value::Null);
                    match o.remove("text") {
                        Some(serde_json::Value::String(t)) => Ok((id, t)),
                        _ => Err((id, "no string field `text`".into())),
                    }
                }
                Ok(_) => Err((serde_json::Value::Null, "not a JSON object".into())),
                Err(e) => Err((serde_json::Value::Null, format!("not JSON: {e}"))),
            };
        let res = match parsed {
            Ok((id, text)) => {
                model.scores_into(&text, &mut ctx, &mut scores);
                let over = model.over_threshold(&scores);
                let labels = model.labels();
                let o = ClassifyOut {
                    id,
                    scores: labels
                        .iter()
                        .zip(&scores)
                        .map(|(l, s)| (l.as_str(), (*s * 1e4).round() / 1e4))
                        .collect(),
                    labels: labels
                        .iter()
                        .zip(&over)
                        .filter(|x| *x.1)
                        .map(|x| x.0.as_str())
                        .collect(),
                    explain: args.explain.then(|| model.explain(&text, args.top)),
                };
                serde_json::to_writer(&mut out, &o)
            }
            Err((id, error)) => {
                errors += 1;
                serde_json::to_writer(&mut out, &ErrOut { id, line: n, error })
            }
        };
        res.context("writing the output")?;
        match out.write_all(b"\n") {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
            r => r.context("writing the output")?,
        }
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r.context("writing the output")?,
    }
    Ok(if errors > 0 {
        ExitCode::from(crate::EXIT_REJECTS)
    } else {
        ExitCode::SUCCESS
    })
}
