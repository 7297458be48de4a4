//! Training: TF-IDF rows, a squared-hinge linear SVM per label (dual coordinate descent, as
//! liblinear's `L2R_L2LOSS_SVC_DUAL`), Platt scaling and thresholds on a validation split.

use std::time::Instant;

use sha2::{Digest, Sha256};

use super::data::{in_fraction, Example, SALT_VALID};
use super::features::{self, FeatureConfig, Scratch};
use super::metrics::{average_precision, best_threshold, Counts, Objective};
use super::{ClassifierError, Header, LabelParams, Model, TrainingInfo, ValidMetrics};

/// Training options.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub name: String,
    pub features: FeatureConfig,
    /// Labels to learn (default: every label seen, sorted).
    pub labels: Option<Vec<String>>,
    pub valid_frac: f64,
    /// Folds of cross-validation for C, calibration and thresholds (0 or 1: use the
    /// validation split instead).
    pub cv: u32,
    pub seed: u64,
    /// Regularisation constant; `None` picks one per label on the validation split.
    pub c: Option<f64>,
    /// Weigh classes inversely to their frequency.
    pub class_weight: bool,
    /// Scale features by their NB log-count ratio per label (NB-SVM).
    pub nb: bool,
    pub objective: Objective,
    /// Stop when the projected-gradient gap is below this.
    pub tolerance: f64,
    pub max_epochs: u32,
    /// Fraction excluded by `--holdout` (recorded in the header only).
    pub holdout: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            name: "model".into(),
            features: FeatureConfig::default(),
            labels: None,
            valid_frac: 0.1,
            cv: 5,
            seed: 42,
            c: Some(1.0),
            class_weight: true,
            nb: false,
            objective: Objective::F1,
            tolerance: 0.05,
            max_epochs: 100,
            holdout: 0.0,
        }
    }
}

/// A C tried: (PR-AUC, C, out-of-fold decisions).
type Candidate = (f64, f64, Vec<(f64, bool)>);

/// Candidates for automatic C.
pub const C_GRID: &[f64] = &[0.1, 0.3, 1.0];

/// What happened in training (also in the model header).
#[derive(Debug, Clone)]
pub struct TrainReport {
    pub warnings: Vec<String>,
    /// Epochs of the final fit, per label.
    pub epochs: Vec<u32>,
    pub seconds: f64,
}

/// Rows of L2-normalised TF-IDF values.
struct Rows {
    ptr: Vec<usize>,
    idx: Vec<u32>,
    val: Vec<f32>,
}

impl Rows {
    fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.ptr[i], self.ptr[i + 1]);
        (&self.idx[a..b], &self.val[a..b])
    }
}

