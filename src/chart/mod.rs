//! Charts drawn at build time as SVG with plotters, so pages work without JavaScript, print
//! well and can be downloaded. Every chart is generated from the data:
//!
//! * `metric-<id>`: each metric shared by two or more programmes, the programmes side by side;
//! * `programme-<id>`: each programme's figures by category;
//! * `timeline`: the programmes' periods and the dates of their figures (home page);
//! * `craftsman-tiers`: the tiered honour ladders (figures with a `tier`), on a log scale;
//! * `standing-<id>`: "this place among all", each of a programme's figures against every
//!   place's (`standing.rs`).
//!
//! Readable at 5 places and at 300: where more than `MANY` places are compared, comparisons
//! show the spread (`spread.rs`) with the full table beside, the timeline counts by year, and a
//! programme page never shows another place's bars. Hatching is one SVG `<pattern>`.
//! * `progress-<target>`: a target's observations, the path needed and the target.
//!
//! Each chart comes with a generated title and description (read by screen readers), a table
//! of the same numbers, a source line, its data as CSV, a standalone SVG file per language and
//! an embed page. `Charts::build` (the preview) draws the charts that compare places once,
//! up front, in parallel; `Charts::lazy` (the build) draws none up front: each is drawn when a
//! render job asks for it, on that job's thread, and dropped when the job ends
//! (`forget_drawn`), so that at 10,000 places the comparisons are never all in memory at once.

mod csv;
mod describe;
mod draw;
mod html;
mod kinds;
mod made;
mod metric;
mod programme;
mod progress;
mod spread;
mod standing;
pub mod text;
mod tiers;
mod timeline;
mod words;

/// Above this many places, comparisons switch to their compact forms.
pub const MANY: usize = 20;

use crate::model::{Lang, Model};
use crate::output::OutputFile;
use crate::urls::{Page, Urls};
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;
use std::sync::Arc;

/// What a chart shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Metric(String),
    Programme(String),
    Timeline,
    Tiers,
    Standing(String),
    /// One target's observations, the path needed and the target (`progress.rs`).
    Progress(String),
}

