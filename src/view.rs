//! View models: what templates show, computed from the model. Formatting of numbers, units,
//! dates and comparability caveats lives here (logic); templates only lay it out.

use crate::model::*;
use crate::urls::{Page, Urls};
use serde::Serialize;

/// `92000` → `92,000` (en) or `9.2万` (zh); decimals kept only where the source has them.
/// Every number of 1,000 or more gets thousands separators (`1,234.5`).
pub fn number(v: f64, lang: Lang) -> String {
    if lang == Lang::Zh && v >= 10000.0 && (v / 100.0).fract() == 0.0 {
        return format!("{}万", trim_decimal(v / 10000.0));
    }
    let text = trim_decimal(v.abs());
    let (whole, decimals) = match text.split_once('.') {
        Some((w, d)) => (w, Some(d)),
        None => (text.as_str(), None),
    };
    let mut out = String::new();
    if v < 0.0 {
        out.push('-');
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(d) = decimals {
        out.push('.');
        out.push_str(d);
    }
    out
}

fn trim_decimal(v: f64) -> String {
    // Whole numbers (most figures) without formatting four decimals to take them off again;
    // -0 keeps its sign, as `{:.4}` writes it.
    if v.fract() == 0.0 && v.abs() < 1e15 && !(v == 0.0 && v.is_sign_negative()) {
        return (v as i64).to_string();
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// The unit as shown after a number.
pub fn unit_label(unit: Unit, lang: Lang, plural: bool) -> &'static str {
    use Unit::*;
    match lang {
        Lang::Zh => match unit {
            Percent => "%",
            Persons => "人",
            PersonTimes => "人次",
            Institutions => "所",
            Bases | Studios | Projects | Programmes | Courses => "个",
            Events => "场",
            Teams => "支",
            Enterprises => "家",
            Months => "个月",
            Grades => "级",
            Yuan => "元",
            Per10k => "人/每万人",
            Awards => "项",
            Rank => "名",
            Occupations => "个职业",
        },
        Lang::En => {
            let (one, many) = match unit {
                Percent => ("%", "%"),
                Persons => ("person", "persons"),
                PersonTimes => ("person-time", "person-times"),
                Institutions => ("institution", "institutions"),
                Bases => ("base", "bases"),
                Studios => ("studio", "studios"),
                Events => ("event", "events"),
                Teams => ("team", "teams"),
                Enterprises => ("enterprise", "enterprises"),
                Projects => ("project", "projects"),
                Programmes => ("programme", "programmes"),
                Courses => ("class", "classes"),
                Months => ("month", "months"),
                Grades => ("grade", "grades"),
                Yuan => ("yuan", "yuan"),
                Per10k => ("per 10,000", "per 10,000"),
                Awards => ("award", "awards"),
                Rank => ("place", "place"),
                Occupations => ("occupation", "occupations"),
            };
            if plural {
                many
            } else {
                one
            }
        }
    }
}

/// `40%`, `92,000 persons`, `3–6 months`, `9.2万人`: the figure without its comparator.
pub fn amount(value: f64, value_max: Option<f64>, unit: Unit, lang: Lang) -> String {
    let num = match value_max {
        Some(max) => format!("{}–{}", number(value, lang), number(max, lang)),
        None => number(value, lang),
    };
    if unit == Unit::Rank {
        return match lang {
            Lang::En => format!("no. {num}"),
            Lang::Zh => format!("第{num}名"),
        };
    }
    let plural = value_max.is_some() || value != 1.0;
    let label = unit_label(unit, lang, plural);
    if unit == Unit::Percent || lang == Lang::Zh {
        format!("{num}{label}")
    } else {
        format!("{num} {label}")
    }
}

/// A figure's amount with its metric's Chinese measure word, when the metric names one
/// (`50家` rather than the unit's default `50所`).
pub fn target_amount(t: &Target, lang: Lang) -> String {
    let text = amount(t.value, t.value_max, t.unit, lang);
    match (&t.measure_word, lang) {
        (Some(word), Lang::Zh) if t.unit != Unit::Rank => {
            let default = unit_label(t.unit, lang, true);
            match text.strip_suffix(default) {
                Some(num) => format!("{num}{word}"),
                None => text,
            }
        }
        _ => text,
    }
}

/// `Suqian, Jiangsu` in English; `江苏宿迁` in Chinese (province first, no comma); a place
/// that is its own province (Tianjin) is named once.
pub fn place_with_province(place: &Place, lang: Lang) -> String {
    let (name, province) = match lang {
        Lang::En => (&place.en, &place.province_en),
        Lang::Zh => (&place.zh, &place.province_zh),
    };
    if province.is_empty() || province == name {
        return name.clone();
    }
    match lang {
        Lang::En => format!("{name}, {province}"),
        Lang::Zh => format!("{province}{name}"),
    }
}

pub fn comparator_words(c: Comparator, lang: Lang) -> &'static str {
    match (c, lang) {
        (Comparator::AtLeast, Lang::En) => "at least",
        (Comparator::AtLeast, Lang::Zh) => "不低于",
        (Comparator::About, Lang::En) => "about",
        (Comparator::About, Lang::Zh) => "约",
        (Comparator::AtMost, Lang::En) => "at most",
        (Comparator::AtMost, Lang::Zh) => "最多",
        (Comparator::Exactly, _) => "",
    }
}

/// `by 2025`, `as of 2023-08`, `到2025年`, `截至2023年8月`.
pub fn date_label(t: &Target, lang: Lang) -> String {
    let Some(d) = t.date() else {
        return String::new();
    };
    let date = date_text(d, lang);
    match (t.kind, lang) {
        (FigureKind::Target, Lang::En) => format!("by {date}"),
        (FigureKind::Target, Lang::Zh) => format!("到{date}"),
        (FigureKind::Status, Lang::En) => format!("as of {date}"),
        (FigureKind::Status, Lang::Zh) => format!("截至{date}"),
    }
}

pub fn date_text(d: &PartialDate, lang: Lang) -> String {
    match lang {
        Lang::En => d.to_string(),
        Lang::Zh => {
            let mut s = format!("{}年", d.year);
            if let Some(m) = d.month {
                s.push_str(&format!("{m}月"));
            }
            if let Some(day) = d.day {
                s.push_str(&format!("{day}日"));
            }
            s
        }
    }
}

pub fn period_text(p: &Period, lang: Lang) -> String {
    format!("{}–{}", date_text(&p.start, lang), date_text(&p.end, lang))
}

#[derive(Serialize)]
pub struct Link {
    pub text: String,
    pub href: String,
}

/// One figure as every page shows it.
#[derive(Serialize)]
pub struct TargetView {
    pub id: String,
    pub anchor: String,
    pub permalink: String,
    pub label: String,
    pub value: f64,
    pub value_max: Option<f64>,
    pub amount: String,
    pub comparator: String,
    pub comparator_words: String,
    pub kind: &'static str,
    pub per: &'static str,
    pub date: String,
    pub tier: Option<u32>,
    pub metric: Link,
    pub metric_shared: bool,
    pub programme: Link,
    pub place: String,
    pub source: Link,
    pub quote: String,
    /// `zh-Hans` or `zh-Hant`: the script of the quote, for its `lang` attribute.
    pub quote_lang: &'static str,
    pub quote_en: String,
    pub note: Option<String>,
    /// How a value the quote does not state as written was read from it (OCR repair).
    pub derivation: Option<String>,
    /// Figure per 100,000 residents, derived, for counts of people where a population exists.
    pub per_100k: Option<String>,
    pub cite: String,
    pub progress: ProgressView,
}

/// A figure's progress as its badge shows it; labels come from the theme's strings
/// (`status_<id>`, `why_<reason>`).
#[derive(Serialize)]
pub struct ProgressView {
    pub status: &'static str,
    pub reason: &'static str,
    pub rule: &'static str,
    /// The latest observation, formatted, and its date (`as of 2024`, `截至2024年`).
    pub latest: Option<String>,
    pub latest_date: Option<String>,
    /// Actual ÷ needed progress, two decimals.
    pub ratio: Option<String>,
    /// What was needed by the latest observation's date.
    pub needed: Option<String>,
    pub observations: usize,
    /// Where the rule is explained (the method page's progress section).
    pub rule_href: String,
}

/// Where the progress rule is explained: the method page when the site has one, else About.
pub fn rule_href(model: &Model, urls: &Urls, lang: Lang) -> String {
    if model.commentary_for(lang).any(|c| c.key == "method") {
        format!(
            "{}#progress",
            urls.page(&Page::Commentary("method".into()), lang)
        )
    } else {
        urls.page(&Page::About, lang)
    }
}

/// A figure's progress; `rule_href` is `rule_href(model, urls, lang)`, found once for all the
/// figures of a page (it looks through every commentary).
fn progress_view(
    model: &Model,
    p: &Programme,
    t: &Target,
    lang: Lang,
    rule_href: &str,
) -> ProgressView {
    let pr = crate::progress::progress(model, p, t);
    let a = pr.assessment;
    ProgressView {
        status: a.status.id(),
        reason: a.reason.id(),
        rule: pr.rule.id(),
        latest: pr.latest().map(|o| amount(o.value, None, t.unit, lang)),
        latest_date: pr.latest().map(|o| match lang {
            Lang::En => format!("as of {}", date_text(&o.as_of, lang)),
            Lang::Zh => format!("截至{}", date_text(&o.as_of, lang)),
        }),
        ratio: a.ratio.map(|r| format!("{r:.2}")),
        needed: a
            .needed
            .map(|v| amount((v * 100.0).round() / 100.0, None, t.unit, lang)),
        observations: pr.observations.len(),
        rule_href: rule_href.to_string(),
    }
}

pub struct Ctx<'a> {
    pub model: &'a Model,
    pub urls: &'a Urls,
    pub lang: Lang,
}

