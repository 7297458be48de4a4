//! The trainable text classifier: a multi-label, one-vs-rest linear model over hashed
//! features of the normalization match key.
//!
//! - [`features`]: character n-grams (2–5, within and across word boundaries) of the match
//!   key, word uni/bigrams, optional text-engine signals; fixed hashing into 2^bits slots;
//! - [`train()`]: sublinear TF × IDF with L2 row norm, an L2-regularised squared-hinge linear
//!   SVM per label solved by dual coordinate descent (liblinear's algorithm), class weights,
//!   Platt scaling and a threshold per label on a validation split;
//! - [`Model`]: prediction, explanations mapped back to spans of the original text, and the
//!   versioned model file ([`format`]);
//! - [`data`]: the [`data::LabelledSource`] hook and its readers (JSON lines, CSV/TSV);
//! - [`metrics`], [`perturb`]: evaluation and the evasion-perturbed evaluation.

pub mod data;
pub mod features;
pub mod format;
pub mod metrics;
pub mod perturb;
mod train;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use data::{Example, LabelledSource};
pub use features::FeatureConfig;
pub use format::FORMAT_VERSION;
pub use metrics::{Counts, Objective};
pub use train::{train, TrainOptions, TrainReport};

use features::{Origin, Scratch};

/// Errors of the classifier.
#[derive(Debug, thiserror::Error)]
pub enum ClassifierError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A model file that cannot be used (corrupt, truncated, not a model).
    #[error("{path}: not a usable model file: {reason}")]
    BadModel { path: PathBuf, reason: String },
    /// A model file written by a newer Marsad.
    #[error("{path}: model format version {found} is newer than this build reads (up to {supported}); upgrade Marsad")]
    NewerModel {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    /// Bad input data or options.
    #[error("{0}")]
    Input(String),
    #[error("text engine: {0}")]
    Engine(#[from] marsad_text::EngineError),
}

/// Per-label parameters learned in training.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LabelParams {
    pub label: String,
    /// Probability threshold: the label is predicted when `p >= threshold`.
    pub threshold: f32,
    /// Platt scaling: `p = 1 / (1 + exp(a * decision + b))`.
    pub platt_a: f64,
    pub platt_b: f64,
    /// The regularisation constant used (chosen on the validation split when automatic).
    pub c: f64,
    pub train_positives: u64,
    pub train_negatives: u64,
    /// Metrics at the chosen threshold on the validation split, or out-of-fold with
    /// cross-validation (absent without either).
    pub valid: Option<ValidMetrics>,
}

/// Validation metrics stored in the model header.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ValidMetrics {
    pub counts: Counts,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub macro_f1: f64,
    pub pr_auc: f64,
}

/// Where the model came from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrainingInfo {
    /// SHA-256 of the training examples (texts and labels, in order), hex.
    pub fingerprint: String,
    pub sources: Vec<String>,
    pub examples: u64,
    pub train_examples: u64,
    pub valid_examples: u64,
    pub seed: u64,
    pub valid_frac: f64,
    /// Cross-validation folds used for C, calibration and thresholds (0: the validation split).
    pub cv: u32,
    /// Fraction held out for evaluation (`--holdout`), excluded from training.
    pub holdout: f64,
    pub objective: Objective,
    pub class_weight: bool,
    /// NB-SVM feature scaling.
    #[serde(default)]
    pub nb: bool,
    /// Distinct hashed features seen in training.
    pub features_seen: u64,
}

/// The model file header (JSON inside the binary file).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Header {
    pub name: String,
    pub created_by: String,
    pub features: FeatureConfig,
    pub labels: Vec<LabelParams>,
    pub training: TrainingInfo,
}

/// A trained classifier. Immutable after loading; `Send + Sync`.
#[derive(Debug)]
pub struct Model {
    header: Header,
    /// The header as stored (saving writes these bytes again, so the id is stable).
    header_json: Vec<u8>,
    label_names: Vec<String>,
    /// Per hashed feature `j`, at `j * (L + 1)`: its IDF (0 for features never seen in
    /// training: they are ignored), then its weight for each of the `L` labels. One cache
    /// line per feature at prediction time.
    table: Vec<f32>,
    bias: Vec<f32>,
    engine: Option<marsad_text::Engine>,
    /// SHA-256 of the model file's content, hex.
    digest: String,
}

