//! What the checks read in each commentary page's Markdown: its references, its first raw
//! HTML and its links to figures. Parsing the Markdown is most of `validate` on a large site
//! (two pages per place), so the pages are parsed on every core, and the preview keeps what
//! each body gave (`Memo`, by file, with the body's whole text) for the next rebuild.

use crate::markdown::{self, Reference};
use crate::model::Model;
use crate::provenance::{self, TargetLink};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What one page's body holds for the checks.
#[derive(Debug, PartialEq)]
pub struct Page {
    pub references: Vec<Reference>,
    /// Where its first raw HTML is, when the site does not allow raw HTML (else `None`).
    pub raw_html: Option<(usize, usize)>,
    pub links: Vec<TargetLink>,
}

impl Page {
    fn of(body: &str, raw_html: bool) -> Page {
        Page {
            references: markdown::references(body),
            raw_html: raw_html.then(|| markdown::first_raw_html(body)).flatten(),
            links: provenance::target_links(body),
        }
    }
}

/// A page kept: its file, the body it was parsed from, and what parsing gave.
type Kept = (PathBuf, (String, Arc<Page>));

/// The pages last parsed, by file, with the body each was parsed from, and whether raw HTML
/// was looked for in them.
#[derive(Default)]
pub struct Memo {
    pages: HashMap<PathBuf, (String, Arc<Page>)>,
    raw_html: bool,
}

impl Memo {
    /// How many bodies are kept (for tests).
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

/// The pages of `model.commentary`, in its order: parsed, or taken from `memo` when it has
/// the same body for the same file (then `memo` keeps exactly the pages of `model`).
pub fn pages(model: &Model, memo: Option<&mut Memo>) -> Vec<Arc<Page>> {
    let raw_html = !model.site.allow_raw_html;
    let parse = |body: &str| Arc::new(Page::of(body, raw_html));
    let Some(memo) = memo else {
        return model
            .commentary
            .par_iter()
            .map(|c| parse(&c.body))
            .collect();
    };
    if memo.raw_html != raw_html {
        memo.pages.clear();
        memo.raw_html = raw_html;
    }
    let mut old = std::mem::take(&mut memo.pages);
    let kept: Vec<Option<Kept>> = model
        .commentary
        .iter()
        .map(|c| old.remove_entry(c.origin.file.as_path()))
        .collect();
    let pages: Vec<Arc<Page>> = (model.commentary.par_iter().zip(&kept))
        .map(|(c, kept)| match kept {
            Some((_, (body, page))) if *body == c.body => page.clone(),
            _ => parse(&c.body),
        })
        .collect();
    for ((c, kept), page) in model.commentary.iter().zip(kept).zip(&pages) {
        let (file, body) = match kept {
            Some((file, (body, _))) if body == c.body => (file, body),
            _ => (c.origin.file.to_path_buf(), c.body.clone()),
        };
        memo.pages.insert(file, (body, page.clone()));
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_page_is_what_parsing_its_body_gives() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut model = crate::load::load(root).model.unwrap();
        let fresh = |m: &Model| pages(m, None);
        let mut memo = Memo::default();
        assert_eq!(pages(&model, Some(&mut memo)), fresh(&model));
        assert_eq!(memo.len(), model.commentary.len());
        // A body edited: its page is parsed again, the others are kept.
        let c = &mut model.commentary[0];
        c.body = c.body.replacen("](", "](target:none) [x](", 1) + "\n<b>raw</b>\n";
        let again = pages(&model, Some(&mut memo));
        assert_eq!(again, fresh(&model));
        assert!(again[0].raw_html.is_some());
        assert_eq!(memo.len(), model.commentary.len());
        // Raw HTML allowed: it is no longer looked for.
        model.site.allow_raw_html = true;
        let allowed = pages(&model, Some(&mut memo));
        assert_eq!(allowed, fresh(&model));
        assert!(allowed[0].raw_html.is_none());
        // A page removed is forgotten.
        model.commentary.pop();
        assert_eq!(pages(&model, Some(&mut memo)), fresh(&model));
        assert_eq!(memo.len(), model.commentary.len());
    }
}
