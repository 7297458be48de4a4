//! `text_classifier`: runs the configured text models. A model is anything implementing
//! [`TextModel`] (the trainable classifier adapts to it); [`LinearTextModel`] is a small
//! linear bag-of-words model read from JSON, used for tests and the benchmark. Without a
//! model the detector is not registered (the CLI prints a notice).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::detector::{Detector, ItemContext};
use crate::finding::{Bilingual, Evidence, Finding, Severity, Subject};
use crate::DetectError;

/// A text model as the detector uses it.
pub trait TextModel: Send + Sync + std::fmt::Debug {
    /// Provenance: name + version/fingerprint.
    fn id(&self) -> String;
    fn labels(&self) -> &[String];
    /// `(label, probability, over threshold)` for every label.
    fn score(&self, text: &str) -> Vec<(String, f32, bool)>;
}

/// A one-vs-rest logistic model over normalized words (the text engine's match key):
/// `p(label) = σ(bias + Σ weight(word))`.
///
/// JSON: `{"name": "...", "labels": ["propaganda", ...], "threshold": 0.5,
/// "bias": {"propaganda": -3.0}, "weights": {"propaganda": {"word": 1.5, ...}}}`.
#[derive(Debug, Clone)]
pub struct LinearTextModel {
    name: String,
    fingerprint: String,
    labels: Vec<String>,
    threshold: f32,
    bias: Vec<f32>,
    /// word → weight per label (index into `labels`).
    weights: HashMap<String, Vec<(usize, f32)>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinearFile {
    name: String,
    labels: Vec<String>,
    #[serde(default = "half")]
    threshold: f32,
    #[serde(default)]
    bias: HashMap<String, f32>,
    weights: HashMap<String, HashMap<String, f32>>,
}

fn half() -> f32 {
    0.5
}

impl LinearTextModel {
    pub fn parse(json: &str, path: &Path) -> Result<LinearTextModel, DetectError> {
        let err = |message: String| DetectError::Parse {
            path: path.to_path_buf(),
            message,
        };
        let f: LinearFile = serde_json::from_str(json).map_err(|e| err(e.to_string()))?;
        if f.labels.is_empty() {
            return Err(err("field `labels`: no labels".into()));
        }
        if !(0.0..=1.0).contains(&f.threshold) {
            return Err(err(format!(
                "field `threshold`: {} is not in 0..1",
                f.threshold
            )));
        }
        let mut weights: HashMap<String, Vec<(usize, f32)>> = HashMap::new();
        for (label, ws) in &f.weights {
            let Some(li) = f.labels.iter().position(|l| l == label) else {
                return Err(err(format!("field `weights`: unknown label {label:?}")));
            };
            for (word, w) in ws {
                let key = marsad_text::match_key(word);
                if key.is_empty() {
                    continue;
                }
                weights.entry(key).or_default().push((li, *w));
            }
        }
        let bias = f
            .labels
            .iter()
            .map(|l| f.bias.get(l).copied().unwrap_or(0.0))
            .collect();
        Ok(LinearTextModel {
            name: f.name,
            fingerprint: format!("{:08x}", xxhash_rust::xxh3::xxh3_64(json.as_bytes()) as u32),
            labels: f.labels,
            threshold: f.threshold,
            bias,
            weights,
        })
    }
    pub fn load(path: &Path) -> Result<LinearTextModel, DetectError> {
        let text = std::fs::read_to_string(path).map_err(|e| DetectError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        LinearTextModel::parse(&text, path)
    }
}

impl TextModel for LinearTextModel {
    fn id(&self) -> String {
        format!("{}@{}", self.name, self.fingerprint)
    }
    fn labels(&self) -> &[String] {
        &self.labels
    }
    fn score(&self, text: &str) -> Vec<(String, f32, bool)> {
        let mut z = self.bias.clone();
        let key = marsad_text::match_key(text);
        for word in key.split(' ') {
            if let Some(ws) = self.weights.get(word) {
                for &(li, w) in ws {
                    z[li] += w;
                }
            }
        }
        self.labels
            .iter()
            .zip(z)
            .map(|(l, z)| {
                let p = 1.0 / (1.0 + (-z).exp());
                (l.clone(), p, p >= self.threshold)
            })
            .collect()
    }
}

/// The detector over one or more models.
#[derive(Debug)]
pub struct TextClassifier {
    models: Vec<Arc<dyn TextModel>>,
}

impl TextClassifier {
    pub fn new(models: Vec<Arc<dyn TextModel>>) -> TextClassifier {
        TextClassifier { models }
    }
}

impl Detector for TextClassifier {
    fn id(&self) -> &'static str {
        "text_classifier"
    }
    fn version(&self) -> String {
        let ids: Vec<String> = self.models.iter().map(|m| m.id()).collect();
        format!("1+{}", ids.join("+"))
    }
    fn detect_item(&self, ctx: &ItemContext<'_>) -> Vec<Finding> {
        let item = ctx.item;
        if item.text.trim().is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for m in &self.models {
            for (label, p, over) in m.score(&item.text) {
                if !over {
                    continue;
                }
                let mut ev = Evidence::default();
                ev.feature("label", label.as_str(), None);
                ev.feature("probability", f64::from(p), None);
                ev.rules.push(m.id());
                out.push(Finding {
                    detector: self.id().into(),
                    version: self.version(),
                    category: "classifier".into(),
                    score: p,
                    severity: Severity::from_score(p),
                    subject: Subject::Item {
                        item: item.key(),
                        account: item.author_key(),
                    },
                    at: item.at_micros(),
                    evidence: ev,
                    explanation: Bilingual::new(
                        format!(
                            "model {} labels the text '{label}' with probability {p:.2}.",
                            m.id()
                        ),
                        format!("النموذج {} يصنّف النص «{label}» باحتمال {p:.2}.", m.id()),
                    ),
                    advice: None,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testing::run_item;

    const TINY: &str = r#"{"name": "tiny", "labels": ["propaganda", "threat"], "threshold": 0.5,
        "bias": {"propaganda": -2.0, "threat": -2.0},
        "weights": {"propaganda": {"الخلافة": 1.5, "باقية": 1.5}, "threat": {"سنقتلكم": 4.0}}}"#;

    #[test]
    fn tiny_model_scores_and_explains() {
        let m = LinearTextModel::parse(TINY, Path::new("tiny.json")).unwrap();
        assert_eq!(m.labels(), ["propaganda", "threat"]);
        let s = m.score("دولة الخلافة باقية");
        assert!(s[0].2, "{s:?}");
        assert!(!s[1].2);
        let d = TextClassifier::new(vec![Arc::new(m)]);
        assert!(d.version().contains("tiny@"));
        let f = run_item(&d, "دولة الخلافة باقية");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].category, "classifier");
        assert!(f[0].explanation.en.contains("propaganda"));
        assert!(run_item(&d, "مباراة الزوراء اليوم").is_empty());
    }

    #[test]
    fn bad_model_files_name_the_field() {
        let e = LinearTextModel::parse(
            r#"{"name":"x","labels":[],"weights":{}}"#,
            Path::new("m.json"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("labels"), "{e}");
        let e = LinearTextModel::parse(
            r#"{"name":"x","labels":["a"],"weights":{"b":{"w":1}}}"#,
            Path::new("m.json"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown label"), "{e}");
    }
}
