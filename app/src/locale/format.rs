//! Numbers, amounts, dates and counts as each language writes them. The
//! same functions run on the server and in the browser, so hydration sees
//! the text the server wrote.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

use crate::{
    domain::{DDay, Money, dates::Zone},
    i18n::Locale,
};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `₩1,500,000` in either language (what tables and figures show).
pub fn won(amount: Money) -> String {
    amount.to_string()
}

/// An amount inside a sentence: `1,500,000원` in Korean, `₩1,500,000` in
/// English.
pub fn won_in_text(locale: Locale, amount: Money) -> String {
    match locale {
        Locale::ko => {
            let sign = if amount.as_won() < 0 { "-" } else { "" };
            format!(
                "{sign}{}원",
                group_thousands(amount.as_won().unsigned_abs())
            )
        }
        Locale::en => amount.to_string(),
    }
}

/// `1,500,000`.
pub fn group_thousands(number: u64) -> String {
    let digits = number.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// `2026년 12월 31일` / `31 Dec 2026`.
pub fn date(locale: Locale, date: NaiveDate) -> String {
    match locale {
        Locale::ko => format!("{}년 {}월 {}일", date.year(), date.month(), date.day()),
        Locale::en => format!(
            "{} {} {}",
            date.day(),
            MONTHS[date.month0() as usize],
            date.year()
        ),
    }
}

/// An instant to the minute in `zone`: `2026년 11월 24일 16:08` /
/// `24 Nov 2026 16:08`.
pub fn date_time(locale: Locale, zone: &Zone, at: DateTime<Utc>) -> String {
    let local = zone.local(at);
    format!(
        "{} {:02}:{:02}",
        date(locale, local.date()),
        local.hour(),
        local.minute()
    )
}

/// `D-12`, `D-Day`, then `마감` / `Ended`.
pub fn d_day(locale: Locale, d_day: DDay) -> String {
    match (d_day, locale) {
        (DDay::DaysLeft(days), _) => format!("D-{days}"),
        (DDay::Today, _) => "D-Day".to_owned(),
        (DDay::Ended, Locale::ko) => "마감".to_owned(),
        (DDay::Ended, Locale::en) => "Ended".to_owned(),
    }
}

/// Which plural form a count takes: Korean has one, English two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plural {
    One,
    Other,
}

pub fn plural(locale: Locale, count: u64) -> Plural {
    match (locale, count) {
        (Locale::en, 1) => Plural::One,
        _ => Plural::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
    }

    #[test]
    fn amounts_are_won_with_thousands_separators() {
        assert_eq!(won(Money::won(1_500_000)), "₩1,500,000");
        assert_eq!(won_in_text(Locale::en, Money::won(1_500_000)), "₩1,500,000");
        assert_eq!(
            won_in_text(Locale::ko, Money::won(1_500_000)),
            "1,500,000원"
        );
        assert_eq!(won_in_text(Locale::ko, Money::won(-5_000)), "-5,000원");
        assert_eq!(won_in_text(Locale::ko, Money::won(0)), "0원");
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        assert_eq!(date(Locale::ko, day(2026, 12, 31)), "2026년 12월 31일");
        assert_eq!(date(Locale::en, day(2026, 12, 31)), "31 Dec 2026");
        assert_eq!(date(Locale::ko, day(2027, 1, 5)), "2027년 1월 5일");
        assert_eq!(date(Locale::en, day(2027, 1, 5)), "5 Jan 2027");
    }

    #[test]
    fn instants_read_in_moa_s_time_zone() {
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 24, 15, 30, 0)
            .single()
            .unwrap_or_else(|| panic!("valid instant"));
        let korea = Zone::default();
        assert_eq!(date_time(Locale::ko, &korea, at), "2026년 11월 25일 00:30");
        assert_eq!(date_time(Locale::en, &korea, at), "25 Nov 2026 00:30");
    }

    #[test]
    fn d_day_counts_down_then_ends() {
        for locale in [Locale::ko, Locale::en] {
            assert_eq!(d_day(locale, DDay::DaysLeft(12)), "D-12");
            assert_eq!(d_day(locale, DDay::Today), "D-Day");
        }
        assert_eq!(d_day(Locale::ko, DDay::Ended), "마감");
        assert_eq!(d_day(Locale::en, DDay::Ended), "Ended");
    }

    #[test]
    fn english_counts_one_apart_from_the_rest_and_korean_never() {
        assert_eq!(plural(Locale::en, 1), Plural::One);
        assert_eq!(plural(Locale::en, 0), Plural::Other);
        assert_eq!(plural(Locale::en, 3), Plural::Other);
        assert_eq!(plural(Locale::ko, 1), Plural::Other);
    }
}