/// SplitMix64: a small deterministic generator for shuffling.
struct SplitMix(u64);
impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Train a model on `examples` (`sources` names where they came from, for the header).
pub fn train(
    examples: &[Example],
    sources: Vec<String>,
    opts: &TrainOptions,
) -> Result<(Model, TrainReport), ClassifierError> {
    let started = Instant::now();
    opts.features.validate().map_err(ClassifierError::Input)?;
    if !(0.0..0.9).contains(&opts.valid_frac) {
        return Err(ClassifierError::Input(format!(
            "--valid-frac must be in [0, 0.9), got {}",
            opts.valid_frac
        )));
    }
    if examples.is_empty() {
        return Err(ClassifierError::Input("no training examples".into()));
    }
    let labels: Vec<String> = match &opts.labels {
        Some(l) => l.clone(),
        None => {
            let mut all: Vec<String> = examples.iter().flat_map(|e| e.labels.clone()).collect();
            all.sort();
            all.dedup();
            all
        }
    };
    if labels.is_empty() {
        return Err(ClassifierError::Input(
            "no labels: every example is negative (give --labels or labelled examples)".into(),
        ));
    }
    let mut warnings = Vec::new();

    // Fingerprint of the data, in order.
    let mut hasher = Sha256::new();
    for e in examples {
        hasher.update((e.text.len() as u64).to_le_bytes());
        hasher.update(e.text.as_bytes());
        hasher.update((e.labels.len() as u64).to_le_bytes());
        for l in &e.labels {
            hasher.update((l.len() as u64).to_le_bytes());
            hasher.update(l.as_bytes());
        }
    }
    let fingerprint = hex::encode(hasher.finalize());

    // Split.
    let valid_frac = if opts.cv >= 2 { 0.0 } else { opts.valid_frac };
    let is_valid: Vec<bool> = examples
        .iter()
        .map(|e| in_fraction(&e.text, opts.seed, SALT_VALID, valid_frac))
        .collect();
    // Folds by the text's match key (duplicates share a fold).
    let fold_of: Vec<u32> = examples
        .iter()
        .map(|e| fold(&e.text, opts.seed, opts.cv.max(1)))
        .collect();
    let n_valid = is_valid.iter().filter(|v| **v).count();
    let n_train = examples.len() - n_valid;
    if n_train == 0 {
        return Err(ClassifierError::Input(
            "the validation split took every example".into(),
        ));
    }

    // Term counts and document frequencies (training part only).
    let engine = if opts.features.signals {
        Some(marsad_text::Engine::with_defaults()?)
    } else {
        None
    };
    let dim = opts.features.dim();
    let mut df = vec![0u32; dim];
    let mut ptr = Vec::with_capacity(examples.len() + 1);
    ptr.push(0usize);
    let mut idx: Vec<u32> = Vec::new();
    let mut tfs: Vec<u32> = Vec::new();
    let (mut scratch, mut raw, mut counts) = (Scratch::default(), Vec::new(), Vec::new());
    for (e, &v) in examples.iter().zip(&is_valid) {
        features::counts(
            &opts.features,
            &e.text,
            engine.as_ref(),
            &mut scratch,
            &mut raw,
            &mut counts,
        );
        for &(j, tf) in &counts {
            if !v {
                df[j as usize] += 1;
            }
            idx.push(j);
            tfs.push(tf);
        }
        ptr.push(idx.len());
    }
    let n = n_train as f32;
    let idf: Vec<f32> = df
        .iter()
        .map(|&d| {
            if d == 0 {
                0.0
            } else {
                ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0
            }
        })
        .collect();
    let features_seen = df.iter().filter(|d| **d > 0).count() as u64;
    tracing::info!(
        "featurised {} examples ({n_train} train, {n_valid} validation) in {:.2} s: {features_seen} distinct features",
        examples.len(),
        started.elapsed().as_secs_f64()
    );
    drop(df);
    // Values: sublinear TF × IDF, unseen features dropped, L2 row norm.
    let mut rows = Rows {
        ptr: Vec::with_capacity(ptr.len()),
        idx: Vec::with_capacity(idx.len()),
        val: Vec::with_capacity(idx.len()),
    };
    rows.ptr.push(0);
    for i in 0..examples.len() {
        let start = rows.idx.len();
        let mut norm = 0f32;
        for k in ptr[i]..ptr[i + 1] {
            let j = idx[k];
            let w = idf[j as usize];
            if w == 0.0 {
                continue;
            }
            let v = (1.0 + (tfs[k] as f32).ln()) * w;
            norm += v * v;
            rows.idx.push(j);
            rows.val.push(v);
        }
        if norm > 0.0 {
            let inv = 1.0 / norm.sqrt();
            for v in &mut rows.val[start..] {
                *v *= inv;
            }
        }
        rows.ptr.push(rows.idx.len());
    }
    drop((idx, tfs, ptr));

    let train_ids: Vec<usize> = (0..examples.len()).filter(|&i| !is_valid[i]).collect();
    let valid_ids: Vec<usize> = (0..examples.len()).filter(|&i| is_valid[i]).collect();
    let nl = labels.len();
    let mut weights = vec![0f32; dim * nl];
    let mut bias = vec![0f32; nl];
    let mut params = Vec::with_capacity(nl);
    let mut epochs = Vec::new();

    for (l, label) in labels.iter().enumerate() {
        let y: Vec<bool> = examples
            .iter()
            .map(|e| e.labels.iter().any(|x| x == label))
            .collect();
        let pos = train_ids.iter().filter(|&&i| y[i]).count() as u64;
        let neg = n_train as u64 - pos;
        if pos == 0 {
            return Err(ClassifierError::Input(format!(
                "label {label:?} has no positive training example"
            )));
        }
        if neg == 0 {
            return Err(ClassifierError::Input(format!(
                "label {label:?} has no negative training example (every example has it)"
            )));
        }
        let (c, w, b, ep, dec, can_validate) = if opts.cv >= 2 {
            // Out-of-fold decision values over the whole training set choose C, Platt
            // scaling and the threshold; the final model is fitted on everything.
            let grid: Vec<f64> = match opts.c {
                Some(c) => vec![c],
                None => C_GRID.to_vec(),
            };
            let mut best: Option<Candidate> = None;
            for &c in &grid {
                let oof = out_of_fold(&rows, &train_ids, &fold_of, &y, c, opts, dim);
                let mut s: Vec<(f32, bool)> = oof.iter().map(|&(d, t)| (d as f32, t)).collect();
                let ap = average_precision(&mut s);
                if best.as_ref().is_none_or(|x| ap > x.0) {
                    best = Some((ap, c, oof));
                }
            }
            let Some((_, c, oof)) = best else {
                return Err(ClassifierError::Input("empty C grid".into()));
            };
            let (w, b, ep) = fit_svm(&rows, &train_ids, &y, c, opts, dim);
            (c, w, b, ep, oof, true)
        } else {
            let valid_pos = valid_ids.iter().filter(|&&i| y[i]).count();
            let can_validate = valid_pos > 0 && valid_pos < valid_ids.len();
            if !can_validate && opts.valid_frac > 0.0 {
                warnings.push(format!(
                    "label {label:?}: the validation split has {valid_pos} positive(s) of {}: Platt scaling and the threshold come from the training data (optimistic)",
                    valid_ids.len()
                ));
            }
            let grid: Vec<f64> = match opts.c {
                Some(c) => vec![c],
                None if can_validate => C_GRID.to_vec(),
                None => vec![1.0],
            };
            let mut best: Option<(f64, f64, Vec<f64>, f64, u32)> = None; // (ap, c, w, b, epochs)
            for &c in &grid {
                let (w, b, ep) = fit_svm(&rows, &train_ids, &y, c, opts, dim);
                let ap = if can_validate && grid.len() > 1 {
                    let mut s: Vec<(f32, bool)> = valid_ids
                        .iter()
                        .map(|&i| (decision(&rows, i, &w, b) as f32, y[i]))
                        .collect();
                    average_precision(&mut s)
                } else {
                    0.0
                };
                if best.as_ref().is_none_or(|x| ap > x.0) {
                    best = Some((ap, c, w, b, ep));
                }
            }
            let Some((_, c, w, b, ep)) = best else {
                return Err(ClassifierError::Input("empty C grid".into()));
            };
            let cal_ids = if can_validate { &valid_ids } else { &train_ids };
            let dec: Vec<(f64, bool)> = cal_ids
                .iter()
                .map(|&i| (decision(&rows, i, &w, b), y[i]))
                .collect();
            (c, w, b, ep, dec, can_validate)
        };
        epochs.push(ep);
        tracing::info!(
            "label {label:?}: C {c}, final fit {ep} epoch(s), {:.2} s so far",
            started.elapsed().as_secs_f64()
        );
        // Calibration and threshold.
        let (pa, pb) = platt_fit(&dec);
        let mut probs: Vec<(f32, bool)> = dec
            .iter()
            .map(|&(d, t)| (super::platt(d, pa, pb) as f32, t))
            .collect();
        let threshold = match best_threshold(&mut probs, opts.objective) {
            Some(t) => t,
            None => {
                warnings.push(format!(
                    "label {label:?}: no threshold meets the objective on the validation split; using 0.5"
                ));
                0.5
            }
        };
        let valid = can_validate.then(|| {
            let mut counts = Counts::default();
            for &(p, t) in &probs {
                counts.add(p >= threshold, t);
            }
            ValidMetrics {
                counts,
                precision: counts.precision(),
                recall: counts.recall(),
                f1: counts.f1(),
                macro_f1: counts.macro_f1(),
                pr_auc: average_precision(&mut probs),
            }
        });
        for (j, wj) in w.iter().enumerate() {
            weights[j * nl + l] = *wj as f32;
        }
        bias[l] = b as f32;
        params.push(LabelParams {
            label: label.clone(),
            threshold,
            platt_a: pa,
            platt_b: pb,
            c,
            train_positives: pos,
            train_negatives: neg,
            valid,
        });
    }

    let header = Header {
        name: opts.name.clone(),
        created_by: format!("marsad-detect {}", env!("CARGO_PKG_VERSION")),
        features: opts.features.clone(),
        labels: params,
        training: TrainingInfo {
            fingerprint,
            sources,
            examples: examples.len() as u64,
            train_examples: n_train as u64,
            valid_examples: n_valid as u64,
            seed: opts.seed,
            valid_frac,
            cv: opts.cv,
            holdout: opts.holdout,
            objective: opts.objective,
            class_weight: opts.class_weight,
            nb: opts.nb,
            features_seen,
        },
    };
    let model = super::format::finish(header, idf, weights, bias)?;
    Ok((
        model,
        TrainReport {
            warnings,
            epochs,
            seconds: started.elapsed().as_secs_f64(),
        },
    ))
}

