//! Titles and descriptions generated from the data. The description is what a screen reader
//! announces for the chart (`<desc>`), so it states every number the chart shows.

use super::made::{self, Fig};
use super::programme::count_words;
use super::timeline::dated_counts;
use super::words::{self, w, W};
use crate::model::*;
use crate::view;

pub fn metric_title(m: Option<&Metric>, lang: Lang) -> String {
    let name = m.map(|m| m.name.get(lang)).unwrap_or_default();
    match lang {
        Lang::En => format!("{name}: the programmes side by side"),
        Lang::Zh => format!("{name}：各地并列比较"),
    }
}

pub fn programme_title(p: &Programme, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{}: figures by category", p.place.en),
        Lang::Zh => format!("{}：各类别数字", p.place.zh),
    }
}

pub fn timeline_title(lang: Lang) -> String {
    match lang {
        Lang::En => "Programme periods and when their figures fall due".into(),
        Lang::Zh => "各计划期限与数字时间".into(),
    }
}

pub fn tiers_title(lang: Lang) -> String {
    match lang {
        Lang::En => "Craftsman honour tiers, rung by rung (log scale)".into(),
        Lang::Zh => "工匠梯队逐级比较（对数坐标）".into(),
    }
}

pub fn tier_name(tier: u32, lang: Lang) -> String {
    let n = view::number(tier as f64, Lang::En);
    match (words::tier_numeral(tier), lang) {
        (Some(c), Lang::En) => format!("{} {n} ({c})", w(W::Tier, lang)),
        (Some(c), Lang::Zh) => format!("“{c}”{}（{n}）", w(W::Tier, lang)),
        (None, Lang::En) => format!("{} {n}", w(W::Tier, lang)),
        (None, Lang::Zh) => format!("{}{n}", w(W::Tier, lang)),
    }
}

/// A figure in running text: `at least 1,500 persons a year by 2024`, `到2024年每年不低于1,500人`.
pub fn phrase(t: &Target, lang: Lang) -> String {
    amount_phrase(t, &view::target_amount(t, lang), lang)
}

fn amount_phrase(t: &Target, amount: &str, lang: Lang) -> String {
    let date = view::date_label(t, lang);
    let cmp = view::comparator_words(t.comparator, lang);
    match (lang, t.kind) {
        (Lang::En, FigureKind::Target) => {
            let mut s = String::new();
            if !cmp.is_empty() {
                s.push_str(cmp);
                s.push(' ');
            }
            s.push_str(amount);
            if t.per == Per::Year {
                s.push_str(" a year");
            }
            if !date.is_empty() {
                s.push(' ');
                s.push_str(&date);
            }
            s
        }
        (Lang::En, FigureKind::Status) => {
            // A current figure keeps its comparator too: 突破53万 is "at least 530,000".
            let amount = if cmp.is_empty() {
                amount.to_string()
            } else {
                format!("{cmp} {amount}")
            };
            if date.is_empty() {
                amount
            } else {
                format!("{amount} {date}")
            }
        }
        (Lang::Zh, FigureKind::Target) => {
            let per = if t.per == Per::Year { "每年" } else { "" };
            let cmp = if cmp.is_empty() { "达到" } else { cmp };
            format!("{date}{per}{cmp}{amount}")
        }
        (Lang::Zh, FigureKind::Status) => {
            let cmp = if cmp.is_empty() { "为" } else { cmp };
            format!("{date}{cmp}{amount}")
        }
    }
}

fn with_label(phrase: String, t: &Target, add: bool, lang: Lang) -> String {
    if !add {
        return phrase;
    }
    match lang {
        Lang::En => format!("{phrase} ({})", t.label.en),
        Lang::Zh => format!("{}{phrase}", t.label.zh),
    }
}

fn end_sentence(mut s: String, lang: Lang) -> String {
    s.push_str(match lang {
        Lang::En => ".",
        Lang::Zh => "。",
    });
    s
}

