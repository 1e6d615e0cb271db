//! Property tests: every drawing function ends, with an output of bounded size, whatever
//! numbers it is given (NaN, infinities, huge, tiny, negative). Validation rejects such numbers
//! before they reach a chart; the drawing code does not rely on it.

use super::*;
use proptest::prelude::*;

fn any_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(0.0),
        -1.0e12..1.0e12f64,
        any::<f64>(),
    ]
}

/// An SVG no larger than this, for the few rows below.
const BOUND: usize = 400_000;

fn style(i: u8) -> Style {
    match i % 3 {
        0 => Style::Solid,
        1 => Style::Striped,
        _ => Style::Hollow,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn bars_end_with_bounded_output(
        values in proptest::collection::vec((any_number(), any_number(), any::<u8>()), 1..8),
        log in any::<bool>(),
    ) {
        let rows = values
            .iter()
            .map(|(v, to, s)| Row::Bar(Bar {
                label: "Place · figure".into(),
                segs: vec![Seg { value: *v, colour: *s as usize, style: style(*s) }],
                to: Some(*to),
                text: format!("{v}"),
            }))
            .collect();
        let chart = Bars {
            legend: vec![],
            panels: vec![Panel { heading: None, log, axis: "x".into(), rows, note: None }],
        };
        for width in [WIDTH, NARROW] {
            let svg = bars(&chart, &|v| format!("{v}"), width);
            prop_assert!(svg.body.len() < BOUND, "{} bytes", svg.body.len());
            prop_assert!(svg.height < 10_000);
        }
    }

    #[test]
    fn timelines_end_with_bounded_output(
        rows in proptest::collection::vec((any_number(), any_number(), any_number()), 1..6),
    ) {
        let chart = Timeline {
            legend: vec![],
            rows: rows
                .iter()
                .map(|(start, end, at)| TimeRow {
                    label: "Place".into(),
                    colour: 0,
                    start: *start,
                    end: *end,
                    marks: vec![TimeMark { at: *at, shape: Shape::Diamond, text: "1".into() }],
                })
                .collect(),
        };
        for width in [WIDTH, NARROW] {
            let svg = timeline(&chart, width);
            prop_assert!(svg.body.len() < BOUND, "{} bytes", svg.body.len());
        }
    }

    #[test]
    fn strips_end_with_bounded_output(
        values in proptest::collection::vec(any_number(), 0..50),
        mark in any_number(),
        shared in any::<bool>(),
    ) {
        let chart = Strips {
            legend: vec![],
            rows: vec![
                Strip { label: "A".into(), five: five_numbers(&values), mark: Some(mark), colour: 1, caption: "c".into() },
                Strip { label: "B".into(), five: [mark, f64::NAN, 0.0, f64::INFINITY, -1.0], mark: None, colour: 0, caption: "d".into() },
            ],
            shared,
        };
        for width in [WIDTH, NARROW] {
            let svg = strips(&chart, width);
            prop_assert!(svg.body.len() < BOUND, "{} bytes", svg.body.len());
        }
    }
}
