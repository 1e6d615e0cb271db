//! Which pages an edit affects, from the model before the edit and the model after it. A page
//! shows only what its template's context holds (`render::pages`), so what each input feeds is
//! known from the model:
//!
//! - a programme file: its pages and its charts (own charts, progress charts, standing chart);
//!   the charts that compare it with other places (the comparisons of its metrics, before or
//!   after the edit, the timeline, the tier ladder when it has tiers) and the pages that show
//!   them; the other programmes whose standing among all places the edit moved; the indexes
//!   (home, metrics, sources, data, changes, about); the commentary that lists it (when its
//!   place's name changed: that is all a commentary page shows of it) or embeds one of those
//!   charts (when it was drawn differently). Downloads and site files are always computed.
//! - a commentary file: its pages, the commentary index, the home page, the pages of the
//!   programmes and metrics it lists (before or after the edit), the about page for `method`;
//! - a template: the pages of the kind it renders (`render::pages::template_of`); a shared
//!   template such as `base.html`: every page;
//! - every edit: the changes page (its report compares with the last build's data);
//! - anything else (`site.yaml`, `metrics.yaml`, theme strings, static files…), an edit that
//!   renames a programme or commentary, or one that adds or removes a page: `None`, a full
//!   build.

use crate::chart::{Charts, Spec};
use crate::markdown::{self, RefKind};
use crate::model::Model;
use crate::render::pages::{template_of, PAGE_TEMPLATES};
use crate::urls::Page;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The pages an edit affects.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub pages: BTreeSet<Page>,
    /// Page kinds (by template) to render in full.
    pub kinds: BTreeSet<&'static str>,
    /// The programmes edited (same id before and after): their downloads are made again.
    pub programmes: BTreeSet<String>,
    /// The charts whose numbers an edit may change: drawn again, with their CSVs.
    pub charts: BTreeSet<String>,
    /// Each place's standing in the new model (`chart::standings`), when an edited
    /// programme needed it: the next rebuild compares with it instead of working it out again.
    pub standings: Option<Standings>,
}

/// What each programme's `standing-` chart takes from the other places (`chart::standings`).
pub type Standings = HashMap<String, Vec<(usize, usize, [u64; 5])>>;

/// The last good build, as `Scope::of` compares with it: its model, the charts drawn for it
/// (when kept) and its standings (when kept).
pub struct Before<'a> {
    pub model: &'a Model,
    pub charts: Option<&'a Charts>,
    pub standings: Option<&'a Standings>,
}

impl Scope {
    /// What the files in `changed` (absolute, or relative to `root`) affect; `None` when only
    /// a full build will do. `before` is the last good build, `new` this one's model.
    pub fn of(
        root: &Path,
        changed: &BTreeSet<PathBuf>,
        before: &Before,
        new: &Model,
        charts: &Charts,
    ) -> Option<Scope> {
        let root = std::fs::canonicalize(root).ok()?;
        let old = before.model;
        let mut scope = Scope::default();
        for path in changed {
            let (abs, rel) = relative(&root, path)?;
            let rel = rel.as_path();
            let name = rel.file_name()?.to_string_lossy();
            if swap_file(&name) {
                continue;
            }
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            match parts.as_slice() {
                ["content", "programmes", _] => {
                    let old_p = old.programmes.iter().find(|p| p.origin.file == rel);
                    let new_p = new.programmes.iter().find(|p| p.origin.file == rel);
                    match (old_p, new_p) {
                        (Some(o), Some(n)) if o.id == n.id => {
                            scope.programme(before, new, charts, &n.id)
                        }
                        // A temporary file an editor or tool wrote and renamed away.
                        (None, None) if !abs.exists() => {}
                        _ => return None,
                    }
                }
                ["content", "commentary", _] => {
                    let old_c = old.commentary.iter().find(|c| c.origin.file == rel);
                    let new_c = new.commentary.iter().find(|c| c.origin.file == rel);
                    let (o, n) = match (old_c, new_c) {
                        (Some(o), Some(n)) if o.key == n.key => (o, n),
                        (None, None) if !abs.exists() => continue,
                        _ => return None,
                    };
                    scope.pages.extend([
                        Page::Commentary(n.key.clone()),
                        Page::CommentaryIndex,
                        Page::Home,
                        // A programme page lists the commentary keyed by its id.
                        Page::Programme(n.key.clone()),
                    ]);
                    if n.key == "method" {
                        scope.pages.insert(Page::About);
                    }
                    for c in [o, n] {
                        scope.pages.extend(listed(&c.programmes, &c.metrics));
                    }
                }
                ["templates", rest @ ..] | ["themes", _, "templates", rest @ ..] => {
                    let template = rest.join("/");
                    match PAGE_TEMPLATES.iter().find(|k| **k == template) {
                        Some(kind) => {
                            scope.kinds.insert(kind);
                        }
                        None => scope.kinds.extend(PAGE_TEMPLATES),
                    }
                }
                _ => return None,
            }
        }
        Some(scope)
    }

