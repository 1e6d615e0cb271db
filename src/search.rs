//! Site search, with no server: a Pagefind index built in memory by `build` and handed to
//! `write` like every other file (under `urls::SEARCH_BUNDLE`), with Pagefind's own script.
//!
//! One record per programme, figure, commitment, metric, commentary page and source, in each
//! language of the site. A figure's record links to its permalink (`…/programmes/ID/#t-ID`) and
//! carries its value and clause, which the search page shows under the link.
//!
//! Pagefind keeps one index per language and the search page loads the one of its own `lang`,
//! so a reader gets pages in the language they search from. Each record therefore holds what
//! its page shows in both languages (the Chinese clause beside the English rendering), so that
//! 学徒 and "apprentices" both work from either search page. Two things Pagefind does not do
//! are done here, in the indexed text only (pages are unchanged):
//! - Chinese in an English record is split into words (Pagefind segments a record only when
//!   its language is Chinese, and matches query words against whole indexed words);
//! - text in Traditional characters (Suqian's document) gets a Simplified rendering beside it,
//!   so 学徒 finds 學徒.

use crate::escape::esc;
use crate::model::{Lang, Model, Programme};
use crate::output::OutputFile;
use crate::urls::{Page, Urls, SEARCH_BUNDLE};
use crate::view::{self, Ctx};
use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};
use std::sync::OnceLock;

/// One thing a reader can find.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub lang: Lang,
    /// Site-relative, with a leading slash (`/programmes/x/#t-y`): the search page puts the
    /// base path in front, as Pagefind does with every result URL.
    pub url: String,
    /// `figure`, `commitment`, `programme`, `metric`, `commentary` or `source`.
    pub kind: &'static str,
    pub title: String,
    /// The figure as pages show it (`at least 30,000 persons, by 2024`).
    pub value: Option<String>,
    /// The verbatim clause a figure or commitment is quoted from.
    pub quote: Option<String>,
    /// The title as searched (with, for a programme, its place in the other language).
    pub keywords: String,
    /// What is searched besides the title, and what excerpts are cut from (one part a line).
    pub text: String,
}

/// Pagefind's interface files that the search page does not use (it has its own script).
const UNUSED: &[&str] = &[
    "pagefind-ui.",
    "pagefind-component-ui.",
    "pagefind-modular-ui.",
    "pagefind-highlight.",
    "playground/",
];

/// The search index files, paths relative to the output folder.
pub fn index(model: &Model, urls: &Urls) -> Result<Vec<OutputFile>, String> {
    let records = records(model, urls);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| format!("could not start the search indexer: {e}"))?;
    let files = runtime
        .block_on(pagefind_files(records))
        .map_err(|e| format!("could not build the search index: {e}"))?;
    Ok(files
        .into_iter()
        .filter(|(name, _)| !UNUSED.iter().any(|u| name.starts_with(u)))
        .map(|(name, bytes)| OutputFile::new(format!("{SEARCH_BUNDLE}{name}"), bytes))
        .collect())
}

async fn pagefind_files(records: Vec<Record>) -> Result<Vec<(String, Vec<u8>)>, String> {
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;
    let mut index =
        PagefindIndex::new(Some(PagefindServiceConfig::builder().build())).map_err(chain)?;
    for r in records {
        let html = document(&r);
        index
            .add_html_file(None, Some(r.url), html)
            .await
            .map_err(chain)?;
    }
    Ok(index
        .get_files()
        .await
        .map_err(chain)?
        .into_iter()
        .map(|f| {
            let name = f.filename.to_string_lossy().replace('\\', "/");
            (name, f.contents)
        })
        .collect())
}

/// How much a word of a record's title counts against a word of its text: a programme's
/// title (its place and name) most, so that a place name finds the programme page first.
fn title_weight(kind: &str) -> u8 {
    if kind == "programme" {
        10
    } else {
        1
    }
}

/// The record as Pagefind reads it: what results show (title, value, clause) as metadata,
/// not searched as such, then the searched text, the title weighted. The `lang` attribute
/// chooses the index (and Chinese word segmentation).
fn document(r: &Record) -> String {
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><title>{}</title></head><body data-pagefind-meta=\"kind:{}\">\n<div data-pagefind-ignore>",
        r.lang.code(),
        esc(&r.title),
        r.kind
    );
    let shown = [
        ("title", Some(&r.title)),
        ("value", r.value.as_ref()),
        ("quote", r.quote.as_ref()),
    ];
    for (key, text) in shown {
        if let Some(text) = text {
            html.push_str(&format!(
                "<p data-pagefind-meta=\"{key}\">{}</p>",
                esc(text)
            ));
        }
    }
    html.push_str(&format!(
        "</div>\n<p data-pagefind-weight=\"{}\">{}</p>\n",
        title_weight(r.kind),
        esc(&r.keywords.replace('\n', " "))
    ));
    for line in r.text.lines() {
        html.push_str(&format!("<p>{}</p>\n", esc(line)));
    }
    html.push_str("</body></html>\n");
    html
}

