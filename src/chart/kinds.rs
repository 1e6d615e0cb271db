//! From the model to each kind of chart, one kind per file: `metric`, `programme`,
//! `timeline`, `tiers`, `standing`. This file only dispatches.

use super::made::Made;
use super::standing::{self, Groups};
use super::{metric, programme, tiers, timeline, Kind, Spec};
use crate::model::*;
use crate::urls::Urls;

pub fn make(model: &Model, urls: &Urls, groups: &Groups, spec: &Spec, lang: Lang) -> Made {
    match &spec.kind {
        Kind::Metric(m) => metric::metric_chart(model, urls, spec, m, lang),
        Kind::Programme(p) => programme::programme_chart(model, urls, p, lang),
        Kind::Timeline => timeline::timeline_chart(model, urls, lang),
        Kind::Tiers => tiers::tiers_chart(model, urls, spec, lang),
        Kind::Standing(p) => standing::make(model, urls, groups, p, lang),
        Kind::Progress(t) => super::progress::make(model, urls, t, lang),
    }
}
