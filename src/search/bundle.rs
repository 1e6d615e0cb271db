//! One Pagefind bundle: records in, the files of their index out (paths inside the bundle).

use super::runner::Runner;
use super::Record;
use crate::escape::esc;

/// A file of Pagefind's bundle: its path inside the bundle, and its bytes.
pub(super) type BundleFile = (String, Vec<u8>);

/// Pagefind's interface files that the search page does not use (it has its own script).
const UNUSED: &[&str] = &[
    "pagefind-ui.",
    "pagefind-component-ui.",
    "pagefind-modular-ui.",
    "pagefind-highlight.",
    "playground/",
];

/// The index of `records` (all of one language) through a Pagefind instance of its own, each
/// record dropped once Pagefind has read it and the instance once its files are made. Files
/// the search page does not use are left out.
pub(super) fn bundle(
    runner: &Runner,
    records: impl Iterator<Item = Record>,
) -> Result<Vec<BundleFile>, String> {
    let files = runner
        .run(pagefind_files(records))
        .map_err(|e| format!("could not build the search index: {e}"))?;
    Ok(files
        .into_iter()
        .filter(|(name, _)| !UNUSED.iter().any(|u| name.starts_with(u)))
        .collect())
}

async fn pagefind_files(records: impl Iterator<Item = Record>) -> Result<Vec<BundleFile>, String> {
    pagefind_files_reading(records, Plain::of).await
}

