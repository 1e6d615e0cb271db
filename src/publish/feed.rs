//! Atom feeds of data updates, one per language (`feed.xml`, `zh/feed.xml`), from the dated
//! entries of `content/changelog.yaml`. Nothing in a feed depends on when it was built: an
//! entry's id is its permalink on the changes page, its dates are the entry's date, and the
//! feed's `updated` is the newest entry's date. Ids change only if the site moves.

use crate::escape::esc;
use crate::model::{ChangeEntry, Lang, Model, PartialDate};
use crate::progress::{self, status::Status};
use crate::urls::{Page, Urls};

/// RFC 3339 time for a date: its first day, at midnight UTC.
pub fn timestamp(d: &PartialDate) -> String {
    let (y, m, day) = d.start();
    format!("{y:04}-{m:02}-{day:02}T00:00:00Z")
}

/// The site-relative path of an entry on the changes page (the entry's permalink).
pub fn entry_path(urls: &Urls, lang: Lang, entry: &ChangeEntry) -> String {
    format!("{}#log-{}", urls.page_path(&Page::Changes, lang), entry.id)
}

/// The feed's `updated`: the newest entry, else the newest date in the data, so a build never
/// writes the time it ran.
fn updated(model: &Model) -> String {
    let newest = model
        .changelog
        .iter()
        .map(|e| e.date.start())
        .chain(status_changes(model).iter().map(|c| c.date.start()))
        .max()
        .or_else(|| {
            model
                .programmes
                .iter()
                .flat_map(|p| {
                    p.published
                        .iter()
                        .chain(p.sources.iter().filter_map(|s| s.date.as_ref()))
                })
                .map(PartialDate::start)
                .max()
        });
    let (y, m, d) = newest.unwrap_or((2000, 1, 1));
    timestamp(&PartialDate {
        year: y,
        month: Some(m),
        day: Some(d),
    })
}

/// `s(key)` gives the theme's interface string for `key` in `lang`.
pub fn feed(model: &Model, urls: &Urls, lang: Lang, s: &dyn Fn(&str) -> String) -> String {
    let e = esc;
    let site_title = model.site.title.get(lang);
    let self_url = urls.absolute(&urls.feed_path(lang));
    let changes_url = urls.absolute(&urls.page_path(&Page::Changes, lang));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        lang.tag()
    ));
    out.push_str(&format!("  <id>{}</id>\n", e(&self_url)));
    out.push_str(&format!(
        "  <title>{} · {}</title>\n",
        e(site_title),
        e(&s("feed_name"))
    ));
    out.push_str(&format!(
        "  <subtitle>{}</subtitle>\n",
        e(&s("feed_subtitle"))
    ));
    out.push_str(&format!("  <updated>{}</updated>\n", updated(model)));
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        e(&self_url)
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        e(&changes_url)
    ));
    out.push_str(&format!(
        "  <author><name>{}</name><uri>{}</uri></author>\n",
        e(site_title),
        e(&urls.absolute(&urls.page_path(&Page::Home, lang)))
    ));
    if let Some(l) = &model.site.licence {
        out.push_str(&format!("  <rights>{}</rights>\n", e(&l.name)));
    }
    out.push_str("  <generator>policydash</generator>\n");
    for entry in model.changelog_newest_first() {
        out.push_str(&entry_xml(model, urls, lang, entry, s));
    }
    for change in status_changes(model) {
        out.push_str(&status_xml(urls, lang, &change, s));
    }
    out.push_str("</feed>\n");
    out
}

/// A change of a figure's progress status, dated by the observation that caused it.
pub struct StatusChange {
    pub date: PartialDate,
    pub programme: String,
    pub target: String,
    pub from: Status,
    pub to: Status,
}

/// Every status change the observations show, newest first, then by figure. Derived from the
/// content alone, so the feed stays the same whenever it is built.
pub fn status_changes(model: &Model) -> Vec<StatusChange> {
    let mut out: Vec<StatusChange> = model
        .targets()
        .flat_map(|(p, t)| {
            progress::history(model, p, t)
                .into_iter()
                .map(|(date, from, to)| StatusChange {
                    date,
                    programme: p.id.clone(),
                    target: t.id.clone(),
                    from,
                    to,
                })
        })
        .collect();
    out.sort_by(|a, b| (&b.date, &a.target).cmp(&(&a.date, &b.target)));
    out
}

