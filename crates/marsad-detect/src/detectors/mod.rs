//! The detectors, one per file, registered in [`registry`]. Adding a detector is one file
//! here plus one line in [`registry`] (and its name in [`NAMES`]).

pub mod image_hash_match;
pub mod invite_link;
pub mod keyword_match;
pub mod new_account_burst;
pub mod opsec_leak;
pub mod text_classifier;
pub mod threat_to_person;

use crate::config::Env;
use crate::detector::Detector;

/// Every detector name, in registry order.
pub const NAMES: &[&str] = &[
    "keyword_match",
    "text_classifier",
    "image_hash_match",
    "opsec_leak",
    "threat_to_person",
    "invite_link",
    "new_account_burst",
];

/// Findings the network analysis (`marsad-graph`) makes and `marsad analyze` stores: clusters
/// of coordinated accounts, brigades against a target, re-created (ban-evading) accounts.
/// Rules may name them in `detectors` like the detectors above.
pub const NETWORK_NAMES: &[&str] = &["coordination", "brigade", "ban_evasion"];

/// The default lexicons (the text engine's, compiled in from `lexicons/`) plus user lexicon
/// files.
pub fn analysis_lexicon(
    files: &[std::path::PathBuf],
) -> Result<marsad_text::Lexicon, marsad_text::LexiconError> {
    let mut lex = marsad_text::LexiconSources {
        defaults: true,
        files: Vec::new(),
    }
    .load()?;
    for f in files {
        lex.extend(marsad_text::Lexicon::load(f)?);
    }
    Ok(lex)
}

/// Fingerprints of the data detectors depend on besides the environment.
#[derive(Debug, Clone, Default)]
pub struct Fingerprints {
    /// The lexicons the text engine was built from.
    pub lexicon: String,
    /// The enabled hash banks.
    pub banks: String,
    /// The largest PDQ distance that counts as a match.
    pub media_max_distance: u32,
}

/// The registered detectors. `text_classifier` is registered only when a model is
/// configured.
pub fn registry(env: &Env, fp: &Fingerprints) -> Vec<Box<dyn Detector>> {
    let env_fp = format!(
        "{}.{}.{}.{}",
        env.config.fingerprint(),
        env.conduct.fingerprint(),
        env.watch.fingerprint(),
        geofence_fingerprint(env)
    );
    let mut out: Vec<Box<dyn Detector>> = vec![Box::new(keyword_match::KeywordMatch::new(
        fp.lexicon.clone(),
    ))];
    if !env.models.is_empty() {
        out.push(Box::new(text_classifier::TextClassifier::new(
            env.models.clone(),
        )));
    }
    out.push(Box::new(image_hash_match::ImageHashMatch {
        max_distance: fp.media_max_distance.max(1),
        banks_fingerprint: fp.banks.clone(),
    }));
    out.push(Box::new(opsec_leak::OpsecLeak {
        env_fingerprint: format!("{}.{env_fp}", fp.lexicon),
    }));
    out.push(Box::new(threat_to_person::ThreatToPerson {
        watch_fingerprint: format!("{}.{}", fp.lexicon, env.watch.fingerprint()),
        models: env.models.clone(),
    }));
    out.push(Box::new(invite_link::InviteLink {
        lexicon_fingerprint: format!("{}.{}", fp.lexicon, env.watch.fingerprint()),
    }));
    out.push(Box::new(new_account_burst::NewAccountBurst {
        config_fingerprint: env.config.fingerprint(),
    }));
    out
}

fn geofence_fingerprint(env: &Env) -> String {
    let s = serde_json::to_string(&env.geofences).unwrap_or_default();
    format!("{:08x}", xxhash_rust::xxh3::xxh3_64(s.as_bytes()) as u32)
}

/// A fingerprint of a lexicon's entries (for detector versions).
pub fn lexicon_fingerprint(entries: &[marsad_text::Entry]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for e in entries {
        h.update(e.term.as_bytes());
        h.update(e.category.as_bytes());
        h.update(&e.weight.to_le_bytes());
        h.update(e.stance.as_str().as_bytes());
        for c in e.neg_context.iter().chain(&e.req_context) {
            h.update(c.as_bytes());
        }
        h.update(b"\n");
    }
    format!("{:08x}", h.digest() as u32)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for detector unit tests: one shared default engine.
    #![allow(clippy::expect_used)]

    use std::sync::{Arc, LazyLock};

    use marsad_text::{Engine, ScanOptions};

    use crate::config::Env;
    use crate::detector::{AuthorFacts, Detector, ItemContext, ItemView};
    use crate::finding::Finding;
    use crate::watch::{Geofence, WatchEntry, Watchlists};

    pub static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
        Engine::new(super::analysis_lexicon(&[]).expect("lexicons")).expect("engine")
    });

    pub fn run_full(
        d: &dyn Detector,
        item: &ItemView,
        author: Option<&AuthorFacts>,
        geofences: Option<Vec<Geofence>>,
    ) -> Vec<Finding> {
        let mut env = Env::basic().expect("env");
        if let Some(g) = geofences {
            env.geofences = g;
        }
        let scan = ENGINE.scan(&item.text, ScanOptions::default());
        d.detect_item(&ItemContext {
            item,
            scan: &scan,
            author,
            env: &env,
        })
    }

    pub fn run_view(d: &dyn Detector, item: &ItemView) -> Vec<Finding> {
        run_full(d, item, None, None)
    }

    pub fn run_item(d: &dyn Detector, text: &str) -> Vec<Finding> {
        run_view(d, &ItemView::text(marsad_model::Platform::X, "1", text))
    }

    pub fn run_with_watch(
        d: &dyn Detector,
        item: &ItemView,
        watch: Vec<WatchEntry>,
    ) -> Vec<Finding> {
        let mut env = Env::basic().expect("env");
        env.watch = Arc::new(Watchlists::new(watch).expect("watchlists"));
        let scan = ENGINE.scan(&item.text, ScanOptions::default());
        d.detect_item(&ItemContext {
            item,
            scan: &scan,
            author: None,
            env: &env,
        })
    }
}
