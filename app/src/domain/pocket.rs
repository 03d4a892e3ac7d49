//! Pockets: the wallet an account pays from and is paid into.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{
    Money, TypedAmount,
    problem::{FieldErrors, Problem},
};

pub const DEPOSIT_MIN: Money = Money::won(1_000);
pub const DEPOSIT_MAX: Money = Money::won(10_000_000);
/// The smallest cash-out: any whole won, so a pocket can always be emptied.
/// The most is the balance, which only the database knows for sure.
pub const CASH_OUT_MIN: Money = Money::won(1);

/// Korean banks a pocket can be registered with. The database's check
/// constraint lists the same codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Bank {
    Kb,
    Shinhan,
    Woori,
    Hana,
    Nh,
    Ibk,
    Kakao,
    Toss,
    Kbank,
    Sc,
    Busan,
    Daegu,
}

impl Bank {
    pub const ALL: [Bank; 12] = [
        Bank::Kb,
        Bank::Shinhan,
        Bank::Woori,
        Bank::Hana,
        Bank::Nh,
        Bank::Ibk,
        Bank::Kakao,
        Bank::Toss,
        Bank::Kbank,
        Bank::Sc,
        Bank::Busan,
        Bank::Daegu,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Bank::Kb => "KB",
            Bank::Shinhan => "SHINHAN",
            Bank::Woori => "WOORI",
            Bank::Hana => "HANA",
            Bank::Nh => "NH",
            Bank::Ibk => "IBK",
            Bank::Kakao => "KAKAO",
            Bank::Toss => "TOSS",
            Bank::Kbank => "KBANK",
            Bank::Sc => "SC",
            Bank::Busan => "BUSAN",
            Bank::Daegu => "DAEGU",
        }
    }

    /// The name people know it by.
    pub const fn name(self) -> &'static str {
        match self {
            Bank::Kb => "KB국민은행",
            Bank::Shinhan => "신한은행",
            Bank::Woori => "우리은행",
            Bank::Hana => "하나은행",
            Bank::Nh => "NH농협은행",
            Bank::Ibk => "IBK기업은행",
            Bank::Kakao => "카카오뱅크",
            Bank::Toss => "토스뱅크",
            Bank::Kbank => "케이뱅크",
            Bank::Sc => "SC제일은행",
            Bank::Busan => "부산은행",
            Bank::Daegu => "iM뱅크(대구)",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Bank::ALL.into_iter().find(|bank| bank.code() == code)
    }
}

impl fmt::Display for Bank {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A pocket registration that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PocketRegistration {
    pub bank: Bank,
    /// Digits only.
    pub account_number: String,
}

impl PocketRegistration {
    /// Hyphens and spaces, as people type account numbers, are ignored.
    pub fn parse(bank: &str, account_number: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let bank = Bank::from_code(bank.trim());
        if bank.is_none() {
            errors.insert("bank".into(), Problem::BankUnknown);
        }
        let digits: String = account_number
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .collect();
        if !(10..=14).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            errors.insert(
                "account_number".into(),
                Problem::AccountNumberDigits { min: 10, max: 14 },
            );
        }
        match bank {
            Some(bank) if errors.is_empty() => Ok(PocketRegistration {
                bank,
                account_number: digits,
            }),
            _ => Err(errors),
        }
    }
}

/// Every digit but the last four hidden: `1234567890` → `******7890`.
pub fn mask_account_number(account_number: &str) -> String {
    let count = account_number.chars().count();
    account_number
        .chars()
        .enumerate()
        .map(|(index, c)| if index + 4 < count { '*' } else { c })
        .collect()
}

/// A top-up amount within the simulated deposit's bounds.
pub fn check_deposit(amount: i64) -> Result<Money, FieldErrors> {
    let amount = Money::won(amount);
    if (DEPOSIT_MIN..=DEPOSIT_MAX).contains(&amount) {
        Ok(amount)
    } else {
        Err(Problem::DepositOutOfBound {
            min: DEPOSIT_MIN,
            max: DEPOSIT_MAX,
        }
        .on("amount"))
    }
}

/// A cash-out amount: at least [`CASH_OUT_MIN`]. Whether the pocket holds
/// it is the database's answer (`INSUFFICIENT_BALANCE`), not a guess here.
pub fn check_cash_out(amount: i64) -> Result<Money, FieldErrors> {
    if amount >= CASH_OUT_MIN.as_won() {
        Ok(Money::won(amount))
    } else {
        Err(Problem::CashOutBelowMinimum { min: CASH_OUT_MIN }.on("amount"))
    }
}

/// A cash-out amount as typed into the pocket page's form.
pub fn parse_cash_out(text: &str) -> Result<Money, FieldErrors> {
    match Money::read_typed(text) {
        // Cash-outs have no upper bound to refuse it with, and asking for
        // some other amount (`i64::MAX`) than the one typed is never right:
        // more than an `i64` holds is more than any pocket holds.
        TypedAmount::TooLarge => Err(Problem::MoreThanPocketHolds.on("amount")),
        _ => read_amount(text, check_cash_out),
    }
}

