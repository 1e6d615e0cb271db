//! Compact rank strips: one row per figure, each of a fixed small height, showing where one
//! place's value falls among every place's (the range, the middle half, the median and the
//! place's mark) with its rank written at the end of the label line.
//!
//! One drawing serves every screen: text keeps its size in pixels while positions along the
//! strip are percentages of the width, so the same SVG fills a 360 px phone column and a
//! 640 px desktop column without scaling the type down or up. plotters draws in pixels only,
//! so this small drawing is written by hand. Repeated marks are one `<path>` reused with
//! `<use>` (the range's end ticks are markers), and shared attributes are set once per layer
//! (`<g>`), not on every element.

use super::strips::Axis;
use super::{colour, tint, Svg, AXIS, INK, LABEL, MUTED, PAD, SMALL};
use crate::chart::text;
use crate::escape::esc;
use plotters::style::RGBColor;
use std::fmt::Write;

/// The narrowest column the drawing is laid out for: labels wrap to fit it.
pub const MIN_WIDTH: f64 = 340.0;
/// Where strips start and end, as percentages of the width.
const LEFT: f64 = 4.0;
const RIGHT: f64 = 96.0;
/// Stands for the chart's id until the page knows it (`Svg::body_for`).
pub const ID: &str = "@id@";

pub struct RankRow {
    pub label: String,
    /// Lowest, lower quartile, median, upper quartile, highest of every place's value.
    pub five: [f64; 5],
    /// This place's value.
    pub mark: f64,
    /// The rank in words, written at the right end of the label line.
    pub rank: String,
}

pub struct Ranks {
    /// The place's name (legend of its mark) and colour.
    pub place: String,
    pub colour: usize,
    /// The legend of the box and the bar.
    pub spread: String,
    pub rows: Vec<RankRow>,
}

fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// A percentage with one decimal: `43.1%`.
fn pct(f: f64) -> String {
    format!("{}%", ((LEFT + f * (RIGHT - LEFT)) * 10.0).round() / 10.0)
}

