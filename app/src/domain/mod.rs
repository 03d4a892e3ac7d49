//! Pure rules shared by the browser and the server. Nothing here touches I/O,
//! so every rule runs the same on both sides and is unit-tested in place.

pub mod account;
mod achievement;
pub mod dates;
pub mod dday;
pub mod ledger;
pub mod listing;
mod money;
pub mod pocket;
pub mod post;
pub mod problem;
mod status;
pub mod transition;

pub use account::{Credentials, LoginName, NewAccount, Role};
pub use achievement::AchievementRate;
pub use dday::DDay;
pub use ledger::{BackingStatus, LedgerKind};
pub use listing::{ListQuery, Paging, ProjectSort};
pub use money::{Money, TypedAmount};
pub use pocket::{Bank, PocketRegistration};
pub use post::{EditDraft, NewPost, PostDraft, PostEdit, PostProblem, PostProblems};
pub use problem::{FieldErrors, Problem};
pub use status::{PostStatus, UnknownStatus};

#[cfg(test)]
mod properties;
