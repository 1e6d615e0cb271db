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
use std::collections::BTreeSet;

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
/// its charts' embed pages and files, drawn once on one thread), or a chart's files.
enum Job {
    Page(Page, Lang),
    Programme(String, Lang),
    ChartFiles(String, Lang),
}

fn jobs(model: &Model, charts: &Charts) -> Vec<Job> {
    let default = model.site.default_lang();
    let lookup = lookup::Lookup::new(model);
    let mut jobs: Vec<Job> = Vec::new();
    for page in pages::all_pages(model) {
        for lang in lookup.languages(&page) {
            if page == Page::NotFound && lang != default {
                continue;
            }
            match &page {
                Page::Programme(id) => jobs.push(Job::Programme(id.clone(), lang)),
                _ => jobs.push(Job::Page(page.clone(), lang)),
            }
        }
    }
    for id in charts.shared_ids() {
        for lang in &model.site.languages {
            jobs.push(Job::Page(Page::Embed(id.clone()), *lang));
            jobs.push(Job::ChartFiles(id.clone(), *lang));
        }
    }
    jobs
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
        }
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
