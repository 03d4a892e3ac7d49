//! What a funding project must be: the rules for publishing one and for
//! changing it, checked the same way in the browser (as you type) and on
//! the server (the truth). Each broken rule is a [`PostProblem`]: a code
//! with its parameters, turned into words only where it is shown.

use std::fmt;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{
    Money, TypedAmount,
    problem::{FieldErrors, Problem},
};
use crate::error::{AppError, ErrorCode};

pub const TITLE_MAX_CHARS: usize = 100;
pub const PUBLISHER_NAME_MAX_CHARS: usize = 50;
pub const CONTENT_MAX_CHARS: usize = 20_000;
pub const TARGET_MIN: Money = Money::won(10_000);
pub const TARGET_MAX: Money = Money::won(9_999_999_999);
pub const PRICE_MIN: Money = Money::won(1_000);
/// How far ahead funding may end.
pub const MAX_MONTHS_AHEAD: u32 = 12;

/// One broken rule, with what a message needs to explain it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PostProblem {
    TitleLength {
        max: usize,
    },
    PublisherNameLength {
        max: usize,
    },
    ContentTooLong {
        max: usize,
    },
    TargetAmountNotAnAmount,
    TargetAmountOutOfBound {
        min: Money,
        max: Money,
    },
    TargetAmountImmutable,
    PriceNotAnAmount,
    PriceOutOfBound {
        min: Money,
        max: Money,
    },
    FinalDateNotADate,
    InvalidFinalDate {
        earliest: NaiveDate,
        latest: NaiveDate,
    },
}

impl PostProblem {
    /// The input it is about (the REST field name; the forms use the same).
    pub const fn field(&self) -> &'static str {
        match self {
            PostProblem::TitleLength { .. } => "title",
            PostProblem::PublisherNameLength { .. } => "publisher_name",
            PostProblem::ContentTooLong { .. } => "content",
            PostProblem::TargetAmountNotAnAmount
            | PostProblem::TargetAmountOutOfBound { .. }
            | PostProblem::TargetAmountImmutable => "target_amount",
            PostProblem::PriceNotAnAmount | PostProblem::PriceOutOfBound { .. } => "price",
            PostProblem::FinalDateNotADate | PostProblem::InvalidFinalDate { .. } => "final_date",
        }
    }

    /// The API's code when this is the only problem.
    pub const fn code(&self) -> ErrorCode {
        match self {
            PostProblem::TargetAmountOutOfBound { .. } => ErrorCode::TargetAmountOutOfBound,
            PostProblem::TargetAmountImmutable => ErrorCode::TargetAmountImmutable,
            PostProblem::InvalidFinalDate { .. } => ErrorCode::InvalidFinalDate,
            _ => ErrorCode::ValidationFailed,
        }
    }
}

/// English, for logs and tests; pages and the API word it in the reader's
/// language (`locale::words`).
impl fmt::Display for PostProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::locale::words::post_problem(
            crate::locale::Locale::en,
            self,
        ))
    }
}

/// Every broken rule of one request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostProblems(pub Vec<PostProblem>);

impl PostProblems {
    /// The first broken rule about one field, if any.
    pub fn problem_for(&self, field: &str) -> Option<&PostProblem> {
        self.0.iter().find(|problem| problem.field() == field)
    }

    pub fn field_errors(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        for problem in &self.0 {
            errors
                .entry(problem.field().to_owned())
                .or_insert_with(|| Problem::Post(problem.clone()));
        }
        errors
    }

    fn push(&mut self, problem: PostProblem) {
        self.0.push(problem);
    }

    fn into_result<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, PostProblems> {
        match value() {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self),
        }
    }
}

