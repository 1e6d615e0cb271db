//! Provenance: every published number must be readable in the clause it is quoted from.
//!
//! Three rules, run by `check` (and so by `build`, `serve` and the Pages workflow):
//! - a figure's `value` (and `value_max`) appears in its own `quote`, once full-width digits,
//!   Chinese numerals, 万/萬 and 亿/億, percentages and thousands separators are read as
//!   numbers; otherwise the record must say how it was derived (`derivation:`);
//! - a commentary link `[40%](target:ID)` whose visible numbers do not include the figure's
//!   value is an error (a link without a number makes no claim);
//! - a quote's script matches what its source declares (`script: hant` for Traditional
//!   characters), so pages can mark it with the right language tag.
//!
//! A link to a figure that does not exist is reported by `validate` with the other broken links.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::SourceMap;
use crate::model::{Model, Script};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::collections::BTreeSet;

/// Runs every provenance rule over the model, adding to `found` (the other checks' findings);
/// `links` are the `target_links` of each commentary page, in the model's order. The
/// figures and quotes of the programmes `skip` marks are not checked (the preview knows they
/// pass); returns, by programme, whether its figures or quotes had a problem.
/// One mistake is reported once: a value that already has an error (400 as a percentage) is
/// not also reported as missing from its quote, and the commentary links to a figure whose
/// value is in doubt are not reported, since correcting the value settles them.
pub fn check(
    model: &Model,
    sources: &SourceMap,
    links: &[&[TargetLink]],
    skip: &[bool],
    found: &mut Diagnostics,
) -> Vec<bool> {
    let mut out = Diagnostics::new();
    let mut noisy = vec![false; model.programmes.len()];
    let in_doubt = figures(model, sources, found, skip, &mut noisy, &mut out);
    scripts(model, sources, skip, &mut noisy, &mut out);
    commentary(model, links, &in_doubt, &mut out);
    found.extend(out);
    noisy
}

/// The programmes to check, with their index.
fn checked<'a>(
    model: &'a Model,
    skip: &'a [bool],
) -> impl Iterator<Item = (usize, &'a crate::model::Programme)> {
    let skipped = |n: usize| skip.get(n).copied().unwrap_or(false);
    model
        .programmes
        .iter()
        .enumerate()
        .filter(move |(n, _)| !skipped(*n))
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(1.0)
}

/// Checks each value against its quote; returns the ids of figures whose value is in doubt.
fn figures(
    model: &Model,
    sources: &SourceMap,
    found: &Diagnostics,
    skip: &[bool],
    noisy: &mut [bool],
    out: &mut Diagnostics,
) -> BTreeSet<String> {
    let mut in_doubt = BTreeSet::new();
    let errors: Vec<_> = found
        .sorted()
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    let targets = checked(model, skip).flat_map(|(n, p)| p.targets.iter().map(move |t| (n, t)));
    for (n, t) in targets {
        if t.derivation.is_some() {
            continue;
        }
        let found = numbers_in(&t.quote);
        let checks = [("value", Some(t.value)), ("value_max", t.value_max)];
        for (field, value) in checks {
            let Some(v) = value else { continue };
            if found.iter().any(|n| same(*n, v)) {
                continue;
            }
            in_doubt.insert(t.id.clone());
            noisy[n] = true;
            let path = format!("{}.{field}", t.origin.path);
            let already = errors.iter().any(|d| {
                d.file.as_deref() == Some(t.origin.file.as_path())
                    && d.field.as_deref() == Some(path.as_str())
            });
            if already {
                continue;
            }
            let seen = if found.is_empty() {
                "no number".to_string()
            } else {
                found
                    .iter()
                    .map(|n| crate::model::plain_number(*n))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let d = Diagnostic::error(format!(
                "the {field} {} of {} is not in its quote (the quote gives {seen})",
                crate::model::plain_number(v),
                t.id
            ))
            .help(
                "correct the value to the number the quote states (9.2万 is 92000, 40% is 40); \
                 if the value was derived from the clause (an OCR repair, a sum), say how in \
                 `derivation: {en: \"...\", zh: \"...\"}`",
            );
            out.push(sources.diag(d, &t.origin.file, &path));
        }
    }
    in_doubt
}

fn scripts(
    model: &Model,
    sources: &SourceMap,
    skip: &[bool],
    noisy: &mut [bool],
    out: &mut Diagnostics,
) {
    for (n, p) in checked(model, skip) {
        let quotes = p
            .targets
            .iter()
            .map(|t| (&t.source, &t.quote, &t.origin))
            .chain(
                p.commitments
                    .iter()
                    .map(|c| (&c.source, &c.quote, &c.origin)),
            );
        for (source, quote, origin) in quotes {
            let Some(s) = p.source(source) else { continue };
            let traditional = Script::first_traditional(quote);
            let (msg, help) = match (s.script, traditional) {
                (Script::Hans, Some(c)) => (
                    format!("this quote is in Traditional characters ({c}) but its source {source:?} does not say so"),
                    format!("add `script: hant` to the source {source:?}, so pages mark its quotes lang=\"zh-Hant\""),
                ),
                (Script::Hant, None) if quote.chars().any(is_han) => (
                    format!("the source {source:?} says script: hant, but this quote has no Traditional-only character"),
                    "check the quote was copied from the document itself, or set script: hans".to_string(),
                ),
                _ => continue,
            };
            let d = Diagnostic::warning(msg).help(help);
            noisy[n] = true;
            out.push(sources.diag(d, &origin.file, &format!("{}.quote", origin.path)));
        }
    }
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The numbers a text states, as values: `9.2万` → 92000, `40%` → 40, `１０` → 10,
/// `10,000` → 10000, `五` → 5, `一百` → 100, `100萬` → 1000000, `2 million` → 2000000.
pub fn numbers_in(text: &str) -> Vec<f64> {
    let chars: Vec<char> = text.chars().map(half_width).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let mut s = String::new();
            while i < chars.len() {
                let c = chars[i];
                let decimal_point =
                    c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit());
                if c.is_ascii_digit() || decimal_point {
                    s.push(c);
                } else if c == ',' && thousands_group(&chars, i + 1) && !s.contains('.') {
                    // `10,000`: a comma followed by exactly three digits is a separator.
                } else {
                    break;
                }
                i += 1;
            }
            let Ok(mut v) = s.parse::<f64>() else {
                continue;
            };
            let (mult, used) = multiplier(&chars[i..]);
            v *= mult;
            i += used;
            out.push(v);
        } else if chinese_digit(c).is_some() || chinese_unit(c).is_some() {
            let start = i;
            while i < chars.len()
                && (chinese_digit(chars[i]).is_some() || chinese_unit(chars[i]).is_some())
            {
                i += 1;
            }
            out.extend(chinese_numbers(&chars[start..i]));
        } else {
            i += 1;
        }
    }
    out
}

