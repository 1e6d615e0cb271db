//! Stage 3: turn the model into files, in parallel. Nothing here touches the disk: every file
//! is handed to a sink (the writer's staging folder) as soon as it is made, so the site is
//! never held in memory whole.

pub mod embed;
pub mod langmark;
pub mod lookup;
pub mod memo;
pub mod pages;
pub mod theme;

use crate::chart::Charts;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::downloads::Downloads;
use crate::model::{Lang, Model};
use crate::urls::{Page, Urls};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};

pub use crate::output::OutputFile;

/// What pages show beside the model: charts, downloads and the change report.
pub struct Extras {
    pub charts: Charts,
    pub downloads: Downloads,
    pub changes: Option<crate::changes::ChangeReport>,
}

impl Extras {
    pub fn charts_on(&self, model: &Model, page: &Page, lang: Lang) -> Vec<serde_json::Value> {
        self.charts.on_page(model, page, lang)
    }
    pub fn chart(&self, model: &Model, id: &str, lang: Lang) -> Option<serde_json::Value> {
        self.charts.view(model, id, lang)
    }
    pub fn chart_block(&self, model: &Model, id: &str, lang: Lang) -> Option<String> {
        self.charts.block_html(model, id, lang)
    }
    pub fn downloads_for(&self, page: &Page) -> Vec<serde_json::Value> {
        self.downloads.for_page(page)
    }
    pub fn change_report(&self, lang: Lang, urls: &Urls) -> Option<serde_json::Value> {
        self.changes.as_ref().map(|c| c.view(lang, urls))
    }
}

/// Every site-relative page path (without language folder), for checking Markdown links.
pub fn known_links(model: &Model, chart_ids: &BTreeSet<String>) -> BTreeSet<String> {
    let mut links: BTreeSet<String> = pages::all_pages(model).iter().map(Page::path).collect();
    for id in chart_ids {
        links.insert(Page::Embed(id.clone()).path());
    }
    links
}

/// Where rendered files go; it may fail (a full disk), which stops the build.
pub type Sink<'a> = dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync + 'a;

/// A unit of parallel work: a page, or everything of one programme in one language (its page,
/// its charts' embed pages and files, drawn once on one thread), or a chart's files, or (with
/// `Charts::lazy`) everything that shows some comparisons in one language (their pages, embed
/// pages and files, each drawn once on one thread).
enum Job {
    Page(Page, Lang),
    Programme(String, Lang),
    ChartFiles(String, Lang),
    Comparisons(Comparisons),
}

/// Comparison charts in one language and every page that shows any of them (a metric's page,
/// the home page, a commentary with a shortcode): no page shows a chart of another group.
struct Comparisons {
    charts: Vec<String>,
    pages: Vec<Page>,
    lang: Lang,
}

fn jobs(model: &Model, charts: &Charts) -> Vec<Job> {
    let default = model.site.default_lang();
    let lookup = lookup::Lookup::new(model);
    let mut list: Vec<(Page, Lang)> = Vec::new();
    for page in pages::all_pages(model) {
        for lang in lookup.languages(&page) {
            if page == Page::NotFound && lang != default {
                continue;
            }
            list.push((page.clone(), lang));
        }
    }
    let mut jobs: Vec<Job> = Vec::new();
    let mut grouped: HashSet<(Page, Lang)> = HashSet::new();
    if !charts.drawn_up_front() {
        // The largest jobs first, so that none of them is a tail with one core busy.
        for group in comparisons(model, charts, &lookup, &list) {
            grouped.extend(group.pages.iter().map(|p| (p.clone(), group.lang)));
            jobs.push(Job::Comparisons(group));
        }
    }
    for (page, lang) in list {
        match &page {
            _ if grouped.contains(&(page.clone(), lang)) => {}
            Page::Programme(id) => jobs.push(Job::Programme(id.clone(), lang)),
            _ => jobs.push(Job::Page(page, lang)),
        }
    }
    if charts.drawn_up_front() {
        for id in charts.shared_ids() {
            for lang in &model.site.languages {
                jobs.push(Job::Page(Page::Embed(id.clone()), *lang));
                jobs.push(Job::ChartFiles(id.clone(), *lang));
            }
        }
    }
    jobs
}

