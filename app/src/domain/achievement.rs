use std::fmt;

use serde::{Deserialize, Serialize};

use super::Money;

/// How much of its target a project has raised, in whole percent, rounded
/// down: 999,999 of 1,000,000 is 99 %, not 100 %. It may exceed 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AchievementRate(u64);

impl AchievementRate {
    pub fn of(total: Money, target: Money) -> Self {
        let total = i128::from(total.as_won().max(0));
        let target = i128::from(target.as_won());
        if target <= 0 {
            return AchievementRate(0);
        }
        // i128 keeps `total * 100` exact for every i64 total.
        let percent = total * 100 / target;
        AchievementRate(u64::try_from(percent).unwrap_or(u64::MAX))
    }

    pub const fn percent(self) -> u64 {
        self.0
    }

    /// Width of a progress bar, which stops at full.
    pub fn bar_percent(self) -> u64 {
        self.0.min(100)
    }
}

impl fmt::Display for AchievementRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::{AchievementRate, Money};

    fn rate(total: i64, target: i64) -> u64 {
        AchievementRate::of(Money::won(total), Money::won(target)).percent()
    }

    #[test]
    fn rounds_down() {
        assert_eq!(rate(999_999, 1_000_000), 99);
        assert_eq!(rate(1, 1_000_000), 0);
        assert_eq!(rate(333_333, 1_000_000), 33);
    }

    #[test]
    fn may_exceed_one_hundred() {
        assert_eq!(rate(5_000_000, 1_000_000), 500);
        assert_eq!(rate(1_000_000, 1_000_000), 100);
    }

    #[test]
    fn does_not_overflow_on_huge_totals() {
        assert_eq!(
            rate(i64::MAX, 10_000),
            (i128::from(i64::MAX) * 100 / 10_000) as u64
        );
    }

    #[test]
    fn zero_or_negative_inputs_give_zero() {
        assert_eq!(rate(0, 10_000), 0);
        assert_eq!(rate(5_000, 0), 0);
        assert_eq!(rate(-5_000, 10_000), 0);
    }

    #[test]
    fn progress_bar_stops_at_full() {
        assert_eq!(
            AchievementRate::of(Money::won(30_000), Money::won(10_000)).bar_percent(),
            100
        );
        assert_eq!(
            AchievementRate::of(Money::won(5_000), Money::won(10_000)).bar_percent(),
            50
        );
        assert_eq!(
            AchievementRate::of(Money::won(30_000), Money::won(10_000)).to_string(),
            "300%"
        );
    }
}