fn half_width(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '，' => ',',
        '．' => '.',
        _ => c,
    }
}

fn thousands_group(chars: &[char], at: usize) -> bool {
    (0..3).all(|k| chars.get(at + k).is_some_and(|c| c.is_ascii_digit()))
        && !chars.get(at + 3).is_some_and(|c| c.is_ascii_digit())
}

/// The multiplier written after a number (`万`, `亿`, ` million`) and how many characters it
/// takes.
fn multiplier(rest: &[char]) -> (f64, usize) {
    match rest.first() {
        Some('万' | '萬') => {
            // `1万亿` is 10^12.
            if matches!(rest.get(1), Some('亿' | '億')) {
                (1e12, 2)
            } else {
                (1e4, 1)
            }
        }
        Some('亿' | '億') => (1e8, 1),
        Some('千') if !matches!(rest.get(1), Some('米' | '克' | '瓦')) => (1e3, 1),
        Some(' ') => {
            let word: String = rest[1..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            match word.as_str() {
                "million" => (1e6, 1 + word.len()),
                "billion" => (1e9, 1 + word.len()),
                "thousand" => (1e3, 1 + word.len()),
                _ => (1.0, 0),
            }
        }
        _ => (1.0, 0),
    }
}

fn chinese_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' | '兩' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn chinese_unit(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        '万' | '萬' => 10_000,
        '亿' | '億' => 100_000_000,
        _ => return None,
    })
}

/// A run of Chinese numerals → its numbers. `二〇二五` (digits only) is read digit by digit;
/// two digits with no unit between them (`十四五`) start a new number.
fn chinese_numbers(run: &[char]) -> Vec<f64> {
    if run.iter().all(|c| chinese_digit(*c).is_some()) {
        if run.len() == 1 {
            return vec![chinese_digit(run[0]).unwrap_or(0) as f64];
        }
        let s: String = run
            .iter()
            .map(|c| char::from(b'0' + chinese_digit(*c).unwrap_or(0) as u8))
            .collect();
        return s.parse().into_iter().collect();
    }
    let mut out = Vec::new();
    let (mut total, mut section, mut digit): (u64, u64, Option<u64>) = (0, 0, None);
    let mut any = false;
    let flush = |total: u64, section: u64, digit: Option<u64>, out: &mut Vec<f64>| {
        out.push((total + section + digit.unwrap_or(0)) as f64);
    };
    for &c in run {
        if let Some(d) = chinese_digit(c) {
            if let Some(prev) = digit {
                if prev != 0 {
                    flush(total, section, digit, &mut out);
                    total = 0;
                    section = 0;
                }
            }
            digit = Some(d);
            any = true;
        } else if let Some(u) = chinese_unit(c) {
            match u {
                10_000 | 100_000_000 => {
                    let part = section + digit.unwrap_or(0);
                    if part == 0 && total == 0 && !any {
                        // A bare 万 (万人) is a word, not a number.
                        digit = None;
                        continue;
                    }
                    total = (total + part.max(1)) * u;
                    section = 0;
                }
                _ => {
                    section += digit.unwrap_or(1) * u;
                    any = true;
                }
            }
            digit = None;
        }
    }
    if any {
        flush(total, section, digit, &mut out);
    }
    out
}

