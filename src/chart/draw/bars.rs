//! Horizontal bars in panels: the comparison of a few places, a programme's counts by category,
//! the timeline of many programmes by year.

use super::scale::{axis, bar_scale};
use super::{colour, render, text, Bar, Bars, Row, Svg, GRID, HEAD, INK, LABEL, PAD};
use plotters::style::text_anchor::HPos;

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
pub(super) fn log_words(label: &str) -> String {
    if label.chars().any(text::is_wide) {
        format!("{label}（对数坐标）")
    } else {
        format!("{label} (log scale)")
    }
}
