//! From the model to each kind of chart: what is drawn, the table beside it, its sources and
//! its CSV. Numbers are formatted by `render::view`, the same as everywhere else on the site.

use super::draw::{self, Bar, Bars, LegendItem, Mark, Panel, Row, Seg, Shape, Style};
use super::words::{self, w, W};
use super::{describe, Kind, Spec};
use crate::downloads;
use crate::model::*;
use crate::render::view;
use crate::urls::{Page, Urls};
use serde::Serialize;
use std::collections::BTreeMap;

/// A chart made in one language, before it is wrapped into SVG files and HTML.
pub struct Made {
    pub title: String,
    pub desc: String,
    /// The chart for wide screens and files, and the variant for phones.
    pub svg: draw::Svg,
    pub narrow: draw::Svg,
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
    fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            ..Cell::default()
        }
    }
    fn head(s: impl Into<String>, href: Option<String>) -> Cell {
        Cell {
            text: s.into(),
            href,
            header: true,
            ..Cell::default()
        }
    }
    fn num(s: impl Into<String>, key: &'static str, v: f64, max: Option<f64>) -> Cell {
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

fn colour_of(model: &Model, p: &Programme) -> usize {
    model
        .programmes
        .iter()
        .position(|q| q.id == p.id)
        .unwrap_or(0)
}

fn figs<'a>(model: &'a Model, keep: impl Fn(&Target) -> bool) -> Vec<Fig<'a>> {
    model
        .targets()
        .filter(|(_, t)| keep(t))
        .map(|(p, t)| Fig {
            p,
            t,
            colour: colour_of(model, p),
        })
        .collect()
}

/// The figures a chart shows (none for the aggregate charts).
pub fn figures<'a>(model: &'a Model, kind: &Kind) -> Vec<Fig<'a>> {
    match kind {
        Kind::Metric(m) => figs(model, |t| &t.metric == m),
        Kind::StatusVsTarget(m) => figs(model, |t| &t.metric == m && t.date().is_some()),
        Kind::Tiers => {
            let mut f = figs(model, |t| t.tier.is_some());
            // Rung by rung; within a rung, programmes in their usual order (stable sort).
            f.sort_by_key(|f| f.t.tier);
            f
        }
        Kind::Programme(_) | Kind::Timeline | Kind::Progress(_) => Vec::new(),
    }
}

pub fn style(t: &Target) -> Style {
    match (t.kind, t.per) {
        (FigureKind::Status, _) => Style::Hollow,
        (FigureKind::Target, Per::Year) => Style::Striped,
        (FigureKind::Target, Per::Total) => Style::Solid,
    }
}

fn comparator(c: Comparator, lang: Lang) -> String {
    match (c, lang) {
        (Comparator::Exactly, _) => String::new(),
        (c, Lang::En) => format!("{} ", c.symbol()),
        (c, Lang::Zh) => c.symbol().to_string(),
    }
}

fn per_year_suffix(t: &Target, lang: Lang) -> &'static str {
    match (t.per, lang) {
        (Per::Year, Lang::En) => " a year",
        (Per::Year, Lang::Zh) => "/年",
        (Per::Total, _) => "",
    }
}

fn with_date(figure: String, t: &Target, lang: Lang) -> String {
    let date = view::date_label(t, lang);
    match (date.is_empty(), lang) {
        (true, _) => figure,
        (false, Lang::En) => format!("{figure} {date}"),
        (false, Lang::Zh) => format!("{figure}，{date}"),
    }
}