/// Every `[text](target:ID)` link of the commentary; its visible numbers must include the
/// figure's value (or upper value).
fn commentary(
    model: &Model,
    links: &[&[TargetLink]],
    in_doubt: &BTreeSet<String>,
    out: &mut Diagnostics,
) {
    for (c, links) in model.commentary.iter().zip(links) {
        for link in links.iter() {
            if in_doubt.contains(&link.id) {
                continue;
            }
            let Some((_, t)) = model.targets().find(|(_, t)| t.id == link.id) else {
                continue; // reported by validate
            };
            let found = numbers_in(&link.text);
            if found.is_empty()
                || found
                    .iter()
                    .any(|n| same(*n, t.value) || t.value_max.is_some_and(|m| same(*n, m)))
            {
                continue;
            }
            let value = match t.value_max {
                Some(max) => format!(
                    "{}–{}",
                    crate::model::plain_number(t.value),
                    crate::model::plain_number(max)
                ),
                None => crate::model::plain_number(t.value),
            };
            out.push(
                Diagnostic::error(format!(
                    "the link text {:?} disagrees with the figure {}: its value is {value}",
                    link.text, t.id
                ))
                .in_file(&c.origin.file)
                .at(c.body_line + link.line - 1, link.column)
                .help(format!(
                    "write the figure's value in the link text, or link to the figure it states ({} in content/programmes/)",
                    t.origin.file.display()
                )),
            );
        }
    }
}

/// A `target:` link in Markdown: its id, visible text and 1-based position in the body.
#[derive(Debug, PartialEq)]
pub struct TargetLink {
    pub id: String,
    pub text: String,
    pub line: usize,
    pub column: usize,
}

pub fn target_links(body: &str) -> Vec<TargetLink> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, String)> = None;
    let opts = pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_FOOTNOTES;
    for (event, range) in Parser::new_ext(body, opts).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(id) = dest_url.strip_prefix("target:") {
                    open = Some((id.to_string(), range.start, String::new()));
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = open.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some((id, start, text)) = open.take() {
                    let before = &body[..start];
                    out.push(TargetLink {
                        id,
                        text,
                        line: before.matches('\n').count() + 1,
                        column: before.rsplit('\n').next().unwrap_or("").chars().count() + 1,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Vec<f64> {
        numbers_in(s)
    }

    #[test]
    fn reads_the_ways_chinese_documents_write_numbers() {
        assert_eq!(
            n("到2025年,全市职业院校在校生规模达到9.2万人"),
            vec![2025.0, 92000.0]
        );
        assert_eq!(n("開展職業技能培訓20萬人次"), vec![200000.0]);
        assert_eq!(n("占比超过40%"), vec![40.0]);
        assert_eq!(n("占比超过４０％"), vec![40.0]);
        assert_eq!(n("10,000 persons"), vec![10000.0]);
        assert_eq!(n("１０，０００人"), vec![10000.0]);
        assert_eq!(n("分别达到4500人次、1500人次以上"), vec![4500.0, 1500.0]);
        assert_eq!(n("投资3亿元"), vec![3e8]);
        assert_eq!(n("每年开展一次技能大赛"), vec![1.0]);
        assert_eq!(n("构建“八级工”序列"), vec![8.0]);
        assert_eq!(n("培养一百二十名"), vec![120.0]);
        assert_eq!(n("两万人"), vec![20000.0]);
        assert_eq!(n("百萬技能人才"), vec![1_000_000.0]);
        assert_eq!(n("二〇二五年"), vec![2025.0]);
        assert_eq!(n("“十四五”末"), vec![14.0, 5.0]);
        assert_eq!(n("3至6个月"), vec![3.0, 6.0]);
        assert_eq!(n("about 2 million people"), vec![2e6]);
        assert_eq!(n("a clause, 40 and 1,5"), vec![40.0, 1.0, 5.0]);
        assert!(n("万人").is_empty());
    }

    #[test]
    fn finds_target_links_with_their_text_and_place() {
        let body = "Intro.\n\nZhuhai aims at [40%](target:zhuhai-a) and [**more** than 9.2万](target:b).\n";
        let links = target_links(body);
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].text, "40%");
        assert_eq!((links[0].line, links[0].column), (3, 16));
        assert_eq!(links[1].id, "b");
        assert_eq!(links[1].text, "more than 9.2万");
    }
}
