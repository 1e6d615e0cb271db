//! Programme periods as bands on a time axis, with markers for dated figures.

use super::scale::tick_labels_sized;
use super::{
    colour, px, render, text, tint, Pen, Shape, Svg, Timeline, AXIS, GRID, INK, LABEL, PAD, SMALL,
};
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

/// The longest span a time axis draws, whatever the dates it is given.
pub(super) const MAX_YEARS: i32 = 200;

pub(super) const ZEBRA: RGBColor = RGBColor(0xf3, 0xf3, 0xf0);

/// Year bands behind a time chart: every other year shaded, grid lines at year boundaries.
pub(super) fn year_grid(
    pen: &Pen,
    x: &dyn Fn(f64) -> i32,
    from: i32,
    to: i32,
    top: i32,
    bottom: i32,
) {
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
pub(super) fn year_axis(pen: &Pen, x: &dyn Fn(f64) -> i32, from: i32, to: i32, y: i32) -> i32 {
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