/// The figure as written at the end of its bar: `≥ 1,500 persons a year by 2024`.
pub fn figure_text(t: &Target, lang: Lang) -> String {
    let amount = view::amount(t.value, t.value_max, t.unit, lang);
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
fn per_100k_data(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn per_100k_text(f: &Fig, v: f64, lang: Lang) -> String {
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
fn bar_label(f: &Fig, with_own_label: bool, lang: Lang) -> String {
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

fn style_legend(styles: &[Style], lang: Lang) -> Vec<LegendItem> {
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

fn axis_words(unit: Unit, lang: Lang) -> String {
    let u = view::unit_label(unit, lang, true);
    match lang {
        Lang::En => format!("As stated ({u})"),
        Lang::Zh => format!("原文数值（{u}）"),
    }
}

fn tick_format(unit: Option<Unit>, lang: Lang) -> impl Fn(f64) -> String {
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
fn wants_log(values: &[f64]) -> bool {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(0.0, f64::max);
    min > 0.0 && max / min >= 100.0
}

fn place_list(places: &[&str], lang: Lang) -> String {
    places.join(words::list_sep(lang))
}

/// Programmes that have figures but no population figure, for the per-100,000 note.
fn without_population<'a>(model: &Model, figs: &[Fig<'a>], lang: Lang) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for f in figs {
        let name = f.p.place.name(lang);
        if model.population(&f.p.id).is_none() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn per_100k_note(model: &Model, figs: &[Fig], lang: Lang) -> String {
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

pub fn make(model: &Model, urls: &Urls, spec: &Spec, lang: Lang) -> Made {
    match &spec.kind {
        Kind::Metric(m) => metric_chart(model, urls, spec, m, lang),
        Kind::Programme(p) => programme_chart(model, urls, p, lang),
        Kind::Timeline => timeline_chart(model, urls, lang),
        Kind::Tiers => tiers_chart(model, urls, spec, lang),
        Kind::StatusVsTarget(m) => status_chart(model, urls, spec, m, lang),
        Kind::Progress(t) => super::progress::make(model, urls, t, lang),
    }
}

fn metric_chart(model: &Model, urls: &Urls, spec: &Spec, metric: &str, lang: Lang) -> Made {
    let figs = figures(model, &spec.kind);
    let m = model.metric(metric);
    let mut units: Vec<Unit> = Vec::new();
    for f in &figs {
        if !units.contains(&f.t.unit) {
            units.push(f.t.unit);
        }
    }
    let several = |f: &Fig| figs.iter().filter(|g| g.p.id == f.p.id).count() > 1;
    let mut panels = Vec::new();
    for unit in &units {
        let in_unit: Vec<&Fig> = figs.iter().filter(|f| f.t.unit == *unit).collect();
        let values: Vec<f64> = in_unit
            .iter()
            .map(|f| f.t.value_max.unwrap_or(f.t.value))
            .collect();
        panels.push(Panel {
            heading: (units.len() > 1).then(|| {
                let u = view::unit_label(*unit, lang, true);
                match lang {
                    Lang::En => format!("In {u}"),
                    Lang::Zh => format!("单位：{u}"),
                }
            }),
            log: wants_log(&values),
            axis: axis_words(*unit, lang),
            rows: in_unit
                .iter()
                .map(|f| {
                    Row::Bar(Bar {
                        label: bar_label(f, several(f), lang),
                        segs: vec![Seg {
                            value: f.t.value,
                            colour: f.colour,
                            style: style(f.t),
                        }],
                        to: f.t.value_max,
                        text: figure_text(f.t, lang),
                    })
                })
                .collect(),
            note: None,
        });
    }
    let with_pop: Vec<(&Fig, f64)> = figs
        .iter()
        .filter_map(|f| f.per_100k(model).map(|v| (f, v)))
        .collect();
    // A comparison needs two places with a population figure.
    let mut places: Vec<&str> = with_pop.iter().map(|(f, _)| f.p.id.as_str()).collect();
    places.dedup();
    let per_100k_panel = places.len() >= 2;
    if per_100k_panel {
        panels.push(Panel {
            heading: Some(w(W::Per100kHeading, lang).to_string()),
            log: wants_log(&with_pop.iter().map(|(_, v)| *v).collect::<Vec<_>>()),
            axis: w(W::Per100kShort, lang).to_string(),
            rows: with_pop
                .iter()
                .map(|(f, v)| {
                    Row::Bar(Bar {
                        label: bar_label(f, several(f), lang),
                        segs: vec![Seg {
                            value: *v,
                            colour: f.colour,
                            style: style(f.t),
                        }],
                        to: None,
                        text: per_100k_text(f, *v, lang),
                    })
                })
                .collect(),
            note: Some(per_100k_note(model, &figs, lang)),
        });
    }
    let styles: Vec<Style> = figs.iter().map(|f| style(f.t)).collect();
    let chart = Bars {
        legend: style_legend(&styles, lang),
        panels,
    };
    let unit = (units.len() == 1).then(|| units[0]);
    let fmt = tick_format(unit, lang);
    let svg = draw::bars(&chart, &fmt, draw::WIDTH);
    let narrow = draw::bars(&chart, &fmt, draw::NARROW);
    let log = chart.panels.first().map(|p| p.log).unwrap_or(false);
    Made {
        title: describe::metric_title(m, lang),
        desc: describe::metric_desc(model, &figs, per_100k_panel, log, lang),
        svg,
        narrow,
        table: figure_table(model, urls, &figs, false, lang),
        sources: figure_sources(
            model,
            urls,
            &figs,
            per_100k_panel || has_per_100k(model, &figs),
            lang,
        ),
    }
}

fn has_per_100k(model: &Model, figs: &[Fig]) -> bool {
    figs.iter().any(|f| f.per_100k(model).is_some())
}

/// The table beside a figure chart: one row per figure, with per-100,000 values where any.
fn figure_table(model: &Model, urls: &Urls, figs: &[Fig], tiers: bool, lang: Lang) -> Table {
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
                view::amount(t.value, t.value_max, t.unit, lang)
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
fn figure_sources(
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

fn programme_sources(urls: &Urls, p: &Programme, lang: Lang) -> Vec<Cite> {
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

/// Counts of targets and current figures per category, in category order.
pub fn category_counts(model: &Model, p: &Programme) -> Vec<(Category, usize, usize)> {
    Category::ALL
        .iter()
        .filter_map(|c| {
            let in_cat: Vec<&Target> = p
                .targets
                .iter()
                .filter(|t| model.metric(&t.metric).map(|m| m.category) == Some(*c))
                .collect();
            let targets = in_cat
                .iter()
                .filter(|t| t.kind == FigureKind::Target)
                .count();
            let status = in_cat.len() - targets;
            (!in_cat.is_empty()).then_some((*c, targets, status))
        })
        .collect()
}

pub fn count_words(targets: usize, status: usize, lang: Lang) -> String {
    let mut parts = Vec::new();
    match lang {
        Lang::En => {
            if targets > 0 {
                parts.push(format!(
                    "{targets} target{}",
                    if targets == 1 { "" } else { "s" }
                ));
            }
            if status > 0 {
                parts.push(format!(
                    "{status} current figure{}",
                    if status == 1 { "" } else { "s" }
                ));
            }
            parts.join(", ")
        }
        Lang::Zh => {
            if targets > 0 {
                parts.push(format!("目标{targets}项"));
            }
            if status > 0 {
                parts.push(format!("现状{status}项"));
            }
            parts.join("，")
        }
    }
}

fn programme_chart(model: &Model, urls: &Urls, id: &str, lang: Lang) -> Made {
    let Some(p) = model.programme(id) else {
        return empty(id);
    };
    let colour = colour_of(model, p);
    let counts = category_counts(model, p);
    let any_status = counts.iter().any(|(_, _, s)| *s > 0);
    let mut legend = vec![LegendItem {
        mark: Mark::Bar(Style::Solid, Some(colour)),
        text: w(W::Targets, lang).to_string(),
    }];
    if any_status {
        legend.push(LegendItem {
            mark: Mark::Bar(Style::Hollow, Some(colour)),
            text: w(W::CurrentFigures, lang).to_string(),
        });
    }
    let chart = Bars {
        legend,
        panels: vec![Panel {
            heading: None,
            log: false,
            axis: w(W::NumberOfFigures, lang).to_string(),
            rows: counts
                .iter()
                .map(|(c, targets, status)| {
                    Row::Bar(Bar {
                        label: words::category(*c, lang).to_string(),
                        segs: vec![
                            Seg {
                                value: *targets as f64,
                                colour,
                                style: Style::Solid,
                            },
                            Seg {
                                value: *status as f64,
                                colour,
                                style: Style::Hollow,
                            },
                        ],
                        to: None,
                        text: count_words(*targets, *status, lang),
                    })
                })
                .collect(),
            note: None,
        }],
    };
    let fmt = tick_format(None, lang);
    let svg = draw::bars(&chart, &fmt, draw::WIDTH);
    let narrow = draw::bars(&chart, &fmt, draw::NARROW);
    let mut head = vec![
        w(W::Category, lang).to_string(),
        w(W::Targets, lang).to_string(),
    ];
    if any_status {
        head.push(w(W::CurrentFigures, lang).to_string());
    }
    let rows = counts
        .iter()
        .map(|(c, targets, status)| {
            let mut row = vec![
                Cell::head(words::category(*c, lang), None),
                Cell::num(targets.to_string(), "targets", *targets as f64, None),
            ];
            if any_status {
                row.push(Cell::num(
                    status.to_string(),
                    "current-figures",
                    *status as f64,
                    None,
                ));
            }
            row
        })
        .collect();
    Made {
        title: describe::programme_title(p, lang),
        desc: describe::programme_desc(p, &counts, lang),
        svg,
        narrow,
        table: Table { head, rows },
        sources: programme_sources(urls, p, lang),
    }
}

fn empty(id: &str) -> Made {
    Made {
        title: id.to_string(),
        desc: String::new(),
        svg: draw::Svg {
            body: String::new(),
            width: draw::WIDTH,
            height: 40,
        },
        narrow: draw::Svg {
            body: String::new(),
            width: draw::NARROW,
            height: 40,
        },
        table: Table {
            head: Vec::new(),
            rows: Vec::new(),
        },
        sources: Vec::new(),
    }
}

/// A date as a fractional year: where it starts, or with `end` where it ends (`2025` ends at
/// 2026.0, `2023-08` at 2023.667).
pub fn year_frac(d: &PartialDate, end: bool) -> f64 {
    let y = d.year as f64;
    let e = if end { 1.0 } else { 0.0 };
    match (d.month, d.day) {
        (None, _) => y + e,
        (Some(m), None) => y + (m as f64 - 1.0 + e) / 12.0,
        (Some(m), Some(day)) => y + (m as f64 - 1.0 + (day as f64 - 1.0 + e) / 31.0) / 12.0,
    }
}

/// Where a figure sits in time: a target at the end of its deadline, a current figure in the
/// middle of its as-of date.
pub fn time_of(t: &Target) -> Option<f64> {
    let d = t.date()?;
    Some(match t.kind {
        FigureKind::Target => year_frac(d, true),
        FigureKind::Status => (year_frac(d, false) + year_frac(d, true)) / 2.0,
    })
}

/// A programme's figures grouped by kind and date, in date order: (kind, date, count).
pub fn dated_counts(p: &Programme) -> Vec<(FigureKind, Option<PartialDate>, usize)> {
    let mut map: BTreeMap<(Option<PartialDate>, FigureKind), usize> = BTreeMap::new();
    for t in &p.targets {
        *map.entry((t.date().cloned(), t.kind)).or_default() += 1;
    }
    map.into_iter().map(|((d, k), n)| (k, d, n)).collect()
}

fn timeline_chart(model: &Model, urls: &Urls, lang: Lang) -> Made {
    let rows = model
        .programmes
        .iter()
        .map(|p| {
            // On the chart, figures are grouped by kind and year so markers never pile up.
            let mut by_year: BTreeMap<(i32, FigureKind), (f64, usize)> = BTreeMap::new();
            for t in &p.targets {
                if let (Some(d), Some(at)) = (t.date(), time_of(t)) {
                    let e = by_year.entry((d.year, t.kind)).or_insert((at, 0));
                    e.0 = if t.kind == FigureKind::Target {
                        e.0.max(at)
                    } else {
                        d.year as f64 + 0.5
                    };
                    e.1 += 1;
                }
            }
            draw::TimeRow {
                label: format!(
                    "{} · {}",
                    p.place.name(lang),
                    view::period_text(&p.period, lang)
                ),
                colour: colour_of(model, p),
                start: year_frac(&p.period.start, false),
                end: year_frac(&p.period.end, true),
                marks: by_year
                    .into_iter()
                    .map(|((_, kind), (at, n))| draw::TimeMark {
                        at,
                        shape: match kind {
                            FigureKind::Target => Shape::Diamond,
                            FigureKind::Status => Shape::Circle,
                        },
                        text: n.to_string(),
                    })
                    .collect(),
            }
        })
        .collect();
    let any_status = model.targets().any(|(_, t)| t.kind == FigureKind::Status);
    let mut legend = vec![
        LegendItem {
            mark: Mark::Point(Shape::Band, true),
            text: w(W::Period, lang).to_string(),
        },
        LegendItem {
            mark: Mark::Point(Shape::Diamond, true),
            text: match lang {
                Lang::En => "Targets due (number)".into(),
                Lang::Zh => "到期目标（项数）".into(),
            },
        },
    ];
    if any_status {
        legend.push(LegendItem {
            mark: Mark::Point(Shape::Circle, true),
            text: match lang {
                Lang::En => "Current figures (number)".into(),
                Lang::Zh => "现状数字（项数）".into(),
            },
        });
    }
    let timeline = draw::Timeline { legend, rows };
    let svg = draw::timeline(&timeline, draw::WIDTH);
    let narrow = draw::timeline(&timeline, draw::NARROW);
    let head = vec![
        w(W::Place, lang).to_string(),
        w(W::Period, lang).to_string(),
        w(W::Date, lang).to_string(),
        w(W::Targets, lang).to_string(),
        w(W::CurrentFigures, lang).to_string(),
    ];
    let mut rows = Vec::new();
    for p in &model.programmes {
        let mut by_date: BTreeMap<Option<PartialDate>, (usize, usize)> = BTreeMap::new();
        for (kind, d, n) in dated_counts(p) {
            let e = by_date.entry(d).or_default();
            match kind {
                FigureKind::Target => e.0 += n,
                FigureKind::Status => e.1 += n,
            }
        }
        for (d, (targets, status)) in by_date {
            rows.push(vec![
                Cell::head(
                    p.place.name(lang),
                    Some(urls.page(&Page::Programme(p.id.clone()), lang)),
                ),
                Cell::text(view::period_text(&p.period, lang)),
                Cell::text(d.map(|d| view::date_text(&d, lang)).unwrap_or_default()),
                Cell::num(targets.to_string(), "targets", targets as f64, None),
                Cell::num(status.to_string(), "current-figures", status as f64, None),
            ]);
        }
    }
    let sources = model
        .programmes
        .iter()
        .flat_map(|p| programme_sources(urls, p, lang))
        .collect();
    Made {
        title: describe::timeline_title(lang),
        desc: describe::timeline_desc(model, lang),
        svg,
        narrow,
        table: Table { head, rows },
        sources,
    }
}

fn tiers_chart(model: &Model, urls: &Urls, spec: &Spec, lang: Lang) -> Made {
    let figs = figures(model, &spec.kind);
    let mut rows = Vec::new();
    let mut last_tier = None;
    for f in &figs {
        if f.t.tier != last_tier {
            last_tier = f.t.tier;
            rows.push(Row::Heading(describe::tier_name(
                f.t.tier.unwrap_or(0),
                lang,
            )));
        }
        rows.push(Row::Bar(Bar {
            label: format!("{} · {}", f.p.place.name(lang), f.t.label.get(lang)),
            segs: vec![Seg {
                value: f.t.value,
                colour: f.colour,
                style: style(f.t),
            }],
            to: f.t.value_max,
            text: figure_text(f.t, lang),
        }));
    }
    let styles: Vec<Style> = figs.iter().map(|f| style(f.t)).collect();
    let chart = Bars {
        legend: style_legend(&styles, lang),
        panels: vec![Panel {
            heading: None,
            log: true,
            axis: match lang {
                Lang::En => "Figure as stated".into(),
                Lang::Zh => "原文数值".into(),
            },
            rows,
            note: Some(describe::tiers_note(&figs, lang)),
        }],
    };
    let fmt = tick_format(None, lang);
    let svg = draw::bars(&chart, &fmt, draw::WIDTH);
    let narrow = draw::bars(&chart, &fmt, draw::NARROW);
    Made {
        title: describe::tiers_title(lang),
        desc: describe::tiers_desc(&figs, lang),
        svg,
        narrow,
        table: figure_table(model, urls, &figs, true, lang),
        sources: figure_sources(model, urls, &figs, false, lang),
    }
}

/// Whether a status-vs-target chart plots per-100,000 values: for counts of people across
/// places, when every place has a population figure.
pub fn status_uses_per_100k(model: &Model, figs: &[Fig]) -> bool {
    let places: std::collections::BTreeSet<&str> = figs.iter().map(|f| f.p.id.as_str()).collect();
    places.len() > 1
        && figs.iter().all(|f| f.t.unit.counts_people())
        && figs.iter().all(|f| f.per_100k(model).is_some())
}

fn status_chart(model: &Model, urls: &Urls, spec: &Spec, metric: &str, lang: Lang) -> Made {
    let figs = figures(model, &spec.kind);
    let m = model.metric(metric);
    let per_100k = status_uses_per_100k(model, &figs);
    let value = |f: &Fig| {
        if per_100k {
            f.per_100k(model).unwrap_or(0.0)
        } else {
            f.t.value_max.unwrap_or(f.t.value)
        }
    };
    let unit = figs.first().map(|f| f.t.unit);
    let shown = |f: &Fig| {
        if per_100k {
            per_100k_text(f, value(f), lang)
        } else {
            figure_text(f.t, lang)
        }
    };
    let colon = if lang == Lang::Zh { "：" } else { ": " };
    let points = figs
        .iter()
        .filter_map(|f| {
            Some(draw::Point {
                x: time_of(f.t)?,
                y: value(f),
                colour: f.colour,
                shape: match f.t.kind {
                    FigureKind::Target => Shape::Diamond,
                    FigureKind::Status => Shape::Circle,
                },
                label: format!("{}{colon}{}", f.p.place.name(lang), shown(f)),
            })
        })
        .collect();
    let lines = figs
        .iter()
        .filter(|f| f.t.kind == FigureKind::Status)
        .map(|f| draw::RefLine {
            y: value(f),
            colour: f.colour,
        })
        .collect();
    let legend = vec![
        LegendItem {
            mark: Mark::Point(Shape::Circle, true),
            text: w(W::Current, lang).to_string(),
        },
        LegendItem {
            mark: Mark::Point(Shape::Diamond, false),
            text: w(W::Target, lang).to_string(),
        },
    ];
    let y_axis = if per_100k {
        w(W::Per100k, lang).to_string()
    } else {
        unit.map(|u| axis_words(u, lang)).unwrap_or_default()
    };
    let fmt = tick_format(if per_100k { None } else { unit }, lang);
    let scatter = draw::Scatter {
        legend,
        points,
        lines,
        y_axis,
        note: per_100k.then(|| per_100k_note(model, &figs, lang)),
    };
    let svg = draw::scatter(&scatter, &fmt, draw::WIDTH);
    let narrow = draw::scatter(&scatter, &fmt, draw::NARROW);
    Made {
        title: describe::status_title(m, lang),
        desc: describe::status_desc(model, &figs, per_100k, lang),
        svg,
        narrow,
        table: figure_table(model, urls, &figs, false, lang),
        sources: figure_sources(
            model,
            urls,
            &figs,
            per_100k || has_per_100k(model, &figs),
            lang,
        ),
    }
}

#[derive(Serialize)]
struct CategoryRow<'a> {
    programme: &'a str,
    place_en: &'a str,
    place_zh: &'a str,
    category: &'a str,
    category_en: &'a str,
    category_zh: &'a str,
    targets: usize,
    current_figures: usize,
}

#[derive(Serialize)]
struct TimelineRow<'a> {
    programme: &'a str,
    place_en: &'a str,
    place_zh: &'a str,
    period_start: String,
    period_end: String,
    kind: &'a str,
    date: String,
    figures: usize,
}

/// The chart's numbers as CSV: the full figure rows of the downloads for figure charts, the
/// counts for the aggregate charts.
pub fn csv(model: &Model, urls: &Urls, spec: &Spec) -> Vec<u8> {
    match &spec.kind {
        Kind::Progress(t) => super::progress::csv(model, t),
        Kind::Metric(_) | Kind::Tiers | Kind::StatusVsTarget(_) => {
            let rows: Vec<downloads::Row> = figures(model, &spec.kind)
                .iter()
                .map(|f| downloads::row(model, urls, f.p, f.t))
                .collect();
            downloads::csv_bytes(&rows)
        }
        Kind::Programme(id) => {
            let rows: Vec<CategoryRow> = model
                .programme(id)
                .map(|p| {
                    category_counts(model, p)
                        .into_iter()
                        .map(|(c, targets, status)| CategoryRow {
                            programme: &p.id,
                            place_en: &p.place.en,
                            place_zh: &p.place.zh,
                            category: c.id(),
                            category_en: words::category(c, Lang::En),
                            category_zh: words::category(c, Lang::Zh),
                            targets,
                            current_figures: status,
                        })
                        .collect()
                })
                .unwrap_or_default();
            downloads::csv_bytes(&rows)
        }
        Kind::Timeline => {
            let rows: Vec<TimelineRow> = model
                .programmes
                .iter()
                .flat_map(|p| {
                    dated_counts(p)
                        .into_iter()
                        .map(move |(kind, d, n)| TimelineRow {
                            programme: &p.id,
                            place_en: &p.place.en,
                            place_zh: &p.place.zh,
                            period_start: p.period.start.to_string(),
                            period_end: p.period.end.to_string(),
                            kind: match kind {
                                FigureKind::Target => "target",
                                FigureKind::Status => "status",
                            },
                            date: d.map(|d| d.to_string()).unwrap_or_default(),
                            figures: n,
                        })
                })
                .collect();
            downloads::csv_bytes(&rows)
        }
    }
}
