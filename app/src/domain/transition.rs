//! How a project's status may change, and what its end date decides.
//! The database's `post_transition_allowed` function lists the same three
//! moves and refuses every other (`posts_status_transition`).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Money, PostStatus};

/// Why a status change is refused (`INVALID_TRANSITION`), worded only when
/// shown (`Display`), so a translation is a catalogue entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Refusal {
    /// Cancel asked of a project that is not funding.
    NotFunding { status: PostStatus },
    /// Close asked of a project that has not succeeded.
    NotSucceeded { status: PostStatus },
    /// Cancel asked after the last day: the total decides now.
    EndDatePassed { end_date: NaiveDate },
    /// Any other move (the database's refusal included).
    NotAllowed { from: PostStatus, to: PostStatus },
    /// The owner confirmed refunding a number of backers, or a total, that
    /// is no longer what a cancel would refund: they are asked again.
    BackersChanged { backers: i64, total: Money },
}

impl Refusal {
    /// Why the owner cannot move a project from `from` to `to`, if they cannot.
    pub fn of_owner_move(
        from: PostStatus,
        to: PostStatus,
        end_date: NaiveDate,
        today: NaiveDate,
    ) -> Option<Refusal> {
        if !owner_can(from, to) {
            Some(match to {
                PostStatus::Cancel => Refusal::NotFunding { status: from },
                PostStatus::Close => Refusal::NotSucceeded { status: from },
                _ => Refusal::NotAllowed { from, to },
            })
        } else if to == PostStatus::Cancel && is_due(from, end_date, today) {
            Some(Refusal::EndDatePassed { end_date })
        } else {
            None
        }
    }
}

/// English, for logs and tests; pages and the API word it in the reader's
/// language (`locale::words::refusal`).
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::locale::words::refusal(
            crate::locale::Locale::en,
            self,
        ))
    }
}

/// What the owner was shown before confirming a cancel: how many backers
/// would be refunded, and how much in all. Each part is checked when given
/// (the app gives both; a REST client may give either, or neither).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Confirmation {
    pub backers: Option<i64>,
    pub total: Option<Money>,
}

impl Confirmation {
    /// Why a cancel that would refund `total` to `backers` backers differs
    /// from what the owner confirmed, if it does. The count alone is not
    /// enough: a backer can leave and another back at a new price, and the
    /// count stays while the money changes.
    pub fn refusal(self, backers: i64, total: Money) -> Option<Refusal> {
        let holds = self.backers.is_none_or(|seen| seen == backers)
            && self.total.is_none_or(|seen| seen == total);
        (!holds).then_some(Refusal::BackersChanged { backers, total })
    }
}

/// Who changed a project's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Actor {
    /// The project's publisher (cancel while funding, close after success).
    Owner,
    /// The end date passing (Moa's settlement task).
    Settlement,
}

impl Actor {
    pub const fn as_str(self) -> &'static str {
        match self {
            Actor::Owner => "OWNER",
            Actor::Settlement => "SETTLEMENT",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "OWNER" => Some(Actor::Owner),
            "SETTLEMENT" => Some(Actor::Settlement),
            _ => None,
        }
    }
}

/// The only moves: FUNDING → SUCCESS, FUNDING → CANCEL, SUCCESS → CLOSE.
pub const fn is_allowed(from: PostStatus, to: PostStatus) -> bool {
    matches!(
        (from, to),
        (PostStatus::Funding, PostStatus::Success)
            | (PostStatus::Funding, PostStatus::Cancel)
            | (PostStatus::Success, PostStatus::Close)
    )
}

/// Whether settlement is due: the end date is the last day of funding, so a
/// project settles once that day is over in Moa's time zone.
pub fn is_due(status: PostStatus, end_date: NaiveDate, today: NaiveDate) -> bool {
    status == PostStatus::Funding && end_date < today
}

/// What the end date decides: reaching the target (to the won) succeeds,
/// anything less is cancelled.
pub fn outcome(total: Money, target: Money) -> PostStatus {
    if total >= target {
        PostStatus::Success
    } else {
        PostStatus::Cancel
    }
}

/// What an owner may do to their project now.
pub fn owner_can(from: PostStatus, to: PostStatus) -> bool {
    matches!(
        (from, to),
        (PostStatus::Funding, PostStatus::Cancel) | (PostStatus::Success, PostStatus::Close)
    )
}