/// An error with its causes (`{:#}` is how Pagefind's errors print them).
fn chain(e: impl std::fmt::Display) -> String {
    format!("{e:#}")
}

/// Every record, language by language, in the model's order (so the index is the same for the
/// same content).
pub fn records(model: &Model, urls: &Urls) -> Vec<Record> {
    let mut out = Vec::new();
    for &lang in &model.site.languages {
        let r = Records { model, urls, lang };
        for p in &model.programmes {
            out.push(r.programme(p));
            out.extend(r.figures(p));
            out.extend(r.commitments(p));
            out.extend(r.sources(p));
        }
        out.extend(r.metrics());
        out.extend(r.commentary());
    }
    out
}

struct Records<'a> {
    model: &'a Model,
    urls: &'a Urls,
    lang: Lang,
}

impl Records<'_> {
    fn url(&self, page: &Page, anchor: &str) -> String {
        format!("/{}{anchor}", self.urls.page_path(page, self.lang))
    }

    fn colon(&self) -> &'static str {
        match self.lang {
            Lang::En => ": ",
            Lang::Zh => "：",
        }
    }

    fn record(&self, kind: &'static str, url: String, title: String, parts: &[&str]) -> Record {
        Record {
            lang: self.lang,
            url,
            kind,
            text: searchable(self.lang, parts),
            keywords: searchable(self.lang, &[&title]),
            title,
            value: None,
            quote: None,
        }
    }

    fn programme(&self, p: &Programme) -> Record {
        let lang = self.lang;
        let (province, other_name) = match lang {
            Lang::En => (&p.place.province_en, &p.place.zh),
            Lang::Zh => (&p.place.province_zh, &p.place.en),
        };
        let period = view::period_text(&p.period, lang);
        let mut parts = vec![province, p.title.zh.as_str(), p.issuer.get(lang), &period];
        parts.extend(p.summary.as_ref().map(|t| t.get(lang)));
        parts.extend(p.note.as_ref().map(|t| t.get(lang)));
        parts.extend(p.period.note.as_ref().map(|t| t.get(lang)));
        let title = format!("{} · {}", p.place.name(lang), p.title.get(lang));
        let mut r = self.record(
            "programme",
            self.url(&Page::Programme(p.id.clone()), ""),
            title,
            &parts,
        );
        r.keywords = searchable(self.lang, &[&r.title, other_name]);
        r
    }

    fn figures(&self, p: &Programme) -> Vec<Record> {
        let ctx = Ctx {
            model: self.model,
            urls: self.urls,
            lang: self.lang,
        };
        p.targets
            .iter()
            .map(|t| {
                let v = ctx.target(p, t);
                let value = figure_value(&v, self.lang);
                let title = format!("{}{}{}", v.place, self.colon(), v.label);
                let mut parts = vec![
                    value.as_str(),
                    &t.quote_en,
                    &t.quote,
                    &v.metric.text,
                    &v.programme.text,
                ];
                parts.extend(v.note.as_deref());
                let mut r = self.record(
                    "figure",
                    self.url(&Page::Programme(p.id.clone()), &format!("#{}", v.anchor)),
                    title,
                    &parts,
                );
                r.value = Some(value);
                r.quote = Some(t.quote.clone());
                r
            })
            .collect()
    }

    fn commitments(&self, p: &Programme) -> Vec<Record> {
        p.commitments
            .iter()
            .map(|c| {
                let title = format!(
                    "{}{}{}",
                    p.place.name(self.lang),
                    self.colon(),
                    c.text.get(self.lang)
                );
                let mut parts = vec![c.quote_en.as_str(), &c.quote];
                parts.extend(c.note.as_ref().map(|n| n.get(self.lang)));
                let mut r = self.record(
                    "commitment",
                    self.url(&Page::Programme(p.id.clone()), &format!("#c-{}", c.id)),
                    title,
                    &parts,
                );
                r.quote = Some(c.quote.clone());
                r
            })
            .collect()
    }

    fn sources(&self, p: &Programme) -> Vec<Record> {
        p.sources
            .iter()
            .map(|s| {
                let date = s.date.as_ref().map(|d| view::date_text(d, self.lang));
                let mut parts = vec![
                    p.place.name(self.lang),
                    s.title.zh.as_str(),
                    s.publisher.get(self.lang),
                ];
                parts.extend(date.as_deref());
                parts.extend(s.note.as_ref().map(|n| n.get(self.lang)));
                self.record(
                    "source",
                    self.url(&Page::Sources, &format!("#s-{}", s.id)),
                    s.title.get(self.lang).to_string(),
                    &parts,
                )
            })
            .collect()
    }

    /// Metrics that some figure measures: the shared ones have a page, the others a line on the
    /// metrics index.
    fn metrics(&self) -> Vec<Record> {
        let lang = self.lang;
        self.model
            .metrics
            .iter()
            .filter_map(|m| {
                let places: Vec<&str> = self
                    .model
                    .programmes_with_metric(&m.id)
                    .iter()
                    .map(|p| p.place.name(lang))
                    .collect();
                if places.is_empty() {
                    return None;
                }
                let url = if places.len() >= 2 {
                    self.url(&Page::Metric(m.id.clone()), "")
                } else {
                    self.url(&Page::MetricIndex, &format!("#m-{}", m.id))
                };
                let places = places.join(view::list_separator(lang));
                let mut parts = vec![m.counts.get(lang), places.as_str()];
                for t in [&m.numerator, &m.denominator, &m.comparability]
                    .into_iter()
                    .flatten()
                {
                    parts.push(t.get(lang));
                }
                Some(self.record("metric", url, m.name.get(lang).to_string(), &parts))
            })
            .collect()
    }

    fn commentary(&self) -> Vec<Record> {
        self.model
            .commentary_for(self.lang)
            .map(|c| {
                let body = markdown_text(&c.body);
                self.record(
                    "commentary",
                    self.url(&Page::Commentary(c.key.clone()), ""),
                    c.title.clone(),
                    &[&c.summary, &body],
                )
            })
            .collect()
    }
}

