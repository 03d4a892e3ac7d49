//! Reading funding projects.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    domain::{Money, PostStatus, dday::days_left},
    error::AppError,
    model::{ProjectSort, ProjectSummary},
    state::AppState,
};

/// Lists change with every backing; a few seconds of staleness is the price
/// for not hitting PostgreSQL on every page view.
const LIST_CACHE_TTL: Duration = Duration::from_secs(5);

macro_rules! listed_posts_query {
    ($order:literal) => {
        concat!(
            "SELECT id, title, publisher_name, status, target_amount, price, total_amount, ",
            "       backer_count, end_date, created_at ",
            "  FROM posts ",
            " WHERE deleted_at IS NULL AND status <> 'CANCEL' ",
            " ORDER BY ",
            $order,
            " LIMIT $1"
        )
    };
}

// Each order matches one of the partial indexes in the first migration.
const LIST_BY_TOTAL: &str = listed_posts_query!("status_rank, total_amount DESC, id DESC");
const LIST_BY_CREATED: &str = listed_posts_query!("status_rank, created_at DESC, id DESC");

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    title: String,
    publisher_name: String,
    status: String,
    target_amount: i64,
    price: i64,
    total_amount: i64,
    backer_count: i64,
    end_date: NaiveDate,
    created_at: DateTime<Utc>,
}

impl SummaryRow {
    fn into_summary(self, today: NaiveDate) -> Result<ProjectSummary, AppError> {
        let status = self.status.parse::<PostStatus>().map_err(|error| {
            tracing::error!(%error, post_id = self.id, "corrupt status in database");
            AppError::internal()
        })?;
        Ok(ProjectSummary {
            id: self.id,
            title: self.title,
            publisher_name: self.publisher_name,
            status,
            target_amount: Money::won(self.target_amount),
            price: Money::won(self.price),
            total_amount: Money::won(self.total_amount),
            backer_count: self.backer_count,
            end_date: self.end_date,
            days_left: days_left(today, self.end_date),
            created_at: self.created_at,
        })
    }
}

/// The listed projects (never cancelled or deleted), status priority first,
/// then the chosen order. Both orders are served by an index.
pub async fn list(
    state: &AppState,
    sort: ProjectSort,
    limit: i64,
) -> Result<Vec<ProjectSummary>, AppError> {
    let today = state.today();
    let cache_key = state
        .cache
        .key(&format!("posts:list:{}:{limit}:{today}", sort.as_query()));
    if let Some(cached) = state
        .cache
        .get_json::<Vec<ProjectSummary>>(&cache_key)
        .await
    {
        return Ok(cached);
    }

    let sql = match sort {
        ProjectSort::Total => LIST_BY_TOTAL,
        ProjectSort::Created => LIST_BY_CREATED,
    };
    let rows: Vec<SummaryRow> = sqlx::query_as(sql).bind(limit).fetch_all(&state.db).await?;
    let projects = rows
        .into_iter()
        .map(|row| row.into_summary(today))
        .collect::<Result<Vec<_>, _>>()?;

    state
        .cache
        .set_json(&cache_key, &projects, LIST_CACHE_TTL)
        .await;
    Ok(projects)
}
