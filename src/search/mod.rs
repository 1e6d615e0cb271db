//! Site search, with no server: a Pagefind index built in memory by `build` and handed to
//! `write` like every other file (under `urls::SEARCH_BUNDLE`), with Pagefind's own script.
//! A large index is made in shards of a bounded size, each written as soon as it is made
//! (`shards`), which the search page searches as one.
//!
//! One record per page a reader can land on, in each language of the site: a programme page,
//! a metric's page, a commentary page, a source; the metrics with no page of their own are
//! sections of one record, the metrics index (`records`). Pagefind's cost grows with the number of records (one
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

mod bundle;
mod lane;
mod records;
mod runner;
mod shards;
mod text;

pub use bundle::document;
pub use shards::{Sink, SHARD_RECORDS};
pub use text::{searchable, spaced_chinese, THIN_SPACE};

use crate::model::{Lang, Model};
use crate::output::OutputFile;
use crate::urls::Urls;
use records::Records;

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

/// A part of a page with a permalink of its own: a figure, a commitment or a metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// `figure`, `commitment` or `metric` (a line of the metrics index).
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

/// The search index's files, paths relative to the output folder, held together (the
/// preview's index; a build streams them with `write_index`).
pub fn index(model: &Model, urls: &Urls) -> Result<Vec<OutputFile>, String> {
    let files = std::sync::Mutex::new(Vec::new());
    write_index(model, urls, SHARD_RECORDS, &|f| {
        files.lock().map_err(|e| e.to_string())?.push(f);
        Ok(())
    })?;
    files.into_inner().map_err(|e| e.to_string())
}

/// Makes the search index, its shards as rayon tasks, handing every file to the sink as soon as
/// its shard is made (see `shards::write`).
pub use shards::write as write_index;

/// Every record, language by language, in the model's order (so the index is the same for the
/// same content).
pub fn records(model: &Model, urls: &Urls) -> Vec<Record> {
    model
        .site
        .languages
        .iter()
        .flat_map(|&lang| {
            let r = Records::new(model, urls, lang);
            r.keys().into_iter().map(move |key| r.record(key))
        })
        .collect()
}
