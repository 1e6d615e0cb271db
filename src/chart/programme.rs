//! `programme-<id>`: a programme's targets and current figures, counted by category.

use super::describe;
use super::draw::{self, Bar, Bars, LegendItem, Mark, Panel, Row, Seg, Style};
use super::made::*;
use super::words::{self, w, W};
use crate::model::*;
use crate::urls::Urls;

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

pub(super) fn programme_chart(model: &Model, urls: &Urls, id: &str, lang: Lang) -> Made {
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
    // One drawing laid out for a phone, shown at its own width everywhere: a few categories'
    // bars need no wide variant, and drawing one would repeat the chart on every page.
    let svg = draw::bars(&chart, &fmt, draw::NARROW);
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
        narrow: None,
        table: Table { head, rows },
        sources: programme_sources(urls, p, lang),
    }
}
