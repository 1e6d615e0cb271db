//! Checks on observations and baselines, wherever they were written: a source the programme
//! does not list, two observations of one date, a value the unit cannot have. Errors name the
//! file and the line and field (YAML) or the row and column (tables). Dates outside the
//! period or after today only warn.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{cell_error, SourceMap};
use crate::model::*;
use std::collections::BTreeMap;

/// Which cell of an observation a problem is in.
#[derive(Clone, Copy)]
enum Col {
    AsOf,
    Value,
    Source,
}

fn place(sources: &SourceMap, d: Diagnostic, o: &Observation, col: Col) -> Diagnostic {
    match o.row {
        Some(row) => {
            let (c, name) = match col {
                Col::AsOf => (row.as_of, "as_of"),
                Col::Value => (row.value, "value"),
                Col::Source => (row.source, "source"),
            };
            let text = sources.text(&o.origin.file);
            cell_error(text, d, &o.origin.file, row.line, c, name)
        }
        None => {
            let name = match col {
                Col::AsOf => "as_of",
                Col::Value => "value",
                Col::Source => "source",
            };
            sources.diag(d, &o.origin.file, &format!("{}.{name}", o.origin.path))
        }
    }
}

/// Why a value cannot be right for a unit, if it cannot.
pub fn implausible(value: f64, unit: Unit) -> Option<String> {
    if !value.is_finite() {
        return Some("the value is not a finite number".into());
    }
    // 1.7e308, not 309 digits.
    let shown = crate::diagnostics::number(value);
    match unit {
        Unit::Percent if !(0.0..=100.0).contains(&value) => Some(format!(
            "{shown} is not a share: a percentage runs from 0 to 100"
        )),
        Unit::Rank if value < 1.0 => Some(format!("{shown} is not a rank: ranks start at 1")),
        _ if value < 0.0 => Some(format!(
            "{shown} is negative, which a count of {} cannot be",
            unit.id()
        )),
        _ if value > crate::validate::MAX_VALUE => Some(format!("{shown} is implausibly large")),
        _ => None,
    }
}

/// `today` is the build date, for the warning about observations from the future.
pub fn check(model: &Model, sources: &SourceMap, today: (i32, u32, u32)) -> Diagnostics {
    let mut out = Diagnostics::new();
    for p in &model.programmes {
        let source_ids: Vec<&str> = p.sources.iter().map(|s| s.id.as_str()).collect();
        let unknown_source = |id: &str| {
            Diagnostic::error(format!("{id:?} is not a source of programme {:?}", p.id)).help(
                format!(
                    "use one of the sources listed in {}: {}",
                    p.origin.file.display(),
                    source_ids.join(", ")
                ),
            )
        };
        for t in &p.targets {
            if let Some(b) = &t.baseline {
                let field = format!("{}.baseline", t.origin.path);
                if !source_ids.contains(&b.source.as_str()) {
                    out.push(sources.diag(
                        unknown_source(&b.source),
                        &t.origin.file,
                        &format!("{field}.source"),
                    ));
                }
                if let Some(why) = implausible(b.value, t.unit) {
                    out.push(sources.diag(
                        Diagnostic::error(why).help("check the unit of the target and the number"),
                        &t.origin.file,
                        &format!("{field}.value"),
                    ));
                }
            }
            let mut seen: BTreeMap<&PartialDate, &Observation> = BTreeMap::new();
            for o in &t.progress {
                if !source_ids.contains(&o.source.as_str()) {
                    out.push(place(sources, unknown_source(&o.source), o, Col::Source));
                }
                if let Some(why) = implausible(o.value, t.unit) {
                    let d =
                        Diagnostic::error(format!("{why} (target {} is in {})", t.id, t.unit.id()))
                            .help("check the number and the unit of the target");
                    out.push(place(sources, d, o, Col::Value));
                }
                if let Some(first) = seen.insert(&o.as_of, o) {
                    let d = Diagnostic::error(format!(
                        "target {} has two observations for {}",
                        t.id, o.as_of
                    ))
                    .help(format!(
                        "the other is at {} {}; keep one observation per date",
                        first.origin.file.display(),
                        first.origin.path
                    ));
                    out.push(place(sources, d, o, Col::AsOf));
                }
                if o.as_of.end() < p.period.start.start() {
                    let d = Diagnostic::warning(format!(
                        "{} is before the programme's period ({}–{})",
                        o.as_of, p.period.start, p.period.end
                    ))
                    .help("an observation before the period can serve as a baseline: write it as `baseline:` on the target");
                    out.push(place(sources, d, o, Col::AsOf));
                }
                if o.as_of.start() > today {
                    let d = Diagnostic::warning(format!(
                        "{} is after today ({:04}-{:02}-{:02})",
                        o.as_of, today.0, today.1, today.2
                    ))
                    .help("check the year: observations report what has happened");
                    out.push(place(sources, d, o, Col::AsOf));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observed_values_are_bounded_and_shown_short() {
        assert_eq!(
            implausible(1.7e308, Unit::Persons).as_deref(),
            Some("1.7e308 is implausibly large")
        );
        assert!(implausible(f64::INFINITY, Unit::Persons).is_some());
        assert_eq!(implausible(92000.0, Unit::Persons), None);
    }
}