/// The links figures share, each made once for a run of figures (`Ctx::targets_ruled`): the
/// sources page, and the programme and metric of the figure before, which the next figure
/// often has too (a programme's figures, a metric's). Making a link is most of a figure's cost.
struct Hrefs {
    sources: String,
    programme: Option<(String, String)>,
    metric: Option<(String, String)>,
}

impl Hrefs {
    fn new(urls: &Urls, lang: Lang) -> Hrefs {
        Hrefs {
            sources: urls.page(&Page::Sources, lang),
            programme: None,
            metric: None,
        }
    }

    /// The link for `id`, made by `make` unless the last one asked for was `id`'s.
    fn of(slot: &mut Option<(String, String)>, id: &str, make: impl FnOnce() -> String) -> String {
        match slot {
            Some((last, href)) if last == id => href.clone(),
            _ => slot.insert((id.to_string(), make())).1.clone(),
        }
    }
}

impl Ctx<'_> {
    pub fn target(&self, p: &Programme, t: &Target) -> TargetView {
        let rule_href = rule_href(self.model, self.urls, self.lang);
        self.figure(p, t, &rule_href, &mut Hrefs::new(self.urls, self.lang))
    }

    /// Many figures, as `target` shows each, with `rule_href(model, urls, lang)` (it looks
    /// through every commentary: a caller rendering many pages finds it once).
    pub fn targets_ruled<'m>(
        &self,
        figures: impl IntoIterator<Item = (&'m Programme, &'m Target)>,
        rule_href: &str,
    ) -> Vec<TargetView> {
        let mut hrefs = Hrefs::new(self.urls, self.lang);
        figures
            .into_iter()
            .map(|(p, t)| self.figure(p, t, rule_href, &mut hrefs))
            .collect()
    }

    fn figure(&self, p: &Programme, t: &Target, rule_href: &str, hrefs: &mut Hrefs) -> TargetView {
        let (model, urls, lang) = (self.model, self.urls, self.lang);
        let metric = model.metric(&t.metric);
        let metric_shared = model.metric_is_shared(&t.metric);
        let metric_href = Hrefs::of(&mut hrefs.metric, &t.metric, || {
            if metric_shared {
                urls.page(&Page::Metric(t.metric.clone()), lang)
            } else {
                urls.page(&Page::MetricIndex, lang) + "#m-" + &t.metric
            }
        });
        let programme_href = Hrefs::of(&mut hrefs.programme, &p.id, || {
            urls.page(&Page::Programme(p.id.clone()), lang)
        });
        let source = p.source(&t.source);
        let permalink = format!("{programme_href}#t-{}", t.id);
        let per_100k = per_100k(model, p, t);
        let amount = target_amount(t, lang);
        let date = date_label(t, lang);
        let source_title = source
            .map(|s| s.title.get(lang).to_string())
            .unwrap_or_default();
        let cite = match lang {
            Lang::En => format!(
                "{place}, {label}: {cmp}{amount} ({date}). Source: {source_title}. Via policydash, {url}",
                place = p.place.en,
                label = t.label.en,
                cmp = comparator_prefix(t.comparator),
                url = urls.absolute(&permalink[urls.prefix().len()..]),
            ),
            Lang::Zh => format!(
                "{place}，{label}：{cmp}{amount}（{date}）。来源：{source_title}。引自 policydash，{url}",
                place = p.place.zh,
                label = t.label.zh,
                cmp = comparator_prefix(t.comparator),
                url = urls.absolute(&permalink[urls.prefix().len()..]),
            ),
        };
        TargetView {
            id: t.id.clone(),
            anchor: format!("t-{}", t.id),
            permalink,
            label: t.label.get(lang).to_string(),
            value: t.value,
            value_max: t.value_max,
            amount,
            comparator: if t.comparator == Comparator::Exactly {
                String::new()
            } else {
                t.comparator.symbol().to_string()
            },
            comparator_words: comparator_words(t.comparator, lang).to_string(),
            kind: match t.kind {
                FigureKind::Target => "target",
                FigureKind::Status => "status",
            },
            per: match t.per {
                Per::Total => "total",
                Per::Year => "year",
            },
            date,
            tier: t.tier,
            metric: Link {
                text: metric
                    .map(|m| m.name.get(lang).to_string())
                    .unwrap_or_default(),
                href: metric_href,
            },
            metric_shared,
            programme: Link {
                text: p.title.get(lang).to_string(),
                href: programme_href,
            },
            place: p.place.name(lang).to_string(),
            source: Link {
                text: source_title,
                href: format!("{}#s-{}", hrefs.sources, t.source),
            },
            quote: t.quote.clone(),
            quote_lang: t.script.tag(),
            quote_en: t.quote_en.clone(),
            note: t.note.as_ref().map(|n| n.get(lang).to_string()),
            derivation: t.derivation.as_ref().map(|n| n.get(lang).to_string()),
            per_100k,
            cite,
            progress: progress_view(model, p, t, lang, rule_href),
        }
    }
}

