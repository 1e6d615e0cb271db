//! Site search, with no server: a Pagefind index built in memory by `build` and handed to
//! `write` like every other file (under `urls::SEARCH_BUNDLE`), with Pagefind's own script.
//!
//! One record per page a reader can land on, in each language of the site: a programme page,
//! a metric, a commentary page, a source. Pagefind's cost grows with the number of records (one
//! fragment file each, and it looks for a record's URL among all the others), so a programme's
//! figures and commitments are not records of their own but sections of their programme's
//! record: each section carries the id of the figure's permalink (`t-ID`, `c-ID`) and a title,
//! which Pagefind turns into a sub-result linking to `…/programmes/ID/#t-ID`. The search page
//! shows each matching section as a result of its own, with its value and clause: those are
//! the texts of two marked lines of the section (`v-t-ID`, `q-t-ID`), which Pagefind keeps
//! beside the record as anchors.
//!
//! Pagefind keeps one index per language and the search page loads the one of its own `lang`,
//! so a reader gets pages in the language they search from. Each record therefore holds what
//! its page shows in both languages (the Chinese clause beside the English rendering), so that
//! 学徒 and "apprentices" both work from either search page. Two things Pagefind does not do
//! are done here, in the indexed text only (pages are unchanged):
//! - Chinese in an English record is split into words (Pagefind segments a record only when
//!   its language is Chinese, and matches query words against whole indexed words), with a
//!   thin space (U+2009) that the search page takes out again;
//! - text in Traditional characters (Suqian's document) gets a Simplified rendering beside it,
//!   so 学徒 finds 學徒.

use crate::escape::esc;
use crate::model::{Lang, Model, Programme};
use crate::output::OutputFile;
use crate::urls::{Page, Urls, SEARCH_BUNDLE};
use crate::view::{self, Ctx};
use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};
use std::sync::OnceLock;

/// One page a reader can find, in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub lang: Lang,
    /// Site-relative, with a leading slash (`/programmes/x/`): the search page puts the base
    /// path in front, as Pagefind does with every result URL.
    pub url: String,
    /// `programme`, `metric`, `commentary` or `source`.
    pub kind: &'static str,
    pub title: String,
    /// The title as searched (with, for a programme, its place in the other language).
    pub keywords: String,
    /// What is searched besides the title, and what excerpts are cut from (one part a line).
    pub text: String,
    /// The figures and commitments of a programme page, each found on its own.
    pub sections: Vec<Section>,
}

/// A part of a page with a permalink of its own: a figure or a commitment.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// `figure` or `commitment`.
    pub kind: &'static str,
    /// The id the page gives it (`t-x`): results link to the record's URL and `#` this.
    pub anchor: String,
    pub title: String,
    /// The figure as pages show it (`at least 30,000 persons, by 2024`).
    pub value: Option<String>,
    /// The verbatim clause a figure or commitment is quoted from.
    pub quote: Option<String>,
    /// What is searched (the value and clause included), one part a line.
    pub text: String,
}