impl From<PostProblems> for AppError {
    /// One problem with a code of its own keeps that code (422
    /// `TARGET_AMOUNT_OUT_OF_BOUND`, say); anything else is
    /// `VALIDATION_FAILED`. Either way `details` names every field.
    fn from(problems: PostProblems) -> Self {
        let code = match problems.0.as_slice() {
            [only] => only.code(),
            _ => ErrorCode::ValidationFailed,
        };
        let mut error = AppError::validation(problems.field_errors());
        if let ([only], true) = (problems.0.as_slice(), code != ErrorCode::ValidationFailed) {
            error.code = code;
            error.problem = Problem::Post(only.clone());
        }
        error
    }
}

/// A project as typed into the form or sent to the API, not yet checked.
#[derive(Clone, Debug, Default)]
pub struct PostDraft<'a> {
    pub title: &'a str,
    pub publisher_name: &'a str,
    pub content: &'a str,
    pub target_amount: &'a str,
    pub price: &'a str,
    /// `YYYY-MM-DD`, the last day of funding.
    pub final_date: &'a str,
}

/// A project that passed every rule. Built only by [`NewPost::parse`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPost {
    title: String,
    publisher_name: String,
    content: String,
    target_amount: Money,
    price: Money,
    final_date: NaiveDate,
}

impl NewPost {
    /// `today` is today's date in Moa's time zone, from the server.
    pub fn parse(draft: &PostDraft<'_>, today: NaiveDate) -> Result<Self, PostProblems> {
        let mut problems = PostProblems::default();
        let title = checked_title(draft.title, &mut problems);
        let publisher_name = checked_publisher_name(draft.publisher_name, &mut problems);
        let content = checked_content(draft.content, &mut problems);
        let target_amount = match Money::read_typed(draft.target_amount) {
            TypedAmount::NotAnAmount => {
                problems.push(PostProblem::TargetAmountNotAnAmount);
                None
            }
            TypedAmount::Amount(target) if (TARGET_MIN..=TARGET_MAX).contains(&target) => {
                Some(target)
            }
            TypedAmount::Amount(_) | TypedAmount::TooLarge => {
                problems.push(PostProblem::TargetAmountOutOfBound {
                    min: TARGET_MIN,
                    max: TARGET_MAX,
                });
                None
            }
        };
        let price = checked_price(draft.price, target_amount, &mut problems);
        let final_date = checked_final_date(draft.final_date, today, &mut problems);
        problems.into_result(|| {
            Some(NewPost {
                title: title?,
                publisher_name: publisher_name?,
                content: content?,
                target_amount: target_amount?,
                price: price?,
                final_date: final_date?,
            })
        })
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn publisher_name(&self) -> &str {
        &self.publisher_name
    }

    pub fn content(&self) -> &str {
        &self.content
    }

    pub fn target_amount(&self) -> Money {
        self.target_amount
    }

    pub fn price(&self) -> Money {
        self.price
    }

    pub fn final_date(&self) -> NaiveDate {
        self.final_date
    }
}

/// A change as sent: `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct EditDraft<'a> {
    pub title: Option<&'a str>,
    pub publisher_name: Option<&'a str>,
    pub content: Option<&'a str>,
    pub price: Option<&'a str>,
    pub final_date: Option<&'a str>,
    /// Whether the request named the target amount at all: it never
    /// changes, and saying it (even unchanged) is refused.
    pub target_amount_sent: bool,
}

/// A change that passed every rule that does not depend on the project.
/// Whether the price fits the target, and whether the terms may still
/// change, is the service's to check against the project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostEdit {
    title: Option<String>,
    publisher_name: Option<String>,
    content: Option<String>,
    price: Option<Money>,
    final_date: Option<NaiveDate>,
}

