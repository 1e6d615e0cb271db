//! Stage 2: semantic checks on the loaded model. Everything wrong is collected (not just the
//! first problem), each located at its file, line and field.

mod pages;
mod quiet;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::SourceMap;
use crate::model::*;
use pages::Page;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

/// Checks `model`; `known_links` is every site-relative page path (e.g. `programmes/zhuhai/`)
/// and `known_charts` every chart id, for checking what commentary refers to. When the model
/// is not `complete` (a file could not be parsed and is missing from it), the checks that
/// look one thing up in another file are left out: they would report what is missing.
///
/// Every number is checked here (finite, within what its unit allows), and `check` draws no
/// chart from a model that has any error.
pub fn validate(
    model: &Model,
    sources: &SourceMap,
    known_links: &BTreeSet<String>,
    known_charts: &BTreeSet<String>,
    complete: bool,
) -> Diagnostics {
    validate_reusing(model, sources, known_links, known_charts, complete, None)
}

/// What the preview's checks keep from one rebuild to the next: what each commentary page's
/// Markdown holds (`pages`), and the programmes whose own checks found nothing (`quiet`).
#[derive(Default)]
pub struct Memo {
    pub pages: pages::Memo,
    pub quiet: quiet::Quiet,
}

/// `validate`, taking from `memo` what the commentary's Markdown holds for the bodies it has
/// seen, and leaving out the own checks of programmes that found nothing last time and have
/// not changed since (the preview's rebuilds); the findings are the same.
pub fn validate_reusing(
    model: &Model,
    sources: &SourceMap,
    known_links: &BTreeSet<String>,
    known_charts: &BTreeSet<String>,
    complete: bool,
    memo: Option<&mut Memo>,
) -> Diagnostics {
    let (pages, mut quiet) = match memo {
        Some(memo) => (
            pages::pages(model, Some(&mut memo.pages)),
            Some(&mut memo.quiet),
        ),
        None => (pages::pages(model, None), None),
    };
    let run = quiet.as_ref().map(|q| q.start(model, sources, complete));
    let none = vec![false; model.programmes.len()];
    let mut v = Validator {
        sources,
        out: Diagnostics::new(),
        complete,
        pushed: 0,
        cross: 0,
        skip: run
            .as_ref()
            .map(|r| r.skip.clone())
            .unwrap_or_else(|| none.clone()),
        noisy: none,
    };
    v.site(&model.site);
    v.metrics(model);
    v.programmes(model);
    v.context(model);
    v.changelog(model);
    v.commentary(model, &pages, known_links, known_charts);
    let links: Vec<&[crate::provenance::TargetLink]> =
        pages.iter().map(|p| p.links.as_slice()).collect();
    let mut noisy = crate::provenance::check(model, sources, &links, &v.skip, &mut v.out);
    if let (Some(quiet), Some(run)) = (quiet.as_mut(), run) {
        for (n, own) in noisy.iter_mut().zip(&v.noisy) {
            *n |= *own;
        }
        quiet.finish(run, &noisy);
    }
    v.out
}

/// Lower-case ASCII letters, digits and single hyphens: safe as a file name and a URL part.
pub fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}

/// A slug suggestion for an invalid id, for the help text.
fn slugify(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// A number as messages show it: `1.7e308`, not 309 digits.
fn number(v: f64) -> String {
    crate::diagnostics::number(v)
}

fn closest<'a>(name: &str, options: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    options
        .map(|o| (strsim::jaro_winkler(name, o), o))
        .filter(|(s, _)| *s > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, o)| o)
}

struct Validator<'a> {
    sources: &'a SourceMap,
    out: Diagnostics,
    complete: bool,
    /// Diagnostics pushed through `error` and `warn`, and of those, the checks across files.
    pushed: usize,
    cross: usize,
    /// By programme: its own checks are left out; they found something.
    skip: Vec<bool>,
    noisy: Vec<bool>,
}

/// The largest figure policydash accepts: no programme counts more than a trillion of
/// anything, and charts and tables stay readable below it.
pub const MAX_VALUE: f64 = 1e12;
/// Populations: whole numbers of residents, at most this many.
pub const MAX_POPULATION: f64 = 1e10;

