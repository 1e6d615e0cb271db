//! Each chart's numbers as CSV (`data/charts/<id>.csv`): the full figure rows of the
//! downloads for figure charts, the counts for the aggregate ones.

use super::made::figures;
use super::programme::category_counts;
use super::standing::{self, Groups};
use super::timeline::dated_counts;
use super::words;
use super::{Kind, Spec};
use crate::downloads;
use crate::model::*;
use crate::urls::Urls;
use serde::Serialize;

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
pub fn csv(model: &Model, urls: &Urls, groups: &Groups, spec: &Spec) -> Vec<u8> {
    match &spec.kind {
        Kind::Standing(id) => standing::csv(model, groups, id),
        Kind::Progress(t) => super::progress::csv(model, t),
        Kind::Metric(_) | Kind::Tiers => {
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
