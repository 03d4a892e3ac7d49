use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount of Korean won. Always an integer: the won has no minor unit and
/// money must never pass through floating point.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn won(amount: i64) -> Self {
        Money(amount)
    }

    pub const fn as_won(self) -> i64 {
        self.0
    }

    /// An amount as a person types it: `50000`, `50,000`, `₩50,000` or
    /// `50,000원`. `None` for anything else (signs, decimals, letters) and
    /// for more than an `i64` holds: never a guess.
    pub fn parse_typed(text: &str) -> Option<Money> {
        match Self::read_typed(text) {
            TypedAmount::Amount(amount) => Some(amount),
            TypedAmount::TooLarge | TypedAmount::NotAnAmount => None,
        }
    }

    /// Like [`Money::parse_typed`], telling a number too large to hold
    /// (certainly above any bound) from text that is no amount at all.
    pub fn read_typed(text: &str) -> TypedAmount {
        let digits: String = text
            .trim()
            .trim_start_matches('₩')
            .trim_end_matches('원')
            .chars()
            .filter(|c| !matches!(c, ',' | ' '))
            .collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return TypedAmount::NotAnAmount;
        }
        digits
            .parse()
            .map_or(TypedAmount::TooLarge, |won| TypedAmount::Amount(Money(won)))
    }

    /// `None` on overflow, so a caller can never silently wrap a balance.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }
}

/// What typed text says as an amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypedAmount {
    Amount(Money),
    /// Only digits, but more than any amount Moa holds.
    TooLarge,
    NotAnAmount,
}

/// `₩1,500,000`; negative amounts as `-₩5,000`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let digits = self.0.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        write!(f, "{sign}₩{grouped}")
    }
}

#[cfg(test)]
mod tests {
    use super::Money;

    #[test]
    fn formats_with_thousands_separators() {
        assert_eq!(Money::won(1_500_000).to_string(), "₩1,500,000");
        assert_eq!(Money::won(10_000).to_string(), "₩10,000");
        assert_eq!(Money::won(999).to_string(), "₩999");
        assert_eq!(Money::won(1_000).to_string(), "₩1,000");
        assert_eq!(Money::ZERO.to_string(), "₩0");
    }

    #[test]
    fn formats_negative_and_extreme_amounts() {
        assert_eq!(Money::won(-5_000).to_string(), "-₩5,000");
        assert_eq!(
            Money::won(i64::MIN).to_string(),
            "-₩9,223,372,036,854,775,808"
        );
        assert_eq!(
            Money::won(i64::MAX).to_string(),
            "₩9,223,372,036,854,775,807"
        );
    }

    #[test]
    fn checked_add_refuses_overflow() {
        assert_eq!(
            Money::won(1).checked_add(Money::won(2)),
            Some(Money::won(3))
        );
        assert_eq!(Money::won(i64::MAX).checked_add(Money::won(1)), None);
    }

    #[test]
    fn serializes_as_a_plain_integer() {
        assert_eq!(
            serde_json::to_string(&Money::won(42_000)).ok().as_deref(),
            Some("42000")
        );
    }
}