fn fold(text: &str, seed: u64, k: u32) -> u32 {
    let key = marsad_text::match_key(text);
    (features::hash_str(seed ^ 0x3C6E_F372_FE94_F82B, &key) % k as u64) as u32
}

/// Decision values of every training example from a model fitted without its fold (folds run
/// on up to `available_parallelism` threads; results do not depend on the thread count).
fn out_of_fold(
    rows: &Rows,
    train_ids: &[usize],
    fold_of: &[u32],
    y: &[bool],
    c: f64,
    opts: &TrainOptions,
    dim: usize,
) -> Vec<(f64, bool)> {
    let k = opts.cv;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(k as usize)
        .max(1);
    let mut per_fold: Vec<Vec<(usize, f64)>> = vec![Vec::new(); k as usize];
    let folds: Vec<u32> = (0..k).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = folds
            .chunks(k.div_ceil(threads as u32) as usize)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|&f| {
                            let fit_ids: Vec<usize> = train_ids
                                .iter()
                                .copied()
                                .filter(|&i| fold_of[i] != f)
                                .collect();
                            let (w, b, _) = fit_svm(rows, &fit_ids, y, c, opts, dim);
                            let out: Vec<(usize, f64)> = train_ids
                                .iter()
                                .copied()
                                .filter(|&i| fold_of[i] == f)
                                .map(|i| (i, decision(rows, i, &w, b)))
                                .collect();
                            (f, out)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            if let Ok(v) = h.join() {
                for (f, out) in v {
                    per_fold[f as usize] = out;
                }
            }
        }
    });
    let mut dec: Vec<(usize, f64)> = per_fold.into_iter().flatten().collect();
    dec.sort_by_key(|x| x.0);
    dec.into_iter().map(|(i, d)| (d, y[i])).collect()
}

