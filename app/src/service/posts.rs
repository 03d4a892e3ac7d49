//! Reading funding projects: the list (search, order, pages) and one project.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    domain::{
        ListQuery, Money, PostStatus, ProjectSort,
        dday::days_left,
        listing::{SEARCH_COUNT_CAP, capped_count, pages_for},
    },
    error::AppError,
    model::{ProjectDetail, ProjectPage, ProjectSummary},
    service::{
        markdown,
        replica::{self, Reader},
    },
    state::AppState,
};
use sqlx::PgPool;

/// Lists change with every backing; a few seconds of staleness is the price
/// for not hitting PostgreSQL on every page view.
pub(crate) const LIST_CACHE_TTL: Duration = Duration::from_secs(5);
/// Part of every cached list's key; bumping it after a change that a list
/// shows (a project deleted, created, backed) makes every cached list stale
/// at once, without finding and deleting keys.
const LIST_GENERATION: &str = "posts:list:generation";

/// Listed means: not deleted, not cancelled. The partial indexes of the
/// migrations carry the same condition, so the planner can use them.
macro_rules! listed {
    () => {
        "FROM posts WHERE deleted_at IS NULL AND status <> 'CANCEL'"
    };
}
macro_rules! page_query {
    ($filter:literal, $order:literal) => {
        page_query!("", $filter, $order)
    };
    ($extra:literal, $filter:literal, $order:literal) => {
        concat!(
            "SELECT id, title, publisher_name, status, target_amount, price, total_amount, ",
            "backer_count, end_date, created_at",
            $extra,
            " ",
            listed!(),
            $filter,
            " ORDER BY ",
            $order,
            " LIMIT $1 OFFSET $2"
        )
    };
}
// `ILIKE` with the title trigram index; `$3` is an escaped pattern.
// The unfiltered list reads its count (the counter row) in the same
// statement: one round trip to PostgreSQL instead of two per request.
const BY_TOTAL: &str = page_query!(
    ", (SELECT n FROM listed_post_count) AS listed_total",
    "",
    "status_rank, total_amount DESC, id DESC"
);
const BY_CREATED: &str = page_query!(
    ", (SELECT n FROM listed_post_count) AS listed_total",
    "",
    "status_rank, created_at DESC, id DESC"
);
const SEARCH_BY_TOTAL: &str = page_query!(
    " AND title ILIKE $3",
    "status_rank, total_amount DESC, id DESC"
);
const SEARCH_BY_CREATED: &str = page_query!(
    " AND title ILIKE $3",
    "status_rank, created_at DESC, id DESC"
);
/// Kept exact by a trigger (migration `listed_post_count`).
const COUNT_ALL: &str = "SELECT n FROM listed_post_count";
/// Counts matches only up to `$2` (the cap and one more): a common word at
/// 100,000 projects would otherwise scan every match for the count alone.
const COUNT_SEARCH: &str = concat!(
    "SELECT count(*) FROM (SELECT 1 ",
    listed!(),
    " AND title ILIKE $1 LIMIT $2) AS matched"
);

/// The columns a [`SummaryRow`] reads, from `posts p`.
macro_rules! summary_columns {
    () => {
        "p.id, p.title, p.publisher_name, p.status, p.target_amount, p.price, p.total_amount, \
         p.backer_count, p.end_date, p.created_at"
    };
}
pub(crate) use summary_columns;

