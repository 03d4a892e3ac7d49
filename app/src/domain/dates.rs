//! Dates and times as pages show them. Korea has one time zone and no
//! daylight saving, so a fixed +09:00 gives the same text on the server and
//! in the browser. Written by hand rather than with chrono's `format`, whose
//! strftime machinery is a large share of the browser bundle.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Offset, Timelike, Utc};

const KST_SECONDS: i32 = 9 * 3600;

fn in_korea(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    // 9 hours is always a valid offset; UTC is the fallback all the same.
    let kst = FixedOffset::east_opt(KST_SECONDS).unwrap_or_else(|| Utc.fix());
    at.with_timezone(&kst)
}

/// `2026-11-24`.
pub fn date_text(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// The Korean calendar day of an instant.
pub fn korea_date(at: DateTime<Utc>) -> NaiveDate {
    in_korea(at).date_naive()
}

/// The Korean calendar day of an instant: `2026-11-24`.
pub fn korea_date_text(at: DateTime<Utc>) -> String {
    date_text(korea_date(at))
}

/// An instant to the minute, in Korean time: `2026-11-24 16:08`.
pub fn korea_minute_text(at: DateTime<Utc>) -> String {
    let local = in_korea(at);
    format!(
        "{} {:02}:{:02}",
        date_text(local.date_naive()),
        local.hour(),
        local.minute()
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn instants_are_shown_in_korean_time() {
        let late_utc = Utc.with_ymd_and_hms(2026, 11, 24, 15, 30, 0).single();
        let Some(late_utc) = late_utc else {
            panic!("valid instant");
        };
        assert_eq!(korea_minute_text(late_utc), "2026-11-25 00:30");
        assert_eq!(korea_date_text(late_utc), "2026-11-25");
    }

    #[test]
    fn dates_are_zero_padded() {
        let date = NaiveDate::from_ymd_opt(2027, 1, 5);
        assert_eq!(date.map(date_text).as_deref(), Some("2027-01-05"));
    }
}