    /// Adds what an edit of programme `id` (the same id before and after) affects. With the
    /// charts of the last build, commentary that embeds a chart is rendered only when the
    /// chart came out different.
    fn programme(&mut self, before: &Before, new: &Model, charts: &Charts, id: &str) {
        let (old, old_charts) = (before.model, before.charts);
        let mut affected = charts_of(old, new, id);
        let own = Page::Programme(id.to_string());
        for spec in charts.specs() {
            if spec.pages.contains(&own) {
                affected.insert(spec.id.clone());
            }
        }
        // Another place's standing moves when this one's values move past it, or move the
        // spread it is drawn against.
        let worked_out;
        let was = match before.standings {
            Some(s) => s,
            None => {
                worked_out = crate::chart::standings(old);
                &worked_out
            }
        };
        let now = self
            .standings
            .get_or_insert_with(|| crate::chart::standings(new));
        for (other, now) in now.iter() {
            if was.get(other) != Some(now) {
                affected.insert(format!("standing-{other}"));
            }
        }
        for spec in charts.specs().filter(|s| affected.contains(&s.id)) {
            self.pages.insert(Page::Embed(spec.id.clone()));
            self.pages.extend(spec.pages.iter().cloned());
        }
        self.programmes.insert(id.to_string());
        self.charts.extend(affected.iter().cloned());
        self.pages.insert(own);
        self.pages.extend([
            Page::Home,
            Page::MetricIndex,
            Page::Sources,
            Page::Data,
            Page::Changes,
            Page::About,
        ]);
        let place = |m: &Model| {
            m.programme(id)
                .map(|p| (p.place.en.clone(), p.place.zh.clone()))
        };
        let renamed = place(old) != place(new);
        let mut redrawn: BTreeMap<String, bool> = BTreeMap::new();
        let mut redrawn = |chart: &str| -> bool {
            let Some(old_charts) = old_charts else {
                return true;
            };
            *redrawn.entry(chart.to_string()).or_insert_with(|| {
                new.site.languages.iter().any(|l| {
                    old_charts.block_html(old, chart, *l) != charts.block_html(new, chart, *l)
                })
            })
        };
        for c in &new.commentary {
            // (Only a body with a shortcode, `{{ chart(…) }}`, can embed a chart.)
            let embeds = c.body.contains("{{")
                && markdown::references(&c.body).into_iter().any(|r| {
                    matches!(&r.kind, RefKind::Chart(chart) if affected.contains(chart) && redrawn(chart))
                });
            // A commentary page names the places it lists, nothing else of them.
            if (renamed && c.programmes.iter().any(|p| p == id)) || embeds {
                self.pages.insert(Page::Commentary(c.key.clone()));
            }
        }
    }

    pub fn has(&self, page: &Page) -> bool {
        // The change report compares with the last build's data: it changes with every edit
        // that changes a figure, and back again with the next edit.
        *page == Page::Changes
            || self.pages.contains(page)
            || self.kinds.contains(template_of(page))
    }
}