impl Kind {
    /// The order charts appear in on a page that has several.
    fn rank(&self) -> u8 {
        match self {
            Kind::Programme(_) => 0,
            Kind::Standing(_) => 1,
            Kind::Metric(_) => 2,
            Kind::Progress(_) => 3,
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
    /// Counts it among the comparisons drawn on demand while it lives (`Drawn`).
    held: Option<Held>,
}

struct Chart {
    spec: Spec,
    /// Its CSV when made up front; `None` when it is made when asked for (a programme's own
    /// charts, and every chart of `Charts::lazy`).
    csv: Option<Arc<Vec<u8>>>,
    /// Its drawings when drawn up front; empty when each is drawn when asked for.
    langs: BTreeMap<Lang, Arc<Rendered>>,
}

/// What the charts that compare places cost when they are drawn on demand (`Charts::lazy`):
/// how often each was drawn, and how many drawings were alive at once. Tests read it.
#[derive(Default)]
struct Drawn {
    times: std::sync::Mutex<BTreeMap<(String, Lang), usize>>,
    alive: std::sync::atomic::AtomicUsize,
    most: std::sync::atomic::AtomicUsize,
}

/// A drawing of a comparison that `Drawn` counts as alive until it is dropped.
struct Held(Arc<Drawn>);

impl Held {
    fn new(drawn: &Arc<Drawn>, id: &str, lang: Lang) -> Held {
        use std::sync::atomic::Ordering::SeqCst;
        if let Ok(mut times) = drawn.times.lock() {
            *times.entry((id.to_string(), lang)).or_default() += 1;
        }
        let alive = drawn.alive.fetch_add(1, SeqCst) + 1;
        drawn.most.fetch_max(alive, SeqCst);
        Held(drawn.clone())
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.0
            .alive
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Every chart of the site. The charts that compare places are drawn once, up front (pages and
/// commentary share them); a programme's own charts are drawn when its pages are rendered and
/// then dropped, so memory does not grow with the number of programmes.
pub struct Charts {
    ids: BTreeSet<String>,
    charts: Vec<Chart>,
    by_id: HashMap<String, usize>,
    by_page: HashMap<Page, Vec<usize>>,
    groups: standing::Groups,
    urls: Urls,
    /// Unique to this `Charts`: two builds in one process never share a cached chart.
    serial: u64,
    /// False for `Charts::lazy`: no chart is drawn before a page asks for it.
    up_front: bool,
    drawn: Arc<Drawn>,
}

/// The charts of the last build, and which of them to draw again (`Charts::build_reusing`).
pub type Previous<'a> = (&'a Charts, &'a dyn Fn(&Spec) -> bool);

static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

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
    let groups = standing::Groups::of(model);
    for p in &model.programmes {
        if !groups.standings(p).is_empty() {
            out.push(Spec {
                id: format!("standing-{}", p.id),
                kind: Kind::Standing(p.id.clone()),
                pages: vec![Page::Programme(p.id.clone())],
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
        // On the pages of metrics made only of tier figures; a programme page shows where its
        // tiers stand in its `standing-` chart instead, whatever the number of places.
        let pages: Vec<Page> = model
            .shared_metrics()
            .iter()
            .filter(|m| {
                model
                    .targets_of_metric(&m.id)
                    .all(|(_, t)| t.tier.is_some())
            })
            .map(|m| Page::Metric(m.id.clone()))
            .collect();
        out.push(Spec {
            id: "craftsman-tiers".into(),
            kind: Kind::Tiers,
            pages,
        });
    }
    out
}

/// What each programme's `standing-` chart takes from the other places, by programme id: for
/// each of its figures, the rank, the number of figures compared and their five numbers (as
/// bits). The preview compares it before and after an edit of one programme to know which
/// other programmes' standing charts that edit changed.
pub fn standings(model: &Model) -> HashMap<String, Vec<(usize, usize, [u64; 5])>> {
    let groups = standing::Groups::of(model);
    model
        .programmes
        .iter()
        .map(|p| {
            let list = groups.standings(p);
            let list = list
                .iter()
                .map(|s| (s.rank, s.of, s.five.map(f64::to_bits)));
            (p.id.clone(), list.collect())
        })
        .collect()
}

/// A programme's own charts: drawn on demand.
fn drawn_on_demand(kind: &Kind) -> bool {
    matches!(kind, Kind::Programme(_) | Kind::Standing(_))
}

/// Forgets the charts this thread drew on demand: a render job calls it when it ends, so a
/// thread holds only the drawings of the job it runs (a comparison at 10,000 places is
/// megabytes in each language).
pub fn forget_drawn() {
    RECENT.with(|r| r.borrow_mut().clear());
}

/// A chart drawn on demand: (the `Charts` it belongs to, chart id, language, the drawing).
type Recent = (u64, String, Lang, Rc<Rendered>);

thread_local! {
    /// The last few charts drawn on demand on this thread: a programme's page, its embed pages
    /// and its files are rendered one after another on one thread, and draw each chart once.
    static RECENT: RefCell<Vec<Recent>> = const { RefCell::new(Vec::new()) };
}

impl Charts {
    pub fn build(model: &Model, urls: &Urls) -> Charts {
        Charts::build_reusing(model, urls, None)
    }

    /// The catalogue, with nothing drawn and no CSV made: each chart is drawn in a language
    /// when a page, an embed page or a file asks for it, on that thread, and kept until the
    /// thread's job ends (`forget_drawn`). What the build renders from: `render_pages` gives
    /// each comparison one job that makes everything showing it, so it is drawn once per
    /// language and held by one thread at a time.
    pub fn lazy(model: &Model, urls: &Urls) -> Charts {
        Charts::make(model, urls, None, false)
    }

    /// `build`, taking from `previous` each chart drawn up front that is catalogued as it was
    /// there and that `redraw` leaves out: the preview draws again only the charts an edit
    /// changes. (A chart so taken must show the same numbers, with the same words and URLs.)
    pub fn build_reusing(model: &Model, urls: &Urls, previous: Option<Previous>) -> Charts {
        Charts::make(model, urls, previous, true)
    }

    fn make(model: &Model, urls: &Urls, previous: Option<Previous>, up_front: bool) -> Charts {
        let specs = catalogue(model);
        let groups = standing::Groups::of(model);
        let langs = model.site.languages.clone();
        let reused = |spec: &Spec| -> Option<&Chart> {
            let (previous, redraw) = previous?;
            let chart = previous.get(&spec.id)?;
            let same = chart.spec.kind == spec.kind && chart.spec.pages == spec.pages;
            // A chart of `Charts::lazy` holds no drawing to take.
            let drawn = chart.csv.is_some() && !chart.langs.is_empty();
            (same && drawn && !redraw(spec)).then_some(chart)
        };
        let reused: Vec<Option<&Chart>> = specs.iter().map(reused).collect();
        let jobs: Vec<(usize, Lang)> = (0..specs.len())
            .filter(|i| up_front && !drawn_on_demand(&specs[*i].kind) && reused[*i].is_none())
            .flat_map(|i| langs.iter().map(move |l| (i, *l)))
            .collect();
        let rendered: Vec<(usize, Lang, Rendered)> = jobs
            .par_iter()
            .map(|(i, lang)| {
                let spec = &specs[*i];
                let made = kinds::make(model, urls, &groups, spec, *lang);
                let r = html::render(model, urls, spec, &made, *lang);
                (*i, *lang, r)
            })
            .collect();
        let csvs: Vec<Option<Arc<Vec<u8>>>> = specs
            .par_iter()
            .zip(&reused)
            .map(|(s, reused)| match reused {
                Some(chart) => chart.csv.clone(),
                None if !up_front || drawn_on_demand(&s.kind) => None,
                None => Some(Arc::new(csv::csv(model, urls, &groups, s))),
            })
            .collect();
        let mut charts: Vec<Chart> = specs
            .into_iter()
            .zip(csvs)
            .zip(&reused)
            .map(|((spec, csv), reused)| Chart {
                spec,
                csv,
                langs: reused.map(|c| c.langs.clone()).unwrap_or_default(),
            })
            .collect();
        for (i, lang, r) in rendered {
            charts[i].langs.insert(lang, Arc::new(r));
        }
        let mut by_page: HashMap<Page, Vec<usize>> = HashMap::new();
        for (i, c) in charts.iter().enumerate() {
            for p in &c.spec.pages {
                by_page.entry(p.clone()).or_default().push(i);
            }
        }
        for list in by_page.values_mut() {
            list.sort_by_key(|i| charts[*i].spec.kind.rank());
        }
        Charts {
            ids: charts.iter().map(|c| c.spec.id.clone()).collect(),
            by_id: charts
                .iter()
                .enumerate()
                .map(|(i, c)| (c.spec.id.clone(), i))
                .collect(),
            by_page,
            charts,
            groups,
            urls: urls.clone(),
            serial: SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            up_front,
            drawn: Arc::default(),
        }
    }

    /// False for `Charts::lazy`.
    pub fn drawn_up_front(&self) -> bool {
        self.up_front
    }

    /// How many times each comparison (a chart not a programme's own) was drawn on demand, by
    /// id and language, and the most such drawings alive at once: what the tests of
    /// `Charts::lazy` check.
    pub fn drawn_on_demand(&self) -> (BTreeMap<(String, Lang), usize>, usize) {
        let times = self
            .drawn
            .times
            .lock()
            .map(|t| t.clone())
            .unwrap_or_default();
        (
            times,
            self.drawn.most.load(std::sync::atomic::Ordering::SeqCst),
        )
    }

    pub fn ids(&self) -> &BTreeSet<String> {
        &self.ids
    }

    pub fn specs(&self) -> impl Iterator<Item = &Spec> {
        self.charts.iter().map(|c| &c.spec)
    }

    fn get(&self, id: &str) -> Option<&Chart> {
        self.by_id.get(id).map(|i| &self.charts[*i])
    }

    /// The chart drawn in `lang` by this thread, drawn now if it was not yet (or was
    /// forgotten).
    fn rendered(&self, model: &Model, c: &Chart, lang: Lang) -> Option<Rc<Rendered>> {
        let hit = RECENT.with(|r| {
            r.borrow()
                .iter()
                .find(|(s, id, l, _)| *s == self.serial && *id == c.spec.id && *l == lang)
                .map(|(_, _, _, x)| x.clone())
        });
        if let Some(x) = hit {
            return Some(x);
        }
        let made = kinds::make(model, &self.urls, &self.groups, &c.spec, lang);
        let mut r = html::render(model, &self.urls, &c.spec, &made, lang);
        if !drawn_on_demand(&c.spec.kind) {
            r.held = Some(Held::new(&self.drawn, &c.spec.id, lang));
        }
        let r = Rc::new(r);
        RECENT.with(|recent| {
            let mut recent = recent.borrow_mut();
            if recent.len() >= 8 {
                recent.remove(0);
            }
            recent.push((self.serial, c.spec.id.clone(), lang, r.clone()));
        });
        Some(r)
    }

    /// Calls `f` with the chart in `lang`, however it is kept.
    fn with<T>(
        &self,
        model: &Model,
        c: &Chart,
        lang: Lang,
        f: impl FnOnce(&Rendered) -> T,
    ) -> Option<T> {
        match c.langs.get(&lang) {
            Some(r) => Some(f(r)),
            None => self.rendered(model, c, lang).map(|r| f(&r)),
        }
    }

    /// The charts a page shows, each as `{id, title, html}`.
    pub fn on_page(&self, model: &Model, page: &Page, lang: Lang) -> Vec<serde_json::Value> {
        let Some(list) = self.by_page.get(page) else {
            return Vec::new();
        };
        list.iter()
            .filter_map(|i| {
                let c = &self.charts[*i];
                self.with(model, c, lang, |r| {
                    serde_json::json!({
                        "id": c.spec.id, "title": r.title, "html": r.block,
                    })
                })
            })
            .collect()
    }

    /// What the embed page of a chart shows.
    pub fn view(&self, model: &Model, id: &str, lang: Lang) -> Option<serde_json::Value> {
        let c = self.get(id)?;
        let page = c.spec.pages.first().cloned().unwrap_or(Page::Home);
        self.with(model, c, lang, |r| {
            serde_json::json!({
                "id": id,
                "title": r.title,
                "html": r.embed_block,
                "snippet": r.snippet,
                "embed_label": words::w(words::W::EmbedCode, lang),
                "embed_help": words::w(words::W::EmbedHelp, lang),
                "page_href": self.urls.page(&page, lang),
                "page_absolute": self.urls.absolute(&self.urls.page_path(&page, lang)),
            })
        })
    }

    /// The block a Markdown shortcode is replaced with.
    pub fn block_html(&self, model: &Model, id: &str, lang: Lang) -> Option<String> {
        let c = self.get(id)?;
        self.with(model, c, lang, |r| r.block.clone())
    }

    /// The charts drawn for one programme's pages, by id: what `files_of` writes with them.
    /// With `Charts::lazy`, its progress charts too (they show on its page alone).
    pub fn of_programme(&self, id: &str) -> Vec<String> {
        self.by_page
            .get(&Page::Programme(id.to_string()))
            .map(|list| {
                list.iter()
                    .map(|i| &self.charts[*i])
                    .filter(|c| self.programme_own(&c.spec.kind))
                    .map(|c| c.spec.id.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether a chart is drawn with its programme's page (`of_programme`).
    fn programme_own(&self, kind: &Kind) -> bool {
        drawn_on_demand(kind) || (!self.up_front && matches!(kind, Kind::Progress(_)))
    }

    /// The ids of the charts other than programmes' own (`of_programme`) that `page` shows:
    /// the comparisons, which `render_pages` draws in one job with their pages.
    pub fn shared_on(&self, page: &Page) -> Vec<String> {
        let list = self
            .by_page
            .get(page)
            .map(Vec::as_slice)
            .unwrap_or_default();
        list.iter()
            .map(|i| &self.charts[*i])
            .filter(|c| !self.programme_own(&c.spec.kind))
            .map(|c| c.spec.id.clone())
            .collect()
    }

    /// Whether `id` is one of `shared_ids`.
    pub fn is_shared(&self, id: &str) -> bool {
        self.get(id)
            .is_some_and(|c| !self.programme_own(&c.spec.kind))
    }

    /// The standalone SVG file of a chart in one language, and, with `csv`, its CSV.
    pub fn files_of(&self, model: &Model, id: &str, lang: Lang, csv: bool) -> Vec<OutputFile> {
        let Some(c) = self.get(id) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if csv {
            out.push(OutputFile::new(csv_path(&c.spec), self.csv_bytes(model, c)));
        }
        if let Some(file) = self.with(model, c, lang, |r| r.file.clone()) {
            out.push(OutputFile::new(svg_path(&self.urls, lang, id), file));
        }
        out
    }

    /// Every chart's CSV file as (path, bytes), those drawn on demand included.
    pub fn csvs(&self, model: &Model) -> Vec<(String, Vec<u8>)> {
        self.each_csv(model, &|path, bytes| (path.to_string(), bytes.to_vec()))
    }

    /// `f` of every chart's CSV file (path, bytes), in the order of `csvs`, each made (in
    /// parallel) and dropped after `f`: the build needs only what the data package says of
    /// them, and at 10,000 places they are a hundred MB.
    pub fn each_csv<T: Send>(
        &self,
        model: &Model,
        f: &(dyn Fn(&str, &[u8]) -> T + Sync),
    ) -> Vec<T> {
        self.charts
            .par_iter()
            .map(|c| f(&csv_path(&c.spec), &self.csv_bytes(model, c)))
            .collect()
    }

    /// A chart's CSV: kept from `build`, or made now.
    fn csv_bytes(&self, model: &Model, c: &Chart) -> Vec<u8> {
        match &c.csv {
            Some(bytes) => bytes.to_vec(),
            None => csv::csv(model, &self.urls, &self.groups, &c.spec),
        }
    }

    /// One chart's CSV file as (path, bytes), as `csvs` lists it; `None` for an unknown chart
    /// (the preview recomputes only the charts an edit redraws).
    pub fn csv_of(&self, model: &Model, id: &str) -> Option<(String, Vec<u8>)> {
        self.own_csv_of(model, self.get(id)?)
    }

    fn own_csv_of(&self, model: &Model, c: &Chart) -> Option<(String, Vec<u8>)> {
        Some((csv_path(&c.spec), self.csv_bytes(model, c)))
    }

    /// The ids of the charts other than programmes' own (`of_programme`): those comparing
    /// places, drawn up front by `build`.
    pub fn shared_ids(&self) -> Vec<String> {
        self.charts
            .iter()
            .filter(|c| !self.programme_own(&c.spec.kind))
            .map(|c| c.spec.id.clone())
            .collect()
    }
}

/// Where a chart's numbers are published (`data/charts/<id>.csv`), one file for all languages.
pub fn csv_path(spec: &Spec) -> String {
    crate::urls::chart_data(&spec.id)
}

/// `charts/<id>.svg`, under the language folder for other languages than the default.
pub fn svg_path(urls: &Urls, lang: Lang, id: &str) -> String {
    urls.lang_path(lang, &format!("charts/{id}.svg"))
}