/// A row of the unfiltered list, with the number of listed projects.
#[derive(sqlx::FromRow)]
struct CountedRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    listed_total: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
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
    pub(crate) fn into_summary(self, today: NaiveDate) -> Result<ProjectSummary, AppError> {
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

/// One page of listed projects, status priority first, then the chosen
/// order; both orders are served by an index.
///
/// `reader` decides whether a cached copy or the read replica may answer
/// (see [`replica`]).
pub async fn list(
    state: &AppState,
    reader: Reader,
    query: &ListQuery,
) -> Result<ProjectPage, AppError> {
    let today = state.today();
    let generation = list_generation(state).await;
    // Without a generation (Redis unreachable) there is no cache to use.
    let cache_key = generation.map(|generation| {
        state.cache.key(&format!(
            "posts:list:g{generation}:{today}:{}",
            query.to_url()
        ))
    });
    if let Some(cache_key) = &cache_key
        && reader.may_read_cached()
        && let Some(cached) = state.cache.get_json::<ProjectPage>(cache_key).await
    {
        return Ok(cached);
    }

    let (rows, total_items) =
        replica::public_read(state, reader, |db| read_list(db, query)).await?;
    let items = rows
        .into_iter()
        .map(|row| row.into_summary(today))
        .collect::<Result<Vec<_>, _>>()?;
    let (total_items, total_capped) = capped_count(u64::try_from(total_items).unwrap_or_default());
    let page = ProjectPage {
        items,
        page: query.page(),
        per_page: query.per_page(),
        total_items,
        total_pages: pages_for(total_items, total_capped, query.per_page(), query.page()),
        total_capped,
    };

    if let Some(cache_key) = &cache_key {
        state.cache.set_json(cache_key, &page, LIST_CACHE_TTL).await;
    }
    Ok(page)
}

/// One page of rows and the count of all matches, from `db`.
async fn read_list(db: PgPool, query: &ListQuery) -> Result<(Vec<SummaryRow>, i64), sqlx::Error> {
    let limit = query.paging().limit();
    let offset = query.offset();
    match query.like_pattern() {
        None => {
            let sql = match query.sort() {
                ProjectSort::Total => BY_TOTAL,
                ProjectSort::Created => BY_CREATED,
            };
            let rows: Vec<CountedRow> = sqlx::query_as(sql)
                .bind(limit)
                .bind(offset)
                .fetch_all(&db)
                .await?;
            // Past the last page there is no row to carry the count.
            let count = match rows.first() {
                Some(row) => row.listed_total,
                None => sqlx::query_scalar(COUNT_ALL).fetch_one(&db).await?,
            };
            Ok((rows.into_iter().map(|row| row.summary).collect(), count))
        }
        Some(pattern) => {
            let sql = match query.sort() {
                ProjectSort::Total => SEARCH_BY_TOTAL,
                ProjectSort::Created => SEARCH_BY_CREATED,
            };
            let rows = sqlx::query_as(sql)
                .bind(limit)
                .bind(offset)
                .bind(&pattern)
                .fetch_all(&db);
            let count = sqlx::query_scalar(COUNT_SEARCH)
                .bind(&pattern)
                .bind(i64::try_from(SEARCH_COUNT_CAP + 1).unwrap_or(i64::MAX))
                .fetch_one(&db);
            tokio::try_join!(rows, count)
        }
    }
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    publisher_id: i64,
    description: String,
}

/// One project, whatever became of it: a cancelled project is unlisted but
/// still reachable by its link, and says what happened. Deleted projects
/// are not found. After a write, pass [`Reader::JustWrote`]: the answer
/// must show it.
pub async fn get(state: &AppState, reader: Reader, id: i64) -> Result<ProjectDetail, AppError> {
    let sql = concat!(
        "SELECT id, title, publisher_name, status, target_amount, price, total_amount, ",
        "backer_count, end_date, created_at, publisher_id, description ",
        "FROM posts WHERE deleted_at IS NULL AND id = $1"
    );
    let row: Option<DetailRow> = replica::public_read(state, reader, |db| async move {
        sqlx::query_as(sql).bind(id).fetch_optional(&db).await
    })
    .await?;
    let row = row.ok_or_else(AppError::post_not_found)?;
    let description_html = markdown::to_safe_html(&row.description);
    Ok(ProjectDetail {
        summary: row.summary.into_summary(state.today())?,
        publisher_id: row.publisher_id,
        description: row.description,
        description_html,
    })
}

/// A project's live figures (deleted projects are not found).
pub async fn figures(state: &AppState, id: i64) -> Result<crate::model::Figures, AppError> {
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT total_amount, backer_count, status FROM posts WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&state.db)
    .await?;
    let (total, backers, status) = row.ok_or_else(AppError::post_not_found)?;
    Ok(crate::model::Figures {
        total_amount: Money::won(total),
        backer_count: backers,
        status: status.parse().map_err(|error| {
            tracing::error!(%error, post_id = id, "corrupt status in database");
            AppError::internal()
        })?,
    })
}

/// Every project of one publisher, whatever its status (cancelled ones
/// included, deleted ones not), newest first.
pub async fn published_by(
    state: &AppState,
    publisher_id: i64,
) -> Result<Vec<ProjectSummary>, AppError> {
    let sql = concat!(
        "SELECT ",
        summary_columns!(),
        " FROM posts p WHERE p.publisher_id = $1 AND p.deleted_at IS NULL",
        " ORDER BY p.created_at DESC, p.id DESC"
    );
    let rows: Vec<SummaryRow> = sqlx::query_as(sql)
        .bind(publisher_id)
        .fetch_all(&state.db)
        .await?;
    let today = state.today();
    rows.into_iter()
        .map(|row| row.into_summary(today))
        .collect()
}

/// Deletes a project of the session's publisher. Never while it is funding:
/// the check here gives the clear error, the database's
/// `posts_not_deleted_while_funding` constraint holds even if the status
/// changes in between.
pub async fn delete(
    state: &AppState,
    session: &crate::service::auth::Session,
    post_id: i64,
) -> Result<(), AppError> {
    let post = crate::service::access::owned_post(state, session, post_id).await?;
    if post.status == PostStatus::Funding {
        return Err(still_funding());
    }
    let result = sqlx::query("UPDATE posts SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL")
        .bind(post.id)
        .execute(&state.db)
        .await;
    match result {
        Ok(_) => {
            changed_by(state, session.account_id).await;
            Ok(())
        }
        Err(sqlx::Error::Database(error))
            if error.constraint() == Some("posts_not_deleted_while_funding") =>
        {
            Err(still_funding())
        }
        Err(error) => Err(error.into()),
    }
}

/// The list generation: it moves with every change that a list or a project
/// page shows. `None` when Redis is unreachable (then nothing is cached).
pub async fn list_generation(state: &AppState) -> Option<u64> {
    state
        .cache
        .get_counter(&state.cache.key(LIST_GENERATION))
        .await
}

/// Makes every cached list stale, after a change the lists show.
pub(crate) async fn lists_changed(state: &AppState) {
    state.cache.bump(&state.cache.key(LIST_GENERATION)).await;
}

/// `account_id` changed what lists or a project's page show: lists are
/// stale, and the account reads from the primary for a while, past any
/// replica that has not caught up yet.
pub(crate) async fn changed_by(state: &AppState, account_id: i64) {
    lists_changed(state).await;
    replica::note_write(state, account_id).await;
}

fn still_funding() -> AppError {
    AppError::new(
        crate::error::ErrorCode::PostStillFunding,
        crate::error::Problem::StillFunding,
    )
}
