//! `metric-<id>`: one metric across the programmes that share it. Up to `MANY` places, a bar
//! per figure in panels by unit, with a per-100,000-residents panel; beyond, the spread of each
//! group of comparable figures (`spread.rs`).

use super::draw::{self, Bar, Bars, Panel, Row, Seg, Style};
use super::made::*;
use super::spread::{self, Group};
use super::words::{self, w, W};
use super::{describe, Spec, MANY};
use crate::model::*;
use crate::urls::Urls;
use crate::view;

/// `Targets, total (percent)`: what a group of comparable figures is.
pub(super) fn group_label(t: &Target, unit: Option<Unit>, lang: Lang) -> String {
    let mut s = words::kind(t.kind, lang).to_string();
    if t.kind == FigureKind::Target {
        s.push_str(if lang == Lang::Zh { "，" } else { ", " });
        s.push_str(words::per(t.per, lang));
    }
    let u = match unit {
        Some(u) => view::unit_label(u, lang, true).to_string(),
        None => w(W::Per100kShort, lang).to_string(),
    };
    match lang {
        Lang::En => format!("{s} ({u})"),
        Lang::Zh => format!("{s}（{u}）"),
    }
}

/// Figures grouped by unit (or per 100,000 residents), kind and per, in order of appearance.
pub(super) fn comparable_groups<'a>(model: &Model, figs: &[Fig<'a>], lang: Lang) -> Vec<Group<'a>> {
    let mut groups: Vec<(Option<Unit>, FigureKind, Per, Group)> = Vec::new();
    let mut add = |f: &Fig<'a>, unit: Option<Unit>, v: f64| {
        let key = (unit, f.t.kind, f.t.per);
        match groups.iter_mut().find(|(u, k, p, _)| (*u, *k, *p) == key) {
            Some(g) => g.3.figs.push((*f, v)),
            None => groups.push((
                unit,
                f.t.kind,
                f.t.per,
                Group {
                    label: group_label(f.t, unit, lang),
                    figs: vec![(*f, v)],
                    unit,
                },
            )),
        }
    };
    for f in figs {
        add(f, Some(f.t.unit), f.t.value);
    }
    for f in figs {
        if let Some(v) = f.per_100k(model) {
            add(f, None, v);
        }
    }
    groups.into_iter().map(|g| g.3).collect()
}

/// A comparison across many places: the spread of each group instead of a bar per figure.
pub(super) fn many_places(
    urls: &Urls,
    figs: &[Fig],
    groups: Vec<Group>,
    shared: bool,
    title: String,
    lang: Lang,
) -> Made {
    let chart = spread::strips(&groups, shared, lang);
    Made {
        title,
        desc: spread::desc(&groups, places(figs), lang),
        svg: draw::strips(&chart, draw::WIDTH),
        narrow: Some(draw::strips(&chart, draw::NARROW)),
        // A summary of fixed size: the comparison page's own table lists every figure.
        table: spread::summary_table(&groups, lang),
        sources: vec![Cite::every_programme(urls, lang)],
    }
}

pub(super) fn metric_chart(
    model: &Model,
    urls: &Urls,
    spec: &Spec,
    metric: &str,
    lang: Lang,
) -> Made {
    let figs = figures(model, &spec.kind);
    let m = model.metric(metric);
    if places(&figs) > MANY {
        let groups = comparable_groups(model, &figs, lang);
        let title = describe::metric_title(m, lang);
        return many_places(urls, &figs, groups, false, title, lang);
    }
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
                .map(|f| figure_bar(f, bar_label(f, several(f), lang), lang))
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
        narrow: Some(narrow),
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
