//! `progress-<target>`: one figure of one place over time, for every target with observations:
//! the observed series (circles joined by a line), the path needed from the baseline to the
//! target (dashed), and the target at its deadline (a diamond). The status is in the title and
//! the description; the table beside it gives each date's observed and needed values. Only the
//! place's own numbers are drawn: never another place's figure.

use super::draw::Svg;
use super::made::{Cell, Cite, Made, Table};
use crate::downloads;
use crate::model::*;
use crate::progress::{self, status::Rule, status::Status};
use crate::urls::{Page, Urls};
use crate::view;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

const HEIGHT: u32 = 300;
const INK: RGBColor = RGBColor(0x1b, 0x1b, 0x1b);
const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const OBSERVED: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const TARGET: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

/// The status as the chart's words say it.
pub fn status_label(s: Status, lang: Lang) -> &'static str {
    match lang {
        Lang::En => match s {
            Status::Achieved => "achieved",
            Status::OnTrack => "on track",
            Status::Moderate => "moderate progress",
            Status::Limited => "limited progress",
            Status::MovingAway => "moving away",
            Status::Missed => "missed",
            Status::NotAssessed => "not assessed",
        },
        Lang::Zh => match s {
            Status::Achieved => "已实现",
            Status::OnTrack => "进展顺利",
            Status::Moderate => "进展一般",
            Status::Limited => "进展有限",
            Status::MovingAway => "倒退",
            Status::Missed => "未实现",
            Status::NotAssessed => "无法评估",
        },
    }
}

/// The figures that get a progress chart: every target with observations.
pub fn charted(model: &Model) -> Vec<(&Programme, &Target)> {
    model
        .targets()
        .filter(|(_, t)| t.kind == FigureKind::Target && !t.progress.is_empty())
        .collect()
}

/// One point of the chart: a day and a value.
#[derive(Clone, Copy)]
struct Pt {
    day: i64,
    value: f64,
}

fn day(d: &PartialDate) -> i64 {
    progress::status::day_number(d.end())
}

/// The needed path: where it starts and where it ends (a flat line for a quota).
fn needed_path(p: &Programme, t: &Target, pr: &progress::Progress) -> Option<(Pt, Pt)> {
    let deadline = day(t.deadline.as_ref().unwrap_or(&p.period.end));
    let start = progress::status::day_number(p.period.start.start()) - 1;
    match pr.rule {
        Rule::Level => {
            let (d, v) = pr.baseline.clone().or_else(|| {
                let first = pr.observations.first()?;
                Some((first.as_of.clone(), first.value))
            })?;
            Some((
                Pt {
                    day: day(&d),
                    value: v,
                },
                Pt {
                    day: deadline,
                    value: t.value,
                },
            ))
        }
        Rule::Count => Some((
            Pt {
                day: start,
                value: 0.0,
            },
            Pt {
                day: deadline,
                value: t.value,
            },
        )),
        Rule::Quota => Some((
            Pt {
                day: start,
                value: t.value,
            },
            Pt {
                day: deadline,
                value: t.value,
            },
        )),
    }
}

