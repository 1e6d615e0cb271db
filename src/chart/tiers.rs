//! `craftsman-tiers`: the tiered honour ladders (figures with a `tier`), rung by rung on a log
//! scale; above `MANY` places, each rung's spread.

use super::draw::{self, Bars, Panel, Row, Style};
use super::made::*;
use super::metric::many_places;
use super::spread::Group;
use super::{describe, Spec, MANY};
use crate::model::*;
use crate::urls::Urls;

pub(super) fn tiers_chart(model: &Model, urls: &Urls, spec: &Spec, lang: Lang) -> Made {
    let figs = figures(model, &spec.kind);
    if places(&figs) > MANY {
        // One strip per rung (and unit), on one scale.
        let mut groups: Vec<(Option<u32>, Unit, Group)> = Vec::new();
        for f in &figs {
            match groups
                .iter_mut()
                .find(|(t, u, _)| *t == f.t.tier && *u == f.t.unit)
            {
                Some(g) => g.2.figs.push((*f, f.t.value)),
                None => groups.push((
                    f.t.tier,
                    f.t.unit,
                    Group {
                        label: describe::tier_name(f.t.tier.unwrap_or(0), lang),
                        figs: vec![(*f, f.t.value)],
                        unit: Some(f.t.unit),
                    },
                )),
            }
        }
        let groups = groups.into_iter().map(|g| g.2).collect();
        return many_places(urls, &figs, groups, true, describe::tiers_title(lang), lang);
    }
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
        let label = format!("{} · {}", f.p.place.name(lang), f.t.label.get(lang));
        rows.push(figure_bar(f, label, lang));
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
        narrow: Some(narrow),
        table: figure_table(model, urls, &figs, true, lang),
        sources: figure_sources(model, urls, &figs, false, lang),
    }
}
