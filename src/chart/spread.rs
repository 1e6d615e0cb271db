//! The compact form of a comparison across many places: instead of a bar per figure, one strip
//! per group of comparable figures showing their spread, with the lowest, the median and the
//! highest named. The chart and its summary table have a fixed size; the full table of every
//! figure stays beside the chart on the comparison page.

use super::draw::{five_numbers, LegendItem, Mark, Shape, Strip, Strips};
use super::made::{Cell, Fig, Table};
use super::words::w;
use super::words::W;
use crate::model::*;
use crate::view;

/// A group of comparable figures and the value of each.
pub struct Group<'a> {
    pub label: String,
    pub figs: Vec<(Fig<'a>, f64)>,
    pub unit: Option<Unit>,
}

impl Group<'_> {
    fn extreme(&self, highest: bool) -> Option<&(Fig<'_>, f64)> {
        let mut best: Option<&(Fig, f64)> = None;
        for f in self.figs.iter().filter(|(_, v)| v.is_finite()) {
            best = match best {
                Some(b) if (highest && f.1 > b.1) || (!highest && f.1 < b.1) => Some(f),
                Some(b) => Some(b),
                None => Some(f),
            };
        }
        best
    }
    fn amount(&self, v: f64, lang: Lang) -> String {
        match self.unit {
            Some(u) => view::amount(v, None, u, lang),
            None => super::made::per_100k_number(v, lang),
        }
    }
    fn five(&self) -> [f64; 5] {
        five_numbers(&self.figs.iter().map(|(_, v)| *v).collect::<Vec<_>>())
    }
    /// `120 figures; lowest 10% (Suqian 3); median 35%; highest 60% (Zhuhai 12)`.
    pub fn caption(&self, lang: Lang) -> String {
        let five = self.five();
        let name = |f: Option<&(Fig, f64)>| f.map(|(f, _)| f.p.place.name(lang).to_string());
        let (lo, hi) = (name(self.extreme(false)), name(self.extreme(true)));
        let n = self.figs.len();
        match lang {
            Lang::En => format!(
                "{n} figure{}; lowest {} ({}); median {}; highest {} ({})",
                if n == 1 { "" } else { "s" },
                self.amount(five[0], lang),
                lo.unwrap_or_default(),
                self.amount(five[2], lang),
                self.amount(five[4], lang),
                hi.unwrap_or_default()
            ),
            Lang::Zh => format!(
                "{n}项；最低{}（{}）；中位数{}；最高{}（{}）",
                self.amount(five[0], lang),
                lo.unwrap_or_default(),
                self.amount(five[2], lang),
                self.amount(five[4], lang),
                hi.unwrap_or_default()
            ),
        }
    }
}

pub fn strips(groups: &[Group], shared: bool, lang: Lang) -> Strips {
    Strips {
        legend: vec![LegendItem {
            mark: Mark::Point(Shape::Band, false),
            text: match lang {
                Lang::En => "Line: lowest to highest; box: middle half; bar: median".into(),
                Lang::Zh => "线：最低至最高；方框：居中的一半；竖线：中位数".into(),
            },
        }],
        rows: groups
            .iter()
            .map(|g| Strip {
                label: g.label.clone(),
                five: g.five(),
                mark: None,
                colour: 0,
                caption: g.caption(lang),
            })
            .collect(),
        shared,
    }
}

/// One row per group: how many figures, the lowest, the median and the highest.
pub fn summary_table(groups: &[Group], lang: Lang) -> Table {
    let zh = lang == Lang::Zh;
    let head = vec![
        w(W::Figure, lang).to_string(),
        (if zh { "数字个数" } else { "Figures" }).to_string(),
        (if zh { "最低" } else { "Lowest" }).to_string(),
        (if zh { "中位数" } else { "Median" }).to_string(),
        (if zh { "最高" } else { "Highest" }).to_string(),
    ];
    let rows = groups
        .iter()
        .map(|g| {
            let five = g.five();
            let n = g.figs.len();
            vec![
                Cell::head(g.label.clone(), None),
                Cell::num(n.to_string(), "figures", n as f64, None),
                Cell::num(g.amount(five[0], lang), "lowest", five[0], None),
                Cell::num(g.amount(five[2], lang), "median", five[2], None),
                Cell::num(g.amount(five[4], lang), "highest", five[4], None),
            ]
        })
        .collect();
    Table { head, rows }
}

/// The description of the compact form: every group's count, lowest, median and highest.
pub fn desc(groups: &[Group], places: usize, lang: Lang) -> String {
    let sep = if lang == Lang::Zh { "。" } else { ". " };
    let parts: Vec<String> = groups
        .iter()
        .map(|g| {
            let colon = if lang == Lang::Zh { "：" } else { ": " };
            format!("{}{colon}{}", g.label, g.caption(lang))
        })
        .collect();
    let intro = match lang {
        Lang::En => format!("{places} places. The spread of their figures"),
        Lang::Zh => format!("共{places}地。各组数字的分布"),
    };
    let colon = if lang == Lang::Zh { "：" } else { ": " };
    format!("{intro}{colon}{}{}", parts.join(sep), sep.trim_end())
}
