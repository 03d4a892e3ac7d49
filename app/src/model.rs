//! Data that crosses the wire between server and browser.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{AchievementRate, DDay, Money, PostStatus};

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

/// The orders a list can be shown in. Status priority always comes first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProjectSort {
    /// Most money raised first (the default).
    #[default]
    Total,
    /// Newest first.
    Created,
}

impl ProjectSort {
    /// The form used in URLs: `?sort=total` / `?sort=created`.
    pub const fn as_query(self) -> &'static str {
        match self {
            ProjectSort::Total => "total",
            ProjectSort::Created => "created",
        }
    }

    /// Unknown values fall back to the default in the browser; the REST API
    /// rejects them instead.
    pub fn from_query(value: &str) -> Option<Self> {
        match value {
            "total" => Some(ProjectSort::Total),
            "created" => Some(ProjectSort::Created),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ProjectSort;

    #[test]
    fn sort_round_trips_through_the_query_string() {
        for sort in [ProjectSort::Total, ProjectSort::Created] {
            assert_eq!(ProjectSort::from_query(sort.as_query()), Some(sort));
        }
        assert_eq!(ProjectSort::from_query("bogus"), None);
        assert_eq!(ProjectSort::default(), ProjectSort::Total);
    }
}