fn status_xml(urls: &Urls, lang: Lang, c: &StatusChange, s: &dyn Fn(&str) -> String) -> String {
    let e = esc;
    let link = urls.absolute(&format!(
        "{}#t-{}",
        urls.page_path(&Page::Programme(c.programme.clone()), lang),
        c.target
    ));
    let label = |st: Status| match lang {
        Lang::En => st.words().to_string(),
        _ => s(&format!("status_{}", st.id())),
    };
    let title = format!("{}: {} → {}", c.target, label(c.from), label(c.to));
    let time = timestamp(&c.date);
    let mut out = String::from("  <entry>\n");
    out.push_str(&format!(
        "    <id>{}</id>\n",
        e(&format!("{link}/status/{}", c.date))
    ));
    out.push_str(&format!("    <title>{}</title>\n", e(&title)));
    out.push_str(&format!("    <published>{time}</published>\n"));
    out.push_str(&format!("    <updated>{time}</updated>\n"));
    out.push_str(&format!(
        "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        e(&link)
    ));
    out.push_str(&format!(
        "    <summary type=\"text\">{}</summary>\n",
        e(&match lang {
            Lang::Zh => format!("{title}（截至{}）", crate::view::date_text(&c.date, lang)),
            _ => format!("{title} (as of {})", c.date),
        })
    ));
    out.push_str("  </entry>\n");
    out
}

fn entry_xml(
    model: &Model,
    urls: &Urls,
    lang: Lang,
    entry: &ChangeEntry,
    s: &dyn Fn(&str) -> String,
) -> String {
    let e = esc;
    let link = urls.absolute(&entry_path(urls, lang, entry));
    let time = timestamp(&entry.date);
    let text = entry.text.get(lang);
    let mut out = String::from("  <entry>\n");
    out.push_str(&format!("    <id>{}</id>\n", e(&link)));
    out.push_str(&format!(
        "    <title>{}</title>\n",
        e(entry.title.get(lang))
    ));
    out.push_str(&format!("    <published>{time}</published>\n"));
    out.push_str(&format!("    <updated>{time}</updated>\n"));
    out.push_str(&format!(
        "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        e(&link)
    ));
    // The figures the entry concerns: linked where they still exist.
    let mut html = format!("<p>{}</p>", e(text));
    let mut items = Vec::new();
    for id in &entry.targets {
        match model.targets().find(|(_, t)| &t.id == id) {
            Some((p, t)) => {
                let href = urls.absolute(&format!(
                    "{}#t-{}",
                    urls.page_path(&Page::Programme(p.id.clone()), lang),
                    t.id
                ));
                let name = format!(
                    "{}{}{}",
                    p.place.name(lang),
                    if lang == Lang::Zh { "：" } else { ": " },
                    t.label.get(lang)
                );
                out.push_str(&format!(
                    "    <link rel=\"related\" type=\"text/html\" href=\"{}\" title=\"{}\"/>\n",
                    e(&href),
                    e(&name)
                ));
                items.push(format!(
                    "<li><a href=\"{}\">{}</a></li>",
                    e(&href),
                    e(&name)
                ));
            }
            None => items.push(format!("<li>{}</li>", e(id))),
        }
    }
    if !items.is_empty() {
        html.push_str(&format!(
            "<p>{}</p><ul>{}</ul>",
            e(&s("feed_figures")),
            items.concat()
        ));
    }
    out.push_str(&format!(
        "    <summary type=\"text\">{}</summary>\n",
        e(text)
    ));
    out.push_str(&format!(
        "    <content type=\"html\">{}</content>\n",
        e(&html)
    ));
    out.push_str("  </entry>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_use_the_first_day_of_partial_dates() {
        let d = |s| PartialDate::parse(s).unwrap();
        assert_eq!(timestamp(&d("2026-11-22")), "2026-11-22T00:00:00Z");
        assert_eq!(timestamp(&d("2026-11")), "2026-11-01T00:00:00Z");
        assert_eq!(timestamp(&d("2026")), "2026-01-01T00:00:00Z");
    }
}