/// "Zhuhai aims for 40% by 2025; Tianjin for at least 40% by 2025."
fn programme_clauses(figs: &[Fig], lang: Lang, text: &dyn Fn(&Fig) -> String) -> String {
    let mut order: Vec<&Programme> = Vec::new();
    for f in figs {
        if !order.iter().any(|p| p.id == f.p.id) {
            order.push(f.p);
        }
    }
    let mut clauses = Vec::new();
    let mut previous_aims = false;
    for p in order {
        let mine: Vec<&Fig> = figs.iter().filter(|f| f.p.id == p.id).collect();
        let several = mine.len() > 1;
        let join = |kind: FigureKind| -> Vec<String> {
            mine.iter()
                .filter(|f| f.t.kind == kind)
                .map(|f| with_label(text(f), f.t, several, lang))
                .collect()
        };
        let targets = join(FigureKind::Target);
        let status = join(FigureKind::Status);
        let place = p.place.name(lang);
        let clause = match lang {
            Lang::En => {
                let and = |v: &[String]| v.join(" and ");
                match (status.is_empty(), targets.is_empty()) {
                    (true, false) if previous_aims => format!("{place} for {}", and(&targets)),
                    (true, false) => format!("{place} aims for {}", and(&targets)),
                    (false, true) => format!("{place} reports {}", and(&status)),
                    _ => format!(
                        "{place} reports {} and aims for {}",
                        and(&status),
                        and(&targets)
                    ),
                }
            }
            Lang::Zh => {
                let all: Vec<String> = status.into_iter().chain(targets.clone()).collect();
                format!("{place}{}", all.join("，"))
            }
        };
        previous_aims = lang == Lang::En && !targets.is_empty() && !clause.contains(" reports ");
        clauses.push(clause);
    }
    clauses.join(words::clause_sep(lang))
}

pub fn metric_desc(model: &Model, figs: &[Fig], per_100k: bool, log: bool, lang: Lang) -> String {
    let mut out = end_sentence(programme_clauses(figs, lang, &|f| phrase(f.t, lang)), lang);
    if per_100k {
        let with: Vec<String> = figs
            .iter()
            .filter_map(|f| {
                let v = f.per_100k(model)?;
                let n = made::per_100k_number(v, lang);
                let several = figs.iter().filter(|g| g.p.id == f.p.id).count() > 1;
                let phrase = with_label(amount_phrase(f.t, &n, lang), f.t, several, lang);
                Some(match lang {
                    Lang::En => format!("{} {phrase}", f.p.place.en),
                    Lang::Zh => format!("{}{phrase}", f.p.place.zh),
                })
            })
            .collect();
        let missing = figs
            .iter()
            .filter(|f| f.per_100k(model).is_none())
            .map(|f| f.p.place.name(lang))
            .fold(Vec::<&str>::new(), |mut v, p| {
                if !v.contains(&p) {
                    v.push(p);
                }
                v
            });
        if lang == Lang::En {
            out.push(' '); // Chinese sentences follow each other without a space
        }
        out.push_str(&match lang {
            Lang::En => format!("Per 100,000 residents (derived): {}.", with.join("; ")),
            Lang::Zh => format!("每10万常住人口（推算）：{}。", with.join("；")),
        });
        if !missing.is_empty() {
            out.push_str(&match lang {
                Lang::En => format!(" No population figure for {}.", missing.join(", ")),
                Lang::Zh => format!("{}无人口数字。", missing.join("、")),
            });
        }
    }
    if log {
        out.push_str(match lang {
            Lang::En => " Drawn on a log scale.",
            Lang::Zh => "图表使用对数坐标。",
        });
    }
    out.trim().to_string()
}

pub fn programme_desc(p: &Programme, counts: &[(Category, usize, usize)], lang: Lang) -> String {
    let targets: usize = counts.iter().map(|c| c.1).sum();
    let status: usize = counts.iter().map(|c| c.2).sum();
    let parts: Vec<String> = counts
        .iter()
        .map(|(c, t, s)| {
            let colon = if lang == Lang::Zh { "：" } else { ": " };
            format!(
                "{}{colon}{}",
                words::category(*c, lang),
                count_words(*t, *s, lang)
            )
        })
        .collect();
    match lang {
        Lang::En => format!(
            "{}: {} in {} categor{}. {}.",
            p.place.en,
            count_words(targets, status, lang),
            counts.len(),
            if counts.len() == 1 { "y" } else { "ies" },
            parts.join("; ")
        ),
        Lang::Zh => format!(
            "{}：{}，分属{}个类别。{}。",
            p.place.zh,
            count_words(targets, status, lang),
            counts.len(),
            parts.join("；")
        ),
    }
}

