//! `standing-<programme>`: "this place among all". For each of a programme's figures that other
//! places also have (same metric, unit and kind), where it falls among them: its rank and the
//! spread of every place's value, drawn as a compact strip per figure (`draw::ranks`), once
//! for every screen width. Its size depends on the programme's figures, never on the number
//! of places.

use super::draw::{self, five_numbers};
use super::made::{colour_of, figure_text, Cell, Cite, Made, Table};
use super::words::{self, w, W};
use crate::model::*;
use crate::urls::{Page, Urls};
use crate::view;
use serde::Serialize;
use std::collections::HashMap;

/// Every place's values, sorted, for each group of comparable figures.
/// Comparable figures: the same metric, unit and kind.
type GroupKey = (String, Unit, FigureKind);

pub struct Groups {
    /// Sorted values and their five numbers, computed once for all programmes.
    map: HashMap<GroupKey, (Vec<f64>, [f64; 5])>,
}

/// Where one figure stands in its group.
pub struct Standing<'a> {
    pub t: &'a Target,
    /// 1 is the highest value; equal values share a rank.
    pub rank: usize,
    pub of: usize,
    pub five: [f64; 5],
}

impl Groups {
    pub fn of(model: &Model) -> Groups {
        let mut map: HashMap<GroupKey, Vec<f64>> = HashMap::new();
        for (_, t) in model.targets() {
            if t.value.is_finite() {
                map.entry((t.metric.clone(), t.unit, t.kind))
                    .or_default()
                    .push(t.value);
            }
        }
        let map = map
            .into_iter()
            .map(|(k, mut v)| {
                v.sort_by(f64::total_cmp);
                let five = five_numbers(&v);
                (k, (v, five))
            })
            .collect();
        Groups { map }
    }

    /// The programme's figures that have at least one other figure to compare with.
    pub fn standings<'a>(&self, p: &'a Programme) -> Vec<Standing<'a>> {
        p.targets
            .iter()
            .filter_map(|t| {
                let (values, five) = self.map.get(&(t.metric.clone(), t.unit, t.kind))?;
                if values.len() < 2 || !t.value.is_finite() {
                    return None;
                }
                // Values above this one, found by binary search in the sorted list.
                let not_above = values.partition_point(|v| *v <= t.value);
                Some(Standing {
                    t,
                    rank: values.len() - not_above + 1,
                    of: values.len(),
                    five: *five,
                })
            })
            .collect()
    }
}

/// The rank as written at the end of a row: `3 of 300`.
fn rank_short(s: &Standing, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{} of {}", s.rank, s.of),
        Lang::Zh => format!("第{}（共{}）", s.rank, s.of),
    }
}

/// Where a figure falls: highest of all, top quarter, middle half, bottom quarter, lowest.
fn band(s: &Standing) -> usize {
    let [lo, q1, _, q3, hi] = s.five;
    let v = s.t.value;
    if v >= hi {
        0
    } else if v <= lo {
        4
    } else if v > q3 {
        1
    } else if v < q1 {
        3
    } else {
        2
    }
}

/// The description: how many of the place's figures fall in each part of the distribution.
/// Each figure's rank and numbers are in the table beside the chart, so the description stays
/// a few sentences whatever the number of figures (a screen reader reads it in one go).
fn describe(p: &Programme, list: &[Standing], lang: Lang) -> String {
    let mut counts = [0usize; 5];
    for s in list {
        counts[band(s)] += 1;
    }
    let names: [&str; 5] = match lang {
        Lang::En => [
            "highest of all places",
            "in the top quarter",
            "in the middle half",
            "in the bottom quarter",
            "lowest of all places",
        ],
        Lang::Zh => [
            "为各地最高",
            "居前四分之一",
            "居中间一半",
            "居后四分之一",
            "为各地最低",
        ],
    };
    let parts: Vec<String> = counts
        .iter()
        .zip(names)
        .filter(|(n, _)| **n > 0)
        .map(|(n, name)| match lang {
            Lang::En => format!("{n} {name}"),
            Lang::Zh => format!("{n}项{name}"),
        })
        .collect();
    let n = list.len();
    match lang {
        Lang::En => format!(
            "Where {}'s {n} figure{} shared with other places fall among all places with the same measure: {}. The table gives each figure's rank (1 = highest) and the lowest, median and highest value of all places.",
            p.place.en,
            if n == 1 { "" } else { "s" },
            parts.join(", ")
        ),
        Lang::Zh => format!(
            "{}可与各地比较的{n}项数字在同一指标各地数字中的位置：{}。表格列出每项数字的排名（由高到低）以及各地的最低、中位数和最高值。",
            p.place.zh,
            parts.join("，")
        ),
    }
}

