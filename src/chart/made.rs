//! What every chart kind makes (`Made`: title, description, drawings, table, sources) and the
//! pieces the kinds share: the figures a chart shows, how a figure is written, its table and
//! its sources. Numbers are formatted by `view`, the same as everywhere on the site.

use super::draw::{self, Bar, LegendItem, Mark, Row, Seg, Style};
use super::words::{self, w, W};
use super::Kind;
use crate::model::*;
use crate::urls::{Page, Urls};
use crate::view;

/// A chart made in one language, before it is wrapped into SVG files and HTML.
pub struct Made {
    pub title: String,
    pub desc: String,
    /// The chart for wide screens and files, and the variant for phones (none when the one
    /// drawing serves every width: `Svg::fluid`).
    pub svg: draw::Svg,
    pub narrow: Option<draw::Svg>,
    pub table: Table,
    pub sources: Vec<Cite>,
}

pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Default)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    /// The number the cell shows, unformatted (written as `data-value`), and what it is
    /// (`data-key`: value, tier, per-100k, targets, current-figures).
    pub value: Option<f64>,
    pub key: &'static str,
    pub value_max: Option<f64>,
    pub header: bool,
    pub num: bool,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            ..Cell::default()
        }
    }
    pub fn head(s: impl Into<String>, href: Option<String>) -> Cell {
        Cell {
            text: s.into(),
            href,
            header: true,
            ..Cell::default()
        }
    }
    pub fn num(s: impl Into<String>, key: &'static str, v: f64, max: Option<f64>) -> Cell {
        Cell {
            text: s.into(),
            key,
            value: Some(v),
            value_max: max,
            num: true,
            ..Cell::default()
        }
    }
}

/// A document a chart's numbers come from.
pub struct Cite {
    pub text: String,
    pub href: String,
}

impl Cite {
    /// The sources page, for a chart drawn from every programme.
    pub fn every_programme(urls: &Urls, lang: Lang) -> Cite {
        Cite {
            text: match lang {
                Lang::En => "Every programme's source documents".into(),
                Lang::Zh => "各计划的来源文件".into(),
            },
            href: urls.page(&Page::Sources, lang),
        }
    }
}

/// A figure with its programme and the programme's colour.
#[derive(Clone, Copy)]
pub struct Fig<'a> {
    pub p: &'a Programme,
    pub t: &'a Target,
    pub colour: usize,
}

impl Fig<'_> {
    pub fn per_100k(&self, model: &Model) -> Option<f64> {
        view::per_100k_value(model, self.p, self.t)
    }
}

/// A programme's colour: its place in the model's order (programmes are stored in order, so
/// the address tells the place without a search).
pub fn colour_of(model: &Model, p: &Programme) -> usize {
    let base = model.programmes.as_ptr() as usize;
    let size = std::mem::size_of::<Programme>().max(1);
    let i = (p as *const Programme as usize).wrapping_sub(base) / size;
    if i < model.programmes.len() && std::ptr::eq(&model.programmes[i], p) {
        i
    } else {
        model
            .programmes
            .iter()
            .position(|q| q.id == p.id)
            .unwrap_or(0)
    }
}

pub(super) fn figs<'a>(model: &'a Model, keep: impl Fn(&Target) -> bool) -> Vec<Fig<'a>> {
    model
        .programmes
        .iter()
        .enumerate()
        .flat_map(|(colour, p)| {
            p.targets
                .iter()
                .filter(|t| keep(t))
                .map(move |t| Fig { p, t, colour })
        })
        .collect()
}

/// How many places the figures come from.
pub(super) fn places(figs: &[Fig]) -> usize {
    let mut ids: Vec<&str> = figs.iter().map(|f| f.p.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// The figures a chart shows (none for the aggregate charts).
pub fn figures<'a>(model: &'a Model, kind: &Kind) -> Vec<Fig<'a>> {
    match kind {
        Kind::Metric(m) => figs(model, |t| &t.metric == m),
        Kind::Tiers => {
            let mut f = figs(model, |t| t.tier.is_some());
            // Rung by rung; within a rung, programmes in their usual order (stable sort).
            f.sort_by_key(|f| f.t.tier);
            f
        }
        Kind::Programme(_) | Kind::Timeline | Kind::Standing(_) | Kind::Progress(_) => Vec::new(),
    }
}

/// A figure's bar: its value (to `value_max` for a range) in its place's colour and style,
/// with the figure written at its end.
pub fn figure_bar(f: &Fig, label: String, lang: Lang) -> Row {
    Row::Bar(Bar {
        label,
        segs: vec![Seg {
            value: f.t.value,
            colour: f.colour,
            style: style(f.t),
        }],
        to: f.t.value_max,
        text: figure_text(f.t, lang),
    })
}

pub fn style(t: &Target) -> Style {
    match (t.kind, t.per) {
        (FigureKind::Status, _) => Style::Hollow,
        (FigureKind::Target, Per::Year) => Style::Striped,
        (FigureKind::Target, Per::Total) => Style::Solid,
    }
}