/// The needed value on the path at `d`.
fn needed_at(path: Option<(Pt, Pt)>, d: i64) -> Option<f64> {
    let (a, b) = path?;
    if b.day <= a.day || d < a.day {
        return None;
    }
    let share = ((d - a.day) as f64 / (b.day - a.day) as f64).min(1.0);
    Some(a.value + (b.value - a.value) * share)
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

pub fn make(model: &Model, urls: &Urls, target_id: &str, lang: Lang) -> Made {
    let Some((p, t)) = model.targets().find(|(_, t)| t.id == target_id) else {
        return empty(target_id);
    };
    let pr = progress::progress(model, p, t);
    let status = pr.status();
    let path = needed_path(p, t, &pr);
    let deadline = t.deadline.as_ref().unwrap_or(&p.period.end);
    let amount = |v: f64| view::amount(round2(v), None, t.unit, lang);
    let colon = if lang == Lang::Zh { "：" } else { ": " };
    let title = match lang {
        Lang::En => format!(
            "{}{colon}{} — {}",
            p.place.en,
            t.label.en,
            status_label(status, lang)
        ),
        Lang::Zh => format!(
            "{}{colon}{}——{}",
            p.place.zh,
            t.label.zh,
            status_label(status, lang)
        ),
    };
    let observed: Vec<String> = pr
        .observations
        .iter()
        .map(|o| match lang {
            Lang::En => format!("{} ({})", amount(o.value), o.as_of),
            Lang::Zh => format!("{}（{}）", amount(o.value), view::date_text(&o.as_of, lang)),
        })
        .collect();
    let target_text = format!(
        "{}{}",
        view::comparator_words(t.comparator, lang),
        if lang == Lang::En && t.comparator != Comparator::Exactly {
            format!(" {}", amount(t.value))
        } else {
            amount(t.value)
        }
    );
    let ratio = pr.assessment.ratio.map(|r| format!("{r:.2}"));
    let desc = match lang {
        Lang::En => format!(
            "{}: observed {}. Target: {} by {}. Status: {}{}. The dashed line is the path needed {}.",
            p.place.en,
            observed.join(", "),
            target_text,
            deadline,
            status_label(status, lang),
            ratio
                .map(|r| format!(" (actual ÷ needed progress {r})"))
                .unwrap_or_default(),
            match pr.rule {
                Rule::Level => "on a straight line from the baseline to the target",
                Rule::Count => "from zero at the start of the period to the target",
                Rule::Quota => "each year (the yearly quota)",
            }
        ),
        Lang::Zh => format!(
            "{}：观测值为{}。目标：到{}{}。状态：{}{}。虚线为{}。",
            p.place.zh,
            observed.join("、"),
            view::date_text(deadline, lang),
            target_text,
            status_label(status, lang),
            ratio
                .map(|r| format!("（实际进展÷所需进展为{r}）"))
                .unwrap_or_default(),
            match pr.rule {
                Rule::Level => "从基准值到目标值的直线路径",
                Rule::Count => "从期初的零到目标值的路径",
                Rule::Quota => "每年应完成的年度指标",
            }
        ),
    };
    let words = |en: &'static str, zh: &'static str| if lang == Lang::En { en } else { zh };
    let mut rows: Vec<Vec<Cell>> = pr
        .observations
        .iter()
        .map(|o| {
            let needed = needed_at(path, day(&o.as_of));
            vec![
                Cell {
                    text: view::date_text(&o.as_of, lang),
                    header: true,
                    ..Cell::default()
                },
                num(amount(o.value), "observed", o.value),
                match needed {
                    Some(v) => num(amount(v), "needed", round2(v)),
                    None => Cell {
                        text: "—".into(),
                        ..Cell::default()
                    },
                },
            ]
        })
        .collect();
    rows.push(vec![
        Cell {
            text: format!(
                "{} ({})",
                view::date_text(deadline, lang),
                words("target", "目标")
            ),
            header: true,
            ..Cell::default()
        },
        Cell {
            text: "—".into(),
            ..Cell::default()
        },
        num(amount(t.value), "target", t.value),
    ]);
    let table = Table {
        head: vec![
            words("Date", "日期").to_string(),
            words("Observed", "观测值").to_string(),
            words("Needed by then", "届时应达到").to_string(),
        ],
        rows,
    };
    let mut sources: Vec<Cite> = Vec::new();
    for id in std::iter::once(&t.source).chain(pr.observations.iter().map(|o| &o.source)) {
        if let Some(s) = p.source(id) {
            let href = format!("{}#s-{}", urls.page(&Page::Sources, lang), s.id);
            if !sources.iter().any(|c| c.href == href) {
                sources.push(Cite {
                    text: s.title.get(lang).to_string(),
                    href,
                });
            }
        }
    }
    let points: Vec<Pt> = pr
        .observations
        .iter()
        .map(|o| Pt {
            day: day(&o.as_of),
            value: o.value,
        })
        .collect();
    let goal = Pt {
        day: day(deadline),
        value: t.value,
    };
    let legend = [
        words("Observed", "观测值"),
        words("Needed path", "所需路径"),
        words("Target", "目标"),
    ];
    let pct = if t.unit == Unit::Percent { "%" } else { "" };
    let fmt = |v: f64| format!("{}{pct}", view::number(v, lang));
    Made {
        title,
        desc,
        svg: draw(&points, path, goal, &legend, &fmt, super::draw::WIDTH),
        narrow: Some(draw(
            &points,
            path,
            goal,
            &legend,
            &fmt,
            super::draw::NARROW,
        )),
        table,
        sources,
    }
}

fn num(text: String, key: &'static str, v: f64) -> Cell {
    Cell {
        text,
        key,
        value: Some(v),
        num: true,
        ..Cell::default()
    }
}

fn empty(id: &str) -> Made {
    let blank = || Svg {
        body: String::new(),
        width: super::draw::WIDTH,
        height: 40,
        fluid: false,
    };
    Made {
        title: id.to_string(),
        desc: id.to_string(),
        svg: blank(),
        narrow: Some(blank()),
        table: Table {
            head: Vec::new(),
            rows: Vec::new(),
        },
        sources: Vec::new(),
    }
}

/// About five round steps from 0 (or below) to `hi`.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 6.0)
        .unwrap_or(mag * 10.0);
    let mut v = (lo / step).floor() * step;
    let mut out = Vec::new();
    while v <= hi + step * 0.5 {
        out.push(v);
        v += step;
    }
    out
}