fn row_label(s: &Standing, lang: Lang) -> String {
    format!("{} · {}", s.t.label.get(lang), words::kind(s.t.kind, lang))
}

pub fn title(p: &Programme, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{} among all places", p.place.en),
        Lang::Zh => format!("{}在各地中的位置", p.place.zh),
    }
}

pub fn make(model: &Model, urls: &Urls, groups: &Groups, id: &str, lang: Lang) -> Made {
    let Some(p) = model.programme(id) else {
        return super::made::empty(id);
    };
    let list = groups.standings(p);
    let chart = draw::Ranks {
        place: p.place.name(lang).to_string(),
        colour: colour_of(model, p),
        spread: match lang {
            Lang::En => "Middle half of all places; bar: median".into(),
            Lang::Zh => "各地居中的一半；竖线：中位数".into(),
        },
        rows: list
            .iter()
            .map(|s| draw::RankRow {
                label: row_label(s, lang),
                five: s.five,
                mark: s.t.value,
                rank: rank_short(s, lang),
            })
            .collect(),
    };
    let desc = describe(p, &list, lang);
    let head = [
        w(W::Figure, lang),
        w(W::Value, lang),
        if lang == Lang::Zh { "排名" } else { "Rank" },
        if lang == Lang::Zh {
            "数字个数"
        } else {
            "Of"
        },
        if lang == Lang::Zh { "最低" } else { "Lowest" },
        if lang == Lang::Zh {
            "中位数"
        } else {
            "Median"
        },
        if lang == Lang::Zh {
            "最高"
        } else {
            "Highest"
        },
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let page = urls.page(&Page::Programme(p.id.clone()), lang);
    let table_rows = list
        .iter()
        .map(|s| {
            let amount = |v: f64| view::amount(v, None, s.t.unit, lang);
            vec![
                Cell {
                    text: row_label(s, lang),
                    href: Some(format!("{page}#t-{}", s.t.id)),
                    header: true,
                    ..Cell::default()
                },
                Cell::num(figure_text(s.t, lang), "value", s.t.value, s.t.value_max),
                Cell::num(s.rank.to_string(), "rank", s.rank as f64, None),
                Cell::num(s.of.to_string(), "places", s.of as f64, None),
                Cell::num(amount(s.five[0]), "lowest", s.five[0], None),
                Cell::num(amount(s.five[2]), "median", s.five[2], None),
                Cell::num(amount(s.five[4]), "highest", s.five[4], None),
            ]
        })
        .collect();
    Made {
        title: title(p, lang),
        desc,
        svg: draw::ranks(&chart),
        narrow: None,
        table: Table {
            head,
            rows: table_rows,
        },
        sources: vec![Cite::every_programme(urls, lang)],
    }
}

#[derive(Serialize)]
struct CsvRow<'a> {
    programme: &'a str,
    target_id: &'a str,
    metric: &'a str,
    unit: &'a str,
    kind: &'a str,
    value: f64,
    rank: usize,
    places: usize,
    lowest: f64,
    median: f64,
    highest: f64,
}

pub fn csv(model: &Model, groups: &Groups, id: &str) -> Vec<u8> {
    let rows: Vec<CsvRow> = model
        .programme(id)
        .map(|p| {
            groups
                .standings(p)
                .into_iter()
                .map(|s| CsvRow {
                    programme: &p.id,
                    target_id: &s.t.id,
                    metric: &s.t.metric,
                    unit: s.t.unit.id(),
                    kind: match s.t.kind {
                        FigureKind::Target => "target",
                        FigureKind::Status => "status",
                    },
                    value: s.t.value,
                    rank: s.rank,
                    places: s.of,
                    lowest: s.five[0],
                    median: s.five[2],
                    highest: s.five[4],
                })
                .collect()
        })
        .unwrap_or_default();
    crate::downloads::csv_bytes(&rows)
}
