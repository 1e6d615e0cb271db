//! Each chart's numbers as CSV (`data/charts/<id>.csv`): for a comparison of one metric, its
//! figures' numbers (`MetricRow`); the full figure rows of the downloads for the tiers chart;
//! the counts for the aggregate ones.

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

/// A figure as a comparison of one metric draws it: the columns of the downloads' rows that
/// place, name, date and measure it, without its clause and notes (those are in
/// `data/targets.csv`, and on its programme's page, at its `permalink`).
#[derive(Serialize)]
struct MetricRow {
    target_id: String,
    programme: String,
    place_en: String,
    place_zh: String,
    metric: String,
    label_en: String,
    label_zh: String,
    kind: String,
    per: String,
    comparator: String,
    #[serde(serialize_with = "downloads::plain_number")]
    value: f64,
    #[serde(serialize_with = "downloads::plain_option")]
    value_max: Option<f64>,
    unit: String,
    deadline: String,
    as_of: String,
    tier: Option<u32>,
    #[serde(serialize_with = "downloads::plain_option")]
    per_100k_residents: Option<f64>,
    permalink: String,
}

impl MetricRow {
    fn of(r: downloads::Row) -> MetricRow {
        MetricRow {
            target_id: r.target_id,
            programme: r.programme,
            place_en: r.place_en,
            place_zh: r.place_zh,
            metric: r.metric,
            label_en: r.label_en,
            label_zh: r.label_zh,
            kind: r.kind,
            per: r.per,
            comparator: r.comparator,
            value: r.value,
            value_max: r.value_max,
            unit: r.unit,
            deadline: r.deadline,
            as_of: r.as_of,
            tier: r.tier,
            per_100k_residents: r.per_100k_residents,
            permalink: r.permalink,
        }
    }
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

/// The chart's numbers as CSV (see the module's note).
pub fn csv(model: &Model, urls: &Urls, groups: &Groups, spec: &Spec) -> Vec<u8> {
    match &spec.kind {
        Kind::Standing(id) => standing::csv(model, groups, id),
        Kind::Progress(t) => super::progress::csv(model, t),
        Kind::Metric(_) => {
            let rows: Vec<MetricRow> = figures(model, &spec.kind)
                .iter()
                .map(|f| MetricRow::of(downloads::row(model, urls, f.p, f.t)))
                .collect();
            downloads::csv_bytes(&rows)
        }
        Kind::Tiers => {
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
