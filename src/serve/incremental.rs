//! Rebuilding only what an edit affects (`scope` says which pages). Loading and checking still
//! read all of `content/` (a broken edit anywhere must be caught, and cross-file checks run on
//! the whole new model), but only the affected pages and their charts are rendered (`rerender`:
//! not even those whose template context is unchanged), and only the files whose bytes changed
//! are written, each replaced atomically in the output folder. What the last build made is
//! reused (`kept`): the rows of the programmes not edited, the data package's chart resources,
//! the download tables whose rows did not change, the parts of the pages that list every place.
//! The charts drawn up front that the edits leave alone (`scope::redrawn`) are taken from the
//! last partial rebuild. The site files are made beside the pages.
//! `POLICYDASH_TIMINGS=1 policydash serve` prints where each rebuild's time goes.
//!
//! The search index is rebuilt after the pages, off the path to the reload signal: the server
//! tells open pages to reload as soon as the pages are written, and `reindex` builds the index
//! in the background and swaps it in when it is ready (a reader who searches meanwhile gets the
//! previous index). An edit `scope` cannot place, or one that adds or removes a page, gets a
//! full build, index included, swapped in by `write` as `build` does.

use super::kept::Kept;
use super::reindex::{self, Reindex};
use super::rerender;
use super::scope::{self, Before, Scope, Standings};
use super::site::{Mirror, Snapshot};
use crate::chart::Charts;
use crate::model::{Lang, Model};
use crate::render::{self, OutputFile};
use crate::urls::{Page, Urls};
use crate::{BuildOptions, Built, Checked, Failure, Timings};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// What a rebuild did.
pub struct Rebuilt {
    pub site: Arc<Snapshot>,
    /// The full build's report, when the rebuild was a full build.
    pub built: Option<Built>,
    /// Pages rendered and files written.
    pub rendered: usize,
    pub written: Vec<String>,
    /// Warnings, rendered for the terminal (empty when there are none).
    pub warnings: String,
    /// How long each stage of a partial rebuild took (the benchmark prints them).
    pub timings: Timings,
}

/// Remembers the last good build, to rebuild from it.
pub struct Rebuilder {
    opts: BuildOptions,
    shared: Arc<Mutex<Shared>>,
    /// Edits since the last good build: a failed rebuild keeps them, so the build that
    /// finally succeeds renders what all of them affect.
    pending: BTreeSet<PathBuf>,
    /// The search index the last partial rebuild left to make.
    due: Option<reindex::Job>,
    reindex: Option<Reindex>,
    /// What the last check parsed: a rebuild parses only the files that changed.
    parsed: crate::Reuse,
}

/// What the rebuilder and the background indexer share; held for the whole of a rebuild, and
/// by the indexer only to put an index in place.
pub(super) struct Shared {
    pub output: PathBuf,
    /// The folder the server reads from, made on the first good build.
    mirror: Option<Mirror>,
    last: Option<Last>,
    /// Counts the builds that changed the output: an index made for an older one is dropped.
    pub serial: u64,
    /// The rebuilder is gone: nothing more is written.
    pub closed: bool,
}

struct Last {
    site: Arc<Snapshot>,
    model: Arc<Model>,
    /// The pages and charts the site has: a rebuild that would change them is a full build.
    pages: Vec<Page>,
    charts: BTreeSet<String>,
    /// The charts drawn for the last partial rebuild (a full build does not keep them).
    drawn: Option<Arc<Charts>>,
    /// What the next rebuild reuses: rows, chart resources, page contexts.
    kept: Kept,
    /// The places' standings in `model`, when worked out (`Scope::standings`).
    standings: Option<Standings>,
}

impl Drop for Rebuilder {
    fn drop(&mut self) {
        self.lock().closed = true;
    }
}