fn comparator_prefix(c: Comparator) -> String {
    if c == Comparator::Exactly {
        String::new()
    } else {
        format!("{} ", c.symbol())
    }
}

/// Derived figure: value per 100,000 residents, only for counts of people in a place with a
/// population figure. Per-year and total stay as they are (the label says which).
pub fn per_100k_value(model: &Model, p: &Programme, t: &Target) -> Option<f64> {
    if !t.unit.counts_people() {
        return None;
    }
    let pop = model.population(&p.id)?;
    Some(t.value_max.unwrap_or(t.value) / pop.value * 100_000.0)
}

fn per_100k(model: &Model, p: &Programme, t: &Target) -> Option<String> {
    let v = per_100k_value(model, p, t)?;
    let rounded = if v >= 100.0 {
        v.round()
    } else {
        (v * 10.0).round() / 10.0
    };
    Some(number(rounded, Lang::En))
}

/// Why the figures of one metric may not be comparable, derived from the data.
#[derive(Serialize, Debug, PartialEq)]
pub struct Caveat {
    pub code: &'static str,
    pub detail: String,
}

/// Between items of an inline list: `a, b` in English, `a、b` in Chinese.
pub fn list_separator(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ", ",
        Lang::Zh => "、",
    }
}

pub fn caveats(model: &Model, metric: &Metric, lang: Lang) -> Vec<Caveat> {
    let rows: Vec<(&Programme, &Target)> = model.targets_of_metric(&metric.id).collect();
    let mut out = Vec::new();
    let distinct = |f: &dyn Fn(&Target) -> String| {
        let mut v: Vec<String> = rows.iter().map(|(_, t)| f(t)).collect();
        v.sort();
        v.dedup();
        v
    };
    if distinct(&|t| format!("{:?}", t.per)).len() > 1 {
        out.push(Caveat {
            code: "mixed_per",
            detail: String::new(),
        });
    }
    if distinct(&|t| format!("{:?}", t.kind)).len() > 1 {
        out.push(Caveat {
            code: "mixed_kind",
            detail: String::new(),
        });
    }
    let dates = distinct(&|t| t.date().map(|d| date_text(d, lang)).unwrap_or_default());
    if dates.len() > 1 {
        out.push(Caveat {
            code: "mixed_dates",
            detail: dates.join(list_separator(lang)),
        });
    }
    let mut periods: Vec<String> = rows
        .iter()
        .map(|(p, _)| period_text(&p.period, lang))
        .collect();
    periods.sort();
    periods.dedup();
    if periods.len() > 1 {
        out.push(Caveat {
            code: "mixed_periods",
            detail: periods.join(if lang == Lang::Zh { "；" } else { "; " }),
        });
    }
    if distinct(&|t| format!("{:?}", t.unit)).len() > 1 {
        out.push(Caveat {
            code: "mixed_units",
            detail: String::new(),
        });
    }
    if distinct(&|t| format!("{:?}", t.comparator)).len() > 1 {
        out.push(Caveat {
            code: "mixed_comparators",
            detail: String::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_both_languages() {
        assert_eq!(number(92000.0, Lang::En), "92,000");
        assert_eq!(number(92000.0, Lang::Zh), "9.2万");
        assert_eq!(number(1_000_000.0, Lang::Zh), "100万");
        assert_eq!(number(13_866_009.0, Lang::Zh), "13,866,009");
        assert_eq!(number(31.6, Lang::En), "31.6");
        assert_eq!(number(900.0, Lang::En), "900");
        assert_eq!(number(20055.0, Lang::En), "20,055");
        assert_eq!(number(1234.5, Lang::En), "1,234.5");
        assert_eq!(number(1000.0, Lang::Zh), "1,000");
        assert_eq!(number(12345.0, Lang::Zh), "12,345");
        // Whole numbers take a shorter way than decimals: the same text either way.
        for v in [
            0.0,
            -0.0,
            7.0,
            -1500.0,
            0.5,
            2.25,
            1e14,
            123_456_789.0,
            0.00004,
            99.99999,
        ] {
            let slow = format!("{v:.4}");
            let slow = slow.trim_end_matches('0').trim_end_matches('.');
            assert_eq!(trim_decimal(v), slow, "{v}");
        }
    }

    #[test]
    fn amounts_with_units_and_ranges() {
        assert_eq!(amount(40.0, None, Unit::Percent, Lang::En), "40%");
        assert_eq!(amount(3.0, Some(6.0), Unit::Months, Lang::En), "3–6 months");
        assert_eq!(amount(3.0, Some(6.0), Unit::Months, Lang::Zh), "3–6个月");
        assert_eq!(amount(1.0, None, Unit::Persons, Lang::En), "1 person");
        assert_eq!(amount(530000.0, None, Unit::Persons, Lang::Zh), "53万人");
    }
}