/// Scores of one text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// Calibrated probability per label, in the order of [`Model::labels`].
    pub scores: Vec<f32>,
    /// Labels whose probability reaches their threshold.
    pub labels: Vec<String>,
}

/// One feature's contribution to a label's decision value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub label: String,
    /// `char:<n-gram>`, `word:<word>`, `words:<w1 w2>`, `symbol:😂`, `symbols:😂👊`, or a
    /// signal (`lex:hate`, `flag:arabizi`).
    pub feature: String,
    /// Contribution to the decision value (weight × feature value); positive pushes toward
    /// the label.
    pub weight: f32,
    /// Byte spans `[start, end)` of the original text the feature was read from.
    pub spans: Vec<(usize, usize)>,
}

impl Model {
    /// Load a model file (see [`format`]).
    pub fn load(path: &std::path::Path) -> Result<Model, ClassifierError> {
        format::load(path)
    }

    /// Save to a model file (written to a temporary file, then renamed).
    pub fn save(&self, path: &std::path::Path) -> Result<(), ClassifierError> {
        format::save(self, path)
    }

    pub(crate) fn from_parts(
        header: Header,
        header_json: Vec<u8>,
        table: Vec<f32>,
        bias: Vec<f32>,
        digest: String,
    ) -> Result<Model, ClassifierError> {
        let engine = if header.features.signals {
            Some(marsad_text::Engine::with_defaults()?)
        } else {
            None
        };
        Ok(Model {
            label_names: header.labels.iter().map(|l| l.label.clone()).collect(),
            header,
            header_json,
            table,
            bias,
            engine,
            digest,
        })
    }

