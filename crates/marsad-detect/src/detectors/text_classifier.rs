//! `text_classifier`: runs the configured text models. A model is anything implementing
//! [`TextModel`] (the trainable classifier adapts to it); [`LinearTextModel`] is a small
//! linear bag-of-words model read from JSON, used for tests and the benchmark. Without a
//! model the detector is not registered (the CLI prints a notice).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::detector::{Detector, ItemContext};
use crate::finding::{Bilingual, Evidence, Finding, Severity, Span, Subject};
use crate::DetectError;

/// One feature behind a label: its name, its contribution to the decision, and the byte
/// spans of the original text it was read from.
pub type Contribution = (String, f32, Vec<(usize, usize)>);

/// A text model as the detector uses it.
pub trait TextModel: Send + Sync + std::fmt::Debug {
    /// Provenance: name + version/fingerprint.
    fn id(&self) -> String;
    fn labels(&self) -> &[String];
    /// `(label, probability, over threshold)` for every label.
    fn score(&self, text: &str) -> Vec<(String, f32, bool)>;
    /// The features that pushed `label` up the most in `text`: `(feature, contribution, byte
    /// spans of the original text)`, strongest first. Models that cannot say return nothing.
    fn explain(&self, _text: &str, _label: &str, _top: usize) -> Vec<Contribution> {
        Vec::new()
    }
}

/// The trainable classifier (`marsad train`, issue 4) as a detector model.
impl TextModel for crate::text_classifier::Model {
    fn id(&self) -> String {
        crate::text_classifier::Model::id(self)
    }
    fn labels(&self) -> &[String] {
        crate::text_classifier::Model::labels(self)
    }
    fn score(&self, text: &str) -> Vec<(String, f32, bool)> {
        let p = self.predict(text);
        let over = self.over_threshold(&p.scores);
        crate::text_classifier::Model::labels(self)
            .iter()
            .zip(p.scores)
            .zip(over)
            .map(|((l, s), o)| (l.clone(), s, o))
            .collect()
    }
    fn explain(&self, text: &str, label: &str, top: usize) -> Vec<Contribution> {
        crate::text_classifier::Model::explain(self, text, top)
            .into_iter()
            .filter(|c| c.label == label && c.weight > 0.0)
            .map(|c| (c.feature, c.weight, c.spans))
            .collect()
    }
}

/// Load a text model: a classifier model file written by `marsad train`, or a
/// [`LinearTextModel`] JSON file (a file whose first non-blank byte is `{`).
pub fn load_text_model(path: &Path) -> Result<Arc<dyn TextModel>, DetectError> {
    let bytes = std::fs::read(path).map_err(|e| DetectError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let json = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if json {
        let text = String::from_utf8(bytes).map_err(|e| DetectError::Parse {
            path: path.to_path_buf(),
            message: format!("not UTF-8: {e}"),
        })?;
        return Ok(Arc::new(LinearTextModel::parse(&text, path)?));
    }
    let m = crate::text_classifier::Model::load(path).map_err(|e| DetectError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(Arc::new(m))
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
                // What the model read: its strongest features, with their spans.
                for (feature, weight, spans) in m.explain(&item.text, &label, 5) {
                    ev.feature("contribution", f64::from(weight), Some(feature.clone()));
                    for (start, end) in spans {
                        let Some(matched) = item.text.get(start..end) else {
                            continue;
                        };
                        ev.spans.push(Span {
                            start,
                            end,
                            matched: matched.to_string(),
                            term: feature.clone(),
                            kind: format!("classifier:{label}"),
                            note: String::new(),
                        });
                    }
                }
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

    /// The trainable classifier plugs in through `load_text_model`: its findings carry the
    /// model id and the spans of the features that decided.
    #[test]
    fn trained_classifier_as_detector_model() {
        use crate::text_classifier::{train, Example, TrainOptions};
        let insults = ["كلب", "حمار", "غبي", "حقير", "تافه"];
        let calm = ["شمس", "بحر", "كتاب", "مدرسة", "شجرة"];
        let mut data = Vec::new();
        for i in 0..200 {
            data.push(Example {
                text: format!("انت {} و {} {i}", insults[i % 5], insults[(i / 5) % 5]),
                labels: vec!["insult".into()],
            });
            data.push(Example {
                text: format!("هذا {} و {} {i}", calm[i % 5], calm[(i / 5) % 5]),
                labels: vec![],
            });
        }
        let (model, _) = train(&data, vec!["synthetic".into()], &TrainOptions::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("insult.model");
        model.save(&path).unwrap();
        let m = load_text_model(&path).unwrap();
        assert_eq!(m.labels(), ["insult"]);
        let d = TextClassifier::new(vec![m]);
        let text = "انت حقير و غبي";
        let f = run_item(&d, text);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].evidence.rules[0].contains('@'));
        assert!(!f[0].evidence.spans.is_empty());
        for s in &f[0].evidence.spans {
            assert_eq!(&text[s.start..s.end], s.matched);
        }
        assert!(run_item(&d, "هذا بحر و كتاب").is_empty());
        // A JSON file is read as a linear model; garbage is an error naming the file.
        let json = dir.path().join("tiny.json");
        std::fs::write(&json, TINY).unwrap();
        assert!(load_text_model(&json).unwrap().id().starts_with("tiny@"));
        let bad = dir.path().join("bad.model");
        std::fs::write(&bad, b"not a model").unwrap();
        let e = load_text_model(&bad).unwrap_err().to_string();
        assert!(e.contains("bad.model"), "{e}");
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
