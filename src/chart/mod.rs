//! Charts drawn at build time as SVG with plotters, so pages work without JavaScript, print
//! well and can be downloaded. Every chart is generated from the data:
//!
//! * `metric-<id>`: each metric shared by two or more programmes, the programmes side by side;
//! * `programme-<id>`: each programme's figures by category;
//! * `timeline`: the programmes' periods and the dates of their figures (home page);
//! * `craftsman-tiers`: the tiered honour ladders (figures with a `tier`), on a log scale;
//! * `status-vs-target-<metric>`: current figures against targets, where a metric has both;
//! * `progress-<target>`: a target's observations, the path needed and the target.
//!
//! Each chart comes with a generated title and description (read by screen readers), a table
//! of the same numbers, a source line, its data as CSV, a standalone SVG file per language and
//! an embed page. Everything is rendered once, in parallel, in `Charts::build`.

mod describe;
mod draw;
mod html;
mod kinds;
mod progress;
pub mod text;
mod words;

use crate::model::{FigureKind, Lang, Model};
use crate::render::OutputFile;
use crate::urls::{Page, Urls};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// What a chart shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Metric(String),
    Programme(String),
    Timeline,
    Tiers,
    StatusVsTarget(String),
    /// One target's observations, the path needed and the target (`progress.rs`).
    Progress(String),
}

impl Kind {
    /// The order charts appear in on a page that has several.
    fn rank(&self) -> u8 {
        match self {
            Kind::Programme(_) => 0,
            Kind::Metric(_) => 1,
            Kind::StatusVsTarget(_) | Kind::Progress(_) => 2,
            Kind::Tiers => 3,
            Kind::Timeline => 4,
        }
    }
}

/// A chart of the catalogue: its id, what it shows and the pages that show it.
#[derive(Debug, Clone)]
pub struct Spec {
    pub id: String,
    pub kind: Kind,
    pub pages: Vec<Page>,
}

/// A chart rendered in one language.
struct Rendered {
    title: String,
    /// The full block for pages: figure, inline SVG, table, source line, links.
    block: String,
    /// The block for the embed page (table folded away, a link to the full page).
    embed_block: String,
    /// The standalone SVG file.
    file: String,
    snippet: String,
}

struct Chart {
    spec: Spec,
    csv: Vec<u8>,
    langs: BTreeMap<Lang, Rendered>,
}

pub struct Charts {
    ids: BTreeSet<String>,
    charts: Vec<Chart>,
    urls: Urls,
}

/// Every chart the data calls for, in a stable order.
pub fn catalogue(model: &Model) -> Vec<Spec> {
    let mut out = vec![Spec {
        id: "timeline".into(),
        kind: Kind::Timeline,
        pages: vec![Page::Home],
    }];
    for p in &model.programmes {
        out.push(Spec {
            id: format!("programme-{}", p.id),
            kind: Kind::Programme(p.id.clone()),
            pages: vec![Page::Programme(p.id.clone())],
        });
    }
    let shared: BTreeSet<&str> = model
        .shared_metrics()
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    for m in &model.metrics {
        if shared.contains(m.id.as_str()) {
            out.push(Spec {
                id: format!("metric-{}", m.id),
                kind: Kind::Metric(m.id.clone()),
                pages: vec![Page::Metric(m.id.clone())],
            });
        }
    }
    for m in &model.metrics {
        let dated: Vec<_> = model
            .targets_of_metric(&m.id)
            .filter(|(_, t)| t.date().is_some())
            .collect();
        let has = |k: FigureKind| dated.iter().any(|(_, t)| t.kind == k);
        if has(FigureKind::Status) && has(FigureKind::Target) {
            let mut pages = Vec::new();
            if shared.contains(m.id.as_str()) {
                pages.push(Page::Metric(m.id.clone()));
            }
            for (p, _) in &dated {
                let page = Page::Programme(p.id.clone());
                if !pages.contains(&page) {
                    pages.push(page);
                }
            }
            out.push(Spec {
                id: format!("status-vs-target-{}", m.id),
                kind: Kind::StatusVsTarget(m.id.clone()),
                pages,
            });
        }
    }
    for (p, t) in progress::charted(model) {
        out.push(Spec {
            id: format!("progress-{}", t.id),
            kind: Kind::Progress(t.id.clone()),
            pages: vec![Page::Programme(p.id.clone())],
        });
    }
    let tiered: Vec<_> = model.targets().filter(|(_, t)| t.tier.is_some()).collect();
    if !tiered.is_empty() {
        // On the pages of metrics made only of tier figures, and of the programmes with tiers.
        let mut pages: Vec<Page> = model
            .shared_metrics()
            .iter()
            .filter(|m| {
                model
                    .targets_of_metric(&m.id)
                    .all(|(_, t)| t.tier.is_some())
            })
            .map(|m| Page::Metric(m.id.clone()))
            .collect();
        for (p, _) in &tiered {
            let page = Page::Programme(p.id.clone());
            if !pages.contains(&page) {
                pages.push(page);
            }
        }
        out.push(Spec {
            id: "craftsman-tiers".into(),
            kind: Kind::Tiers,
            pages,
        });
    }
    out
}

