//! A programme's page: its figures, commitments, sources and commentary.

use super::{no_data, unassessed, PageRenderer};
use crate::diagnostics::Diagnostic;
use crate::model::*;
use crate::urls::{Page, Urls};
use crate::view::{self, Link, TargetView};
use tera::Context;

impl PageRenderer<'_> {
    /// The page of the programme `id`.
    pub(super) fn programme_page(
        &self,
        ctx: &mut Context,
        id: &str,
        lang: Lang,
    ) -> Result<(), Diagnostic> {
        let model = self.model;
        let page = &Page::Programme(id.to_string());
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
        let figures = self.figures(p, lang);
        let targets: Vec<&TargetView> = figures.iter().collect();
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
        Ok(())
    }

    pub(super) fn programme_view(&self, p: &Programme, lang: Lang) -> serde_json::Value {
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