/// The comparison charts (`Charts::shared_ids`) in groups, by language, with the pages of
/// `list` that show them: a chart and every page showing it are in one group, so that one job
/// draws it once. Most groups are one chart and its metric's page.
fn comparisons(
    model: &Model,
    charts: &Charts,
    lookup: &lookup::Lookup,
    list: &[(Page, Lang)],
) -> Vec<Comparisons> {
    let ids = charts.shared_ids();
    let mut out = Vec::new();
    for lang in &model.site.languages {
        let mut groups: Vec<(Vec<String>, Vec<Page>)> = ids
            .iter()
            .map(|id| (vec![id.clone()], Vec::new()))
            .collect();
        let mut group_of: HashMap<String, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i))
            .collect();
        for (page, _) in list.iter().filter(|(_, l)| l == lang) {
            let mut shown: Vec<usize> = shared_shown(model, charts, lookup, page, *lang)
                .iter()
                .filter_map(|id| group_of.get(id).copied())
                .collect();
            shown.sort_unstable();
            shown.dedup();
            let Some((&keep, others)) = shown.split_first() else {
                continue;
            };
            for &other in others {
                let (moved, pages) = std::mem::take(&mut groups[other]);
                for id in &moved {
                    group_of.insert(id.clone(), keep);
                }
                groups[keep].0.extend(moved);
                groups[keep].1.extend(pages);
            }
            groups[keep].1.push(page.clone());
        }
        out.extend(
            groups
                .into_iter()
                .filter(|(charts, _)| !charts.is_empty())
                .map(|(charts, pages)| Comparisons {
                    charts,
                    pages,
                    lang: *lang,
                }),
        );
    }
    out
}

/// The comparisons a page shows in `lang`: its own (`Charts::shared_on`) and those its
/// Markdown names in a shortcode (a commentary, the about page's method).
fn shared_shown(
    model: &Model,
    charts: &Charts,
    lookup: &lookup::Lookup,
    page: &Page,
    lang: Lang,
) -> Vec<String> {
    let mut ids = charts.shared_on(page);
    let body = match page {
        Page::Commentary(key) => lookup.commentary(key, lang),
        Page::About => model
            .commentary
            .iter()
            .find(|c| c.key == "method" && c.lang == lang),
        _ => None,
    };
    if let Some(c) = body.filter(|c| c.body.contains("{{")) {
        for r in crate::markdown::references(&c.body) {
            if let crate::markdown::RefKind::Chart(id) = r.kind {
                if charts.is_shared(&id) {
                    ids.push(id);
                }
            }
        }
    }
    ids
}

/// Every page of the site in every language it is published in, chart embeds included.
pub fn page_list(model: &Model, charts: &Charts) -> Vec<(Page, Lang)> {
    let mut list = Vec::new();
    for job in jobs(model, charts) {
        match job {
            Job::Page(p, lang) => list.push((p, lang)),
            Job::Programme(id, lang) => {
                for chart in charts.of_programme(&id) {
                    list.push((Page::Embed(chart), lang));
                }
                list.push((Page::Programme(id), lang));
            }
            Job::ChartFiles(..) => {}
            Job::Comparisons(group) => {
                list.extend(group.pages.into_iter().map(|p| (p, group.lang)));
                let embeds = group
                    .charts
                    .into_iter()
                    .map(|id| (Page::Embed(id), group.lang));
                list.extend(embeds);
            }
        }
    }
    list
}