/// What an owner's form asks for: `CANCEL` or `CLOSE`, nothing else.
pub fn parse_owner_move(text: &str) -> Option<PostStatus> {
    match text {
        "CANCEL" => Some(PostStatus::Cancel),
        "CLOSE" => Some(PostStatus::Close),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [PostStatus; 4] = [
        PostStatus::Funding,
        PostStatus::Success,
        PostStatus::Close,
        PostStatus::Cancel,
    ];

    #[test]
    fn only_three_moves_exist() {
        let allowed: Vec<_> = ALL
            .iter()
            .flat_map(|&from| ALL.iter().map(move |&to| (from, to)))
            .filter(|&(from, to)| is_allowed(from, to))
            .collect();
        assert_eq!(
            allowed,
            [
                (PostStatus::Funding, PostStatus::Success),
                (PostStatus::Funding, PostStatus::Cancel),
                (PostStatus::Success, PostStatus::Close),
            ]
        );
    }

    #[test]
    fn owners_cancel_while_funding_and_close_after_success() {
        assert!(owner_can(PostStatus::Funding, PostStatus::Cancel));
        assert!(owner_can(PostStatus::Success, PostStatus::Close));
        // Success is the end date's to decide, never the owner's.
        assert!(!owner_can(PostStatus::Funding, PostStatus::Success));
        assert!(!owner_can(PostStatus::Funding, PostStatus::Close));
        assert!(!owner_can(PostStatus::Cancel, PostStatus::Close));
        for (from, to) in ALL.iter().flat_map(|&f| ALL.iter().map(move |&t| (f, t))) {
            assert!(!owner_can(from, to) || is_allowed(from, to), "{from}→{to}");
        }
    }

    #[test]
    fn a_cancel_goes_ahead_only_as_confirmed() {
        let (backers, total) = (2, Money::won(20_000));
        let changed = Some(Refusal::BackersChanged { backers, total });
        let seen = |backers, total: Option<i64>| Confirmation {
            backers,
            total: total.map(Money::won),
        };
        assert_eq!(seen(Some(2), Some(20_000)).refusal(backers, total), None);
        assert_eq!(Confirmation::default().refusal(backers, total), None);
        assert_eq!(seen(Some(2), None).refusal(backers, total), None);
        assert_eq!(seen(None, Some(20_000)).refusal(backers, total), None);
        // Same count, other money; other count, same money.
        assert_eq!(seen(Some(2), Some(15_000)).refusal(backers, total), changed);
        assert_eq!(seen(Some(1), Some(20_000)).refusal(backers, total), changed);
        assert_eq!(seen(None, Some(10_000)).refusal(backers, total), changed);
    }

    #[test]
    fn owners_ask_for_cancel_or_close_only() {
        assert_eq!(parse_owner_move("CANCEL"), Some(PostStatus::Cancel));
        assert_eq!(parse_owner_move("CLOSE"), Some(PostStatus::Close));
        for other in ["SUCCESS", "FUNDING", "cancel", ""] {
            assert_eq!(parse_owner_move(other), None, "{other}");
        }
    }

    #[test]
    fn refusals_say_why() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let last_day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        let refusal =
            |from, to, end| Refusal::of_owner_move(from, to, end, today).map(|r| r.to_string());
        assert_eq!(
            refusal(PostStatus::Funding, PostStatus::Cancel, today),
            None
        );
        assert_eq!(
            refusal(PostStatus::Success, PostStatus::Close, last_day),
            None
        );
        assert_eq!(
            refusal(PostStatus::Funding, PostStatus::Cancel, last_day).as_deref(),
            Some(
                "Its last day (30 Nov 2026) has passed: the project now succeeds or is cancelled by its total."
            )
        );
        let in_korean =
            Refusal::of_owner_move(PostStatus::Funding, PostStatus::Cancel, last_day, today)
                .map(|refusal| crate::locale::words::refusal(crate::locale::Locale::ko, &refusal));
        assert_eq!(
            in_korean.as_deref(),
            Some(
                "마지막 날(2026년 11월 30일)이 지났습니다. 이제 모인 금액에 따라 성공하거나 취소됩니다."
            )
        );
        assert_eq!(
            refusal(PostStatus::Success, PostStatus::Cancel, last_day).as_deref(),
            Some("Only a project that is still funding can be cancelled.")
        );
        assert_eq!(
            refusal(PostStatus::Funding, PostStatus::Close, today).as_deref(),
            Some("Only a project that succeeded can be closed.")
        );
    }

    #[test]
    fn the_target_to_the_won_decides() {
        let target = Money::won(1_000_000);
        assert_eq!(outcome(Money::won(1_000_000), target), PostStatus::Success);
        assert_eq!(outcome(Money::won(2_500_000), target), PostStatus::Success);
        assert_eq!(outcome(Money::won(999_999), target), PostStatus::Cancel);
        assert_eq!(outcome(Money::ZERO, target), PostStatus::Cancel);
    }

    #[test]
    fn settles_the_day_after_the_last_day() {
        let last_day = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default();
        let next = last_day.succ_opt().unwrap_or_default();
        assert!(!is_due(PostStatus::Funding, last_day, last_day));
        assert!(is_due(PostStatus::Funding, last_day, next));
        assert!(!is_due(PostStatus::Success, last_day, next));
        assert!(!is_due(PostStatus::Cancel, last_day, next));
    }

    #[test]
    fn actors_round_trip() {
        for actor in [Actor::Owner, Actor::Settlement] {
            assert_eq!(Actor::parse(actor.as_str()), Some(actor));
        }
        assert_eq!(Actor::parse("owner"), None);
    }
}
