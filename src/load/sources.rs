//! The texts of the files `load` read, to name the line and column of a problem and show it.
//!
//! At 10,000 places the texts are hundreds of MB and a locator of every field several times
//! that, so neither is kept for a file that loaded without a problem: its digest is, and should
//! a later check find a problem in it, it is read again (through `read`, with the same limits)
//! and located then. A file changed since (the preview, mid-save) is shown without a position.

use super::locate::Locator;
use super::read;
use super::yaml::Located;
use crate::diagnostics::{Diagnostic, Diagnostics};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Every file read, keyed by path relative to the site root.
#[derive(Debug, Default)]
pub struct SourceMap {
    root: PathBuf,
    /// The folders files may be read from (`read::within`).
    inside: Vec<PathBuf>,
    files: BTreeMap<PathBuf, SourceFile>,
    /// The locator last made (diagnostics come file by file).
    last: Mutex<Option<(PathBuf, Arc<Locator>)>>,
}

#[derive(Debug)]
struct SourceFile {
    /// The text, when kept or once read again (`None` inside: it changed since).
    text: OnceLock<Option<String>>,
    /// The digest of the text that was loaded, to know the text read again is the same.
    digest: u64,
    yaml: Option<Located>,
}

pub(super) fn digest(text: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl SourceMap {
    pub fn new(root: &Path, inside: Vec<PathBuf>) -> SourceMap {
        SourceMap {
            root: root.to_path_buf(),
            inside,
            ..SourceMap::default()
        }
    }

    /// Keeps the text of a file (a table, a file with problems).
    pub(super) fn keep(&mut self, file: PathBuf, text: String) {
        self.keep_parsed(file, text, None);
    }

    /// Keeps the text of a YAML file, with where its YAML is.
    pub(super) fn keep_parsed(&mut self, file: PathBuf, text: String, yaml: Option<Located>) {
        let source = SourceFile {
            digest: digest(&text),
            text: OnceLock::from(Some(text)),
            yaml,
        };
        self.files.insert(file, source);
    }

    /// Notes a YAML file parsed from a text of this digest, without keeping the text.
    pub(super) fn parsed(&mut self, file: PathBuf, digest: u64, yaml: Option<Located>) {
        let source = SourceFile {
            digest,
            text: OnceLock::new(),
            yaml,
        };
        self.files.insert(file, source);
    }

    /// The digest of the text a file was loaded from, when it was read as text.
    pub fn digest(&self, file: &Path) -> Option<u64> {
        self.files.get(file).map(|f| f.digest)
    }

    /// The text of a file that was read, e.g. a CSV table, to place errors in it.
    pub fn text(&self, file: &Path) -> Option<&str> {
        let source = self.files.get(file)?;
        let text = source.text.get_or_init(|| {
            let text =
                read::read_text(&self.root.join(file), read::MAX_FILE_BYTES, &self.inside).ok()?;
            (digest(&text) == source.digest).then_some(text)
        });
        text.as_deref()
    }

    /// The text of every file read.
    pub fn texts(&self) -> BTreeMap<PathBuf, String> {
        self.files
            .keys()
            .filter_map(|k| Some((k.clone(), self.text(k)?.to_string())))
            .collect()
    }

    /// The texts of the files `diagnostics` name: what showing them needs.
    pub fn texts_of(&self, diagnostics: &Diagnostics) -> BTreeMap<PathBuf, String> {
        diagnostics
            .sorted()
            .into_iter()
            .filter_map(|d| d.file.as_ref())
            .filter_map(|file| Some((file.clone(), self.text(file)?.to_string())))
            .collect()
    }

    /// The locator of a YAML file that was parsed.
    fn locator(&self, file: &Path) -> Option<Arc<Locator>> {
        let yaml = self.files.get(file)?.yaml.as_ref()?;
        let mut last = self.last.lock().ok()?;
        match &*last {
            Some((f, locator)) if f == file => Some(locator.clone()),
            _ => {
                let locator = Arc::new(yaml.locator(self.text(file)?));
                *last = Some((file.to_path_buf(), locator.clone()));
                Some(locator)
            }
        }
    }

    /// Line and column of `field` in `file`, falling back to the nearest located parent.
    pub fn locate(&self, file: &Path, field: &str) -> Option<(usize, usize)> {
        self.locator(file)?.locate(field)
    }

    /// Whether `d` is about a field that had a shape error and holds a stand-in value.
    pub fn is_repaired(&self, d: &Diagnostic) -> bool {
        let (Some(file), Some(field)) = (&d.file, &d.field) else {
            return false;
        };
        let yaml = self.files.get(file).and_then(|f| f.yaml.as_ref());
        yaml.is_some_and(|y| y.is_repaired(field))
    }

    /// A diagnostic at `field` of `file`, positioned when the field can be found.
    pub fn diag(&self, d: Diagnostic, file: &Path, field: &str) -> Diagnostic {
        let d = d.in_file(file).field(field);
        match self.locate(file, field) {
            Some((line, col)) => d.at(line, col),
            None => d,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_load_cleanly_are_not_kept_yet_are_located() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let loaded = super::super::load(root);
        assert!(!loaded.diagnostics.has_errors());
        let sources = &loaded.sources;
        let yaml = || sources.files.values().filter(|f| f.yaml.is_some());
        assert!(yaml().count() > 5);
        let kept = yaml().filter(|f| f.text.get().is_some());
        assert_eq!(kept.count(), 0, "texts kept after a clean load");
        let model = loaded.model.as_ref().unwrap();
        let t = &model.programmes[0].targets[2];
        let field = format!("{}.quote", t.origin.path);
        let (line, _) = sources.locate(&t.origin.file, &field).unwrap();
        let text = sources.text(&t.origin.file).unwrap();
        let shown = text.lines().nth(line - 1).unwrap();
        assert!(shown.contains("quote:"), "{shown}");
        // Read again to locate it, the file's text is now kept, and only it.
        assert_eq!(yaml().filter(|f| f.text.get().is_some()).count(), 1);
    }
}
