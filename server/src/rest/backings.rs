//! Backing through the API: `GET /api/v1/posts/{id}/eligibility`,
//! `POST /api/v1/posts/{id}/backings` and
//! `DELETE /api/v1/posts/{id}/backings/mine`. The service decides every
//! refusal (a publisher is told `PUBLISHER_CANNOT_BACK`, not `FORBIDDEN`).

use app::{domain::Money, model::Eligibility, service, state::AppState};
use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    ApiError,
    auth::Signed,
    error::ErrorBody,
    input::{PostId, idempotency_key, optional_body},
};

/// Whether the caller may back the project now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EligibilityResponse {
    pub eligible: bool,
    /// Why not: `UNAUTHENTICATED`, `PUBLISHER_CANNOT_BACK`, `POST_NOT_FUNDING`,
    /// `ALREADY_BACKED`, `POCKET_NOT_REGISTERED` or `INSUFFICIENT_BALANCE`.
    #[schema(example = "INSUFFICIENT_BALANCE")]
    pub reason: Option<String>,
    /// KRW per backing.
    pub price: i64,
    /// The caller's pocket balance (KRW), if they have a pocket.
    pub balance: Option<i64>,
}

impl From<Eligibility> for EligibilityResponse {
    fn from(answer: Eligibility) -> Self {
        EligibilityResponse {
            eligible: answer.eligible,
            reason: answer.reason.map(|code| code.as_str().to_owned()),
            price: answer.price.as_won(),
            balance: answer.balance.map(Money::as_won),
        }
    }
}

/// What the backer confirmed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BackingRequest {
    /// The price (KRW) the backer saw; if the project's price is no longer
    /// this, the backing is refused with `PRICE_CHANGED`.
    pub price: Option<i64>,
}

/// A backing, as checkout reports it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BackingResponse {
    pub id: i64,
    pub post_id: i64,
    /// KRW paid.
    pub amount: i64,
    #[schema(example = "ACTIVE")]
    pub status: String,
    /// The pocket's balance right after paying (KRW).
    pub balance: i64,
}

/// What a withdrawal gave back.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WithdrawalResponse {
    /// KRW returned to the pocket.
    pub refunded: i64,
    pub balance: i64,
}

/// May I back this project? Anonymous callers get 200 with reason
/// `UNAUTHENTICATED`.
#[utoipa::path(
    get,
    path = "/api/v1/posts/{id}/eligibility",
    tag = "backings",
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, description = "The answer, with the first reason not to", body = EligibilityResponse,
            example = json!({"eligible": false, "reason": "INSUFFICIENT_BALANCE", "price": 15000, "balance": 4000})),
        (status = 404, description = "`POST_NOT_FOUND`", body = ErrorBody),
    )
)]
pub async fn eligibility(
    State(state): State<AppState>,
    headers: HeaderMap,
    PostId(id): PostId,
) -> Result<Json<EligibilityResponse>, ApiError> {
    let session = service::sessions::from_headers(&state, &headers).await;
    let answer = service::backings::eligibility(&state, session.as_ref(), id).await?;
    Ok(Json(answer.into()))
}

/// Back the project once at its price, paid from your pocket. Send an
/// `Idempotency-Key` to make retrying safe: the same key for the same
/// project answers as the first time (`Idempotent-Replayed: true`).
#[utoipa::path(
    post,
    path = "/api/v1/posts/{id}/backings",
    tag = "backings",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Project id"),
        ("Idempotency-Key" = Option<String>, Header, description = "1–200 visible ASCII characters, unique per intended backing"),
    ),
    request_body(content = Option<BackingRequest>, description = "Optional: the price you saw"),
    responses(
        (status = 201, description = "Backed", body = BackingResponse),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 403, description = "`PUBLISHER_CANNOT_BACK`", body = ErrorBody,
            example = json!({"error": {"code": "PUBLISHER_CANNOT_BACK", "message": "Publisher accounts publish projects; they cannot back them.", "details": {}}})),
        (status = 404, description = "`POST_NOT_FOUND`", body = ErrorBody),
        (status = 409, description = "`ALREADY_BACKED`, `POCKET_NOT_REGISTERED`, `INSUFFICIENT_BALANCE`, `POST_NOT_FUNDING`, `PRICE_CHANGED` or `IDEMPOTENCY_KEY_REUSED` (the key backed another project)", body = ErrorBody,
            example = json!({"error": {"code": "ALREADY_BACKED", "message": "You have already backed this project.", "details": {}}})),
        (status = 422, description = "`VALIDATION_FAILED` (body, Idempotency-Key)", body = ErrorBody),
    )
)]
pub async fn back(
    State(state): State<AppState>,
    Signed { session, .. }: Signed,
    PostId(id): PostId,
    headers: HeaderMap,
    payload: Bytes,
) -> Result<
    (
        StatusCode,
        [(&'static str, &'static str); 1],
        Json<BackingResponse>,
    ),
    ApiError,
> {
    let key = idempotency_key(&headers)?;
    let request: BackingRequest = optional_body(&headers, &payload)?;
    let receipt = service::backings::back(
        &state,
        &session,
        id,
        request.price.map(Money::won),
        key.as_ref(),
    )
    .await?;
    let replayed = if receipt.replayed { "true" } else { "false" };
    Ok((
        StatusCode::CREATED,
        [("idempotent-replayed", replayed)],
        Json(BackingResponse {
            id: receipt.id,
            post_id: receipt.post_id,
            amount: receipt.amount.as_won(),
            status: receipt.status.as_str().to_owned(),
            balance: receipt.balance.as_won(),
        }),
    ))
}

/// Withdraw your backing while the project funds: the money returns to
/// your pocket at once, and you may back again later.
#[utoipa::path(
    delete,
    path = "/api/v1/posts/{id}/backings/mine",
    tag = "backings",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, description = "Withdrawn", body = WithdrawalResponse),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 404, description = "`POST_NOT_FOUND`, or `BACKING_NOT_FOUND` (nothing to withdraw)", body = ErrorBody,
            example = json!({"error": {"code": "BACKING_NOT_FOUND", "message": "You have no active backing of this project to withdraw.", "details": {}}})),
        (status = 409, description = "`POST_NOT_FUNDING`", body = ErrorBody),
    )
)]
pub async fn withdraw(
    State(state): State<AppState>,
    Signed { session, .. }: Signed,
    PostId(id): PostId,
) -> Result<Json<WithdrawalResponse>, ApiError> {
    let withdrawal = service::backings::withdraw(&state, &session, id).await?;
    Ok(Json(WithdrawalResponse {
        refunded: withdrawal.refunded.as_won(),
        balance: withdrawal.balance.as_won(),
    }))
}