/// Reads an amount as a person types it (`50000`, `50,000`, `₩50,000`,
/// `50,000원`) and applies `check`; anything else is a field error.
fn read_amount(
    text: &str,
    check: impl Fn(i64) -> Result<Money, FieldErrors>,
) -> Result<Money, FieldErrors> {
    match Money::read_typed(text) {
        TypedAmount::Amount(amount) => check(amount.as_won()),
        // More digits than an i64 holds is above any bound anyway.
        TypedAmount::TooLarge => check(i64::MAX),
        TypedAmount::NotAnAmount => Err(Problem::AmountNotDigits.on("amount")),
    }
}

/// A client's `Idempotency-Key`: 1–200 visible ASCII characters (a UUID is
/// typical).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(key: &str) -> Result<Self, FieldErrors> {
        if (1..=200).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(IdempotencyKey(key.to_owned()))
        } else {
            Err(Problem::IdempotencyKeyFormat.on("Idempotency-Key"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A top-up amount as a person types it into a form: `50000`, `50,000`,
/// `₩50,000` or `50,000원`. Anything else is a field error, never a guess.
pub fn parse_deposit(text: &str) -> Result<Money, FieldErrors> {
    read_amount(text, check_deposit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banks_round_trip_through_their_codes() {
        for bank in Bank::ALL {
            assert_eq!(Bank::from_code(bank.code()), Some(bank));
        }
        assert_eq!(Bank::from_code("kb"), None);
    }

    #[test]
    fn registration_accepts_typed_account_numbers() {
        let registration =
            PocketRegistration::parse("KB", "123-456-78 9012").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(registration.account_number, "123456789012");
        assert_eq!(registration.bank, Bank::Kb);
    }

    #[test]
    fn registration_refuses_bad_banks_and_numbers() {
        let errors = PocketRegistration::parse("MOON", "12345")
            .err()
            .unwrap_or_default();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["account_number", "bank"]
        );
        assert!(PocketRegistration::parse("KB", "123456789").is_err());
        assert!(PocketRegistration::parse("KB", "123456789012345").is_err());
        assert!(PocketRegistration::parse("KB", "12345678901a").is_err());
        assert!(PocketRegistration::parse("KB", "1234567890").is_ok());
        assert!(PocketRegistration::parse("KB", "12345678901234").is_ok());
    }

    #[test]
    fn masks_all_but_the_last_four_digits() {
        assert_eq!(mask_account_number("1234567890"), "******7890");
        assert_eq!(mask_account_number("12345678901234"), "**********1234");
    }

    #[test]
    fn typed_amounts_are_read_as_people_write_them() {
        for typed in ["50000", "50,000", " ₩50,000 ", "50,000원", "50 000"] {
            assert_eq!(parse_deposit(typed), Ok(Money::won(50_000)), "{typed}");
        }
        for typed in ["", "fifty", "5e4", "50000.5", "-5000", "₩"] {
            assert!(
                parse_deposit(typed).is_err_and(|errors| errors.contains_key("amount")),
                "{typed}"
            );
        }
        assert!(parse_deposit("99999999999999999999999").is_err());
        assert!(parse_deposit("999").is_err());
    }

    #[test]
    fn cash_outs_take_any_whole_won_as_typed() {
        assert_eq!(parse_cash_out("1"), Ok(Money::won(1)));
        assert_eq!(parse_cash_out("₩70,000"), Ok(Money::won(70_000)));
        // No upper bound here: the balance decides, in the database.
        assert_eq!(parse_cash_out("20,000,000원"), Ok(Money::won(20_000_000)));
        for refused in ["0", "-5", "", "1.5", "1e4"] {
            assert!(
                parse_cash_out(refused).is_err_and(|errors| errors.contains_key("amount")),
                "{refused}"
            );
        }
        assert_eq!(
            check_cash_out(0).map_err(|e| e["amount"].clone()),
            Err(Problem::CashOutBelowMinimum { min: Money::won(1) })
        );
    }

    #[test]
    fn cash_outs_beyond_any_amount_are_refused_not_rounded() {
        // Found by `domain::properties`: this was read as a cash-out of
        // ₩9,223,372,036,854,775,807 (`i64::MAX`), not the amount typed.
        assert_eq!(
            parse_cash_out("9347888554861487652").map_err(|e| e["amount"].clone()),
            Err(Problem::MoreThanPocketHolds)
        );
        assert_eq!(
            parse_cash_out("9,223,372,036,854,775,807원"),
            Ok(Money::won(i64::MAX))
        );
    }

    #[test]
    fn idempotency_keys_are_short_visible_ascii() {
        assert!(IdempotencyKey::parse("5f0c6a3e-8d1b-4c1e-9a55-0e7d2b9c1f00").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(200)).is_ok());
        for bad in ["", " ", "two words", "키", &"k".repeat(201)] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn deposits_are_bounded() {
        assert!(check_deposit(999).is_err());
        assert_eq!(check_deposit(1_000), Ok(Money::won(1_000)));
        assert_eq!(check_deposit(10_000_000), Ok(Money::won(10_000_000)));
        assert!(check_deposit(10_000_001).is_err());
        assert!(check_deposit(-5_000).is_err());
    }
}
