//! Dates and times as pages show them, in Moa's time zone (`MOA_TIMEZONE`,
//! Asia/Seoul by default). The server chooses the zone's offset when it
//! renders and writes it into the page, so the browser (which has no time
//! zone database) shows the same text. Written by hand rather than with
//! chrono's `format`, whose strftime machinery is a large share of the
//! browser bundle.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Offset, Utc};

/// Korea: UTC+9, no daylight saving.
const KST_SECONDS: i32 = 9 * 3600;

/// The zone instants are shown in: its offset from UTC (as it is when the
/// page is rendered) and its abbreviation (`KST`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    pub offset_seconds: i32,
    pub abbreviation: String,
}

impl Default for Zone {
    fn default() -> Self {
        Zone {
            offset_seconds: KST_SECONDS,
            abbreviation: "KST".to_owned(),
        }
    }
}

impl Zone {
    /// `tz` as it is at `now`.
    #[cfg(feature = "ssr")]
    pub fn of(tz: chrono_tz::Tz, now: DateTime<Utc>) -> Zone {
        use chrono::TimeZone;
        use chrono_tz::OffsetName;
        let offset = tz.offset_from_utc_datetime(&now.naive_utc());
        let offset_seconds = offset.fix().local_minus_utc();
        let abbreviation = offset
            .abbreviation()
            .map(str::to_owned)
            .unwrap_or_else(|| utc_offset_text(offset_seconds));
        Zone {
            offset_seconds,
            abbreviation,
        }
    }

    /// The local date and time of an instant in this zone.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        // An offset outside ±24 h cannot come from a time zone; UTC then.
        let offset = FixedOffset::east_opt(self.offset_seconds).unwrap_or_else(|| Utc.fix());
        at.with_timezone(&offset).naive_local()
    }

    /// The calendar day of an instant in this zone.
    pub fn date(&self, at: DateTime<Utc>) -> NaiveDate {
        self.local(at).date()
    }
}

/// `+09`, `-03:30`: a zone without an abbreviation of its own.
#[cfg(any(feature = "ssr", test))]
fn utc_offset_text(offset_seconds: i32) -> String {
    let sign = if offset_seconds < 0 { '-' } else { '+' };
    let minutes = offset_seconds.unsigned_abs() / 60;
    match minutes % 60 {
        0 => format!("UTC{sign}{:02}", minutes / 60),
        rest => format!("UTC{sign}{:02}:{rest:02}", minutes / 60),
    }
}

/// `2026-11-24` (what forms take and send).
pub fn date_text(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn instant(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .unwrap_or_else(|| panic!("valid instant"))
    }

    #[test]
    fn instants_are_shown_in_the_zone() {
        let late_utc = instant(2026, 11, 24, 15, 30);
        let korea = Zone::default();
        assert_eq!(korea.local(late_utc).to_string(), "2026-11-25 00:30:00");
        assert_eq!(
            korea.date(late_utc),
            NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
        );
        let utc = Zone {
            offset_seconds: 0,
            abbreviation: "UTC".to_owned(),
        };
        assert_eq!(
            utc.date(late_utc),
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default()
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn zones_come_from_moa_timezone_as_they_are_now() {
        let winter = instant(2026, 1, 15, 12, 0);
        let summer = instant(2026, 7, 15, 12, 0);
        assert_eq!(Zone::of(chrono_tz::Asia::Seoul, winter), Zone::default());
        let new_york = Zone::of(chrono_tz::America::New_York, winter);
        assert_eq!(
            (new_york.offset_seconds, new_york.abbreviation.as_str()),
            (-5 * 3600, "EST")
        );
        let new_york = Zone::of(chrono_tz::America::New_York, summer);
        assert_eq!(
            (new_york.offset_seconds, new_york.abbreviation.as_str()),
            (-4 * 3600, "EDT")
        );
        assert_eq!(utc_offset_text(-3 * 3600 - 1800), "UTC-03:30");
        assert_eq!(utc_offset_text(9 * 3600), "UTC+09");
    }

    #[test]
    fn dates_are_zero_padded() {
        let date = NaiveDate::from_ymd_opt(2027, 1, 5);
        assert_eq!(date.map(date_text).as_deref(), Some("2027-01-05"));
    }
}
