//! Rebuilding only what an edit affects. Loading and checking still read all of `content/`
//! (a broken edit anywhere must be caught), but only the pages the edited files feed are
//! rendered, and only the files whose bytes changed are written, each replaced atomically in
//! the output folder. What each input feeds, from the model:
//!
//! - a programme file: its pages, and every page that is not another programme's page or
//!   another programme's chart (comparisons, indexes, commentary, embeds of shared charts);
//! - a commentary file: its pages, the commentary index, the home page, and the pages of the
//!   programmes and metrics it lists (before or after the edit);
//! - a template: the pages of the kind it renders (a shared template such as `base.html`:
//!   every page);
//! - anything else (`site.yaml`, `metrics.yaml`, theme strings, static files…), or an edit that
//!   adds a page: a full build, swapped in by `write` as `build` does. Files the last build
//!   made and this one does not (the search index's content-named chunks) are removed.
//!
//! Chart images, downloads and site files are computed in full every time (checking and the
//! change report need them anyway) and written only when their bytes changed.

use super::site::{Mirror, Snapshot};
use crate::model::Model;
use crate::render::{self, OutputFile};
use crate::urls::Page;
use crate::{BuildOptions, Built, Checked, Failure};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

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
}

/// Remembers the last good build, to rebuild from it.
pub struct Rebuilder {
    opts: BuildOptions,
    /// The folder the server reads from, made on the first good build.
    mirror: Option<Mirror>,
    last: Option<Last>,
    /// Edits since the last good build: a failed rebuild keeps them, so the build that
    /// finally succeeds renders what all of them affect.
    pending: BTreeSet<PathBuf>,
}

struct Last {
    site: Arc<Snapshot>,
    /// Which programme id or commentary key each content file holds.
    programmes: BTreeMap<PathBuf, String>,
    commentary: BTreeMap<PathBuf, String>,
    /// Commentary key → the programmes and metrics it lists.
    lists: BTreeMap<String, BTreeSet<Page>>,
}

impl Rebuilder {
    pub fn new(opts: BuildOptions) -> Rebuilder {
        Rebuilder {
            opts,
            mirror: None,
            last: None,
            pending: BTreeSet::new(),
        }
    }

    /// A full build, exactly as `policydash build` makes it.
    pub fn full(&mut self) -> Result<Rebuilt, Failure> {
        self.last = None;
        let built = crate::build(&self.opts)?;
        self.pending.clear();
        let site = self.mirror(&built.output, &built.prefix).map_err(|e| {
            failure(format!(
                "cannot mirror the built site in {}: {e}",
                built.output.display()
            ))
        })?;
        let checked_model = crate::load::load(&self.opts.root).model;
        self.last = Some(Last::new(site.clone(), checked_model.as_ref()));
        Ok(Rebuilt {
            site,
            rendered: built.files,
            written: Vec::new(),
            warnings: render_warnings(&built.warnings, &built.sources),
            built: Some(built),
        })
    }

    /// Mirrors the whole of `output`.
    fn mirror(&mut self, output: &Path, prefix: &str) -> std::io::Result<Arc<Snapshot>> {
        if self.mirror.is_none() {
            self.mirror = Some(Mirror::new(output)?);
        }
        let mirror = self.mirror.as_ref().expect("made above");
        Ok(Arc::new(mirror.sync_all(output, prefix)?))
    }

    /// What a previous run left in the output folder, to serve while the content is broken
    /// (empty when there is none).
    pub fn previous_output(&mut self, prefix: &str) -> Arc<Snapshot> {
        let output = self.opts.output_dir();
        if output.join(crate::write::MARKER).is_file() {
            if let Ok(site) = self.mirror(&output, prefix) {
                return site;
            }
        }
        Arc::new(Snapshot::empty(prefix))
    }

    /// Rebuilds after `changed` (absolute or root-relative paths) were edited: only what they
    /// affect when that can be known, else in full.
    pub fn rebuild(&mut self, changed: &BTreeSet<PathBuf>) -> Result<Rebuilt, Failure> {
        self.pending.extend(changed.iter().cloned());
        let Some(last) = &self.last else {
            return self.full();
        };
        let checked = crate::check(&self.opts)?;
        let Some(scope) = Scope::of(&self.opts.root, &self.pending, last, &checked.model) else {
            return self.full();
        };
        match self.partial(checked, scope) {
            Ok(Some(rebuilt)) => {
                self.pending.clear();
                Ok(rebuilt)
            }
            Ok(None) => self.full(),
            Err(f) => Err(f),
        }
    }

