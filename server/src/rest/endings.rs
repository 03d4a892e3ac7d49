//! `POST /api/v1/posts/{id}/cancel`, `POST /api/v1/posts/{id}/close` and
//! `GET /api/v1/me/posts/{id}/transitions`: the owner ends a project, and
//! reads every status change it went through.

use app::{
    domain::PostStatus,
    error::AppError,
    model::TransitionRecord,
    service::{self, access::PublisherOnly},
    state::AppState,
};
use axum::{
    Json,
    extract::{Path, State},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, auth::Signed, error::ErrorBody, posts::PostDetail};

fn post_id(id: &str) -> Result<i64, ApiError> {
    Ok(id.parse::<i64>().map_err(|_| AppError::post_not_found())?)
}

async fn end(
    state: &AppState,
    signed: &Signed<PublisherOnly>,
    id: &str,
    to: PostStatus,
) -> Result<Json<PostDetail>, ApiError> {
    let id = post_id(id)?;
    service::settlement::end_by_owner(state, &signed.session, id, to, None).await?;
    Ok(Json(service::posts::get(state, id).await?.into()))
}

/// Cancel one of your projects while it is funding: every backer is
/// refunded to their pocket at once, and the project is unlisted (its page
/// stays, saying so).
#[utoipa::path(
    post,
    path = "/api/v1/posts/{id}/cancel",
    tag = "posts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, description = "The cancelled project", body = PostDetail),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 403, description = "`FORBIDDEN`: not a publisher, or not this project's publisher", body = ErrorBody),
        (status = 404, description = "`POST_NOT_FOUND`", body = ErrorBody),
        (status = 409, description = "`INVALID_TRANSITION`: the project is not funding", body = ErrorBody,
            example = json!({"error": {"code": "INVALID_TRANSITION", "message": "Only a project that is still funding can be cancelled.", "details": {}}})),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    signed: Signed<PublisherOnly>,
    Path(id): Path<String>,
) -> Result<Json<PostDetail>, ApiError> {
    end(&state, &signed, &id, PostStatus::Cancel).await
}

/// Close one of your projects after it succeeded (its payout is already in
/// your pocket); it moves below the successful ones in the list.
#[utoipa::path(
    post,
    path = "/api/v1/posts/{id}/close",
    tag = "posts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, description = "The closed project", body = PostDetail),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 403, description = "`FORBIDDEN`: not a publisher, or not this project's publisher", body = ErrorBody),
        (status = 404, description = "`POST_NOT_FOUND`", body = ErrorBody),
        (status = 409, description = "`INVALID_TRANSITION`: the project has not succeeded", body = ErrorBody,
            example = json!({"error": {"code": "INVALID_TRANSITION", "message": "Only a project that succeeded can be closed.", "details": {}}})),
    )
)]
pub async fn close(
    State(state): State<AppState>,
    signed: Signed<PublisherOnly>,
    Path(id): Path<String>,
) -> Result<Json<PostDetail>, ApiError> {
    end(&state, &signed, &id, PostStatus::Close).await
}

/// One status change of a project.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TransitionItem {
    #[schema(example = "FUNDING")]
    pub from: String,
    #[schema(example = "CANCEL")]
    pub to: String,
    /// `OWNER` (the publisher) or `SETTLEMENT` (the end date passed).
    #[schema(example = "SETTLEMENT")]
    pub by: String,
    pub at: DateTime<Utc>,
    /// KRW refunded to backers (to CANCEL) or paid to the publisher (to SUCCESS).
    pub amount_moved: i64,
    /// Backings refunded or paid out with it.
    pub backings_moved: i64,
}

impl From<TransitionRecord> for TransitionItem {
    fn from(record: TransitionRecord) -> Self {
        TransitionItem {
            from: record.from.as_str().to_owned(),
            to: record.to.as_str().to_owned(),
            by: record.actor.as_str().to_owned(),
            at: record.at,
            amount_moved: record.amount_moved.as_won(),
            backings_moved: record.backings_moved,
        }
    }
}

/// Every status change of one of your projects, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/posts/{id}/transitions",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, description = "The project's status changes", body = [TransitionItem]),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 403, description = "`FORBIDDEN`: not a publisher, or not this project's publisher", body = ErrorBody),
        (status = 404, description = "`POST_NOT_FOUND`", body = ErrorBody),
    )
)]
pub async fn transitions(
    State(state): State<AppState>,
    Signed { session, .. }: Signed<PublisherOnly>,
    Path(id): Path<String>,
) -> Result<Json<Vec<TransitionItem>>, ApiError> {
    let id = post_id(&id)?;
    let history = service::settlement::history(&state, &session, id).await?;
    Ok(Json(
        history.into_iter().map(TransitionItem::from).collect(),
    ))
}
