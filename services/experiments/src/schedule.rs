//! What is due when: progress reports by period, late milestones, indicators
//! on or off target.

use qmi_api::experiments::{Day, Direction, ReportState};

/// One reporting period of an experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    /// Its first day.
    pub starts: Day,
    /// The day its report is due (the period's last day).
    pub due: Day,
}

/// The reporting periods of an experiment run from `starts` to `ends`, one
/// every `every` months (none when `every` is 0), that have begun by `today`.
pub fn periods(starts: Day, ends: Day, every: u32, today: Day) -> Vec<Period> {
    let mut out = Vec::new();
    if every == 0 {
        return out;
    }
    let mut k = 0u32;
    loop {
        let begin = starts.add_months(k * every);
        if begin > today || begin > ends {
            break;
        }
        let next = starts.add_months((k + 1) * every);
        let due = Day::from_days(next.days() - 1).min(ends);
        out.push(Period { starts: begin, due });
        k += 1;
        if k > 1200 {
            break;
        }
    }
    out
}

/// Where the report of `period` stands on `today`, given whether it was sent.
pub fn report_state(period: Period, sent: bool, today: Day) -> ReportState {
    if sent {
        ReportState::Sent
    } else if today > period.due {
        ReportState::Overdue
    } else {
        ReportState::Due
    }
}

/// Whether a milestone planned on `planned` and done on `done` is late on `today`.
pub fn milestone_late(planned: Day, done: Option<Day>, today: Day) -> bool {
    done.is_none() && planned < today
}

/// Whether `value` reaches `target` for an indicator improving in `direction`.
pub fn on_target(value: f64, target: f64, direction: Direction) -> bool {
    match direction {
        Direction::Higher => value >= target,
        Direction::Lower => value <= target,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test")]

    use super::*;

    fn d(s: &str) -> Day {
        s.parse().unwrap()
    }

    #[test]
    fn quarterly_periods_up_to_today() {
        let p = periods(d("2026-01-15"), d("2027-07-15"), 3, d("2026-08-01"));
        assert_eq!(p.len(), 3);
        assert_eq!((p[0].starts, p[0].due), (d("2026-01-15"), d("2026-04-14")));
        assert_eq!((p[2].starts, p[2].due), (d("2026-07-15"), d("2026-10-14")));
        assert!(periods(d("2026-01-15"), d("2027-07-15"), 0, d("2026-08-01")).is_empty());
        assert!(periods(d("2026-09-01"), d("2027-07-15"), 3, d("2026-08-01")).is_empty());
    }

    #[test]
    fn the_last_period_ends_with_the_experiment() {
        let p = periods(d("2026-01-01"), d("2026-05-31"), 3, d("2027-01-01"));
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].due, d("2026-05-31"));
    }

    #[test]
    fn reports_are_due_then_overdue_unless_sent() {
        let p = Period {
            starts: d("2026-01-01"),
            due: d("2026-03-31"),
        };
        assert_eq!(report_state(p, false, d("2026-03-31")), ReportState::Due);
        assert_eq!(
            report_state(p, false, d("2026-04-01")),
            ReportState::Overdue
        );
        assert_eq!(report_state(p, true, d("2026-09-01")), ReportState::Sent);
    }

    #[test]
    fn late_milestones_and_targets() {
        assert!(milestone_late(d("2026-01-01"), None, d("2026-01-02")));
        assert!(!milestone_late(d("2026-01-01"), None, d("2026-01-01")));
        assert!(!milestone_late(
            d("2026-01-01"),
            Some(d("2026-02-01")),
            d("2026-03-01")
        ));
        assert!(on_target(10.0, 10.0, Direction::Higher));
        assert!(!on_target(9.0, 10.0, Direction::Higher));
        assert!(on_target(9.0, 10.0, Direction::Lower));
    }
}