impl Validator<'_> {
    fn error(&mut self, file: &Path, field: &str, msg: impl Into<String>, help: impl Into<String>) {
        let d = Diagnostic::error(msg).help(help);
        self.pushed += 1;
        self.out.push(self.sources.diag(d, file, field));
    }
    fn warn(&mut self, file: &Path, field: &str, msg: impl Into<String>, help: impl Into<String>) {
        let d = Diagnostic::warning(msg).help(help);
        self.pushed += 1;
        self.out.push(self.sources.diag(d, file, field));
    }

    fn slug(&mut self, file: &Path, field: &str, id: &str) {
        if !is_slug(id) {
            let suggestion = slugify(id);
            self.error(
                file,
                field,
                format!("{id:?} is not a valid id"),
                format!("ids use lower-case letters, digits and single hyphens (they become file names and links){}",
                    if suggestion.is_empty() { String::new() } else { format!("; for example {suggestion:?}") }),
            );
        }
    }

    fn text(&mut self, file: &Path, field: &str, text: &Text) {
        for (lang, value) in [("en", &text.en), ("zh", &text.zh)] {
            if value.trim().is_empty() {
                self.error(
                    file,
                    &format!("{field}.{lang}"),
                    "this text is empty",
                    "write it in both languages (en and zh)",
                );
            }
        }
    }

    fn site(&mut self, site: &Site) {
        let file = Path::new("content/site.yaml");
        if site.languages.is_empty() {
            self.error(
                file,
                "languages",
                "no language is listed",
                "list at least one: languages: [en, zh]",
            );
        }
        let unique: BTreeSet<_> = site.languages.iter().collect();
        if unique.len() != site.languages.len() {
            self.error(
                file,
                "languages",
                "a language is listed twice",
                "list each language once",
            );
        }
        if let Err(e) = crate::urls::Urls::new(&site.base_url) {
            self.error(
                file,
                "base_url",
                e,
                "write a full address such as https://example.org/ or https://org.github.io/repo/",
            );
        }
        self.slug(file, "theme", &site.theme);
        self.text(file, "title", &site.title);
        self.text(file, "description", &site.description);
        if let Some(cname) = &site.cname {
            if !cname.is_empty()
                && !cname
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            {
                self.error(
                    file,
                    "cname",
                    format!("{cname:?} is not a domain name"),
                    "write only the host, such as data.example.org",
                );
            }
        }
    }

    fn metrics(&mut self, model: &Model) {
        let mut seen: BTreeMap<&str, &Origin> = BTreeMap::new();
        for m in &model.metrics {
            let (file, path) = (&m.origin.file, m.origin.path.as_str());
            self.slug(file, &format!("{path}.id"), &m.id);
            if let Some(first) = seen.insert(&m.id, &m.origin) {
                self.error(
                    file,
                    &format!("{path}.id"),
                    format!(
                        "the metric id {:?} is used twice (first in {})",
                        m.id,
                        first.file.display()
                    ),
                    "give each metric its own id",
                );
            }
            self.text(file, &format!("{path}.name"), &m.name);
            self.text(file, &format!("{path}.counts"), &m.counts);
            if self.complete && model.targets_of_metric(&m.id).next().is_none() {
                self.warn(
                    file,
                    &format!("{path}.id"),
                    format!("no figure uses the metric {:?}", m.id),
                    "remove it, or use it in a programme's targets",
                );
            }
        }
    }

    /// Each programme's own checks (of its file, against the metrics), and across files:
    /// ids used twice. The own checks of a programme `skip` marks are left out (they found
    /// nothing last time, see `quiet`); those that find something mark it `noisy`.
    fn programmes(&mut self, model: &Model) {
        let mut target_ids: BTreeMap<&str, &Path> = BTreeMap::new();
        let mut programme_ids: BTreeMap<&str, &Path> = BTreeMap::new();
        for (n, p) in model.programmes.iter().enumerate() {
            let own = !self.skip.get(n).copied().unwrap_or(false);
            let (pushed, cross) = (self.pushed, self.cross);
            let file = p.origin.file.as_path();
            if own {
                self.slug(file, "id", &p.id);
            }
            if let Some(first) = programme_ids.insert(&p.id, file) {
                self.cross += 1;
                self.error(
                    file,
                    "id",
                    format!(
                        "the programme id {:?} is used twice (also in {})",
                        p.id,
                        first.display()
                    ),
                    "keep one file per programme",
                );
            }
            if own {
                self.programme(p, file);
            }
            for t in &p.targets {
                if let Some(first) = target_ids.insert(&t.id, file) {
                    self.cross += 1;
                    self.error(
                        file,
                        &format!("{}.id", t.origin.path),
                        format!(
                            "the target id {:?} is used twice (also in {})",
                            t.id,
                            first.display()
                        ),
                        "ids must be unique across the site: they are permalinks",
                    );
                }
                if own {
                    self.target(model, p, t);
                }
            }
            let mut commitment_ids = BTreeSet::new();
            for c in &p.commitments {
                let path = c.origin.path.as_str();
                if own {
                    self.slug(file, &format!("{path}.id"), &c.id);
                }
                if !commitment_ids.insert(&c.id) || target_ids.contains_key(c.id.as_str()) {
                    self.cross += 1;
                    self.error(
                        file,
                        &format!("{path}.id"),
                        format!("the id {:?} is used twice", c.id),
                        "give each commitment its own id",
                    );
                }
                if own {
                    self.commitment(p, file, c);
                }
            }
            if own {
                self.cited(p, file);
            }
            if own && self.pushed - pushed > self.cross - cross {
                self.noisy[n] = true;
            }
        }
    }

    /// A programme's own checks before its figures: its id against its file name, title,
    /// period and sources.
    fn programme(&mut self, p: &Programme, file: &Path) {
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if p.id != stem {
            self.error(
                file,
                "id",
                format!("the id {:?} differs from the file name {stem:?}", p.id),
                format!("rename the file to {}.yaml or set id: {stem}", p.id),
            );
        }
        self.text(file, "title", &p.title);
        if p.period.start > p.period.end {
            self.error(
                file,
                "period.end",
                format!(
                    "the period ends ({}) before it starts ({})",
                    p.period.end, p.period.start
                ),
                "swap start and end",
            );
        }
        if p.sources.is_empty() {
            self.error(
                file,
                "sources",
                "the programme has no source document",
                "list the document its figures come from under sources:",
            );
        }
        let mut source_ids = BTreeSet::new();
        for (i, s) in p.sources.iter().enumerate() {
            self.slug(file, &format!("sources[{i}].id"), &s.id);
            if !source_ids.insert(s.id.as_str()) {
                self.error(
                    file,
                    &format!("sources[{i}].id"),
                    format!("the source id {:?} is used twice", s.id),
                    "give each source its own id",
                );
            }
            if let Some(url) = &s.url {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    self.error(
                        file,
                        &format!("sources[{i}].url"),
                        format!("{url:?} is not a web address"),
                        "write a full address starting with https://",
                    );
                }
            }
        }
        if p.targets.is_empty() {
            self.warn(
                file,
                "targets",
                "the programme has no figures",
                "add its targets, or say in a note why it has none",
            );
        }
    }

    /// A commitment's own checks, after its id.
    fn commitment(&mut self, p: &Programme, file: &Path, c: &Commitment) {
        let path = c.origin.path.as_str();
        self.text(file, &format!("{path}.text"), &c.text);
        self.quote(file, path, &c.quote, &c.quote_en);
        if p.source(&c.source).is_none() {
            self.unknown_source(p, file, path, &c.source);
        }
        if let Some(d) = &c.deadline {
            self.deadline(p, file, &format!("{path}.deadline"), d);
        }
    }

    /// Every source is cited by a figure or a commitment.
    fn cited(&mut self, p: &Programme, file: &Path) {
        for (i, s) in p.sources.iter().enumerate() {
            let cited = p.targets.iter().any(|t| t.source == s.id)
                || p.commitments.iter().any(|c| c.source == s.id);
            if !cited {
                self.warn(
                    file,
                    &format!("sources[{i}].id"),
                    format!("no figure or commitment cites the source {:?}", s.id),
                    "remove it, or cite it with source: in the figures it supports",
                );
            }
        }
    }

    /// A deadline must be a plausible year inside, or at least not before, the programme's
    /// period. One after the period's end is legal (plans do reach past their own term) but
    /// worth a second look.
    fn deadline(&mut self, p: &Programme, file: &Path, field: &str, d: &PartialDate) {
        if d.year < 1949 || d.year > 2100 {
            self.error(
                file,
                field,
                format!("{d} is not a plausible date for this figure"),
                "check the year",
            );
        } else if d.end() < p.period.start.start() {
            self.error(
                file,
                field,
                format!(
                    "the deadline {d} is before the programme's period starts ({})",
                    p.period.start
                ),
                "check the year, or the programme's period",
            );
        } else if d.start() > p.period.end.end() {
            self.warn(
                file,
                field,
                format!(
                    "the deadline {d} is after the programme's period ends ({})",
                    p.period.end
                ),
                "check the year; if the document does look beyond its own term, extend period.end or say so in a note",
            );
        }
    }

    fn quote(&mut self, file: &Path, path: &str, quote: &str, quote_en: &str) {
        if quote.trim().is_empty() {
            self.error(
                file,
                &format!("{path}.quote"),
                "the quote is empty",
                "copy the clause the figure comes from, verbatim, from the source document",
            );
        }
        if quote_en.trim().is_empty() {
            self.error(
                file,
                &format!("{path}.quote_en"),
                "the English rendering of the quote is empty",
                "translate the quoted clause",
            );
        }
    }

    fn unknown_source(&mut self, p: &Programme, file: &Path, path: &str, source: &str) {
        let hint = closest(source, p.sources.iter().map(|s| s.id.as_str()))
            .map(|s| format!("did you mean {s:?}?"))
            .unwrap_or_else(|| {
                format!(
                    "use one of this programme's sources: {}",
                    p.sources
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
        self.error(
            file,
            &format!("{path}.source"),
            format!("there is no source {source:?} in this programme"),
            hint,
        );
    }

    fn target(&mut self, model: &Model, p: &Programme, t: &Target) {
        let file = t.origin.file.as_path();
        let path = t.origin.path.as_str();
        let f = |field: &str| format!("{path}.{field}");
        self.slug(file, &f("id"), &t.id);
        self.text(file, &f("label"), &t.label);
        self.quote(file, path, &t.quote, &t.quote_en);
        // Legal, but a label or quote this long is usually a paste that went wrong; it would
        // be repeated on every page, chart and download that shows the figure.
        for (field, text, limit) in [
            ("label.en", &t.label.en, 300),
            ("label.zh", &t.label.zh, 300),
            ("quote", &t.quote, 3000),
            ("quote_en", &t.quote_en, 3000),
        ] {
            let n = text.chars().count();
            if n > limit {
                self.warn(
                    file,
                    &f(field),
                    format!("this text is {n} characters long"),
                    format!("check that no more than the clause itself was pasted; more than {limit} characters is unusual here"),
                );
            }
        }
        match model.metric(&t.metric) {
            None if !self.complete => {}
            None => {
                let hint = closest(&t.metric, model.metrics.iter().map(|m| m.id.as_str()))
                    .map(|s| format!("did you mean {s:?}?"))
                    .unwrap_or_else(|| "define it in content/metrics.yaml".into());
                self.error(
                    file,
                    &f("metric"),
                    format!("there is no metric {:?}", t.metric),
                    hint,
                );
            }
            Some(m) if m.unit != t.unit => {
                self.error(
                    file,
                    &f("unit"),
                    format!(
                        "the unit {} does not match the metric {:?}, which counts {}",
                        t.unit.id(),
                        m.id,
                        m.unit.id()
                    ),
                    format!(
                        "use unit: {}, or choose a metric that counts {}",
                        m.unit.id(),
                        t.unit.id()
                    ),
                );
            }
            Some(_) => {}
        }
        if p.source(&t.source).is_none() {
            self.unknown_source(p, file, path, &t.source);
        }
        self.figure_numbers(file, path, t);
        if let Some(max) = t.value_max {
            if max < t.value && t.value.is_finite() {
                self.error(
                    file,
                    &f("value_max"),
                    format!(
                        "value_max ({}) is below value ({})",
                        number(max),
                        number(t.value)
                    ),
                    "a range runs from value (the low end) to value_max (the high end)",
                );
            }
            if t.comparator != Comparator::Exactly && t.comparator != Comparator::About {
                self.warn(
                    file,
                    &f("comparator"),
                    "a range with a comparator other than = or ~ is hard to read",
                    "use comparator \"=\" for a range such as 3 to 6 months",
                );
            }
        }
        match t.kind {
            FigureKind::Target if t.deadline.is_none() => self.error(file, &f("deadline"), "a target needs a deadline", "write the year (or date) the target is for, e.g. deadline: \"2025\"; if the text gives none, use the programme's end and say so in a note"),
            FigureKind::Status if t.as_of.is_none() => self.error(file, &f("as_of"), "a current figure needs an as_of date", "write the date the figure is true of, e.g. as_of: \"2023\""),
            _ => {}
        }
        match (t.kind, &t.deadline, &t.as_of) {
            (FigureKind::Target, Some(d), _) => self.deadline(p, file, &f("deadline"), d),
            (FigureKind::Status, _, Some(d)) if d.year < 1949 || d.year > 2100 => self.error(
                file,
                &f("as_of"),
                format!("{d} is not a plausible date for this figure"),
                "check the year",
            ),
            _ => {}
        }
        if t.kind == FigureKind::Status && t.deadline.is_some() {
            self.warn(
                file,
                &f("deadline"),
                "a current figure (kind: status) has a deadline, which is not shown",
                "use as_of for the date the figure is true of, or kind: target if it is a goal",
            );
        }
        if let Some(tier) = t.tier {
            if ![1, 10, 100, 1000, 10000].contains(&tier) {
                self.error(
                    file,
                    &f("tier"),
                    format!("{tier} is not a craftsman tier"),
                    "use 1, 10, 100, 1000 or 10000 (the tier's nominal size)",
                );
            }
        }
    }

    /// `value` and `value_max`: finite, zero or more, and within what the unit allows.
    fn figure_numbers(&mut self, file: &Path, path: &str, t: &Target) {
        for (field, v) in [("value", Some(t.value)), ("value_max", t.value_max)] {
            let Some(v) = v else { continue };
            let field = format!("{path}.{field}");
            let shown = number(v);
            let (limit, what, help) = match t.unit {
                Unit::Percent => (100.0, "a percentage between 0 and 100", "write 38 for 38%"),
                Unit::Per10k => (
                    10_000.0,
                    "a rate per 10,000 between 0 and 10,000",
                    "write 35 for 35 per 10,000",
                ),
                _ => (MAX_VALUE, "", ""),
            };
            if !v.is_finite() || v < 0.0 {
                self.error(
                    file,
                    &field,
                    format!("{shown} is not a usable figure"),
                    "write a number of zero or more: 92000 for 9.2万, 38 for 38%",
                );
            } else if v > limit && limit < MAX_VALUE {
                self.error(file, &field, format!("{shown} is not {what}"), help);
            } else if v > MAX_VALUE {
                self.error(
                    file,
                    &field,
                    format!("{shown} is implausibly large"),
                    "check for extra zeros; values are plain numbers (9.2万 is 92000)",
                );
            }
        }
    }

    fn context(&mut self, model: &Model) {
        let mut seen = BTreeSet::new();
        for c in &model.context {
            let (file, path) = (&c.origin.file, c.origin.path.as_str());
            self.slug(file, &format!("{path}.id"), &c.id);
            if !seen.insert(&c.id) {
                self.error(
                    file,
                    &format!("{path}.id"),
                    format!("the id {:?} is used twice", c.id),
                    "give each figure its own id",
                );
            }
            if self.complete && model.programme(&c.programme).is_none() {
                self.error(
                    file,
                    &format!("{path}.programme"),
                    format!("there is no programme {:?}", c.programme),
                    "use the id of a file in content/programmes/",
                );
            }
            let field = format!("{path}.value");
            let v = c.value;
            if !(v.is_finite() && v >= 1.0 && v.fract() == 0.0 && v <= MAX_POPULATION) {
                self.error(
                    file,
                    &field,
                    format!("{} is not a plausible population", number(v)),
                    "write the number of residents as a whole number, e.g. 2439585 (not 243.96万 or 2.44)",
                );
            } else if v < 1000.0 {
                self.warn(
                    file,
                    &field,
                    format!("a population of {} is very small", number(v)),
                    "check that the figure counts residents, not ten-thousands (万) of them",
                );
            }
        }
    }

    fn changelog(&mut self, model: &Model) {
        let file = Path::new("content/changelog.yaml");
        let mut seen = BTreeSet::new();
        for (i, e) in model.changelog.iter().enumerate() {
            self.slug(file, &format!("entries[{i}].id"), &e.id);
            if !seen.insert(&e.id) {
                self.error(
                    file,
                    &format!("entries[{i}].id"),
                    format!("the id {:?} is used twice", e.id),
                    "give each entry its own id: it identifies the feed entry",
                );
            }
            for (j, id) in e.targets.iter().enumerate() {
                if self.complete && !model.targets().any(|(_, t)| &t.id == id) {
                    self.warn(
                        file,
                        &format!("entries[{i}].targets[{j}]"),
                        format!("no figure has the id {id:?}; the entry will name it without a link"),
                        "check the spelling against the figure's id (fine if the figure was removed)",
                    );
                }
            }
        }
    }

    fn commentary(
        &mut self,
        model: &Model,
        pages: &[Arc<Page>],
        links: &BTreeSet<String>,
        charts: &BTreeSet<String>,
    ) {
        let mut seen = BTreeSet::new();
        for (c, page) in model.commentary.iter().zip(pages) {
            let file = c.origin.file.as_path();
            if !seen.insert((&c.key, c.lang)) {
                self.error(
                    file,
                    "language",
                    format!(
                        "there are two {} pages with the key {:?}",
                        c.lang.code(),
                        c.key
                    ),
                    "give one a different file name or translation key",
                );
            }
            if c.title.trim().is_empty() {
                self.error(
                    file,
                    "title",
                    "the title is empty",
                    "give the page a title in its front matter",
                );
            }
            if !model.site.allow_raw_html {
                if let Some((line, column)) = page.raw_html {
                    self.out.push(
                        Diagnostic::warning("this HTML will be shown as text, not as markup")
                            .in_file(file)
                            .at(c.body_line + line - 1, column)
                            .help("write it in Markdown, or set allow_raw_html: true in site.yaml if you trust every author"),
                    );
                }
            }
            if !is_slug(&c.key) {
                self.error(file, "translation", format!("{:?} cannot be a page address", c.key), "name the file with lower-case letters, digits and hyphens, e.g. overview.en.md");
            }
            if !model.site.languages.contains(&c.lang) {
                self.warn(
                    file,
                    "language",
                    format!("the site is not published in {}", c.lang.code()),
                    "add the language to languages: in site.yaml, or remove the page",
                );
            }
            if !self.complete {
                continue;
            }
            for (i, id) in c.programmes.iter().enumerate() {
                if model.programme(id).is_none() {
                    self.error(
                        file,
                        &format!("programmes[{i}]"),
                        format!("there is no programme {id:?}"),
                        "use ids of files in content/programmes/",
                    );
                }
            }
            for (i, id) in c.metrics.iter().enumerate() {
                if model.metric(id).is_none() {
                    self.error(
                        file,
                        &format!("metrics[{i}]"),
                        format!("there is no metric {id:?}"),
                        "use ids from content/metrics.yaml",
                    );
                }
            }
            for r in page.references.iter().cloned() {
                let at = |d: Diagnostic| d.in_file(file).at(c.body_line + r.line - 1, r.column);
                match r.kind {
                    crate::markdown::RefKind::Chart(id) if !charts.contains(&id) => {
                        let hint = closest(&id, charts.iter().map(String::as_str))
                            .map(|s| format!("did you mean {s:?}?"))
                            .unwrap_or_else(|| {
                                "see the chart ids listed on each chart's embed page".into()
                            });
                        self.out.push(at(
                            Diagnostic::error(format!("there is no chart {id:?}")).help(hint)
                        ));
                    }
                    crate::markdown::RefKind::Target(id)
                        if !model.targets().any(|(_, t)| t.id == id) =>
                    {
                        self.out.push(at(Diagnostic::error(format!(
                            "the link names a figure {id:?} that does not exist"
                        ))
                        .help("use a target id from content/programmes/")));
                    }
                    crate::markdown::RefKind::Page(path) if !links.contains(&path) => {
                        self.out.push(at(Diagnostic::error(format!(
                            "the link /{path} leads to no page of the site"
                        ))
                        .help("link to a page that exists, e.g. /programmes/zhuhai/")));
                    }
                    crate::markdown::RefKind::Unsafe(url) => {
                        self.out.push(at(Diagnostic::warning(format!(
                            "the link {url:?} is not published: only http, https, mailto and links within the site are"
                        ))
                        .help("link to a web page with https://")));
                    }
                    crate::markdown::RefKind::ExternalImage(url) => {
                        self.out.push(at(Diagnostic::warning(format!(
                            "the image {url:?} is left out: pages load nothing from other sites"
                        ))
                        .help("put a copy of the image in the site and give its path, or link to it: [the map](https://...)")));
                    }
                    crate::markdown::RefKind::BadShortcode(text) => {
                        self.out.push(at(Diagnostic::error(format!(
                            "{text:?} is not a shortcode policydash knows"
                        ))
                        .help("write {{ chart(id=\"CHART-ID\") }}")));
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_slug("zhuhai-skilled-share-2025"));
        for bad in [
            "", "Zhuhai", "a b", "../x", "a/b", "-a", "a-", "a--b", "珠海",
        ] {
            assert!(!is_slug(bad), "{bad:?}");
        }
        assert_eq!(slugify("Zhuhai Target_1"), "zhuhai-target-1");
    }
}