fn draw(
    points: &[Pt],
    path: Option<(Pt, Pt)>,
    goal: Pt,
    legend: &[&str; 3],
    fmt: &dyn Fn(f64) -> String,
    width: u32,
) -> Svg {
    let mut all: Vec<Pt> = points.to_vec();
    all.push(goal);
    if let Some((a, b)) = path {
        all.extend([a, b]);
    }
    let d0 = all.iter().map(|p| p.day).min().unwrap_or(0);
    let d1 = all.iter().map(|p| p.day).max().unwrap_or(1).max(d0 + 1);
    let vmax = all.iter().map(|p| p.value).fold(0.0, f64::max);
    let vmin = all.iter().map(|p| p.value).fold(0.0, f64::min);
    let yt = ticks(vmin, vmax * 1.05);
    let (y_lo, y_hi) = (*yt.first().unwrap_or(&0.0), *yt.last().unwrap_or(&1.0));
    let (left, right, top, bottom) = (64, width as i32 - 20, 16, HEIGHT as i32 - 64);
    let x = |d: i64| left + ((d - d0) as f64 / (d1 - d0) as f64 * (right - left) as f64) as i32;
    let y = |v: f64| {
        bottom - ((v - y_lo) / (y_hi - y_lo).max(1e-9) * (bottom - top) as f64).round() as i32
    };
    let mut buf = String::new();
    {
        let area = SVGBackend::with_string(&mut buf, (width, HEIGHT)).into_drawing_area();
        let _ = area.fill(&WHITE);
        let text = |s: &str, at: (i32, i32), h: HPos, c: &RGBColor| {
            let style = TextStyle::from(("sans-serif", 12.0 * 1.24).into_font())
                .color(c)
                .pos(Pos::new(h, VPos::Center));
            let _ = area.draw(&plotters::element::Text::new(s.to_string(), at, style));
        };
        for v in &yt {
            let _ = area.draw(&PathElement::new(
                vec![(left, y(*v)), (right, y(*v))],
                GRID.stroke_width(1),
            ));
            text(&fmt(*v), (left - 6, y(*v)), HPos::Right, &MUTED);
        }
        // Years along the bottom: each year's end, thinned to fit.
        let (y0, y1) = (
            crate::load::civil_from_days(d0).0,
            crate::load::civil_from_days(d1).0,
        );
        let years: Vec<i32> = (y0..=y1).collect();
        let every = ((years.len() as i32 * 44) / (right - left).max(1) + 1) as usize;
        for (i, yr) in years.iter().enumerate() {
            let d = progress::status::day_number((*yr, 12, 31));
            if d < d0 || d > d1 || i % every != 0 {
                continue;
            }
            let _ = area.draw(&PathElement::new(
                vec![(x(d), bottom), (x(d), bottom + 4)],
                MUTED.stroke_width(1),
            ));
            text(&format!("{yr}"), (x(d), bottom + 14), HPos::Center, &MUTED);
        }
        let _ = area.draw(&PathElement::new(
            vec![(left, bottom), (right, bottom)],
            MUTED.stroke_width(1),
        ));
        if let Some((a, b)) = path {
            let _ = area.draw(&plotters::element::DashedPathElement::new(
                vec![(x(a.day), y(a.value)), (x(b.day), y(b.value))],
                6,
                4,
                MUTED.stroke_width(2),
            ));
        }
        let pts: Vec<(i32, i32)> = points.iter().map(|p| (x(p.day), y(p.value))).collect();
        if pts.len() > 1 {
            let _ = area.draw(&PathElement::new(pts.clone(), OBSERVED.stroke_width(2)));
        }
        for p in &pts {
            let _ = area.draw(&Circle::new(*p, 5, OBSERVED.filled()));
        }
        let diamond =
            |(cx, cy): (i32, i32)| vec![(cx, cy - 7), (cx + 7, cy), (cx, cy + 7), (cx - 7, cy)];
        let _ = area.draw(&Polygon::new(
            diamond((x(goal.day), y(goal.value))),
            TARGET.filled(),
        ));
        // The legend: a shape or line for each series, and its name.
        let ly = HEIGHT as i32 - 22;
        let mut lx = left;
        let _ = area.draw(&Circle::new((lx + 6, ly), 5, OBSERVED.filled()));
        text(legend[0], (lx + 16, ly), HPos::Left, &INK);
        lx += 28 + super::text::width(legend[0], 12.0).ceil() as i32;
        let _ = area.draw(&plotters::element::DashedPathElement::new(
            vec![(lx, ly), (lx + 22, ly)],
            6,
            4,
            MUTED.stroke_width(2),
        ));
        text(legend[1], (lx + 28, ly), HPos::Left, &INK);
        lx += 40 + super::text::width(legend[1], 12.0).ceil() as i32;
        let _ = area.draw(&Polygon::new(diamond((lx + 7, ly)), TARGET.filled()));
        text(legend[2], (lx + 18, ly), HPos::Left, &INK);
        let _ = area.present();
    }
    let start = buf.find(">\n").map(|i| i + 2).unwrap_or(0);
    let end = buf.rfind("</svg>").unwrap_or(buf.len());
    Svg {
        body: buf[start..end].replace(" font-family=\"sans-serif\"", ""),
        width,
        height: HEIGHT,
        fluid: false,
    }
}

