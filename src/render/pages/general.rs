//! The pages that are not about a place or a metric: commentary, about, data, changes,
//! search, a chart's embed page and the 404 page.

use super::PageRenderer;
use crate::diagnostics::Diagnostic;
use crate::model::*;
use crate::urls::Page;
use crate::view::{self, Link};
use tera::Context;

impl PageRenderer<'_> {
    /// The commentary index.
    pub(super) fn commentary_index(&self, ctx: &mut Context, lang: Lang) {
        let model = self.model;
        ctx.insert("page_title", &self.string(lang, "nav_commentary"));
        ctx.insert(
            "commentary",
            &self.commentary_links(lang, model.commentary_for(lang)),
        );
    }

    /// The commentary page `key` in `lang`.
    pub(super) fn commentary_page(
        &self,
        ctx: &mut Context,
        key: &str,
        lang: Lang,
    ) -> Result<(), Diagnostic> {
        let (model, urls) = (self.model, self.urls);
        let c = self
            .lookup
            .commentary(key, lang)
            .ok_or_else(|| Diagnostic::error(format!("no commentary {key} in {}", lang.code())))?;
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
        Ok(())
    }

    /// The about page, with the method commentary.
    pub(super) fn about(&self, ctx: &mut Context, lang: Lang) {
        let model = self.model;
        ctx.insert("page_title", &self.string(lang, "nav_about"));
        let method = model
            .commentary
            .iter()
            .find(|c| c.key == "method" && c.lang == lang);
        ctx.insert("method", &method.map(|c| self.markdown(&c.body, lang)));
    }

    /// The downloads page.
    pub(super) fn data(&self, ctx: &mut Context, lang: Lang) {
        let (model, urls) = (self.model, self.urls);
        ctx.insert("page_title", &self.string(lang, "nav_data"));
        ctx.insert("downloads", &self.extras.downloads_for(&Page::Data));
        ctx.insert("datapackage", &urls.href(crate::urls::DATAPACKAGE));
        ctx.insert("licence", &model.site.licence);
    }

    /// The change log and the change report.
    pub(super) fn changes(&self, ctx: &mut Context, lang: Lang) {
        let (model, urls) = (self.model, self.urls);
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
    }

    /// The search page.
    pub(super) fn search(&self, ctx: &mut Context, lang: Lang) {
        let urls = self.urls;
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
    }

    /// The embed page of the chart `chart`.
    pub(super) fn embed(&self, ctx: &mut Context, chart: &str, lang: Lang) {
        let model = self.model;
        let mut view = self.extras.chart(self.model, chart, lang);
        if let Some(v) = view.as_mut() {
            crate::render::embed::fit(v, model.site.title.get(lang));
        }
        ctx.insert("chart", &view);
    }

    /// The 404 page.
    pub(super) fn not_found(&self, ctx: &mut Context, lang: Lang) {
        let (model, urls) = (self.model, self.urls);
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
    }
}
