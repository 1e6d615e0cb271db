//! HTML pages: one tera context per page, holding only what that page shows. This file holds
//! the renderer and what every page shares; each kind of page makes its context in `programme`
//! (a programme's page), `lists` (the pages that list every place) or `general` (the others).

mod general;
mod lists;
mod programme;

use super::lookup::Lookup;
use super::memo::{Memo, Slot};
use super::theme::Theme;
use super::Extras;
use crate::diagnostics::Diagnostic;
use crate::markdown;
use crate::model::*;
use crate::urls::{Page, Urls};
use crate::view::{self, Ctx, Link, TargetView};
use serde::Serialize;
use std::sync::Arc;
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

/// When no figure of a table can be assessed, why not (each reason once, in order): the table
/// then says so once instead of in a column of the same badge.
fn unassessed(figures: &[&TargetView]) -> Option<Vec<&'static str>> {
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
fn no_data(figures: &[&TargetView]) -> bool {
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
    /// Parts of contexts kept from the last build (the preview's), else none.
    memo: Option<&'a Memo>,
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
            memo: None,
        }
    }

    /// Takes the parts of contexts `memo` keeps, and keeps there those it makes.
    pub fn with_memo(self, memo: &'a Memo) -> PageRenderer<'a> {
        PageRenderer {
            memo: Some(memo),
            ..self
        }
    }

    /// The part `slot` of `memo` keeps for `id`, else `make`'s.
    fn part<T>(
        &self,
        slot: fn(&Memo) -> &Slot<T>,
        id: &str,
        lang: Lang,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        match self.memo {
            Some(memo) => slot(memo).get_or(id, lang, make),
            None => Arc::new(make()),
        }
    }

    /// Whether the context of `page` in `lang` is as it was before the memo forgot what an
    /// edit changed (`Memo::forget`), told without making it: for the pages made of the memo's
    /// parts and of what such an edit leaves alone (the sources and metrics pages), when the
    /// parts forgotten come out the same. `false` when it cannot tell.
    pub fn unchanged(&self, page: &Page, lang: Lang) -> bool {
        let Some(memo) = self.memo else {
            return false;
        };
        let model = self.model;
        match page {
            Page::Sources => !memo.sources.changed(lang, |id| {
                model.programme(id).map(|p| self.source_view(p, lang))
            }),
            Page::MetricIndex => !memo.metrics.changed(lang, |id| {
                let listed = model.targets_of_metric(id).next().is_some();
                let m = model.metric(id).filter(|_| listed)?;
                Some(self.make_metric_view(m, lang))
            }),
            _ => false,
        }
    }

    /// Each figure of `p` as a table row shows it.
    fn figures(&self, p: &Programme, lang: Lang) -> Arc<Vec<TargetView>> {
        self.part(
            |m| &m.figures,
            &p.id,
            lang,
            || {
                let v = Ctx {
                    model: self.model,
                    urls: self.urls,
                    lang,
                };
                v.targets_ruled(p.targets.iter().map(|t| (p, t)), &self.rule_href(lang))
            },
        )
    }

    pub fn render(&self, page: &Page, lang: Lang) -> Result<String, Diagnostic> {
        let ctx = self.page_context(page, lang)?;
        self.render_context(page, lang, &ctx)
    }

    /// Everything the template of `page` is given: a page whose context is the same as when
    /// it was last rendered, with the same templates, comes out the same (the preview skips it).
    pub fn page_context(&self, page: &Page, lang: Lang) -> Result<Context, Diagnostic> {
        let mut ctx = self.context(page, lang)?;
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

    /// The context of what `page` shows; `common` adds what every page shows.
    fn context(&self, page: &Page, lang: Lang) -> Result<Context, Diagnostic> {
        let mut ctx = Context::new();
        match page {
            Page::Home => self.home(&mut ctx, lang),
            Page::Programme(id) => self.programme_page(&mut ctx, id, lang)?,
            Page::MetricIndex => self.metric_index(&mut ctx, lang),
            Page::Metric(id) => self.metric_page(&mut ctx, id, lang)?,
            Page::Sources => self.sources_page(&mut ctx, lang),
            Page::CommentaryIndex => self.commentary_index(&mut ctx, lang),
            Page::Commentary(key) => self.commentary_page(&mut ctx, key, lang)?,
            Page::About => self.about(&mut ctx, lang),
            Page::Data => self.data(&mut ctx, lang),
            Page::Changes => self.changes(&mut ctx, lang),
            Page::Search => self.search(&mut ctx, lang),
            Page::Embed(chart) => self.embed(&mut ctx, chart, lang),
            Page::NotFound => self.not_found(&mut ctx, lang),
        }
        Ok(ctx)
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
