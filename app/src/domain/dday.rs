use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Days left until a project's end date, as Korean crowdfunding sites show
/// it: `D-12`, `D-Day` on the end date itself, `Ended` afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DDay {
    DaysLeft(i64),
    Today,
    Ended,
}

impl DDay {
    /// `today` must already be the date in the configured time zone.
    pub fn between(today: NaiveDate, end_date: NaiveDate) -> Self {
        Self::from_days_left(days_left(today, end_date))
    }

    /// From a signed day count: positive before the end date, 0 on it,
    /// negative after it (the form the REST API uses).
    pub fn from_days_left(days: i64) -> Self {
        match days {
            0 => DDay::Today,
            n if n > 0 => DDay::DaysLeft(n),
            _ => DDay::Ended,
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, DDay::Ended)
    }
}

/// Whole calendar days from `today` to `end_date`; negative once it passed.
pub fn days_left(today: NaiveDate, end_date: NaiveDate) -> i64 {
    end_date.signed_duration_since(today).num_days()
}

impl fmt::Display for DDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DDay::DaysLeft(n) => write!(f, "D-{n}"),
            DDay::Today => f.write_str("D-Day"),
            DDay::Ended => f.write_str("Ended"),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::DDay;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn counts_days_before_the_end_date() {
        assert_eq!(
            DDay::between(date(2026, 11, 24), date(2026, 12, 6)).to_string(),
            "D-12"
        );
        assert_eq!(
            DDay::between(date(2026, 11, 24), date(2026, 11, 25)).to_string(),
            "D-1"
        );
    }

    #[test]
    fn end_date_itself_is_d_day() {
        assert_eq!(
            DDay::between(date(2026, 11, 24), date(2026, 11, 24)),
            DDay::Today
        );
        assert_eq!(DDay::Today.to_string(), "D-Day");
    }

    #[test]
    fn after_the_end_date_it_has_ended() {
        assert_eq!(
            DDay::between(date(2026, 11, 25), date(2026, 11, 24)),
            DDay::Ended
        );
        assert!(!DDay::Ended.is_open());
        assert_eq!(DDay::Ended.to_string(), "Ended");
    }

    #[test]
    fn crosses_month_year_and_leap_day() {
        assert_eq!(
            DDay::between(date(2026, 12, 31), date(2027, 1, 1)),
            DDay::DaysLeft(1)
        );
        assert_eq!(
            DDay::between(date(2028, 2, 28), date(2028, 3, 1)),
            DDay::DaysLeft(2)
        );
    }
}
