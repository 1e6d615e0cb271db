//! The programmes whose own checks found nothing, for the preview's next rebuild to leave
//! out. A programme's own checks (`Validator::programme`, `target`, `commitment`, `cited`, and
//! provenance's checks of its figures and quotes) read only its own file, the metric files and
//! whether every file could be parsed: when none of these has changed (same path and digest of
//! each file's text, see `SourceMap::digest`), they find nothing again. The checks across files
//! (ids used twice) run for every programme every time. A programme whose checks found
//! something is checked again every time, so its findings come out exactly as a full check's.

use crate::load::SourceMap;
use crate::model::Model;
use std::collections::{BTreeSet, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// The programme files (path, digest of the text) whose own checks found nothing, and what
/// they were checked against (`shared`).
#[derive(Default)]
pub struct Quiet {
    shared: Option<u64>,
    files: HashSet<(PathBuf, u64)>,
}

/// A programme's file and the digest of its text, when it was parsed.
type Key = Option<(PathBuf, u64)>;

/// The checks of this run: which programmes to leave out, and their keys.
pub struct Run {
    shared: Option<u64>,
    keys: Vec<Key>,
    pub skip: Vec<bool>,
}

/// What a programme's own checks read besides its file: the metric files, and whether every
/// file could be parsed. `None` when a metric file's digest is unknown.
fn shared(model: &Model, sources: &SourceMap, complete: bool) -> Option<u64> {
    let mut h = std::hash::DefaultHasher::new();
    complete.hash(&mut h);
    let files: BTreeSet<&Path> = model
        .metrics
        .iter()
        .map(|m| m.origin.file.as_path())
        .collect();
    for file in files {
        file.hash(&mut h);
        sources.digest(file)?.hash(&mut h);
    }
    Some(h.finish())
}

impl Quiet {
    /// Which programmes of `model` need no own checks.
    pub fn start(&self, model: &Model, sources: &SourceMap, complete: bool) -> Run {
        let shared = shared(model, sources, complete);
        let keys: Vec<Key> = model
            .programmes
            .iter()
            .map(|p| {
                let file = &p.origin.file;
                sources.digest(file).map(|d| (file.to_path_buf(), d))
            })
            .collect();
        let same = shared.is_some() && shared == self.shared;
        let skip = keys
            .iter()
            .map(|k| same && k.as_ref().is_some_and(|k| self.files.contains(k)))
            .collect();
        Run { shared, keys, skip }
    }

    /// Keeps the programmes left out, and those whose checks found nothing (`noisy` false).
    pub fn finish(&mut self, run: Run, noisy: &[bool]) {
        self.shared = run.shared;
        self.files = match run.shared {
            None => HashSet::new(),
            Some(_) => (run.keys.into_iter().zip(&run.skip).zip(noisy))
                .filter(|((_, skip), noisy)| **skip || !**noisy)
                .filter_map(|((key, _), _)| key)
                .collect(),
        };
    }

    /// How many programme files are known quiet (for tests).
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
