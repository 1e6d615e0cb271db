//! One Pagefind bundle: records in, the files of their index out (paths inside the bundle).

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
pub(super) fn bundle(records: impl Iterator<Item = Record>) -> Result<Vec<BundleFile>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| format!("could not start the search indexer: {e}"))?;
    let files = runtime
        .block_on(pagefind_files(records))
        .map_err(|e| format!("could not build the search index: {e}"))?;
    Ok(files
        .into_iter()
        .filter(|(name, _)| !UNUSED.iter().any(|u| name.starts_with(u)))
        .collect())
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