    pub fn labels(&self) -> &[String] {
        &self.label_names
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// `name@` and the first 12 hex digits of the model file's SHA-256.
    pub fn id(&self) -> String {
        format!(
            "{}@{}",
            self.header.name,
            &self.digest[..12.min(self.digest.len())]
        )
    }

    pub(crate) fn parts(&self) -> (&[u8], &[f32], &[f32]) {
        (&self.header_json, &self.table, &self.bias)
    }

    /// Decision values (before calibration) of `text` into `out` (one per label).
    pub fn decisions_into(&self, text: &str, ctx: &mut PredictScratch, out: &mut Vec<f32>) {
        let cfg = &self.header.features;
        features::counts(
            cfg,
            text,
            self.engine.as_ref(),
            &mut ctx.scratch,
            &mut ctx.raw,
            &mut ctx.counts,
        );
        let nl = self.label_names.len();
        out.clear();
        out.resize(nl, 0.0);
        let mut norm = 0f32;
        for &(j, tf) in &ctx.counts {
            let row = &self.table[j as usize * (nl + 1)..(j as usize + 1) * (nl + 1)];
            let idf = row[0];
            if idf == 0.0 {
                continue;
            }
            let v = if tf == 1 {
                idf
            } else {
                (1.0 + (tf as f32).ln()) * idf
            };
            norm += v * v;
            for (o, wl) in out.iter_mut().zip(&row[1..]) {
                *o += v * wl;
            }
        }
        let inv = if norm > 0.0 { 1.0 / norm.sqrt() } else { 0.0 };
        for (o, b) in out.iter_mut().zip(&self.bias) {
            *o = *o * inv + b;
        }
    }

    /// Calibrated probabilities of `text` into `out` (one per label), reusing buffers.
    pub fn scores_into(&self, text: &str, ctx: &mut PredictScratch, out: &mut Vec<f32>) {
        self.decisions_into(text, ctx, out);
        for (o, p) in out.iter_mut().zip(&self.header.labels) {
            *o = platt(*o as f64, p.platt_a, p.platt_b) as f32;
        }
    }

    /// Whether each score reaches its label's threshold.
    pub fn over_threshold(&self, scores: &[f32]) -> Vec<bool> {
        scores
            .iter()
            .zip(&self.header.labels)
            .map(|(s, p)| *s >= p.threshold)
            .collect()
    }

    /// Scores per label and the labels over their thresholds.
    pub fn predict(&self, text: &str) -> Prediction {
        let mut ctx = PredictScratch::default();
        let mut scores = Vec::new();
        self.scores_into(text, &mut ctx, &mut scores);
        let labels = scores
            .iter()
            .zip(&self.header.labels)
            .filter(|(s, p)| **s >= p.threshold)
            .map(|(_, p)| p.label.clone())
            .collect();
        Prediction { scores, labels }
    }

    /// The `top` features that push each label's decision up the most, with the spans of the
    /// original text they were read from. Labels in model order, features by contribution.
    pub fn explain(&self, text: &str, top: usize) -> Vec<Contribution> {
        let cfg = &self.header.features;
        let mut occurrences: Vec<(u32, Origin)> = Vec::new();
        let key = features::featurize(
            cfg,
            text,
            self.engine.as_ref(),
            &mut Scratch::default(),
            |j, o| occurrences.push((j, o)),
        );
        occurrences.sort_by_key(|x| x.0);
        // Feature values as in `decisions_into`.
        let mut values: Vec<(u32, f32)> = Vec::new();
        let mut i = 0;
        let mut norm = 0f32;
        while i < occurrences.len() {
            let j = occurrences[i].0;
            let mut k = i;
            while k < occurrences.len() && occurrences[k].0 == j {
                k += 1;
            }
            let idf = self.table[j as usize * (self.label_names.len() + 1)];
            if idf > 0.0 {
                let v = (1.0 + ((k - i) as f32).ln()) * idf;
                norm += v * v;
                values.push((j, v));
            }
            i = k;
        }
        let inv = if norm > 0.0 { 1.0 / norm.sqrt() } else { 0.0 };
        let nl = self.label_names.len();
        let signal_names = features::signal_names();
        let mut out = Vec::new();
        for (l, label) in self.label_names.iter().enumerate() {
            let mut contrib: Vec<(f32, u32)> = values
                .iter()
                .map(|&(j, v)| (v * inv * self.table[j as usize * (nl + 1) + 1 + l], j))
                .filter(|c| c.0 > 0.0)
                .collect();
            contrib.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(c, j) in contrib.iter().take(top) {
                let start = occurrences.partition_point(|x| x.0 < j);
                let occ = occurrences[start..]
                    .iter()
                    .take_while(|x| x.0 == j)
                    .map(|x| x.1);
                let mut name = String::new();
                let mut spans = Vec::new();
                for o in occ {
                    let (n, span) = describe(text, &key, o, &signal_names);
                    if name.is_empty() {
                        name = n;
                    }
                    if let Some(s) = span {
                        if !spans.contains(&s) {
                            spans.push(s);
                        }
                    }
                }
                spans.sort_unstable();
                out.push(Contribution {
                    label: label.clone(),
                    feature: name,
                    weight: c,
                    spans,
                });
            }
        }
        out
    }
}

fn describe(
    text: &str,
    key: &marsad_text::Key,
    o: Origin,
    signal_names: &[(u64, String)],
) -> (String, Option<(usize, usize)>) {
    match o {
        Origin::Char { a, b, .. } => (
            format!("char:{}", key.text.get(a..b).unwrap_or("")),
            key.original_span(a, b),
        ),
        Origin::Word { a, b, n } => (
            format!(
                "{}:{}",
                if n == 1 { "word" } else { "words" },
                key.text.get(a..b).unwrap_or("")
            ),
            key.original_span(a, b),
        ),
        Origin::Symbol { a, b, n } => (
            format!(
                "{}:{}",
                if n == 1 { "symbol" } else { "symbols" },
                text.get(a..b).unwrap_or("")
            ),
            Some((a, b)),
        ),
        Origin::Signal { name, span } => (
            signal_names
                .iter()
                .find(|s| s.0 == name)
                .map(|s| s.1.clone())
                .unwrap_or_else(|| "signal".to_string()),
            span,
        ),
    }
}

/// Reusable buffers for [`Model::scores_into`].
#[derive(Debug, Default)]
pub struct PredictScratch {
    scratch: Scratch,
    raw: Vec<u32>,
    counts: Vec<(u32, u32)>,
}

pub(crate) fn platt(decision: f64, a: f64, b: f64) -> f64 {
    let f = a * decision + b;
    // Numerically stable logistic of -f.
    if f >= 0.0 {
        (-f).exp() / (1.0 + (-f).exp())
    } else {
        1.0 / (1.0 + f.exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<Model>();
    }
}
