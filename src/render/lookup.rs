//! What pages look up among the commentary, indexed once per build. Looking through every
//! commentary for each page made a site's pages cost the square of its size: at 10,000
//! programmes (and as many commentaries) that was hundreds of millions of comparisons.

use crate::model::{Commentary, Lang, Model};
use crate::urls::Page;
use std::collections::HashMap;

pub struct Lookup<'a> {
    model: &'a Model,
    /// Each commentary by key and language.
    by_key: HashMap<(&'a str, Lang), &'a Commentary>,
    /// For each programme id, the commentaries (positions in `model.commentary`, in order)
    /// that name the programme or have its id as key.
    by_programme: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Lookup<'a> {
    pub fn new(model: &'a Model) -> Lookup<'a> {
        let mut by_key = HashMap::new();
        let mut by_programme: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, c) in model.commentary.iter().enumerate() {
            // The first of two with one key and language, as a search in order finds.
            by_key.entry((c.key.as_str(), c.lang)).or_insert(c);
            for id in c.programmes.iter().chain(std::iter::once(&c.key)) {
                let list = by_programme.entry(id.as_str()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        Lookup {
            model,
            by_key,
            by_programme,
        }
    }

    /// The commentary `key` in `lang`.
    pub fn commentary(&self, key: &str, lang: Lang) -> Option<&'a Commentary> {
        self.by_key.get(&(key, lang)).copied()
    }

    /// Every language a page exists in, as `pages::languages_of` says.
    pub fn languages(&self, page: &Page) -> Vec<Lang> {
        let site = &self.model.site;
        site.languages
            .iter()
            .copied()
            .filter(|l| match page {
                Page::Commentary(key) => self.commentary(key, *l).is_some(),
                Page::NotFound => *l == site.default_lang(),
                _ => true,
            })
            .collect()
    }

    /// The commentaries in `lang` that name programme `id` or have its id as key, in order.
    pub fn about_programme(
        &self,
        id: &str,
        lang: Lang,
    ) -> impl Iterator<Item = &'a Commentary> + use<'a, '_> {
        let model = self.model;
        self.by_programme
            .get(id)
            .into_iter()
            .flatten()
            .map(move |i| &model.commentary[*i])
            .filter(move |c| c.lang == lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commentary(key: &str, lang: Lang, programmes: &[&str]) -> Commentary {
        Commentary {
            key: key.into(),
            lang,
            title: key.into(),
            summary: String::new(),
            date: None,
            programmes: programmes.iter().map(|p| p.to_string()).collect(),
            metrics: Vec::new(),
            body: String::new(),
            body_line: 1,
            origin: Default::default(),
        }
    }

    #[test]
    fn finds_each_commentary_by_key_language_and_programme() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut model = crate::load::load(root).model.expect("the real site loads");
        model.commentary = vec![
            commentary("a", Lang::En, &["p1", "p2"]),
            commentary("a", Lang::Zh, &["p1"]),
            commentary("p1", Lang::En, &["p1"]),
            commentary("b", Lang::Zh, &["p2"]),
        ];
        let lookup = Lookup::new(&model);
        let langs = |key: &str| lookup.languages(&Page::Commentary(key.into()));
        assert_eq!(langs("a"), model.site.languages);
        assert_eq!(langs("b"), [Lang::Zh]);
        assert_eq!(langs("p1"), [Lang::En]);
        assert!(langs("none").is_empty());
        assert_eq!(lookup.languages(&Page::Home), model.site.languages);
        assert_eq!(
            lookup.languages(&Page::NotFound),
            [model.site.default_lang()]
        );
        let keys = |id: &str, lang| -> Vec<&str> {
            lookup
                .about_programme(id, lang)
                .map(|c| c.key.as_str())
                .collect()
        };
        // Named and keyed by the programme, listed once.
        assert_eq!(keys("p1", Lang::En), ["a", "p1"]);
        assert_eq!(keys("p1", Lang::Zh), ["a"]);
        assert_eq!(keys("p2", Lang::Zh), ["b"]);
        assert!(keys("p3", Lang::En).is_empty());
        assert_eq!(
            lookup.commentary("a", Lang::Zh).map(|c| c.lang),
            Some(Lang::Zh)
        );
        assert!(lookup.commentary("b", Lang::En).is_none());
    }
}
