//! Charts drawn at build time as SVG with plotters. (Chart kinds arrive with the charts work;
//! until then the catalogue is empty and pages show tables only.)

use crate::model::{Lang, Model};
use crate::render::OutputFile;
use crate::urls::{Page, Urls};
use std::collections::BTreeSet;

pub struct Charts {
    ids: BTreeSet<String>,
}

impl Charts {
    pub fn build(_model: &Model, _urls: &Urls) -> Charts {
        Charts {
            ids: BTreeSet::new(),
        }
    }
    pub fn ids(&self) -> &BTreeSet<String> {
        &self.ids
    }
    pub fn on_page(&self, _page: &Page, _lang: Lang) -> Vec<serde_json::Value> {
        Vec::new()
    }
    pub fn view(&self, _id: &str, _lang: Lang) -> Option<serde_json::Value> {
        None
    }
    pub fn block_html(&self, _id: &str, _lang: Lang) -> Option<String> {
        None
    }
    pub fn files(&self) -> Vec<OutputFile> {
        Vec::new()
    }
}