/// The drawing: a legend, then the rows.
pub fn ranks(chart: &Ranks) -> Svg {
    let place = hex(colour(chart.colour));
    let label_max = MIN_WIDTH - 2.0 * PAD as f64;
    let mut lines = String::new();
    let mut boxes = String::new();
    let mut medians = String::new();
    let mut marks = String::new();
    let mut labels = String::new();
    let mut ranks = String::new();
    let mut legend = String::new();
    // The legend: the place's mark, then the box and bar, each on a line of its own so that
    // it fits the narrowest column.
    let mut y = 8;
    let legend_mark = y + 10;
    let _ = write!(
        marks,
        "<use href=\"#{ID}-d\" x=\"21\" y=\"{legend_mark}\"/>"
    );
    let _ = write!(
        legend,
        "<text x=\"36\" y=\"{}\">{}</text>",
        legend_mark + 4,
        esc(&chart.place)
    );
    y += 22;
    let legend_box = y + 10;
    let _ = write!(
        boxes,
        "<rect x=\"13\" y=\"{}\" width=\"16\" height=\"12\"/>",
        legend_box - 6
    );
    let _ = write!(
        medians,
        "<use href=\"#{ID}-m\" x=\"21\" y=\"{legend_box}\"/>"
    );
    for line in text::wrap(&chart.spread, SMALL, label_max - 24.0)
        .iter()
        .take(2)
    {
        let _ = write!(
            legend,
            "<text x=\"36\" y=\"{}\">{}</text>",
            y + 14,
            esc(line)
        );
        y += 16;
    }
    y += 14;
    for row in &chart.rows {
        let rank_w = text::width(&row.rank, SMALL);
        let room = (label_max - rank_w - 8.0).max(label_max / 2.0);
        let mut wrapped = text::wrap(&row.label, LABEL * 1.1, room);
        if wrapped.len() > 2 {
            // Two lines at most, the second ending in an ellipsis (the table has it whole).
            let rest = wrapped[1..].join(" ");
            wrapped = vec![wrapped[0].clone(), text::fit(&rest, LABEL * 1.1, room)];
        }
        let _ = write!(
            ranks,
            "<text x=\"{RIGHT}%\" y=\"{}\">{}</text>",
            y + 12,
            esc(&row.rank)
        );
        for line in &wrapped {
            let _ = write!(
                labels,
                "<text x=\"{LEFT}%\" y=\"{}\">{}</text>",
                y + 12,
                esc(line)
            );
            y += 17;
        }
        let mid = y + 10;
        let axis = Axis::of(row.five.into_iter().chain([row.mark]));
        let [lo, q1, med, q3, hi] = row.five.map(|v| axis.at(v));
        // The range; its end ticks are the layer's markers.
        let _ = write!(
            lines,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{mid}\" y2=\"{mid}\"/>",
            pct(lo),
            pct(hi),
        );
        let width = ((q3 - q1) * (RIGHT - LEFT) * 10.0).round() / 10.0;
        let _ = write!(
            boxes,
            "<rect x=\"{}\" y=\"{}\" width=\"{}%\" height=\"12\"/>",
            pct(q1),
            mid - 6,
            width.max(0.3)
        );
        let _ = write!(
            medians,
            "<use href=\"#{ID}-m\" x=\"{}\" y=\"{mid}\"/>",
            pct(med)
        );
        let _ = write!(
            marks,
            "<use href=\"#{ID}-d\" x=\"{}\" y=\"{mid}\"/>",
            pct(axis.at(row.mark))
        );
        y += 26;
    }
    let height = (y + 4).max(40) as u32;
    let mut body = String::with_capacity(lines.len() * 6);
    let _ = write!(
        body,
        "<defs><path id=\"{ID}-d\" d=\"M0-7 7 0 0 7-7 0Z\"/>\
         <path id=\"{ID}-m\" d=\"M0-9V9\" stroke=\"{ink}\" stroke-width=\"3\"/>\
         <marker id=\"{ID}-t\" markerUnits=\"userSpaceOnUse\" overflow=\"visible\">\
         <path d=\"M0-5V5\" stroke=\"{axis}\" stroke-width=\"2\"/></marker></defs>\n\
         <g stroke=\"{axis}\" stroke-width=\"2\" marker-start=\"url(#{ID}-t)\" marker-end=\"url(#{ID}-t)\">{lines}</g>\n\
         <g fill=\"{fill}\" stroke=\"{muted}\">{boxes}</g>\n\
         <g>{medians}</g>\n\
         <g fill=\"{place}\">{marks}</g>\n\
         <g font-size=\"{label}\" font-weight=\"bold\" fill=\"{ink}\">{labels}</g>\n\
         <g font-size=\"{small}\" fill=\"{ink}\" text-anchor=\"end\">{ranks}</g>\n\
         <g font-size=\"{small}\" fill=\"{ink}\">{legend}</g>\n",
        axis = hex(AXIS),
        fill = hex(tint(MUTED, 0.3)),
        muted = hex(MUTED),
        ink = hex(INK),
        label = LABEL,
        small = SMALL,
    );
    Svg {
        body,
        width: super::WIDTH,
        height,
        fluid: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::draw::five_numbers;

    fn chart(n: usize) -> Ranks {
        let values: Vec<f64> = (0..n).map(|i| i as f64).collect();
        Ranks {
            place: "Zhuhai".into(),
            colour: 0,
            spread: "Middle half of all places; bar: median".into(),
            rows: vec![RankRow {
                label: "Skilled share · Target".into(),
                five: five_numbers(&values),
                mark: 3.0,
                rank: format!("rank {} of {n}", n - 3),
            }],
        }
    }

    #[test]
    fn a_row_has_the_same_size_for_5_and_5000_places() {
        let (a, b) = (ranks(&chart(5)), ranks(&chart(5000)));
        assert_eq!(a.height, b.height);
        assert!(b.body.len() <= a.body.len() + 40);
        assert!(a.fluid);
        // One mark drawn once and reused, positions in percent.
        assert_eq!(a.body.matches("<path ").count(), 3);
        assert_eq!(a.body.matches("<use ").count(), 4);
        assert_eq!(a.body.matches("<line ").count(), 1);
        assert!(a.body.contains("x=\"96%\""), "{}", a.body);
    }

    #[test]
    fn rows_are_compact_and_text_is_escaped() {
        let mut c = chart(300);
        let one = ranks(&c).height;
        c.rows.push(RankRow {
            label: "<b>A & B</b>".into(),
            five: [0.0, 1.0, 2.0, 3.0, 4.0],
            mark: 2.0,
            rank: "rank 2 of 5".into(),
        });
        let two = ranks(&c).height;
        assert!(two - one <= 50, "a row is {} px", two - one);
        let body = ranks(&c).body;
        assert!(body.contains("&lt;b&gt;A &amp; B&lt;/b&gt;"));
        assert!(!body.contains("<b>"));
    }
}