/// Which charts drawn up front an edit of `changed` may change (`Charts::build_reusing`
/// draws them again and takes the others from the last build): the charts `Scope::programme`
/// counts as affected, of each programme edited. `None`: any chart (an edit of anything but
/// programmes, commentary and templates, which is a full build).
pub fn redrawn(
    root: &Path,
    changed: &BTreeSet<PathBuf>,
    old: &Model,
    new: &Model,
) -> Option<impl Fn(&Spec) -> bool> {
    let root = std::fs::canonicalize(root).ok()?;
    let mut edited: BTreeSet<String> = BTreeSet::new();
    for path in changed {
        let (_, rel) = relative(&root, path)?;
        if swap_file(&rel.file_name()?.to_string_lossy()) {
            continue;
        }
        let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
        match (parts.next().as_deref(), parts.next().as_deref()) {
            (Some("content"), Some("programmes")) => {
                for m in [old, new] {
                    let p = m.programmes.iter().filter(|p| p.origin.file == rel);
                    edited.extend(p.map(|p| p.id.clone()));
                }
            }
            (Some("content"), Some("commentary")) | (Some("templates" | "themes"), _) => {}
            _ => return None,
        }
    }
    let charts: BTreeSet<String> = edited
        .iter()
        .flat_map(|id| charts_of(old, new, id))
        .collect();
    let pages: BTreeSet<Page> = edited.into_iter().map(Page::Programme).collect();
    Some(move |spec: &Spec| {
        charts.contains(&spec.id) || spec.pages.iter().any(|p| pages.contains(p))
    })
}

/// The charts an edit of programme `id` changes, besides those on its own page and the
/// standings of other places: the timeline, the comparisons of its metrics (before or after
/// the edit), the tier ladder when it has tiers.
fn charts_of(old: &Model, new: &Model, id: &str) -> BTreeSet<String> {
    let mut affected: BTreeSet<String> = BTreeSet::from(["timeline".to_string()]);
    for model in [old, new] {
        let Some(p) = model.programme(id) else {
            continue;
        };
        for t in &p.targets {
            affected.insert(format!("metric-{}", t.metric));
            if t.tier.is_some() {
                affected.insert("craftsman-tiers".into());
            }
        }
    }
    affected
}

/// `path` (absolute, or relative to `root`, which is canonical), absolute and relative to
/// `root`, its folder canonical like the root (a deleted file keeps its path).
fn relative(root: &Path, path: &Path) -> Option<(PathBuf, PathBuf)> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    let abs = match (abs.parent().map(std::fs::canonicalize), abs.file_name()) {
        (Some(Ok(dir)), Some(name)) => dir.join(name),
        _ => abs,
    };
    let rel = abs.strip_prefix(root).ok()?.to_path_buf();
    Some((abs, rel))
}

/// An editor's swap or backup file.
fn swap_file(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || name == "4913"
}

fn listed(programmes: &[String], metrics: &[String]) -> Vec<Page> {
    programmes
        .iter()
        .map(|p| Page::Programme(p.clone()))
        .chain(metrics.iter().map(|m| Page::Metric(m.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lang;

    #[test]
    fn an_edit_of_a_programme_redraws_its_charts_and_takes_the_others_as_they_were() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked = crate::check(&crate::BuildOptions::new(root)).unwrap();
        let (old, urls) = (&checked.model, &checked.urls);
        let tianjin = old.programme("tianjin").unwrap();
        let file: BTreeSet<PathBuf> = [root.join(&tianjin.origin.file)].into();
        let mut new = old.clone();
        new.programmes
            .iter_mut()
            .find(|p| p.id == "tianjin")
            .unwrap()
            .targets[0]
            .value += 1.0;
        let new = new.index();
        let redraw = redrawn(root, &file, old, &new).expect("a programme edit");
        let specs: Vec<&Spec> = checked.charts.specs().collect();
        let id = |id: &str| specs.iter().find(|s| s.id == id).copied().unwrap();
        let metric = format!("metric-{}", tianjin.targets[0].metric);
        assert!(redraw(id("timeline")) && redraw(id(&metric)));
        // A comparison tianjin is not in is taken as it was.
        let other = specs.iter().find(|s| {
            s.id.starts_with("metric-") && !tianjin.targets.iter().any(|t| s.id[7..] == t.metric)
        });
        assert!(!redraw(other.unwrap()));
        // Drawn again where redrawn, the same as drawn afresh; taken, the last build's.
        let reused = Charts::build_reusing(&new, urls, Some((&checked.charts, &redraw)));
        let fresh = Charts::build(&new, urls);
        assert_eq!(reused.csvs(&new), fresh.csvs(&new));
        for s in fresh.specs() {
            let block = |c: &Charts| c.block_html(&new, &s.id, Lang::En);
            assert_eq!(block(&reused), block(&fresh), "{}", s.id);
        }
        assert_ne!(fresh.csvs(&new), checked.charts.csvs(old));
        // Anything but programmes, commentary and templates: everything is drawn again.
        let site: BTreeSet<PathBuf> = [root.join("content/site.yaml")].into();
        assert!(redrawn(root, &site, old, &new).is_none());
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
