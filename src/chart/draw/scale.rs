//! Value axes: nice round ticks, a bar panel's scale (as wide as its bars' end texts allow),
//! and the axis drawn under a panel.

use super::{px, text, Panel, Pen, Row, AXIS, GRID, LABEL, MUTED, SMALL};
use plotters::style::text_anchor::HPos;

/// A value axis mapping values to pixels between x0 and x1.
#[derive(Clone, Copy)]
pub(super) struct Scale {
    pub x0: f64,
    pub x1: f64,
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
}

impl Scale {
    pub fn x(&self, v: f64) -> i32 {
        let f = if self.log {
            (v.max(self.lo).log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        px(self.x0 + f * (self.x1 - self.x0))
    }
    pub fn ticks(&self) -> Vec<f64> {
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

pub(super) fn nice_step(span: f64, n: usize) -> f64 {
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

pub(super) fn linear_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
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
pub(super) fn bar_scale(panel: &Panel, x0: f64, x1: f64, beside: bool) -> Scale {
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
pub(super) fn axis(
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
pub(super) fn tick_labels(pen: &Pen, ticks: impl Iterator<Item = (i32, String)>, y: i32) {
    tick_labels_sized(pen, ticks, y, SMALL, true)
}

pub(super) fn tick_labels_sized(
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
