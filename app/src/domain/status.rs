use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// Where a funding project is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PostStatus {
    /// Open for backing until its end date.
    Funding,
    /// Reached its target by the end date; the publisher was paid.
    Success,
    /// Closed by its publisher.
    Close,
    /// Cancelled (by the publisher, or for missing its target); every backer refunded.
    Cancel,
}

impl PostStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            PostStatus::Funding => "FUNDING",
            PostStatus::Success => "SUCCESS",
            PostStatus::Close => "CLOSE",
            PostStatus::Cancel => "CANCEL",
        }
    }

    /// Position in every list: FUNDING first, then SUCCESS, then CLOSE.
    /// Cancelled projects are never listed, so they have no position.
    /// The database's `status_rank` column mirrors this order.
    pub const fn list_priority(self) -> Option<u8> {
        match self {
            PostStatus::Funding => Some(0),
            PostStatus::Success => Some(1),
            PostStatus::Close => Some(2),
            PostStatus::Cancel => None,
        }
    }

    /// Whether the project has ended for good: a cancelled or closed
    /// project's status and figures never change again.
    pub const fn is_final(self) -> bool {
        matches!(self, PostStatus::Cancel | PostStatus::Close)
    }

    /// The label people read on a card.
    pub const fn label(self) -> &'static str {
        match self {
            PostStatus::Funding => "Funding",
            PostStatus::Success => "Funded",
            PostStatus::Close => "Closed",
            PostStatus::Cancel => "Cancelled",
        }
    }
}

impl fmt::Display for PostStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown project status {0:?}")]
pub struct UnknownStatus(pub String);

impl FromStr for PostStatus {
    type Err = UnknownStatus;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "FUNDING" => Ok(PostStatus::Funding),
            "SUCCESS" => Ok(PostStatus::Success),
            "CLOSE" => Ok(PostStatus::Close),
            "CANCEL" => Ok(PostStatus::Cancel),
            other => Err(UnknownStatus(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PostStatus;

    const ALL: [PostStatus; 4] = [
        PostStatus::Funding,
        PostStatus::Success,
        PostStatus::Close,
        PostStatus::Cancel,
    ];

    #[test]
    fn lists_funding_then_success_then_close_and_never_cancel() {
        let mut listed: Vec<_> = ALL
            .into_iter()
            .filter(|s| s.list_priority().is_some())
            .collect();
        listed.sort_by_key(|s| s.list_priority());
        assert_eq!(
            listed,
            [PostStatus::Funding, PostStatus::Success, PostStatus::Close]
        );
        assert_eq!(PostStatus::Cancel.list_priority(), None);
    }

    #[test]
    fn only_cancelled_and_closed_projects_are_final() {
        let finals: Vec<_> = ALL.into_iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals, [PostStatus::Close, PostStatus::Cancel]);
    }

    #[test]
    fn round_trips_through_its_database_form() {
        for status in ALL {
            assert_eq!(status.as_str().parse::<PostStatus>(), Ok(status));
        }
        assert!("funding".parse::<PostStatus>().is_err());
    }

    #[test]
    fn serializes_in_upper_case() {
        assert_eq!(
            serde_json::to_string(&PostStatus::Funding).ok().as_deref(),
            Some("\"FUNDING\"")
        );
    }
}