/// `at least 30,000 persons, by 2024` / `不低于3万人，到2024年`.
fn figure_value(v: &view::TargetView, lang: Lang) -> String {
    let mut s = String::new();
    if !v.comparator_words.is_empty() {
        s.push_str(&v.comparator_words);
        if lang == Lang::En {
            s.push(' ');
        }
    }
    s.push_str(&v.amount);
    if !v.date.is_empty() {
        s.push_str(if lang == Lang::En { ", " } else { "，" });
        s.push_str(&v.date);
    }
    s
}

/// The text Pagefind indexes for a record: its parts, one a line, each followed by its
/// Simplified rendering where it has Traditional characters; in an English record, Chinese is
/// split into words with spaces.
pub fn searchable(lang: Lang, parts: &[&str]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for part in parts {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let simplified = fast2s::convert(part);
        for text in [
            Some(part.to_string()),
            (simplified != part).then_some(simplified),
        ]
        .into_iter()
        .flatten()
        {
            lines.push(match lang {
                Lang::Zh => text,
                _ => spaced_chinese(&text),
            });
        }
    }
    lines.join("\n")
}

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}')
}

/// Chinese split into its words with spaces (as Pagefind's Chinese index does, with the same
/// dictionary); other text as it is. `開展企業新型學徒制` → `開展 企業 新型 學徒 制`.
pub fn spaced_chinese(text: &str) -> String {
    if !text.chars().any(is_han) {
        return text.to_string();
    }
    static SEGMENTER: OnceLock<WordSegmenterBorrowed<'static>> = OnceLock::new();
    let segmenter = SEGMENTER.get_or_init(|| WordSegmenter::new_dictionary(Default::default()));
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut start = 0;
    let mut previous_han = false;
    for end in segmenter.segment_str(text).skip(1) {
        let word = &text[start..end];
        start = end;
        let han = word.chars().any(is_han);
        let spaced = out.ends_with(char::is_whitespace) || word.starts_with(char::is_whitespace);
        if (han || previous_han) && !out.is_empty() && !spaced {
            out.push(' ');
        }
        out.push_str(word);
        previous_han = han;
    }
    out
}

/// The words of a commentary page's Markdown, without its markup or chart shortcodes.
fn markdown_text(body: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let source: String = body
        .lines()
        .filter(|l| !(l.trim().starts_with("{{") && l.trim().ends_with("}}")))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = String::with_capacity(source.len());
    for event in Parser::new(&source) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_),
            ) => out.push('\n'),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_in_english_records_is_split_into_words() {
        let spaced = spaced_chinese("開展企業新型學徒制培養5000人 (persons)");
        let words: Vec<&str> = spaced.split_whitespace().collect();
        assert!(
            words.contains(&"學徒") || words.contains(&"學徒制"),
            "{spaced}"
        );
        assert!(spaced.ends_with("(persons)"), "{spaced}");
        assert_eq!(spaced_chinese("no Chinese here"), "no Chinese here");
    }

    #[test]
    fn traditional_text_gets_a_simplified_rendering() {
        let text = searchable(Lang::Zh, &["宿迁", "開展企業新型學徒制培養5000人"]);
        assert!(text.contains("開展企業新型學徒制培養5000人"), "{text}");
        assert!(text.contains("开展企业新型学徒制培养5000人"), "{text}");
        // Already Simplified: not repeated.
        let text = searchable(Lang::Zh, &["珠海", "产业新工匠"]);
        assert_eq!(text, "珠海\n产业新工匠");
        let en = searchable(Lang::En, &["Suqian", "每年開展企業新型學徒培訓1500人以上"]);
        assert!(en.contains("学徒"), "{en}");
    }

    #[test]
    fn markdown_loses_its_markup() {
        let text = markdown_text(
            "# Title\n\nSome **bold** [5,000](target:x) words.\n\n{{ chart(id=\"c\") }}\n\n- 学徒\n",
        );
        assert_eq!(text, "Title\nSome bold 5,000 words.\n学徒\n");
    }
}
