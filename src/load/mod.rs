//! Stage 1: read `content/` into the model. Every file is read once; every problem found
//! while reading is collected, so one run reports all of them.

mod frontmatter;
mod locate;
mod progress;
pub mod read;
mod repair;
mod reuse;
mod sources;
mod yaml;

pub use locate::Locator;
pub use progress::{
    cell_error, civil_from_days, column_letter, serial_to_date, COLUMNS as PROGRESS_COLUMNS,
};
pub use reuse::Reuse;
pub use sources::SourceMap;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use read::MAX_FILE_BYTES;

/// What loading produced: the model (when `site.yaml` could be read), and everything found
/// wrong. Files with shape errors are in the model with stand-ins for the wrong values (see
/// `SourceMap::is_repaired`); files that could not be parsed at all are left out, and then
/// `complete` is false.
pub struct Loaded {
    pub model: Option<Model>,
    pub complete: bool,
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct MetricsFile {
    metrics: Vec<Metric>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct ContextFile {
    #[serde(default)]
    figures: Vec<ContextFigure>,
    #[serde(default)]
    notes: Option<Text>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct ChangelogFile {
    entries: Vec<ChangeEntry>,
}

/// Loads `root/content`. Paths in diagnostics are relative to `root`.
pub fn load(root: &Path) -> Loaded {
    load_with(root, None).0
}

/// `load`, parsing again only the files whose text differs from when `reuse` saw them (the
/// preview's rebuilds, where one save changes one file of thousands), and reading only the
/// files that may have changed (see `reuse`). Everything after parsing (the model, and the
/// checks on it) is done anew.
pub fn load_reusing(root: &Path, reuse: &mut Reuse) -> Loaded {
    reuse.reads.store(0, std::sync::atomic::Ordering::Relaxed);
    let (loaded, kept) = load_with(root, Some(std::mem::take(reuse)));
    *reuse = kept.unwrap_or_default();
    loaded
}

fn load_with(root: &Path, reuse: Option<Reuse>) -> (Loaded, Option<Reuse>) {
    let mut loader = Loader {
        root: root.to_path_buf(),
        // Files are read from the site folder; a content/ that is itself a link is allowed.
        inside: read::within(&[root, &root.join("content")]),
        sources: SourceMap::new(root, read::within(&[root, &root.join("content")])),
        diagnostics: Diagnostics::new(),
        dropped: false,
        reuse,
    };
    let model = loader.run();
    let loaded = Loaded {
        model,
        complete: !loader.dropped,
        sources: loader.sources,
        diagnostics: loader.diagnostics,
    };
    (loaded, loader.reuse)
}

/// A YAML file read and parsed, before its findings are recorded (see `Loader::prepare`).
enum Prepared<T> {
    Missing,
    Unreadable(read::TextError),
    /// Boxed: the other variants are small.
    Parsed(Box<Read<T>>),
}

/// A file parsed: its text (or only its digest), its stamp when it was read (see `reuse`),
/// and what parsing it gave.
struct Read<T> {
    text: ReadText,
    stamp: Option<reuse::Stamp>,
    parsed: yaml::Parsed<T>,
}

/// A parsed file's text until it is noted in the `SourceMap`: whole, or only its digest (a
/// file without a problem, outside the preview: thousands are parsed at once).
enum ReadText {
    Whole(String),
    Digest(u64),
}

/// A file the loop of `Loader::run` reads as a programme.
fn is_programme_file(content: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(content).unwrap_or(path);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    rel.starts_with("programmes") && matches!(ext, "yaml" | "yml")
}

struct Loader {
    root: PathBuf,
    inside: Vec<PathBuf>,
    sources: SourceMap,
    diagnostics: Diagnostics,
    /// Whether a content file was left out of the model because it could not be parsed.
    dropped: bool,
    reuse: Option<Reuse>,
}

impl Loader {
    fn run(&mut self) -> Option<Model> {
        let content = self.root.join("content");
        if !content.is_dir() {
            self.diagnostics.push(
                Diagnostic::error(format!("no content folder at {}", content.display()))
                    .help("run policydash from the site's folder, or pass --root DIR"),
            );
            return None;
        }
        let files = self.discover(&content);
        // Programme files are most of a large site: they are read and parsed on every core
        // first, then taken in file order below, so diagnostics come in the same order.
        let mut programme_files: std::collections::HashMap<PathBuf, Prepared<Programme>> = {
            use rayon::prelude::*;
            let wanted: Vec<&PathBuf> = files
                .iter()
                .filter(|path| is_programme_file(&content, path))
                .collect();
            wanted
                .into_par_iter()
                .map(|path| (path.clone(), self.prepare::<Programme>(path)))
                .collect()
        };

        let site = self.yaml_file::<Site>(&content.join("site.yaml"), true);
        let mut metrics = Vec::new();
        let mut programmes = Vec::new();
        let mut commentary = Vec::new();
        let mut context = Vec::new();
        let mut context_note = None;
        let mut changelog = Vec::new();
        let mut observations = Vec::new();

        for path in &files {
            let rel = path.strip_prefix(&content).unwrap_or(path);
            let rel_str = rel.to_string_lossy().replace('\\', "/");
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let in_dir = |dir: &str| rel_str.starts_with(&format!("{dir}/"));
            match (rel_str.as_str(), ext) {
                ("site.yaml", _) => {}
                ("metrics.yaml", _) => self.metrics_file(path, &mut metrics),
                (_, "yaml" | "yml") if in_dir("metrics") => self.metrics_file(path, &mut metrics),
                (_, "yaml" | "yml") if in_dir("programmes") => {
                    let prepared = programme_files.remove(path);
                    if let Some(p) = self.programme_file(path, prepared) {
                        programmes.push(p);
                    }
                }
                (_, "md") if in_dir("commentary") => {
                    if let Some(c) = self.commentary_file(path) {
                        commentary.push(c);
                    }
                }
                ("context.yaml", _) => {
                    if let Some(ctx) = self.yaml_file::<ContextFile>(path, true) {
                        let file = FilePath::from(self.rel(path));
                        for (i, mut f) in ctx.figures.into_iter().enumerate() {
                            f.origin = Origin {
                                file: file.clone(),
                                path: format!("figures[{i}]"),
                            };
                            context.push(f);
                        }
                        context_note = ctx.notes;
                    }
                }
                (_, "csv" | "xlsx") if in_dir("progress") => {
                    self.progress_table(path, ext, &mut observations)
                }
                ("changelog.yaml", _) => {
                    if let Some(log) = self.yaml_file::<ChangelogFile>(path, true) {
                        changelog = log.entries;
                    }
                }
                _ => self.diagnostics.push(
                    Diagnostic::warning(
                        "this file is not part of the content format and is ignored",
                    )
                    .in_file(self.rel(path))
                    .help("see docs/content-format.md for where each kind of file goes"),
                ),
            }
        }

        self.attach(&mut programmes, observations);
        let site = site?;
        programmes.sort_by(|a: &Programme, b| a.id.cmp(&b.id));
        programmes.shrink_to_fit();
        commentary.shrink_to_fit();
        commentary.sort_by(|a: &Commentary, b| (&a.key, a.lang).cmp(&(&b.key, b.lang)));
        // The changelog stays in file order, so diagnostics can name `entries[i]`; readers see
        // it newest first (`Model::changelog_newest_first`).
        Some(
            Model {
                site,
                metrics,
                programmes,
                commentary,
                context,
                context_note,
                changelog,
                metric_programmes: Default::default(),
                lookup: Default::default(),
            }
            .index(),
        )
    }

    fn rel(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root).unwrap_or(path).to_path_buf()
    }

    /// Every file under `content/`, sorted so that output never depends on directory order.
    fn discover(&mut self, content: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let walk = walkdir::WalkDir::new(content)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walk {
            match entry {
                // Special files (FIFOs, devices) are listed too: reading refuses them by name.
                Ok(e) if !e.file_type().is_dir() => {
                    let name = e.file_name().to_string_lossy();
                    // Editors' swap and backup files are not content.
                    if name.starts_with('.') || name.ends_with('~') {
                        continue;
                    }
                    files.push(e.into_path());
                }
                Ok(_) => {}
                Err(err) => {
                    let path = err.path().map(|p| self.rel(p)).unwrap_or_default();
                    let msg = if err.loop_ancestor().is_some() {
                        "a symbolic link here points back to a folder that contains it (a loop)"
                            .to_string()
                    } else {
                        format!("cannot read: {err}")
                    };
                    self.dropped = true;
                    self.diagnostics.push(
                        Diagnostic::error(msg)
                            .in_file(path)
                            .help("remove the link or point it outside content/"),
                    );
                }
            }
        }
        files
    }

    /// Reads a file as UTF-8 text, without a byte-order mark (see `read`: only regular files
    /// inside the site, at most `MAX_FILE_BYTES`).
    fn read_text(&mut self, path: &Path) -> Option<String> {
        let read = read::read_text(path, MAX_FILE_BYTES, &self.inside);
        self.text_read(path, read)
    }

    /// The text of a file that was read, or the diagnostic of why it could not be.
    fn text_read(&mut self, path: &Path, read: Result<String, read::TextError>) -> Option<String> {
        let rel = self.rel(path);
        let e = match read {
            Ok(text) => return Some(text),
            Err(e) => e,
        };
        let d = Diagnostic::error(e.to_string()).in_file(&rel);
        let d = match e {
            read::TextError::Read(e) => d.help(e.help()),
            read::TextError::NotUtf8(e) => {
                let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = good.iter().filter(|b| **b == b'\n').count() + 1;
                let last_line = good.rsplit(|b| *b == b'\n').next().unwrap_or_default();
                let col = String::from_utf8_lossy(last_line).chars().count() + 1;
                // Keep a readable copy so the offending line can be shown (the file is inside
                // the site: `read` refuses the others).
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                self.sources.keep(rel.clone(), lossy);
                d.at(line, col).help("save it as UTF-8 (in most editors: Save with encoding → UTF-8); GBK or GB2312 files must be converted")
            }
        };
        self.diagnostics.push(d);
        None
    }

    fn yaml_file<T: serde::de::DeserializeOwned + Clone + Send + Sync + 'static>(
        &mut self,
        path: &Path,
        required: bool,
    ) -> Option<T> {
        let prepared = self.prepare(path);
        self.prepared(path, required, prepared)
    }

    /// Reads and parses a YAML file without touching the loader's state, so that many files
    /// can be prepared at once; `prepared` then records what was found.
    fn prepare<T: serde::de::DeserializeOwned + Clone + Send + Sync + 'static>(
        &self,
        path: &Path,
    ) -> Prepared<T> {
        let rel = self.rel(path);
        if let Some((digest, parsed)) = self.unchanged(&rel, path) {
            let (text, stamp) = (ReadText::Digest(digest), None);
            return Prepared::Parsed(Box::new(Read {
                text,
                stamp,
                parsed,
            }));
        }
        if !path.exists() {
            return Prepared::Missing;
        }
        let stamp = self.stamp(path);
        match read::read_text(path, MAX_FILE_BYTES, &self.inside) {
            Ok(text) => {
                let parsed = self
                    .reused(&rel, &text)
                    .unwrap_or_else(|| yaml::parse_all::<T>(&rel, &text, 1));
                let text = match self.reuse.is_none() && parsed.errors.is_empty() {
                    true => ReadText::Digest(sources::digest(&text)),
                    false => ReadText::Whole(text),
                };
                Prepared::Parsed(Box::new(Read {
                    text,
                    stamp,
                    parsed,
                }))
            }
            Err(e) => Prepared::Unreadable(e),
        }
    }