pub(super) fn comparator(c: Comparator, lang: Lang) -> String {
    match (c, lang) {
        (Comparator::Exactly, _) => String::new(),
        (c, Lang::En) => format!("{} ", c.symbol()),
        (c, Lang::Zh) => c.symbol().to_string(),
    }
}

pub(super) fn per_year_suffix(t: &Target, lang: Lang) -> &'static str {
    match (t.per, lang) {
        (Per::Year, Lang::En) => " a year",
        (Per::Year, Lang::Zh) => "/年",
        (Per::Total, _) => "",
    }
}

pub(super) fn with_date(figure: String, t: &Target, lang: Lang) -> String {
    let date = view::date_label(t, lang);
    match (date.is_empty(), lang) {
        (true, _) => figure,
        (false, Lang::En) => format!("{figure} {date}"),
        (false, Lang::Zh) => format!("{figure}，{date}"),
    }
}

/// The figure as written at the end of its bar: `≥ 1,500 persons a year by 2024`.
pub fn figure_text(t: &Target, lang: Lang) -> String {
    let amount = view::target_amount(t, lang);
    with_date(
        format!(
            "{}{amount}{}",
            comparator(t.comparator, lang),
            per_year_suffix(t, lang)
        ),
        t,
        lang,
    )
}

/// A derived per-100,000 figure, rounded as the site shows it: whole numbers from 100 up.
pub fn per_100k_number(v: f64, lang: Lang) -> String {
    let rounded = if v >= 100.0 {
        v.round()
    } else {
        (v * 10.0).round() / 10.0
    };
    view::number(rounded, lang)
}

