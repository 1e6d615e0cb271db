//! Drawing with plotters' SVG backend. Layout (label space, scales, ticks) is computed here, in
//! pixels, from text widths measured by `text::width`, never from plotters' byte-count guess:
//! the same code runs twice, once to measure the height and once to draw.
//!
//! Encoding, so that colour is never the only carrier: programmes have a colour from a
//! colour-blind-safe palette (Okabe–Ito) AND are named in every label; targets are solid bars,
//! per-year quotas striped bars, current figures hollow bars; in time charts targets are
//! diamonds and current figures circles.

mod bars;
#[cfg(test)]
mod bounded;
mod compact;
mod ranks;
mod scale;
mod strips;
mod timeline;

pub use bars::bars;
pub use timeline::timeline;

pub use ranks::{ranks, RankRow, Ranks};
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
    /// Laid out in percentages of the width with text in pixels (`ranks`): shown at the
    /// column's width, never scaled; `width` is then the width of the standalone file.
    pub fluid: bool,
}

impl Svg {
    /// The body with its pattern ids made unique for the chart `id` (several charts, and the
    /// wide and narrow variants, share one page).
    pub fn body_for(&self, id: &str) -> String {
        if self.body.contains(ranks::ID) {
            replace_all(&self.body, ranks::ID, id)
        } else if self.body.contains(HATCH_ID) {
            let body = replace_all(
                &self.body,
                &format!("\"{HATCH_ID}\""),
                &format!("\"{id}-hatch\""),
            );
            replace_all(
                &body,
                &format!("url(#{HATCH_ID})"),
                &format!("url(#{id}-hatch)"),
            )
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
        fluid: false,
    }
}

/// The elements inside plotters' `<svg>` element, with sizes rounded and the per-element
/// font family removed (the wrapper sets one family stack for the whole chart).
fn inner(svg: &str) -> String {
    let start = svg.find(">\n").map(|i| i + 2).unwrap_or(0);
    let end = svg.rfind("</svg>").unwrap_or(svg.len());
    let body = replace_all(&svg[start..end], " font-family=\"sans-serif\"", "");
    // Defaults, written by plotters on every element: leaving them out halves the size.
    let body = replace_all(&body, " opacity=\"1\"", "");
    let body = replace_all(&body, " stroke=\"none\"", "");
    let mut body = compact::compact(&round_font_sizes(&body));
    if body.contains("fill=\"#010203\"") {
        body = replace_all(
            &body,
            "fill=\"#010203\"",
            &format!("fill=\"url(#{HATCH_ID})\""),
        );
        body.insert_str(0, &format!("<defs><pattern id=\"{HATCH_ID}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect x=\"0\" y=\"0\" width=\"2\" height=\"6\" fill=\"#FFFFFF\"/></pattern></defs>\n"));
    }
    body
}

/// `s.replace(from, to)`, found with memchr's searcher (a chart is searched several times, and
/// the standard library's searcher is the slower one for these patterns).
fn replace_all(s: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for i in memchr::memmem::find_iter(s.as_bytes(), from.as_bytes()) {
        out.push_str(&s[last..i]);
        out.push_str(to);
        last = i + from.len();
    }
    out.push_str(&s[last..]);
    out
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

#[cfg(test)]
mod tests {
    use super::scale::{bar_scale, linear_ticks};
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
