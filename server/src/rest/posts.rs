//! `GET /api/v1/posts` and `GET /api/v1/posts/{id}`.

use app::{
    domain::listing::RawListQuery,
    error::AppError,
    model::{ListQuery, ProjectDetail, ProjectSummary},
    service::{self, access::PublisherOnly},
    state::AppState,
};
use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
    http::{HeaderMap, StatusCode},
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, auth::Signed, error::ErrorBody, input::PostId};

/// Query parameters of the list. Taken as text so that a bad value gets a
/// `VALIDATION_FAILED` naming the field rather than a generic rejection.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Case-insensitive substring of the title; `%`, `_` and `\` match literally.
    search: Option<String>,
    /// `total` (most funded first, the default) or `created` (newest first).
    /// Always after status priority: FUNDING, SUCCESS, CLOSE.
    sort: Option<String>,
    /// 1-based page number (default 1).
    page: Option<String>,
    /// Items per page, 1–50 (default 10).
    per_page: Option<String>,
}

/// A funding project in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PostItem {
    pub id: i64,
    pub title: String,
    pub publisher_name: String,
    /// FUNDING, SUCCESS or CLOSE; CANCEL only in a publisher's own list
    /// (the public list never shows cancelled projects).
    #[schema(example = "FUNDING")]
    pub status: String,
    /// KRW, integer.
    pub target_amount: i64,
    /// KRW per backing.
    pub price: i64,
    /// KRW raised so far.
    pub total_amount: i64,
    pub backer_count: i64,
    /// floor(total_amount × 100 / target_amount); may exceed 100.
    pub achievement_rate: u64,
    /// Days until the end date in Moa's time zone: 0 on it, negative after.
    pub d_day: i64,
    /// The last day of funding (YYYY-MM-DD).
    pub final_date: NaiveDate,
    pub created_at: DateTime<Utc>,
}

impl From<ProjectSummary> for PostItem {
    fn from(project: ProjectSummary) -> Self {
        PostItem {
            achievement_rate: project.achievement_rate().percent(),
            id: project.id,
            title: project.title,
            publisher_name: project.publisher_name,
            status: project.status.as_str().to_owned(),
            target_amount: project.target_amount.as_won(),
            price: project.price.as_won(),
            total_amount: project.total_amount.as_won(),
            backer_count: project.backer_count,
            d_day: project.days_left,
            final_date: project.end_date,
            created_at: project.created_at,
        }
    }
}

/// One page of the list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PostList {
    pub items: Vec<PostItem>,
    pub page: u32,
    pub per_page: u32,
    /// Matching projects; with `total_capped`, at least this many.
    pub total_items: u64,
    /// With `total_capped`, at least one past `page`.
    pub total_pages: u32,
    /// A search counts up to 1,000 matches and stops: `total_items` is then a
    /// lower bound ("1,000+"), and `total_pages` keeps one page ahead.
    pub total_capped: bool,
}

/// A funding project with its description.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PostDetail {
    #[serde(flatten)]
    pub item: PostItem,
    /// The description as written by the publisher (Markdown).
    pub content: String,
    pub publisher_id: i64,
}

impl From<ProjectDetail> for PostDetail {
    fn from(detail: ProjectDetail) -> Self {
        PostDetail {
            item: detail.summary.into(),
            content: detail.description,
            publisher_id: detail.publisher_id,
        }
    }
}

/// List funding projects.
#[utoipa::path(
    get,
    path = "/api/v1/posts",
    tag = "posts",
    params(ListParams),
    responses(
        (status = 200, description = "One page of projects", body = PostList),
        (status = 422, description = "A parameter is invalid (`VALIDATION_FAILED`, field in `details`)", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<PostList>, ApiError> {
    let params = super::input::query(params)?;
    let query = ListQuery::parse(RawListQuery {
        search: params.search.as_deref(),
        sort: params.sort.as_deref(),
        page: params.page.as_deref(),
        per_page: params.per_page.as_deref(),
    })
    .map_err(AppError::validation)?;
    let reader = service::replica::reader(&state, &headers).await;
    let page = service::posts::list(&state, reader, &query).await?;
    Ok(Json(PostList {
        items: page.items.into_iter().map(PostItem::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total_items: page.total_items,
        total_pages: page.total_pages,
        total_capped: page.total_capped,
    }))
}

/// One project, whatever its status: cancelled projects are unlisted but
/// stay reachable by their link.
#[utoipa::path(
    get,
    path = "/api/v1/posts/{id}",
    tag = "posts",
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, description = "The project", body = PostDetail),
        (status = 404, description = "Unknown or deleted (`POST_NOT_FOUND`)", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    PostId(id): PostId,
) -> Result<Json<PostDetail>, ApiError> {
    let reader = service::replica::reader(&state, &headers).await;
    Ok(Json(service::posts::get(&state, reader, id).await?.into()))
}

/// Delete one of your projects (publisher and owner only). Never while it is
/// funding.
#[utoipa::path(
    delete,
    path = "/api/v1/posts/{id}",
    tag = "posts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 403, description = "`FORBIDDEN`: not a publisher, or not this project's publisher", body = ErrorBody),
        (status = 404, description = "`POST_NOT_FOUND`: unknown or already deleted", body = ErrorBody),
        (status = 409, description = "`POST_STILL_FUNDING`", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    Signed { session, .. }: Signed<PublisherOnly>,
    PostId(id): PostId,
) -> Result<StatusCode, ApiError> {
    service::posts::delete(&state, &session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
