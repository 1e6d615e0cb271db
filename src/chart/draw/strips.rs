//! Distributions as strips: for each row, the range of all places' values (a line from the
//! lowest to the highest), the middle half (a box), the median (a bar across) and, where the
//! chart is about one place, that place's value (a diamond in its colour). A row's size does
//! not depend on how many places there are.

use super::{colour, render, text, tint, Pen, Shape, Svg, AXIS, INK, LABEL, MUTED, PAD, SMALL};
use plotters::style::text_anchor::HPos;

pub struct Strip {
    pub label: String,
    /// Lowest, lower quartile, median, upper quartile, highest.
    pub five: [f64; 5],
    /// This place's value, if the chart is about one place.
    pub mark: Option<f64>,
    pub colour: usize,
    /// The numbers in words, under the strip.
    pub caption: String,
}

pub struct Strips {
    pub legend: Vec<super::LegendItem>,
    pub rows: Vec<Strip>,
    /// One scale for every row (rows measure the same thing), or a scale per row.
    pub shared: bool,
}

/// Where values go: linear from zero, or log where values span two orders of magnitude.
#[derive(Clone, Copy)]
pub(super) struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
}

impl Axis {
    pub(super) fn of(values: impl Iterator<Item = f64>) -> Axis {
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.filter(|v| v.is_finite()) {
            min = min.min(v);
            max = max.max(v);
        }
        if !min.is_finite() {
            return Axis {
                lo: 0.0,
                hi: 1.0,
                log: false,
            };
        }
        if min > 0.0 && max / min >= 100.0 {
            return Axis {
                lo: min.log10().floor(),
                hi: max.log10().ceil().max(min.log10().floor() + 1.0),
                log: true,
            };
        }
        let lo = min.min(0.0);
        let hi = if max > lo { max } else { lo + 1.0 };
        Axis { lo, hi, log: false }
    }
    /// The fraction of the width at which `v` falls, kept within the strip.
    pub(super) fn at(&self, v: f64) -> f64 {
        let v = if self.log {
            v.max(f64::MIN_POSITIVE).log10()
        } else {
            v
        };
        let f = (v - self.lo) / (self.hi - self.lo);
        if f.is_finite() {
            f.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// Draws the strips, one row each.
pub fn strips(chart: &Strips, width: u32) -> Svg {
    let all = Axis::of(
        chart
            .rows
            .iter()
            .flat_map(|r| r.five.into_iter().chain(r.mark)),
    );
    render(width, |pen: &Pen| {
        let mut y = pen.legend(&chart.legend, 4) + 6;
        let (x0, x1) = (PAD as f64 + 8.0, (pen.w - PAD) as f64 - 8.0);
        let max = (pen.w - 2 * PAD) as f64;
        for row in &chart.rows {
            let axis = if chart.shared {
                all
            } else {
                Axis::of(row.five.into_iter().chain(row.mark))
            };
            let x = |v: f64| super::px(x0 + axis.at(v) * (x1 - x0));
            for line in text::wrap(&row.label, LABEL * 1.1, max).into_iter().take(2) {
                pen.text(&line, (PAD, y + 9), LABEL, HPos::Left, true, &INK);
                y += 18;
            }
            let mid = y + 13;
            let [lo, q1, med, q3, hi] = row.five;
            pen.line(vec![(x(lo), mid), (x(hi), mid)], AXIS, 2);
            for end in [lo, hi] {
                pen.line(vec![(x(end), mid - 5), (x(end), mid + 5)], AXIS, 2);
            }
            let (b0, b1) = (x(q1), x(q3).max(x(q1) + 2));
            pen.rect((b0, mid - 7), (b1, mid + 7), tint(MUTED, 0.3), true);
            pen.rect((b0, mid - 7), (b1, mid + 7), MUTED, false);
            pen.line(vec![(x(med), mid - 10), (x(med), mid + 10)], INK, 3);
            if let Some(v) = row.mark {
                pen.shape((x(v), mid), Shape::Diamond, colour(row.colour), true);
            }
            y += 28;
            for line in text::wrap(&row.caption, SMALL, max).into_iter().take(3) {
                pen.text(&line, (PAD, y + 6), SMALL, HPos::Left, false, &MUTED);
                y += 16;
            }
            y += 10;
        }
        y + 4
    })
}

/// Lowest, lower quartile, median, upper quartile and highest of `values` (finite ones only;
/// all zero when there are none).
pub fn five_numbers(values: &[f64]) -> [f64; 5] {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return [0.0; 5];
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let pos = p * (v.len() - 1) as f64;
        let (i, f) = (pos.floor() as usize, pos.fract());
        let next = v[(i + 1).min(v.len() - 1)];
        v[i] + (next - v[i]) * f
    };
    [v[0], q(0.25), q(0.5), q(0.75), v[v.len() - 1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_numbers_of_a_list() {
        assert_eq!(
            five_numbers(&[1.0, 2.0, 3.0, 4.0, 5.0]),
            [1.0, 2.0, 3.0, 4.0, 5.0]
        );
        assert_eq!(five_numbers(&[f64::NAN, 7.0]), [7.0; 5]);
        assert_eq!(five_numbers(&[]), [0.0; 5]);
    }

    #[test]
    fn a_strip_has_the_same_size_for_5_and_5000_places() {
        let row = |n: usize| {
            let values: Vec<f64> = (0..n).map(|i| i as f64).collect();
            Strips {
                legend: vec![],
                rows: vec![Strip {
                    label: "Skilled share".into(),
                    five: five_numbers(&values),
                    mark: Some(3.0),
                    colour: 0,
                    caption: "Rank 2 of N".into(),
                }],
                shared: false,
            }
        };
        let a = strips(&row(5), super::super::WIDTH);
        let b = strips(&row(5000), super::super::WIDTH);
        assert_eq!(a.height, b.height);
        assert!(b.body.len() <= a.body.len() + 40);
    }
}