impl Rebuilder {
    pub fn new(opts: BuildOptions) -> Rebuilder {
        let output = opts.output_dir();
        Rebuilder {
            opts,
            shared: Arc::new(Mutex::new(Shared {
                output,
                mirror: None,
                last: None,
                serial: 0,
                closed: false,
            })),
            pending: BTreeSet::new(),
            due: None,
            reindex: None,
            parsed: crate::Reuse::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A full build, exactly as `policydash build` makes it.
    pub fn full(&mut self) -> Result<Rebuilt, Failure> {
        let started = Instant::now();
        let shared = self.shared.clone();
        let mut shared = shared.lock().unwrap_or_else(|e| e.into_inner());
        shared.last = None;
        shared.serial += 1;
        self.due = None;
        let checked = crate::check_reusing(&self.opts, Some(&mut self.parsed), &Charts::build)?;
        // The model the output is built from, kept to compare the next edit's with.
        let model = Arc::new(checked.model.clone());
        let kept = Kept::new(&model, &checked.urls, &checked.charts);
        let charts = checked.charts.ids().clone();
        let built = crate::build_checked(&self.opts, checked, None, &|_| {})?;
        self.pending.clear();
        let site = shared.mirror_all(&built.output, &built.prefix)?;
        shared.last = Some(Last {
            site: site.clone(),
            pages: render::pages::all_pages(&model),
            model,
            charts,
            drawn: None,
            kept,
            standings: None,
        });
        Ok(Rebuilt {
            site,
            rendered: built.files,
            written: Vec::new(),
            warnings: render_warnings(&built.warnings, &built.sources),
            timings: Timings(vec![("build", started.elapsed())]),
            built: Some(built),
        })
    }

    /// What a previous run left in the output folder, to serve while the content is broken
    /// (empty when there is none).
    pub fn previous_output(&mut self, prefix: &str) -> Arc<Snapshot> {
        let output = self.opts.output_dir();
        if output.join(crate::write::MARKER).is_file() {
            if let Ok(site) = self.lock().mirror_all(&output, prefix) {
                return site;
            }
        }
        Arc::new(Snapshot::empty(prefix))
    }

    /// Rebuilds after `changed` (absolute or root-relative paths) were edited: only what they
    /// affect when that can be known, else in full. After a partial rebuild the search index
    /// is left to make: `reindex_in_background` or `reindex_now`.
    pub fn rebuild(&mut self, changed: &BTreeSet<PathBuf>) -> Result<Rebuilt, Failure> {
        self.pending.extend(changed.iter().cloned());
        // What the watcher reports is read again, whatever its metadata says.
        self.parsed.files.edited(changed);
        let started = Instant::now();
        // The charts the edits leave alone are taken from the last partial rebuild's.
        let Some((old, drawn)) =
            (self.lock().last.as_ref()).map(|last| (last.model.clone(), last.drawn.clone()))
        else {
            return self.full();
        };
        let (root, pending) = (&self.opts.root, &self.pending);
        let draw = |model: &Model, urls: &Urls| {
            let redrawn = scope::redrawn(root, pending, &old, model);
            match (&drawn, redrawn) {
                (Some(drawn), Some(redrawn)) => {
                    Charts::build_reusing(model, urls, Some((drawn, &redrawn)))
                }
                _ => Charts::build(model, urls),
            }
        };
        let checked = crate::check_reusing(&self.opts, Some(&mut self.parsed), &draw)?;
        match self.partial(checked, started) {
            Ok(Some(rebuilt)) => {
                self.pending.clear();
                Ok(rebuilt)
            }
            Ok(None) => self.full(),
            Err(f) => Err(f),
        }
    }

    /// Renders the pages the pending edits affect; `None` when only a full build will do.
    fn partial(&mut self, checked: Checked, started: Instant) -> Result<Option<Rebuilt>, Failure> {
        let shared = self.shared.clone();
        let mut shared = shared.lock().unwrap_or_else(|e| e.into_inner());
        let Checked {
            model,
            urls,
            charts,
            theme,
            warnings,
            sources,
            mut timings,
        } = checked;
        let mut clock = Instant::now();
        let output = shared.output.clone();
        let Some(last) = shared.last.as_mut() else {
            return Ok(None);
        };
        if super::site::decoded(urls.prefix()) != last.site.prefix
            || render::pages::all_pages(&model) != last.pages
            || *charts.ids() != last.charts
        {
            return Ok(None);
        }
        timings.since("compare", &mut clock);
        let before = Before {
            model: &last.model,
            charts: last.drawn.as_deref(),
            standings: last.standings.as_ref(),
        };
        let Some(mut scope) = Scope::of(&self.opts.root, &self.pending, &before, &model, &charts)
        else {
            return Ok(None);
        };
        timings.since("scope", &mut clock);
        // A template edit changes pages whose context stays the same: none is skipped, and
        // what is known of the contexts no longer holds.
        let templates = !scope.kinds.is_empty();
        let mut kept = last.kept.next(&model, &urls, &charts, Some(&scope));
        if templates {
            kept.contexts.clear();
        }
        // Every figure links to the method in its page's language, when it has one there.
        let method = |m: &Model| -> Vec<Lang> {
            let method = m.commentary.iter().filter(|c| c.key == "method");
            method.map(|c| c.lang).collect()
        };
        if method(&last.model) != method(&model) {
            kept.memo = Default::default();
            kept.contexts.clear();
        }
        let downloads = kept.downloads(&model, &urls);
        timings.since("downloads", &mut clock);
        let report = kept.changes(&last.kept, &model, &scope);
        let pages = last.pages.clone();
        // Only an edit of a programme moves the standings.
        let standings = scope.standings.take().or_else(|| last.standings.take());
        let extras = render::Extras {
            charts,
            downloads,
            changes: Some(report),
        };
        timings.since("changes", &mut clock);
        // The site files are made beside the pages, as a full build makes them.
        let resources = kept.chart_resources(&extras.charts);
        let (rendered, (site_files, site_time)) = rayon::join(
            || {
                rerender::render(
                    &model, &urls, &theme, &extras, &scope, &mut kept, !templates,
                )
            },
            || {
                let clock = Instant::now();
                let files =
                    crate::publish::site_files_with(&model, &urls, &extras, &theme, &resources);
                (files, clock.elapsed())
            },
        );
        let rendered = rendered.map_err(|d| Failure {
            diagnostics: d,
            sources: sources.clone(),
        })?;
        let mut files = rendered.files;
        timings.0.extend(rendered.timings.0);
        timings.0.push(("site files (beside)", site_time));
        files.extend(site_files);
        clock = Instant::now();
        // From here the output changes: should anything fail, what was kept no longer
        // describes it, and the next rebuild is a full build.
        let written = write_changed(&output, files).inspect_err(|_| shared.last = None)?;
        timings.since("write", &mut clock);
        let site = shared
            .update_mirror(&written, &[])
            .inspect_err(|_| shared.last = None)?;
        timings.since("mirror", &mut clock);
        shared.serial += 1;
        let model = Arc::new(model);
        self.due = Some(reindex::Job {
            serial: shared.serial,
            model: model.clone(),
            urls: urls.clone(),
        });
        let render::Extras {
            charts, downloads, ..
        } = extras;
        kept.downloads = Some(downloads);
        let next = Last {
            site: site.clone(),
            model,
            pages,
            charts: charts.ids().clone(),
            drawn: Some(Arc::new(charts)),
            kept,
            standings,
        };
        // The last build's model and charts are large: freed off the path to the reload.
        let previous = shared.last.replace(next);
        std::thread::spawn(move || drop(previous));
        timings.since("keep", &mut clock);
        timings.0.push(("total", started.elapsed()));
        Ok(Some(Rebuilt {
            site,
            built: None,
            rendered: rendered.pages,
            written,
            warnings: render_warnings(&warnings, &sources),
            timings,
        }))
    }

    /// Builds the search index the last partial rebuild left to make on a thread of its own,
    /// and calls `publish` with the site once it is in place. Newer edits replace an index
    /// not yet started, and drop one made for a site that has changed since.
    pub fn reindex_in_background(
        &mut self,
        publish: impl Fn(Arc<Snapshot>) + Send + Sync + 'static,
    ) {
        let Some(job) = self.due.take() else {
            return;
        };
        let reindex = self
            .reindex
            .get_or_insert_with(|| Reindex::start(self.shared.clone(), Box::new(publish)));
        reindex.submit(job);
    }

    /// Builds the search index the last partial rebuild left to make, now; returns the files
    /// it wrote.
    pub fn reindex_now(&mut self) -> Result<Vec<String>, Failure> {
        let Some(job) = self.due.take() else {
            return Ok(Vec::new());
        };
        let files = reindex::index(&job).map_err(failure)?;
        let mut shared = self.lock();
        Ok(shared
            .put_index(job.serial, files)?
            .map(|(_, written)| written)
            .unwrap_or_default())
    }
}

impl Shared {
    /// Mirrors the whole of `output`.
    fn mirror_all(&mut self, output: &Path, prefix: &str) -> Result<Arc<Snapshot>, Failure> {
        let mirrored = (|| {
            if self.mirror.is_none() {
                self.mirror = Some(Mirror::new(output)?);
            }
            let mirror = self.mirror.as_ref().expect("made above");
            mirror.sync_all(output, prefix)
        })();
        mirrored.map(Arc::new).map_err(|e| {
            failure(format!(
                "cannot mirror the built site in {}: {e}",
                output.display()
            ))
        })
    }

    /// The last site with the `written` files of the output put in place and `removed` gone.
    fn update_mirror(
        &mut self,
        written: &[String],
        removed: &[String],
    ) -> Result<Arc<Snapshot>, Failure> {
        let (Some(mirror), Some(last)) = (&self.mirror, &self.last) else {
            return Err(failure("no site to update".into()));
        };
        let site = mirror
            .update(&self.output, &last.site, written, removed)
            .map_err(|e| {
                failure(format!(
                    "cannot mirror the built site in {}: {e}",
                    self.output.display()
                ))
            })?;
        Ok(Arc::new(site))
    }

    /// Puts the search index `files`, made for build `serial`, in place of the last one:
    /// the site with it and the files written, or `None` when the site has changed since (a
    /// newer index is on its way).
    pub fn put_index(
        &mut self,
        serial: u64,
        files: Vec<OutputFile>,
    ) -> Result<Option<Indexed>, Failure> {
        if self.closed || serial != self.serial || self.last.is_none() {
            return Ok(None);
        }
        let keep: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let stale: Vec<String> = self
            .last
            .iter()
            .flat_map(|l| l.site.keys())
            .filter(|k| k.starts_with(crate::urls::SEARCH_BUNDLE) && !keep.contains(k))
            .map(str::to_string)
            .collect();
        let written = write_changed(&self.output, files)?;
        // The index's chunks are named by their content: last time's are removed.
        for key in &stale {
            std::fs::remove_file(self.output.join(key)).map_err(|e| {
                failure(format!(
                    "could not remove {}: {e}",
                    self.output.join(key).display()
                ))
            })?;
        }
        let site = self.update_mirror(&written, &stale)?;
        if let Some(last) = &mut self.last {
            last.site = site.clone();
        }
        Ok(Some((site, written)))
    }
}

/// A search index put in place: the site with it, and the files written.
pub(super) type Indexed = (Arc<Snapshot>, Vec<String>);

/// Writes the `files` whose bytes differ from the output folder's; returns their paths.
fn write_changed(output: &Path, files: Vec<OutputFile>) -> Result<Vec<String>, Failure> {
    let mut written = Vec::new();
    for f in files {
        if std::fs::read(output.join(&f.path)).ok().as_deref() == Some(f.bytes.as_slice()) {
            continue;
        }
        replace(output, &f).map_err(|e| {
            failure(format!(
                "could not write {}: {e}",
                output.join(&f.path).display()
            ))
        })?;
        written.push(f.path);
    }
    Ok(written)
}

fn render_warnings(
    warnings: &crate::diagnostics::Diagnostics,
    sources: &BTreeMap<PathBuf, String>,
) -> String {
    match warnings.is_empty() {
        true => String::new(),
        false => warnings.render(sources),
    }
}

pub(super) fn failure(message: String) -> Failure {
    Failure {
        diagnostics: crate::diagnostics::Diagnostic::error(message)
            .help("the preview keeps showing the last good site; the next save rebuilds it in full")
            .into(),
        sources: BTreeMap::new(),
    }
}

/// Writes one file of the site in place, atomically: a reader sees the old or the new file.
fn replace(output: &Path, f: &OutputFile) -> std::io::Result<()> {
    let rel = Path::new(&f.path);
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(std::io::Error::other(
            "the path would leave the output folder",
        ));
    }
    let dest = output.join(rel);
    let dir = dest.parent().unwrap_or(output);
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".policydash-{}.tmp", std::process::id()));
    std::fs::write(&tmp, &f.bytes)?;
    std::fs::rename(&tmp, &dest)
}