/// Renders every page, chart file and static file of the site, handing each file to `sink`
/// as soon as it is made. Jobs run in parallel; what a file holds never depends on scheduling.
/// Every error is collected. The downloads are not made here: the build writes them straight
/// to their files (`Downloads::write_each`), and the preview renders what an edit affects
/// itself (`serve::rerender`).
pub fn render_pages(
    model: &Model,
    urls: &Urls,
    theme: &theme::Theme,
    extras: &Extras,
    sink: &Sink,
) -> Result<(), Diagnostics> {
    let renderer = pages::PageRenderer::new(model, urls, theme, extras);
    let default = model.site.default_lang();
    let page = |page: &Page, lang: Lang| -> Result<(), Diagnostic> {
        let html = renderer.render(page, lang)?;
        sink(OutputFile::new(urls.page_file(page, lang), html))
    };
    let run = |job: &Job| -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<(), Diagnostic>| {
            if let Err(d) = r {
                errors.push(d);
            }
        };
        match job {
            Job::Page(p, lang) => keep(page(p, *lang)),
            Job::Programme(id, lang) => {
                keep(page(&Page::Programme(id.clone()), *lang));
                for chart in extras.charts.of_programme(id) {
                    keep(page(&Page::Embed(chart.clone()), *lang));
                    for f in extras
                        .charts
                        .files_of(model, &chart, *lang, *lang == default)
                    {
                        keep(sink(f));
                    }
                }
            }
            Job::ChartFiles(id, lang) => {
                for f in extras.charts.files_of(model, id, *lang, *lang == default) {
                    keep(sink(f));
                }
            }
            Job::Comparisons(group) => {
                let lang = group.lang;
                for p in &group.pages {
                    keep(page(p, lang));
                }
                for id in &group.charts {
                    keep(page(&Page::Embed(id.clone()), lang));
                    for f in extras.charts.files_of(model, id, lang, lang == default) {
                        keep(sink(f));
                    }
                }
            }
        }
        // What the job drew is dropped with it: a thread holds one job's charts at a time.
        crate::chart::forget_drawn();
        errors
    };
    // The static files are made on one thread beside the jobs, not after them: a serial
    // tail would leave the other cores idle.
    let others = || -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        let mut put = |f: OutputFile| errors.extend(sink(f).err());
        for (name, bytes) in &theme.statics {
            put(OutputFile::new(format!("static/{name}"), bytes.clone()));
        }
        errors
    };
    let jobs = jobs(model, &extras.charts);
    let (found, late) = rayon::join(
        || jobs.par_iter().flat_map_iter(run).collect::<Vec<_>>(),
        others,
    );
    let mut errors = Diagnostics::new();
    for d in found.into_iter().chain(late) {
        errors.push(d);
    }
    if errors.has_errors() {
        return Err(errors);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    /// Every file `render_pages` makes with `charts`, by path.
    fn rendered(checked: &crate::Checked, charts: Charts) -> (BTreeMap<String, Vec<u8>>, Extras) {
        let (model, urls) = (&checked.model, &checked.urls);
        let extras = Extras {
            charts,
            downloads: Downloads::build(model, urls),
            changes: None,
        };
        let files = Mutex::new(BTreeMap::new());
        let sink = |f: OutputFile| {
            files.lock().unwrap().insert(f.path, f.bytes);
            Ok(())
        };
        render_pages(model, urls, &checked.theme, &extras, &sink).unwrap();
        (files.into_inner().unwrap(), extras)
    }

    #[test]
    fn lazy_comparisons_are_drawn_once_per_language_and_held_one_job_at_a_time() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let opts = crate::BuildOptions::new(root);
        let checked = crate::check_reusing(&opts, None, &Charts::lazy).unwrap();
        let (model, urls) = (&checked.model, &checked.urls);
        let eager = Charts::build(model, urls);
        let lazy = Charts::lazy(model, urls);
        assert!(!lazy.drawn_up_front() && eager.drawn_up_front());
        let sorted = |mut l: Vec<(Page, Lang)>| {
            l.sort_by_key(|(p, lang)| (p.path(), *lang));
            l
        };
        assert_eq!(
            sorted(page_list(model, &lazy)),
            sorted(page_list(model, &eager)),
            "the same pages either way"
        );
        // Two threads, as on the machine the goals are measured on.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let (from_eager, eager) = pool.install(|| rendered(&checked, eager));
        let (from_lazy, lazy) = pool.install(|| rendered(&checked, lazy));
        assert!(from_lazy.keys().any(|p| p.starts_with("charts/metric-")));
        assert_eq!(from_lazy.len(), from_eager.len());
        for (path, bytes) in &from_eager {
            assert!(from_lazy.get(path) == Some(bytes), "{path} differs");
        }
        let (none, _) = eager.charts.drawn_on_demand();
        assert!(none.is_empty(), "build draws comparisons up front");

        let (times, most) = lazy.charts.drawn_on_demand();
        let shared = lazy.charts.shared_ids();
        let langs = &model.site.languages;
        assert!(shared.len() >= 5, "{shared:?}");
        for id in &shared {
            for lang in langs {
                let n = times.get(&(id.clone(), *lang)).copied().unwrap_or(0);
                assert_eq!(n, 1, "{id} in {lang:?} drawn {n} times");
            }
        }
        assert_eq!(times.len(), shared.len() * langs.len());
        // A commentary shows a comparison with a shortcode: it is in that chart's job.
        let lookup = lookup::Lookup::new(model);
        let list: Vec<(Page, Lang)> = page_list(model, &lazy.charts);
        let groups = comparisons(model, &lazy.charts, &lookup, &list);
        assert!(groups
            .iter()
            .any(|g| g.pages.iter().any(|p| matches!(p, Page::Commentary(_)))));
        // Each thread holds the charts of its job alone (a job's group is a chart or two).
        let largest = groups.iter().map(|g| g.charts.len()).max().unwrap();
        assert!(largest <= 2, "{largest}");
        assert!(most >= 1 && most <= 2 * largest, "{most} held at once");
        assert!(most < times.len(), "not all at once");
    }
}
