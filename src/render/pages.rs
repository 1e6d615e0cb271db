//! HTML pages: one tera context per page, holding only what that page shows.

use super::lookup::Lookup;
use super::theme::Theme;
use super::Extras;
use crate::diagnostics::Diagnostic;
use crate::markdown;
use crate::model::*;
use crate::urls::{Page, Urls};
use crate::view::{self, Ctx, Link, TargetView};
use serde::Serialize;
use tera::Context;

/// The theme's share image (1200×630 PNG) below `static/`, used for Open Graph and Twitter cards.
pub const OG_IMAGE: &str = "og-image.png";

#[derive(Serialize)]
struct Alternate {
    lang: &'static str,
    tag: &'static str,
    name: String,
    href: String,
    absolute: String,
}

/// Every language a page exists in (commentary may exist in one only; the 404 page is one
/// page that speaks every language). For many pages, ask one `Lookup`.
pub fn languages_of(model: &Model, page: &Page) -> Vec<Lang> {
    Lookup::new(model).languages(page)
}

/// The source every figure and commitment of `p` is quoted from, when there is only one: the
/// page then names it once above the table instead of in every row.
fn one_source(p: &Programme, urls: &Urls, lang: Lang) -> Option<Link> {
    let first = p.targets.first().map(|t| &t.source)?;
    let all = p.targets.iter().map(|t| &t.source);
    if !all
        .chain(p.commitments.iter().map(|c| &c.source))
        .all(|s| s == first)
    {
        return None;
    }
    p.source(first).map(|s| Link {
        text: s.title.get(lang).to_string(),
        href: format!("{}#s-{}", urls.page(&Page::Sources, lang), s.id),
    })
}

/// When no figure of a table can be assessed, why not (each reason once, in order): the table
/// then says so once instead of in a column of the same badge.
fn unassessed(figures: &[TargetView]) -> Option<Vec<&'static str>> {
    if !figures.iter().all(|t| t.progress.status == "not_assessed") {
        return None;
    }
    let mut reasons: Vec<&'static str> = Vec::new();
    for t in figures {
        if !reasons.contains(&t.progress.reason) {
            reasons.push(t.progress.reason);
        }
    }
    Some(reasons)
}

/// Whether any of these figures has no observation: the table then says once what that means.
fn no_data(figures: &[TargetView]) -> bool {
    figures.iter().any(|t| t.progress.reason == "no_data")
}

/// Every page of the site, language-independent.
pub fn all_pages(model: &Model) -> Vec<Page> {
    let mut pages = vec![
        Page::Home,
        Page::MetricIndex,
        Page::Sources,
        Page::CommentaryIndex,
        Page::About,
        Page::Data,
        Page::Changes,
        Page::Search,
        Page::NotFound,
    ];
    pages.extend(
        model
            .programmes
            .iter()
            .map(|p| Page::Programme(p.id.clone())),
    );
    pages.extend(
        model
            .shared_metrics()
            .iter()
            .map(|m| Page::Metric(m.id.clone())),
    );
    let mut keys: Vec<&String> = model.commentary.iter().map(|c| &c.key).collect();
    keys.dedup();
    pages.extend(keys.into_iter().map(|k| Page::Commentary(k.clone())));
    pages
}

/// The template each kind of page is rendered with (`PageRenderer` renders with it, and the
/// preview asks it which pages a template edit affects).
pub fn template_of(page: &Page) -> &'static str {
    match page {
        Page::Home => "home.html",
        Page::Programme(_) => "programme.html",
        Page::MetricIndex => "metrics.html",
        Page::Metric(_) => "metric.html",
        Page::Sources => "sources.html",
        Page::CommentaryIndex => "commentary_index.html",
        Page::Commentary(_) => "commentary.html",
        Page::About => "about.html",
        Page::Changes => "changes.html",
        Page::Data => "data.html",
        Page::Search => "search.html",
        Page::Embed(_) => "embed.html",
        Page::NotFound => "404.html",
    }
}