/// `pagefind_files`, with `plain` choosing the records given as text instead of HTML.
async fn pagefind_files_reading(
    records: impl Iterator<Item = Record>,
    plain: impl Fn(&Record) -> Option<Plain>,
) -> Result<Vec<BundleFile>, String> {
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;
    let mut index =
        PagefindIndex::new(Some(PagefindServiceConfig::builder().build())).map_err(chain)?;
    for r in records {
        match plain(&r) {
            // What Pagefind would read from the record's document, without the HTML to parse.
            Some(plain) => index
                .add_custom_record(
                    r.url,
                    plain.text,
                    plain.language,
                    Some(plain.meta),
                    None,
                    None,
                )
                .await
                .map(|_| ())
                .map_err(chain)?,
            None => index
                .add_html_file(None, Some(r.url.clone()), document(&r))
                .await
                .map(|_| ())
                .map_err(chain)?,
        }
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

/// A record without sections or weighted words, as the text, language and metadata Pagefind
/// reads from its `document` (Pagefind's own reading of it, the same index to the byte: see the
/// tests): what is searched, block by block, each block ended by a full stop unless it ends in
/// punctuation, and the title and kind as metadata. A record with sections needs its document:
/// only Pagefind's reading of HTML makes sub-results.
struct Plain {
    text: String,
    language: String,
    meta: std::collections::BTreeMap<String, String>,
}

impl Plain {
    fn of(r: &Record) -> Option<Plain> {
        if !r.sections.is_empty() || title_weight(r.kind) != 1 {
            return None;
        }
        let mut text = String::with_capacity(r.keywords.len() + r.text.len() + 64);
        for block in std::iter::once(r.keywords.replace('\n', " ").as_str()).chain(r.text.lines()) {
            text.push(' ');
            text.push_str(&shown(block));
            if ends_a_sentence(block) {
                text.push('.');
            }
            text.push(' ');
        }
        let meta = [
            ("kind", r.kind.to_string()),
            ("title", meta_value(&r.title)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Some(Plain {
            text,
            language: r.lang.code().to_lowercase(),
            meta,
        })
    }
}

/// Text as a reader of its escaped HTML gets it back: `esc` drops control characters.
fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    if text
        .bytes()
        .any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        text.chars()
            .filter(|&c| c >= ' ' || matches!(c, '\t' | '\n' | '\r'))
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

/// Whether Pagefind ends a block of this text with a full stop: when the last character of its
/// HTML is a word character, a quote, `)`, `$` or `*` (a character `esc` writes as an entity
/// ends in `;`).
fn ends_a_sentence(text: &str) -> bool {
    static WORD: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let word =
        WORD.get_or_init(|| regex::Regex::new("[\\w'\"\\)\\$\\*]").expect("a valid pattern"));
    match shown(text).chars().last() {
        None | Some('&' | '<' | '>' | '"' | '\'') => false,
        Some(c) => word.is_match(c.encode_utf8(&mut [0; 4])),
    }
}

/// A metadata value as Pagefind keeps it from an element's text: trimmed, with each run of line
/// breaks and each run of two or more spaces made one space.
fn meta_value(text: &str) -> String {
    static SPACES: std::sync::OnceLock<[regex::Regex; 3]> = std::sync::OnceLock::new();
    let [ends, breaks, runs] = SPACES.get_or_init(|| {
        ["^[\n\r\\s]+|[\n\r\\s]+$", "(\n|\r\n)+", "\\s{2,}"]
            .map(|p| regex::Regex::new(p).expect("a valid pattern"))
    });
    let text = shown(text);
    let text = ends.replace_all(&text, "");
    let text = breaks.replace_all(&text, " ");
    runs.replace_all(&text, " ").into_owned()
}

/// An error with its causes (`{:#}` is how Pagefind's errors print them).
fn chain(e: impl std::fmt::Display) -> String {
    format!("{e:#}")
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
                let searched = super::searchable(r.lang, &[text]);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lang;
    use std::collections::BTreeMap;

    fn plain(lang: Lang, kind: &'static str, url: &str, title: &str, text: &str) -> Record {
        Record {
            lang,
            url: url.to_string(),
            kind,
            title: title.to_string(),
            keywords: super::super::searchable(lang, &[title]),
            text: text.to_string(),
            sections: Vec::new(),
        }
    }

    /// Records read as text give Pagefind's index of their documents to the byte: the real
    /// site's records of every kind, and texts with what HTML would change (entities, quotes,
    /// control characters, runs of spaces, line ends in and out of punctuation).
    #[test]
    fn a_record_read_as_text_is_indexed_as_its_document() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked = crate::check(&crate::BuildOptions::new(root)).expect("the real site");
        let mut records = super::super::records(&checked.model, &checked.urls);
        assert!(records.iter().any(|r| Plain::of(r).is_some()));
        assert!(records.iter().any(|r| Plain::of(r).is_none()));
        let odd = "Ends in a quote \"x\"\nA & B < C > D\n  spaced   out\t\tand\u{2009}thin  \n\
                   bell\u{7}\nit's\n(parenthesis)\n$\n*\n中文结尾\n中文句号。\n①\n\n  \nlast";
        records.extend([
            plain(
                Lang::En,
                "metric",
                "/m/a/",
                "  A  title\n with  <b> &amp; \"quotes\"  ",
                odd,
            ),
            plain(Lang::Zh, "commentary", "/zh/c/", "技能 人才：“学徒”", odd),
            plain(Lang::En, "source", "/s/#x", "Ends'", ""),
        ]);
        let runner = Runner::new().unwrap();
        for lang in [Lang::En, Lang::Zh] {
            let mine = || records.iter().filter(|r| r.lang == lang).cloned();
            // In name order: Pagefind gives its files in no fixed order.
            let as_text: BTreeMap<_, _> = runner
                .run(pagefind_files(mine()))
                .unwrap()
                .into_iter()
                .collect();
            let as_html: BTreeMap<_, _> = runner
                .run(pagefind_files_reading(mine(), |_| None))
                .unwrap()
                .into_iter()
                .collect();
            assert_eq!(
                as_text.keys().collect::<Vec<_>>(),
                as_html.keys().collect::<Vec<_>>()
            );
            for (name, bytes) in &as_text {
                assert!(*bytes == as_html[name], "{lang:?}: {name} differs");
            }
        }
    }
}
