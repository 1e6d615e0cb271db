//! The pages that list every place: the home page, the metrics index, a metric's comparison
//! page and the sources page. Across many places they stay compact; the preview keeps each
//! place's share of the sources and metrics pages (`memo`).

use super::{no_data, unassessed, PageRenderer};
use crate::diagnostics::Diagnostic;
use crate::model::*;
use crate::urls::Page;
use crate::view::{self, Ctx, Link, TargetView};
use std::sync::Arc;
use tera::Context;

impl PageRenderer<'_> {
    /// The home page: the places, the comparisons and the commentary.
    pub(super) fn home(&self, ctx: &mut Context, lang: Lang) {
        let (model, urls) = (self.model, self.urls);
        // Across many places: places by province, a line each, instead of cards.
        if model.programmes.len() > crate::chart::MANY {
            ctx.insert("provinces", &self.places_by_province(lang));
            ctx.insert("programmes", &Vec::<serde_json::Value>::new());
            ctx.insert("filter_js", &urls.href("static/filter.js"));
        } else {
            ctx.insert("programmes", &self.programme_cards(lang));
        }
        ctx.insert("comparisons", &self.comparisons(lang));
        ctx.insert(
            "commentary",
            &self.commentary_links(lang, model.commentary_for(lang)),
        );
        ctx.insert(
            "charts",
            &self.extras.charts_on(self.model, &Page::Home, lang),
        );
    }

    /// The metrics index, by category.
    pub(super) fn metric_index(&self, ctx: &mut Context, lang: Lang) {
        ctx.insert("page_title", &self.string(lang, "nav_metrics"));
        ctx.insert("metrics", &self.metric_list(lang));
    }

    /// The comparison page of the metric `id`: every figure that measures it.
    pub(super) fn metric_page(
        &self,
        ctx: &mut Context,
        id: &str,
        lang: Lang,
    ) -> Result<(), Diagnostic> {
        let (model, urls) = (self.model, self.urls);
        let page = &Page::Metric(id.to_string());
        let m = model
            .metric(id)
            .ok_or_else(|| Diagnostic::error(format!("no metric {id}")))?;
        ctx.insert("page_title", m.name.get(lang));
        ctx.insert("description", m.counts.get(lang));
        ctx.insert("metric", &*self.metric_view(m, lang));
        // Each figure of the metric, in the order of `targets_of_metric`: the preview takes
        // them from each programme's figures, which its memo keeps; a build makes only these
        // (a programme's other figures would be made for nothing on every page it is in).
        let measured = |p: &&Programme| p.targets.iter().any(|t| t.metric == *id);
        let kept: Vec<(&Programme, Arc<Vec<TargetView>>)>;
        let made: Vec<TargetView>;
        let rows: Vec<&TargetView> = if self.memo.is_some() {
            kept = model
                .programmes
                .iter()
                .filter(measured)
                .map(|p| (p, self.figures(p, lang)))
                .collect();
            kept.iter()
                .flat_map(|(p, figures)| {
                    p.targets
                        .iter()
                        .zip(figures.iter())
                        .filter(|(t, _)| t.metric == *id)
                        .map(|(_, f)| f)
                })
                .collect()
        } else {
            made = Ctx { model, urls, lang }.targets_ruled(
                model.programmes.iter().filter(measured).flat_map(|p| {
                    p.targets
                        .iter()
                        .filter(|t| t.metric == *id)
                        .map(move |t| (p, t))
                }),
                &self.rule_href(lang),
            );
            made.iter().collect()
        };
        ctx.insert("has_per_100k", &rows.iter().any(|r| r.per_100k.is_some()));
        ctx.insert("compare_js", &urls.href("static/compare.js"));
        // Across many places the table stays compact: each figure links to its clause
        // on the programme page instead of quoting it here.
        ctx.insert(
            "compact",
            &(model.programmes_with_metric(id).len() > crate::chart::MANY),
        );
        ctx.insert("no_data", &no_data(&rows));
        ctx.insert("unassessed", &unassessed(&rows));
        ctx.insert("rule_href", &self.rule_href(lang));
        ctx.insert("rows", &rows);
        ctx.insert("caveats", &view::caveats(model, m, lang));
        ctx.insert(
            "context_note",
            &model.context_note.as_ref().map(|n| n.get(lang)),
        );
        ctx.insert("charts", &self.extras.charts_on(self.model, page, lang));
        ctx.insert("downloads", &self.extras.downloads_for(page));
        ctx.insert(
            "commentary",
            &self.commentary_links(
                lang,
                model
                    .commentary_for(lang)
                    .filter(|c| c.metrics.iter().any(|m| m == id)),
            ),
        );
        Ok(())
    }

    /// The sources page: each programme's documents, and the context figures.
    pub(super) fn sources_page(&self, ctx: &mut Context, lang: Lang) {
        let model = self.model;
        ctx.insert("page_title", &self.string(lang, "nav_sources"));
        let programmes = self.sources_view(lang);
        let programmes: Vec<&serde_json::Value> = programmes.iter().map(|p| &**p).collect();
        ctx.insert("programmes", &programmes);
        ctx.insert("context_figures", &self.context_view(lang));
        ctx.insert(
            "context_note",
            &model.context_note.as_ref().map(|n| n.get(lang)),
        );
    }

    fn programme_cards(&self, lang: Lang) -> Vec<serde_json::Value> {
        let v = Ctx {
            model: self.model,
            urls: self.urls,
            lang,
        };
        let rule = self.rule_href(lang);
        self.model
            .programmes
            .iter()
            .map(|p| {
                let mut card = self.programme_view(p, lang);
                // Headline figures: the ones that can be compared across programmes first.
                let mut ranked: Vec<&Target> = p.targets.iter().collect();
                ranked.sort_by_key(|t| {
                    std::cmp::Reverse(self.model.programme_count_with_metric(&t.metric))
                });
                let headline = v.targets_ruled(ranked.into_iter().take(3).map(|t| (p, t)), &rule);
                card["headline"] = serde_json::to_value(headline).unwrap_or_default();
                card
            })
            .collect()
    }

    /// Every place, grouped by province (provinces and places in name order): what the home
    /// page lists when there are too many places for cards.
    fn places_by_province(&self, lang: Lang) -> Vec<serde_json::Value> {
        let mut groups: std::collections::BTreeMap<&str, Vec<&Programme>> = Default::default();
        for p in &self.model.programmes {
            let province = match lang {
                Lang::En => p.place.province_en.as_str(),
                Lang::Zh => p.place.province_zh.as_str(),
            };
            groups.entry(province).or_default().push(p);
        }
        groups
            .into_iter()
            .map(|(province, mut list)| {
                list.sort_by(|a, b| a.place.name(lang).cmp(b.place.name(lang)));
                let places: Vec<serde_json::Value> = list
                    .iter()
                    .map(|p| {
                        serde_json::json!({
                            "place": p.place.name(lang),
                            "href": self.urls.page(&Page::Programme(p.id.clone()), lang),
                            "period": view::period_text(&p.period, lang),
                            "figures": p.targets.len(),
                        })
                    })
                    .collect();
                serde_json::json!({
                    "province": province,
                    "slug": crate::validate::is_slug(province).then_some(province),
                    "count": places.len(),
                    "places": places,
                })
            })
            .collect()
    }

    fn comparisons(&self, lang: Lang) -> Vec<serde_json::Value> {
        let many = self.model.programmes.len() > crate::chart::MANY;
        self.model
            .shared_metrics()
            .into_iter()
            .map(|m| {
                // Across many places, the count stands for the list.
                let places: Vec<&str> = if many {
                    Vec::new()
                } else {
                    self.model
                        .programmes_with_metric(&m.id)
                        .iter()
                        .map(|p| p.place.name(lang))
                        .collect()
                };
                serde_json::json!({
                    "id": m.id, "name": m.name.get(lang),
                    "href": self.urls.page(&Page::Metric(m.id.clone()), lang),
                    "places": places.join(if lang == Lang::Zh { "、" } else { ", " }),
                    "count": self.model.programme_count_with_metric(&m.id),
                })
            })
            .collect()
    }

    fn metric_view(&self, m: &Metric, lang: Lang) -> Arc<serde_json::Value> {
        self.part(
            |memo| &memo.metrics,
            &m.id,
            lang,
            || self.make_metric_view(m, lang),
        )
    }

    pub(super) fn make_metric_view(&self, m: &Metric, lang: Lang) -> serde_json::Value {
        let programmes: Vec<Link> = self
            .model
            .programmes_with_metric(&m.id)
            .iter()
            .map(|p| Link {
                text: p.place.name(lang).to_string(),
                href: self.urls.page(&Page::Programme(p.id.clone()), lang),
            })
            .collect();
        serde_json::json!({
            "id": m.id, "name": m.name.get(lang), "counts": m.counts.get(lang),
            "unit": view::unit_label(m.unit, lang, true),
            "category": m.category.id(),
            "numerator": m.numerator.as_ref().map(|t| t.get(lang)),
            "denominator": m.denominator.as_ref().map(|t| t.get(lang)),
            "comparability": m.comparability.as_ref().map(|t| t.get(lang)),
            "programmes": programmes,
            "shared": programmes.len() >= 2,
            "href": if programmes.len() >= 2 { self.urls.page(&Page::Metric(m.id.clone()), lang) } else { String::new() },
        })
    }

    fn metric_list(&self, lang: Lang) -> Vec<serde_json::Value> {
        Category::ALL
            .iter()
            .filter_map(|cat| {
                let metrics: Vec<_> = self
                    .model
                    .metrics
                    .iter()
                    .filter(|m| {
                        m.category == *cat && self.model.targets_of_metric(&m.id).next().is_some()
                    })
                    .map(|m| self.metric_view(m, lang))
                    .collect();
                (!metrics.is_empty()).then(|| {
                    let metrics: Vec<&serde_json::Value> = metrics.iter().map(|m| &**m).collect();
                    serde_json::json!({"category": cat.id(), "metrics": metrics})
                })
            })
            .collect()
    }

    fn sources_view(&self, lang: Lang) -> Vec<Arc<serde_json::Value>> {
        self.model
            .programmes
            .iter()
            .map(|p| self.part(|m| &m.sources, &p.id, lang, || self.source_view(p, lang)))
            .collect()
    }

    /// What the sources page says of `p`.
    pub(super) fn source_view(&self, p: &Programme, lang: Lang) -> serde_json::Value {
        let mut view = self.programme_view(p, lang);
        let sources: Vec<_> = p
            .sources
            .iter()
            .zip(view["sources"].as_array().cloned().unwrap_or_default())
            .map(|(s, mut sv)| {
                let cited: Vec<Link> = p
                    .targets
                    .iter()
                    .filter(|t| t.source == s.id)
                    .map(|t| Link {
                        text: match lang {
                            Lang::En => {
                                format!("{} ({})", t.label.en, view::target_amount(t, lang))
                            }
                            Lang::Zh => {
                                format!("{}（{}）", t.label.zh, view::target_amount(t, lang))
                            }
                        },
                        href: format!(
                            "{}#t-{}",
                            self.urls.page(&Page::Programme(p.id.clone()), lang),
                            t.id
                        ),
                    })
                    .collect();
                sv["cited"] = serde_json::to_value(cited).unwrap_or_default();
                sv["note"] =
                    serde_json::to_value(s.note.as_ref().map(|n| n.get(lang))).unwrap_or_default();
                sv["seed"] = serde_json::to_value(&s.seed).unwrap_or_default();
                sv
            })
            .collect();
        view["sources"] = serde_json::Value::Array(sources);
        view
    }

    fn context_view(&self, lang: Lang) -> Vec<serde_json::Value> {
        self.model
            .context
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id,
                    "place": self.model.programme(&c.programme).map(|p| p.place.name(lang)),
                    "value": view::number(c.value, Lang::En),
                    "as_of": view::date_text(&c.as_of, lang),
                    "source": c.source.get(lang), "url": c.url,
                    "note": c.note.as_ref().map(|n| n.get(lang)),
                })
            })
            .collect()
    }
}
