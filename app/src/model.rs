//! Data that crosses the wire between server and browser.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{AchievementRate, DDay, Money, PostStatus};
pub use crate::domain::{ListQuery, ProjectSort};

/// One project as a list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub id: i64,
    pub title: String,
    pub publisher_name: String,
    pub status: PostStatus,
    pub target_amount: Money,
    pub price: Money,
    pub total_amount: Money,
    pub backer_count: i64,
    pub end_date: NaiveDate,
    /// Days until the end date in the configured time zone, computed on the
    /// server so the browser and the server always agree.
    pub days_left: i64,
    pub created_at: DateTime<Utc>,
}

impl ProjectSummary {
    pub fn achievement_rate(&self) -> AchievementRate {
        AchievementRate::of(self.total_amount, self.target_amount)
    }

    pub fn d_day(&self) -> DDay {
        DDay::from_days_left(self.days_left)
    }
}

/// One page of a list, with what a pager needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total_items: u64,
    pub total_pages: u32,
    /// `total_items` is a lower bound: counting stopped there
    /// (`domain::listing::SEARCH_COUNT_CAP`), and more may match.
    #[serde(default)]
    pub total_capped: bool,
}

/// No items: page 1 of 0.
impl<T> Default for Paged<T> {
    fn default() -> Self {
        Paged {
            items: Vec::new(),
            page: 1,
            per_page: crate::domain::listing::DEFAULT_PER_PAGE,
            total_items: 0,
            total_pages: 0,
            total_capped: false,
        }
    }
}

impl<T> Paged<T> {
    /// `items` as page `paging` of `total_items`.
    pub fn of(items: Vec<T>, paging: crate::domain::Paging, total_items: u64) -> Self {
        Paged {
            items,
            page: paging.page(),
            per_page: paging.per_page(),
            total_items,
            total_pages: crate::domain::listing::total_pages(total_items, paging.per_page()),
            total_capped: false,
        }
    }
}

/// One page of the project list.
pub type ProjectPage = Paged<ProjectSummary>;

/// One project as its own page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDetail {
    pub summary: ProjectSummary,
    pub publisher_id: i64,
    /// The description as the publisher wrote it (Markdown).
    pub description: String,
    /// The description rendered to HTML and sanitised on the server: no
    /// script, no event handler, no foreign embed survives.
    pub description_html: String,
}

/// An account as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub role: crate::domain::Role,
}

/// A registered pocket as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pocket {
    pub bank: crate::domain::Bank,
    pub account_number_masked: String,
    pub balance: Money,
}

/// One movement of money in or out of a pocket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub id: i64,
    pub kind: crate::domain::LedgerKind,
    /// Positive into the pocket, negative out of it.
    pub amount: Money,
    pub balance_after: Money,
    /// The project it was for, with its title (for backings, withdrawals,
    /// refunds and payouts).
    pub project: Option<(i64, String)>,
    pub created_at: DateTime<Utc>,
}

/// A project as its backer's "my backings" list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackedProject {
    pub project: ProjectSummary,
    /// What the backer paid.
    pub amount: Money,
    pub status: crate::domain::BackingStatus,
    pub backed_at: DateTime<Utc>,
}

/// Whether someone may back a project now, and if not, the first reason
/// (in the order a person can act on it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    pub eligible: bool,
    /// `UNAUTHENTICATED`, `PUBLISHER_CANNOT_BACK`, `POST_NOT_FUNDING`,
    /// `ALREADY_BACKED`, `POCKET_NOT_REGISTERED` or `INSUFFICIENT_BALANCE`.
    pub reason: Option<crate::error::ErrorCode>,
    pub price: Money,
    /// The asker's pocket balance, if they have a pocket.
    pub balance: Option<Money>,
    /// The asker published this project (the page offers them its
    /// owner's actions instead).
    pub owner: bool,
}

/// A backing as its checkout reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackingReceipt {
    pub id: i64,
    pub post_id: i64,
    pub amount: Money,
    pub status: crate::domain::BackingStatus,
    /// The pocket's balance right after the backing was paid.
    pub balance: Money,
    /// An earlier backing with the same idempotency key, reported again.
    pub replayed: bool,
}

/// One page of a pocket's movements, newest first.
pub type LedgerPage = Paged<LedgerEntry>;

/// Someone who backed a project, as its publisher sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backer {
    pub username: String,
    pub amount: Money,
    pub backed_at: DateTime<Utc>,
}

/// A project as its owner edits it: what may change, and what may not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditableProject {
    pub summary: ProjectSummary,
    /// Markdown, as written.
    pub content: String,
    /// Someone has backed: the price and end date are what they agreed to.
    pub terms_locked: bool,
    /// Today in Moa's time zone, for checking the end date as you type.
    pub today: NaiveDate,
}

/// What the publishing form needs from the server before it is filled in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishingContext {
    /// Where the money will be paid: no pocket, no publishing.
    pub has_pocket: bool,
    /// Today in Moa's time zone, for checking the end date as you type.
    pub today: NaiveDate,
}

/// The pocket, if registered, and a page of the movements of its money.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PocketStatement {
    /// Whose pocket: a backer pays from it, a publisher is paid into it.
    pub role: crate::domain::Role,
    pub pocket: Option<Pocket>,
    pub entries: LedgerPage,
    /// A fresh idempotency key for the next top-up form, so a form sent
    /// twice (a double click, a resubmitted page) deposits once.
    pub deposit_key: String,
    /// The same for the next cash-out form.
    pub cash_out_key: String,
}

/// One project's ending, done or (in a dry run) foreseen: from and to which
/// status, and the money that moved with it (refunded to backers for
/// CANCEL, paid to the publisher for SUCCESS).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub post_id: i64,
    pub title: String,
    pub from: crate::domain::PostStatus,
    pub to: crate::domain::PostStatus,
    pub amount_moved: Money,
    pub backings_moved: i64,
}

/// A logged status change of a project, as its publisher reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionRecord {
    pub from: crate::domain::PostStatus,
    pub to: crate::domain::PostStatus,
    pub actor: crate::domain::transition::Actor,
    pub at: DateTime<Utc>,
    pub amount_moved: Money,
    pub backings_moved: i64,
}

/// A project's figures as its live stream sends them, each time they change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub total_amount: Money,
    pub backer_count: i64,
    pub status: PostStatus,
}
