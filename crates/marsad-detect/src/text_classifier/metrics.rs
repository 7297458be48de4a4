//! Binary metrics per label: confusion counts, precision, recall, F1 (of the label and of its
//! absence), the binary macro-F1 used by OSACT, and PR-AUC (average precision).

use serde::{Deserialize, Serialize};

/// Confusion counts of one label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    pub tn: u64,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Counts {
    pub fn add(&mut self, predicted: bool, actual: bool) {
        match (predicted, actual) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }
    pub fn support(&self) -> u64 {
        self.tp + self.fn_
    }
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    /// F1 of the label.
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
    /// F1 of the label's absence (the negative class).
    pub fn f1_negative(&self) -> f64 {
        ratio(2 * self.tn, 2 * self.tn + self.fn_ + self.fp)
    }
    /// Mean of the two classes' F1: OSACT's "macro-F1" for a binary task.
    pub fn macro_f1(&self) -> f64 {
        (self.f1() + self.f1_negative()) / 2.0
    }
}

/// Average precision (area under the precision-recall curve, step-wise as scikit-learn's
/// `average_precision_score`). `0.0` when there are no positives.
pub fn average_precision(scored: &mut [(f32, bool)]) -> f64 {
    let pos = scored.iter().filter(|x| x.1).count();
    if pos == 0 {
        return 0.0;
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut tp, mut fp, mut ap, mut prev_recall) = (0u64, 0u64, 0.0, 0.0);
    let mut i = 0;
    while i < scored.len() {
        // All examples with the same score form one step.
        let s = scored[i].0;
        while i < scored.len() && scored[i].0 == s {
            if scored[i].1 {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        let recall = tp as f64 / pos as f64;
        let precision = tp as f64 / (tp + fp) as f64;
        ap += (recall - prev_recall) * precision;
        prev_recall = recall;
    }
    ap
}

/// What a threshold is chosen to maximise on the validation split.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// F1 of the label (default).
    F1,
    /// Binary macro-F1 (label and its absence).
    MacroF1,
    /// The highest recall with at least this precision.
    Precision(f64),
}

impl std::str::FromStr for Objective {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "f1" => Ok(Objective::F1),
            "macro-f1" => Ok(Objective::MacroF1),
            _ => match s.strip_prefix("precision=").map(str::parse::<f64>) {
                Some(Ok(p)) if (0.0..=1.0).contains(&p) => Ok(Objective::Precision(p)),
                _ => Err(format!(
                    "{s:?}: expected f1, macro-f1 or precision=P (0..1)"
                )),
            },
        }
    }
}

/// The threshold on `scores` (predict positive when `score >= threshold`) that maximises the
/// objective; halfway between the chosen score and the next lower one. `None` without
/// positives.
pub fn best_threshold(scored: &mut [(f32, bool)], objective: Objective) -> Option<f32> {
    let pos = scored.iter().filter(|x| x.1).count() as u64;
    let n = scored.len() as u64;
    if pos == 0 || n == 0 {
        return None;
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut best: Option<(f64, f64, f32)> = None; // (objective, recall, threshold)
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut i = 0;
    while i < scored.len() {
        let s = scored[i].0;
        while i < scored.len() && scored[i].0 == s {
            if scored[i].1 {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        let c = Counts {
            tp,
            fp,
            fn_: pos - tp,
            tn: n - pos - fp,
        };
        let value = match objective {
            Objective::F1 => c.f1(),
            Objective::MacroF1 => c.macro_f1(),
            Objective::Precision(p) => {
                if c.precision() >= p {
                    c.recall()
                } else {
                    -1.0
                }
            }
        };
        let next = scored.get(i).map(|x| x.0);
        let t = match next {
            Some(lower) => s / 2.0 + lower / 2.0,
            None => s,
        };
        if best.is_none_or(|b| value > b.0) {
            best = Some((value, c.recall(), t));
        }
    }
    best.filter(|b| b.0 >= 0.0).map(|b| b.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_f1() {
        let c = Counts {
            tp: 8,
            fp: 2,
            fn_: 2,
            tn: 88,
        };
        assert!((c.precision() - 0.8).abs() < 1e-12);
        assert!((c.recall() - 0.8).abs() < 1e-12);
        assert!((c.f1() - 0.8).abs() < 1e-12);
        assert!((c.f1_negative() - 176.0 / 180.0).abs() < 1e-12);
        assert_eq!(Counts::default().f1(), 0.0);
    }

    #[test]
    fn average_precision_matches_sklearn() {
        // sklearn: average_precision_score([0,0,1,1], [0.1,0.4,0.35,0.8]) == 0.8333...
        let mut v = vec![(0.1, false), (0.4, false), (0.35, true), (0.8, true)];
        assert!((average_precision(&mut v) - 0.833_333_333).abs() < 1e-6);
    }

    #[test]
    fn threshold_separates() {
        let mut v = vec![
            (0.9, true),
            (0.8, true),
            (0.6, false),
            (0.3, false),
            (0.7, true),
        ];
        let t = best_threshold(&mut v, Objective::F1).unwrap();
        assert!(t > 0.6 && t < 0.7, "{t}");
        // At precision 1.0, the same; a target no threshold reaches gives None.
        let t = best_threshold(&mut v, Objective::Precision(1.0)).unwrap();
        assert!(t > 0.6 && t < 0.7, "{t}");
        let mut bad = vec![(0.9, false), (0.1, true)];
        assert_eq!(best_threshold(&mut bad, Objective::Precision(0.9)), None);
        assert_eq!(best_threshold(&mut [(0.5, false)], Objective::F1), None);
        assert!("precision=0.9".parse::<Objective>().is_ok());
        assert!("precision=2".parse::<Objective>().is_err());
    }
}