pub fn timeline_desc(model: &Model, lang: Lang) -> String {
    let clauses: Vec<String> = model
        .programmes
        .iter()
        .map(|p| {
            let period = view::period_text(&p.period, lang);
            let parts: Vec<String> = dated_counts(p)
                .into_iter()
                .map(|(kind, d, n)| {
                    let date = d.map(|d| view::date_text(&d, lang)).unwrap_or_default();
                    match (lang, kind) {
                        (Lang::En, FigureKind::Target) => {
                            format!("{n} target{} due by {date}", if n == 1 { "" } else { "s" })
                        }
                        (Lang::En, FigureKind::Status) => format!(
                            "{n} current figure{} as of {date}",
                            if n == 1 { "" } else { "s" }
                        ),
                        (Lang::Zh, FigureKind::Target) => format!("到{date}到期目标{n}项"),
                        (Lang::Zh, FigureKind::Status) => format!("截至{date}现状数字{n}项"),
                    }
                })
                .collect();
            match lang {
                Lang::En => format!("{} runs {period}, with {}", p.place.en, parts.join(", ")),
                Lang::Zh => format!("{}：{period}，{}", p.place.zh, parts.join("，")),
            }
        })
        .collect();
    end_sentence(clauses.join(words::clause_sep(lang)), lang)
}

pub fn tiers_desc(figs: &[Fig], lang: Lang) -> String {
    let mut sentences = Vec::new();
    let mut i = 0;
    while i < figs.len() {
        let tier = figs[i].t.tier;
        let rung: Vec<&Fig> = figs[i..].iter().take_while(|f| f.t.tier == tier).collect();
        i += rung.len();
        let items: Vec<String> = rung
            .iter()
            .map(|f| match lang {
                Lang::En => format!("{}, {}: {}", f.p.place.en, f.t.label.en, phrase(f.t, lang)),
                Lang::Zh => format!("{}，{}：{}", f.p.place.zh, f.t.label.zh, phrase(f.t, lang)),
            })
            .collect();
        let name = tier_name(tier.unwrap_or(0), lang);
        sentences.push(match lang {
            Lang::En => format!("{name}: {}.", items.join("; ")),
            Lang::Zh => format!("{name}：{}。", items.join("；")),
        });
    }
    let mut out = sentences.join(if lang == Lang::En { " " } else { "" });
    out.push_str(if lang == Lang::En { " " } else { "" });
    out.push_str(&tiers_note(figs, lang));
    out.push_str(match lang {
        Lang::En => " Drawn on a log scale.",
        Lang::Zh => "图表使用对数坐标。",
    });
    out
}

/// What each ladder's figures are: per year, or totals over the programme's period.
pub fn tiers_note(figs: &[Fig], lang: Lang) -> String {
    let mut order: Vec<&Programme> = Vec::new();
    for f in figs {
        if !order.iter().any(|p| p.id == f.p.id) {
            order.push(f.p);
        }
    }
    let parts: Vec<String> = order
        .iter()
        .map(|p| {
            let pers: Vec<Per> = figs
                .iter()
                .filter(|f| f.p.id == p.id)
                .map(|f| f.t.per)
                .collect();
            let period = view::period_text(&p.period, lang);
            let what = match (
                pers.iter().all(|x| *x == Per::Year),
                pers.iter().all(|x| *x == Per::Total),
                lang,
            ) {
                (true, _, Lang::En) => "figures per year".to_string(),
                (true, _, Lang::Zh) => "每年数字".to_string(),
                (_, true, Lang::En) => format!("totals for {period}"),
                (_, true, Lang::Zh) => format!("{period}总量"),
                (_, _, Lang::En) => "per-year figures and totals".to_string(),
                (_, _, Lang::Zh) => "每年数字与总量".to_string(),
            };
            match lang {
                Lang::En => format!("{}: {what}", p.place.en),
                Lang::Zh => format!("{}：{what}", p.place.zh),
            }
        })
        .collect();
    end_sentence(parts.join(words::clause_sep(lang)), lang)
}