/// Every template a page is rendered with; the theme's other templates (`base.html`,
/// partials) are shared by all of them.
pub const PAGE_TEMPLATES: [&str; 13] = [
    "home.html",
    "programme.html",
    "metrics.html",
    "metric.html",
    "sources.html",
    "commentary_index.html",
    "commentary.html",
    "about.html",
    "changes.html",
    "data.html",
    "search.html",
    "embed.html",
    "404.html",
];

pub struct PageRenderer<'a> {
    pub model: &'a Model,
    pub urls: &'a Urls,
    pub theme: &'a Theme,
    pub extras: &'a Extras,
    /// Each site language's share of every page's context (see `language_context`), and
    /// where the progress rule is explained in it.
    languages: Vec<(Lang, Context, String)>,
    lookup: Lookup<'a>,
}

impl<'a> PageRenderer<'a> {
    pub fn new(
        model: &'a Model,
        urls: &'a Urls,
        theme: &'a Theme,
        extras: &'a Extras,
    ) -> PageRenderer<'a> {
        let languages = model
            .site
            .languages
            .iter()
            .map(|l| {
                let rule = view::rule_href(model, urls, *l);
                (*l, Self::language_context(model, urls, theme, *l), rule)
            })
            .collect();
        PageRenderer {
            model,
            urls,
            theme,
            extras,
            languages,
            lookup: Lookup::new(model),
        }
    }

    pub fn render(&self, page: &Page, lang: Lang) -> Result<String, Diagnostic> {
        let ctx = self.page_context(page, lang)?;
        self.render_context(page, lang, &ctx)
    }

    /// Everything the template of `page` is given: a page whose context is the same as when
    /// it was last rendered, with the same templates, comes out the same (the preview skips it).
    pub fn page_context(&self, page: &Page, lang: Lang) -> Result<Context, Diagnostic> {
        let (template, mut ctx) = self.context(page, lang)?;
        debug_assert_eq!(template, template_of(page), "one template per kind of page");
        self.common(&mut ctx, page, lang);
        Ok(ctx)
    }

    /// `page` rendered from its `page_context`.
    pub fn render_context(
        &self,
        page: &Page,
        lang: Lang,
        ctx: &Context,
    ) -> Result<String, Diagnostic> {
        let template = template_of(page);
        let html = self.theme.render(template, ctx).map_err(|mut d| {
            d.message = format!(
                "the template {template} failed for {}: {}",
                self.urls.page_file(page, lang),
                d.message
            );
            d.help("fix the template, or the data it names")
        })?;
        // English pages: every Chinese phrase marked; Chinese pages: words quoted from a
        // Traditional document marked zh-Hant.
        Ok(super::langmark::mark_chinese(&html, Lang::Zh.tag()))
    }

    /// What every page in `lang` holds whatever the page (interface strings, navigation,
    /// stylesheet links): made once per language, and copied cheaply into each page's context
    /// (tera shares maps and lists between copies).
    fn language_context(model: &Model, urls: &Urls, theme: &Theme, lang: Lang) -> Context {
        let mut ctx = Context::new();
        // The theme's loader guarantees strings for every site language.
        let empty = std::collections::BTreeMap::new();
        let t = theme.strings.get(lang.code()).unwrap_or(&empty);
        ctx.insert("lang", lang.code());
        ctx.insert("lang_tag", lang.tag());
        ctx.insert("t", t);
        ctx.insert("site_title", model.site.title.get(lang));
        ctx.insert("site_description", model.site.description.get(lang));
        ctx.insert("css", &urls.href("static/style.css"));
        ctx.insert("print_css", &urls.href("static/print.css"));
        ctx.insert("favicon", &urls.href("static/favicon.svg"));
        // The script an embed page tells its host its height with: one file, not a copy per page.
        ctx.insert("embed_js", &urls.href("static/embed.js"));
        // The theme's share image, when it has one: never a link to a file that is not there.
        let og_image = theme
            .statics
            .iter()
            .any(|(name, _)| name == OG_IMAGE)
            .then(|| urls.absolute(&format!("static/{OG_IMAGE}")));
        ctx.insert("og_image", &og_image);
        ctx.insert("feed", &urls.href(&urls.feed_path(lang)));
        let nav: Vec<Link> = [
            (Page::Home, "nav_home"),
            (Page::MetricIndex, "nav_metrics"),
            (Page::Sources, "nav_sources"),
            (Page::CommentaryIndex, "nav_commentary"),
            (Page::Data, "nav_data"),
            (Page::About, "nav_about"),
        ]
        .into_iter()
        .map(|(p, key)| Link {
            text: t.get(key).cloned().unwrap_or_else(|| key.to_string()),
            href: urls.page(&p, lang),
        })
        .collect();
        ctx.insert("nav", &nav);
        ctx.insert("data_href", &urls.page(&Page::Data, lang));
        ctx.insert("search_href", &urls.page(&Page::Search, lang));
        ctx
    }

    fn common(&self, ctx: &mut Context, page: &Page, lang: Lang) {
        let (model, urls) = (self.model, self.urls);
        if let Some((_, base, _)) = self.languages.iter().find(|(l, ..)| *l == lang) {
            ctx.extend(base.clone());
        } else {
            ctx.extend(Self::language_context(model, urls, self.theme, lang));
        }
        if !ctx.contains_key("description") {
            ctx.insert("description", model.site.description.get(lang));
        }
        let path = urls.page_path(page, lang);
        ctx.insert("canonical", &urls.absolute(&path));
        ctx.insert("page_id", &format!("{page:?}"));
        let alternates: Vec<Alternate> = self
            .lookup
            .languages(page)
            .into_iter()
            .map(|l| Alternate {
                lang: l.code(),
                tag: l.tag(),
                name: self
                    .theme
                    .strings
                    .get(l.code())
                    .and_then(|s| s.get("language_name"))
                    .cloned()
                    .unwrap_or_else(|| l.code().to_string()),
                href: urls.page(page, l),
                absolute: urls.absolute(&urls.page_path(page, l)),
            })
            .collect();
        // x-default (the default language) only where there is a choice and it exists.
        let default = model.site.default_lang();
        let x_default = alternates
            .iter()
            .find(|a| alternates.len() > 1 && a.lang == default.code())
            .map(|a| a.absolute.clone());
        ctx.insert("x_default", &x_default);
        ctx.insert("alternates", &alternates);
        ctx.insert(
            "other_languages",
            &alternates
                .iter()
                .filter(|a| a.lang != lang.code())
                .collect::<Vec<_>>(),
        );
    }

    fn context(&self, page: &Page, lang: Lang) -> Result<(&'static str, Context), Diagnostic> {
        let (model, urls) = (self.model, self.urls);
        let v = Ctx { model, urls, lang };
        let mut ctx = Context::new();
        let template = match page {
            Page::Home => {
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
                ctx.insert("charts", &self.extras.charts_on(self.model, page, lang));
                "home.html"
            }
            Page::Programme(id) => {
                let p = model
                    .programme(id)
                    .ok_or_else(|| Diagnostic::error(format!("no programme {id}")))?;
                ctx.insert(
                    "page_title",
                    &format!("{} · {}", p.place.name(lang), p.title.get(lang)),
                );
                ctx.insert(
                    "description",
                    &format!("{} — {}", p.place.name(lang), p.title.get(lang)),
                );
                ctx.insert("programme", &self.programme_view(p, lang));
                ctx.insert("rule_href", &self.rule_href(lang));
                let targets =
                    v.targets_ruled(p.targets.iter().map(|t| (p, t)), &self.rule_href(lang));
                ctx.insert("no_data", &no_data(&targets));
                ctx.insert("unassessed", &unassessed(&targets));
                ctx.insert("targets", &targets);
                ctx.insert("one_source", &one_source(p, self.urls, lang));
                ctx.insert("commitments", &self.commitments(p, lang));
                ctx.insert(
                    "commentary",
                    &self.commentary_links(lang, self.lookup.about_programme(id, lang)),
                );
                ctx.insert("charts", &self.extras.charts_on(self.model, page, lang));
                ctx.insert("downloads", &self.extras.downloads_for(page));
                "programme.html"
            }
            Page::MetricIndex => {
                ctx.insert("page_title", &self.string(lang, "nav_metrics"));
                ctx.insert("metrics", &self.metric_list(lang));
                "metrics.html"
            }
            Page::Metric(id) => {
                let m = model
                    .metric(id)
                    .ok_or_else(|| Diagnostic::error(format!("no metric {id}")))?;
                ctx.insert("page_title", m.name.get(lang));
                ctx.insert("description", m.counts.get(lang));
                ctx.insert("metric", &self.metric_view(m, lang));
                let rows = v.targets_ruled(model.targets_of_metric(id), &self.rule_href(lang));
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
                            .filter(|c| c.metrics.contains(id)),
                    ),
                );
                "metric.html"
            }
            Page::Sources => {
                ctx.insert("page_title", &self.string(lang, "nav_sources"));
                ctx.insert("programmes", &self.sources_view(lang));
                ctx.insert("context_figures", &self.context_view(lang));
                ctx.insert(
                    "context_note",
                    &model.context_note.as_ref().map(|n| n.get(lang)),
                );
                "sources.html"
            }
            Page::CommentaryIndex => {
                ctx.insert("page_title", &self.string(lang, "nav_commentary"));
                ctx.insert(
                    "commentary",
                    &self.commentary_links(lang, model.commentary_for(lang)),
                );
                "commentary_index.html"
            }
            Page::Commentary(key) => {
                let c = self.lookup.commentary(key, lang).ok_or_else(|| {
                    Diagnostic::error(format!("no commentary {key} in {}", lang.code()))
                })?;
                ctx.insert("page_title", &c.title);
                ctx.insert("description", &c.summary);
                ctx.insert("summary", &c.summary);
                ctx.insert("date", &c.date.as_ref().map(|d| view::date_text(d, lang)));
                ctx.insert("body", &self.markdown(&c.body, lang));
                let related: Vec<Link> = c
                    .programmes
                    .iter()
                    .filter_map(|id| model.programme(id))
                    .map(|p| Link {
                        text: p.place.name(lang).to_string(),
                        href: urls.page(&Page::Programme(p.id.clone()), lang),
                    })
                    .collect();
                ctx.insert("related", &related);
                "commentary.html"
            }
            Page::About => {
                ctx.insert("page_title", &self.string(lang, "nav_about"));
                let method = model
                    .commentary
                    .iter()
                    .find(|c| c.key == "method" && c.lang == lang);
                ctx.insert("method", &method.map(|c| self.markdown(&c.body, lang)));
                "about.html"
            }
            Page::Data => {
                ctx.insert("page_title", &self.string(lang, "nav_data"));
                ctx.insert("downloads", &self.extras.downloads_for(page));
                ctx.insert("datapackage", &urls.href(crate::urls::DATAPACKAGE));
                ctx.insert("licence", &model.site.licence);
                "data.html"
            }
            Page::Changes => {
                ctx.insert("page_title", &self.string(lang, "changes_title"));
                ctx.insert("report", &self.extras.change_report(lang, urls));
                let entries: Vec<_> = model
                    .changelog_newest_first()
                    .into_iter()
                    .map(|e| {
                        let figures: Vec<Link> = e
                            .targets
                            .iter()
                            .filter_map(|id| model.targets().find(|(_, t)| &t.id == id))
                            .map(|(p, t)| Link {
                                text: format!(
                                    "{}{}{}",
                                    p.place.name(lang),
                                    if lang == Lang::Zh { "：" } else { ": " },
                                    t.label.get(lang)
                                ),
                                href: format!(
                                    "{}#t-{}",
                                    urls.page(&Page::Programme(p.id.clone()), lang),
                                    t.id
                                ),
                            })
                            .collect();
                        serde_json::json!({
                            "id": e.id, "date": view::date_text(&e.date, lang),
                            "datetime": e.date.to_string(),
                            "title": e.title.get(lang), "text": e.text.get(lang),
                            "figures": figures,
                        })
                    })
                    .collect();
                ctx.insert("entries", &entries);
                "changes.html"
            }
            Page::Search => {
                ctx.insert("page_title", &self.string(lang, "search_title"));
                ctx.insert("bundle", &urls.href(crate::urls::SEARCH_BUNDLE));
                ctx.insert("search_js", &urls.href("static/search.js"));
                ctx.insert("prefix", urls.prefix());
                let indexes: Vec<Link> = [
                    (Page::Home, "programmes_heading"),
                    (Page::MetricIndex, "nav_metrics"),
                    (Page::Sources, "nav_sources"),
                    (Page::CommentaryIndex, "nav_commentary"),
                ]
                .into_iter()
                .map(|(p, key)| Link {
                    text: self.string(lang, key),
                    href: urls.page(&p, lang),
                })
                .collect();
                ctx.insert("indexes", &indexes);
                "search.html"
            }
            Page::Embed(chart) => {
                let mut view = self.extras.chart(self.model, chart, lang);
                if let Some(v) = view.as_mut() {
                    super::embed::fit(v, model.site.title.get(lang));
                }
                ctx.insert("chart", &view);
                "embed.html"
            }
            Page::NotFound => {
                ctx.insert("page_title", &self.string(lang, "not_found_title"));
                // One 404 page answers for every language: it says so in each of the others
                // too, with a way to that language's home page.
                let others: Vec<_> = model
                    .site
                    .languages
                    .iter()
                    .filter(|l| **l != lang)
                    .map(|l| {
                        serde_json::json!({
                            "tag": l.tag(),
                            "title": self.string(*l, "not_found_title"),
                            "text": self.string(*l, "not_found_text"),
                            "home": urls.page(&Page::Home, *l),
                            "home_text": self.string(*l, "nav_home"),
                        })
                    })
                    .collect();
                ctx.insert("other_languages_text", &others);
                "404.html"
            }
        };
        Ok((template, ctx))
    }

    fn string(&self, lang: Lang, key: &str) -> String {
        self.theme
            .strings
            .get(lang.code())
            .and_then(|s| s.get(key))
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    pub fn markdown(&self, body: &str, lang: Lang) -> String {
        let (model, urls) = (self.model, self.urls);
        let page = |path: &str| urls.href(&urls.lang_path(lang, path));
        let target = |id: &str| {
            model.targets().find(|(_, t)| t.id == id).map(|(p, t)| {
                format!(
                    "{}#t-{}",
                    urls.page(&Page::Programme(p.id.clone()), lang),
                    t.id
                )
            })
        };
        let chart = |id: &str| self.extras.chart_block(self.model, id, lang);
        markdown::to_html(
            body,
            model.site.allow_raw_html,
            &markdown::Links {
                page: &page,
                target: &target,
                chart: &chart,
                taken_ids: &self.theme.ids,
            },
        )
    }

    fn programme_view(&self, p: &Programme, lang: Lang) -> serde_json::Value {
        let sources: Vec<_> = p
            .sources
            .iter()
            .map(|s| {
                serde_json::json!({
                    "id": s.id, "title": s.title.get(lang), "publisher": s.publisher.get(lang),
                    "date": s.date.as_ref().map(|d| view::date_text(d, lang)),
                    "kind": match s.kind { SourceKind::OfficialText => "official_text", SourceKind::NewsReport => "news_report" },
                    "url": s.url, "href": format!("{}#s-{}", self.urls.page(&Page::Sources, lang), s.id),
                })
            })
            .collect();
        let status = p
            .targets
            .iter()
            .filter(|t| t.kind == FigureKind::Status)
            .count();
        serde_json::json!({
            "id": p.id,
            "place": p.place.name(lang),
            "province": match lang { Lang::En => &p.place.province_en, Lang::Zh => &p.place.province_zh },
            "place_full": view::place_with_province(&p.place, lang),
            "title": p.title.get(lang),
            "title_zh": p.title.zh,
            "issuer": p.issuer.get(lang),
            "published": p.published.as_ref().map(|d| view::date_text(d, lang)),
            "period": view::period_text(&p.period, lang),
            "period_note": p.period.note.as_ref().map(|n| n.get(lang)),
            "summary": p.summary.as_ref().map(|n| n.get(lang)),
            "note": p.note.as_ref().map(|n| n.get(lang)),
            "sources": sources,
            "target_count": p.targets.len() - status,
            "status_count": status,
            "commitment_count": p.commitments.len(),
            "progress": crate::progress::summary(self.model, p)
                .into_iter()
                .map(|(s, n)| serde_json::json!({"status": s.id(), "count": n}))
                .collect::<Vec<_>>(),
            "href": self.urls.page(&Page::Programme(p.id.clone()), lang),
        })
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

    fn metric_view(&self, m: &Metric, lang: Lang) -> serde_json::Value {
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
                (!metrics.is_empty())
                    .then(|| serde_json::json!({"category": cat.id(), "metrics": metrics}))
            })
            .collect()
    }

    fn commitments(&self, p: &Programme, lang: Lang) -> Vec<serde_json::Value> {
        p.commitments
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id, "anchor": format!("c-{}", c.id), "text": c.text.get(lang),
                    "quote": c.quote, "quote_lang": c.script.tag(), "quote_en": c.quote_en,
                    "deadline": c.deadline.as_ref().map(|d| view::date_text(d, lang)),
                    "note": c.note.as_ref().map(|n| n.get(lang)),
                    "source": {"text": p.source(&c.source).map(|s| s.title.get(lang)), "href": format!("{}#s-{}", self.urls.page(&Page::Sources, lang), c.source)},
                })
            })
            .collect()
    }

    fn sources_view(&self, lang: Lang) -> Vec<serde_json::Value> {
        self.model
            .programmes
            .iter()
            .map(|p| {
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
                                    Lang::Zh => format!(
                                        "{}（{}）",
                                        t.label.zh,
                                        view::target_amount(t, lang)
                                    ),
                                },
                                href: format!(
                                    "{}#t-{}",
                                    self.urls.page(&Page::Programme(p.id.clone()), lang),
                                    t.id
                                ),
                            })
                            .collect();
                        sv["cited"] = serde_json::to_value(cited).unwrap_or_default();
                        sv["note"] = serde_json::to_value(s.note.as_ref().map(|n| n.get(lang)))
                            .unwrap_or_default();
                        sv["seed"] = serde_json::to_value(&s.seed).unwrap_or_default();
                        sv
                    })
                    .collect();
                view["sources"] = serde_json::Value::Array(sources);
                view
            })
            .collect()
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

    fn commentary_links<'c>(
        &self,
        lang: Lang,
        list: impl Iterator<Item = &'c Commentary>,
    ) -> Vec<serde_json::Value> {
        list.map(|c| {
            serde_json::json!({
                "title": c.title, "summary": c.summary,
                "href": self.urls.page(&Page::Commentary(c.key.clone()), lang),
            })
        })
        .collect()
    }

    /// Where the progress rule is explained (`view::rule_href`), found once per language.
    fn rule_href(&self, lang: Lang) -> String {
        match self.languages.iter().find(|(l, ..)| *l == lang) {
            Some((_, _, rule)) => rule.clone(),
            None => view::rule_href(self.model, self.urls, lang),
        }
    }
}
