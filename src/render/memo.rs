//! Parts of page contexts that the preview (`serve`) keeps from one rebuild to the next, so
//! that the pages listing every place (sources, metrics, each metric's comparison) cost about
//! as much at 1,000 places as at five: each part depends on one programme, or on the
//! programmes of one metric, and is made again only when its keeper says so (`forget`).
//! `build` keeps none: its renderer has no memo and makes every part.

use crate::model::Lang;
use crate::view::TargetView;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// Parts made once, by id (a programme's or a metric's) and language.
#[derive(Default)]
pub struct Memo {
    /// By programme: its entry on the sources page.
    pub(super) sources: Slot<serde_json::Value>,
    /// By programme: each of its figures as a table row shows it.
    pub(super) figures: Slot<Vec<TargetView>>,
    /// By metric: its entry on the metrics page (which names the places that have it).
    pub(super) metrics: Slot<serde_json::Value>,
}

impl Memo {
    /// Forgets what depends on these programmes, and on which places have these metrics:
    /// the preview passes the programmes an edit changed and every metric they had or have.
    pub fn forget(&mut self, programmes: &BTreeSet<String>, metrics: &BTreeSet<String>) {
        self.sources.forget(programmes);
        self.figures.forget(programmes);
        self.metrics.forget(metrics);
    }

    /// How many parts are kept.
    pub fn len(&self) -> usize {
        self.sources.len() + self.figures.len() + self.metrics.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

type Parts<T> = HashMap<(String, Lang), Arc<T>>;

pub(super) struct Slot<T> {
    parts: Mutex<Parts<T>>,
    /// The ids last forgotten, with the parts they had: `changed` compares with them.
    forgotten: BTreeSet<String>,
    was: Parts<T>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot {
            parts: Mutex::new(HashMap::new()),
            forgotten: BTreeSet::new(),
            was: HashMap::new(),
        }
    }
}

impl<T: PartialEq> Slot<T> {
    /// Whether a part forgotten in `lang` comes out different: `make` makes the part of an
    /// id (`None`: the id has none now). The parts a page showed were all kept when its
    /// context was (a caller that forgets everything forgets the contexts too).
    pub(super) fn changed(&self, lang: Lang, make: impl Fn(&str) -> Option<T>) -> bool {
        self.forgotten.iter().any(|id| {
            let now = make(id).map(|part| self.get_or(id, lang, || part));
            let was = self.was.get(&(id.clone(), lang));
            now.as_deref() != was.map(|p| &**p)
        })
    }
}

impl<T> Slot<T> {
    /// The part kept for `id` in `lang`, else `make`'s, kept.
    pub(super) fn get_or(&self, id: &str, lang: Lang, make: impl FnOnce() -> T) -> Arc<T> {
        let key = (id.to_string(), lang);
        let lock = || self.parts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(part) = lock().get(&key) {
            return part.clone();
        }
        // (Made unlocked: two threads may make the same part, equal either way.)
        let part = Arc::new(make());
        lock().insert(key, part.clone());
        part
    }

    /// Forgets the parts of `ids`; those forgotten before and not made since stay forgotten.
    fn forget(&mut self, ids: &BTreeSet<String>) {
        let map = self.parts.get_mut().unwrap_or_else(|e| e.into_inner());
        let (mut was, kept): (Parts<T>, Parts<T>) = std::mem::take(map)
            .into_iter()
            .partition(|((id, _), _)| ids.contains(id));
        let mut forgotten = ids.clone();
        for (key, part) in std::mem::take(&mut self.was) {
            if !kept.contains_key(&key) && !was.contains_key(&key) {
                forgotten.insert(key.0.clone());
                was.insert(key, part);
            }
        }
        (self.was, *map, self.forgotten) = (was, kept, forgotten);
    }

    fn len(&self) -> usize {
        self.parts.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::downloads::Downloads;
    use crate::model::Model;
    use crate::render::pages::PageRenderer;
    use crate::render::Extras;
    use crate::urls::Page;

    /// The metrics of programme `id`.
    fn metrics(model: &Model, id: &str) -> BTreeSet<String> {
        let p = model.programme(id).unwrap();
        p.targets.iter().map(|t| t.metric.clone()).collect()
    }

    #[test]
    fn a_page_of_parts_is_unchanged_only_while_the_parts_forgotten_come_out_the_same() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked = crate::check(&crate::BuildOptions::new(root)).unwrap();
        let (model, urls, theme) = (&checked.model, &checked.urls, &checked.theme);
        let extras = Extras {
            downloads: Downloads::build(model, urls),
            charts: checked.charts,
            changes: None,
        };
        let lang = model.site.default_lang();
        let id = model.programmes[0].id.clone();
        macro_rules! renderer {
            ($model:expr, $memo:expr) => {
                PageRenderer::new($model, urls, theme, &extras).with_memo($memo)
            };
        }
        let mut memo = Memo::default();
        let context = |r: &PageRenderer, page| r.page_context(page, lang).unwrap();
        let sources = context(&renderer!(model, &memo), &Page::Sources);
        let index = context(&renderer!(model, &memo), &Page::MetricIndex);
        assert!(memo.len() >= model.programmes.len());
        // Nothing known without a memo, nor of the pages not made of parts.
        let plain = PageRenderer::new(model, urls, theme, &extras);
        assert!(!plain.unchanged(&Page::Sources, lang));
        assert!(!renderer!(model, &memo).unchanged(&Page::Home, lang));

        // Forgotten, and made again from the same data: the same.
        memo.forget(&[id.clone()].into(), &metrics(model, &id));
        assert!(renderer!(model, &memo).unchanged(&Page::Sources, lang));
        memo.forget(&[id.clone()].into(), &metrics(model, &id));
        assert!(renderer!(model, &memo).unchanged(&Page::MetricIndex, lang));

        // A title edited: the sources page shows it, the metrics page does not.
        let mut edited = model.clone();
        edited.programmes[0].title.en.push_str(" (edited)");
        edited.programmes[0].title.zh.push_str("（改）");
        let edited = &edited.index();
        memo.forget(&[id.clone()].into(), &metrics(edited, &id));
        let r = renderer!(edited, &memo);
        assert!(!r.unchanged(&Page::Sources, lang));
        assert!(r.unchanged(&Page::MetricIndex, lang));
        assert_ne!(context(&r, &Page::Sources), sources);
        assert_eq!(context(&r, &Page::MetricIndex), index);

        // A place renamed: both pages name it.
        let mut renamed = edited.clone();
        renamed.programmes[0].place.en.push_str(" City");
        renamed.programmes[0].place.zh.push('市');
        let renamed = &renamed.index();
        memo.forget(&[id.clone()].into(), &metrics(renamed, &id));
        let r = renderer!(renamed, &memo);
        assert!(!r.unchanged(&Page::MetricIndex, lang));
        assert!(!r.unchanged(&Page::Sources, lang));
        assert_ne!(context(&r, &Page::MetricIndex), index);
    }
}