/// The per-100,000 value as published in tables and CSV (two decimals).
pub(super) fn per_100k_data(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

pub(super) fn per_100k_text(f: &Fig, v: f64, lang: Lang) -> String {
    with_date(
        format!(
            "{}{}{}",
            comparator(f.t.comparator, lang),
            per_100k_number(v, lang),
            per_year_suffix(f.t, lang)
        ),
        f.t,
        lang,
    )
}

/// `Zhuhai · Target · per year`, with the figure's own label where a programme has several.
pub(super) fn bar_label(f: &Fig, with_own_label: bool, lang: Lang) -> String {
    let sep = " · ";
    if with_own_label {
        // The bar's style and its end text say what kind of figure it is.
        return format!("{}{sep}{}", f.p.place.name(lang), f.t.label.get(lang));
    }
    let mut s = format!(
        "{}{sep}{}",
        f.p.place.name(lang),
        words::kind(f.t.kind, lang)
    );
    if f.t.kind == FigureKind::Target && f.t.per == Per::Year {
        s.push_str(sep);
        s.push_str(w(W::PerYear, lang));
    }
    s
}

pub(super) fn style_legend(styles: &[Style], lang: Lang) -> Vec<LegendItem> {
    let paren = |a: &str, b: &str| match lang {
        Lang::En => format!("{a} ({b})"),
        Lang::Zh => format!("{a}（{b}）"),
    };
    let mut out = Vec::new();
    for (s, text) in [
        (Style::Solid, paren(w(W::Target, lang), w(W::Total, lang))),
        (
            Style::Striped,
            paren(w(W::Target, lang), w(W::PerYear, lang)),
        ),
        (Style::Hollow, w(W::Current, lang).to_string()),
    ] {
        if styles.contains(&s) {
            out.push(LegendItem {
                mark: Mark::Bar(s, None),
                text,
            });
        }
    }
    out
}

pub(super) fn axis_words(unit: Unit, lang: Lang) -> String {
    let u = view::unit_label(unit, lang, true);
    match lang {
        Lang::En => format!("As stated ({u})"),
        Lang::Zh => format!("原文数值（{u}）"),
    }
}

pub(super) fn tick_format(unit: Option<Unit>, lang: Lang) -> impl Fn(f64) -> String {
    move |v| {
        let n = view::number(v, lang);
        if unit == Some(Unit::Percent) {
            format!("{n}%")
        } else {
            n
        }
    }
}

/// Log scale where the figures span two orders of magnitude or more.
pub(super) fn wants_log(values: &[f64]) -> bool {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(0.0, f64::max);
    min > 0.0 && max / min >= 100.0
}

pub(super) fn place_list(places: &[&str], lang: Lang) -> String {
    places.join(words::list_sep(lang))
}

/// Programmes that have figures but no population figure, for the per-100,000 note.
pub(super) fn without_population<'a>(model: &Model, figs: &[Fig<'a>], lang: Lang) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for f in figs {
        let name = f.p.place.name(lang);
        if model.population(&f.p.id).is_none() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

pub(super) fn per_100k_note(model: &Model, figs: &[Fig], lang: Lang) -> String {
    let missing = without_population(model, figs, lang);
    let mut note = match lang {
        Lang::En => "Derived by policydash from each place's resident population; not in the source documents.".to_string(),
        Lang::Zh => "由 policydash 根据各地常住人口推算，不见于原始文件。".to_string(),
    };
    if !missing.is_empty() {
        note.push_str(&match lang {
            Lang::En => format!(" No population figure: {}.", place_list(&missing, lang)),
            Lang::Zh => format!("无人口数字：{}。", place_list(&missing, lang)),
        });
    }
    note
}

pub(super) fn has_per_100k(model: &Model, figs: &[Fig]) -> bool {
    figs.iter().any(|f| f.per_100k(model).is_some())
}

/// The table beside a figure chart: one row per figure, with per-100,000 values where any.
pub(super) fn figure_table(
    model: &Model,
    urls: &Urls,
    figs: &[Fig],
    tiers: bool,
    lang: Lang,
) -> Table {
    let per_100k = has_per_100k(model, figs);
    let mut head = Vec::new();
    if tiers {
        head.push(w(W::Tier, lang).to_string());
    }
    head.extend(
        [W::Place, W::Figure, W::Type, W::Value, W::Date]
            .iter()
            .map(|x| w(*x, lang).to_string()),
    );
    if per_100k {
        head.push(w(W::Per100k, lang).to_string());
    }
    let rows = figs
        .iter()
        .map(|f| {
            let t = f.t;
            let mut row = Vec::new();
            if tiers {
                let tier = t.tier.unwrap_or(0);
                let text = match words::tier_numeral(tier) {
                    Some(n) => format!("{} ({n})", view::number(tier as f64, Lang::En)),
                    None => view::number(tier as f64, Lang::En),
                };
                row.push(Cell::num(text, "tier", tier as f64, None));
            }
            row.push(Cell::head(
                f.p.place.name(lang),
                Some(urls.page(&Page::Programme(f.p.id.clone()), lang)),
            ));
            row.push(Cell {
                text: t.label.get(lang).to_string(),
                href: Some(format!(
                    "{}#t-{}",
                    urls.page(&Page::Programme(f.p.id.clone()), lang),
                    t.id
                )),
                ..Cell::default()
            });
            let mut kind = words::kind(t.kind, lang).to_string();
            if t.kind == FigureKind::Target {
                kind.push_str(if lang == Lang::Zh { "，" } else { ", " });
                kind.push_str(words::per(t.per, lang));
            }
            row.push(Cell::text(kind));
            let amount = format!(
                "{}{}",
                comparator(t.comparator, lang),
                view::target_amount(t, lang)
            );
            row.push(Cell::num(amount, "value", t.value, t.value_max));
            row.push(Cell::text(view::date_label(t, lang)));
            if per_100k {
                row.push(match f.per_100k(model) {
                    Some(v) => {
                        Cell::num(per_100k_number(v, lang), "per-100k", per_100k_data(v), None)
                    }
                    None => Cell::text(w(W::NoPopulation, lang)),
                });
            }
            row
        })
        .collect();
    Table { head, rows }
}

/// The source documents of the figures, then the population figures if used.
pub(super) fn figure_sources(
    model: &Model,
    urls: &Urls,
    figs: &[Fig],
    population: bool,
    lang: Lang,
) -> Vec<Cite> {
    let sources_page = urls.page(&Page::Sources, lang);
    let mut out: Vec<Cite> = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    for f in figs {
        let key = (f.p.id.clone(), f.t.source.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        if let Some(s) = f.p.source(&f.t.source) {
            out.push(Cite {
                text: s.title.get(lang).to_string(),
                href: format!("{sources_page}#s-{}", s.id),
            });
        }
    }
    if population {
        let mut done: Vec<&str> = Vec::new();
        for f in figs {
            if let Some(c) = model.population(&f.p.id) {
                if !done.contains(&c.id.as_str()) {
                    done.push(&c.id);
                    out.push(Cite {
                        text: c.source.get(lang).to_string(),
                        href: format!("{sources_page}#ctx-{}", c.id),
                    });
                }
            }
        }
    }
    out
}

pub(super) fn programme_sources(urls: &Urls, p: &Programme, lang: Lang) -> Vec<Cite> {
    let sources_page = urls.page(&Page::Sources, lang);
    p.sources
        .iter()
        .filter(|s| p.targets.iter().any(|t| t.source == s.id))
        .map(|s| Cite {
            text: s.title.get(lang).to_string(),
            href: format!("{sources_page}#s-{}", s.id),
        })
        .collect()
}

pub fn empty(id: &str) -> Made {
    Made {
        title: id.to_string(),
        desc: String::new(),
        svg: draw::Svg {
            body: String::new(),
            width: draw::WIDTH,
            height: 40,
            fluid: false,
        },
        narrow: None,
        table: Table {
            head: Vec::new(),
            rows: Vec::new(),
        },
        sources: Vec::new(),
    }
}