#[cfg(test)]
mod tests {
    use crate::load::{load, load_reusing, Reuse};
    use std::path::Path;

    /// What a load gave, as text: the model (its indexes are hash maps, left out) and every
    /// diagnostic.
    fn seen(loaded: &crate::load::Loaded) -> String {
        let model = serde_json::to_string(&loaded.model).unwrap();
        format!("{model}\n{:?}", loaded.diagnostics)
    }

    /// A copy of the real site's content in a temporary folder.
    fn real_site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        for entry in walkdir::WalkDir::new(&from).into_iter().flatten() {
            let to = dir
                .path()
                .join("content")
                .join(entry.path().strip_prefix(&from).unwrap());
            match entry.file_type().is_dir() {
                true => std::fs::create_dir_all(&to).unwrap(),
                false => drop(std::fs::copy(entry.path(), &to).unwrap()),
            }
        }
        dir
    }

    #[test]
    fn pages_whose_context_is_unchanged_are_not_rendered_again() {
        let dir = real_site();
        let mut rebuilder = super::Rebuilder::new(crate::BuildOptions::new(dir.path()));
        rebuilder
            .full()
            .unwrap_or_else(|f| panic!("{}", f.render()));
        let file = dir.path().join("content/programmes/tianjin.yaml");
        let text = std::fs::read_to_string(&file).unwrap();
        let mut rendered = Vec::new();
        for n in 0..3 {
            let edited = text.replacen("in the new era\"", &format!("in the new era {n}\""), 1);
            std::fs::write(&file, edited).unwrap();
            let rebuilt = rebuilder.rebuild(&[file.clone()].into()).unwrap();
            assert!(rebuilt.built.is_none(), "a partial rebuild");
            rendered.push(rebuilt.rendered);
        }
        // The first rebuild knows no context and renders every page in scope; the next ones
        // render only the pages that show the title (its own page, the home page…).
        assert!(rendered[1] < rendered[0], "{rendered:?}");
        assert!(
            rendered[1] >= 4 && rendered[1] == rendered[2],
            "{rendered:?}"
        );
        let home = std::fs::read_to_string(dir.path().join("output/index.html")).unwrap();
        assert!(home.contains("in the new era 2"));
    }

    #[test]
    fn a_load_that_reuses_parsed_files_equals_a_fresh_one() {
        let dir = real_site();
        let mut reuse = Reuse::default();
        let first = load_reusing(dir.path(), &mut reuse);
        assert_eq!(seen(&first), seen(&load(dir.path())));
        // An edit, then a broken edit, then back: each load sees the file as it is now.
        let file = dir.path().join("content/programmes/tianjin.yaml");
        let text = std::fs::read_to_string(&file).unwrap();
        for edited in [
            text.replacen("in the new era\"", "in the new era, edited\"", 1),
            text.replacen("value: 40\n", "value: forty\n", 1),
            text.clone(),
        ] {
            std::fs::write(&file, &edited).unwrap();
            let again = load_reusing(dir.path(), &mut reuse);
            assert_eq!(seen(&again), seen(&load(dir.path())));
        }
        assert_eq!(seen(&load_reusing(dir.path(), &mut reuse)), seen(&first));
    }

    /// What a check found: every diagnostic, rendered with its excerpt.
    fn found(result: Result<crate::Checked, crate::Failure>) -> String {
        match result {
            Ok(checked) => checked.warnings.render(&checked.sources),
            Err(failure) => failure.render(),
        }
    }

    #[test]
    fn a_check_that_reuses_what_it_parsed_finds_what_a_full_check_finds() {
        let dir = real_site();
        let opts = crate::BuildOptions::new(dir.path());
        let wait = || std::thread::sleep(std::time::Duration::from_millis(30));
        let mut reuse = crate::Reuse {
            files: Reuse::settling(std::time::Duration::ZERO),
            ..Default::default()
        };
        let check = |reuse: &mut crate::Reuse| {
            let draw = crate::chart::Charts::build;
            found(crate::check_reusing(&opts, Some(reuse), &draw))
        };
        wait();
        assert_eq!(check(&mut reuse), found(crate::check(&opts)));
        let file = dir.path().join("content/programmes/tianjin.yaml");
        let page = dir.path().join("content/commentary/tianjin.en.md");
        let (text, body) = (
            std::fs::read_to_string(&file).unwrap(),
            std::fs::read_to_string(&page).unwrap(),
        );
        // Errors in a programme and a commentary page, one at a time, together, then fixed.
        let broken_text = text.replacen("value: 40\n", "value: 400\n", 1);
        let broken_body =
            body.clone() + "\n<b>raw</b> [1%](target:tianjin-skilled-share-2025) [x](/nowhere/)\n";
        for (t, b) in [
            (&broken_text, &body),
            (&broken_text, &broken_body),
            (&text, &broken_body),
            (&text, &body),
        ] {
            wait();
            std::fs::write(&file, t).unwrap();
            std::fs::write(&page, b).unwrap();
            wait();
            let reused = check(&mut reuse);
            assert_eq!(reused, found(crate::check(&opts)));
            assert_eq!(
                t == &broken_text,
                reused.contains("tianjin.yaml:"),
                "{reused}"
            );
            assert_eq!(b == &broken_body, reused.contains("/nowhere/"), "{reused}");
        }
        // The programmes found nothing and are left unchecked, until a metric they use changes.
        assert!(reuse.checks.quiet.len() >= 5);
        let metrics = dir.path().join("content/metrics.yaml");
        let defined = std::fs::read_to_string(&metrics).unwrap();
        let unit = "id: skilled-share\n    name: {en: \"Skilled talent as a share of employed persons\", zh: \"技能人才占就业人员比例\"}\n    unit: percent";
        assert!(defined.contains(unit));
        for m in [
            defined.replacen(unit, &unit.replace("percent", "persons"), 1),
            defined,
        ] {
            wait();
            std::fs::write(&metrics, &m).unwrap();
            wait();
            let reused = check(&mut reuse);
            assert_eq!(reused, found(crate::check(&opts)));
            assert_eq!(m.contains("unit: persons\n    category: workforce\n    counts: {en: \"Skilled talent divided"), reused.contains("tianjin.yaml:"), "{reused}");
        }
    }

    #[test]
    fn a_load_reads_only_what_may_have_changed_yet_sees_edits_nobody_reported() {
        let dir = real_site();
        let wait = || std::thread::sleep(std::time::Duration::from_millis(30));
        // Stamps trusted at once (the preview waits `SETTLED` for them).
        let mut reuse = Reuse::settling(std::time::Duration::ZERO);
        wait();
        let first = load_reusing(dir.path(), &mut reuse);
        assert!(reuse.reads() > 20, "{}", reuse.reads());
        assert_eq!(seen(&load_reusing(dir.path(), &mut reuse)), seen(&first));
        assert_eq!(reuse.reads(), 0, "nothing changed: nothing read");
        // An edit of the same size that no watcher reported.
        let file = dir.path().join("content/programmes/tianjin.yaml");
        let text = std::fs::read_to_string(&file).unwrap();
        let same_size = text.replacen("in the new era\"", "in the new erA\"", 1);
        assert_eq!(same_size.len(), text.len());
        let commentary = dir.path().join("content/commentary/tianjin.en.md");
        let page = std::fs::read_to_string(&commentary).unwrap();
        for (path, edited) in [
            (&file, same_size),
            (&commentary, page.replacen('a', "b", 1)),
        ] {
            wait();
            std::fs::write(path, &edited).unwrap();
            wait();
            let again = load_reusing(dir.path(), &mut reuse);
            assert_eq!(seen(&again), seen(&load(dir.path())));
            assert_ne!(seen(&again), seen(&first));
            assert_eq!(reuse.reads(), 1);
        }
        // What the watcher reports is read, whatever its stamp.
        reuse.edited(std::slice::from_ref(&file));
        load_reusing(dir.path(), &mut reuse);
        assert_eq!(reuse.reads(), 1);
        // A file with a problem is read every time, to show it.
        wait();
        std::fs::write(&file, text.replacen("value: 40\n", "value: forty\n", 1)).unwrap();
        wait();
        for _ in 0..2 {
            let broken = load_reusing(dir.path(), &mut reuse);
            assert!(broken.diagnostics.has_errors());
            assert_eq!(seen(&broken), seen(&load(dir.path())));
            assert_eq!(reuse.reads(), 1);
        }
        // A file replaced by another of the same size and times is another file.
        wait();
        std::fs::write(&file, &text).unwrap();
        let copy = dir.path().join("copy");
        std::fs::copy(&file, &copy).unwrap();
        wait();
        load_reusing(dir.path(), &mut reuse);
        std::fs::rename(&copy, &file).unwrap();
        wait();
        assert_eq!(
            seen(&load_reusing(dir.path(), &mut reuse)),
            seen(&load(dir.path()))
        );
        assert_eq!(reuse.reads(), 1);
    }
}