    /// Renders the pages in `scope`; `None` when the set of files would change.
    fn partial(&mut self, checked: Checked, scope: Scope) -> Result<Option<Rebuilt>, Failure> {
        let Some(last) = &self.last else {
            return Ok(None);
        };
        let Checked {
            model,
            urls,
            charts,
            theme,
            warnings,
            sources,
            ..
        } = checked;
        if super::site::decoded(urls.prefix()) != last.site.prefix {
            return Ok(None);
        }
        let output = self.opts.output_dir();
        let downloads = crate::downloads::Downloads::build(&model, &urls);
        // An unreadable previous report is for the full build to warn about.
        let Ok(report) = crate::changes::ChangeReport::against(&output, downloads.all_rows())
        else {
            return Ok(None);
        };
        let extras = render::Extras {
            charts,
            downloads,
            changes: Some(report),
        };
        let all = render::page_list(&model, &extras.charts);
        let page_paths: BTreeSet<String> = all.iter().map(|(p, l)| urls.page_file(p, *l)).collect();
        // A page that did not exist before means the set of pages changed: a full build.
        if page_paths.iter().any(|p| !last.site.contains(p)) {
            return Ok(None);
        }
        let made = std::sync::Mutex::new(Vec::new());
        let sink = |f: OutputFile| {
            if let Ok(mut made) = made.lock() {
                made.push(f);
            }
            Ok(())
        };
        render::render_some(&model, &urls, &theme, &extras, &sink, &|p| scope.has(p)).map_err(
            |d| Failure {
                diagnostics: d,
                sources: sources.clone(),
            },
        )?;
        let mut files = made.into_inner().unwrap_or_default();
        let rendered = files
            .iter()
            .filter(|f| page_paths.contains(&f.path))
            .count();
        files.extend(crate::publish::site_files(&model, &urls, &extras, &theme));
        files.extend(crate::search::index(&model, &urls).map_err(failure)?);
        // Files the last build wrote that this one no longer makes (the search index's
        // content-hashed chunks change names with their content) are removed after the write.
        let mut paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        paths.extend(page_paths.iter().map(String::as_str));
        paths.insert(crate::write::MARKER);
        let stale: Vec<String> = last
            .site
            .keys()
            .filter(|k| !paths.contains(k))
            .map(str::to_string)
            .collect();
        let changed: Vec<OutputFile> = files
            .into_iter()
            .filter(|f| {
                std::fs::read(output.join(&f.path)).ok().as_deref() != Some(f.bytes.as_slice())
            })
            .collect();
        for f in &changed {
            replace(&output, f).map_err(|e| {
                failure(format!(
                    "could not write {}: {e}",
                    output.join(&f.path).display()
                ))
            })?;
        }
        for key in &stale {
            std::fs::remove_file(output.join(key)).map_err(|e| {
                failure(format!(
                    "could not remove {}: {e}",
                    output.join(key).display()
                ))
            })?;
        }
        let written: Vec<String> = changed.into_iter().map(|f| f.path).collect();
        let Some(mirror) = &self.mirror else {
            return Ok(None);
        };
        let site = mirror
            .update(&output, &last.site, &written, &stale)
            .map_err(|e| {
                failure(format!(
                    "cannot mirror the built site in {}: {e}",
                    output.display()
                ))
            })?;
        let site = Arc::new(site);
        self.last = Some(Last::new(site.clone(), Some(&model)));
        Ok(Some(Rebuilt {
            site,
            built: None,
            rendered,
            written,
            warnings: render_warnings(&warnings, &sources),
        }))
    }
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

fn failure(message: String) -> Failure {
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

impl Last {
    fn new(site: Arc<Snapshot>, model: Option<&Model>) -> Last {
        let mut last = Last {
            site,
            programmes: BTreeMap::new(),
            commentary: BTreeMap::new(),
            lists: BTreeMap::new(),
        };
        if let Some(model) = model {
            for p in &model.programmes {
                last.programmes.insert(p.origin.file.clone(), p.id.clone());
            }
            for c in &model.commentary {
                last.commentary.insert(c.origin.file.clone(), c.key.clone());
                last.lists
                    .entry(c.key.clone())
                    .or_default()
                    .extend(listed(&c.programmes, &c.metrics));
            }
        }
        last
    }
}

fn listed(programmes: &[String], metrics: &[String]) -> Vec<Page> {
    programmes
        .iter()
        .map(|p| Page::Programme(p.clone()))
        .chain(metrics.iter().map(|m| Page::Metric(m.clone())))
        .collect()
}

/// The pages an edit affects.
#[derive(Debug, Default, PartialEq, Eq)]
struct Scope {
    /// Every page except other programmes' pages and charts.
    programmes: BTreeSet<String>,
    pages: BTreeSet<Page>,
    /// Page kinds (by template) to render in full.
    kinds: BTreeSet<&'static str>,
}

/// The template each kind of page renders with (`render::pages` picks them by these names).
fn template_of(page: &Page) -> &'static str {
    match page {
        Page::Home => "home.html",
        Page::Programme(_) => "programme.html",
        Page::MetricIndex => "metrics.html",
        Page::Metric(_) => "metric.html",
        Page::Sources => "sources.html",
        Page::CommentaryIndex => "commentary_index.html",
        Page::Commentary(_) => "commentary.html",
        Page::About => "about.html",
        Page::Changes => "changes.html",
        Page::Data => "data.html",
        Page::Search => "search.html",
        Page::Embed(_) => "embed.html",
        Page::NotFound => "404.html",
    }
}

const ALL_KINDS: [&str; 13] = [
    "home.html",
    "programme.html",
    "metrics.html",
    "metric.html",
    "sources.html",
    "commentary_index.html",
    "commentary.html",
    "about.html",
    "changes.html",
    "data.html",
    "search.html",
    "embed.html",
    "404.html",
];

impl Scope {
    /// What `changed` affects; `None` when only a full build will do.
    fn of(root: &Path, changed: &BTreeSet<PathBuf>, last: &Last, model: &Model) -> Option<Scope> {
        let root = std::fs::canonicalize(root).ok()?;
        let mut scope = Scope::default();
        for path in changed {
            let abs = if path.is_absolute() {
                path.clone()
            } else {
                root.join(path)
            };
            // Canonical like the root (a deleted file keeps its path).
            let abs = match (abs.parent().map(std::fs::canonicalize), abs.file_name()) {
                (Some(Ok(dir)), Some(name)) => dir.join(name),
                _ => abs,
            };
            let rel = abs.strip_prefix(&root).ok()?;
            let name = rel.file_name()?.to_string_lossy();
            if name.starts_with('.') || name.ends_with('~') || name == "4913" {
                continue; // an editor's swap or backup file
            }
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            match parts
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice()
            {
                ["content", "programmes", _] => {
                    let old = last.programmes.get(rel);
                    let new = model.programmes.iter().find(|p| p.origin.file == rel);
                    match (old, new) {
                        (Some(old), Some(new)) if *old == new.id => {
                            scope.programmes.insert(new.id.clone());
                        }
                        // A temporary file an editor or tool wrote and renamed away.
                        (None, None) if !abs.exists() => {}
                        _ => return None,
                    }
                }
                ["content", "commentary", _] => {
                    let old = last.commentary.get(rel);
                    let new = model.commentary.iter().find(|c| c.origin.file == rel);
                    let (old, new) = match (old, new) {
                        (Some(old), Some(new)) => (old, new),
                        (None, None) if !abs.exists() => continue,
                        _ => return None,
                    };
                    if *old != new.key {
                        return None;
                    }
                    scope.pages.insert(Page::Commentary(new.key.clone()));
                    scope.pages.insert(Page::CommentaryIndex);
                    scope.pages.insert(Page::Home);
                    scope
                        .pages
                        .extend(last.lists.get(old).into_iter().flatten().cloned());
                    scope.pages.extend(listed(&new.programmes, &new.metrics));
                }
                ["templates", ..] | ["themes", _, "templates", ..] => {
                    let at = parts.iter().position(|p| p == "templates")?;
                    let template = parts[at + 1..].join("/");
                    match ALL_KINDS.iter().find(|k| **k == template) {
                        Some(kind) => {
                            scope.kinds.insert(kind);
                        }
                        None => scope.kinds.extend(ALL_KINDS),
                    }
                }
                _ => return None,
            }
        }
        Some(scope)
    }