impl Record {
    /// Where a section's result links to.
    pub fn section_url(&self, section: &Section) -> String {
        format!("{}#{}", self.url, section.anchor)
    }
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
///
/// Each language's index is built by its own Pagefind instance, on its own thread, and dropped
/// once its files are made: Pagefind copies every record it holds while it builds, so two
/// smaller instances need less memory at once than one holding both languages.
pub fn index(model: &Model, urls: &Urls) -> Result<Vec<OutputFile>, String> {
    let mut per_lang: Vec<Result<Vec<BundleFile>, String>> = Vec::new();
    std::thread::scope(|scope| {
        let handles: Vec<_> = model
            .site
            .languages
            .iter()
            .map(|&lang| scope.spawn(move || language_files(records_for(model, urls, lang))))
            .collect();
        for h in handles {
            per_lang.push(
                h.join()
                    .unwrap_or_else(|_| Err("the search indexer stopped".to_string())),
            );
        }
    });
    // Files every language's bundle has (the script, the wasm of a language it shares) are the
    // same bytes: the first is kept. The entry file lists every language, so it is made once
    // from the per-language entries.
    let mut seen = std::collections::BTreeMap::new();
    let mut entries: Vec<serde_json::Value> = Vec::new();
    let mut out: Vec<OutputFile> = Vec::new();
    for files in per_lang {
        for (name, bytes) in files? {
            if UNUSED.iter().any(|u| name.starts_with(u)) {
                continue;
            }
            if name == ENTRY {
                entries.push(
                    serde_json::from_slice(&bytes)
                        .map_err(|e| format!("could not read Pagefind's {ENTRY}: {e}"))?,
                );
                continue;
            }
            match seen.get(&name) {
                None => {
                    seen.insert(name.clone(), out.len());
                    out.push(OutputFile::new(format!("{SEARCH_BUNDLE}{name}"), bytes));
                }
                Some(&i) if out[i].bytes == bytes => {}
                Some(_) => return Err(format!("two search index files are named {name}")),
            }
        }
    }
    out.push(OutputFile::new(
        format!("{SEARCH_BUNDLE}{ENTRY}"),
        merged_entry(entries)?,
    ));
    Ok(out)
}

const ENTRY: &str = "pagefind-entry.json";

/// A file of Pagefind's bundle: its path inside the bundle, and its bytes.
type BundleFile = (String, Vec<u8>);

/// One `pagefind-entry.json` listing the languages of all the per-language ones.
fn merged_entry(entries: Vec<serde_json::Value>) -> Result<Vec<u8>, String> {
    let mut merged = serde_json::Value::Null;
    for entry in entries {
        match (&mut merged, entry) {
            (serde_json::Value::Null, e) => merged = e,
            (m, e) => {
                let (Some(to), Some(from)) = (
                    m.get_mut("languages").and_then(|l| l.as_object_mut()),
                    e.get("languages").and_then(|l| l.as_object()),
                ) else {
                    return Err(format!("Pagefind's {ENTRY} has no languages"));
                };
                to.extend(from.clone());
            }
        }
    }
    serde_json::to_vec(&merged).map_err(|e| e.to_string())
}

/// One language's records through its own Pagefind instance, each dropped once it is read.
fn language_files(records: impl Iterator<Item = Record>) -> Result<Vec<BundleFile>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| format!("could not start the search indexer: {e}"))?;
    runtime
        .block_on(pagefind_files(records))
        .map_err(|e| format!("could not build the search index: {e}"))
}

async fn pagefind_files(records: impl Iterator<Item = Record>) -> Result<Vec<BundleFile>, String> {
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

/// The record as Pagefind reads it: its title as metadata (shown, not searched as such), the
/// searched title, weighted, and text; then each section, whose id and title make it a
/// sub-result, with its value and clause on lines of their own, marked by ids that Pagefind
/// keeps (with their text) beside the record. The `lang` attribute chooses the index (and
/// Chinese word segmentation).
pub fn document(r: &Record) -> String {
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><title>{}</title></head><body data-pagefind-meta=\"kind:{}\">\n<div data-pagefind-ignore><p data-pagefind-meta=\"title\">{}</p></div>\n<p data-pagefind-weight=\"{}\">{}</p>\n",
        r.lang.code(),
        esc(&r.title),
        r.kind,
        esc(&r.title),
        title_weight(r.kind),
        esc(&r.keywords.replace('\n', " "))
    );
    for line in r.text.lines() {
        html.push_str(&format!("<p>{}</p>\n", esc(line)));
    }
    for s in &r.sections {
        html.push_str(&format!(
            "<section id=\"{}\" data-pagefind-title=\"{}\">\n",
            esc(&s.anchor),
            esc(&s.title)
        ));
        let shown = [("v", s.value.as_ref()), ("q", s.quote.as_ref())];
        for (mark, text) in shown {
            if let Some(text) = text {
                // The line as searched; its Simplified rendering, if any, on the next line.
                let searched = searchable(r.lang, &[text]);
                let mut lines = searched.lines();
                if let Some(first) = lines.next() {
                    html.push_str(&format!(
                        "<p id=\"{mark}-{}\">{}</p>\n",
                        esc(&s.anchor),
                        esc(first)
                    ));
                }
                for line in lines {
                    html.push_str(&format!("<p>{}</p>\n", esc(line)));
                }
            }
        }
        for line in s.text.lines() {
            html.push_str(&format!("<p>{}</p>\n", esc(line)));
        }
        html.push_str("</section>\n");
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
    model
        .site
        .languages
        .iter()
        .flat_map(|&lang| records_for(model, urls, lang))
        .collect()
}

/// One language's records, made one programme at a time as they are read.
fn records_for<'a>(
    model: &'a Model,
    urls: &'a Urls,
    lang: Lang,
) -> impl Iterator<Item = Record> + 'a {
    let r = Records { model, urls, lang };
    model
        .programmes
        .iter()
        .flat_map(move |p| std::iter::once(r.programme(p)).chain(r.sources(p)))
        .chain(std::iter::once(()).flat_map(move |_| r.metrics().into_iter().chain(r.commentary())))
}