impl PostEdit {
    pub fn parse(draft: &EditDraft<'_>, today: NaiveDate) -> Result<Self, PostProblems> {
        let mut problems = PostProblems::default();
        if draft.target_amount_sent {
            problems.push(PostProblem::TargetAmountImmutable);
        }
        let title = draft.title.map(|t| checked_title(t, &mut problems));
        let publisher_name = draft
            .publisher_name
            .map(|n| checked_publisher_name(n, &mut problems));
        let content = draft.content.map(|c| checked_content(c, &mut problems));
        let price = draft
            .price
            .map(|p| checked_price(p, Some(TARGET_MAX), &mut problems));
        let final_date = draft
            .final_date
            .map(|d| checked_final_date(d, today, &mut problems));
        problems.into_result(|| {
            Some(PostEdit {
                title: title.map(|t| t.unwrap_or_default()),
                publisher_name: publisher_name.map(|n| n.unwrap_or_default()),
                content: content.map(|c| c.unwrap_or_default()),
                price: price.and_then(|p| p),
                final_date: final_date.and_then(|d| d),
            })
        })
    }

    /// The price must stay within the project's target.
    pub fn check_against(&self, target_amount: Money) -> Result<(), PostProblems> {
        match self.price {
            Some(price) if price > target_amount => {
                Err(PostProblems(vec![PostProblem::PriceOutOfBound {
                    min: PRICE_MIN,
                    max: target_amount,
                }]))
            }
            _ => Ok(()),
        }
    }

    /// Whether it touches what backers agreed to (price, end date).
    pub fn changes_terms(&self) -> bool {
        self.price.is_some() || self.final_date.is_some()
    }

    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    pub fn publisher_name(&self) -> Option<&str> {
        self.publisher_name.as_deref()
    }

    pub fn content(&self) -> Option<&str> {
        self.content.as_deref()
    }

    pub fn price(&self) -> Option<Money> {
        self.price
    }

    pub fn final_date(&self) -> Option<NaiveDate> {
        self.final_date
    }
}

/// Characters that show nothing (zero-width spaces, Hangul fillers) or
/// reorder what follows (bidirectional overrides, which can make a title
/// read as another).
fn is_invisible_or_reordering(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}' | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}')
}

/// A one-line name people will read: no control characters, nothing
/// invisible or reordering, and something to see.
fn is_plain_visible_text(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() || is_invisible_or_reordering(c))
        && text.chars().any(|c| !c.is_whitespace())
}

fn checked_title(raw: &str, problems: &mut PostProblems) -> Option<String> {
    let title = raw.trim();
    if (1..=TITLE_MAX_CHARS).contains(&title.chars().count()) && is_plain_visible_text(title) {
        Some(title.to_owned())
    } else {
        problems.push(PostProblem::TitleLength {
            max: TITLE_MAX_CHARS,
        });
        None
    }
}

fn checked_publisher_name(raw: &str, problems: &mut PostProblems) -> Option<String> {
    let name = raw.trim();
    if (1..=PUBLISHER_NAME_MAX_CHARS).contains(&name.chars().count()) && is_plain_visible_text(name)
    {
        Some(name.to_owned())
    } else {
        problems.push(PostProblem::PublisherNameLength {
            max: PUBLISHER_NAME_MAX_CHARS,
        });
        None
    }
}

fn checked_content(raw: &str, problems: &mut PostProblems) -> Option<String> {
    // Line breaks and tabs are Markdown's; other control characters (NUL,
    // which PostgreSQL cannot store) are not text.
    let controls = raw
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
    if raw.chars().count() <= CONTENT_MAX_CHARS && !controls {
        Some(raw.to_owned())
    } else {
        problems.push(PostProblem::ContentTooLong {
            max: CONTENT_MAX_CHARS,
        });
        None
    }
}

/// A price from `PRICE_MIN` up to the target (or up to `TARGET_MAX` when
/// the target itself is not valid, so only one of the two is reported).
fn checked_price(raw: &str, target: Option<Money>, problems: &mut PostProblems) -> Option<Money> {
    let max = target.unwrap_or(TARGET_MAX);
    match Money::read_typed(raw) {
        TypedAmount::NotAnAmount => {
            problems.push(PostProblem::PriceNotAnAmount);
            None
        }
        TypedAmount::Amount(price) if (PRICE_MIN..=max).contains(&price) => Some(price),
        TypedAmount::Amount(_) | TypedAmount::TooLarge => {
            problems.push(PostProblem::PriceOutOfBound {
                min: PRICE_MIN,
                max,
            });
            None
        }
    }
}