/// The chart's CSV: each observation with the value needed by then.
#[derive(Serialize)]
struct CsvRow<'a> {
    target_id: &'a str,
    programme: &'a str,
    as_of: String,
    observed: String,
    needed: String,
    target: String,
    unit: &'static str,
    progress_status: &'static str,
}

/// `4500`, `31.6`, or empty: numbers as spreadsheets expect them.
fn plain(v: Option<f64>) -> String {
    v.map(super::html::plain).unwrap_or_default()
}

pub fn csv(model: &Model, target_id: &str) -> Vec<u8> {
    let Some((p, t)) = model.targets().find(|(_, t)| t.id == target_id) else {
        return Vec::new();
    };
    let pr = progress::progress(model, p, t);
    let path = needed_path(p, t, &pr);
    let status = pr.status().id();
    let mut rows: Vec<CsvRow> = pr
        .observations
        .iter()
        .map(|o| CsvRow {
            target_id: &t.id,
            programme: &p.id,
            as_of: o.as_of.to_string(),
            observed: plain(Some(o.value)),
            needed: plain(needed_at(path, day(&o.as_of)).map(round2)),
            target: String::new(),
            unit: t.unit.id(),
            progress_status: status,
        })
        .collect();
    rows.push(CsvRow {
        target_id: &t.id,
        programme: &p.id,
        as_of: t.deadline.as_ref().unwrap_or(&p.period.end).to_string(),
        observed: String::new(),
        needed: String::new(),
        target: plain(Some(t.value)),
        unit: t.unit.id(),
        progress_status: status,
    });
    downloads::csv_bytes(&rows)
}
