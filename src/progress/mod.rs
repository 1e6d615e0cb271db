//! Progress against targets: which rule applies to a figure, its observations in date order,
//! and its status (`status` holds the rule itself). Pure functions of the model: the same
//! content always gives the same statuses, whatever day the site is built.

pub mod check;
pub mod status;

use crate::model::*;
use status::{Assessment, Direction, Input, Point, Reason, Rule, Status};

/// A figure's progress: the rule, the observations in date order, the baseline and the status.
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    pub rule: Rule,
    pub observations: Vec<&'a Observation>,
    /// Where progress is measured from: (date, value), for levels.
    pub baseline: Option<(PartialDate, f64)>,
    pub assessment: Assessment,
}

impl Progress<'_> {
    pub fn status(&self) -> Status {
        self.assessment.status
    }
    pub fn latest(&self) -> Option<&Observation> {
        self.observations.last().copied()
    }
}

/// The rule for a figure: per-year quotas, counts of a metric that accumulates, else levels.
pub fn rule(model: &Model, t: &Target) -> Rule {
    if t.per == Per::Year {
        Rule::Quota
    } else if model.metric(&t.metric).is_some_and(|m| m.accumulates) {
        Rule::Count
    } else {
        Rule::Level
    }
}

fn day(d: &PartialDate) -> i64 {
    status::day_number(d.end())
}

/// The baseline: the target's own, else a current figure of the same metric and unit in the
/// same programme dated before the first observation (as the source documents give them).
fn baseline(p: &Programme, t: &Target, first: Option<&Observation>) -> Option<(PartialDate, f64)> {
    if let Some(b) = &t.baseline {
        return Some((b.as_of.clone(), b.value));
    }
    let first = first?;
    p.targets
        .iter()
        .filter(|s| {
            s.kind == FigureKind::Status && s.metric == t.metric && s.unit == t.unit && s.id != t.id
        })
        .filter_map(|s| Some((s.as_of.clone()?, s.value)))
        .filter(|(d, _)| day(d) < day(&first.as_of))
        .max_by_key(|(d, _)| day(d))
}

/// The progress of figure `t` of programme `p`, using the first `limit` observations (all
/// when `None`): `history` replays the status as each observation came in.
fn progress_upto<'a>(
    model: &Model,
    p: &Programme,
    t: &'a Target,
    limit: Option<usize>,
) -> Progress<'a> {
    let mut observations: Vec<&Observation> = t.progress.iter().collect();
    observations.sort_by_key(|o| day(&o.as_of));
    if let Some(n) = limit {
        observations.truncate(n);
    }
    let rule = rule(model, t);
    let baseline = match rule {
        Rule::Level => baseline(p, t, observations.first().copied()),
        _ => None,
    };
    let assessment = if t.kind == FigureKind::Status {
        Assessment::not_assessed(Reason::NotATarget)
    } else {
        let deadline = t.deadline.as_ref().unwrap_or(&p.period.end);
        let input = Input {
            rule,
            direction: match t.comparator {
                Comparator::AtLeast => Some(Direction::Up),
                Comparator::AtMost => Some(Direction::Down),
                Comparator::Exactly | Comparator::About => None,
            },
            target: t.value,
            start: status::day_number(p.period.start.start()) - 1,
            deadline: day(deadline),
            baseline: baseline.as_ref().map(|(d, v)| Point {
                day: day(d),
                value: *v,
            }),
            observations: observations
                .iter()
                .map(|o| Point {
                    day: day(&o.as_of),
                    value: o.value,
                })
                .collect(),
        };
        status::assess(&input)
    };
    Progress {
        rule,
        observations,
        baseline,
        assessment,
    }
}

pub fn progress<'a>(model: &Model, p: &Programme, t: &'a Target) -> Progress<'a> {
    progress_upto(model, p, t, None)
}

/// Each change of status as the observations came in: (date of the observation, from, to).
pub fn history(model: &Model, p: &Programme, t: &Target) -> Vec<(PartialDate, Status, Status)> {
    let n = t.progress.len();
    let mut out = Vec::new();
    let mut previous = progress_upto(model, p, t, Some(0)).status();
    for k in 1..=n {
        let now = progress_upto(model, p, t, Some(k));
        if now.status() != previous {
            if let Some(o) = now.latest() {
                out.push((o.as_of.clone(), previous, now.status()));
            }
        }
        previous = now.status();
    }
    out
}

/// How many figures of a programme have each status, in the order of `Status::ALL`.
pub fn summary(model: &Model, p: &Programme) -> Vec<(Status, usize)> {
    let statuses: Vec<Status> = p
        .targets
        .iter()
        .filter(|t| t.kind == FigureKind::Target)
        .map(|t| progress(model, p, t).status())
        .collect();
    Status::ALL
        .into_iter()
        .map(|s| (s, statuses.iter().filter(|x| **x == s).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Today's date (UTC), for the warning about observations dated in the future; never used
/// for a status.
pub fn today() -> (i32, u32, u32) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    crate::load::civil_from_days((secs / 86_400) as i64)
}