#[derive(Clone, Copy)]
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
            sections: Vec::new(),
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
        r.sections = self.figures(p);
        r.sections.extend(self.commitments(p));
        r
    }

    /// A programme's figures. The place and programme are searched once, in the page's own
    /// part of the record, not again in each figure.
    fn figures(&self, p: &Programme) -> Vec<Section> {
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
                let mut parts = vec![v.label.as_str(), &t.quote_en];
                // The metric's name, unless the label already says it.
                if !v.label.contains(&v.metric.text) {
                    parts.push(&v.metric.text);
                }
                parts.extend(v.note.as_deref());
                Section {
                    kind: "figure",
                    title: format!("{}{}{}", v.place, self.colon(), v.label),
                    text: searchable(self.lang, &parts),
                    anchor: v.anchor,
                    value: Some(value),
                    quote: Some(t.quote.clone()),
                }
            })
            .collect()
    }

    fn commitments(&self, p: &Programme) -> Vec<Section> {
        p.commitments
            .iter()
            .map(|c| {
                let text = c.text.get(self.lang);
                let mut parts = vec![text, c.quote_en.as_str()];
                parts.extend(c.note.as_ref().map(|n| n.get(self.lang)));
                Section {
                    kind: "commitment",
                    anchor: format!("c-{}", c.id),
                    title: format!("{}{}{}", p.place.name(self.lang), self.colon(), text),
                    value: None,
                    quote: Some(c.quote.clone()),
                    text: searchable(self.lang, &parts),
                }
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

/// The text Pagefind indexes for a record: its parts, one a line, each followed, where it has
/// Traditional characters, by the Simplified rendering of those runs of Chinese that differ
/// (not the whole line again); in an English record, Chinese is split into words.
pub fn searchable(lang: Lang, parts: &[&str]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for part in parts {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        for text in [Some(part.to_string()), simplified_runs(part)]
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

/// The runs of Chinese in `text` whose Simplified rendering differs, rendered and joined by
/// spaces; None when there is none. `宿遷市開展學徒制 (2022)` → `宿迁市开展学徒制`.
fn simplified_runs(text: &str) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(is_han) {
        let run = &rest[start..];
        let end = run.find(|c: char| !is_han(c)).unwrap_or(run.len());
        let simplified = fast2s::convert(&run[..end]);
        if simplified != run[..end] {
            out.push(simplified);
        }
        rest = &run[end..];
    }
    (!out.is_empty()).then(|| out.join(" "))
}

/// What splits Chinese words in an English record.
pub const THIN_SPACE: char = '\u{2009}';

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}')
}

/// Chinese split into its words with thin spaces (as Pagefind's Chinese index does, with the
/// same dictionary); other text as it is. `開展企業新型學徒制` → `開展 企業 新型 學徒 制`. The
/// spaces added are U+2009, so that the search page can show a clause as written.
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
            out.push(THIN_SPACE);
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
        assert!(text.contains("开展企业新型学徒制培养"), "{text}");
        // Only the runs that change, not the whole line again.
        let text = searchable(Lang::En, &["A note on 學徒 and 技能 (2022)"]);
        assert_eq!(text.lines().nth(1), Some("学徒"), "{text}");
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