impl Charts {
    pub fn build(model: &Model, urls: &Urls) -> Charts {
        let specs = catalogue(model);
        let langs = model.site.languages.clone();
        let jobs: Vec<(usize, Lang)> = (0..specs.len())
            .flat_map(|i| langs.iter().map(move |l| (i, *l)))
            .collect();
        let rendered: Vec<(usize, Lang, Rendered)> = jobs
            .par_iter()
            .map(|(i, lang)| {
                let spec = &specs[*i];
                let made = kinds::make(model, urls, spec, *lang);
                let r = html::render(model, urls, spec, &made, *lang);
                (*i, *lang, r)
            })
            .collect();
        let csvs: Vec<Vec<u8>> = specs
            .par_iter()
            .map(|s| kinds::csv(model, urls, s))
            .collect();
        let mut charts: Vec<Chart> = specs
            .into_iter()
            .zip(csvs)
            .map(|(spec, csv)| Chart {
                spec,
                csv,
                langs: BTreeMap::new(),
            })
            .collect();
        for (i, lang, r) in rendered {
            charts[i].langs.insert(lang, r);
        }
        Charts {
            ids: charts.iter().map(|c| c.spec.id.clone()).collect(),
            charts,
            urls: urls.clone(),
        }
    }

    pub fn ids(&self) -> &BTreeSet<String> {
        &self.ids
    }

    pub fn specs(&self) -> impl Iterator<Item = &Spec> {
        self.charts.iter().map(|c| &c.spec)
    }

    fn get(&self, id: &str) -> Option<&Chart> {
        self.charts.iter().find(|c| c.spec.id == id)
    }

    /// The charts a page shows, each as `{id, title, html}`.
    pub fn on_page(&self, page: &Page, lang: Lang) -> Vec<serde_json::Value> {
        let mut list: Vec<&Chart> = self
            .charts
            .iter()
            .filter(|c| c.spec.pages.contains(page))
            .collect();
        list.sort_by_key(|c| c.spec.kind.rank());
        list.into_iter()
            .filter_map(|c| {
                let r = c.langs.get(&lang)?;
                Some(serde_json::json!({
                    "id": c.spec.id, "title": r.title, "html": r.block,
                }))
            })
            .collect()
    }

    /// What the embed page of a chart shows.
    pub fn view(&self, id: &str, lang: Lang) -> Option<serde_json::Value> {
        let c = self.get(id)?;
        let r = c.langs.get(&lang)?;
        let page = c.spec.pages.first().cloned().unwrap_or(Page::Home);
        Some(serde_json::json!({
            "id": id,
            "title": r.title,
            "html": r.embed_block,
            "snippet": r.snippet,
            "embed_label": words::w(words::W::EmbedCode, lang),
            "embed_help": words::w(words::W::EmbedHelp, lang),
            "page_href": self.urls.page(&page, lang),
            "page_absolute": self.urls.absolute(&self.urls.page_path(&page, lang)),
        }))
    }

    /// The block a Markdown shortcode is replaced with.
    pub fn block_html(&self, id: &str, lang: Lang) -> Option<String> {
        Some(self.get(id)?.langs.get(&lang)?.block.clone())
    }

    /// The standalone SVG files (per language) and the CSV of each chart.
    pub fn files(&self) -> Vec<OutputFile> {
        let mut out = Vec::new();
        for c in &self.charts {
            out.push(OutputFile::new(csv_path(&c.spec.id), c.csv.clone()));
            for (lang, r) in &c.langs {
                out.push(OutputFile::new(
                    svg_path(&self.urls, *lang, &c.spec.id),
                    r.file.clone(),
                ));
            }
        }
        out
    }
}

/// `data/charts/<id>.csv`: one file for all languages (it has a column per language).
pub fn csv_path(id: &str) -> String {
    format!("data/charts/{id}.csv")
}

/// `charts/<id>.svg`, under the language folder for other languages than the default.
pub fn svg_path(urls: &Urls, lang: Lang, id: &str) -> String {
    urls.lang_path(lang, &format!("charts/{id}.svg"))
}