    fn has(&self, page: &Page) -> bool {
        if self.pages.contains(page) || self.kinds.contains(template_of(page)) {
            return true;
        }
        if self.programmes.is_empty() {
            return false;
        }
        match page {
            Page::Programme(id) => self.programmes.contains(id),
            Page::Embed(chart) => match chart.strip_prefix("programme-") {
                Some(id) => self.programmes.contains(id),
                None => true,
            },
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_programme_edit_leaves_other_programmes_alone() {
        let scope = Scope {
            programmes: ["tianjin".to_string()].into(),
            ..Scope::default()
        };
        assert!(scope.has(&Page::Programme("tianjin".into())));
        assert!(!scope.has(&Page::Programme("zhuhai".into())));
        assert!(scope.has(&Page::Metric("skilled-share".into())));
        assert!(scope.has(&Page::Embed("programme-tianjin".into())));
        assert!(!scope.has(&Page::Embed("programme-zhuhai".into())));
        assert!(scope.has(&Page::Embed("timeline".into())));
    }

    #[test]
    fn a_template_edit_renders_its_kind_of_page() {
        let scope = Scope {
            kinds: ["commentary.html"].into(),
            ..Scope::default()
        };
        assert!(scope.has(&Page::Commentary("note".into())));
        assert!(!scope.has(&Page::Home));
    }
}
