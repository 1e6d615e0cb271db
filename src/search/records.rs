//! The records of one language, made from the model: a key for each first (cheap, so that the
//! records can be dealt into shards), then each record from its key when its shard is built.

use super::text::searchable;
use super::{Record, Section};
use crate::model::{Commentary, Lang, Metric, Model, Programme};
use crate::urls::{Page, Urls};
use crate::view::{self, Ctx};

/// Which record, by its place in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    Programme(usize),
    /// A programme's source: the programme, then the source.
    Source(usize, usize),
    /// A metric that has a page of its own (two or more programmes measure it).
    Metric(usize),
    /// The metrics index, whose sections are the metrics with no page of their own.
    MetricIndex,
    Commentary(usize),
}

/// What one language's records are made from.
pub(super) struct Records<'a> {
    model: &'a Model,
    urls: &'a Urls,
    lang: Lang,
    /// Where a figure's progress rule is explained, found once (`view::rule_href` looks
    /// through every commentary).
    rule_href: String,
}

impl<'a> Records<'a> {
    pub(super) fn new(model: &'a Model, urls: &'a Urls, lang: Lang) -> Self {
        let rule_href = view::rule_href(model, urls, lang);
        Records {
            model,
            urls,
            lang,
            rule_href,
        }
    }

    pub(super) fn lang(&self) -> Lang {
        self.lang
    }

    /// Every record of the language, in the model's order (so that the index is the same for
    /// the same content): each programme followed by its sources, then the metrics that some
    /// figure measures (the metrics index where the first metric without a page of its own
    /// is), then the commentary.
    pub(super) fn keys(&self) -> Vec<Key> {
        let mut keys = Vec::new();
        for (i, p) in self.model.programmes.iter().enumerate() {
            keys.push(Key::Programme(i));
            keys.extend((0..p.sources.len()).map(|j| Key::Source(i, j)));
        }
        for (i, m) in self.model.metrics.iter().enumerate() {
            match self.model.programmes_with_metric(&m.id).len() {
                0 => {}
                1 if keys.contains(&Key::MetricIndex) => {}
                1 => keys.push(Key::MetricIndex),
                _ => keys.push(Key::Metric(i)),
            }
        }
        for (i, c) in self.model.commentary.iter().enumerate() {
            if c.lang == self.lang {
                keys.push(Key::Commentary(i));
            }
        }
        keys
    }

    pub(super) fn record(&self, key: Key) -> Record {
        let model = self.model;
        match key {
            Key::Programme(i) => self.programme(&model.programmes[i]),
            Key::Source(i, j) => self.source(&model.programmes[i], j),
            Key::Metric(i) => self.metric(&model.metrics[i]),
            Key::MetricIndex => self.metric_index(),
            Key::Commentary(i) => self.commentary(&model.commentary[i]),
        }
    }

    fn url(&self, page: &Page, anchor: &str) -> String {
        format!("/{}{anchor}", self.urls.page_path(page, self.lang))
    }

    fn colon(&self) -> &'static str {
        match self.lang {
            Lang::En => ": ",
            Lang::Zh => "：",
        }
    }

    fn plain(&self, kind: &'static str, url: String, title: String, parts: &[&str]) -> Record {
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
        let mut r = self.plain(
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
        let views = ctx.targets_ruled(p.targets.iter().map(|t| (p, t)), &self.rule_href);
        p.targets
            .iter()
            .zip(views)
            .map(|(t, v)| {
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

    fn source(&self, p: &Programme, j: usize) -> Record {
        let s = &p.sources[j];
        let date = s.date.as_ref().map(|d| view::date_text(d, self.lang));
        let mut parts = vec![
            p.place.name(self.lang),
            s.title.zh.as_str(),
            s.publisher.get(self.lang),
        ];
        parts.extend(date.as_deref());
        parts.extend(s.note.as_ref().map(|n| n.get(self.lang)));
        self.plain(
            "source",
            self.url(&Page::Sources, &format!("#s-{}", s.id)),
            s.title.get(self.lang).to_string(),
            &parts,
        )
    }

    /// A metric with a page of its own: one that two or more programmes measure.
    fn metric(&self, m: &Metric) -> Record {
        let mut r = self.plain(
            "metric",
            self.url(&Page::Metric(m.id.clone()), ""),
            m.name.get(self.lang).to_string(),
            &[],
        );
        r.text = self.metric_text(m, None);
        r
    }

    /// The metrics index, as one record whose sections are the metrics that only one
    /// programme measures (each a line of the index, `#m-ID`, with no page of its own): one
    /// record instead of one each, since every record costs Pagefind a fragment file (a
    /// compressor set up anew) and a page to rank, whatever its length; on the real site
    /// these metrics were 104 of 154 records and a fifth of the index's work. The record's
    /// own text is empty, so only its sections are ever results, and its title (the default
    /// theme's heading of the page) is never shown.
    fn metric_index(&self) -> Record {
        let lang = self.lang;
        let sections = self
            .model
            .metrics
            .iter()
            .filter(|m| self.model.programmes_with_metric(&m.id).len() == 1)
            .map(|m| {
                let name = m.name.get(lang);
                Section {
                    kind: "metric",
                    anchor: format!("m-{}", m.id),
                    title: name.to_string(),
                    value: None,
                    quote: None,
                    text: self.metric_text(m, Some(name)),
                }
            })
            .collect();
        Record {
            lang,
            url: self.url(&Page::MetricIndex, ""),
            kind: "metric",
            title: match lang {
                Lang::En => "Comparisons",
                Lang::Zh => "比较",
            }
            .to_string(),
            keywords: String::new(),
            text: String::new(),
            sections,
        }
    }

    /// What is searched of a metric (after `name`, where given): what it counts, the places
    /// that measure it, and how it is made up and compared.
    fn metric_text(&self, m: &Metric, name: Option<&str>) -> String {
        let lang = self.lang;
        let places: Vec<&str> = self
            .model
            .programmes_with_metric(&m.id)
            .iter()
            .map(|p| p.place.name(lang))
            .collect();
        let places = places.join(view::list_separator(lang));
        let mut parts: Vec<&str> = name.into_iter().collect();
        parts.extend([m.counts.get(lang), places.as_str()]);
        for t in [&m.numerator, &m.denominator, &m.comparability]
            .into_iter()
            .flatten()
        {
            parts.push(t.get(lang));
        }
        searchable(lang, &parts)
    }

    fn commentary(&self, c: &Commentary) -> Record {
        let body = markdown_text(&c.body);
        self.plain(
            "commentary",
            self.url(&Page::Commentary(c.key.clone()), ""),
            c.title.clone(),
            &[&c.summary, &body],
        )
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
    fn markdown_loses_its_markup() {
        let text = markdown_text(
            "# Title\n\nSome **bold** [5,000](target:x) words.\n\n{{ chart(id=\"c\") }}\n\n- 学徒\n",
        );
        assert_eq!(text, "Title\nSome bold 5,000 words.\n学徒\n");
    }
}