/// The last day of funding: strictly after today, at most a year ahead.
fn checked_final_date(
    raw: &str,
    today: NaiveDate,
    problems: &mut PostProblems,
) -> Option<NaiveDate> {
    let Some(date) = parse_iso_date(raw) else {
        problems.push(PostProblem::FinalDateNotADate);
        return None;
    };
    let earliest = today.succ_opt().unwrap_or(today);
    let latest = today
        .checked_add_months(Months::new(MAX_MONTHS_AHEAD))
        .unwrap_or(today);
    if (earliest..=latest).contains(&date) {
        Some(date)
    } else {
        problems.push(PostProblem::InvalidFinalDate { earliest, latest });
        None
    }
}

/// `YYYY-MM-DD`, read by hand: chrono's parser pulls its strftime machinery
/// into the browser bundle.
pub fn parse_iso_date(raw: &str) -> Option<NaiveDate> {
    let mut parts = raw.trim().splitn(3, '-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let all_digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(year, 4) && all_digits(month, 2) && all_digits(day, 2)) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
        .filter(|date| date.year() >= 2000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        parse_iso_date(text).unwrap_or_else(|| panic!("{text}"))
    }

    fn draft<'a>(target: &'a str, price: &'a str, final_date: &'a str) -> PostDraft<'a> {
        PostDraft {
            title: "  Paper lantern  ",
            publisher_name: "Studio Han",
            content: "## Light\n\nFolded by hand.",
            target_amount: target,
            price,
            final_date,
        }
    }

    fn problems_of(result: Result<NewPost, PostProblems>) -> Vec<PostProblem> {
        result.err().map(|p| p.0).unwrap_or_default()
    }

    #[test]
    fn a_valid_project_is_parsed_and_trimmed() {
        let post = NewPost::parse(
            &draft("₩1,000,000", "15,000원", "2026-12-31"),
            day("2026-11-24"),
        );
        let post = post.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(post.title(), "Paper lantern");
        assert_eq!(post.target_amount(), Money::won(1_000_000));
        assert_eq!(post.price(), Money::won(15_000));
        assert_eq!(post.final_date(), day("2026-12-31"));
    }

    #[test]
    fn the_target_is_bounded_at_both_ends() {
        let today = day("2026-11-24");
        for (target, ok) in [
            ("9999", false),
            ("10000", true),
            ("9999999999", true),
            ("10000000000", false),
            ("99999999999999999999999", false),
        ] {
            if !ok {
                let problems =
                    problems_of(NewPost::parse(&draft(target, "1000", "2026-12-01"), today));
                assert_eq!(
                    problems,
                    [PostProblem::TargetAmountOutOfBound {
                        min: TARGET_MIN,
                        max: TARGET_MAX
                    }],
                    "{target}"
                );
            }
            let parsed = NewPost::parse(&draft(target, "1000", "2026-12-01"), today);
            assert_eq!(parsed.is_ok(), ok, "{target}");
        }
        assert_eq!(
            problems_of(NewPost::parse(&draft("9999", "1000", "2026-12-01"), today)),
            [PostProblem::TargetAmountOutOfBound {
                min: TARGET_MIN,
                max: TARGET_MAX
            }]
        );
        assert_eq!(
            problems_of(NewPost::parse(&draft("12.5", "1000", "2026-12-01"), today)),
            [PostProblem::TargetAmountNotAnAmount]
        );
    }

    #[test]
    fn the_price_is_at_least_1000_and_at_most_the_target() {
        let today = day("2026-11-24");
        assert!(NewPost::parse(&draft("10000", "10000", "2026-12-01"), today).is_ok());
        assert_eq!(
            problems_of(NewPost::parse(
                &draft("10000", "10001", "2026-12-01"),
                today
            )),
            [PostProblem::PriceOutOfBound {
                min: PRICE_MIN,
                max: Money::won(10_000)
            }]
        );
        assert!(NewPost::parse(&draft("10000", "999", "2026-12-01"), today).is_err());
    }

    #[test]
    fn funding_ends_after_today_and_within_a_year() {
        let today = day("2026-11-24");
        let expected = PostProblem::InvalidFinalDate {
            earliest: day("2026-11-25"),
            latest: day("2027-11-24"),
        };
        for (date, ok) in [
            ("2026-11-24", false),
            ("2026-11-25", true),
            ("2027-11-24", true),
            ("2027-11-25", false),
        ] {
            let parsed = NewPost::parse(&draft("10000", "1000", date), today);
            assert_eq!(parsed.is_ok(), ok, "{date}");
            if !ok {
                assert_eq!(problems_of(parsed), std::slice::from_ref(&expected));
            }
        }
        for bad in ["2026-2-1", "tomorrow", "2026-02-30", "", "20261201"] {
            assert_eq!(
                problems_of(NewPost::parse(&draft("10000", "1000", bad), today)),
                [PostProblem::FinalDateNotADate],
                "{bad}"
            );
        }
    }

    #[test]
    fn every_field_is_reported_at_once_and_one_problem_keeps_its_code() {
        let empty = PostDraft::default();
        let problems = NewPost::parse(&empty, day("2026-11-24"))
            .err()
            .unwrap_or_default();
        let errors = problems.field_errors();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            [
                "final_date",
                "price",
                "publisher_name",
                "target_amount",
                "title"
            ]
        );
        assert_eq!(AppError::from(problems).code, ErrorCode::ValidationFailed);
        let one = NewPost::parse(&draft("9999", "1000", "2026-12-01"), day("2026-11-24"));
        let error = AppError::from(one.err().unwrap_or_default());
        assert_eq!(error.code, ErrorCode::TargetAmountOutOfBound);
        assert!(error.details.contains_key("target_amount"));
    }

    #[test]
    fn names_must_be_visible_plain_text() {
        let today = day("2026-11-24");
        for title in [
            "\u{200B}",
            "\u{3164}",
            "Paper\u{0}lantern",
            "evil\u{202E}txt.exe",
            "a\nb",
        ] {
            let mut post = draft("10000", "1000", "2026-12-01");
            post.title = title;
            assert_eq!(
                problems_of(NewPost::parse(&post, today)),
                [PostProblem::TitleLength {
                    max: TITLE_MAX_CHARS
                }],
                "{title:?}"
            );
        }
        let mut post = draft("10000", "1000", "2026-12-01");
        post.content = "Line one\n\tLine two\r\n";
        assert!(NewPost::parse(&post, today).is_ok());
        post.content = "NUL \u{0} here";
        assert!(NewPost::parse(&post, today).is_err());
    }

    #[test]
    fn edits_never_name_the_target() {
        let today = day("2026-11-24");
        let refused = PostEdit::parse(
            &EditDraft {
                title: Some("New title"),
                target_amount_sent: true,
                ..EditDraft::default()
            },
            today,
        );
        assert_eq!(
            refused.err().map(|p| p.0),
            Some(vec![PostProblem::TargetAmountImmutable])
        );
        let edit = PostEdit::parse(
            &EditDraft {
                title: Some(" New title "),
                price: Some("20,000"),
                ..EditDraft::default()
            },
            today,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(edit.title(), Some("New title"));
        assert!(edit.changes_terms());
        assert!(edit.check_against(Money::won(10_000)).is_err());
        assert!(edit.check_against(Money::won(20_000)).is_ok());
        let wording = PostEdit::parse(
            &EditDraft {
                content: Some("Better words"),
                ..EditDraft::default()
            },
            today,
        );
        assert!(wording.is_ok_and(|edit| !edit.changes_terms()));
    }
}
