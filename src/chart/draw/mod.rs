//! Drawing with plotters' SVG backend. Layout (label space, scales, ticks) is computed here, in
//! pixels, from text widths measured by `text::width`, never from plotters' byte-count guess:
//! the same code runs twice, once to measure the height and once to draw.
//!
//! Encoding, so that colour is never the only carrier: programmes have a colour from a
//! colour-blind-safe palette (Okabe–Ito) AND are named in every label; targets are solid bars,
//! per-year quotas striped bars, current figures hollow bars; in time charts targets are
//! diamonds and current figures circles.

#[cfg(test)]
mod bounded;
mod strips;

pub use strips::{strips, Strip, Strips};

use super::text;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use strips::five_numbers;

/// The width of charts on wide screens and of the downloadable files.
pub const WIDTH: u32 = 640;
/// The width of the variant shown on phones, where a scaled-down wide chart is unreadable.
pub const NARROW: u32 = 360;
const PAD: i32 = 12;
pub const LABEL: f64 = 13.0;
const SMALL: f64 = 12.0;
const HEAD: f64 = 14.0;
const INK: RGBColor = RGBColor(0x1b, 0x1b, 0x1b);
const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const AXIS: RGBColor = RGBColor(0x76, 0x76, 0x76);
/// Drawn as a placeholder colour, then replaced by the hatching pattern in `inner`.
const HATCH: RGBColor = RGBColor(0x01, 0x02, 0x03);
/// Stands for the pattern's id until the chart's wrapper knows it (`Svg::with_ids`).
const HATCH_ID: &str = "@hatch@";

/// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
];

pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// `c` mixed with white: `a` of the colour.
fn tint(c: RGBColor, a: f64) -> RGBColor {
    let mix = |v: u8| (255.0 - (255.0 - v as f64) * a).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// A drawn chart: the SVG elements (without the `<svg>` wrapper) and their size.
pub struct Svg {
    pub body: String,
    pub width: u32,
    pub height: u32,
}

impl Svg {
    /// The body with its pattern ids made unique for the chart `id` (several charts, and the
    /// wide and narrow variants, share one page).
    pub fn body_for(&self, id: &str) -> String {
        if self.body.contains(HATCH_ID) {
            self.body
                .replace(&format!("\"{HATCH_ID}\""), &format!("\"{id}-hatch\""))
                .replace(&format!("url(#{HATCH_ID})"), &format!("url(#{id}-hatch)"))
        } else {
            self.body.clone()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A target for the whole period or a deadline.
    Solid,
    /// A per-year quota.
    Striped,
    /// A current figure.
    Hollow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Diamond,
    Circle,
    /// A legend swatch for a period bar.
    Band,
}

pub struct LegendItem {
    pub mark: Mark,
    pub text: String,
}

#[derive(Debug, Clone, Copy)]
pub enum Mark {
    Bar(Style, Option<usize>),
    Point(Shape, bool),
}

pub struct Seg {
    pub value: f64,
    pub colour: usize,
    pub style: Style,
}

pub struct Bar {
    pub label: String,
    pub segs: Vec<Seg>,
    /// The upper end of a range (`3–6 months`), drawn as a whisker.
    pub to: Option<f64>,
    /// The figure as text, written at the end of the bar.
    pub text: String,
}

pub enum Row {
    Heading(String),
    Bar(Bar),
}

pub struct Panel {
    pub heading: Option<String>,
    pub log: bool,
    pub axis: String,
    pub rows: Vec<Row>,
    pub note: Option<String>,
}

pub struct Bars {
    pub legend: Vec<LegendItem>,
    pub panels: Vec<Panel>,
}

pub struct TimeRow {
    pub label: String,
    pub colour: usize,
    pub start: f64,
    pub end: f64,
    pub marks: Vec<TimeMark>,
}

pub struct TimeMark {
    pub at: f64,
    pub shape: Shape,
    pub text: String,
}

pub struct Timeline {
    pub legend: Vec<LegendItem>,
    pub rows: Vec<TimeRow>,
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// Draws when it has an area, only measures when it has none.
struct Pen<'a> {
    area: Option<Area<'a>>,
    /// The canvas width.
    w: i32,
}

impl Pen<'_> {
    fn text(&self, s: &str, (x, y): (i32, i32), size: f64, h: HPos, bold: bool, c: &RGBColor) {
        if let Some(area) = &self.area {
            let style = if bold {
                FontStyle::Bold
            } else {
                FontStyle::Normal
            };
            // plotters writes font-size as size / 1.24.
            let font = FontDesc::new(FontFamily::SansSerif, size * 1.24, style);
            let ts = TextStyle::from(font)
                .color(c)
                .pos(Pos::new(h, VPos::Center));
            let _ = area.draw(&Text::new(s.to_string(), (x, y), ts));
        }
    }
    fn rect(&self, a: (i32, i32), b: (i32, i32), c: RGBColor, fill: bool) {
        if let Some(area) = &self.area {
            let style = if fill { c.filled() } else { c.stroke_width(1) };
            let _ = area.draw(&Rectangle::new([a, b], style));
        }
    }
    fn line(&self, pts: Vec<(i32, i32)>, c: RGBColor, w: u32) {
        if let Some(area) = &self.area {
            let _ = area.draw(&PathElement::new(pts, c.stroke_width(w)));
        }
    }
    fn polygon(&self, pts: Vec<(i32, i32)>, c: RGBColor) {
        if let Some(area) = &self.area {
            let _ = area.draw(&Polygon::new(pts, c.filled()));
        }
    }
    fn circle(&self, at: (i32, i32), r: i32, c: RGBColor, fill: bool) {
        if let Some(area) = &self.area {
            let style = if fill { c.filled() } else { c.stroke_width(2) };
            let _ = area.draw(&Circle::new(at, r, style));
        }
    }

    /// A bar segment in one of the three styles.
    fn bar(&self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), c: RGBColor, style: Style) {
        if x1 <= x0 {
            return;
        }
        match style {
            Style::Solid => self.rect((x0, y0), (x1, y1), c, true),
            Style::Striped => {
                // White diagonals from one <pattern>, never one element per stripe.
                self.rect((x0, y0), (x1, y1), c, true);
                self.rect((x0, y0), (x1, y1), HATCH, true);
            }
            Style::Hollow => {
                self.rect((x0, y0), (x1, y1), WHITE, true);
                self.line(
                    vec![
                        (x0 + 1, y0 + 1),
                        (x1 - 1, y0 + 1),
                        (x1 - 1, y1 - 1),
                        (x0 + 1, y1 - 1),
                    ],
                    c,
                    2,
                );
                self.line(vec![(x0 + 1, y1 - 1), (x0 + 1, y0)], c, 2);
            }
        }
    }

    fn shape(&self, (x, y): (i32, i32), shape: Shape, c: RGBColor, filled: bool) {
        match shape {
            Shape::Circle => {
                if filled {
                    self.circle((x, y), 6, c, true);
                } else {
                    self.circle((x, y), 6, WHITE, true);
                    self.circle((x, y), 5, c, false);
                }
            }
            Shape::Diamond => {
                let d = 7;
                let pts = vec![(x, y - d), (x + d, y), (x, y + d), (x - d, y)];
                if filled {
                    self.polygon(pts, c);
                } else {
                    self.polygon(pts.clone(), WHITE);
                    let mut closed = pts;
                    closed.push((x, y - d));
                    self.line(closed, c, 2);
                }
            }
            Shape::Band => {
                self.rect((x - 9, y - 6), (x + 9, y + 6), tint(c, 0.3), true);
                self.line(vec![(x - 9, y - 6), (x - 9, y + 6)], c, 2);
                self.line(vec![(x + 9, y - 6), (x + 9, y + 6)], c, 2);
            }
        }
    }

    /// The legend: swatches and words, wrapping to more lines as needed. Returns the new y.
    fn legend(&self, items: &[LegendItem], mut y: i32) -> i32 {
        if items.is_empty() {
            return y;
        }
        let mut x = PAD;
        y += 10;
        for item in items {
            let w = 18 + 6 + text::width(&item.text, SMALL).ceil() as i32;
            if x > PAD && x + w > self.w - PAD {
                x = PAD;
                y += 20;
            }
            match item.mark {
                Mark::Bar(style, c) => {
                    let c = c.map(colour).unwrap_or(MUTED);
                    self.bar((x, y - 6), (x + 18, y + 6), c, style);
                }
                Mark::Point(shape, filled) => self.shape((x + 9, y), shape, MUTED, filled),
            }
            self.text(&item.text, (x + 24, y), SMALL, HPos::Left, false, &INK);
            x += w + 18;
        }
        y + 16
    }

    /// Wrapped note lines in small muted type. Returns the new y.
    fn note(&self, note: &Option<String>, mut y: i32) -> i32 {
        if let Some(n) = note {
            for line in text::wrap(n, SMALL, (self.w - 2 * PAD) as f64) {
                y += 16;
                self.text(&line, (PAD, y - 6), SMALL, HPos::Left, false, &MUTED);
            }
            y += 4;
        }
        y
    }
}

/// Runs `draw` once to measure, then again on an SVG canvas of the measured height.
fn render(width: u32, draw: impl Fn(&Pen) -> i32) -> Svg {
    let w = width as i32;
    let height = draw(&Pen { area: None, w }).max(40) as u32;
    let mut buf = String::new();
    {
        let area = SVGBackend::with_string(&mut buf, (width, height)).into_drawing_area();
        let _ = area.fill(&WHITE);
        let pen = Pen {
            area: Some(area),
            w,
        };
        draw(&pen);
        if let Some(a) = &pen.area {
            let _ = a.present();
        }
    }
    Svg {
        body: inner(&buf),
        width,
        height,
    }
}

/// The elements inside plotters' `<svg>` element, with sizes rounded and the per-element
/// font family removed (the wrapper sets one family stack for the whole chart).
fn inner(svg: &str) -> String {
    let start = svg.find(">\n").map(|i| i + 2).unwrap_or(0);
    let end = svg.rfind("</svg>").unwrap_or(svg.len());
    let body = svg[start..end]
        .replace(" font-family=\"sans-serif\"", "")
        // Defaults, written by plotters on every element: leaving them out halves the size.
        .replace(" opacity=\"1\"", "")
        .replace(" stroke=\"none\"", "");
    let mut body = round_font_sizes(&body);
    if body.contains("fill=\"#010203\"") {
        body = body.replace("fill=\"#010203\"", &format!("fill=\"url(#{HATCH_ID})\""));
        body.insert_str(0, &format!("<defs><pattern id=\"{HATCH_ID}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect x=\"0\" y=\"0\" width=\"2\" height=\"6\" fill=\"#FFFFFF\"/></pattern></defs>\n"));
    }
    body
}

/// plotters writes `font-size="13.000000000000002"`; write `13`.
fn round_font_sizes(s: &str) -> String {
    let key = "font-size=\"";
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(key) {
        out.push_str(&rest[..i + key.len()]);
        rest = &rest[i + key.len()..];
        let j = rest.find('"').unwrap_or(rest.len());
        let v: f64 = rest[..j].parse().unwrap_or(0.0);
        out.push_str(&format!("{}", (v * 10.0).round() / 10.0));
        rest = &rest[j..];
    }
    out.push_str(rest);
    out
}

/// A pixel coordinate from any number: within a band around the canvas (far outside it still
/// draws nothing visible), so that no arithmetic on it can overflow, and 0 for NaN.
pub fn px(v: f64) -> i32 {
    if v.is_nan() {
        0
    } else {
        v.round().clamp(-100_000.0, 100_000.0) as i32
    }
}

/// A value axis mapping values to pixels between x0 and x1.
#[derive(Clone, Copy)]
struct Scale {
    x0: f64,
    x1: f64,
    lo: f64,
    hi: f64,
    log: bool,
}

impl Scale {
    fn x(&self, v: f64) -> i32 {
        let f = if self.log {
            (v.max(self.lo).log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        px(self.x0 + f * (self.x1 - self.x0))
    }
    fn ticks(&self) -> Vec<f64> {
        if self.log {
            let mut t = Vec::new();
            let mut v = self.lo;
            // At most 30 decades: the loop ends whatever the bounds (zero, infinite, NaN).
            while v <= self.hi * 1.0001 && t.len() < 30 {
                t.push(v);
                v *= 10.0;
            }
            t
        } else {
            linear_ticks(self.lo, self.hi, 5)
        }
    }
}

fn nice_step(span: f64, n: usize) -> f64 {
    let raw = (span / n as f64).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let m = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

fn linear_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let step = nice_step(hi - lo, n);
    let mut out = Vec::new();
    if !(step.is_finite() && lo.is_finite() && hi.is_finite()) {
        return out;
    }
    let mut i = (lo / step).ceil() as i64;
    // A nice step gives at most about 2n ticks; the bound keeps any input finite.
    while out.len() <= 4 * n + 4 {
        let v = i as f64 * step;
        if v > hi + step * 1e-9 {
            break;
        }
        // Round away float noise (0.6000000000000001) to the step's decimals.
        let scale = 10f64.powi((-step.log10().floor()).max(0.0) as i32);
        out.push((v * scale).round() / scale);
        i += 1;
    }
    out
}

/// The pixel scale for a panel: as wide as it can be while every bar's end text still fits.
fn bar_scale(panel: &Panel, x0: f64, x1: f64, beside: bool) -> Scale {
    let ends: Vec<(f64, f64)> = panel
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::Bar(b) => {
                let total: f64 = b.segs.iter().map(|s| s.value).sum();
                let end = b.to.unwrap_or(total).max(total);
                let w = if beside {
                    text::width_bold(&b.text, LABEL) + 8.0
                } else {
                    0.0
                };
                Some((end, w))
            }
            Row::Heading(_) => None,
        })
        .collect();
    let span = x1 - x0;
    if panel.log {
        let positive: Vec<&(f64, f64)> = ends.iter().filter(|(v, _)| *v > 0.0).collect();
        let min = positive
            .iter()
            .map(|(v, _)| *v)
            .fold(f64::INFINITY, f64::min);
        let max = positive.iter().map(|(v, _)| *v).fold(0.0, f64::max);
        // A decade below the smallest figure, so that every bar has a length.
        let lo = if min.is_finite() {
            10f64.powf(min.log10().ceil() - 1.0)
        } else {
            1.0
        };
        let mut hi_log = max.max(lo * 10.0).log10().ceil();
        for (v, w) in &positive {
            let room = (span - w).max(span * 0.25);
            // The bar end plus its text must fit: (log v − log lo) / (log hi − log lo) ≤ room/span.
            let needed = lo.log10() + (v.log10() - lo.log10()) * span / room;
            hi_log = hi_log.max(needed);
        }
        Scale {
            x0,
            x1,
            lo,
            hi: 10f64.powf(hi_log),
            log: true,
        }
    } else {
        let mut px_per_unit = f64::INFINITY;
        for (v, w) in &ends {
            if *v > 0.0 {
                let room = (span - w).max(span * 0.25);
                px_per_unit = px_per_unit.min(room / v);
            }
        }
        let hi = if px_per_unit.is_finite() {
            span / px_per_unit
        } else {
            1.0
        };
        Scale {
            x0,
            x1,
            lo: 0.0,
            hi,
            log: false,
        }
    }
}

/// The value axis under a panel: grid lines up from `top`, tick labels and the axis words.
fn axis(
    pen: &Pen,
    scale: &Scale,
    top: i32,
    y: i32,
    label: &str,
    fmt: &dyn Fn(f64) -> String,
) -> i32 {
    for t in scale.ticks() {
        let x = scale.x(t);
        pen.line(vec![(x, top), (x, y)], GRID, 1);
    }
    pen.line(vec![(scale.x0 as i32, y), (scale.x1 as i32, y)], AXIS, 1);
    tick_labels(
        pen,
        scale.ticks().into_iter().map(|t| (scale.x(t), fmt(t))),
        y,
    );
    pen.text(
        &text::fit(label, SMALL, scale.x1 - scale.x0),
        (scale.x1 as i32, y + 30),
        SMALL,
        HPos::Right,
        false,
        &MUTED,
    );
    y + 40
}

/// Tick marks and labels, kept inside the canvas and dropped where they would overlap.
fn tick_labels(pen: &Pen, ticks: impl Iterator<Item = (i32, String)>, y: i32) {
    tick_labels_sized(pen, ticks, y, SMALL, true)
}

fn tick_labels_sized(
    pen: &Pen,
    ticks: impl Iterator<Item = (i32, String)>,
    y: i32,
    size: f64,
    marks: bool,
) {
    let mut last_right = i32::MIN;
    for (x, s) in ticks {
        if marks {
            pen.line(vec![(x, y), (x, y + 4)], AXIS, 1);
        }
        let w = text::width(&s, size).ceil() as i32;
        let (left, h, ax) = if x - w / 2 < 2 {
            (x, HPos::Left, x)
        } else if x + w / 2 > pen.w - 2 {
            (x - w, HPos::Right, x)
        } else {
            (x - w / 2, HPos::Center, x)
        };
        if left < last_right + 6 {
            continue;
        }
        pen.text(&s, (ax, y + 13), size, h, false, &MUTED);
        last_right = left + w;
    }
}

/// Horizontal bars in panels, each bar labelled above. Its figure is written at its end where
/// there is room, otherwise on its own line above the bar (narrow charts).
pub fn bars(chart: &Bars, fmt: &dyn Fn(f64) -> String, width: u32) -> Svg {
    render(width, |pen| {
        let mut y = pen.legend(&chart.legend, 4);
        let (x0, x1) = (PAD as f64, (pen.w - PAD) as f64);
        let label_max = x1 - x0;
        let lines = |b: &Bar| {
            text::wrap(&b.label, LABEL, label_max)
                .into_iter()
                .take(2)
                .collect::<Vec<_>>()
        };
        for (i, panel) in chart.panels.iter().enumerate() {
            if i > 0 {
                y += 10;
                pen.line(vec![(PAD, y), (pen.w - PAD, y)], GRID, 1);
            }
            if let Some(h) = &panel.heading {
                for line in text::wrap(h, HEAD * 1.1, label_max) {
                    y += 22;
                    pen.text(&line, (PAD, y - 8), HEAD, HPos::Left, true, &INK);
                }
            }
            // The figures go beside the bars only if the widest leaves most of the width to bars.
            let widest = panel
                .rows
                .iter()
                .filter_map(|r| match r {
                    Row::Bar(b) => Some(text::width_bold(&b.text, LABEL)),
                    Row::Heading(_) => None,
                })
                .fold(0.0, f64::max);
            let beside = widest <= label_max * 0.55;
            let scale = bar_scale(panel, x0, x1, beside);
            let row_h = |r: &Row| match r {
                Row::Heading(_) => 26,
                Row::Bar(b) => 26 + 18 * lines(b).len() as i32 + if beside { 0 } else { 18 },
            };
            let rows_h: i32 = panel.rows.iter().map(row_h).sum();
            let top = y + 6;
            let bottom = top + rows_h;
            for t in scale.ticks() {
                let x = scale.x(t);
                pen.line(vec![(x, top), (x, bottom)], GRID, 1);
            }
            y = top;
            for row in &panel.rows {
                let h = row_h(row);
                match row {
                    Row::Heading(t) => {
                        pen.text(
                            &text::fit(t, LABEL * 1.1, label_max),
                            (PAD, y + 14),
                            LABEL,
                            HPos::Left,
                            true,
                            &INK,
                        );
                    }
                    Row::Bar(b) => {
                        let mut ly = y;
                        for line in lines(b) {
                            pen.text(&line, (PAD, ly + 9), LABEL, HPos::Left, false, &INK);
                            ly += 18;
                        }
                        if !beside {
                            pen.text(&b.text, (PAD, ly + 9), LABEL, HPos::Left, true, &INK);
                            ly += 18;
                        }
                        let (by0, by1) = (ly, ly + 18);
                        let mut acc = 0.0;
                        let mut end = scale.x(if scale.log { scale.lo } else { 0.0 });
                        for s in &b.segs {
                            let from = scale.x(if scale.log && acc == 0.0 {
                                scale.lo
                            } else {
                                acc
                            });
                            acc += s.value;
                            let to = scale.x(acc);
                            pen.bar((from, by0), (to, by1), colour(s.colour), s.style);
                            end = end.max(to);
                        }
                        if let Some(to) = b.to {
                            let xt = scale.x(to);
                            let c = b.segs.first().map(|s| colour(s.colour)).unwrap_or(INK);
                            let mid = (by0 + by1) / 2;
                            pen.line(vec![(end, mid), (xt, mid)], c, 2);
                            pen.line(vec![(xt, by0 + 3), (xt, by1 - 3)], c, 2);
                            end = end.max(xt);
                        }
                        if beside {
                            pen.text(
                                &b.text,
                                (end + 6, (by0 + by1) / 2),
                                LABEL,
                                HPos::Left,
                                true,
                                &INK,
                            );
                        }
                    }
                }
                y += h;
            }
            let mut label = panel.axis.clone();
            if panel.log {
                label = log_words(&label);
            }
            y = axis(pen, &scale, top, bottom, &label, fmt);
            y = pen.note(&panel.note, y);
        }
        y + 6
    })
}

/// The axis label with "log scale" added in its language (Chinese if it has a wide character).
fn log_words(label: &str) -> String {
    if label.chars().any(text::is_wide) {
        format!("{label}（对数坐标）")
    } else {
        format!("{label} (log scale)")
    }
}

/// The longest span a time axis draws, whatever the dates it is given.
const MAX_YEARS: i32 = 200;

const ZEBRA: RGBColor = RGBColor(0xf3, 0xf3, 0xf0);

/// Year bands behind a time chart: every other year shaded, grid lines at year boundaries.
fn year_grid(pen: &Pen, x: &dyn Fn(f64) -> i32, from: i32, to: i32, top: i32, bottom: i32) {
    for year in (from..to).filter(|y| y % 2 == 1) {
        pen.rect(
            (x(year as f64), top),
            (x(year as f64 + 1.0), bottom),
            ZEBRA,
            true,
        );
    }
    for year in from..=to {
        pen.line(
            vec![(x(year as f64), top), (x(year as f64), bottom)],
            GRID,
            1,
        );
    }
}

/// The time axis: each year's label centred under its band, every year where they fit.
fn year_axis(pen: &Pen, x: &dyn Fn(f64) -> i32, from: i32, to: i32, y: i32) -> i32 {
    // Measured over the whole axis: one year's pixel width is rounded.
    let per_year = (x(to as f64) - x(from as f64)) as f64 / (to - from).max(1) as f64;
    // Room for the label, the gap `tick_labels` keeps, and a pixel of rounding either side.
    let need =
        |size: f64, every: f64| text::width("2024", size).ceil() + 6.0 + 2.0 <= per_year * every;
    let (size, every) = if need(SMALL, 1.0) {
        (SMALL, 1)
    } else if need(10.0, 1.0) {
        (10.0, 1)
    } else if need(SMALL, 2.0) {
        (SMALL, 2)
    } else {
        (SMALL, 5)
    };
    pen.line(vec![(x(from as f64), y), (x(to as f64), y)], AXIS, 1);
    let labels = (from..to)
        .filter(|yr| (yr - from) % every == 0)
        .map(|yr| (x(yr as f64 + 0.5), yr.to_string()));
    tick_labels_sized(pen, labels, y, size, false);
    y + 24
}

/// Programme periods as bands on a time axis, with markers for dated figures.
pub fn timeline(chart: &Timeline, width: u32) -> Svg {
    let from = chart
        .rows
        .iter()
        .map(|r| r.start.floor() as i32)
        .min()
        .unwrap_or(2020);
    let to = chart
        .rows
        .iter()
        .map(|r| (r.marks.iter().map(|m| m.at).fold(r.end, f64::max) - 0.001).ceil() as i32)
        .max()
        .unwrap_or(from.saturating_add(1))
        .max(from.saturating_add(1))
        // The year grid draws a band per year: never more than two centuries of them.
        .min(from.saturating_add(MAX_YEARS));
    let (x0, x1) = (PAD as f64 + 4.0, (width as i32 - PAD - 28) as f64);
    let x = move |v: f64| px(x0 + (v - from as f64) / (to - from) as f64 * (x1 - x0));
    render(width, move |pen| {
        let mut y = pen.legend(&chart.legend, 4);
        let top = y + 6;
        let bottom = top + 58 * chart.rows.len() as i32;
        year_grid(pen, &x, from, to, top, bottom);
        y = top;
        for row in &chart.rows {
            let c = colour(row.colour);
            pen.text(
                &text::fit(&row.label, LABEL * 1.1, (pen.w - 2 * PAD) as f64),
                (PAD, y + 9),
                LABEL,
                HPos::Left,
                true,
                &INK,
            );
            let (by0, by1) = (y + 20, y + 40);
            let (bx0, bx1) = (x(row.start), x(row.end));
            pen.rect((bx0, by0), (bx1, by1), tint(c, 0.25), true);
            pen.line(vec![(bx0 + 1, by0), (bx0 + 1, by1)], c, 2);
            pen.line(vec![(bx1 - 1, by0), (bx1 - 1, by1)], c, 2);
            let mid = (by0 + by1) / 2;
            let xs: Vec<i32> = row.marks.iter().map(|m| x(m.at)).collect();
            for (m, &mx) in row.marks.iter().zip(&xs) {
                pen.shape((mx, mid), m.shape, c, true);
            }
            for (m, &mx) in row.marks.iter().zip(&xs) {
                // Counts beside their marker (current figures to the left, targets to the
                // right), or above it where another marker is in the way.
                let w = text::width_bold(&m.text, LABEL).ceil() as i32;
                let (tx, h, span) = if m.shape == Shape::Circle {
                    (mx - 9, HPos::Right, (mx - 9 - w, mx - 9))
                } else {
                    (mx + 10, HPos::Left, (mx + 10, mx + 10 + w))
                };
                let blocked = xs
                    .iter()
                    .any(|&o| o != mx && o + 8 > span.0 && o - 8 < span.1);
                if blocked {
                    pen.text(&m.text, (mx, by1 + 8), SMALL, HPos::Center, true, &INK);
                } else {
                    pen.text(&m.text, (tx, mid), LABEL, h, true, &INK);
                }
            }
            y += 58;
        }
        y = year_axis(pen, &x, from, to, bottom);
        y + 6
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(
            linear_ticks(0.0, 48.0, 5),
            vec![0.0, 10.0, 20.0, 30.0, 40.0]
        );
        assert_eq!(
            linear_ticks(0.0, 1.0, 5),
            vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        );
    }

    #[test]
    fn bar_ends_leave_room_for_their_text() {
        let panel = Panel {
            heading: None,
            log: false,
            axis: String::new(),
            rows: vec![Row::Bar(Bar {
                label: "x".into(),
                segs: vec![Seg {
                    value: 40.0,
                    colour: 0,
                    style: Style::Solid,
                }],
                to: None,
                text: "≥ 40% by 2025".into(),
            })],
            note: None,
        };
        let s = bar_scale(&panel, 0.0, 600.0, true);
        let end = s.x(40.0) as f64 + 8.0 + text::width_bold("≥ 40% by 2025", LABEL);
        assert!(end <= 601.0, "{end}");
        assert!(end > 590.0, "the bar should use the width: {end}");
    }

    #[test]
    fn svg_text_is_escaped_and_sizes_rounded() {
        let chart = Bars {
            legend: vec![],
            panels: vec![Panel {
                heading: Some("<script>alert(1)</script>".into()),
                log: true,
                axis: "persons".into(),
                rows: vec![Row::Bar(Bar {
                    label: "A & B".into(),
                    segs: vec![Seg {
                        value: 100.0,
                        colour: 1,
                        style: Style::Striped,
                    }],
                    to: None,
                    text: "100".into(),
                })],
                note: None,
            }],
        };
        let svg = bars(&chart, &|v| format!("{v}"), WIDTH);
        assert!(!svg.body.contains("<script>"), "{}", svg.body);
        assert!(svg.body.contains("&lt;script&gt;"));
        assert!(svg.body.contains("A &amp; B"));
        assert!(!svg.body.contains("font-family"));
        assert!(!svg.body.contains("00000"), "unrounded size: {}", svg.body);
    }
}