/// Decision value of row `i`; `w` already includes any feature scaling (see [`fit_svm`]).
fn decision(rows: &Rows, i: usize, w: &[f64], b: f64) -> f64 {
    let (idx, val) = rows.row(i);
    let mut s = b;
    for (j, v) in idx.iter().zip(val) {
        s += w[*j as usize] * *v as f64;
    }
    s
}

/// NB-SVM feature scaling (Wang & Manning 2012): the log-count ratio of each feature between
/// the label's positive and negative training rows, with add-one smoothing.
fn nb_ratios(rows: &Rows, ids: &[usize], y: &[bool], dim: usize) -> Vec<f64> {
    let mut p = vec![1f64; dim];
    let mut q = vec![1f64; dim];
    for &i in ids {
        let (idx, val) = rows.row(i);
        let t = if y[i] { &mut p } else { &mut q };
        for (j, v) in idx.iter().zip(val) {
            t[*j as usize] += *v as f64;
        }
    }
    let sp: f64 = p.iter().sum();
    let sq: f64 = q.iter().sum();
    p.iter()
        .zip(&q)
        .map(|(a, b)| ((a / sp) / (b / sq)).ln())
        .collect()
}

/// L2-regularised squared-hinge SVM by dual coordinate descent (Hsieh et al. 2008), with a
/// bias feature of value 1 (regularised, as in liblinear).
fn fit_svm(
    rows: &Rows,
    ids: &[usize],
    y: &[bool],
    c: f64,
    opts: &TrainOptions,
    dim: usize,
) -> (Vec<f64>, f64, u32) {
    let scale = opts.nb.then(|| nb_ratios(rows, ids, y, dim));
    let sc = |j: u32| scale.as_ref().map_or(1.0, |s| s[j as usize]);
    let pos = ids.iter().filter(|&&i| y[i]).count() as f64;
    let n = ids.len() as f64;
    let neg = n - pos;
    let (cp, cn) = if opts.class_weight && pos > 0.0 && neg > 0.0 {
        (c * n / (2.0 * pos), c * n / (2.0 * neg))
    } else {
        (c, c)
    };
    let mut w = vec![0f64; dim];
    let mut b = 0f64;
    let mut alpha = vec![0f64; ids.len()];
    let diag: Vec<f64> = ids
        .iter()
        .map(|&i| 0.5 / if y[i] { cp } else { cn })
        .collect();
    let qd: Vec<f64> = ids
        .iter()
        .zip(&diag)
        .map(|(&i, d)| {
            let (idx, val) = rows.row(i);
            d + idx
                .iter()
                .zip(val)
                .map(|(j, v)| (*v as f64 * sc(*j)).powi(2))
                .sum::<f64>()
                + 1.0
        })
        .collect();
    let mut order: Vec<usize> = (0..ids.len()).collect();
    let mut rng = SplitMix(opts.seed ^ 0xD1B5_4A32_D192_ED03);
    let mut epoch = 0;
    while epoch < opts.max_epochs {
        epoch += 1;
        rng.shuffle(&mut order);
        let (mut pgmax, mut pgmin) = (f64::NEG_INFINITY, f64::INFINITY);
        for &k in &order {
            let i = ids[k];
            let yi = if y[i] { 1.0 } else { -1.0 };
            let (idx, val) = rows.row(i);
            let mut dot = b;
            for (j, v) in idx.iter().zip(val) {
                dot += w[*j as usize] * *v as f64 * sc(*j);
            }
            let g = yi * dot - 1.0 + alpha[k] * diag[k];
            let pg = if alpha[k] == 0.0 { g.min(0.0) } else { g };
            pgmax = pgmax.max(pg);
            pgmin = pgmin.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[k];
                alpha[k] = (old - g / qd[k]).max(0.0);
                let d = (alpha[k] - old) * yi;
                for (j, v) in idx.iter().zip(val) {
                    w[*j as usize] += d * *v as f64 * sc(*j);
                }
                b += d;
            }
        }
        if pgmax - pgmin < opts.tolerance {
            break;
        }
    }
    // Fold the scaling into the weights: w·(x∘r) = (w∘r)·x.
    if let Some(r) = &scale {
        for (wj, rj) in w.iter_mut().zip(r) {
            *wj *= rj;
        }
    }
    (w, b, epoch)
}

