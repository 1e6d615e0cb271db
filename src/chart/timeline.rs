//! `timeline` (home page): each programme's period with its figures' dates; above `MANY`
//! programmes, per year: programmes in force, targets due and current figures.

use super::draw::{self, Bar, Bars, LegendItem, Mark, Panel, Row, Seg, Shape, Style};
use super::made::*;
use super::programme::count_words;
use super::words::{w, W};
use super::{describe, MANY};
use crate::model::*;
use crate::urls::{Page, Urls};
use crate::view;
use std::collections::BTreeMap;

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

/// Per year: programmes in force, targets due and current figures dated that year.
/// Year → (programmes in force, targets due, current figures); and the undated (targets,
/// current figures).
type YearCounts = (BTreeMap<i32, (usize, usize, usize)>, (usize, usize));

pub fn year_counts(model: &Model) -> YearCounts {
    let mut years: BTreeMap<i32, (usize, usize, usize)> = BTreeMap::new();
    let mut undated = (0, 0);
    for p in &model.programmes {
        // Bounded: a period longer than a century is drawn as its first hundred years.
        let (a, b) = (p.period.start.year, p.period.end.year);
        for y in a..=b.min(a.saturating_add(100)) {
            years.entry(y).or_default().0 += 1;
        }
        for t in &p.targets {
            match (t.date(), t.kind) {
                (Some(d), FigureKind::Target) => years.entry(d.year).or_default().1 += 1,
                (Some(d), FigureKind::Status) => years.entry(d.year).or_default().2 += 1,
                (None, FigureKind::Target) => undated.0 += 1,
                (None, FigureKind::Status) => undated.1 += 1,
            }
        }
    }
    (years, undated)
}

/// The timeline of many programmes: one bar per year instead of one row per programme.
pub(super) fn timeline_by_year(model: &Model, urls: &Urls, lang: Lang) -> Made {
    let (years, undated) = year_counts(model);
    let in_force = |n: usize| match lang {
        Lang::En => format!("{n} programme{} in force", if n == 1 { "" } else { "s" }),
        Lang::Zh => format!("{n}个计划实施中"),
    };
    let sep = if lang == Lang::Zh { "；" } else { "; " };
    let rows = years
        .iter()
        .map(|(y, (n, targets, status))| {
            let counts = count_words(*targets, *status, lang);
            Row::Bar(Bar {
                label: y.to_string(),
                segs: vec![
                    Seg {
                        value: *targets as f64,
                        colour: 0,
                        style: Style::Solid,
                    },
                    Seg {
                        value: *status as f64,
                        colour: 0,
                        style: Style::Hollow,
                    },
                ],
                to: None,
                text: if counts.is_empty() {
                    in_force(*n)
                } else {
                    format!("{counts}{sep}{}", in_force(*n))
                },
            })
        })
        .collect();
    let chart = Bars {
        legend: vec![
            LegendItem {
                mark: Mark::Bar(Style::Solid, Some(0)),
                text: match lang {
                    Lang::En => "Targets due".into(),
                    Lang::Zh => "到期目标".into(),
                },
            },
            LegendItem {
                mark: Mark::Bar(Style::Hollow, Some(0)),
                text: w(W::CurrentFigures, lang).to_string(),
            },
        ],
        panels: vec![Panel {
            heading: None,
            log: false,
            axis: w(W::NumberOfFigures, lang).to_string(),
            rows,
            note: None,
        }],
    };
    let fmt = tick_format(None, lang);
    let head = vec![
        if lang == Lang::Zh { "年份" } else { "Year" }.to_string(),
        if lang == Lang::Zh {
            "实施中的计划"
        } else {
            "Programmes in force"
        }
        .to_string(),
        w(W::Targets, lang).to_string(),
        w(W::CurrentFigures, lang).to_string(),
    ];
    let mut table_rows: Vec<Vec<Cell>> = years
        .iter()
        .map(|(y, (n, targets, status))| {
            vec![
                Cell::head(y.to_string(), None),
                Cell::num(n.to_string(), "programmes", *n as f64, None),
                Cell::num(targets.to_string(), "targets", *targets as f64, None),
                Cell::num(status.to_string(), "current-figures", *status as f64, None),
            ]
        })
        .collect();
    if undated != (0, 0) {
        table_rows.push(vec![
            Cell::head(
                if lang == Lang::Zh {
                    "无日期"
                } else {
                    "No date"
                },
                None,
            ),
            Cell::text(""),
            Cell::num(undated.0.to_string(), "targets", undated.0 as f64, None),
            Cell::num(
                undated.1.to_string(),
                "current-figures",
                undated.1 as f64,
                None,
            ),
        ]);
    }
    let items: Vec<String> = years
        .iter()
        .map(|(y, (n, targets, status))| {
            let counts = count_words(*targets, *status, lang);
            match lang {
                Lang::En if counts.is_empty() => format!("{y}: {}", in_force(*n)),
                Lang::En => format!("{y}: {counts} due, {}", in_force(*n)),
                Lang::Zh if counts.is_empty() => format!("{y}年：{}", in_force(*n)),
                Lang::Zh => format!("{y}年：{counts}，{}", in_force(*n)),
            }
        })
        .collect();
    let desc = match lang {
        Lang::En => format!(
            "{} programmes, year by year: {}.",
            model.programmes.len(),
            items.join("; ")
        ),
        Lang::Zh => format!(
            "{}个计划逐年情况：{}。",
            model.programmes.len(),
            items.join("；")
        ),
    };
    Made {
        title: describe::timeline_title(lang),
        desc,
        svg: draw::bars(&chart, &fmt, draw::WIDTH),
        narrow: Some(draw::bars(&chart, &fmt, draw::NARROW)),
        table: Table {
            head,
            rows: table_rows,
        },
        sources: vec![Cite::every_programme(urls, lang)],
    }
}

pub(super) fn timeline_chart(model: &Model, urls: &Urls, lang: Lang) -> Made {
    if model.programmes.len() > MANY {
        return timeline_by_year(model, urls, lang);
    }
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
        narrow: Some(narrow),
        table: Table { head, rows },
        sources,
    }
}
