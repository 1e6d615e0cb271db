//! Stage 3: turn the model into files, in parallel. Nothing here touches the disk: every
//! renderer returns `OutputFile`s and `write` puts them in place.

pub mod embed;
pub mod langmark;
pub mod markdown;
pub mod pages;
pub mod theme;
pub mod view;

use crate::chart::Charts;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::downloads::Downloads;
use crate::model::{Lang, Model};
use crate::urls::{Page, Urls};
use rayon::prelude::*;
use std::collections::BTreeSet;

/// One file of the site, relative to the output folder (forward slashes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

/// What pages show beside the model: charts, downloads and the change report.
pub struct Extras {
    pub charts: Charts,
    pub downloads: Downloads,
    pub changes: Option<crate::changes::ChangeReport>,
}

impl Extras {
    pub fn charts_on(&self, page: &Page, lang: Lang) -> Vec<serde_json::Value> {
        self.charts.on_page(page, lang)
    }
    pub fn chart(&self, id: &str, lang: Lang) -> Option<serde_json::Value> {
        self.charts.view(id, lang)
    }
    pub fn chart_block(&self, id: &str, lang: Lang) -> Option<String> {
        self.charts.block_html(id, lang)
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

/// Renders the whole site. Jobs run in parallel; their outputs are sorted by path so the
/// result never depends on scheduling.
pub fn render_site(
    model: &Model,
    urls: &Urls,
    theme: &theme::Theme,
    extras: &Extras,
) -> Result<Vec<OutputFile>, Diagnostics> {
    let renderer = pages::PageRenderer {
        model,
        urls,
        theme,
        extras,
    };
    let mut jobs: Vec<(Page, Lang)> = Vec::new();
    for page in pages::all_pages(model) {
        for lang in pages::languages_of(model, &page) {
            if page == Page::NotFound && lang != model.site.default_lang() {
                continue;
            }
            jobs.push((page.clone(), lang));
        }
    }
    for id in extras.charts.ids() {
        for lang in &model.site.languages {
            jobs.push((Page::Embed(id.clone()), *lang));
        }
    }

    let page_results: Vec<Result<OutputFile, Diagnostic>> = jobs
        .par_iter()
        .map(|(page, lang)| {
            let html = renderer.render(page, *lang)?;
            Ok(OutputFile::new(urls.page_file(page, *lang), html))
        })
        .collect();

    let mut files = Vec::new();
    let mut errors = Diagnostics::new();
    for r in page_results {
        match r {
            Ok(f) => files.push(f),
            Err(d) => errors.push(d),
        }
    }
    files.extend(extras.charts.files());
    files.extend(extras.downloads.files());
    for (name, bytes) in &theme.statics {
        files.push(OutputFile::new(format!("static/{name}"), bytes.clone()));
    }
    if errors.has_errors() {
        return Err(errors);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