/// Platt scaling by Newton's method with backtracking (Lin, Lin & Weng 2007), on decision
/// values with targets smoothed by the class counts.
pub(crate) fn platt_fit(dec: &[(f64, bool)]) -> (f64, f64) {
    let prior1 = dec.iter().filter(|d| d.1).count() as f64;
    let prior0 = dec.len() as f64 - prior1;
    let hi = (prior1 + 1.0) / (prior1 + 2.0);
    let lo = 1.0 / (prior0 + 2.0);
    let t: Vec<f64> = dec.iter().map(|d| if d.1 { hi } else { lo }).collect();
    let (mut a, mut b) = (0.0, ((prior0 + 1.0) / (prior1 + 1.0)).ln());
    let fval_of = |a: f64, b: f64| -> f64 {
        dec.iter()
            .zip(&t)
            .map(|(&(f, _), &ti)| {
                let fapb = f * a + b;
                if fapb >= 0.0 {
                    ti * fapb + (1.0 + (-fapb).exp()).ln()
                } else {
                    (ti - 1.0) * fapb + (1.0 + fapb.exp()).ln()
                }
            })
            .sum()
    };
    let mut fval = fval_of(a, b);
    for _ in 0..100 {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (1e-12, 1e-12, 0.0, 0.0, 0.0);
        for (&(f, _), &ti) in dec.iter().zip(&t) {
            let fapb = f * a + b;
            let (p, q) = if fapb >= 0.0 {
                let e = (-fapb).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e))
            } else {
                let e = fapb.exp();
                (1.0 / (1.0 + e), e / (1.0 + e))
            };
            let d2 = p * q;
            h11 += f * f * d2;
            h22 += d2;
            h21 += f * d2;
            let d1 = ti - p;
            g1 += f * d1;
            g2 += d1;
        }
        if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;
        let mut step = 1.0;
        let mut moved = false;
        while step >= 1e-10 {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = fval_of(na, nb);
            if nf < fval + 1e-4 * step * gd {
                a = na;
                b = nb;
                fval = nf;
                moved = true;
                break;
            }
            step /= 2.0;
        }
        if !moved {
            break;
        }
    }
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str, labels: &[&str]) -> Example {
        Example {
            text: text.into(),
            labels: labels.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Two separable topics with distinct vocabularies.
    fn synthetic() -> Vec<Example> {
        let a = ["كلب", "حمار", "غبي", "حقير", "تافه"];
        let b = ["شمس", "بحر", "كتاب", "مدرسة", "شجرة"];
        let mut v = Vec::new();
        for i in 0..200 {
            let w1 = a[i % 5];
            let w2 = a[(i / 5) % 5];
            let x1 = b[i % 5];
            let x2 = b[(i / 5) % 5];
            v.push(ex(&format!("انت {w1} و {w2} {i}"), &["insult"]));
            v.push(ex(&format!("هذا {x1} و {x2} {i}"), &[]));
        }
        v
    }

    #[test]
    fn separable_data_is_learned_perfectly() {
        let data = synthetic();
        let opts = TrainOptions {
            valid_frac: 0.2,
            ..TrainOptions::default()
        };
        let (model, report) = train(&data, vec!["synthetic".into()], &opts).unwrap();
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        assert_eq!(model.labels(), ["insult"]);
        for e in &data {
            let p = model.predict(&e.text);
            assert_eq!(
                p.labels.is_empty(),
                e.labels.is_empty(),
                "{}: {p:?}",
                e.text
            );
        }
        let v = model.header().labels[0].valid.clone().unwrap();
        assert_eq!(v.f1, 1.0);
        // Unseen texts from the same vocabularies.
        assert_eq!(model.predict("انت حقير جدا").labels, ["insult"]);
        assert!(model.predict("كتاب عن البحر").labels.is_empty());
    }

    #[test]
    fn validation_split_and_nb_scaling_also_learn() {
        let data = synthetic();
        for opts in [
            TrainOptions {
                cv: 0,
                valid_frac: 0.2,
                c: None,
                ..TrainOptions::default()
            },
            TrainOptions {
                nb: true,
                ..TrainOptions::default()
            },
        ] {
            let (model, _) = train(&data, vec![], &opts).unwrap();
            for e in &data {
                let p = model.predict(&e.text);
                assert_eq!(
                    p.labels.is_empty(),
                    e.labels.is_empty(),
                    "{opts:?} {}",
                    e.text
                );
            }
        }
    }

    #[test]
    fn training_is_deterministic() {
        let data = synthetic();
        let opts = TrainOptions::default();
        let (a, _) = train(&data, vec![], &opts).unwrap();
        let (b, _) = train(&data, vec![], &opts).unwrap();
        assert_eq!(a.id(), b.id());
        let other = TrainOptions {
            seed: 7,
            ..TrainOptions::default()
        };
        let (c, _) = train(&data, vec![], &other).unwrap();
        assert_eq!(
            c.header().training.fingerprint,
            a.header().training.fingerprint
        );
    }

    #[test]
    fn bad_training_sets_are_refused() {
        let all_neg = vec![ex("a", &[]), ex("b", &[])];
        let e = train(&all_neg, vec![], &TrainOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no labels"), "{e}");
        let opts = TrainOptions {
            labels: Some(vec!["x".into()]),
            valid_frac: 0.0,
            ..TrainOptions::default()
        };
        let e = train(&all_neg, vec![], &opts).unwrap_err().to_string();
        assert!(e.contains("\"x\" has no positive"), "{e}");
    }

    #[test]
    fn platt_is_monotone_and_calibrated() {
        let dec: Vec<(f64, bool)> = (0..200)
            .map(|i| {
                let d = (i as f64 - 100.0) / 50.0;
                (d, (i * 7919) % 200 < i)
            })
            .collect();
        let (a, b) = platt_fit(&dec);
        assert!(a < 0.0, "{a} {b}");
        assert!(super::super::platt(2.0, a, b) > super::super::platt(-2.0, a, b));
    }
}
