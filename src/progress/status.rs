//! The progress rule, as pure functions of numbers and day counts, so each case can be tested
//! on its own. The method page states the same rule in words (`content/commentary/method.*`).
//!
//! * Dates: an observation or deadline counts from the **end** of what it names (a year = its
//!   31 December, a year-month = its last day). The assessment is made as of the latest
//!   observation, never the build date, so a build is reproducible.
//! * **Level or share** by a date: ratio = actual change since the baseline ÷ change needed by
//!   the latest observation on a **straight line** from the baseline to the target. Straight,
//!   not compound: most targets are shares, which are bounded and do not grow by a rate; a
//!   compound path is undefined from a baseline of zero; and a straight line is what a reader
//!   can check with a ruler on the chart.
//! * **Count** over a period (a metric that `accumulates`): observations are cumulative since
//!   the period began, from zero; needed = target × share of the period elapsed.
//! * **Per-year quota**: each year's value against the quota; while the period runs the status
//!   follows the latest year, at the end it is achieved only if every reported year met it.
//! * Ratio bands (Open SDG's): ≥ 0.95 on track, ≥ 0.6 moderate, ≥ 0 limited, < 0 moving away.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Achieved,
    OnTrack,
    Moderate,
    Limited,
    MovingAway,
    Missed,
    NotAssessed,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Achieved,
        Status::OnTrack,
        Status::Moderate,
        Status::Limited,
        Status::MovingAway,
        Status::Missed,
        Status::NotAssessed,
    ];
    pub fn id(self) -> &'static str {
        match self {
            Status::Achieved => "achieved",
            Status::OnTrack => "on_track",
            Status::Moderate => "moderate",
            Status::Limited => "limited",
            Status::MovingAway => "moving_away",
            Status::Missed => "missed",
            Status::NotAssessed => "not_assessed",
        }
    }
    /// The English label, as the change report prints it ("on track").
    pub fn words(self) -> &'static str {
        match self {
            Status::Achieved => "achieved",
            Status::OnTrack => "on track",
            Status::Moderate => "moderate",
            Status::Limited => "limited",
            Status::MovingAway => "moving away",
            Status::Missed => "missed",
            Status::NotAssessed => "not assessed",
        }
    }
    pub fn from_id(id: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.id() == id)
    }
}

/// Why a status is what it is; each has a sentence in the theme's strings (`why_<id>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The figure is a current figure, not a target.
    NotATarget,
    NoData,
    /// A level with one observation and no baseline: no change can be measured.
    SingleObservation,
    /// No observation later than the baseline.
    NoLaterObservation,
    /// The baseline is at or after the deadline.
    BaselineAtDeadline,
    Reached,
    DeadlineMissed,
    /// The ratio of actual to needed progress decides.
    Ratio,
    /// The baseline already met the target and the latest value no longer does.
    LeftTarget,
    /// A per-year quota: the latest year's value against the quota.
    LatestYear,
    EveryYearMet,
    AYearMissed,
    /// A count with a ceiling (≤): within it so far, or over it.
    WithinCap,
    OverCap,
}

impl Reason {
    pub fn id(self) -> &'static str {
        match self {
            Reason::NotATarget => "not_a_target",
            Reason::NoData => "no_data",
            Reason::SingleObservation => "single_observation",
            Reason::NoLaterObservation => "no_later_observation",
            Reason::BaselineAtDeadline => "baseline_at_deadline",
            Reason::Reached => "reached",
            Reason::DeadlineMissed => "deadline_missed",
            Reason::Ratio => "ratio",
            Reason::LeftTarget => "left_target",
            Reason::LatestYear => "latest_year",
            Reason::EveryYearMet => "every_year_met",
            Reason::AYearMissed => "a_year_missed",
            Reason::WithinCap => "within_cap",
            Reason::OverCap => "over_cap",
        }
    }
}

/// Which rule applies to a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Level,
    Count,
    Quota,
}

