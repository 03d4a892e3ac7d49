//! `POST /api/v1/posts/{id}/cancel`, `POST /api/v1/posts/{id}/close` and
//! `GET /api/v1/me/posts/{id}/transitions`: the owner ends a project, and
//! reads every status change it went through.

use app::{
    domain::{Money, PostStatus, transition::Confirmation},
    model::TransitionRecord,
    service::{self, access::PublisherOnly},
    state::AppState,
};
use axum::{Json, body::Bytes, extract::State, http::HeaderMap};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    ApiError,
    auth::Signed,
    error::ErrorBody,
    input::{PostId, optional_body},
    posts::PostDetail,
};

async fn end(
    state: &AppState,
    signed: &Signed<PublisherOnly>,
    id: i64,
    to: PostStatus,
    seen: Confirmation,
) -> Result<Json<PostDetail>, ApiError> {
    service::settlement::end_by_owner(state, &signed.session, id, to, seen).await?;
    Ok(Json(
        service::posts::get(state, service::replica::Reader::JustWrote, id)
            .await?
            .into(),
    ))
}

/// What you were shown before cancelling; each field you send must still
/// hold, or nothing happens (`INVALID_TRANSITION`, saying what a cancel
/// would refund now).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CancelRequest {
    /// How many backers would be refunded (the project's `backer_count`).
    #[schema(example = 10)]
    pub backers: Option<i64>,
    /// How many KRW would be refunded in all (the project's `total_amount`).
    #[schema(example = 150000)]
    pub total_amount: Option<i64>,
}

/// Cancel one of your projects while it is funding: every backer is
/// refunded to their pocket at once, and the project is unlisted (its page
/// stays, saying so). Send the backer count and total you saw to cancel
/// only if they still hold (a body is optional: without one, the project
/// is cancelled as it is now).
#[utoipa::path(
    post,
    path = "/api/v1/posts/{id}/cancel",
    tag = "posts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id")),
    request_body(content = Option<CancelRequest>, description = "Optional: the backer count and total you saw"),
    responses(
        (status = 200, description = "The cancelled project", body = PostDetail),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 403, description = "`FORBIDDEN`: not a publisher, or not this project's publisher", body = ErrorBody),
        (status = 404, description = "`POST_NOT_FOUND`", body = ErrorBody),
        (status = 409, description = "`INVALID_TRANSITION`: the project is not funding, or its backers or total are no longer what you sent", body = ErrorBody,
            example = json!({"error": {"code": "INVALID_TRANSITION", "message": "Only a project that is still funding can be cancelled.", "details": {}}})),
        (status = 422, description = "`VALIDATION_FAILED` (body)", body = ErrorBody),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    signed: Signed<PublisherOnly>,
    PostId(id): PostId,
    headers: HeaderMap,
    payload: Bytes,
) -> Result<Json<PostDetail>, ApiError> {
    // No body (or an empty one, whatever its type) confirms nothing, as
    // before the body existed.
    let request: CancelRequest = optional_body(&headers, &payload)?;
    let seen = Confirmation {
        backers: request.backers,
        total: request.total_amount.map(Money::won),
    };
    end(&state, &signed, id, PostStatus::Cancel, seen).await
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
    PostId(id): PostId,
) -> Result<Json<PostDetail>, ApiError> {
    end(
        &state,
        &signed,
        id,
        PostStatus::Close,
        Confirmation::default(),
    )
    .await
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
    PostId(id): PostId,
) -> Result<Json<Vec<TransitionItem>>, ApiError> {
    let history = service::settlement::history(&state, &session, id).await?;
    Ok(Json(
        history.into_iter().map(TransitionItem::from).collect(),
    ))
}