    /// The stamp of a file about to be read, when loading for `load_reusing` (which counts
    /// the files it reads).
    fn stamp(&self, path: &Path) -> Option<reuse::Stamp> {
        let reuse = self.reuse.as_ref()?;
        reuse
            .reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        reuse::Stamp::settled(path, reuse.settled)
    }

    /// What parsing gave, and the digest of the text, of a file that `reuse` parsed without
    /// a problem and that has not changed since (its stamp says so: it is not read).
    fn unchanged<T: Clone + 'static>(
        &self,
        rel: &Path,
        path: &Path,
    ) -> Option<(u64, yaml::Parsed<T>)> {
        let seen = self.reuse.as_ref()?.files.get(rel)?;
        let stamp = seen.stamp?;
        if !seen.clean || reuse::Stamp::of(path)? != stamp {
            return None;
        }
        let parsed = seen.parsed.downcast_ref::<yaml::Parsed<T>>()?.clone();
        Some((seen.digest, parsed))
    }

    fn prepared<T: Clone + Send + Sync + 'static>(
        &mut self,
        path: &Path,
        required: bool,
        prepared: Prepared<T>,
    ) -> Option<T> {
        let rel = self.rel(path);
        match prepared {
            Prepared::Missing => {
                if required {
                    self.diagnostics.push(
                        Diagnostic::error("this file is required but missing")
                            .in_file(&rel)
                            .help("create it as described in docs/content-format.md"),
                    );
                }
                None
            }
            Prepared::Unreadable(e) => {
                self.text_read(path, Err(e));
                self.dropped = true;
                None
            }
            Prepared::Parsed(read) => {
                let Read {
                    text,
                    stamp,
                    parsed,
                } = *read;
                if let ReadText::Whole(text) = &text {
                    self.remember(&rel, text, stamp, &parsed);
                }
                self.parsed(rel, text, parsed)
            }
        }
    }

    /// What parsing `text` gave when `reuse` saw the same text at `rel`.
    fn reused<T: Clone + 'static>(&self, rel: &Path, text: &str) -> Option<yaml::Parsed<T>> {
        let seen = self.reuse.as_ref()?.files.get(rel)?;
        (seen.text == text)
            .then(|| seen.parsed.downcast_ref::<yaml::Parsed<T>>().cloned())
            .flatten()
    }

    /// Keeps what parsing `text` gave, and the file's `stamp` before it was read, for
    /// `load_reusing` to reuse next time.
    fn remember<T: Clone + Send + Sync + 'static>(
        &mut self,
        rel: &Path,
        text: &str,
        stamp: Option<reuse::Stamp>,
        parsed: &yaml::Parsed<T>,
    ) {
        let Some(reuse) = &mut self.reuse else {
            return;
        };
        if let Some(seen) = reuse.files.get_mut(rel).filter(|seen| seen.text == text) {
            seen.stamp = stamp;
            return;
        }
        let seen = reuse::Seen {
            text: text.to_string(),
            digest: sources::digest(text),
            stamp,
            parsed: Box::new(parsed.clone()),
            clean: parsed.errors.is_empty(),
        };
        reuse.files.insert(rel.to_path_buf(), seen);
    }

    /// Remembers a parsed file and its errors; the value, when there is one (even repaired).
    fn parsed<T>(&mut self, rel: PathBuf, text: ReadText, parsed: yaml::Parsed<T>) -> Option<T> {
        // A file without problems is read again should a later check need to show it.
        match text {
            ReadText::Whole(text) if !parsed.errors.is_empty() => {
                self.sources.keep_parsed(rel, text, parsed.located)
            }
            ReadText::Whole(text) => {
                let digest = sources::digest(&text);
                self.sources.parsed(rel, digest, parsed.located)
            }
            ReadText::Digest(digest) => self.sources.parsed(rel, digest, parsed.located),
        }
        for d in parsed.errors {
            self.diagnostics.push(d);
        }
        if parsed.value.is_none() {
            self.dropped = true;
        }
        parsed.value
    }

    fn metrics_file(&mut self, path: &Path, out: &mut Vec<Metric>) {
        if let Some(file) = self.yaml_file::<MetricsFile>(path, true) {
            let rel = FilePath::from(self.rel(path));
            for (i, mut m) in file.metrics.into_iter().enumerate() {
                m.origin = Origin {
                    file: rel.clone(),
                    path: format!("metrics[{i}]"),
                };
                out.push(m);
            }
        }
    }

    fn programme_file(
        &mut self,
        path: &Path,
        prepared: Option<Prepared<Programme>>,
    ) -> Option<Programme> {
        let prepared = prepared.unwrap_or_else(|| self.prepare(path));
        let mut p = self.prepared(path, true, prepared)?;
        // One path for every record of the file, shared.
        let rel = FilePath::from(self.rel(path));
        p.origin = Origin {
            file: rel.clone(),
            path: String::new(),
        };
        for (i, t) in p.targets.iter_mut().enumerate() {
            t.origin = Origin {
                file: rel.clone(),
                path: format!("targets[{i}]"),
            };
            for (j, o) in t.progress.iter_mut().enumerate() {
                o.origin = Origin {
                    file: rel.clone(),
                    path: format!("targets[{i}].progress[{j}]"),
                };
            }
        }
        for (i, c) in p.commitments.iter_mut().enumerate() {
            c.origin = Origin {
                file: rel.clone(),
                path: format!("commitments[{i}]"),
            };
        }
        // Lists grow by doubling as they are parsed: at 10,000 programmes the room left over
        // is tens of MB, held for the whole build.
        p.sources.shrink_to_fit();
        p.targets.shrink_to_fit();
        p.commitments.shrink_to_fit();
        Some(p)
    }

    /// Reads an observation table (CSV or XLSX) of `content/progress/`.
    fn progress_table(
        &mut self,
        path: &Path,
        ext: &str,
        out: &mut Vec<progress::TableObservation>,
    ) {
        let rel = self.rel(path);
        let (text, rows) = if ext == "csv" {
            let Some(text) = self.read_text(path) else {
                return;
            };
            let rows = progress::csv_rows(&text);
            self.sources.keep(rel.clone(), text.clone());
            (Some(text), rows.map_err(|(line, e)| (Some(line), e)))
        } else {
            // Through `read`, as every content file: inside the site, at most MAX_FILE_BYTES.
            match read::read_file(path, MAX_FILE_BYTES, &self.inside) {
                Ok(bytes) => (None, progress::xlsx_rows(bytes).map_err(|e| (None, e))),
                Err(e) => {
                    self.diagnostics.push(
                        Diagnostic::error(e.to_string())
                            .in_file(&rel)
                            .help(e.help()),
                    );
                    return;
                }
            }
        };
        match rows {
            Ok(rows) => {
                let (found, errors) = progress::read(&rel, text.as_deref(), rows);
                out.extend(found);
                for e in errors {
                    self.diagnostics.push(e);
                }
            }
            Err((line, e)) => {
                let d = Diagnostic::error(format!("cannot read the table: {e}"))
                    .in_file(&rel)
                    .help("save it as CSV (UTF-8) or as an Excel workbook (.xlsx) with the header target,as_of,value,source,note");
                self.diagnostics.push(match line {
                    Some(l) => d.at(l, 1),
                    None => d,
                });
            }
        }
    }

    /// Gives each table row to its target; a row for a target that does not exist is an error.
    fn attach(&mut self, programmes: &mut [Programme], rows: Vec<progress::TableObservation>) {
        let mut index: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for (i, p) in programmes.iter().enumerate() {
            for (j, t) in p.targets.iter().enumerate() {
                index.insert(t.id.clone(), (i, j));
            }
        }
        for r in rows {
            match index.get(&r.target) {
                Some(&(i, j)) => programmes[i].targets[j].progress.push(r.observation),
                // The target may be in a programme file that could not be parsed.
                None if self.dropped => {}
                None => {
                    let o = &r.observation;
                    let row = o.row.unwrap_or_default();
                    let guess = index
                        .keys()
                        .map(|k| (strsim::jaro_winkler(&r.target, k), k))
                        .filter(|(s, _)| *s > 0.8)
                        .max_by(|a, b| a.0.total_cmp(&b.0));
                    let help = match guess {
                        Some((_, k)) => format!("did you mean {k:?}?"),
                        None => "use the id of a target in content/programmes/".into(),
                    };
                    let d = Diagnostic::error(format!("no target has the id {:?}", r.target))
                        .help(help);
                    let text = self.sources.text(&o.origin.file);
                    self.diagnostics.push(cell_error(
                        text,
                        d,
                        &o.origin.file,
                        row.line,
                        row.target,
                        "target",
                    ));
                }
            }
        }
    }

    fn commentary_file(&mut self, path: &Path) -> Option<Commentary> {
        let rel = self.rel(path);
        if let Some((digest, parsed)) = self.unchanged(&rel, path) {
            return self.parsed(rel, ReadText::Digest(digest), parsed);
        }
        let stamp = self.stamp(path);
        let Some(text) = self.read_text(path) else {
            self.dropped = true;
            return None;
        };
        let parsed = self
            .reused(&rel, &text)
            .unwrap_or_else(|| frontmatter::parse(&rel, &text));
        self.remember(&rel, &text, stamp, &parsed);
        self.parsed(rel, ReadText::Whole(text), parsed)
    }
}