impl Rule {
    pub fn id(self) -> &'static str {
        match self {
            Rule::Level => "level",
            Rule::Count => "count",
            Rule::Quota => "quota",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// A value at a day (days since 1970-01-01, the last day its date names).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub day: i64,
    pub value: f64,
}

/// Everything the rule needs about one figure.
#[derive(Debug, Clone)]
pub struct Input {
    pub rule: Rule,
    /// From the comparator: ≥ up, ≤ down; `None` for = and ~ (from baseline to target).
    pub direction: Option<Direction>,
    pub target: f64,
    /// The last day before the period starts (counts are zero then).
    pub start: i64,
    /// The last day of the deadline.
    pub deadline: i64,
    pub baseline: Option<Point>,
    /// Sorted by day.
    pub observations: Vec<Point>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Assessment {
    pub status: Status,
    pub reason: Reason,
    /// Actual ÷ needed progress, where the rule uses one.
    pub ratio: Option<f64>,
    /// The value needed by the latest observation's date, where the rule has one.
    pub needed: Option<f64>,
}

impl Assessment {
    fn new(status: Status, reason: Reason) -> Self {
        Assessment {
            status,
            reason,
            ratio: None,
            needed: None,
        }
    }
    pub fn not_assessed(reason: Reason) -> Self {
        Self::new(Status::NotAssessed, reason)
    }
}

/// Open SDG's thresholds on the ratio of actual to needed progress.
pub fn band(ratio: f64) -> Status {
    if ratio >= 0.95 {
        Status::OnTrack
    } else if ratio >= 0.6 {
        Status::Moderate
    } else if ratio >= 0.0 {
        Status::Limited
    } else {
        Status::MovingAway
    }
}

/// Days since 1970-01-01 of a calendar date (proleptic Gregorian).
pub fn day_number((y, m, d): (i32, u32, u32)) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn meets(v: f64, target: f64, dir: Direction) -> bool {
    match dir {
        Direction::Up => v >= target,
        Direction::Down => v <= target,
    }
}

pub fn assess(input: &Input) -> Assessment {
    let Some(latest) = input.observations.last().copied() else {
        return Assessment::not_assessed(Reason::NoData);
    };
    match input.rule {
        Rule::Level => level(input, latest),
        Rule::Count => count(input, latest),
        Rule::Quota => quota(input, latest),
    }
}

fn level(input: &Input, latest: Point) -> Assessment {
    let baseline = match input.baseline {
        Some(b) => b,
        None if input.observations.len() < 2 => {
            return Assessment::not_assessed(Reason::SingleObservation)
        }
        None => input.observations[0],
    };
    let dir = input.direction.unwrap_or(if input.target < baseline.value {
        Direction::Down
    } else {
        Direction::Up
    });
    if meets(latest.value, input.target, dir) {
        return Assessment::new(Status::Achieved, Reason::Reached);
    }
    if latest.day >= input.deadline {
        return Assessment::new(Status::Missed, Reason::DeadlineMissed);
    }
    if meets(baseline.value, input.target, dir) {
        return Assessment::new(Status::MovingAway, Reason::LeftTarget);
    }
    if input.deadline <= baseline.day {
        return Assessment::not_assessed(Reason::BaselineAtDeadline);
    }
    if latest.day <= baseline.day {
        return Assessment::not_assessed(Reason::NoLaterObservation);
    }
    let share = (latest.day - baseline.day) as f64 / (input.deadline - baseline.day) as f64;
    let needed_change = (input.target - baseline.value) * share;
    let ratio = (latest.value - baseline.value) / needed_change;
    Assessment {
        status: band(ratio),
        reason: Reason::Ratio,
        ratio: Some(ratio),
        needed: Some(baseline.value + needed_change),
    }
}

fn count(input: &Input, latest: Point) -> Assessment {
    if input.direction == Some(Direction::Down) {
        // A ceiling on a running total: once over it, it stays over.
        return if latest.value > input.target {
            Assessment::new(Status::Missed, Reason::OverCap)
        } else if latest.day >= input.deadline {
            Assessment::new(Status::Achieved, Reason::Reached)
        } else {
            Assessment::new(Status::OnTrack, Reason::WithinCap)
        };
    }
    if latest.value >= input.target {
        return Assessment::new(Status::Achieved, Reason::Reached);
    }
    if latest.day >= input.deadline {
        return Assessment::new(Status::Missed, Reason::DeadlineMissed);
    }
    if input.deadline <= input.start || latest.day <= input.start {
        return Assessment::not_assessed(Reason::NoLaterObservation);
    }
    let share = (latest.day - input.start) as f64 / (input.deadline - input.start) as f64;
    let needed = input.target * share;
    let ratio = latest.value / needed;
    Assessment {
        status: band(ratio),
        reason: Reason::Ratio,
        ratio: Some(ratio),
        needed: Some(needed),
    }
}

fn quota(input: &Input, latest: Point) -> Assessment {
    let dir = input.direction.unwrap_or(Direction::Up);
    if latest.day >= input.deadline {
        let all = input
            .observations
            .iter()
            .all(|o| meets(o.value, input.target, dir));
        return if all {
            Assessment::new(Status::Achieved, Reason::EveryYearMet)
        } else {
            Assessment::new(Status::Missed, Reason::AYearMissed)
        };
    }
    let ratio = match dir {
        Direction::Up if input.target > 0.0 => latest.value / input.target,
        Direction::Down if latest.value > 0.0 => input.target / latest.value,
        _ => 1.0,
    };
    let status = if meets(latest.value, input.target, dir) {
        Status::OnTrack
    } else {
        band(ratio)
    };
    Assessment {
        status,
        reason: Reason::LatestYear,
        ratio: Some(ratio),
        needed: Some(input.target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32) -> i64 {
        day_number((y, 12, 31))
    }
    fn pt(y: i32, v: f64) -> Point {
        Point {
            day: day(y),
            value: v,
        }
    }
    /// A share target of 40 by 2025 from 30 at the end of 2020.
    fn share(obs: Vec<Point>) -> Input {
        Input {
            rule: Rule::Level,
            direction: Some(Direction::Up),
            target: 40.0,
            start: day(2020),
            deadline: day(2025),
            baseline: Some(pt(2020, 30.0)),
            observations: obs,
        }
    }

    #[test]
    fn day_numbers_follow_the_calendar() {
        assert_eq!(day_number((1970, 1, 1)), 0);
        assert_eq!(day_number((2024, 12, 31)) - day_number((2024, 1, 1)), 365);
        assert_eq!(day_number((2000, 3, 1)) - day_number((2000, 2, 28)), 2);
    }

    #[test]
    fn bands_use_open_sdg_thresholds() {
        assert_eq!(band(0.95), Status::OnTrack);
        assert_eq!(band(0.9499), Status::Moderate);
        assert_eq!(band(0.6), Status::Moderate);
        assert_eq!(band(0.5999), Status::Limited);
        assert_eq!(band(0.0), Status::Limited);
        assert_eq!(band(-0.01), Status::MovingAway);
    }

    #[test]
    fn a_share_on_a_straight_line() {
        // Two of five years gone: 34 needed, ratio = actual / needed change.
        let a = assess(&share(vec![pt(2022, 34.0)]));
        assert_eq!(a.status, Status::OnTrack);
        assert!((a.ratio.unwrap() - 1.0).abs() < 0.01, "{a:?}");
        assert!((a.needed.unwrap() - 34.0).abs() < 0.01);
        assert_eq!(
            assess(&share(vec![pt(2022, 33.0)])).status,
            Status::Moderate
        );
        assert_eq!(assess(&share(vec![pt(2022, 31.0)])).status, Status::Limited);
        assert_eq!(
            assess(&share(vec![pt(2022, 29.0)])).status,
            Status::MovingAway
        );
        assert_eq!(
            assess(&share(vec![pt(2024, 41.0)])).status,
            Status::Achieved
        );
        let missed = assess(&share(vec![pt(2025, 39.0)]));
        assert_eq!(
            (missed.status, missed.reason),
            (Status::Missed, Reason::DeadlineMissed)
        );
    }

    #[test]
    fn the_latest_observation_decides_not_the_order_given() {
        let a = assess(&share(vec![pt(2021, 29.0), pt(2022, 34.0)]));
        assert_eq!(a.status, Status::OnTrack);
    }

    #[test]
    fn a_level_without_baseline_needs_two_observations() {
        let mut i = share(vec![pt(2022, 34.0)]);
        i.baseline = None;
        assert_eq!(assess(&i).reason, Reason::SingleObservation);
        i.observations = vec![pt(2020, 30.0), pt(2022, 34.0)];
        assert_eq!(assess(&i).status, Status::OnTrack);
        i.observations.clear();
        assert_eq!(assess(&i).reason, Reason::NoData);
    }

    #[test]
    fn a_downward_target_takes_its_direction() {
        // ≤ 10 from 20: falling is progress.
        let mut i = share(vec![pt(2022, 16.0)]);
        i.direction = Some(Direction::Down);
        i.target = 10.0;
        i.baseline = Some(pt(2020, 20.0));
        assert_eq!(assess(&i).status, Status::OnTrack);
        // "=" takes its direction from baseline towards the target.
        i.direction = None;
        assert_eq!(assess(&i).status, Status::OnTrack);
        i.observations = vec![pt(2022, 22.0)];
        assert_eq!(assess(&i).status, Status::MovingAway);
    }

    fn count(obs: Vec<Point>) -> Input {
        Input {
            rule: Rule::Count,
            direction: Some(Direction::Up),
            target: 1000.0,
            start: day(2020),
            deadline: day(2024),
            baseline: None,
            observations: obs,
        }
    }

    #[test]
    fn a_count_is_cumulative_from_zero() {
        // Half the period gone: 500 needed. One observation is enough.
        let a = assess(&count(vec![pt(2022, 500.0)]));
        assert_eq!(a.status, Status::OnTrack);
        assert!((a.needed.unwrap() - 500.0).abs() < 1.0);
        assert_eq!(
            assess(&count(vec![pt(2022, 400.0)])).status,
            Status::Moderate
        );
        assert_eq!(
            assess(&count(vec![pt(2022, 100.0)])).status,
            Status::Limited
        );
        assert_eq!(
            assess(&count(vec![pt(2023, 1000.0)])).status,
            Status::Achieved
        );
        assert_eq!(assess(&count(vec![pt(2024, 900.0)])).status, Status::Missed);
    }

    fn quota(obs: Vec<Point>) -> Input {
        Input {
            rule: Rule::Quota,
            target: 100.0,
            ..count(obs)
        }
    }

    #[test]
    fn a_quota_follows_the_latest_year_then_every_year() {
        assert_eq!(
            assess(&quota(vec![pt(2021, 120.0)])).status,
            Status::OnTrack
        );
        assert_eq!(
            assess(&quota(vec![pt(2021, 120.0), pt(2022, 70.0)])).status,
            Status::Moderate
        );
        assert_eq!(assess(&quota(vec![pt(2022, 30.0)])).status, Status::Limited);
        let all = quota(vec![
            pt(2021, 100.0),
            pt(2022, 110.0),
            pt(2023, 100.0),
            pt(2024, 101.0),
        ]);
        assert_eq!(assess(&all).status, Status::Achieved);
        let one_short = quota(vec![pt(2021, 99.0), pt(2024, 150.0)]);
        let a = assess(&one_short);
        assert_eq!((a.status, a.reason), (Status::Missed, Reason::AYearMissed));
    }

    #[test]
    fn status_ids_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::from_id(s.id()), Some(s));
        }
    }
}
